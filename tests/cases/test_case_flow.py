"""From approval to closing: notice and money (D10, N1–N4, O5), checklist (O1–O9, C1, C10), states."""

import datetime as dt
from decimal import Decimal

import pytest

from parting.audit.services import audit_verify
from parting.cases.checklist import task_title
from parting.cases.checks import case_checks
from parting.cases.models import CasePlan, CaseTask, OffboardingCase, PlanChange, ReferralProvider
from parting.cases.plan import plan_compute
from parting.cases.services import (
    CaseError,
    case_advance,
    case_checks_answer,
    case_close,
    case_notify,
    case_open,
    case_reason_add,
    case_submit,
    case_wind_down,
    case_withdraw,
    invoice_write_off,
    plan_override,
    plan_update,
    task_add,
    task_update,
)
from parting.clients.models import AccessGrant, Client, Credential, Engagement
from parting.evidence.models import Incident
from tests.cases.conftest import submitted_case
from tests.factories import (
    AccessGrantFactory,
    ClientFactory,
    ContactFactory,
    IncidentFactory,
    InvoiceFactory,
    ServiceFactory,
    TimeEntryFactory,
)

State = OffboardingCase.State


def finish_tasks(case, by, *, today, kinds=None):
    for task in case.tasks.filter(status=CaseTask.Status.OPEN):
        if kinds is None or task.kind in kinds:
            task_update(task=task, by=by, status=CaseTask.Status.DONE, today=today)


# -- notice and money (D10) -------------------------------------------------------------------


def test_d10_notified_is_refused_while_an_invoice_is_unpaid(approved_case, team):
    unpaid = InvoiceFactory(client=approved_case.client, number="INV-77", amount=Decimal("450.00"))
    with pytest.raises(CaseError, match=r"D10: be paid in full .* 1 unpaid invoice: INV-77 \(450.00 EUR\)"):
        case_notify(case=approved_case, by=team["staff"])
    assert approved_case.state == State.APPROVED
    unpaid.paid_on, unpaid.amount_paid = approved_case.firm.today(), unpaid.amount
    unpaid.save()
    case_notify(case=approved_case, by=team["staff"])
    assert approved_case.state == State.NOTIFIED


def test_d10_a_written_off_invoice_lets_the_case_move_on(approved_case, team):
    unpaid = InvoiceFactory(client=approved_case.client, amount=Decimal("450.00"))
    with pytest.raises(CaseError, match="only owners and partners write off"):
        invoice_write_off(case=approved_case, by=team["staff"], invoice_id=unpaid.pk, reason="Small")
    with pytest.raises(CaseError, match="needs a reason"):
        invoice_write_off(case=approved_case, by=team["owner"], invoice_id=unpaid.pk, reason=" ")
    invoice_write_off(case=approved_case, by=team["owner"], invoice_id=unpaid.pk, reason="Not worth a dispute")
    case_notify(case=approved_case, by=team["staff"])
    assert approved_case.state == State.NOTIFIED
    assert approved_case.plan_told["money"]["outstanding_invoices"][0]["written_off"] == "Not worth a dispute"


def test_d10_override_goes_ahead_unpaid_with_the_reason_recorded(approved_case, team):
    InvoiceFactory(client=approved_case.client, number="INV-9", amount=Decimal("100.00"))
    case_notify(case=approved_case, by=team["staff"], unpaid_override="Client is abusive to staff; leave now")
    note = approved_case.transitions.last().note
    assert note == "D10 overridden with 100.00 EUR unpaid (INV-9): Client is abusive to staff; leave now"


def test_notifying_records_the_plan_as_told_and_marks_the_client_offboarding(approved_case, team):
    day = dt.date(2026, 12, 1)
    case_notify(case=approved_case, by=team["staff"], on=day)
    told = approved_case.plan_told
    assert told["notice_date"]["value"] == "2026-12-01"
    assert told["end_date"] == {
        "value": "2026-12-15",
        "rule": "N2",
        "explanation": "The contract sets no notice: the policy's 14 days from 1 Dec 2026, about two weeks (N1, N2).",
    }
    assert told["deletion_date"]["value"] == "2027-01-14"
    assert Client.objects.get(pk=approved_case.client_id).status == Client.Status.OFFBOARDING
    with pytest.raises(CaseError, match="N1: the client was told on 2026-12-01"):
        plan_update(case=approved_case, by=team["staff"], notice_date=dt.date(2026, 12, 5))


def test_another_staff_member_cannot_carry_out_someone_elses_case(approved_case, firm):
    from tests.factories import MembershipFactory

    other = MembershipFactory(firm=firm, staff=True).user
    with pytest.raises(CaseError, match="Only the person who opened the case"):
        case_notify(case=approved_case, by=other)


# -- states cannot be skipped; withdrawal ends at notice (D11) ----------------------------------


