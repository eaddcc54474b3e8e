"""The plan at its edges (D10, N1–N4, O5, O6): each value a user is told, on each side of the rule that
computes it — the notice day from what was recorded, the contract's and the policy's notice, open work of
this client only, a fixed term honoured or ended early, the refund with and without a term to measure by,
unpaid invoices net of discounts and payments, the final invoice's hours (since the last invoice, up to
today, the last twelve weeks' pace), values changed by hand, support and the deletion date.

Cases are built straight in the database in the state the plan needs; every date is fixed or passed as
``today=``, never the machine's clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parting.cases.models import CasePlan, InvoiceWriteOff, OffboardingCase
from parting.cases.plan import Item, OpenInvoice, _json, plan_compute, plan_get, working_weekdays
from parting.clients.models import Engagement
from parting.firms.models import WorkingDay
from parting.signs.policy import policy_for
from tests.factories import ClientFactory, FirmFactory, InvoiceFactory, MembershipFactory, TimeEntryFactory

State = OffboardingCase.State
TODAY = dt.date(2026, 6, 1)  # a Monday
END = dt.date(2026, 6, 15)  # TODAY + the policy's 14 days


@pytest.fixture
def opener(firm):
    return MembershipFactory(firm=firm).user


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


def case_for(client, by, state=State.APPROVED, **fields) -> OffboardingCase:
    return OffboardingCase.objects.create(firm=client.firm, client=client, opened_by=by, state=state, **fields)


def set_plan(case, **inputs) -> CasePlan:
    plan = plan_get(case)
    for name, value in inputs.items():
        setattr(plan, name, value)
    plan.save()
    return plan


# -- the notice date (N1) ------------------------------------------------------------------------


def test_n1_without_a_planned_day_the_notice_is_today_and_says_so(acme, opener):
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert (plan.notice_date.value, plan.notice_date.rule) == (TODAY, "N1")
    assert plan.notice_date.explanation.startswith("Not planned yet: today")
    assert plan.end_date.value == END


def test_n1_a_planned_notice_day_is_used_instead_of_today(acme, opener):
    case = case_for(acme, opener)
    set_plan(case, notice_date=dt.date(2026, 6, 10))
    plan = plan_compute(case, today=TODAY)
    assert (plan.notice_date.value, plan.notice_date.rule) == (dt.date(2026, 6, 10), "N1")
    assert plan.notice_date.explanation == "The day planned for telling the client."
    assert plan.end_date.value == dt.date(2026, 6, 24)


def test_n1_once_told_the_day_recorded_wins_over_the_planned_day(acme, opener):
    case = case_for(acme, opener, state=State.NOTIFIED, notified_on=dt.date(2026, 6, 3))
    set_plan(case, notice_date=dt.date(2026, 6, 10))
    plan = plan_compute(case, today=TODAY)
    assert (plan.notice_date.value, plan.notice_date.rule) == (dt.date(2026, 6, 3), "N1")
    assert plan.notice_date.explanation == "The client was told on this day."
    assert plan.end_date.value == dt.date(2026, 6, 17)


def test_plan_compute_without_today_uses_the_firms_today(acme, opener):
    plan = plan_compute(case_for(acme, opener))
    assert plan.notice_date.value == acme.firm.today()


# -- the end date (N1, N2): the contract's notice, the policy's, open work ------------------------


def test_n1_the_contracts_notice_days_are_explained_with_the_days_and_the_notice_day(acme, opener):
    acme.notice_days = 30
    acme.save()
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert (plan.end_date.value, plan.end_date.rule) == (dt.date(2026, 7, 1), "N1")
    assert plan.end_date.explanation == "30 days' notice from 1 Jun 2026, as the client's contract sets (N1)."


def test_n2_the_policys_notice_days_apply_when_the_contract_sets_none(acme, opener):
    policy = policy_for(acme.firm)
    policy.notice_days = 21
    policy.save()
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert (plan.end_date.value, plan.end_date.rule) == (dt.date(2026, 6, 22), "N2")
    assert plan.end_date.explanation == (
        "The contract sets no notice: the policy's 21 days from 1 Jun 2026, about two weeks (N1, N2)."
    )


def test_n2_only_this_clients_unfinished_work_moves_the_end_date(firm, acme, opener):
    sibling = ClientFactory(firm=firm, name="Sibling")
    Engagement.objects.create(client=sibling, name="Sibling's audit", due_on=dt.date(2026, 8, 1))
    Engagement.objects.create(
        client=acme, name="Finished report", due_on=dt.date(2026, 7, 20), completed_on=dt.date(2026, 5, 1)
    )
    case = case_for(acme, opener)
    assert plan_compute(case, today=TODAY).end_date.value == END
    Engagement.objects.create(client=acme, name="Q2 close", due_on=dt.date(2026, 7, 1))
    plan = plan_compute(case, today=TODAY)
    assert (plan.end_date.value, plan.end_date.rule) == (dt.date(2026, 7, 1), "N2")
    assert plan.end_date.explanation == "Current work is finished first: “Q2 close” is due on 1 Jul 2026 (N2)."


# -- working days (N1, N2) -------------------------------------------------------------------------


def test_n2_calendar_days_unless_the_policy_counts_working_days(firm):
    policy = policy_for(firm)
    assert working_weekdays(firm, policy) is None
    policy.notice_business_days = True
    policy.save()
    assert sorted(working_weekdays(firm, policy)) == [0, 1, 2, 3, 4]


def test_n2_working_days_are_the_firms_own_not_another_firms(firm):
    FirmFactory(working_hours=[(5, dt.time(9), dt.time(13)), (6, dt.time(9), dt.time(13))])  # a weekend firm
    WorkingDay.objects.filter(firm=firm, weekday=4).delete()  # ours: Monday to Thursday
    policy = policy_for(firm)
    policy.notice_business_days = True
    policy.save()
    assert sorted(working_weekdays(firm, policy)) == [0, 1, 2, 3]


def test_n2_notice_in_working_days_counts_only_the_firms_working_days(acme, opener):
    policy = policy_for(acme.firm)
    policy.notice_business_days, policy.notice_days = True, 10
    policy.save()
    plan = plan_compute(case_for(acme, opener), today=dt.date(2026, 6, 5))  # a Friday
    assert plan.end_date.value == dt.date(2026, 6, 19)
    assert plan.end_date.explanation == (
        "The contract sets no notice: the policy's 10 working days from 5 Jun 2026 (N1, N2)."
    )


def test_n2_the_plans_working_days_are_the_firms_own_monday_to_thursday(acme, opener):
    """Ten working days from Friday 5 June for a firm that works Monday to Thursday: 8, 9, 10, 11,
    15, 16, 17, 18, 22, 23 June (Monday to Friday would end on the 19th)."""
    WorkingDay.objects.filter(firm=acme.firm, weekday=4).delete()
    policy = policy_for(acme.firm)
    policy.notice_business_days, policy.notice_days = True, 10
    policy.save()
    plan = plan_compute(case_for(acme, opener), today=dt.date(2026, 6, 5))
    assert plan.end_date.value == dt.date(2026, 6, 23)


# -- a fixed term: honoured (N3) or ended early with a refund (N4) ----------------------------------


@pytest.fixture
def fixed_term(acme):
    """A year's contract paid up front, running well past the notice."""
    acme.contract_start, acme.contract_end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    acme.prepaid_amount = Decimal("3640.00")
    acme.save()
    return acme


