"""Case services at their edges (D1, D3, D4, D8, D10, D11, N1, O1, O2, O4, O8): who may take each step, the
rule each refusal names, and every field a step writes — the transition's from/to and note, the audit
entry's data, the plan's overrides, a task's done_on, the client's status. Cases are built straight in
the state a test needs, dates are fixed or the firm's today, never the machine's."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from parting.audit.models import AuditEntry
from parting.audit.services import value_reference
from parting.cases.checklist import checklist_sync
from parting.cases.models import (
    CasePlan,
    CaseReason,
    CaseReview,
    CaseTask,
    CaseTransition,
    InvoiceWriteOff,
    OffboardingCase,
    PlanChange,
)
from parting.cases.plan import plan_compute, plan_get
from parting.cases.services import (
    CaseError,
    _lock,
    _same_text,
    case_advance,
    case_checks_answer,
    case_close,
    case_membership,
    case_notify,
    case_open,
    case_reason_add,
    case_review,
    case_submit,
    case_take_over,
    case_wind_down,
    case_withdraw,
    client_advice,
    distinct_reasons,
    invoice_write_off,
    plan_override,
    plan_update,
    task_add,
    task_update,
)
from parting.clients.models import AccessGrant, Client, Credential
from parting.evidence.models import Incident
from parting.signs.policy import policy_for
from tests.factories import (
    AccessGrantFactory,
    ClientFactory,
    ClientRequestFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MembershipFactory,
    MessageFactory,
    TimeEntryFactory,
)

State = OffboardingCase.State
TOLD = dt.date(2026, 3, 2)  # a day the client was told, in the past: the end date (16 Mar) has passed


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


def refused(message: str):
    """The step is refused with exactly this message (the rule id and why)."""
    return pytest.raises(CaseError, match=re.escape(message))


def case_for(client, by, state=State.DRAFT, **fields) -> OffboardingCase:
    fields.setdefault("submitted_at", timezone.now() - dt.timedelta(days=3))
    return OffboardingCase.objects.create(firm=client.firm, client=client, opened_by=by, state=state, **fields)


def last_audit(case, action=None) -> AuditEntry:
    entries = AuditEntry.objects.filter(firm=case.firm, target=f"case:{case.pk}")
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-id").first()


def with_approvals(firm, n):
    policy = policy_for(firm)
    policy.case_approvals = n
    policy.save()


def paid_on_time(client):
    today = client.firm.today()
    InvoiceFactory(
        client=client,
        issued_on=today - dt.timedelta(days=30),
        due_on=today - dt.timedelta(days=16),
        paid_on=today - dt.timedelta(days=20),
        amount_paid=Decimal("1000.00"),
    )


# -- membership and who acts (every step) -----------------------------------------------------------------


def test_a_member_of_another_firm_is_not_a_member_of_this_case(team, acme):
    case = case_for(acme, team["staff"])
    assert case_membership(case, team["partner"]).user == team["partner"]
    outsider = MembershipFactory(firm=FirmFactory()).user
    with refused("Only members of the firm can act on its cases."):
        case_membership(case, outsider)


def test_after_approval_the_opener_an_owner_or_a_partner_carries_the_case_out_other_staff_do_not(firm, team, acme):
    other_staff = MembershipFactory(firm=firm, staff=True).user
    for by in (team["staff"], team["partner"], team["owner"]):
        case = case_for(ClientFactory(firm=firm), team["staff"], state=State.APPROVED)
        case_notify(case=case, by=by, on=TOLD)
        assert case.state == State.NOTIFIED
    case = case_for(acme, team["staff"], state=State.APPROVED)
    with refused("Only the person who opened the case, an owner or a partner can do this."):
        case_notify(case=case, by=other_staff, on=TOLD)
    assert OffboardingCase.objects.get(pk=case.pk).state == State.APPROVED


# -- _lock: decide on the row as it is now ----------------------------------------------------------------


def test_a_step_decides_on_the_state_in_the_database_not_on_the_stale_object(team, acme):
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    stale = OffboardingCase.objects.get(pk=case.pk)
    case_withdraw(case=case, by=team["staff"])
    with refused("Only a case in review can be reviewed; this case is Withdrawn."):
        case_review(case=stale, by=team["partner"], decision="approve")
    assert stale.state == State.WITHDRAWN  # the caller's object is refreshed in place


def test_lock_rereads_the_row_inside_the_transaction(team, acme):
    case = case_for(acme, team["staff"])
    with transaction.atomic():
        OffboardingCase.objects.filter(pk=case.pk).update(state=State.IN_REVIEW)
        assert _lock(case).state == State.IN_REVIEW


# -- D1: opening a case ------------------------------------------------------------------------------------------


def test_d1_a_client_with_no_evidence_gets_a_case_without_a_reason_and_its_advice_is_kept(team, acme):
    assert client_advice(acme) == "insufficient"
    case = case_open(client=acme, by=team["staff"], against_advice="ignored: there is no advice to go against")
    assert (case.advice_at_open, case.against_advice, case.state) == ("insufficient", "", State.DRAFT)
    entry = last_audit(case, "case.opened")
    assert entry.data == {"client": acme.pk, "advice": "insufficient", "against_advice": ""}
    assert entry.actor == team["staff"]


def test_d1_keep_advice_needs_a_reason_blank_text_is_no_reason(team, acme):
    paid_on_time(acme)
    assert client_advice(acme) == "keep"
    for blank in ("", "   \n "):
        with refused("D1: the evidence advises keeping Acme. To open a case anyway, say why"):
            case_open(client=acme, by=team["staff"], against_advice=blank)
    assert not OffboardingCase.objects.filter(client=acme).exists()
    case = case_open(client=acme, by=team["staff"], against_advice="  Partner asked us to  ")
    assert (case.advice_at_open, case.against_advice) == ("keep", "Partner asked us to")
    # D1's reason is on the case; the log keeps its hash only (O5: it outlives a purge)
    assert last_audit(case, "case.opened").data["against_advice"] == value_reference("Partner asked us to")


def test_d1_the_case_keeps_what_the_client_will_hear_and_whether_it_is_attitude(team, client_in_trouble):
    client, _incident = client_in_trouble
    case = case_open(client=client, by=team["staff"], outward_reason="capacity", attitude=True)
    case.refresh_from_db()
    assert (case.outward_reason, case.attitude, case.opened_by, case.firm) == (
        "capacity",
        True,
        team["staff"],
        client.firm,
    )


def test_a_case_is_refused_for_a_former_client_and_for_a_client_with_a_case_under_way(team, firm):
    former = ClientFactory(firm=firm, name="Gone Ltd", status=Client.Status.FORMER)
    with refused("Gone Ltd is a former client: there is nothing left to end."):
        case_open(client=former, by=team["staff"])
    busy = ClientFactory(firm=firm, name="Busy Ltd")
    case_for(busy, team["staff"], state=State.NOTIFIED)
    with refused("Busy Ltd already has an open case."):
        case_open(client=busy, by=team["staff"])


@pytest.mark.parametrize("ended", [State.CLOSED, State.WITHDRAWN])
def test_a_closed_or_withdrawn_case_does_not_stop_a_new_one(team, acme, ended):
    case_for(acme, team["staff"], state=ended)
    assert case_open(client=acme, by=team["staff"]).state == State.DRAFT


def test_only_a_member_of_the_clients_firm_opens_a_case(acme):
    outsider = MembershipFactory(firm=FirmFactory()).user
    with refused("Only members of the firm can open a case for its client."):
        case_open(client=acme, by=outsider)


# -- D8: reasons -------------------------------------------------------------------------------------------------------


def test_d8_different_reasons_count_once_each_whatever_the_case_and_spacing(team, acme):
    case = case_for(acme, team["staff"])
    for sign_id, text in [("W7", ""), ("W7", ""), ("", "Shouted  at Ana"), ("", "shouted at ana "), ("", "Late")]:
        CaseReason.objects.create(case=case, sign_id=sign_id, text=text, added_by=team["staff"])
    assert distinct_reasons(case) == 3
    assert _same_text("Shouted  at\nAna", " shouted at ANA") is True
    assert _same_text("Shouted at Ana", "Shouted at Anna") is False


def test_d8_a_sign_reason_is_recorded_in_the_audit_with_its_sign(team, client_in_trouble):
    client, _incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    reason = case_reason_add(case=case, by=team["staff"], sign_id="W7")
    assert last_audit(case, "case.reason_added").data == {"reason": reason.pk, "sign": "W7"}
    assert reason.snapshot["title"] and reason.snapshot["evidence"]
    with refused("D8: W7 is already a reason of this case"):
        case_reason_add(case=case, by=team["staff"], sign_id="W7")
    with refused("W99 is not a warning sign"):
        case_reason_add(case=case, by=team["staff"], sign_id="W99")


def test_d8_a_written_reason_needs_text_and_this_clients_evidence(firm, team, acme):
    case = case_for(acme, team["staff"])
    with refused("A written reason needs its text."):
        case_reason_add(case=case, by=team["staff"], text="   ")
    sibling_row = IncidentFactory(client=ClientFactory(firm=firm))
    with refused(f"Evidence incident {sibling_row.pk} is not a record of this client."):
        case_reason_add(case=case, by=team["staff"], text="x", evidence=[("incident", sibling_row.pk)])
    with refused("Evidence payslip 1 is not a record of this client."):
        case_reason_add(case=case, by=team["staff"], text="x", evidence=[("payslip", 1)])
    reason = case_reason_add(case=case, by=team["staff"], text="  Shouted at Ana  ")
    assert reason.text == "Shouted at Ana"
    assert last_audit(case, "case.reason_added").data == {"reason": reason.pk, "sign": ""}
    with refused("D8: this reason is already on the case"):
        case_reason_add(case=case, by=team["staff"], text="SHOUTED AT   ana")


def test_d8_a_written_reason_freezes_each_rows_kind_text_and_date(team, acme):
    """Each kind keeps its own date: an invoice and a request their due day, a meeting and a message
    their day on the clock in force, an incident its day, time its date."""
    rows = {
        "invoice": InvoiceFactory(client=acme, issued_on=dt.date(2026, 3, 1), due_on=dt.date(2026, 3, 15)),
        "meeting": MeetingFactory(client=acme, starts_at=dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)),
        "message": MessageFactory(client=acme, sent_at=dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)),
        "request": ClientRequestFactory(client=acme, requested_on=dt.date(2026, 3, 1), due_on=dt.date(2026, 3, 10)),
        "incident": IncidentFactory(client=acme, occurred_on=dt.date(2026, 3, 5)),
        "time": TimeEntryFactory(client=acme, date=dt.date(2026, 3, 6)),
    }
    case = case_for(acme, team["staff"])
    days = ["2026-03-15", "2026-03-03", "2026-03-05", "2026-03-10", "2026-03-05", "2026-03-06"]
    with timezone.override("Europe/Warsaw"):
        reason = case_reason_add(
            case=case, by=team["staff"], text="All of it", evidence=[(kind, row.pk) for kind, row in rows.items()]
        )
        expected = [
            {"kind": kind, "id": row.pk, "text": str(row), "date": day}
            | ({"incident_kind": row.kind} if kind == "incident" else {})  # named in the reader's language
            for (kind, row), day in zip(rows.items(), days, strict=True)
        ]
    assert reason.snapshot["evidence"] == expected


@pytest.mark.parametrize("state", [State.APPROVED, State.CLOSED])
def test_d8_reasons_and_check_answers_are_refused_once_approved(team, acme, state):
    case = case_for(acme, team["staff"], state=state)
    with refused("Reasons can only be added while the case is a draft or in review."):
        case_reason_add(case=case, by=team["staff"], text="Late")
    with refused("The decision checks are answered before the case is approved."):
        case_checks_answer(case=case, by=team["staff"], confirmed_not_one_incident=True)


# -- D2, D3: answering the checks; sending for review ------------------------------------------------------------


def test_d2_d3_answers_are_stored_and_audited(team, acme):
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    case_checks_answer(
        case=case,
        by=team["staff"],
        expectations_managed_on=dt.date(2026, 5, 4),
        expectations_note="  Call  ",
        confirmed_not_one_incident=True,
    )
    case.refresh_from_db()
    assert (case.expectations_managed_on, case.expectations_note, case.confirmed_not_one_incident) == (
        dt.date(2026, 5, 4),
        "Call",
        True,
    )
    assert last_audit(case, "case.checks_answered").data == {
        "expectations_managed_on": "2026-05-04",
        "confirmed_not_one_incident": True,
    }
    case_checks_answer(case=case, by=team["staff"])
    assert last_audit(case, "case.checks_answered").data == {
        "expectations_managed_on": None,
        "confirmed_not_one_incident": False,
    }


def test_d8_sending_for_review_writes_the_transition_and_marks_the_client_under_review(team, client_in_trouble):
    client, incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], sign_id="W7")
    case_reason_add(case=case, by=team["staff"], sign_id="W15")
    case_reason_add(case=case, by=team["staff"], text="Shouted", evidence=[("incident", incident.pk)])
    case_submit(case=case, by=team["staff"])
    transition = CaseTransition.objects.get(case=case)
    assert (transition.from_state, transition.to_state, transition.by, transition.note) == (
        State.DRAFT,
        State.IN_REVIEW,
        team["staff"],
        "",
    )
    entry = last_audit(case, "case.in_review")
    assert (entry.data, entry.actor) == ({"from": "draft", "to": "in_review", "note": ""}, team["staff"])
    stored = OffboardingCase.objects.get(pk=case.pk)
    assert stored.state == State.IN_REVIEW and stored.submitted_at is not None
    assert Client.objects.get(pk=client.pk).status == Client.Status.UNDER_REVIEW
    with refused("Only a draft can be sent for review; this case is In review."):
        case_submit(case=case, by=team["staff"])


def test_d3_an_open_check_refuses_the_review_with_its_rule_and_last_fact(team, firm):
    client = ClientFactory(firm=firm)
    one_day = IncidentFactory(client=client, kind=Incident.Kind.DISRESPECT, occurred_on=firm.today())
    case = case_open(client=client, by=team["staff"], against_advice="It keeps happening")
    for text in ("One", "Two", "Three"):
        case_reason_add(case=case, by=team["staff"], text=text, evidence=[("incident", one_day.pk)])
    with refused("D3: The evidence spans less than 14 days: confirm this is a pattern"):
        case_submit(case=case, by=team["staff"])
    assert OffboardingCase.objects.get(pk=case.pk).state == State.DRAFT


# -- D4: review and approvals --------------------------------------------------------------------------------------


def test_d4_an_approval_is_recorded_and_the_approving_transition_carries_the_comment(firm, team, acme):
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    case_review(case=case, by=team["partner"], decision="approve", comment="Agreed")
    review = CaseReview.objects.get(case=case)
    assert (review.reviewer, review.decision, review.comment) == (team["partner"], "approve", "Agreed")
    assert last_audit(case, "case.reviewed").data == {"decision": "approve"}
    transition = CaseTransition.objects.get(case=case)
    assert (transition.from_state, transition.to_state, transition.note) == (State.IN_REVIEW, State.APPROVED, "Agreed")
    assert last_audit(case, "case.approved").data == {
        "from": "in_review",
        "to": "approved",
        "note": value_reference("Agreed"),
    }
    assert case.tasks.exists()  # the checklist is generated on approval


def test_d4_a_review_is_approve_or_object(team, acme):
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    with refused("A review approves or objects."):
        case_review(case=case, by=team["partner"], decision="maybe")
    with refused("D4: only owners and partners review cases."):
        case_review(case=case, by=team["staff"], decision="approve")


def test_d4_an_objection_records_a_review_and_moves_nothing(team, acme):
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    case_review(case=case, by=team["partner"], decision="object", comment="Not yet")
    assert case.state == State.IN_REVIEW
    assert last_audit(case, "case.reviewed").data == {"decision": "object"}
    assert not CaseTransition.objects.filter(case=case).exists()


def test_d4_the_opener_is_never_counted_as_an_approver(firm, acme):
    """Reported survivor. Owner opens; one partner; two approvals asked: the partner's is enough, because
    the opener cannot approve while the partner exists and is not counted among those who may."""
    opener = MembershipFactory(firm=firm).user
    partner = MembershipFactory(firm=firm, partner=True).user
    with_approvals(firm, 2)
    case = case_for(acme, opener, state=State.IN_REVIEW)
    with refused("D4: another owner or partner must approve a case you opened."):
        case_review(case=case, by=opener, decision="approve")
    case_review(case=case, by=partner, decision="approve")
    assert case.state == State.APPROVED


def test_d4_the_opener_may_object_to_their_own_case(firm, team, acme):
    case = case_for(acme, team["owner"], state=State.IN_REVIEW)
    case_review(case=case, by=team["owner"], decision="object")
    assert CaseReview.objects.get(case=case).decision == "object"


def test_d4_staff_and_other_firms_partners_are_not_counted_among_the_approvers(firm, acme):
    opener = MembershipFactory(firm=firm).user
    partner = MembershipFactory(firm=firm, partner=True).user
    MembershipFactory(firm=firm, staff=True)
    for _n in range(3):
        MembershipFactory(firm=FirmFactory(), partner=True)
    with_approvals(firm, 3)
    case = case_for(acme, opener, state=State.IN_REVIEW)
    case_review(case=case, by=partner, decision="approve")
    assert case.state == State.APPROVED


@pytest.mark.parametrize("opener_role", ["owner", "partner"])
def test_d4_with_two_others_who_may_approve_the_policys_two_approvals_are_needed(firm, acme, opener_role):
    opener = MembershipFactory(firm=firm, partner=opener_role == "partner").user
    first = MembershipFactory(firm=firm, partner=opener_role == "owner").user
    second = MembershipFactory(firm=firm, partner=opener_role == "owner").user
    with_approvals(firm, 2)
    case = case_for(acme, opener, state=State.IN_REVIEW)
    case_review(case=case, by=first, decision="approve")
    assert case.state == State.IN_REVIEW
    case_review(case=case, by=second, decision="approve")
    assert case.state == State.APPROVED


def test_d4_one_approval_is_enough_by_default_even_with_several_reviewers(firm, team, acme):
    MembershipFactory(firm=firm, partner=True)
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    case_review(case=case, by=team["partner"], decision="approve")
    assert case.state == State.APPROVED


def test_d4_a_policy_of_zero_approvals_still_needs_one(firm, team, acme):
    with_approvals(firm, 0)
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    case_review(case=case, by=team["partner"], decision="object")
    assert case.state == State.IN_REVIEW


def test_d3_in_a_firm_of_one_the_refusal_says_when_the_cooling_off_ends(firm, acme):
    solo = MembershipFactory(firm=firm).user
    submitted = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    case = case_for(acme, solo, state=State.IN_REVIEW, submitted_at=submitted)
    with refused(
        "D3: in a firm of one, approve your own case only after 48 hours of cooling off, from 2026-03-03 09:00."
    ):
        case_review(case=case, by=solo, decision="approve", now=submitted + dt.timedelta(hours=47, minutes=59))


# -- D11: withdrawing and taking over --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.DRAFT, State.IN_REVIEW, State.APPROVED])
def test_d11_a_case_is_withdrawn_before_notice_with_its_note_and_outcome(team, acme, state):
    case = case_for(acme, team["staff"], state=state)
    case_withdraw(case=case, by=team["staff"], note="They apologised", seen_state=state)
    stored = OffboardingCase.objects.get(pk=case.pk)
    assert (stored.state, stored.outcome) == (State.WITHDRAWN, OffboardingCase.Outcome.KEPT)
    transition = CaseTransition.objects.get(case=case)
    assert (transition.from_state, transition.to_state, transition.note) == (state, State.WITHDRAWN, "They apologised")
    assert last_audit(case).data == {"from": state, "to": "withdrawn", "note": value_reference("They apologised")}


@pytest.mark.parametrize("state", [State.NOTIFIED, State.WINDING_DOWN, State.CLOSED])
def test_d11_after_notice_the_decision_stands(team, acme, state):
    case = case_for(acme, team["staff"], state=state)
    with refused("D11: once the client has been notified the case cannot be withdrawn"):
        case_withdraw(case=case, by=team["owner"])


def test_d11_a_withdrawal_returns_only_a_client_under_review_to_active(team, firm):
    reviewed = ClientFactory(firm=firm, status=Client.Status.UNDER_REVIEW)
    offboarding = ClientFactory(firm=firm, status=Client.Status.OFFBOARDING)
    case_withdraw(case=case_for(reviewed, team["staff"], state=State.IN_REVIEW), by=team["staff"])
    case_withdraw(case=case_for(offboarding, team["staff"], state=State.APPROVED), by=team["staff"])
    assert Client.objects.get(pk=reviewed.pk).status == Client.Status.ACTIVE
    assert Client.objects.get(pk=offboarding.pk).status == Client.Status.OFFBOARDING


def test_d11_only_the_opener_an_owner_or_a_partner_withdraws(firm, team, acme):
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    other_staff = MembershipFactory(firm=firm, staff=True).user
    with refused("Only the person who opened the case, an owner or a partner can withdraw it."):
        case_withdraw(case=case, by=other_staff)
    case_withdraw(case=case, by=team["partner"])
    assert case.state == State.WITHDRAWN


def test_d11_the_state_the_page_showed_must_still_be_the_cases(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    with refused("The case changed while you were looking at it: it is now Approved."):
        case_withdraw(case=case, by=team["staff"], seen_state=State.IN_REVIEW)
    case_withdraw(case=case, by=team["staff"], seen_state=None)  # no page: the command line
    assert case.state == State.WITHDRAWN


def test_d4_taking_a_client_over_withdraws_the_case_and_assigns_the_client(team, acme):
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    with refused("D4: only an owner or a partner can take a client over."):
        case_take_over(case=case, by=team["staff"])
    with refused("The case changed while you were looking at it"):
        case_take_over(case=case, by=team["partner"], seen_state=State.DRAFT)
    case_take_over(case=case, by=team["partner"], note="I'll keep them", seen_state=State.IN_REVIEW)
    stored = OffboardingCase.objects.get(pk=case.pk)
    assert (stored.state, stored.outcome) == (State.WITHDRAWN, OffboardingCase.Outcome.TAKEN_OVER)
    assert Client.objects.get(pk=acme.pk).assigned_to == team["partner"]
    assert CaseTransition.objects.get(case=case).note == "I'll keep them"


# -- the plan: inputs and values changed by hand -----------------------------------------------------------------


def test_plan_inputs_changed_are_audited_with_their_new_values_and_unchanged_ones_are_not(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    plan_update(case=case, by=team["staff"], notice_date=dt.date(2026, 6, 1), support_days=0)
    assert last_audit(case, "case.plan_changed").data == {"notice_date": "2026-06-01"}
    before = AuditEntry.objects.count()
    plan_update(case=case, by=team["staff"], notice_date=dt.date(2026, 6, 1))
    assert AuditEntry.objects.count() == before
    plan_update(case=case, by=team["staff"], work_done_percent=Decimal("40"))
    plan_update(case=case, by=team["staff"], work_done_percent=None)
    assert last_audit(case, "case.plan_changed").data == {"work_done_percent": None}
    assert case.tasks.get(kind="billing").due_on == dt.date(2026, 6, 15)  # the checklist follows the plan


def test_plan_update_refuses_unknown_fields_invalid_values_and_a_changed_notice_day(team, acme):
    case = case_for(acme, team["staff"], state=State.NOTIFIED, notified_on=dt.date(2026, 6, 1))
    with refused("Unknown plan fields: colour, mood."):
        plan_update(case=case, by=team["staff"], mood="x", colour="y")
    with refused("N1: the client was told on 2026-06-01; that day stays."):
        plan_update(case=case, by=team["staff"], notice_date=dt.date(2026, 6, 2))
    plan_update(case=case, by=team["staff"], notice_date=dt.date(2026, 6, 1), successor_name="Bea")
    assert plan_get(case).successor_name == "Bea"


@pytest.mark.parametrize("state", [State.CLOSED, State.WITHDRAWN])
def test_the_plan_of_a_finished_case_cannot_change(team, acme, state):
    case = case_for(acme, team["staff"], state=state)
    label = dict(State.choices)[state]
    with refused(f"Changing the plan: not possible while the case is {label}."):
        plan_update(case=case, by=team["staff"], support_days=3)
    with refused(f"Changing the plan: not possible while the case is {label}."):
        plan_override(case=case, by=team["staff"], field="end_date", value="2026-07-01", reason="x")


def test_a_draft_plan_changes_without_generating_a_checklist(team, acme):
    case = case_for(acme, team["staff"])
    plan_update(case=case, by=team["staff"], support_days=5)
    plan_override(case=case, by=team["staff"], field="final_invoice", value="10", reason="Agreed")
    assert not case.tasks.exists()


def test_an_override_keeps_value_reason_who_and_when_in_the_plan_and_a_change_row(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    plan_update(case=case, by=team["staff"], notice_date=dt.date(2026, 6, 1))
    TimeEntryFactory(client=acme, date=dt.date(2025, 1, 10), hours=Decimal("2"))  # computed: 200.00
    plan_override(case=case, by=team["staff"], field="final_invoice", value=" 1500.5 ", reason="  Agreed fee  ")
    override = plan_get(case).overrides["final_invoice"]
    assert (override["value"], override["reason"], override["by"]) == (
        "1500.5",
        "Agreed fee",
        team["staff"].get_username(),
    )
    assert dt.datetime.fromisoformat(override["at"]) <= timezone.now()
    change = PlanChange.objects.get(case=case)
    assert (change.field, change.computed, change.value, change.reason, change.by) == (
        "final_invoice",
        "200.00",
        "1500.5",
        "Agreed fee",
        team["staff"],
    )
    assert last_audit(case, "case.plan_overridden").data == {
        "field": "final_invoice",
        "value": "1500.5",
        "computed": "200.00",
        "reason": value_reference("Agreed fee"),
    }


def test_an_override_of_an_overridden_value_records_the_computed_one_not_the_previous_override(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    plan_update(case=case, by=team["staff"], notice_date=dt.date(2026, 6, 1))
    plan_override(case=case, by=team["staff"], field="end_date", value="2026-06-30", reason="Year end")
    plan_override(case=case, by=team["staff"], field="end_date", value="2026-07-31", reason="Later")
    assert PlanChange.objects.filter(case=case).last().computed == "2026-06-15"
    plan_override(case=case, by=team["staff"], field="end_date", value=None, reason="Back")
    assert "end_date" not in plan_get(case).overrides
    back = PlanChange.objects.filter(case=case).last()
    assert (back.computed, back.value, back.reason) == ("2026-06-15", "", "Back")
    assert last_audit(case, "case.plan_overridden").data["value"] is None
    assert plan_compute(case).end_date.value == dt.date(2026, 6, 15)


def test_an_override_of_a_value_not_there_records_an_empty_computed_value(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    plan_override(case=case, by=team["staff"], field="refund", value="5", reason="Goodwill")
    assert PlanChange.objects.get(case=case).computed == ""


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("notice_date", "2026-06-01", "notice_date is not a value that can be changed by hand."),
        ("end_date", "1 July", "end_date: 1 July is not a valid date."),
        ("refund", "ten", "refund: ten is not a valid amount."),
        ("refund", "-0.01", "refund: an amount cannot be negative."),
    ],
)
def test_an_override_is_refused_for_a_value_that_is_not_one(team, acme, field, value, message):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    with pytest.raises(CaseError, match=message):
        plan_override(case=case, by=team["staff"], field=field, value=value, reason="x")
    assert plan_get(case).overrides == {}


def test_an_override_of_zero_is_a_value_and_a_blank_reason_is_no_reason(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    with refused("Changing a computed date or amount needs a reason"):
        plan_override(case=case, by=team["staff"], field="refund", value="0", reason="  ")
    plan_override(case=case, by=team["staff"], field="refund", value="0", reason="None owed")
    assert plan_get(case).overrides["refund"]["value"] == "0"


# -- D10: write-offs and telling the client --------------------------------------------------------------------------


def test_d10_only_owners_and_partners_write_off_with_a_reason_an_unpaid_invoice_of_this_client(firm, team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    unpaid = InvoiceFactory(client=acme, number="U-1")
    paid = InvoiceFactory(client=acme, number="P-1", paid_on=dt.date(2026, 3, 20), amount_paid=Decimal("1000"))
    sibling = InvoiceFactory(client=ClientFactory(firm=firm), number="S-1")
    with refused("D10: only owners and partners write off an invoice."):
        invoice_write_off(case=case, by=team["staff"], invoice_id=unpaid.pk, reason="x")
    with refused("A write-off needs a reason."):
        invoice_write_off(case=case, by=team["partner"], invoice_id=unpaid.pk, reason="  ")
    with refused(f"Invoice {sibling.pk} is not an invoice of this client."):
        invoice_write_off(case=case, by=team["partner"], invoice_id=sibling.pk, reason="x")
    with refused("Invoice P-1 is paid; there is nothing to write off."):
        invoice_write_off(case=case, by=team["partner"], invoice_id=paid.pk, reason="x")
    invoice_write_off(case=case, by=team["partner"], invoice_id=unpaid.pk, reason=" Insolvent ")
    invoice_write_off(case=case, by=team["owner"], invoice_id=unpaid.pk, reason="Really insolvent")
    write_off = InvoiceWriteOff.objects.get(case=case)
    assert (write_off.reason, write_off.by, write_off.invoice) == ("Really insolvent", team["owner"], unpaid)
    assert last_audit(case, "case.invoice_written_off").data == {
        "invoice": "U-1",
        "reason": value_reference("Really insolvent"),
    }


def test_d10_a_closed_case_writes_nothing_off(team, acme):
    case = case_for(acme, team["staff"], state=State.CLOSED)
    unpaid = InvoiceFactory(client=acme)
    with refused("Write-off: not possible while the case is Closed."):
        invoice_write_off(case=case, by=team["partner"], invoice_id=unpaid.pk, reason="x")


def test_d10_notice_is_refused_while_unpaid_and_names_the_invoices_and_balance(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    InvoiceFactory(client=acme, number="U-1", amount=Decimal("300.00"), discount_given=Decimal("100.00"))
    InvoiceFactory(client=acme, number="U-2", amount=Decimal("50.00"))
    with pytest.raises(
        CaseError,
        match=re.escape("D10: be paid in full before letting the client go. 2 unpaid invoices: U-1, U-2 (250.00 EUR)"),
    ):
        case_notify(case=case, by=team["staff"], on=TOLD, unpaid_override="   ")
    assert OffboardingCase.objects.get(pk=case.pk).state == State.APPROVED


def test_d10_an_override_reason_goes_into_the_transition_note(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    InvoiceFactory(client=acme, number="U-1", amount=Decimal("300.00"))
    case_notify(case=case, by=team["staff"], on=TOLD, unpaid_override="  Paying in instalments ")
    note = "D10 overridden with 300.00 EUR unpaid (U-1): Paying in instalments"
    assert CaseTransition.objects.get(case=case).note == note
    # The log keeps the note by its hash and what is not personal in the clear: amount, currency, invoices.
    assert last_audit(case, "case.notified").data == {
        "from": "approved",
        "to": "notified",
        "note": value_reference(note),
        "d10_overridden": {"unpaid": "300.00", "currency": "EUR", "invoices": ["U-1"]},
    }


def test_n1_notice_records_the_day_the_plan_as_told_and_the_client_offboarding(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    plan_update(case=case, by=team["staff"], notice_date=dt.date(2026, 3, 1))
    case_notify(case=case, by=team["staff"], on=TOLD)
    stored = OffboardingCase.objects.get(pk=case.pk)
    assert (stored.state, stored.notified_on) == (State.NOTIFIED, TOLD)
    assert plan_get(case).notice_date == TOLD
    assert stored.plan_told["notice_date"]["value"] == "2026-03-02"
    assert stored.plan_told["end_date"]["value"] == "2026-03-16"
    assert Client.objects.get(pk=acme.pk).status == Client.Status.OFFBOARDING
    assert CaseTransition.objects.get(case=case).note == ""
    assert case.tasks.get(kind="conversation").due_on == TOLD


def test_n1_notice_without_a_day_is_the_firms_today(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    case_notify(case=case, by=team["staff"])
    assert OffboardingCase.objects.get(pk=case.pk).notified_on == acme.firm.today()


def test_only_an_approved_case_is_notified(team, acme):
    case = case_for(acme, team["staff"], state=State.IN_REVIEW)
    with refused("Only an approved case moves to notified; this case is In review."):
        case_notify(case=case, by=team["staff"], on=TOLD)


# -- advancing, winding down, closing (C1, O1, O8) ---------------------------------------------------------------------


def notified(client, by):
    case = case_for(client, by, state=State.APPROVED)
    case_notify(case=case, by=by, on=TOLD)
    return case


def done(case, by, *kinds, today):
    for task in case.tasks.filter(status=CaseTask.Status.OPEN):
        if not kinds or task.kind in kinds:
            task_update(task=task, by=by, status=CaseTask.Status.DONE, today=today)


def test_advance_moves_each_state_to_the_next_one(team, acme):
    staff = team["staff"]
    case = case_for(acme, staff, state=State.APPROVED)
    InvoiceFactory(client=acme, number="U-9", amount=Decimal("10.00"))
    case_advance(case=case, by=staff, on=TOLD, unpaid_override="Small")
    stored = OffboardingCase.objects.get(pk=case.pk)
    assert (stored.state, stored.notified_on) == (State.NOTIFIED, TOLD)
    assert CaseTransition.objects.get(case=case).note.endswith(": Small")
    with refused("C1: first tell the client and follow up in writing. Not done yet: "):
        case_advance(case=case, by=staff)
    done(case, staff, "conversation", "letter", today=TOLD)
    assert case_advance(case=case, by=staff).state == State.WINDING_DOWN
    done(case, staff, today=dt.date(2026, 3, 20))
    assert case_advance(case=case, by=staff).state == State.CLOSED  # today is the firm's, long after 16 Mar
    with refused("A case that is Closed goes no further."):
        case_advance(case=case, by=staff)


def test_advance_sends_a_draft_for_review_and_waits_in_review_for_approval(team, acme):
    case = case_for(acme, team["staff"])
    with refused("D8: a case needs at least 3 different documented reasons before review"):
        case_advance(case=case, by=team["staff"])
    review = case_for(ClientFactory(firm=acme.firm), team["staff"], state=State.IN_REVIEW)
    with refused("D4: a case in review moves on when owners or partners approve it."):
        case_advance(case=review, by=team["staff"])
    withdrawn = case_for(ClientFactory(firm=acme.firm), team["staff"], state=State.WITHDRAWN)
    with refused("A case that is Withdrawn goes no further."):
        case_advance(case=withdrawn, by=team["staff"])


def test_winding_down_is_a_transition_from_notified_only(team, acme):
    case = notified(acme, team["staff"])
    done(case, team["staff"], "conversation", "letter", today=TOLD)
    case_advance(case=case, by=team["staff"])
    transition = CaseTransition.objects.filter(case=case).last()
    assert (transition.from_state, transition.to_state) == (State.NOTIFIED, State.WINDING_DOWN)
    assert OffboardingCase.objects.get(pk=case.pk).state == State.WINDING_DOWN


def test_o1_closing_records_the_end_the_outcome_and_makes_the_client_former(team, acme):
    case = notified(acme, team["staff"])
    done(case, team["staff"], "conversation", "letter", today=TOLD)
    case_advance(case=case, by=team["staff"])
    with refused("Required tasks are still open: "):
        case_close(case=case, by=team["staff"], today=dt.date(2026, 3, 17))
    with refused("O1: the end date, 2026-03-16, has not passed yet; the case closes after it."):
        case_close(case=case, by=team["staff"], today=dt.date(2026, 3, 16))
    done(case, team["staff"], today=dt.date(2026, 3, 16))
    case_close(case=case, by=team["staff"], today=dt.date(2026, 3, 17))
    stored = OffboardingCase.objects.get(pk=case.pk)
    assert (stored.state, stored.outcome, stored.ended_on) == (
        State.CLOSED,
        OffboardingCase.Outcome.PARTED,
        dt.date(2026, 3, 16),
    )
    assert stored.closed_at is not None
    assert Client.objects.get(pk=acme.pk).status == Client.Status.FORMER


def test_only_a_case_winding_down_is_closed(team, acme):
    case = notified(acme, team["staff"])
    with refused("Only a case that is winding down can be closed; this case is Client notified."):
        case_close(case=case, by=team["staff"], today=dt.date(2026, 4, 1))
    approved = case_for(ClientFactory(firm=acme.firm), team["staff"], state=State.APPROVED)
    with refused("Only a notified case starts winding down; this case is Approved."):
        case_wind_down(case=approved, by=team["staff"])


# -- the checklist: done_on, revocations, own tasks (O2, O4, O8) ------------------------------------------------------


def test_a_task_done_records_the_day_and_undone_clears_it(team, acme):
    case = notified(acme, team["staff"])
    task = case.tasks.get(kind="conversation")
    task_update(task=task, by=team["staff"], status=CaseTask.Status.DONE, today=dt.date(2026, 3, 3))
    stored = CaseTask.objects.get(pk=task.pk)
    assert (stored.status, stored.done_on) == (CaseTask.Status.DONE, dt.date(2026, 3, 3))
    assert last_audit(case, "case.task_updated").data == {"task": task.pk, "kind": "conversation", "status": "done"}
    task_update(task=task, by=team["staff"], status=CaseTask.Status.OPEN, today=dt.date(2026, 3, 4))
    assert CaseTask.objects.get(pk=task.pk).done_on is None


def test_a_task_done_without_a_day_is_done_on_the_firms_today(team, acme):
    case = notified(acme, team["staff"])
    task = task_update(task=case.tasks.get(kind="conversation"), by=team["staff"], status=CaseTask.Status.DONE)
    assert task.done_on == acme.firm.today()


def test_o2_o4_revoking_access_and_handing_back_a_login_are_recorded_on_the_day(firm, team, acme):
    grant = AccessGrantFactory(client=acme, name="Bank")
    credential = Credential.objects.create(client=acme, name="Payroll login")
    case = notified(acme, team["staff"])
    day = dt.date(2026, 3, 10)
    done(case, team["staff"], "access", "credential", today=day)
    assert AccessGrant.objects.get(pk=grant.pk).revoked_on == day
    assert Credential.objects.get(pk=credential.pk).handed_back_on == day


def test_a_tasks_notes_and_owner_change_and_the_owner_must_be_a_member(firm, team, acme):
    case = notified(acme, team["staff"])
    task = case.tasks.get(kind="letter")
    with refused("A task's owner must be a member of the firm."):
        task_update(task=task, by=team["staff"], owner=MembershipFactory(firm=FirmFactory()).user)
    task_update(task=task, by=team["staff"], owner=team["partner"], notes="Draft ready")
    stored = CaseTask.objects.get(pk=task.pk)
    assert (stored.owner, stored.notes, stored.status) == (team["partner"], "Draft ready", CaseTask.Status.OPEN)
    before = AuditEntry.objects.count()
    task_update(task=task, by=team["staff"])  # nothing to change: nothing written
    assert AuditEntry.objects.count() == before


def test_a_task_status_is_one_of_three_and_required_ones_are_not_skipped(team, acme):
    case = notified(acme, team["staff"])
    with refused("A task is open, done or not needed."):
        task_update(task=case.tasks.get(kind="letter"), by=team["staff"], status="later")
    with refused("A required task cannot be skipped; mark it done when it is."):
        task_update(task=case.tasks.get(kind="letter"), by=team["staff"], status=CaseTask.Status.SKIPPED)


def test_c1_telling_the_client_is_done_only_once_the_case_is_notified(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    checklist_sync(case)
    with refused("C1: record that the client was told"):
        task_update(task=case.tasks.get(kind="letter"), by=team["staff"], status=CaseTask.Status.DONE, today=TOLD)


def test_the_checklist_of_a_draft_or_closed_case_is_not_updated(team, acme):
    case = case_for(acme, team["staff"], state=State.CLOSED)
    task = CaseTask.objects.create(case=case, kind="custom", key="1", due_on=TOLD)
    with refused("Updating the checklist: not possible while the case is Closed."):
        task_update(task=task, by=team["staff"], notes="x")
    with refused("Updating the checklist: not possible while the case is Closed."):
        task_add(case=case, by=team["staff"], title="x", due_on=TOLD)


def test_own_tasks_get_the_next_free_key_a_stripped_title_and_the_adder_as_owner(team, acme):
    case = notified(acme, team["staff"])
    with refused("A task needs a title."):
        task_add(case=case, by=team["staff"], title="  ", due_on=TOLD)
    first = task_add(case=case, by=team["staff"], title="  Call the bank ", due_on=TOLD)
    second = task_add(case=case, by=team["partner"], title="Archive", due_on=TOLD, required=True)
    assert (first.key, first.params, first.owner, first.required, first.order) == (
        "1",
        {"title": "Call the bank"},
        team["staff"],
        False,
        900,
    )
    assert (second.key, second.owner, second.required) == ("2", team["partner"], True)
    first.delete()
    assert task_add(case=case, by=team["staff"], title="Third", due_on=TOLD).key == "3"
    assert last_audit(case, "case.task_added").data["task"] > second.pk


def test_plan_inputs_are_stored_on_the_plan(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    plan_update(case=case, by=team["staff"], fixed_term=CasePlan.FixedTerm.END_EARLY, support_fee=Decimal("5"))
    stored = plan_get(case)
    assert (stored.fixed_term, stored.support_fee) == (CasePlan.FixedTerm.END_EARLY, Decimal("5"))


# -- found by mutants (fixed) ---------------------------------------------------------------------------------


def test_an_override_of_not_a_number_is_refused_as_not_a_valid_amount(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    for value in ("NaN", "Infinity", "-inf"):
        with refused(f"final_invoice: {value} is not a valid amount."):
            plan_override(case=case, by=team["staff"], field="final_invoice", value=value, reason="x")


def test_an_override_of_a_computed_zero_keeps_the_zero_it_replaced(team, acme):
    case = case_for(acme, team["staff"], state=State.APPROVED)
    plan_override(case=case, by=team["staff"], field="final_invoice", value="50", reason="Minimum fee")
    assert PlanChange.objects.get(case=case).computed == "0.00"
    assert last_audit(case, "case.plan_overridden").data["computed"] == "0.00"
