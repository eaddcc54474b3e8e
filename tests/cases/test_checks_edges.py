"""The decision checks at their edges (D2, D3, D5, D6, D7, D9, D10, D12): each question's status on each
side of what decides it — expectations recorded or not, evidence spanning 13 vs 14 days, a revenue share
of 9.9 vs 10 %, referrals or none, dealbreakers or none, one vs two unpaid invoices, a stake or none — and
the facts each shows the reviewers. Dates are the firm's today or fixed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parting.cases.checks import PATTERN_DAYS, Check, blocking, case_checks, evidence_span
from parting.cases.models import CaseReason, InvoiceWriteOff, OffboardingCase
from parting.cases.plan import plan_compute
from parting.evidence.models import Incident
from parting.signs.policy import policy_for
from tests.factories import ClientFactory, IncidentFactory, InvoiceFactory, MembershipFactory, TimeEntryFactory

State = OffboardingCase.State


@pytest.fixture
def opener(firm):
    return MembershipFactory(firm=firm).user


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


def case_for(client, by, **fields) -> OffboardingCase:
    return OffboardingCase.objects.create(firm=client.firm, client=client, opened_by=by, **fields)


def reason(case, *days, sign_id="", text="", extra_rows=()) -> CaseReason:
    rows = [{"kind": "incident", "id": n, "text": "x", "date": day.isoformat()} for n, day in enumerate(days)]
    return CaseReason.objects.create(
        case=case,
        sign_id=sign_id,
        text=text or ("" if sign_id else f"written {len(days)} {days}"),
        snapshot={"evidence": rows + list(extra_rows)},
        added_by=case.opened_by,
    )


def check(case, rule, plan=None) -> Check:
    return next(c for c in case_checks(case, plan) if c.rule == rule)


def test_the_checks_come_in_the_order_the_reviewers_read_them(acme, opener):
    assert [c.rule for c in case_checks(case_for(acme, opener))] == ["D2", "D3", "D5", "D6", "D7", "D10", "D12", "D9"]


def test_each_check_asks_its_rules_question_in_the_reviewers_language(acme, opener):
    """What the review page shows above each check (DOMAIN.md's D rules), in English and in Polish."""
    from django.utils import translation

    case = case_for(acme, opener)
    assert [(c.rule, c.question) for c in case_checks(case)] == [
        ("D2", "Have the client's expectations been managed first?"),
        ("D3", "Is this more than one bad incident?"),
        ("D5", "What does the client bring, against the trouble?"),
        ("D6", "Who else might leave with them?"),
        ("D7", "Which of the firm's dealbreakers does the client hit?"),
        ("D10", "Has the client paid in full?"),
        ("D12", "Does the client hold a stake in the firm?"),
        ("D9", "Why not just raise the price?"),
    ]
    with translation.override("pl"):
        polish = [c.question for c in case_checks(case)]
    assert all(polish) and not set(polish) & {c.question for c in case_checks(case)}


# -- D2: expectations managed first ------------------------------------------------------------------


@pytest.mark.parametrize("sign_id", ["W2", "W3", "W6", "W13"])
def test_d2_an_expectation_sign_without_a_record_must_be_answered(acme, opener, sign_id):
    case = case_for(acme, opener)
    reason(case, sign_id=sign_id)
    d2 = check(case, "D2")
    assert d2.status == "open"
    assert d2.facts == [
        f"Reasons {sign_id} are about expectations: tell the client what you can and will do, then record when and how."
    ]
    assert [c.rule for c in blocking(case_checks(case))][:1] == ["D2"]


def test_d2_lists_every_expectation_sign_and_leaves_the_others_out(acme, opener):
    case = case_for(acme, opener)
    for sign_id in ("W2", "W7", "W13"):
        reason(case, sign_id=sign_id)
    assert check(case, "D2").facts[0].startswith("Reasons W2, W13 are about expectations")


@pytest.mark.parametrize("sign_id", ["W7", "W15", ""])
def test_d2_reasons_not_about_expectations_need_no_answer(acme, opener, sign_id):
    case = case_for(acme, opener)
    reason(case, sign_id=sign_id)
    d2 = check(case, "D2")
    assert (d2.status, d2.facts) == ("info", ["None of the reasons is about expectations alone."])


def test_d2_recorded_expectations_answer_it_with_the_day_and_how(acme, opener):
    case = case_for(acme, opener, expectations_managed_on=dt.date(2026, 5, 4), expectations_note="Call with Ana")
    reason(case, sign_id="W13")
    d2 = check(case, "D2")
    assert (d2.status, d2.facts) == ("ok", ["Discussed on 4 May 2026: Call with Ana"])


def test_d2_recorded_without_a_note_shows_a_dash(acme, opener):
    case = case_for(acme, opener, expectations_managed_on=dt.date(2026, 5, 4))
    assert check(case, "D2").facts == ["Discussed on 4 May 2026: —"]


# -- D3: more than one bad incident ------------------------------------------------------------------


def test_d3_evidence_spanning_one_day_less_than_the_pattern_must_be_confirmed(acme, opener):
    case = case_for(acme, opener)
    reason(case, dt.date(2026, 5, 1), dt.date(2026, 5, 1) + dt.timedelta(days=PATTERN_DAYS - 1))
    d3 = check(case, "D3")
    assert d3.status == "open"
    assert d3.facts == [
        "The evidence runs from 1 May 2026 to 14 May 2026: 13 days.",
        "The evidence spans less than 14 days: confirm this is a pattern, not one failed discussion.",
    ]
    assert blocking(case_checks(case))[-1].rule == "D3"


def test_d3_evidence_spanning_exactly_the_pattern_needs_no_confirmation(acme, opener):
    case = case_for(acme, opener)
    reason(case, dt.date(2026, 5, 1), dt.date(2026, 5, 1) + dt.timedelta(days=PATTERN_DAYS))
    d3 = check(case, "D3")
    assert (d3.status, d3.facts) == ("ok", ["The evidence runs from 1 May 2026 to 15 May 2026: 14 days."])
    assert PATTERN_DAYS == 14


def test_d3_the_span_runs_across_every_reason_from_the_first_day_to_the_last(acme, opener):
    case = case_for(acme, opener)
    reason(case, dt.date(2026, 5, 10), sign_id="W7")
    reason(case, dt.date(2026, 5, 20), dt.date(2026, 5, 2), sign_id="W15")
    reason(case, dt.date(2026, 5, 12), extra_rows=[{"kind": "incident", "id": 9, "text": "undated"}])
    assert evidence_span(case) == (dt.date(2026, 5, 2), dt.date(2026, 5, 20))
    assert check(case, "D3").status == "ok"


def test_d3_one_day_of_evidence_is_said_in_the_singular(acme, opener):
    case = case_for(acme, opener)
    reason(case, dt.date(2026, 5, 1), dt.date(2026, 5, 2))
    assert check(case, "D3").facts[0] == "The evidence runs from 1 May 2026 to 2 May 2026: 1 day."


def test_d3_no_dated_evidence_at_all_must_be_confirmed(acme, opener):
    case = case_for(acme, opener)
    reason(case, extra_rows=[{"kind": "incident", "id": 1, "text": "undated"}])
    assert evidence_span(case) is None
    d3 = check(case, "D3")
    assert d3.status == "open"
    assert d3.facts == ["The evidence spans less than 14 days: confirm this is a pattern, not one failed discussion."]


def test_d3_a_confirmed_pattern_answers_it_however_short_the_evidence(acme, opener):
    case = case_for(acme, opener, confirmed_not_one_incident=True)
    reason(case, dt.date(2026, 5, 1), dt.date(2026, 5, 4))
    d3 = check(case, "D3")
    assert d3.status == "ok"
    assert d3.facts == [
        "The evidence runs from 1 May 2026 to 4 May 2026: 3 days.",
        "Confirmed: this is more than one bad incident.",
    ]
    assert blocking(case_checks(case)) == []


# -- D5: revenue against the trouble ------------------------------------------------------------------


def revenue(client, amount):
    InvoiceFactory(
        client=client,
        amount=Decimal(amount),
        issued_on=client.firm.today() - dt.timedelta(days=3),
        paid_on=client.firm.today() - dt.timedelta(days=1),
        amount_paid=Decimal(amount),
    )


def test_d5_a_tenth_of_the_firms_revenue_is_a_large_share(firm, acme, opener):
    revenue(acme, "100.00")
    revenue(ClientFactory(firm=firm, name="Other"), "900.00")
    d5 = check(case_for(acme, opener), "D5")
    assert d5.status == "warn"
    assert d5.facts == [
        "Revenue in the window: 100.00 EUR, 10.0% of the firm's.",
        "A large share of revenue: make sure the firm can carry its loss.",
    ]


def test_d5_just_under_a_tenth_is_not_a_large_share(firm, acme, opener):
    revenue(acme, "99.00")
    revenue(ClientFactory(firm=firm, name="Other"), "901.00")
    d5 = check(case_for(acme, opener), "D5")
    assert (d5.status, d5.facts) == ("ok", ["Revenue in the window: 99.00 EUR, 9.9% of the firm's."])


def test_d5_shows_the_effective_rate_against_the_target_when_hours_are_logged(acme, opener):
    revenue(acme, "100.00")
    TimeEntryFactory(client=acme, date=acme.firm.today() - dt.timedelta(days=2), hours=Decimal("2"))
    d5 = check(case_for(acme, opener), "D5")
    assert "Effective hourly rate 50.00 against a target of 100.00, over 2.0 hours." in d5.facts


# -- D6: who else might leave ---------------------------------------------------------------------------


def test_d6_clients_who_came_through_them_are_named_in_order_with_their_revenue(firm, acme, opener):
    revenue(ClientFactory(firm=firm, name="Zeta", referred_by=acme), "300.00")
    ClientFactory(firm=firm, name="Alpha", referred_by=acme)
    ClientFactory(firm=firm, name="Unrelated")
    d6 = check(case_for(acme, opener), "D6")
    assert d6.status == "warn"
    assert d6.facts == ["2 clients came through them (Alpha, Zeta), bringing 300.00 EUR."]


def test_d6_one_client_who_came_through_them_is_said_in_the_singular(firm, acme, opener):
    ClientFactory(firm=firm, name="Alpha", referred_by=acme)
    assert check(case_for(acme, opener), "D6").facts == ["1 client came through them (Alpha), bringing 0.00 EUR."]


def test_d6_no_referrals_no_warning(acme, opener):
    d6 = check(case_for(acme, opener), "D6")
    assert (d6.status, d6.facts) == ("ok", ["No other client came through them."])


# -- D7: dealbreakers ----------------------------------------------------------------------------------------


def test_d7_the_dealbreakers_the_client_hits_are_listed(acme, opener):
    policy = policy_for(acme.firm)
    policy.dealbreakers = [{"type": "incidents", "kind": "disrespect", "count": 2, "months": 6}]
    policy.save()
    for days in (3, 30):
        IncidentFactory(client=acme, kind=Incident.Kind.DISRESPECT, occurred_on=acme.firm.today() - dt.timedelta(days))
    d7 = check(case_for(acme, opener), "D7")
    assert d7.status == "info"
    assert len(d7.facts) == 1 and d7.facts[0].startswith("2 incidents of")


def test_d7_none_hit_says_so(acme, opener):
    assert check(case_for(acme, opener), "D7").facts == ["None of the written dealbreakers."]


# -- D10: paid in full -------------------------------------------------------------------------------------


def test_d10_one_unpaid_invoice_is_a_warning_with_the_balance(acme, opener):
    InvoiceFactory(client=acme, amount=Decimal("450.00"))
    d10 = check(case_for(acme, opener), "D10")
    assert d10.status == "warn"
    assert d10.facts == ["1 invoice is unpaid: 450.00 EUR. Collect or write it off before telling the client."]


def test_d10_two_unpaid_invoices_are_said_in_the_plural(acme, opener):
    InvoiceFactory(client=acme, amount=Decimal("450.00"))
    InvoiceFactory(client=acme, amount=Decimal("50.00"))
    assert check(case_for(acme, opener), "D10").facts == [
        "2 invoices are unpaid: 500.00 EUR. Collect or write them off before telling the client."
    ]


def test_d10_a_written_off_invoice_is_not_outstanding(acme, opener):
    case = case_for(acme, opener)
    invoice = InvoiceFactory(client=acme, amount=Decimal("450.00"))
    InvoiceWriteOff.objects.create(case=case, invoice=invoice, reason="Insolvent", by=opener)
    d10 = check(case, "D10")
    assert (d10.status, d10.facts) == ("ok", ["Nothing is outstanding."])


def test_d10_reads_the_plan_it_is_given_rather_than_computing_another(acme, opener):
    case = case_for(acme, opener)
    plan = plan_compute(case)
    InvoiceFactory(client=acme, amount=Decimal("450.00"))  # after the plan the page already shows
    assert check(case, "D10", plan).status == "ok"
    assert check(case, "D10").status == "warn"


# -- D12 and D9 -------------------------------------------------------------------------------------------------


def test_d12_a_client_holding_a_stake_is_a_warning_to_seek_advice(firm, opener):
    d12 = check(case_for(ClientFactory(firm=firm, holds_stake=True), opener), "D12")
    assert (d12.status, d12.facts) == (
        "warn",
        ["Yes: seek professional (legal and financial) advice before going further."],
    )


def test_d12_no_stake_no_warning(acme, opener):
    d12 = check(case_for(acme, opener), "D12")
    assert (d12.status, d12.facts) == ("ok", ["No."])


def test_d9_is_a_reminder_not_a_question_to_answer(acme, opener):
    d9 = check(case_for(acme, opener), "D9")
    assert d9.status == "info"
    assert d9.facts == ["Raising prices to make a client leave is not recommended: some accept the higher price."]


# -- blocking and the JSON ------------------------------------------------------------------------------------


def test_only_checks_that_need_an_answer_block_the_review():
    checks = [Check("D2", "q", "open"), Check("D5", "q", "warn"), Check("D9", "q", "info"), Check("D3", "q", "ok")]
    assert [c.rule for c in blocking(checks)] == ["D2"]


def test_a_check_as_json_keeps_its_rule_question_status_and_facts():
    assert Check("D3", "Is it?", "open", ["a"]).as_dict() == {
        "rule": "D3",
        "question": "Is it?",
        "status": "open",
        "facts": ["a"],
    }