def test_n3_a_fixed_term_running_past_the_notice_is_honoured_by_default_with_nothing_to_refund(fixed_term, opener):
    plan = plan_compute(case_for(fixed_term, opener), today=TODAY)
    assert (plan.end_date.value, plan.end_date.rule) == (dt.date(2026, 12, 31), "N3")
    assert plan.end_date.explanation == "The fixed-term contract is honoured until it expires on 31 Dec 2026 (N3)."
    assert (plan.refund.value, plan.refund.rule) == (Decimal("0"), "N3")
    assert plan.refund.explanation == "The contract is honoured to its end: the prepaid work is delivered (N3)."


def test_n3_n4_both_choices_are_shown_side_by_side(fixed_term, opener):
    # Ended early on 15 June: 165 of 364 days elapsed (45.33 %), 54.67 % of 3640.00 returned.
    options = plan_compute(case_for(fixed_term, opener), today=TODAY).fixed_term_options
    assert options == {
        "chosen": CasePlan.FixedTerm.HONOUR,
        "honour": {"end_date": dt.date(2026, 12, 31), "rule": "N3", "refund": Decimal("0")},
        "end_early": {
            "end_date": END,
            "rule": "N4",
            "refund": Decimal("1989.99"),
            "formula": "3640.00 × (100% − 45.33%) = 1989.99",
        },
    }


