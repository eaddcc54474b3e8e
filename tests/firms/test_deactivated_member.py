"""A deactivated member (issue 15 §1) keeps their history but can no longer act: every service that
asks "is this a member of the firm?" asks "an active member", and a deactivated owner or partner no
longer counts among those who may approve a case (D4) or who must approve another's.

Each test deactivates through the owners' own service (member_deactivate), then shows the same
action allowed for an active member and refused for the deactivated one, so a lookup that forgot
``is_active`` fails here.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from parting.cases.models import OffboardingCase
from parting.cases.services import (
    CaseError,
    TaskChange,
    _approvals_needed,
    case_membership,
    case_open,
    case_review,
    tasks_update,
)
from parting.documents.bundle import bundle_can_manage
from parting.firms.models import Membership
from parting.firms.team import member_deactivate, member_reactivate
from parting.retention.services import RetentionError, erasure_request
from parting.signs.policy import policy_for
from tests.factories import ClientFactory, MembershipFactory

State = OffboardingCase.State


def refused(message: str):
    return pytest.raises(CaseError, match=re.escape(message))


@pytest.fixture
def owner(firm):
    return MembershipFactory(firm=firm)


def deactivate(owner: Membership, user) -> Membership:
    target = Membership.objects.get(user=user, firm=owner.firm)
    return member_deactivate(by=owner, membership_id=target.pk)


def case_for(client, by, state=State.DRAFT) -> OffboardingCase:
    return OffboardingCase.objects.create(
        firm=client.firm, client=client, opened_by=by, state=state, submitted_at=timezone.now() - dt.timedelta(days=3)
    )


@pytest.mark.django_db
def test_a_deactivated_member_cannot_open_a_case_an_active_one_can(firm, owner):
    staff = MembershipFactory(firm=firm, staff=True).user
    assert case_open(client=ClientFactory(firm=firm), by=staff).state == State.DRAFT
    deactivate(owner, staff)
    with refused("Only members of the firm can open a case for its client."):
        case_open(client=ClientFactory(firm=firm), by=staff)


@pytest.mark.django_db
def test_a_deactivated_member_cannot_act_on_a_case_and_acts_again_once_reactivated(firm, owner):
    staff = MembershipFactory(firm=firm, staff=True).user
    case = case_for(ClientFactory(firm=firm), staff)
    target = deactivate(owner, staff)
    with refused("Only members of the firm can act on its cases."):
        case_membership(case, staff)
    member_reactivate(by=owner, membership_id=target.pk)
    assert case_membership(case, staff).user == staff


@pytest.mark.django_db
def test_d4_a_deactivated_partner_cannot_approve(firm, owner):
    partner = MembershipFactory(firm=firm, partner=True).user
    staff = MembershipFactory(firm=firm, staff=True).user
    case = case_for(ClientFactory(firm=firm), staff, state=State.IN_REVIEW)
    deactivate(owner, partner)
    with refused("Only members of the firm can act on its cases."):
        case_review(case=case, by=partner, decision="approve")
    assert OffboardingCase.objects.get(pk=case.pk).state == State.IN_REVIEW


@pytest.mark.django_db
def test_d4_deactivated_partners_do_not_count_among_the_approvers_a_case_needs(firm, owner):
    """Two approvals asked by the policy: with two active seniors besides the opener both are needed;
    once one is deactivated, one approval is all the firm can give."""
    staff = MembershipFactory(firm=firm, staff=True).user
    partner = MembershipFactory(firm=firm, partner=True).user
    case = case_for(ClientFactory(firm=firm), staff, state=State.IN_REVIEW)
    policy = policy_for(firm)
    policy.case_approvals = 2
    assert _approvals_needed(case, policy) == 2
    deactivate(owner, partner)
    assert _approvals_needed(case, policy) == 1


@pytest.mark.django_db
def test_d4_the_opener_may_approve_alone_when_every_other_senior_is_deactivated(firm, owner):
    """D4 asks another owner or partner to approve a case an owner opened; a deactivated one is not
    there to ask, so the opener is refused only while an active one is."""
    partner = MembershipFactory(firm=firm, partner=True).user
    case = case_for(ClientFactory(firm=firm), owner.user, state=State.IN_REVIEW)
    with refused("D4: another owner or partner must approve a case you opened."):
        case_review(case=case, by=owner.user, decision="approve")
    deactivate(owner, partner)
    policy = policy_for(firm)
    OffboardingCase.objects.filter(pk=case.pk).update(
        submitted_at=timezone.now() - dt.timedelta(hours=policy.cooling_off_hours + 1)
    )
    case.refresh_from_db()
    assert case_review(case=case, by=owner.user, decision="approve").state == State.APPROVED


@pytest.mark.django_db
def test_a_task_cannot_be_given_to_a_deactivated_member(firm, owner):
    staff = MembershipFactory(firm=firm, staff=True).user
    helper = MembershipFactory(firm=firm, staff=True).user
    case = case_for(ClientFactory(firm=firm), staff, state=State.APPROVED)
    from parting.cases.checklist import checklist_sync

    checklist_sync(case)
    task = case.tasks.order_by("pk").first()
    tasks_update(case=case, by=staff, changes=[TaskChange(task_id=task.pk, owner=helper)])
    task.refresh_from_db()
    assert task.owner == helper
    other = MembershipFactory(firm=firm, staff=True).user
    tasks_update(case=case, by=staff, changes=[TaskChange(task_id=task.pk, owner=other)])
    deactivate(owner, helper)
    with refused("A task's owner must be a member of the firm."):
        tasks_update(case=case, by=staff, changes=[TaskChange(task_id=task.pk, owner=helper)])


@pytest.mark.django_db
def test_o5_a_deactivated_partner_cannot_record_an_erasure_request(firm, owner):
    partner = MembershipFactory(firm=firm, partner=True).user
    client = ClientFactory(firm=firm)
    today = firm.today()
    deactivate(owner, partner)
    with pytest.raises(RetentionError, match=re.escape("Only owners and partners can record a request for erasure.")):
        erasure_request(client=client, by=partner, on=today, requested_on=today, reason="Asked by e-mail")


@pytest.mark.django_db
def test_a_deactivated_senior_no_longer_shares_the_clients_files(firm, owner):
    partner = MembershipFactory(firm=firm, partner=True).user
    client = ClientFactory(firm=firm)
    assert bundle_can_manage(user=partner, client=client, case=None)
    deactivate(owner, partner)
    assert not bundle_can_manage(user=partner, client=client, case=None)


@pytest.mark.django_db
def test_a_deactivated_member_cannot_upload_a_document(firm, owner):
    from parting.documents.services import document_upload
    from tests.documents.conftest import upload_file

    staff = MembershipFactory(firm=firm, staff=True).user
    client = ClientFactory(firm=firm)
    deactivate(owner, staff)
    with pytest.raises(PermissionDenied):
        document_upload(client=client, by=staff, category="provided", upload=upload_file("a.txt", b"hello"))


@pytest.mark.django_db
def test_the_one_membership_lookup_finds_an_active_member_of_this_firm_only(firm, owner):
    """Membership.active is what every authorization check above starts from."""
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import FirmFactory

    staff = MembershipFactory(firm=firm, staff=True)
    elsewhere = MembershipFactory(firm=FirmFactory(), user=staff.user)
    assert Membership.active(staff.user, firm.pk) == staff
    assert Membership.active(staff.user, elsewhere.firm_id) == elsewhere
    assert Membership.active(MembershipFactory(firm=FirmFactory()).user, firm.pk) is None
    assert Membership.active(None, firm.pk) is None
    assert Membership.active(AnonymousUser(), firm.pk) is None
    deactivate(owner, staff.user)
    assert Membership.active(staff.user, firm.pk) is None
    assert Membership.active(staff.user, elsewhere.firm_id) == elsewhere