def test_no_state_is_skipped_after_approval(approved_case, team):
    with pytest.raises(CaseError, match="Only a notified case starts winding down; this case is Approved"):
        case_wind_down(case=approved_case, by=team["staff"])
    with pytest.raises(CaseError, match="Only a case that is winding down can be closed; this case is Approved"):
        case_close(case=approved_case, by=team["staff"])
    assert approved_case.transitions.count() == 2


def test_d11_withdraw_is_refused_once_notified(approved_case, team):
    case_notify(case=approved_case, by=team["staff"])
    with pytest.raises(CaseError, match="D11"):
        case_withdraw(case=approved_case, by=team["owner"])


def test_advance_from_review_waits_for_approval(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    with pytest.raises(CaseError, match="D4: a case in review moves on when owners or partners approve it"):
        case_advance(case=case, by=team["staff"])


def test_c1_winding_down_waits_for_the_conversation_and_the_letter(approved_case, team):
    case_notify(case=approved_case, by=team["staff"], on=dt.date(2026, 12, 1))
    with pytest.raises(CaseError, match="C1: first tell the client and follow up in writing"):
        case_wind_down(case=approved_case, by=team["staff"])
    finish_tasks(approved_case, team["staff"], today=dt.date(2026, 12, 1), kinds={"conversation", "letter"})
    case_advance(case=approved_case, by=team["staff"])
    assert approved_case.state == State.WINDING_DOWN


def test_a_case_closes_after_the_end_date_with_required_tasks_done(approved_case, team):
    client = approved_case.client
    grant = AccessGrantFactory(client=client, name="Payroll portal")
    case_notify(case=approved_case, by=team["staff"], on=dt.date(2026, 12, 1))
    finish_tasks(approved_case, team["staff"], today=dt.date(2026, 12, 1), kinds={"conversation", "letter"})
    case_wind_down(case=approved_case, by=team["staff"])
    end = plan_compute(approved_case).end_date.value
    assert end == dt.date(2026, 12, 15)
    with pytest.raises(CaseError, match="O8: contact stops after the end date"):
        finish_tasks(approved_case, team["staff"], today=end - dt.timedelta(days=1), kinds={"cut_contact"})
    finish_tasks(approved_case, team["staff"], today=end, kinds={"access", "files", "billing", "services"})
    with pytest.raises(CaseError, match="O1: the end date, 2026-12-15, has not passed yet"):
        case_close(case=approved_case, by=team["staff"], today=end)
    with pytest.raises(CaseError, match="Required tasks are still open: Find two or three providers"):
        case_close(case=approved_case, by=team["staff"], today=end + dt.timedelta(days=1))
    finish_tasks(approved_case, team["staff"], today=end + dt.timedelta(days=1))
    case_close(case=approved_case, by=team["staff"], today=end + dt.timedelta(days=1))
    assert (approved_case.state, approved_case.outcome, approved_case.ended_on) == (State.CLOSED, "parted", end)
    assert Client.objects.get(pk=client.pk).status == Client.Status.FORMER
    assert AccessGrant.objects.get(pk=grant.pk).revoked_on == end
    assert audit_verify(firm=client.firm) is None


def test_required_tasks_cannot_be_skipped(approved_case, team):
    task = approved_case.tasks.get(kind="billing")
    with pytest.raises(CaseError, match="cannot be skipped"):
        task_update(task=task, by=team["staff"], status=CaseTask.Status.SKIPPED)
    own = task_add(case=approved_case, by=team["staff"], title="Send a goodbye gift", due_on=dt.date(2026, 12, 20))
    task_update(task=own, by=team["staff"], status=CaseTask.Status.SKIPPED)
    assert task_title(own) == "Send a goodbye gift"


# -- the plan (N1–N4, O5, O6) ------------------------------------------------------------------


def test_n1_the_contract_notice_and_n2_open_work_decide_the_end_date(approved_case, team):
    client = approved_case.client
    client.notice_days = 30
    client.save()
    plan_update(case=approved_case, by=team["staff"], notice_date=dt.date(2026, 12, 1))
    plan = plan_compute(approved_case)
    assert (plan.end_date.value, plan.end_date.rule) == (dt.date(2026, 12, 31), "N1")
    Engagement.objects.create(client=client, name="Annual accounts 2026", due_on=dt.date(2027, 1, 20))
    Engagement.objects.create(
        client=client, name="Done already", due_on=dt.date(2027, 3, 1), completed_on=dt.date(2026, 11, 1)
    )
    plan = plan_compute(approved_case)
    assert (plan.end_date.value, plan.end_date.rule) == (dt.date(2027, 1, 20), "N2")
    assert "“Annual accounts 2026” is due on" in plan.end_date.explanation


def test_n3_n4_a_fixed_term_is_honoured_or_ended_early_with_a_refund_both_shown(approved_case, team):
    client = approved_case.client
    client.contract_start, client.contract_end = dt.date(2026, 1, 1), dt.date(2027, 1, 1)
    client.prepaid_amount = Decimal("3650.00")
    client.save()
    plan_update(case=approved_case, by=team["staff"], notice_date=dt.date(2026, 7, 1))
    plan = plan_compute(approved_case)
    assert (plan.end_date.value, plan.end_date.rule) == (dt.date(2027, 1, 1), "N3")
    assert plan.refund.value == Decimal("0")
    options = plan.fixed_term_options
    assert options["honour"]["end_date"] == dt.date(2027, 1, 1)
    assert options["end_early"]["end_date"] == dt.date(2026, 7, 15)
    # 195 of 365 days elapsed at 15 July: 53.42 % done, 46.58 % of 3650.00 returned.
    assert options["end_early"]["refund"] == Decimal("1700.17")
    plan_update(case=approved_case, by=team["staff"], fixed_term=CasePlan.FixedTerm.END_EARLY)
    plan = plan_compute(approved_case)
    assert (plan.end_date.value, plan.refund.value, plan.refund.rule) == (
        dt.date(2026, 7, 15),
        Decimal("1700.17"),
        "N4",
    )
    assert plan.refund.formula == "3650.00 × (100% − 53.42%) = 1700.17"
    assert approved_case.tasks.filter(kind="refund").exists()


def test_business_days_count_only_the_firms_working_days(approved_case, team):
    policy = approved_case.firm.policy
    policy.notice_business_days, policy.notice_days = True, 10
    policy.save()
    plan_update(case=approved_case, by=team["staff"], notice_date=dt.date(2026, 12, 4))  # a Friday
    plan = plan_compute(approved_case)
    assert plan.end_date.value == dt.date(2026, 12, 18)
    assert "10 working days" in plan.end_date.explanation


def test_o5_the_deletion_date_follows_the_end_date_and_accounting_records_the_law(approved_case, team):
    plan_update(case=approved_case, by=team["staff"], notice_date=dt.date(2026, 12, 1))
    plan = plan_compute(approved_case)
    assert plan.deletion_date.value == dt.date(2027, 1, 14)
    assert plan.accounting_until.value == dt.date(2031, 12, 31)


def test_changing_a_computed_date_needs_a_reason_and_is_kept_with_the_computed_one(approved_case, team):
    plan_update(case=approved_case, by=team["staff"], notice_date=dt.date(2026, 12, 1))
    with pytest.raises(CaseError, match="needs a reason"):
        plan_override(case=approved_case, by=team["staff"], field="end_date", value="2026-12-31", reason="")
    with pytest.raises(CaseError, match="end_date: 31/12/2026 is not a valid date"):
        plan_override(case=approved_case, by=team["staff"], field="end_date", value="31/12/2026", reason="x")
    plan_override(case=approved_case, by=team["staff"], field="end_date", value="2026-12-31", reason="Year end")
    plan = plan_compute(approved_case)
    assert (plan.end_date.value, plan.end_date.computed, plan.end_date.reason) == (
        dt.date(2026, 12, 31),
        dt.date(2026, 12, 15),
        "Year end",
    )
    assert plan.deletion_date.value == dt.date(2027, 1, 30)  # follows the end date as changed
    assert approved_case.tasks.get(kind="billing").due_on == dt.date(2026, 12, 31)
    change = PlanChange.objects.get(case=approved_case)
    assert (change.field, change.computed, change.value, change.reason) == (
        "end_date",
        "2026-12-15",
        "2026-12-31",
        "Year end",
    )
    plan_override(case=approved_case, by=team["staff"], field="end_date", value=None, reason="Back to the rule")
    assert plan_compute(approved_case).end_date.value == dt.date(2026, 12, 15)


def test_final_invoice_is_estimated_from_unbilled_hours_at_the_target_rate(approved_case, team):
    today = dt.date(2026, 12, 1)
    client = approved_case.client
    for n in range(4):
        TimeEntryFactory(client=client, date=today - dt.timedelta(days=n + 1), hours=Decimal("2.5"))
    plan = plan_compute(approved_case, today=today)
    # 10 h logged since the last invoice; 10 h over 12 weeks is 0.83 h a week, 1.7 h more by the end date.
    assert plan.final_invoice.value == Decimal("1170.00")
    assert plan.final_invoice.rule == "D10"


# -- the checklist (O1–O9, C10) ----------------------------------------------------------------


def test_checklist_has_a_task_per_access_grant_and_one_to_brief_the_successor(team, client_in_trouble):
    client, incident = client_in_trouble
    for name in ("Bank portal", "Payroll system", "Tax office"):
        AccessGrantFactory(client=client, name=name)
    AccessGrantFactory(client=client, name="Old CRM", revoked_on=dt.date(2026, 1, 1))
    Credential.objects.create(client=client, name="Domain registrar")
    case = submitted_case(client, team["staff"], incident)
    plan_update(case=case, by=team["staff"], successor_name="Ledger & Co", successor_contact="anna@ledger.example")
    from parting.cases.services import case_review

    case_review(case=case, by=team["partner"], decision="approve")
    tasks = {(t.kind, t.key): t for t in case.tasks.all()}
    access = sorted(task_title(t) for t in tasks.values() if t.kind == "access")
    assert access == [
        "Have the client remove our access: Bank portal (View only) (O2)",
        "Have the client remove our access: Payroll system (View only) (O2)",
        "Have the client remove our access: Tax office (View only) (O2)",
    ]
    assert task_title(next(t for t in tasks.values() if t.kind == "successor")) == (
        "Brief the successor Ledger & Co (anna@ledger.example) on the work done (O7)"
    )
    assert any(t.kind == "credential" for t in tasks.values())
    kinds = [t.kind for t in case.tasks.all()]
    assert kinds[:2] == ["conversation", "letter"] and kinds[-1] == "cut_contact"
    assert "referrals_none" in kinds
    end = plan_compute(case).end_date.value
    assert tasks[("access", next(k for (kind, k) in tasks if kind == "access"))].due_on == end


def test_c10_no_referral_task_when_the_real_reason_is_attitude(team, client_in_trouble):
    client, incident = client_in_trouble
    ReferralProvider.objects.create(firm=client.firm, name="Other Books")
    case = submitted_case(client, team["staff"], incident, attitude=True)
    from parting.cases.services import case_review

    case_review(case=case, by=team["partner"], decision="approve")
    assert not case.tasks.filter(kind__startswith="referrals").exists()
    assert case.tasks.filter(kind="conversation").exists()


def test_c10_referrals_match_the_clients_services_and_language(approved_case, team, firm):
    client = approved_case.client
    payroll, web = ServiceFactory(firm=firm, name="Payroll"), ServiceFactory(firm=firm, name="Web")
    client.services.add(payroll)
    ContactFactory(client=client, language="pl")
    polish = ReferralProvider.objects.create(firm=firm, name="Kadry Nowak", languages=["pl", "en"])
    polish.services.add(payroll)
    english = ReferralProvider.objects.create(firm=firm, name="Payroll UK", languages=["en"])
    english.services.add(payroll)
    web_only = ReferralProvider.objects.create(firm=firm, name="Web Studio")
    web_only.services.add(web)
    plan_update(case=approved_case, by=team["staff"], support_days=30, support_fee=Decimal("200"))
    task = approved_case.tasks.get(kind="referrals")
    assert task_title(task) == "Offer referrals to other providers: Kadry Nowak (C10)"
    assert approved_case.tasks.get(kind="support").required is False


# -- decision checks (D2, D3, D12) -------------------------------------------------------------


def test_d3_evidence_from_one_day_must_be_confirmed_as_a_pattern_before_review(team, firm):
    client = ClientFactory(firm=firm, holds_stake=True)
    incidents = [
        IncidentFactory(client=client, kind=Incident.Kind.DISRESPECT, occurred_on=firm.today()) for _ in range(3)
    ]
    case = case_open(client=client, by=team["staff"])
    for incident, text in zip(incidents, ("Shouted at Ana", "Insulted Piotr", "Threatened the team"), strict=True):
        case_reason_add(case=case, by=team["staff"], text=text, evidence=[("incident", incident.pk)])
    with pytest.raises(CaseError, match="D3: The evidence spans less than 14 days"):
        case_submit(case=case, by=team["staff"])
    checks = {c.rule: c for c in case_checks(case)}
    assert checks["D12"].status == "warn"
    assert checks["D3"].status == "open"
    case_checks_answer(case=case, by=team["staff"], confirmed_not_one_incident=True)
    case_submit(case=case, by=team["staff"])
    assert case.state == State.IN_REVIEW


def test_d2_expectation_reasons_need_the_expectations_managed_first(team, client_in_trouble):
    client, incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], sign_id="W13")
    case_reason_add(case=case, by=team["staff"], sign_id="W7")
    case_reason_add(case=case, by=team["staff"], text="Rude", evidence=[("incident", incident.pk)])
    with pytest.raises(CaseError, match="D2: Reasons W13 are about expectations"):
        case_submit(case=case, by=team["staff"])
    case_checks_answer(
        case=case, by=team["staff"], expectations_managed_on=dt.date(2026, 10, 1), expectations_note="Call with CEO"
    )
    case_submit(case=case, by=team["staff"])
    assert {c.rule: c.status for c in case_checks(case)}["D2"] == "ok"