def test_n3_n4_the_stored_plan_keeps_both_choices_and_the_refund(fixed_term, opener):
    """What a case keeps of its plan (the JSON the case page and the letter read back): the side by
    side choices of a fixed term and the refund with its rule."""
    plan = plan_compute(case_for(fixed_term, opener), today=TODAY).as_dict()
    assert plan["fixed_term_options"]["end_early"]["refund"] == "1989.99"
    assert plan["fixed_term_options"]["honour"]["end_date"] == "2026-12-31"
    assert plan["money"]["refund"] == {
        "value": "0",
        "rule": "N3",
        "explanation": "The contract is honoured to its end: the prepaid work is delivered (N3).",
    }


def test_n4_ending_a_fixed_term_early_refunds_the_share_of_the_term_not_elapsed(fixed_term, opener):
    case = case_for(fixed_term, opener)
    set_plan(case, fixed_term=CasePlan.FixedTerm.END_EARLY)
    plan = plan_compute(case, today=TODAY)
    assert (plan.end_date.value, plan.end_date.rule) == (END, "N2")
    assert (plan.refund.value, plan.refund.rule) == (Decimal("1989.99"), "N4")
    assert plan.refund.explanation == (
        "Prepaid 3640.00 EUR; work done 45.33% (the share of the contract's term elapsed at the end date); "
        "the rest is returned (N4)."
    )
    assert plan.fixed_term_options["chosen"] == CasePlan.FixedTerm.END_EARLY


def test_n4_work_done_entered_by_the_user_wins_over_the_term_elapsed(fixed_term, opener):
    case = case_for(fixed_term, opener)
    set_plan(case, fixed_term=CasePlan.FixedTerm.END_EARLY, work_done_percent=Decimal("75"))
    plan = plan_compute(case, today=TODAY)
    assert plan.refund.value == Decimal("910.00")
    assert "work done 75% (the share of work done you entered)" in plan.refund.explanation
    assert plan.refund.formula == "3640.00 × (100% − 75%) = 910.00"


def test_n4_ended_early_with_nothing_prepaid_shows_no_refund_in_the_options(fixed_term, opener):
    fixed_term.prepaid_amount = Decimal("0")
    fixed_term.save()
    plan = plan_compute(case_for(fixed_term, opener), today=TODAY)
    assert plan.refund is None
    assert plan.fixed_term_options["end_early"]["refund"] == Decimal("0")
    assert plan.fixed_term_options["end_early"]["formula"] == ""


def test_n4_choosing_to_end_early_changes_nothing_when_the_term_ends_before_the_notice(acme, opener):
    """A contract that expires within the notice is not 'ended early': no options, the expiry is the end."""
    acme.contract_start, acme.contract_end = dt.date(2026, 1, 1), dt.date(2026, 6, 10)
    acme.save()
    case = case_for(acme, opener)
    set_plan(case, fixed_term=CasePlan.FixedTerm.END_EARLY)
    plan = plan_compute(case, today=TODAY)
    assert (plan.end_date.value, plan.end_date.rule) == (dt.date(2026, 6, 10), "N3")
    assert plan.fixed_term_options is None


def test_n4_without_a_fixed_term_nothing_is_refunded_until_the_work_done_is_entered(acme, opener):
    """Reported survivor: with no term to measure by, the work done counts as 100 % — the refund is 0,
    not the whole prepaid amount — and the plan says to enter the share of work done."""
    acme.prepaid_amount = Decimal("1000.00")
    acme.save()
    case = case_for(acme, opener)
    plan = plan_compute(case, today=TODAY)
    assert (plan.refund.value, plan.refund.rule) == (Decimal("0.00"), "N4")
    assert "(no fixed term to measure by: enter the share of work done)" in plan.refund.explanation
    assert plan.refund.formula == "1000.00 × (100% − 100%) = 0.00"
    assert plan.fixed_term_options is None
    set_plan(case, work_done_percent=Decimal("25"))
    plan = plan_compute(case, today=TODAY)
    assert (plan.refund.value, plan.refund.rule) == (Decimal("750.00"), "N4")


