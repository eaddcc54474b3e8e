"""The team services (issue 15 §1): invitations that expire and work once, roles, deactivation,
the last owner rule, another firm's members out of reach, and an audit entry for every change."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import Http404
from django.utils import timezone

from parting.audit.models import AuditEntry
from parting.firms import team
from parting.firms.models import Invitation, Membership
from tests.factories import FirmFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def owner():
    return MembershipFactory(user__username="olga", user__email="olga@example.com", firm__name="Olga & Co")


def invite(owner, email="new@example.com", role=Role.STAFF, language="pl"):
    return team.invitation_create(by=owner, email=email, role=role, language=language)


def token_of(sent):
    return sent.url.rstrip("/").rsplit("/", 1)[-1]


def new_user(username="nina"):
    user = get_user_model()(username=username)
    user.set_password("a long and unguessable phrase")
    return user


# -- invitations ----------------------------------------------------------------------------------


def test_an_invitation_mails_an_absolute_link_in_the_chosen_language(owner, settings):
    settings.PARTING_BASE_URL = "https://parting.example.com"
    sent = invite(owner, language="pl")
    assert sent.url.startswith("https://parting.example.com/invite/")
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert sent.url in message.body
    assert message.extra_headers["Content-Language"] == "pl"
    assert "Olga & Co" in message.subject
    assert AuditEntry.objects.filter(firm=owner.firm, action=team.INVITED).count() == 1


def test_an_invitation_mail_in_english_says_how_many_days_the_link_works(owner, settings):
    settings.PARTING_INVITE_DAYS = 3
    sent = invite(owner, language="en")
    assert "for 3 days" in mail.outbox[0].body
    assert sent.invitation.expires_at - sent.invitation.created_at == dt.timedelta(days=3)


def test_only_owners_invite(owner):
    partner = MembershipFactory(firm=owner.firm, partner=True)
    with pytest.raises(team.TeamError, match="Only the firm's owners"):
        invite(partner)
    assert Invitation.objects.count() == 0 and mail.outbox == []


def test_an_active_member_is_not_invited_again(owner):
    MembershipFactory(firm=owner.firm, staff=True, user__email="Kim@Example.com")
    with pytest.raises(team.TeamError, match="already a member"):
        invite(owner, email="kim@example.com")


def test_a_new_invitee_joins_with_the_invitations_role_and_language(owner):
    sent = invite(owner, role=Role.PARTNER, language="pl")
    membership = team.invitation_accept(token=token_of(sent), user=new_user())
    assert (membership.firm_id, membership.role, membership.language) == (owner.firm_id, Role.PARTNER, "pl")
    assert membership.user.email == "new@example.com"
    assert membership.user.check_password("a long and unguessable phrase")
    entry = AuditEntry.objects.get(firm=owner.firm, action=team.JOINED)
    assert entry.target == f"membership:{membership.pk}"


def test_the_link_works_until_the_last_moment_of_its_days_and_not_after(owner, settings):
    settings.PARTING_INVITE_DAYS = 7
    sent = invite(owner)
    expires = sent.invitation.expires_at
    with time_machine.travel(expires - dt.timedelta(seconds=1), tick=False):
        assert team.invitation_from_token(token_of(sent)).pk == sent.invitation.pk
    with time_machine.travel(expires, tick=False), pytest.raises(team.InvitationRefused) as refused:
        team.invitation_accept(token=token_of(sent), user=new_user())
    assert refused.value.reason == "expired"
    assert not get_user_model().objects.filter(username="nina").exists()


def test_a_link_works_once(owner):
    sent = invite(owner)
    team.invitation_accept(token=token_of(sent), user=new_user("nina"))
    with pytest.raises(team.InvitationRefused) as refused:
        team.invitation_accept(token=token_of(sent), user=new_user("nina2"))
    assert refused.value.reason == "used"
    assert not get_user_model().objects.filter(username="nina2").exists()
    assert Membership.objects.filter(firm=owner.firm).count() == 2


@pytest.mark.parametrize("change", ["truncated", "other_id", "wrong_nonce"])
def test_an_altered_link_is_refused(owner, change):
    sent = invite(owner)
    token = token_of(sent)
    if change == "truncated":
        token = token[:-3]
    elif change == "other_id":
        other = invite(owner, email="other@example.com").invitation
        token = team.signing.dumps({"id": other.pk, "nonce": sent.invitation.nonce}, salt=team.SALT)
    else:
        sent.invitation.nonce = "guessed"
        token = team.invitation_token(sent.invitation)
    with pytest.raises(team.InvitationRefused) as refused:
        team.invitation_from_token(token)
    assert refused.value.reason == "altered"


def test_someone_with_an_account_joins_a_second_firm_with_it(owner):
    elsewhere = MembershipFactory(user__email="new@example.com", user__username="kim")
    sent = invite(owner)
    membership = team.invitation_accept(token=token_of(sent), user=elsewhere.user)
    assert membership.user == elsewhere.user
    assert set(Membership.objects.filter(user=elsewhere.user).values_list("firm_id", flat=True)) == {
        owner.firm_id,
        elsewhere.firm_id,
    }


def test_an_account_with_another_email_cannot_accept(owner):
    stranger = UserFactory(email="stranger@example.com")
    sent = invite(owner)
    with pytest.raises(team.TeamError, match=r"new@example\.com"):
        team.invitation_accept(token=token_of(sent), user=stranger)
    assert Invitation.objects.get().accepted_at is None


def test_a_deactivated_member_invited_back_is_active_again(owner):
    former = MembershipFactory(firm=owner.firm, staff=True, user__email="new@example.com", is_active=False)
    sent = invite(owner, role=Role.PARTNER)
    membership = team.invitation_accept(token=token_of(sent), user=former.user)
    assert membership.pk == former.pk and membership.is_active and membership.role == Role.PARTNER


# -- roles, deactivation, the last owner ------------------------------------------------------------


def test_an_owner_changes_a_members_role_and_the_log_says_from_what_to_what(owner):
    staff = MembershipFactory(firm=owner.firm, staff=True)
    team.member_role_change(by=owner, membership_id=staff.pk, role=Role.PARTNER)
    staff.refresh_from_db()
    assert staff.role == Role.PARTNER
    entry = AuditEntry.objects.get(firm=owner.firm, action=team.ROLE_CHANGED)
    assert entry.data == {"from": "staff", "to": "partner"}


def test_the_last_owner_cannot_be_demoted(owner):
    with pytest.raises(team.TeamError, match="last owner"):
        team.member_role_change(by=owner, membership_id=owner.pk, role=Role.PARTNER)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_an_owner_can_be_demoted_while_another_active_owner_remains(owner):
    second = MembershipFactory(firm=owner.firm)
    team.member_role_change(by=owner, membership_id=second.pk, role=Role.STAFF)
    second.refresh_from_db()
    assert second.role == Role.STAFF


def test_a_deactivated_owner_does_not_count_as_the_other_owner(owner):
    MembershipFactory(firm=owner.firm, is_active=False)
    with pytest.raises(team.TeamError, match="last owner"):
        team.member_role_change(by=owner, membership_id=owner.pk, role=Role.STAFF)


def test_the_last_owner_cannot_be_deactivated(owner):
    with pytest.raises(team.TeamError, match="cannot be deactivated"):
        team.member_deactivate(by=owner, membership_id=owner.pk)
    owner.refresh_from_db()
    assert owner.is_active


def test_an_owner_deactivates_and_reactivates_a_member_each_in_the_log(owner):
    staff = MembershipFactory(firm=owner.firm, staff=True)
    team.member_deactivate(by=owner, membership_id=staff.pk)
    staff.refresh_from_db()
    assert not staff.is_active
    team.member_reactivate(by=owner, membership_id=staff.pk)
    staff.refresh_from_db()
    assert staff.is_active
    actions = list(AuditEntry.objects.filter(firm=owner.firm).order_by("id").values_list("action", flat=True))
    assert actions == [team.DEACTIVATED, team.REACTIVATED]


def test_partners_and_staff_cannot_change_members(owner):
    partner = MembershipFactory(firm=owner.firm, partner=True)
    staff = MembershipFactory(firm=owner.firm, staff=True)
    for change in (
        lambda: team.member_role_change(by=partner, membership_id=staff.pk, role=Role.OWNER),
        lambda: team.member_deactivate(by=staff, membership_id=partner.pk),
        lambda: team.member_reactivate(by=partner, membership_id=staff.pk),
    ):
        with pytest.raises(team.TeamError, match="Only the firm's owners"):
            change()


def test_an_owner_deactivated_in_the_meantime_cannot_act(owner):
    second = MembershipFactory(firm=owner.firm)
    staff = MembershipFactory(firm=owner.firm, staff=True)
    team.member_deactivate(by=owner, membership_id=second.pk)
    with pytest.raises(team.TeamError, match="Only the firm's owners"):
        team.member_role_change(by=second, membership_id=staff.pk, role=Role.OWNER)  # ``second`` is stale


@pytest.mark.parametrize("change", ["role", "deactivate", "reactivate"])
def test_another_firms_member_is_not_found(owner, change):
    other = MembershipFactory(firm=FirmFactory(), staff=True, is_active=change != "reactivate")
    with pytest.raises(Http404):
        if change == "role":
            team.member_role_change(by=owner, membership_id=other.pk, role=Role.OWNER)
        elif change == "deactivate":
            team.member_deactivate(by=owner, membership_id=other.pk)
        else:
            team.member_reactivate(by=owner, membership_id=other.pk)
    other.refresh_from_db()
    assert other.role == Role.STAFF and other.is_active is (change != "reactivate")
    assert AuditEntry.objects.count() == 0


def test_pending_invitations_leave_out_used_and_expired_ones(owner):
    waiting = invite(owner, email="a@example.com").invitation
    used = invite(owner, email="b@example.com")
    team.invitation_accept(token=token_of(used), user=new_user())
    expired = invite(owner, email="c@example.com").invitation
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    assert list(team.pending_invitations(firm=owner.firm)) == [waiting]


# -- withdrawing and sending again --------------------------------------------------------------------


def test_a_withdrawn_invitation_link_is_refused_and_the_withdrawal_logged(owner):
    sent = invite(owner)
    team.invitation_revoke(by=owner, invitation_id=sent.invitation.pk)
    with pytest.raises(team.InvitationRefused) as refused:
        team.invitation_accept(token=token_of(sent), user=new_user())
    assert refused.value.reason == "revoked"
    assert not get_user_model().objects.filter(username="nina").exists()
    assert AuditEntry.objects.filter(firm=owner.firm, action=team.INVITATION_REVOKED).count() == 1
    assert not team.pending_invitations(firm=owner.firm).exists()


def test_an_accepted_invitation_cannot_be_withdrawn(owner):
    sent = invite(owner)
    team.invitation_accept(token=token_of(sent), user=new_user())
    with pytest.raises(Http404):
        team.invitation_revoke(by=owner, invitation_id=sent.invitation.pk)
    assert Membership.objects.filter(firm=owner.firm, user__username="nina", is_active=True).exists()


def test_sending_again_mails_a_new_link_and_the_old_one_stops_working(owner, settings):
    first = invite(owner)
    mail.outbox.clear()
    again = team.invitation_resend(by=owner, invitation_id=first.invitation.pk)
    assert again.invitation.pk != first.invitation.pk and again.url != first.url
    assert (again.invitation.email, again.invitation.role, again.invitation.language) == (
        "new@example.com",
        "staff",
        "pl",
    )
    assert len(mail.outbox) == 1 and again.url in mail.outbox[0].body
    with pytest.raises(team.InvitationRefused):
        team.invitation_accept(token=token_of(first), user=new_user("first"))
    team.invitation_accept(token=token_of(again), user=new_user("second"))
    assert [i.pk for i in team.pending_invitations(firm=owner.firm)] == []


@pytest.mark.parametrize("act", ["revoke", "resend"])
def test_only_owners_withdraw_or_resend_and_never_another_firms_invitation(owner, act):
    sent = invite(owner)
    partner = MembershipFactory(firm=owner.firm, partner=True)
    call = getattr(team, f"invitation_{act}")
    with pytest.raises(team.TeamError):
        call(by=partner, invitation_id=sent.invitation.pk)
    elsewhere = MembershipFactory(firm=FirmFactory())
    with pytest.raises(Http404):
        call(by=elsewhere, invitation_id=sent.invitation.pk)
    assert team.pending_invitations(firm=owner.firm).get().pk == sent.invitation.pk
