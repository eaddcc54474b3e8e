"""A case on each side of every threshold in the case rules: D8 (three different reasons), D4 (approvals
from owners and partners other than the opener), D3 (cooling-off hours: one minute before / at),
N1/N2 (notice days), O5 (retention days), O8 (cut contact on the end date, not before) and O1 (the case
closes the day after the end date). Dates come from the firm's today or are injected."""

from __future__ import annotations

import datetime as dt

import pytest

from parting.cases.models import CaseTask, OffboardingCase
from parting.cases.plan import plan_compute
from parting.cases.services import (
    CaseError,
    case_close,
    case_notify,
    case_open,
    case_reason_add,
    case_review,
    case_submit,
    case_wind_down,
    task_update,
)
from parting.clients.models import Client
from parting.signs.policy import policy_for
from tests.conftest import submitted_case
from tests.factories import MembershipFactory

State = OffboardingCase.State


# -- D8: at least three different reasons -------------------------------------------------------


def test_d8_two_different_reasons_are_refused_three_are_accepted(team, client_in_trouble):
    client, incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], sign_id="W7")
    case_reason_add(case=case, by=team["staff"], sign_id="W15")
    with pytest.raises(CaseError, match="at least 3 different documented reasons before review; it has 2"):
        case_submit(case=case, by=team["staff"])
    assert case.state == State.DRAFT
    case_reason_add(case=case, by=team["staff"], text="Shouted at Ana", evidence=[("incident", incident.pk)])
    case_submit(case=case, by=team["staff"])
    assert case.state == State.IN_REVIEW


# -- D4: approvals from owners and partners other than the opener --------------------------------


def test_d4_the_opener_is_not_counted_among_those_who_can_approve(firm, client_in_trouble):
    """Owner opens; one partner; policy asks for 2 approvals. Only the partner may approve, so one
    approval is enough — counting the opener would wait for a second approval that can never come."""
    owner = MembershipFactory(firm=firm).user
    partner = MembershipFactory(firm=firm, partner=True).user
    policy = policy_for(firm)
    policy.case_approvals = 2
    policy.save()
    client, incident = client_in_trouble
    case = submitted_case(client, owner, incident)
    case_review(case=case, by=partner, decision="approve")
    assert case.state == State.APPROVED


def test_d4_two_approvals_needed_one_is_not_enough_two_are(firm, client_in_trouble):
    """Owner opens; two partners; policy asks for 2: the first approval keeps it in review, the second approves."""
    owner = MembershipFactory(firm=firm).user
    first, second = MembershipFactory(firm=firm, partner=True).user, MembershipFactory(firm=firm, partner=True).user
    policy = policy_for(firm)
    policy.case_approvals = 2
    policy.save()
    client, incident = client_in_trouble
    case = submitted_case(client, owner, incident)
    case_review(case=case, by=first, decision="approve")
    assert case.state == State.IN_REVIEW
    case_review(case=case, by=first, decision="approve")  # the same reviewer twice is still one approval
    assert case.state == State.IN_REVIEW
    case_review(case=case, by=second, decision="approve")
    assert case.state == State.APPROVED


# -- D3: the cooling-off period in a firm of one --------------------------------------------------


@pytest.mark.parametrize("hours", [48, 1])
def test_d3_one_minute_before_the_cooling_off_ends_is_refused_at_it_is_approved(firm, client_in_trouble, hours):
    solo = MembershipFactory(firm=firm).user
    policy = policy_for(firm)
    policy.cooling_off_hours = hours
    policy.save()
    client, incident = client_in_trouble
    case = submitted_case(client, solo, incident)
    ready = case.submitted_at + dt.timedelta(hours=hours)
    with pytest.raises(CaseError, match=f"only after {hours} hours of cooling off"):
        case_review(case=case, by=solo, decision="approve", now=ready - dt.timedelta(minutes=1))
    assert case.state == State.IN_REVIEW
    case_review(case=case, by=solo, decision="approve", now=ready)
    assert case.state == State.APPROVED


# -- N1, N2, O5: notice and retention days -------------------------------------------------------


@pytest.mark.parametrize("notice_days, retention_days", [(14, 30), (10, 45)])
def test_n2_o5_the_end_is_notice_days_after_notice_and_deletion_retention_days_after_the_end(
    approved_case, team, notice_days, retention_days
):
    """No contract notice, no open work: end = notice date + the policy's days exactly; deletion = end + retention."""
    policy = policy_for(approved_case.firm)
    policy.notice_days, policy.retention_days = notice_days, retention_days
    policy.save()
    told = approved_case.firm.today() + dt.timedelta(days=3)
    case_notify(case=approved_case, by=team["staff"], on=told)
    plan = plan_compute(approved_case)
    assert plan.end_date.value == told + dt.timedelta(days=notice_days)
    assert plan.deletion_date.value == told + dt.timedelta(days=notice_days + retention_days)


def test_n1_the_contracts_notice_days_win_over_the_policys(approved_case, team):
    client = approved_case.client
    Client.objects.filter(pk=client.pk).update(notice_days=21)
    approved_case.client.refresh_from_db()
    told = approved_case.firm.today()
    case_notify(case=approved_case, by=team["staff"], on=told)
    assert plan_compute(approved_case).end_date.value == told + dt.timedelta(days=21)


# -- O8 and O1: cutting contact on the end date, closing after it -------------------------------


def winding_down(case, by, told):
    case_notify(case=case, by=by, on=told)
    for task in case.tasks.filter(kind__in=("conversation", "letter")):
        task_update(task=task, by=by, status=CaseTask.Status.DONE, today=told)
    case_wind_down(case=case, by=by)
    return plan_compute(case).end_date.value


def test_o8_contact_is_cut_on_the_end_date_not_the_day_before(approved_case, team):
    end = winding_down(approved_case, team["staff"], approved_case.firm.today() - dt.timedelta(days=20))
    cut = approved_case.tasks.get(kind="cut_contact")
    assert cut.due_on == end
    with pytest.raises(CaseError, match="O8: contact stops after the end date"):
        task_update(task=cut, by=team["staff"], status=CaseTask.Status.DONE, today=end - dt.timedelta(days=1))
    assert Client.objects.get(pk=approved_case.client_id).status != Client.Status.FORMER
    task_update(task=cut, by=team["staff"], status=CaseTask.Status.DONE, today=end)
    assert Client.objects.get(pk=approved_case.client_id).status == Client.Status.FORMER


def test_o1_the_case_closes_the_day_after_the_end_date_not_on_it(approved_case, team):
    end = winding_down(approved_case, team["staff"], approved_case.firm.today() - dt.timedelta(days=20))
    for task in approved_case.tasks.filter(status=CaseTask.Status.OPEN):
        task_update(task=task, by=team["staff"], status=CaseTask.Status.DONE, today=end)
    with pytest.raises(CaseError, match="O1: the end date"):
        case_close(case=approved_case, by=team["staff"], today=end)
    case_close(case=approved_case, by=team["staff"], today=end + dt.timedelta(days=1))
    assert approved_case.state == State.CLOSED and approved_case.ended_on == end