def test_n4_nothing_prepaid_means_no_refund_line_at_all(acme, opener):
    acme.prepaid_amount = Decimal("0")
    acme.save()
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert plan.refund is None
    assert plan.as_dict()["money"]["refund"] is None


def test_n4_the_refund_kind_chosen_is_on_the_plan(acme, opener):
    case = case_for(acme, opener)
    assert plan_compute(case, today=TODAY).refund_kind == CasePlan.RefundKind.REFUND
    set_plan(case, refund_kind=CasePlan.RefundKind.CREDIT)
    assert plan_compute(case, today=TODAY).refund_kind == CasePlan.RefundKind.CREDIT


# -- unpaid invoices (D10) --------------------------------------------------------------------------


def test_d10_an_invoice_paid_in_full_after_its_discount_is_not_unpaid(acme, opener):
    """Reported survivor: the open amount is amount − discount − paid, so a discount is not a debt."""
    InvoiceFactory(
        client=acme,
        number="DISC-PAID",
        amount=Decimal("1000.00"),
        discount_given=Decimal("100.00"),
        amount_paid=Decimal("900.00"),
    )
    short = InvoiceFactory(
        client=acme,
        number="DISC-SHORT",
        amount=Decimal("1000.00"),
        discount_given=Decimal("100.00"),
        amount_paid=Decimal("850.00"),
    )
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert [(row.invoice.pk, row.open_amount) for row in plan.invoices] == [(short.pk, Decimal("50.00"))]
    assert plan.balance == Decimal("50.00")


def test_d10_one_cent_open_is_unpaid_nothing_open_is_not(acme, opener):
    InvoiceFactory(client=acme, number="EVEN", amount=Decimal("500.00"), amount_paid=Decimal("500.00"))
    cent = InvoiceFactory(client=acme, number="CENT", amount=Decimal("500.00"), amount_paid=Decimal("499.99"))
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert [(row.invoice.number, row.open_amount) for row in plan.outstanding] == [(cent.number, Decimal("0.01"))]


def test_d10_an_invoice_marked_paid_is_not_unpaid_whatever_the_amount_recorded(acme, opener):
    InvoiceFactory(client=acme, number="MARKED", amount=Decimal("500.00"), paid_on=dt.date(2026, 3, 20))
    assert plan_compute(case_for(acme, opener), today=TODAY).invoices == []


def test_d10_another_clients_unpaid_invoice_is_not_this_clients(firm, acme, opener):
    InvoiceFactory(client=ClientFactory(firm=firm, name="Sibling"), number="SIB-1")
    own = InvoiceFactory(client=acme, number="OWN-1")
    assert [row.invoice.pk for row in plan_compute(case_for(acme, opener), today=TODAY).invoices] == [own.pk]


def test_d10_unpaid_invoices_are_listed_by_due_date_then_number(acme, opener):
    InvoiceFactory(client=acme, number="B", issued_on=dt.date(2026, 3, 1), due_on=dt.date(2026, 4, 1))
    InvoiceFactory(client=acme, number="A", issued_on=dt.date(2026, 3, 1), due_on=dt.date(2026, 4, 1))
    InvoiceFactory(client=acme, number="C", issued_on=dt.date(2026, 2, 1), due_on=dt.date(2026, 3, 1))
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert [row.invoice.number for row in plan.invoices] == ["C", "A", "B"]


def test_d10_a_written_off_invoice_stays_listed_with_its_reason_but_is_not_outstanding(acme, opener):
    case = case_for(acme, opener)
    gone = InvoiceFactory(client=acme, number="A-GONE", amount=Decimal("300.00"))
    due = InvoiceFactory(client=acme, number="B-DUE", amount=Decimal("200.00"))
    InvoiceWriteOff.objects.create(case=case, invoice=gone, reason="Client insolvent", by=opener)
    plan = plan_compute(case, today=TODAY)
    assert [(row.invoice.number, row.written_off) for row in plan.invoices] == [
        ("A-GONE", "Client insolvent"),
        ("B-DUE", None),
    ]
    assert [row.invoice.pk for row in plan.outstanding] == [due.pk]
    assert plan.balance == Decimal("200.00")


