"""The pure plan rules (DOMAIN N1–N4, O5): end dates, day counting, money rounding, refunds, deletion dates.

Plain functions, so no database: each rule is checked on its own, the refund also by properties.
"""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parting.cases.rules import (
    EndDate,
    Work,
    accounting_retention_until,
    add_days,
    deletion_date,
    end_date,
    minor_units,
    refund_by_work_done,
    round_money,
    term_elapsed_percent,
)

MONDAY = dt.date(2026, 6, 1)
FRIDAY = dt.date(2026, 6, 5)
MON_TO_FRI = [0, 1, 2, 3, 4]
MON_TO_SAT = [0, 1, 2, 3, 4, 5]


def _end(**kwargs) -> EndDate:
    """``end_date`` with calendar days, 14 days' policy notice and no contract notice unless given."""
    args = {
        "notice_date": MONDAY,
        "contract_notice_days": None,
        "policy_notice_days": 14,
        "working_weekdays": None,
    }
    return end_date(**(args | kwargs))


# -- end_date: notice (N1, N2) ----------------------------------------------------------------


def test_n1_contract_notice_days_set_the_end_date():
    end = _end(contract_notice_days=30)

    assert end.date == dt.date(2026, 7, 1)
    assert end.rule == "N1"
    assert end.why == "contract"
    assert end.values == {"days": 30, "from": MONDAY}


def test_n1_contract_notice_wins_over_the_policy_default_even_when_shorter():
    end = _end(contract_notice_days=7, policy_notice_days=14)

    assert end.date == dt.date(2026, 6, 8)
    assert end.rule == "N1"
    assert end.why == "contract"


def test_n1_contract_notice_of_zero_days_is_a_contract_notice_not_the_policy_default():
    end = _end(contract_notice_days=0)

    assert end.date == MONDAY
    assert end.rule == "N1"
    assert end.why == "contract"


def test_n2_policy_default_of_14_days_applies_when_the_contract_sets_no_notice():
    end = _end(contract_notice_days=None, policy_notice_days=14)

    assert end.date == dt.date(2026, 6, 15)
    assert end.rule == "N2"
    assert end.why == "policy"
    assert end.values == {"days": 14, "from": MONDAY}


# -- end_date: current work (N2) --------------------------------------------------------------


def test_n2_open_work_due_after_the_notice_moves_the_end_to_its_due_date():
    end = _end(open_work=[Work("Q2 close", dt.date(2026, 6, 25))])

    assert end.date == dt.date(2026, 6, 25)
    assert end.rule == "N2"
    assert end.why == "work"
    assert end.values == {"name": "Q2 close", "due": dt.date(2026, 6, 25), "count": 1}


def test_n2_the_end_moves_to_the_last_due_date_and_counts_only_work_due_after_the_notice():
    work = [
        Work("Payroll June", dt.date(2026, 6, 10)),  # before the notice end: finished anyway
        Work("Annual accounts", dt.date(2026, 7, 20)),
        Work("Q2 close", dt.date(2026, 6, 25)),
    ]

    end = _end(open_work=work)

    assert end.date == dt.date(2026, 7, 20)
    assert end.rule == "N2"
    assert end.why == "work"
    assert end.values == {"name": "Annual accounts", "due": dt.date(2026, 7, 20), "count": 2}


def test_n2_open_work_due_before_the_notice_end_does_not_move_it():
    end = _end(contract_notice_days=30, open_work=[Work("Payroll June", dt.date(2026, 6, 10))])

    assert end.date == dt.date(2026, 7, 1)
    assert end.rule == "N1"
    assert end.why == "contract"


def test_n2_open_work_due_on_the_notice_end_itself_does_not_move_it():
    end = _end(open_work=[Work("Q2 close", dt.date(2026, 6, 15))])

    assert end.date == dt.date(2026, 6, 15)
    assert end.rule == "N2"
    assert end.why == "policy"


# -- end_date: fixed-term contracts (N3, N4) --------------------------------------------------


