"""The members page, the invitation link and the firm switcher (issue 15 §1), through the test client."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from parting.audit.models import AuditEntry
from parting.firms.middleware import SESSION_FIRM
from parting.firms.models import Invitation, Membership
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
PASSWORD = "a long and unguessable phrase"


@pytest.fixture
def owner(client):
    membership = MembershipFactory(user__username="olga", user__email="olga@example.com", firm__name="Olga & Co")
    return membership


def as_member(client, membership):
    client.force_login(membership.user)
    return client


def invite_link(client, owner, email="nina@example.com", role="staff"):
    as_member(client, owner)
    response = client.post("/firm/members/invite/", {"email": email, "role": role, "language": "en"})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return re.search(r"https?://\S+/invite/\S+/", mail.outbox[-1].body).group(0)


def path_of(url):
    return "/" + url.split("/", 3)[3]


def test_owners_see_the_controls_and_others_only_the_list(client, owner):
    staff = MembershipFactory(firm=owner.firm, staff=True, user__username="sam")
    page = as_member(client, owner).get("/firm/members/").content.decode()
    assert 'id="invite-form"' in page and f'action="/firm/members/{staff.pk}/role/"' in page
    client.logout()
    page = as_member(client, staff).get("/firm/members/").content.decode()
    assert "olga" in page and "sam" in page
    assert 'id="invite-form"' not in page and "/role/" not in page and 'id="members-read-only"' in page


def test_a_staff_member_posting_a_role_change_changes_nothing(client, owner):
    staff = MembershipFactory(firm=owner.firm, staff=True)
    response = as_member(client, staff).post(f"/firm/members/{owner.pk}/role/", {"role": "staff"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_an_owner_invites_and_the_invitee_sets_a_password_then_logs_in(client, owner):
    link = invite_link(client, owner)
    page = client.get(path_of(link))
    assert page.status_code == 200 and "Olga &amp; Co" in page.content.decode()
    response = client.post(
        path_of(link), {"username": "nina", "password1": PASSWORD, "password2": PASSWORD, "first_name": "Nina"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client.post("/login/", {"username": "nina", "password": PASSWORD})
    assert response.status_code == 302, "the chosen password logs in"
    membership = Membership.objects.get(user__username="nina")
    assert membership.firm == owner.firm and membership.role == Role.STAFF
    assert client.get("/").status_code == 200


def test_a_weak_password_is_refused_by_djangos_validators_and_the_link_still_works(client, owner):
    link = invite_link(client, owner)
    response = client.post(path_of(link), {"username": "nina", "password1": "123", "password2": "123"})
    assert response.status_code == 400
    assert "too short" in response.content.decode() or "too common" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None
    assert not get_user_model().objects.filter(username="nina").exists()


def test_a_used_link_gets_a_clear_page_not_a_second_account(client, owner):
    link = invite_link(client, owner)
    client.post(path_of(link), {"username": "nina", "password1": PASSWORD, "password2": PASSWORD})
    response = client.get(path_of(link))
    assert response.status_code == 410 and "already been used" in response.content.decode()
    response = client.post(path_of(link), {"username": "nina2", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="nina2").exists()


def test_an_expired_link_gets_a_clear_page(client, owner):
    link = invite_link(client, owner)
    Invitation.objects.update(expires_at=timezone.now())
    response = client.get(path_of(link))
    assert response.status_code == 410 and "expired" in response.content.decode()


@pytest.mark.parametrize("token", ["x", "not-a-token:at-all", "a" * 300, "%00"])
def test_an_altered_link_gets_a_clear_page_never_a_500(client, token):
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 404 and 'id="invite-refused"' in response.content.decode()


def test_someone_with_an_account_signs_in_and_joins(client, owner):
    other = MembershipFactory(user__username="kim", user__email="kim@example.com", firm__name="Kim Ltd")
    link = invite_link(client, owner, email="kim@example.com", role="partner")
    page = client.get(path_of(link)).content.decode()
    assert 'id="sign-in-to-join"' in page and "/login/?next=/invite/" in page
    as_member(client, other)
    response = client.post(path_of(link))
    assert response.status_code == 302
    assert client.session[SESSION_FIRM] == owner.firm_id
    assert Membership.objects.get(user=other.user, firm=owner.firm).role == Role.PARTNER
    assert AuditEntry.objects.filter(firm=owner.firm, action="member.joined").count() == 1


def test_the_wrong_account_cannot_accept(client, owner):
    stranger = MembershipFactory(user__email="stranger@example.com")
    link = invite_link(client, owner)
    as_member(client, stranger)
    assert 'id="wrong-account"' in client.get(path_of(link)).content.decode()
    client.post(path_of(link))
    assert not Membership.objects.filter(user=stranger.user, firm=owner.firm).exists()


def test_owner_changes_role_deactivates_and_reactivates_from_the_page(client, owner):
    staff = MembershipFactory(firm=owner.firm, staff=True)
    as_member(client, owner)
    client.post(f"/firm/members/{staff.pk}/role/", {"role": "partner"})
    client.post(f"/firm/members/{staff.pk}/deactivate/")
    staff.refresh_from_db()
    assert staff.role == Role.PARTNER and not staff.is_active
    client.post(f"/firm/members/{staff.pk}/reactivate/")
    staff.refresh_from_db()
    assert staff.is_active


def test_the_last_owner_demoting_themselves_gets_a_message(client, owner):
    response = as_member(client, owner).post(f"/firm/members/{owner.pk}/role/", {"role": "staff"}, follow=True)
    assert "last owner" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


@pytest.mark.parametrize("action", ["role", "deactivate", "reactivate"])
def test_another_firms_member_is_a_404(client, owner, action):
    other = MembershipFactory(firm=FirmFactory(), staff=True)
    response = as_member(client, owner).post(f"/firm/members/{other.pk}/{action}/", {"role": "owner"})
    assert response.status_code == 404


def test_bad_invitation_input_is_named_not_a_500(client, owner):
    response = as_member(client, owner).post("/firm/members/invite/", {"email": "no", "role": "boss", "language": "xx"})
    assert response.status_code == 400
    assert mail.outbox == [] and Invitation.objects.count() == 0


def test_a_deactivated_member_cannot_use_the_firm(client, owner):
    staff = MembershipFactory(firm=owner.firm, staff=True, is_active=False)
    ClientFactory(firm=owner.firm, name="Secret Client")
    response = as_member(client, staff).get("/")
    assert response.status_code == 403
    assert "Secret Client" not in response.content.decode()


# -- several firms -------------------------------------------------------------------------------


@pytest.fixture
def two_firms():
    first = MembershipFactory(user__username="pat", firm__name="First Firm")
    second = MembershipFactory(user=first.user, firm__name="Second Firm", staff=True)
    ClientFactory(firm=first.firm, name="Alpha Client")
    ClientFactory(firm=second.firm, name="Beta Client")
    return first, second


def test_a_person_in_two_firms_sees_only_the_chosen_firms_clients(client, two_firms):
    first, second = two_firms
    as_member(client, first)
    page = client.get("/").content.decode()
    assert "Alpha Client" in page and "Beta Client" not in page and 'id="firm-switch"' in page
    assert client.post("/firm/switch/", {"firm": second.firm_id}).status_code == 302
    page = client.get("/").content.decode()
    assert "Beta Client" in page and "Alpha Client" not in page
    alpha = first.firm.clients.get()
    assert client.get(f"/clients/{alpha.pk}/").status_code == 404


def test_switching_to_a_firm_one_is_not_in_is_refused(client, two_firms):
    first, _ = two_firms
    stranger_firm = FirmFactory()
    as_member(client, first)
    client.post("/firm/switch/", {"firm": stranger_firm.pk})
    assert SESSION_FIRM not in client.session


def test_a_firm_in_the_session_one_was_deactivated_in_falls_back_to_the_other(client, two_firms):
    first, second = two_firms
    as_member(client, first)
    client.post("/firm/switch/", {"firm": second.firm_id})
    Membership.objects.filter(pk=second.pk).update(is_active=False)
    page = client.get("/").content.decode()
    assert "Alpha Client" in page and "Beta Client" not in page
    assert 'id="firm-switch"' not in page  # one active firm left: no switcher


def test_a_person_in_one_firm_sees_no_switcher(client, owner):
    assert 'id="firm-switch"' not in as_member(client, owner).get("/").content.decode()


def test_an_owner_withdraws_an_invitation_on_the_page_and_its_link_then_says_so(client, owner):
    link = invite_link(client, owner)
    invitation = Invitation.objects.get(email="nina@example.com")
    as_member(client, owner)
    page = client.get("/firm/members/").content.decode()
    assert f"/firm/invitations/{invitation.pk}/revoke/" in page
    response = client.post(f"/firm/invitations/{invitation.pk}/revoke/", follow=True)
    assert "is withdrawn" in response.content.decode()
    client.logout()
    answer = client.get(path_of(link))
    assert answer.status_code == 410 and "withdrawn by the firm" in answer.content.decode()


def test_an_owner_sends_an_invitation_again_and_only_the_new_link_works(client, owner):
    old = invite_link(client, owner)
    invitation = Invitation.objects.get(email="nina@example.com")
    as_member(client, owner)
    client.post(f"/firm/invitations/{invitation.pk}/resend/")
    new = re.search(r"https?://\S+/invite/\S+/", mail.outbox[-1].body).group(0)
    client.logout()
    assert new != old
    assert client.get(path_of(old)).status_code == 410
    assert client.get(path_of(new)).status_code == 200


def test_staff_cannot_withdraw_an_invitation_by_posting(client, owner):
    invite_link(client, owner)
    invitation = Invitation.objects.get(email="nina@example.com")
    as_member(client, MembershipFactory(firm=owner.firm, staff=True))
    client.post(f"/firm/invitations/{invitation.pk}/revoke/")
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