def test_d10_the_balance_is_in_the_firms_currency_at_each_invoices_rate(acme, opener):
    InvoiceFactory(client=acme, number="A-USD", amount=Decimal("100.00"), currency="USD", fx_rate=Decimal("0.9"))
    InvoiceFactory(client=acme, number="B-EUR", amount=Decimal("10.00"))
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert plan.balance == Decimal("100.00")
    money = plan.as_dict()["money"]
    assert money["balance"] == "100.00"
    usd = money["outstanding_invoices"][0]
    assert usd == {
        "id": usd["id"],
        "number": "A-USD",
        "due_on": "2026-03-15",
        "open_amount": "100.00",
        "currency": "USD",
        "written_off": None,
    }


# -- the final invoice (D10) --------------------------------------------------------------------------


def test_d10_final_invoice_counts_billable_hours_since_the_last_invoice_up_to_today_plus_the_pace(firm, acme, opener):
    """Logged: after the last invoice's day, up to today, billable, this client's. Pace: the last 12 weeks
    (84 days before today is out), divided by 12, carried over the 14 days to the end."""
    InvoiceFactory(client=acme, number="LAST", issued_on=dt.date(2026, 5, 1), paid_on=dt.date(2026, 5, 10))
    InvoiceFactory(client=ClientFactory(firm=firm, name="Sibling"), number="SIB", issued_on=dt.date(2026, 5, 20))
    TimeEntryFactory(client=acme, date=dt.date(2026, 5, 1), hours=Decimal("3"))  # on the invoice day: billed
    TimeEntryFactory(client=acme, date=dt.date(2026, 5, 2), hours=Decimal("2"))
    TimeEntryFactory(client=acme, date=TODAY, hours=Decimal("1"))
    TimeEntryFactory(client=acme, date=TODAY + dt.timedelta(days=1), hours=Decimal("5"))  # tomorrow: not yet
    TimeEntryFactory(client=acme, date=dt.date(2026, 5, 10), hours=Decimal("7"), billable=False)
    TimeEntryFactory(client=ClientFactory(firm=firm, name="Other"), date=dt.date(2026, 5, 10), hours=Decimal("11"))
    TimeEntryFactory(client=acme, date=TODAY - dt.timedelta(days=83), hours=Decimal("12"))  # in the 12 weeks
    TimeEntryFactory(client=acme, date=TODAY - dt.timedelta(days=84), hours=Decimal("24"))  # just out of them
    final = plan_compute(case_for(acme, opener), today=TODAY).final_invoice
    # logged 2 + 1 = 3 h; pace (3 + 2 + 1 + 12) / 12 = 1.5 h a week; 14 days left: 3.0 h more.
    assert (final.value, final.rule) == (Decimal("600.00"), "D10")
    assert final.explanation == (
        "3 h logged since the last invoice + 3.0 h expected until the end date (1.5 h a week lately), "
        "at the target rate of 100.00 EUR."
    )
    assert final.formula.startswith("(3")
    assert final.formula.endswith(" h + 3.0 h) × 100.00")


def test_d10_final_invoice_without_any_invoice_counts_every_billable_hour_up_to_today(acme, opener):
    TimeEntryFactory(client=acme, date=dt.date(2025, 1, 10), hours=Decimal("4"))  # long before the pace window
    TimeEntryFactory(client=acme, date=TODAY + dt.timedelta(days=3), hours=Decimal("9"))
    final = plan_compute(case_for(acme, opener), today=TODAY).final_invoice
    assert final.value == Decimal("400.00")
    assert final.explanation.startswith("4 h logged since the last invoice + 0.0 h expected")


def test_d10_final_invoice_after_the_end_date_projects_no_more_hours(acme, opener):
    """Closing late: the end date is behind today, so nothing more is expected (never negative hours)."""
    case = case_for(acme, opener)
    set_plan(case, notice_date=dt.date(2026, 5, 1))  # ends 15 May
    TimeEntryFactory(client=acme, date=dt.date(2026, 5, 20), hours=Decimal("12"))
    final = plan_compute(case, today=TODAY).final_invoice
    assert final.value == Decimal("1200.00")
    assert "+ 0.0 h expected" in final.explanation
    assert "(1.0 h a week lately)" in final.explanation