def test_n3_fixed_term_running_past_the_notice_is_honoured_to_its_end():
    contract_end = dt.date(2026, 9, 30)

    end = _end(contract_notice_days=30, contract_end=contract_end, honour_fixed_term=True)

    assert end.date == contract_end
    assert end.rule == "N3"
    assert end.why == "honour"
    assert end.values == {"contract_end": contract_end}


def test_n3_fixed_term_is_honoured_by_default():
    end = _end(contract_end=dt.date(2026, 9, 30))

    assert end.date == dt.date(2026, 9, 30)
    assert end.rule == "N3"
    assert end.why == "honour"


def test_n3_honoured_fixed_term_also_outlasts_open_work_due_before_it():
    work = [Work("Q2 close", dt.date(2026, 6, 25))]

    end = _end(open_work=work, contract_end=dt.date(2026, 9, 30), honour_fixed_term=True)

    assert end.date == dt.date(2026, 9, 30)
    assert end.rule == "N3"
    assert end.why == "honour"


def test_n4_fixed_term_ended_early_ends_when_the_notice_runs_out():
    end = _end(contract_notice_days=30, contract_end=dt.date(2026, 9, 30), honour_fixed_term=False)

    assert end.date == dt.date(2026, 7, 1)
    assert end.rule == "N1"
    assert end.why == "contract"


def test_n4_fixed_term_ended_early_still_waits_for_open_work_n2():
    work = [Work("Q2 close", dt.date(2026, 6, 25))]

    end = _end(open_work=work, contract_end=dt.date(2026, 9, 30), honour_fixed_term=False)

    assert end.date == dt.date(2026, 6, 25)
    assert end.rule == "N2"
    assert end.why == "work"


def test_n3_open_work_due_after_the_fixed_term_ends_the_service_on_its_due_date():
    work = [Work("Annual accounts", dt.date(2026, 10, 15))]

    end = _end(open_work=work, contract_end=dt.date(2026, 9, 30), honour_fixed_term=True)

    assert end.date == dt.date(2026, 10, 15)
    assert end.rule == "N2"
    assert end.why == "work"


@pytest.mark.parametrize("honour", [True, False])
def test_n3_contract_expiring_before_the_notice_runs_out_ends_on_its_expiry(honour):
    contract_end = dt.date(2026, 6, 20)

    end = _end(contract_notice_days=30, contract_end=contract_end, honour_fixed_term=honour)

    assert end.date == contract_end
    assert end.rule == "N3"
    assert end.why == "expires"
    assert end.values == {"contract_end": contract_end}


def test_n3_contract_expiring_before_the_notice_runs_out_owes_no_work_due_after_it():
    work = [Work("Annual accounts", dt.date(2026, 7, 20))]

    end = _end(contract_notice_days=30, open_work=work, contract_end=dt.date(2026, 6, 20))

    assert end.date == dt.date(2026, 6, 20)
    assert end.rule == "N3"
    assert end.why == "expires"


def test_n3_contract_expiring_on_the_notice_date_ends_that_day():
    end = _end(contract_notice_days=30, contract_end=MONDAY)

    assert end.date == MONDAY
    assert end.rule == "N3"
    assert end.why == "expires"


def test_n1_contract_expiring_on_the_day_the_notice_runs_out_keeps_the_notice_end():
    end = _end(contract_notice_days=30, contract_end=dt.date(2026, 7, 1))

    assert end.date == dt.date(2026, 7, 1)
    assert end.rule == "N1"
    assert end.why == "contract"


# -- end_date: business and calendar days (N1, N2) --------------------------------------------


def test_n1_ten_working_days_from_a_friday_end_on_the_second_friday_after():
    end = _end(notice_date=FRIDAY, contract_notice_days=10, working_weekdays=MON_TO_FRI)

    assert end.date == dt.date(2026, 6, 19)
    assert end.date.weekday() == 4
    assert end.rule == "N1"
    assert end.why == "contract_business"
    assert end.values == {"days": 10, "from": FRIDAY}


def test_n2_policy_notice_in_working_days_is_marked_business():
    end = _end(notice_date=FRIDAY, policy_notice_days=10, working_weekdays=MON_TO_FRI)

    assert end.date == dt.date(2026, 6, 19)
    assert end.rule == "N2"
    assert end.why == "policy_business"


