"""The pure plan rules at their last edges (N4, O5): a one-day term on its first day, a share of the term
elapsed that falls exactly on half a hundredth, and the deletion and accounting dates at a year end. The
rest of each rule's edges are in test_rules.py; these are the ones a mutation run found no test for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parting.cases.rules import (
    accounting_retention_until,
    deletion_date,
    refund_by_work_done,
    round_money,
    term_elapsed_percent,
)

START = dt.date(2026, 1, 1)


def test_n4_a_one_day_term_on_its_first_day_has_nothing_elapsed():
    assert term_elapsed_percent(START, START + dt.timedelta(days=1), START) == Decimal("0.00")
    assert term_elapsed_percent(START, START + dt.timedelta(days=1), START + dt.timedelta(days=1)) == Decimal("100.00")


def test_n4_a_term_ending_on_its_start_counts_as_fully_elapsed_from_the_first_day():
    assert term_elapsed_percent(START, START, START - dt.timedelta(days=5)) == Decimal("100")


def test_n4_the_share_of_the_term_elapsed_rounds_half_up_not_to_even():
    # 1 of 800 days is 0.125 %: half up gives 0.13 (half to even would give 0.12); 3 of 800 is 0.375 → 0.38.
    end = START + dt.timedelta(days=800)
    assert term_elapsed_percent(START, end, START + dt.timedelta(days=1)) == Decimal("0.13")
    assert term_elapsed_percent(START, end, START + dt.timedelta(days=3)) == Decimal("0.38")


def test_n4_a_refund_of_half_a_cent_rounds_up_to_the_client():
    refund = refund_by_work_done(Decimal("0.25"), Decimal("50"), "EUR")
    assert (refund.refund, refund.retained) == (Decimal("0.13"), Decimal("0.12"))


def test_n4_three_decimal_currencies_round_half_up_to_the_fils():
    assert round_money(Decimal("1.0005"), "kwd") == Decimal("1.001")
    assert round_money(Decimal("1.0025"), "BHD") == Decimal("1.003")


def test_o5_the_deletion_date_crosses_a_year_end_and_zero_days_is_the_end_itself():
    assert deletion_date(dt.date(2026, 12, 15), 30) == dt.date(2027, 1, 14)
    assert deletion_date(dt.date(2026, 12, 15), 0) == dt.date(2026, 12, 15)


def test_accounting_records_of_a_service_ending_on_new_years_eve_run_from_that_year():
    assert accounting_retention_until(dt.date(2026, 12, 31), 5) == dt.date(2031, 12, 31)
    assert accounting_retention_until(dt.date(2027, 1, 1), 0) == dt.date(2027, 12, 31)