def test_d10_final_invoice_projection_is_rounded_to_tenths_of_an_hour(acme, opener):
    TimeEntryFactory(client=acme, date=TODAY - dt.timedelta(days=1), hours=Decimal("1"))
    final = plan_compute(case_for(acme, opener), today=TODAY).final_invoice
    # 1 h logged; 1/12 h a week for 2 weeks is 0.1666… → 0.2 h.
    assert final.value == Decimal("120.00")
    assert "+ 0.2 h expected until the end date (0.1 h a week lately)" in final.explanation


def test_d10_final_invoice_is_rounded_to_the_firms_currency_unit(db):
    firm = FirmFactory(currency="JPY", target_hourly_rate=Decimal("9999.50"))
    client = ClientFactory(firm=firm)
    member = MembershipFactory(firm=firm).user
    TimeEntryFactory(client=client, date=dt.date(2025, 1, 10), hours=Decimal("1"))
    final = plan_compute(case_for(client, member), today=TODAY).final_invoice
    assert final.value == Decimal("10000")
    assert final.explanation.endswith("at the target rate of 9999.50 JPY.")


# -- values changed by hand ------------------------------------------------------------------------------


def overridden(case, **fields):
    set_plan(case, overrides={name: {"value": value, "reason": f"why {name}"} for name, value in fields.items()})


def test_a_changed_end_date_moves_the_deletion_date_and_keeps_what_was_computed(acme, opener):
    case = case_for(acme, opener)
    overridden(case, end_date="2026-06-30")
    plan = plan_compute(case, today=TODAY)
    assert plan.end_date.value == dt.date(2026, 6, 30)
    assert (plan.end_date.computed, plan.end_date.reason, plan.end_date.rule) == (END, "why end_date", "N2")
    assert plan.end_date.explanation == "Changed by hand: why end_date"
    assert plan.deletion_date.value == dt.date(2026, 7, 30)
    assert plan.accounting_until.value == dt.date(2031, 12, 31)


def test_a_changed_deletion_date_and_amounts_keep_their_rule_and_formula(acme, opener):
    acme.prepaid_amount = Decimal("100.00")
    acme.save()
    case = case_for(acme, opener)
    set_plan(case, work_done_percent=Decimal("50"))
    overridden(case, deletion_date="2026-08-01", final_invoice="123.45", refund="10")
    plan = plan_compute(case, today=TODAY)
    assert (plan.deletion_date.value, plan.deletion_date.computed) == (dt.date(2026, 8, 1), dt.date(2026, 7, 15))
    assert plan.deletion_date.rule == "O5"
    assert (plan.final_invoice.value, plan.final_invoice.computed) == (Decimal("123.45"), Decimal("0.00"))
    assert plan.final_invoice.formula == "(0 h + 0.0 h) × 100.00"
    assert (plan.refund.value, plan.refund.computed, plan.refund.rule) == (Decimal("10"), Decimal("50.00"), "N4")
    assert plan.refund.formula == "100.00 × (100% − 50%) = 50.00"
    assert plan.end_date.overridden is False


def test_a_changed_value_shows_computed_and_reason_in_the_plans_json(acme, opener):
    case = case_for(acme, opener)
    overridden(case, end_date="2026-06-30")
    data = plan_compute(case, today=TODAY).as_dict()
    assert data["end_date"] == {
        "value": "2026-06-30",
        "rule": "N2",
        "explanation": "Changed by hand: why end_date",
        "computed": "2026-06-15",
        "reason": "why end_date",
    }
    assert set(data["notice_date"]) == {"value", "rule", "explanation"}
    assert data["money"]["final_invoice"]["formula"] == "(0 h + 0.0 h) × 100.00"
    assert "formula" not in data["deletion_date"]


# -- deletion (O5), records kept by law, support (O6), the JSON told to the client -------------------