def test_n1_a_firm_working_monday_to_saturday_counts_saturdays_but_not_sundays():
    end = _end(notice_date=FRIDAY, contract_notice_days=10, working_weekdays=MON_TO_SAT)

    # Sat 6, Mon 8 … Sat 13, Mon 15, Tue 16, Wed 17
    assert end.date == dt.date(2026, 6, 17)
    assert end.rule == "N1"
    assert end.why == "contract_business"


def test_n1_calendar_days_count_weekends_when_working_weekdays_is_none():
    end = _end(notice_date=FRIDAY, contract_notice_days=10, working_weekdays=None)

    assert end.date == dt.date(2026, 6, 15)
    assert end.rule == "N1"
    assert end.why == "contract"


def test_n2_work_moving_a_business_day_end_is_explained_by_the_work():
    end = _end(
        notice_date=FRIDAY,
        policy_notice_days=10,
        working_weekdays=MON_TO_FRI,
        open_work=[Work("Q2 close", dt.date(2026, 6, 25))],
    )

    assert end.date == dt.date(2026, 6, 25)
    assert end.rule == "N2"
    assert end.why == "work"


def test_every_end_date_explanation_is_a_plan_why_that_its_values_fill():
    from parting.cases.plan import WHY

    ends = [
        _end(contract_notice_days=30),
        _end(),
        _end(contract_notice_days=10, working_weekdays=MON_TO_FRI),
        _end(working_weekdays=MON_TO_FRI),
        _end(open_work=[Work("Q2 close", dt.date(2026, 6, 25))]),
        _end(contract_end=dt.date(2026, 9, 30)),
        _end(contract_end=dt.date(2026, 6, 5)),
    ]

    assert {end.why for end in ends} == set(WHY)
    for end in ends:
        assert str(WHY[end.why]) % end.values


# -- add_days -----------------------------------------------------------------------------------


def test_add_days_zero_calendar_days_is_the_start():
    assert add_days(FRIDAY, 0) == FRIDAY


def test_add_days_zero_working_days_from_a_working_day_is_the_start():
    assert add_days(FRIDAY, 0, working_weekdays=MON_TO_FRI) == FRIDAY


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (dt.date(2026, 1, 25), 10, dt.date(2026, 2, 4)),  # over a month end
        (dt.date(2026, 2, 20), 14, dt.date(2026, 3, 6)),  # over a short February
        (dt.date(2028, 2, 28), 1, dt.date(2028, 2, 29)),  # leap day
        (dt.date(2026, 12, 25), 14, dt.date(2027, 1, 8)),  # over a year end
    ],
)
def test_add_days_calendar_days_cross_month_and_year_ends(start, days, expected):
    assert add_days(start, days) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (dt.date(2026, 1, 30), 1, dt.date(2026, 2, 2)),  # Friday → Monday, over a month end
        (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 1)),  # Thursday → Friday, over a year end
        (dt.date(2026, 12, 31), 2, dt.date(2027, 1, 4)),  # Thursday → Monday, over a year end and weekend
    ],
)
def test_add_days_working_days_cross_month_and_year_ends(start, days, expected):
    assert add_days(start, days, working_weekdays=MON_TO_FRI) == expected


def test_add_days_one_working_day_from_a_friday_skips_the_weekend():
    assert add_days(FRIDAY, 1, working_weekdays=MON_TO_FRI) == dt.date(2026, 6, 8)


def test_add_days_working_days_from_a_weekend_start_on_monday():
    saturday = dt.date(2026, 6, 6)

    assert add_days(saturday, 1, working_weekdays=MON_TO_FRI) == dt.date(2026, 6, 8)


def test_add_days_an_empty_working_week_counts_monday_to_friday():
    assert add_days(FRIDAY, 10, working_weekdays=[]) == dt.date(2026, 6, 19)


@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
    days=st.integers(min_value=1, max_value=60),
    weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
)
def test_add_days_a_business_day_period_ends_on_a_working_day_after_exactly_that_many(start, days, weekdays):
    end = add_days(start, days, working_weekdays=weekdays)

    assert end.weekday() in weekdays
    span = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(day.weekday() in weekdays for day in span) == days


