"""Case transitions: roles and preconditions (D3, D4, D8, D11), each transition recorded and audited."""

import datetime as dt

import pytest

from parting.audit.models import AuditEntry
from parting.audit.services import audit_verify
from parting.cases.models import CaseTransition, OffboardingCase
from parting.cases.services import (
    CaseError,
    case_open,
    case_reason_add,
    case_review,
    case_submit,
    case_take_over,
    case_withdraw,
)
from parting.clients.models import Client
from tests.cases.conftest import submitted_case
from tests.factories import ClientFactory, IncidentFactory, MembershipFactory

State = OffboardingCase.State


def test_d8_a_case_goes_to_review_only_with_three_reasons(team, client_in_trouble):
    client, incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], sign_id="W7")
    with pytest.raises(CaseError, match="at least 3 different documented reasons before review; it has 1"):
        case_submit(case=case, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], sign_id="W15")
    case_reason_add(case=case, by=team["staff"], text="Rude", evidence=[("incident", incident.pk)])
    case_submit(case=case, by=team["staff"])
    assert case.state == State.IN_REVIEW
    assert Client.objects.get(pk=client.pk).status == Client.Status.UNDER_REVIEW


def test_sign_reason_is_a_snapshot_that_stays_true_when_data_changes(team, client_in_trouble):
    client, _incident = client_in_trouble
    case = case_open(client=client, by=team["owner"])
    reason = case_reason_add(case=case, by=team["owner"], sign_id="W7")
    assert reason.snapshot["band"] == "poor"
    assert reason.snapshot["explanation"].startswith("Paid 3 of 3 invoices late")
    assert len(reason.snapshot["evidence"]) == 3
    from parting.evidence.models import Invoice

    Invoice.objects.filter(client=client).delete()
    reason.refresh_from_db()
    assert reason.snapshot["explanation"].startswith("Paid 3 of 3 invoices late")


def test_written_reason_must_point_at_this_clients_evidence(team, client_in_trouble, firm):
    client, _incident = client_in_trouble
    other = IncidentFactory(client=ClientFactory(firm=firm))
    case = case_open(client=client, by=team["owner"])
    with pytest.raises(CaseError, match=f"Evidence incident {other.pk} is not a record of this client"):
        case_reason_add(case=case, by=team["owner"], text="Rude", evidence=[("incident", other.pk)])


def test_d4_staff_cannot_approve(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    with pytest.raises(CaseError, match="only owners and partners review cases"):
        case_review(case=case, by=team["staff"], decision="approve")
    assert case.state == State.IN_REVIEW


def test_d4_you_cannot_approve_your_own_case_when_someone_else_can(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["owner"], incident)
    with pytest.raises(CaseError, match="another owner or partner must approve a case you opened"):
        case_review(case=case, by=team["owner"], decision="approve")
    case_review(case=case, by=team["partner"], decision="approve", comment="Agreed")
    assert case.state == State.APPROVED
    assert list(case.transitions.values_list("from_state", "to_state")) == [
        (State.DRAFT, State.IN_REVIEW),
        (State.IN_REVIEW, State.APPROVED),
    ]


def test_d3_a_firm_of_one_approves_its_own_case_only_after_cooling_off(firm, client_in_trouble):
    solo = MembershipFactory(firm=firm).user
    client, incident = client_in_trouble
    case = submitted_case(client, solo, incident)
    with pytest.raises(CaseError, match="only after 48 hours of cooling off"):
        case_review(case=case, by=solo, decision="approve", now=case.submitted_at + dt.timedelta(hours=47))
    case_review(case=case, by=solo, decision="approve", now=case.submitted_at + dt.timedelta(hours=48))
    assert case.state == State.APPROVED


def test_an_objection_keeps_the_case_in_review(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    case_review(case=case, by=team["partner"], decision="object", comment="Let me talk to them first")
    assert case.state == State.IN_REVIEW


def test_no_state_can_be_skipped(team, client_in_trouble):
    client, _incident = client_in_trouble
    case = case_open(client=client, by=team["owner"])
    with pytest.raises(CaseError, match="Only a case in review can be reviewed; this case is Draft"):
        case_review(case=case, by=team["partner"], decision="approve")
    assert case.state == State.DRAFT and not CaseTransition.objects.exists()


def test_d11_a_case_cannot_be_withdrawn_after_the_client_was_notified(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["owner"], incident)
    OffboardingCase.objects.filter(pk=case.pk).update(state=State.NOTIFIED)
    case.refresh_from_db()
    with pytest.raises(CaseError, match="D11: once the client has been notified"):
        case_withdraw(case=case, by=team["owner"])


def test_withdrawing_before_notice_returns_the_client_to_active(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    with pytest.raises(CaseError, match="Only the person who opened the case"):
        case_withdraw(case=case, by=MembershipFactory(firm=client.firm, staff=True).user)
    case_withdraw(case=case, by=team["staff"], note="They apologised and paid")
    assert (case.state, case.outcome) == (State.WITHDRAWN, "kept")
    assert Client.objects.get(pk=client.pk).status == Client.Status.ACTIVE


def test_d4_a_partner_takes_the_client_over(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    case_take_over(case=case, by=team["partner"], note="I'll keep them")
    assert (case.state, case.outcome) == (State.WITHDRAWN, "taken_over")
    assert Client.objects.get(pk=client.pk).assigned_to == team["partner"]


def test_a_member_of_another_firm_cannot_touch_the_case(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["owner"], incident)
    stranger = MembershipFactory(partner=True).user
    with pytest.raises(CaseError, match="Only members of the firm"):
        case_review(case=case, by=stranger, decision="approve")
    with pytest.raises(CaseError, match="Only members of the firm"):
        case_open(client=client, by=stranger)


def test_every_step_is_in_an_intact_audit_chain(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["owner"], incident)
    case_review(case=case, by=team["partner"], decision="approve")
    actions = list(AuditEntry.objects.filter(firm=client.firm).values_list("action", flat=True))
    assert actions == [
        "case.opened",
        "case.reason_added",
        "case.reason_added",
        "case.reason_added",
        "case.in_review",
        "case.reviewed",
        "case.approved",
    ]
    assert audit_verify(firm=client.firm) is None
    AuditEntry.objects.filter(action="case.reviewed").update(data={"decision": "object"})
    assert audit_verify(firm=client.firm).action == "case.reviewed"


def test_d4_an_objection_stands_until_its_author_approves(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    case_review(case=case, by=team["partner"], decision="object", comment="Let me call them first")
    case_review(case=case, by=team["owner"], decision="approve")
    assert case.state == State.IN_REVIEW
    case_review(case=case, by=team["partner"], decision="approve", comment="Called; no change")
    assert case.state == State.APPROVED


def test_d4_the_policy_can_ask_for_two_approvals_but_never_more_than_there_are_reviewers(team, client_in_trouble):
    client, incident = client_in_trouble
    policy = client.firm.policy
    policy.case_approvals = 5
    policy.save()
    case = submitted_case(client, team["staff"], incident)
    case_review(case=case, by=team["partner"], decision="approve")
    assert case.state == State.IN_REVIEW  # owner and partner are the two who may approve
    case_review(case=case, by=team["owner"], decision="approve")
    assert case.state == State.APPROVED