def test_o5_deletion_is_the_policys_retention_days_after_the_end_and_says_so(acme, opener):
    policy = policy_for(acme.firm)
    policy.retention_days, policy.accounting_retention_years = 45, 7
    policy.save()
    plan = plan_compute(case_for(acme, opener), today=TODAY)
    assert (plan.deletion_date.value, plan.deletion_date.rule) == (dt.date(2026, 7, 30), "O5")
    assert plan.deletion_date.explanation == "The end date plus the policy's 45 days; the client is told this date."
    assert (plan.accounting_until.value, plan.accounting_until.rule) == (dt.date(2033, 12, 31), "O5")
    assert "7 years after the end of the year of the end date" in plan.accounting_until.explanation


def test_o6_no_support_days_no_support(acme, opener):
    assert plan_compute(case_for(acme, opener), today=TODAY).support is None


def test_o6_paid_support_runs_its_days_after_the_end_for_its_fee(acme, opener):
    case = case_for(acme, opener)
    set_plan(case, support_days=10, support_fee=Decimal("250.00"))
    plan = plan_compute(case, today=TODAY)
    assert plan.support == {"days": 10, "until": dt.date(2026, 6, 25), "fee": Decimal("250.00"), "rule": "O6"}
    assert plan.as_dict()["support"] == {"days": 10, "until": "2026-06-25", "fee": "250.00", "rule": "O6"}


def test_the_plans_json_names_every_value_with_its_rule(acme, opener):
    data = plan_compute(case_for(acme, opener), today=TODAY).as_dict()
    assert data["currency"] == "EUR"
    assert data["notice_date"]["value"] == "2026-06-01"
    assert (data["end_date"]["value"], data["end_date"]["rule"]) == ("2026-06-15", "N2")
    assert (data["deletion_date"]["value"], data["deletion_date"]["rule"]) == ("2026-07-15", "O5")
    assert data["accounting_records_until"]["value"] == "2031-12-31"
    assert data["fixed_term_options"] is None
    assert data["support"] is None
    assert data["money"] == {
        "outstanding_invoices": [],
        "balance": "0.00",
        "final_invoice": data["money"]["final_invoice"],
        "refund": None,
        "refund_kind": "refund",
    }
    assert data["money"]["final_invoice"]["value"] == "0.00"


def test_json_values_are_strings_for_dates_and_amounts_inside_dicts_too():
    assert _json(dt.date(2026, 1, 2)) == "2026-01-02"
    assert _json(Decimal("1.50")) == "1.50"
    assert _json({"a": {"b": dt.date(2026, 1, 2)}, "c": 3}) == {"a": {"b": "2026-01-02"}, "c": 3}
    assert _json(None) is None


def test_an_item_without_a_reason_is_not_overridden_and_its_json_has_no_computed_value():
    item = Item(dt.date(2026, 1, 2), "N1", "why", computed=dt.date(2026, 1, 1))
    assert item.overridden is False
    assert item.as_dict() == {"value": "2026-01-02", "rule": "N1", "explanation": "why"}


def test_an_open_invoice_written_off_carries_its_reason_in_json(acme):
    invoice = InvoiceFactory(client=acme, number="W-1")
    row = OpenInvoice(invoice, Decimal("5.00"), "Small")
    assert row.as_dict()["written_off"] == "Small"
    assert row.as_dict()["open_amount"] == "5.00"


def test_plan_get_creates_the_plan_once(acme, opener):
    case = case_for(acme, opener)
    first = plan_get(case)
    assert plan_get(case).pk == first.pk
    assert CasePlan.objects.filter(case=case).count() == 1


# -- found by mutants (fixed): a percentage or an hour count that is a multiple of ten ---------------


@pytest.mark.parametrize("entered, shown", [(Decimal("100"), "100%"), (Decimal("50"), "50%")])
def test_n4_the_refund_explanation_shows_a_round_work_done_share_as_a_plain_number(acme, opener, entered, shown):
    acme.prepaid_amount = Decimal("1000.00")
    acme.save()
    case = case_for(acme, opener)
    set_plan(case, work_done_percent=entered)
    assert (
        f"work done {shown} (the share of work done you entered)" in plan_compute(case, today=TODAY).refund.explanation
    )


def test_d10_the_final_invoice_explanation_shows_ten_hours_logged_as_10(acme, opener):
    TimeEntryFactory(client=acme, date=dt.date(2025, 1, 10), hours=Decimal("10"))
    final = plan_compute(case_for(acme, opener), today=TODAY).final_invoice
    assert final.explanation.startswith("10 h logged since the last invoice")