# -- term_elapsed_percent (N4) ----------------------------------------------------------------

TERM_START = dt.date(2026, 1, 1)
TERM_END = dt.date(2026, 1, 31)  # 30 days


@pytest.mark.parametrize(("start", "end"), [(None, TERM_END), (TERM_START, None), (None, None)])
def test_n4_term_elapsed_is_unknown_without_both_term_dates(start, end):
    assert term_elapsed_percent(start, end, dt.date(2026, 1, 16)) is None


def test_n4_term_elapsed_before_the_start_is_zero():
    assert term_elapsed_percent(TERM_START, TERM_END, dt.date(2025, 12, 1)) == Decimal("0")


def test_n4_term_elapsed_on_the_start_is_zero():
    assert term_elapsed_percent(TERM_START, TERM_END, TERM_START) == Decimal("0")


def test_n4_term_elapsed_after_the_end_is_a_hundred():
    assert term_elapsed_percent(TERM_START, TERM_END, dt.date(2026, 3, 1)) == Decimal("100")


def test_n4_term_elapsed_on_the_end_is_a_hundred():
    assert term_elapsed_percent(TERM_START, TERM_END, TERM_END) == Decimal("100")


def test_n4_term_elapsed_halfway_is_fifty_percent():
    elapsed = term_elapsed_percent(TERM_START, TERM_END, dt.date(2026, 1, 16))

    assert elapsed == Decimal("50")
    assert str(elapsed) == "50.00"


def test_n4_term_elapsed_is_rounded_to_hundredths():
    # 1 of 3 days
    assert str(term_elapsed_percent(TERM_START, dt.date(2026, 1, 4), dt.date(2026, 1, 2))) == "33.33"


def test_n4_a_term_without_length_counts_as_fully_elapsed():
    assert term_elapsed_percent(TERM_START, TERM_START, dt.date(2025, 12, 1)) == Decimal("100")


# -- round_money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("2.665", "2.67"), ("1200", "1200.00")],
)
def test_n4_eur_rounds_half_up_to_cents(amount, expected):
    rounded = round_money(Decimal(amount), "EUR")

    assert str(rounded) == expected


@pytest.mark.parametrize(("amount", "expected"), [("1234.5", "1235"), ("1234.49", "1234"), ("0.5", "1")])
def test_n4_jpy_rounds_half_up_to_whole_yen(amount, expected):
    assert str(round_money(Decimal(amount), "JPY")) == expected


@pytest.mark.parametrize(("amount", "expected"), [("1.2345", "1.235"), ("0.0005", "0.001"), ("7.5", "7.500")])
def test_n4_kwd_rounds_half_up_to_three_decimals(amount, expected):
    assert str(round_money(Decimal(amount), "KWD")) == expected


def test_n4_currency_codes_are_case_insensitive_and_unknown_ones_use_cents():
    assert minor_units("jpy") == 0
    assert minor_units("kwd") == 3
    assert minor_units("EUR") == 2
    assert minor_units("XYZ") == 2
    assert str(round_money(Decimal("10.555"), "xyz")) == "10.56"


# -- refund_by_work_done (N4) -----------------------------------------------------------------

CURRENCIES = st.sampled_from(["EUR", "JPY", "KWD"])
PREPAID = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
PERCENT = st.one_of(
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("0"), Decimal("100"), Decimal("-0.01"), Decimal("100.01")]),
)


@given(prepaid=PREPAID, done=PERCENT, currency=CURRENCIES)
def test_n4_refund_is_never_negative_nor_more_than_prepaid_and_adds_up_to_prepaid(prepaid, done, currency):
    result = refund_by_work_done(prepaid, done, currency)

    assert result.refund >= 0
    assert result.refund <= prepaid
    assert result.retained >= 0
    assert result.refund + result.retained == prepaid
    assert result.prepaid == prepaid
    assert Decimal("0") <= result.work_done_percent <= Decimal("100")


@given(prepaid=PREPAID, a=PERCENT, b=PERCENT, currency=CURRENCIES)
def test_n4_refund_never_grows_as_more_work_is_done(prepaid, a, b, currency):
    less, more = sorted([a, b])

    assert refund_by_work_done(prepaid, less, currency).refund >= refund_by_work_done(prepaid, more, currency).refund


@given(prepaid=PREPAID, currency=CURRENCIES)
def test_n4_no_work_done_refunds_everything(prepaid, currency):
    result = refund_by_work_done(prepaid, Decimal("0"), currency)

    assert result.refund == prepaid
    assert result.retained == 0


@given(prepaid=PREPAID, currency=CURRENCIES)
def test_n4_all_work_done_refunds_nothing(prepaid, currency):
    result = refund_by_work_done(prepaid, Decimal("100"), currency)

    assert result.refund == 0
    assert result.retained == prepaid


@given(prepaid=PREPAID, done=PERCENT, currency=CURRENCIES)
def test_n4_work_done_outside_0_to_100_counts_as_its_nearest_bound(prepaid, done, currency):
    clamped = min(max(done, Decimal("0")), Decimal("100"))

    assert refund_by_work_done(prepaid, done, currency) == refund_by_work_done(prepaid, clamped, currency)


@given(units=st.integers(min_value=0, max_value=10**12), done=PERCENT, currency=CURRENCIES)
def test_n4_refund_of_an_amount_in_the_currencys_unit_is_in_that_unit(units, done, currency):
    prepaid = Decimal(units).scaleb(-minor_units(currency))

    result = refund_by_work_done(prepaid, done, currency)

    assert result.refund == round_money(result.refund, currency)
    assert result.retained == round_money(result.retained, currency)


def test_n4_worked_example_1200_eur_prepaid_40_percent_done_refunds_720():
    result = refund_by_work_done(Decimal("1200.00"), Decimal("40"), "EUR")

    assert result.refund == Decimal("720.00")
    assert str(result.refund) == "720.00"
    assert result.retained == Decimal("480.00")
    assert result.work_done_percent == Decimal("40")
    assert "1200.00" in result.formula
    assert "720.00" in result.formula
    assert "40%" in result.formula


def test_n4_no_work_done_refunds_a_prepaid_amount_below_the_currency_unit_in_full():
    # 1000.40 JPY is not whole yen: rounding the full refund down to 1000 would keep 0.40 for no work.
    result = refund_by_work_done(Decimal("1000.40"), Decimal("0"), "JPY")

    assert result.refund == Decimal("1000.40")
    assert result.retained == 0


def test_n4_refund_is_rounded_half_up_to_the_currency_unit():
    assert refund_by_work_done(Decimal("0.01"), Decimal("50"), "EUR").refund == Decimal("0.01")
    assert refund_by_work_done(Decimal("1001"), Decimal("50"), "JPY").refund == Decimal("501")
    assert str(refund_by_work_done(Decimal("10.00"), Decimal("33.33"), "KWD").refund) == "6.667"


def test_n4_formula_shows_the_clamped_work_done_percent():
    assert "(100% − 100%)" in refund_by_work_done(Decimal("50.00"), Decimal("150"), "EUR").formula


def test_n4_negative_prepaid_raises_value_error():
    with pytest.raises(ValueError, match="negative"):
        refund_by_work_done(Decimal("-0.01"), Decimal("40"), "EUR")


# -- deletion date (O5) and accounting retention ----------------------------------------------


def test_o5_records_are_deleted_30_days_after_the_end():
    assert deletion_date(dt.date(2026, 12, 7), 30) == dt.date(2027, 1, 6)


def test_o5_deletion_date_counts_calendar_days_over_a_month_end():
    assert deletion_date(dt.date(2026, 1, 31), 30) == dt.date(2026, 3, 2)


def test_accounting_records_are_kept_to_the_end_of_the_fifth_year_after_the_end_year():
    assert accounting_retention_until(dt.date(2026, 12, 7), 5) == dt.date(2031, 12, 31)


def test_accounting_retention_counts_from_the_end_of_the_year_even_for_a_january_end():
    assert accounting_retention_until(dt.date(2026, 1, 2), 5) == dt.date(2031, 12, 31)
