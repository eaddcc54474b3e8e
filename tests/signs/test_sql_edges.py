"""Edges of the per-client aggregation behind the signs (docs/scoring.md, "How it is computed"): the
firm's clock with its daylight-saving changes (W2, the trend's months), and what each evidence table
contributes to a client's components, window edges included.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from parting.evidence.models import Incident, Meeting, Message
from parting.signs.sql import FAR_FUTURE, FAR_PAST, Aggregator, Scope, month_key, offset_periods
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MessageFactory,
    TimeEntryFactory,
)

UTC = dt.UTC
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


# -- the firm's clock (W2) ----------------------------------------------------------------------


def test_w2_a_year_on_the_warsaw_clock_has_winter_summer_and_winter_again_changing_at_the_exact_second():
    assert offset_periods(WARSAW, at(2026, 1, 1), at(2026, 12, 31)) == [
        (FAR_PAST, at(2026, 3, 29, 1), 3600),
        (at(2026, 3, 29, 1), at(2026, 10, 25, 1), 7200),
        (at(2026, 10, 25, 1), FAR_FUTURE, 3600),
    ]


def test_w2_a_clock_change_an_hour_before_the_window_still_counts():
    assert offset_periods(WARSAW, at(2026, 3, 29, 2), at(2026, 3, 29, 3)) == [
        (FAR_PAST, at(2026, 3, 29, 1), 3600),
        (at(2026, 3, 29, 1), FAR_FUTURE, 7200),
    ]


def test_w2_a_window_inside_summer_time_is_one_period_at_the_summer_offset():
    assert offset_periods(WARSAW, at(2026, 6, 1), at(2026, 6, 30)) == [(FAR_PAST, FAR_FUTURE, 7200)]


def test_w2_a_zone_without_daylight_saving_is_one_period():
    assert offset_periods(zoneinfo.ZoneInfo("Asia/Tokyo"), at(2026, 1, 1), at(2026, 12, 31)) == [
        (FAR_PAST, FAR_FUTURE, 9 * 3600)
    ]


# -- what each table contributes: one firm, a window of March 2026, as of 31 March ---------------

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
NOW = at(2026, 3, 31, 22)  # midnight at the end of 31 March in Warsaw (summer time)
HOURS = [(weekday, "09:00", "17:00") for weekday in range(5)]


@pytest.fixture
def firm(db):
    return FirmFactory()


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


def components(firm, *, by_month=False, client_ids=None, start=START, hours=HOURS):
    scope = Scope(firm.id, firm.time_zone, start, END, NOW, by_month=by_month, client_ids=client_ids)
    return Aggregator(scope, hours).run()


def of(firm, client, **kwargs):
    return components(firm, **kwargs)[(client.id, 0)]


def test_w7_an_unpaid_invoice_is_late_by_the_days_up_to_the_end_of_the_window_and_one_due_that_day_is_not(firm, acme):
    InvoiceFactory(client=acme, issued_on=dt.date(2026, 3, 1), due_on=dt.date(2026, 3, 21))
    InvoiceFactory(client=acme, issued_on=dt.date(2026, 3, 1), due_on=END)
    c = of(firm, acme)
    assert (c["inv_due"], c["inv_late"], c["inv_days_late"], c["inv_unpaid_overdue"]) == (2, 1, 10, 1)


def test_w7_a_paid_invoice_is_late_by_the_days_between_due_and_paid_and_chasing_adds_up(firm, acme):
    InvoiceFactory(client=acme, due_on=dt.date(2026, 3, 10), paid_on=dt.date(2026, 3, 17), reminders_sent=2)
    InvoiceFactory(client=acme, due_on=dt.date(2026, 3, 10), paid_on=dt.date(2026, 3, 10), reminders_sent=1)
    c = of(firm, acme)
    assert (c["inv_due"], c["inv_late"], c["inv_days_late"], c["inv_unpaid_overdue"]) == (2, 1, 7, 0)
    assert c["inv_reminders"] == 3


def test_w8_w9_disputed_invoices_and_discounts_asked_are_counted(firm, acme):
    InvoiceFactory(client=acme, due_on=dt.date(2026, 3, 10), paid_on=dt.date(2026, 3, 10), disputed=True)
    InvoiceFactory(client=acme, due_on=dt.date(2026, 3, 11), paid_on=dt.date(2026, 3, 10), discount_requested=True)
    InvoiceFactory(client=acme, due_on=dt.date(2026, 3, 12), paid_on=dt.date(2026, 3, 10))
    c = of(firm, acme)
    assert (c["inv_disputed"], c["inv_discount_requested"]) == (1, 1)


def test_invoices_count_by_due_date_within_the_window_both_ends_included(firm, acme):
    for due in (dt.date(2026, 2, 28), START, END, dt.date(2026, 4, 1)):
        InvoiceFactory(client=acme, issued_on=dt.date(2026, 2, 1), due_on=due, paid_on=due)
    assert of(firm, acme)["inv_due"] == 2


def test_w11_revenue_counts_by_issue_date_in_the_firms_currency(firm, acme):
    InvoiceFactory(client=acme, issued_on=START, amount=1000, fx_rate="4.5")
    InvoiceFactory(client=acme, issued_on=END, amount=100)
    InvoiceFactory(client=acme, issued_on=dt.date(2026, 2, 28), due_on=dt.date(2026, 3, 14), amount=7000)
    assert of(firm, acme)["revenue"] == 4600


def test_w1_w14_requests_late_missing_and_days_late_up_to_the_end_of_the_window(firm, acme):
    ClientRequestFactory(client=acme, due_on=dt.date(2026, 3, 10), received_on=dt.date(2026, 3, 13))
    ClientRequestFactory(client=acme, due_on=dt.date(2026, 3, 10), received_on=dt.date(2026, 3, 10))
    ClientRequestFactory(client=acme, due_on=dt.date(2026, 3, 29))
    ClientRequestFactory(client=acme, due_on=END)
    ClientRequestFactory(client=acme, requested_on=dt.date(2026, 2, 1), due_on=dt.date(2026, 2, 27))
    c = of(firm, acme)
    assert (c["req_due"], c["req_late"], c["req_days_late"], c["req_missing"]) == (4, 2, 5, 1)


def test_w2_w3_w10_inbound_messages_in_the_window_on_the_firms_clock(firm, acme):
    # Monday 2 March, Warsaw is UTC+1: 09:00 local is inside, 17:00 local is outside, 08:59 is outside.
    MessageFactory(client=acme, sent_at=at(2026, 3, 2, 8, 0), to_senior=True)
    MessageFactory(client=acme, sent_at=at(2026, 3, 2, 16, 0), negative=True)
    MessageFactory(client=acme, sent_at=at(2026, 3, 2, 7, 59))
    MessageFactory(client=acme, sent_at=at(2026, 3, 7, 10, 0))  # Saturday: a day off
    MessageFactory(client=acme, sent_at=at(2026, 3, 2, 10, 0), direction=Message.Direction.OUTBOUND)
    MessageFactory(client=acme, sent_at=at(2026, 2, 28, 22, 59))  # 23:59 on 28 February in Warsaw
    MessageFactory(client=acme, sent_at=NOW)  # the first second after the window
    c = of(firm, acme)
    assert (c["msg_in"], c["msg_after_hours"], c["msg_day_off"]) == (4, 3, 1)
    assert (c["msg_to_senior"], c["msg_negative"]) == (1, 1)


def test_w2_the_first_second_of_the_window_on_the_firms_clock_counts(firm, acme):
    MessageFactory(client=acme, sent_at=at(2026, 2, 28, 23, 0))  # 00:00 on 1 March in Warsaw, a Sunday
    c = of(firm, acme)
    assert (c["msg_in"], c["msg_after_hours"], c["msg_day_off"]) == (1, 1, 1)


def test_w2_without_working_hours_nothing_is_after_hours(firm, acme):
    MessageFactory(client=acme, sent_at=at(2026, 3, 7, 10, 0))
    c = of(firm, acme, hours=[])
    assert (c["msg_in"], c["msg_after_hours"], c["msg_day_off"]) == (1, 0, 0)


def test_w4_meetings_short_notice_no_shows_and_lateness_cancellations_by_us_ignored(firm, acme):
    starts = at(2026, 3, 10, 10)
    MeetingFactory(client=acme, starts_at=starts, minutes_late=10)
    MeetingFactory(client=acme, starts_at=starts, minutes_late=9)
    MeetingFactory(client=acme, starts_at=starts, status=Meeting.Status.NO_SHOW, minutes_late=30)
    MeetingFactory(
        client=acme,
        starts_at=starts,
        status=Meeting.Status.CANCELLED_BY_CLIENT,
        cancelled_at=starts - dt.timedelta(hours=23, minutes=59),
    )
    MeetingFactory(
        client=acme,
        starts_at=starts,
        status=Meeting.Status.CANCELLED_BY_CLIENT,
        cancelled_at=starts - dt.timedelta(days=1),
    )
    MeetingFactory(client=acme, starts_at=starts, status=Meeting.Status.CANCELLED_BY_CLIENT)
    MeetingFactory(client=acme, starts_at=starts, status=Meeting.Status.CANCELLED_BY_US, cancelled_at=starts)
    MeetingFactory(client=acme, starts_at=NOW)
    c = of(firm, acme)
    assert (c["mtg"], c["mtg_short_cancel"], c["mtg_no_show"], c["mtg_late"], c["mtg_late_minutes"]) == (6, 1, 1, 1, 10)


def test_incidents_count_by_kind_with_hours_lost_for_rework_and_scope_creep(firm, acme):
    for kind, hours in [
        (Incident.Kind.REWORK, 2),
        (Incident.Kind.REWORK, 1),
        (Incident.Kind.SCOPE_CREEP, 4),
        (Incident.Kind.EXPERTISE_CHALLENGED, 9),
        (Incident.Kind.CONTRACT_IGNORED, 0),
        (Incident.Kind.DISRESPECT, 0),
        (Incident.Kind.HAGGLING, 0),
        (Incident.Kind.OTHER, 5),
    ]:
        IncidentFactory(client=acme, kind=kind, occurred_on=END, hours_lost=hours)
    IncidentFactory(client=acme, kind=Incident.Kind.DISRESPECT, occurred_on=dt.date(2026, 2, 28))
    c = of(firm, acme)
    assert (c["rework_n"], c["rework_hours"], c["scope_n"], c["scope_hours"]) == (2, 3, 1, 4)
    assert (c["distrust_n"], c["contract_n"], c["disrespect_n"], c["haggle_n"]) == (1, 1, 1, 1)


def test_w11_w13_hours_logged_and_billable_hours(firm, acme):
    TimeEntryFactory(client=acme, date=START, hours=3)
    TimeEntryFactory(client=acme, date=END, hours=2, billable=False)
    TimeEntryFactory(client=acme, date=dt.date(2026, 4, 1), hours=8)
    c = of(firm, acme)
    assert (c["hours"], c["billable_hours"]) == (5, 3)


def test_each_client_gets_its_own_row_and_another_firms_rows_are_left_out(firm, acme):
    other = ClientFactory(firm=firm, name="Other")
    stranger = ClientFactory(name="Another firm's client")
    for client in (acme, other, stranger):
        TimeEntryFactory(client=client, date=START, hours=2)
    MessageFactory(client=acme, sent_at=at(2026, 3, 2, 10))
    rows = components(firm)
    assert set(rows) == {(acme.id, 0), (other.id, 0)}
    assert rows[(other.id, 0)]["msg_in"] == 0 and rows[(acme.id, 0)]["msg_in"] == 1


def test_scoring_some_clients_reads_only_theirs(firm, acme):
    other = ClientFactory(firm=firm, name="Other")
    third = ClientFactory(firm=firm, name="Third")
    for client in (acme, other, third):
        InvoiceFactory(client=client, issued_on=START, due_on=END, paid_on=END)
        ClientRequestFactory(client=client, due_on=END)
        MessageFactory(client=client, sent_at=at(2026, 3, 2, 10))
        MeetingFactory(client=client, starts_at=at(2026, 3, 2, 10))
        IncidentFactory(client=client, occurred_on=END)
        TimeEntryFactory(client=client, date=END)
    rows = components(firm, client_ids=[acme.id, third.id])
    assert {cid for cid, _month in rows} == {acme.id, third.id}


def test_the_trend_splits_each_table_by_the_month_on_the_firms_clock(firm, acme):
    # 23:30 UTC on 31 January is 00:30 on 1 February in Warsaw.
    MessageFactory(client=acme, sent_at=at(2026, 1, 31, 23, 30))
    MeetingFactory(client=acme, starts_at=at(2026, 1, 31, 23, 30))
    InvoiceFactory(client=acme, issued_on=dt.date(2026, 1, 20), due_on=dt.date(2026, 3, 3), paid_on=END)
    TimeEntryFactory(client=acme, date=dt.date(2026, 1, 31), hours=4)
    IncidentFactory(client=acme, occurred_on=dt.date(2026, 2, 1))
    ClientRequestFactory(client=acme, requested_on=dt.date(2026, 2, 1), due_on=dt.date(2026, 2, 2))
    rows = components(firm, by_month=True, start=dt.date(2026, 1, 1))
    jan, feb, mar = (rows[(acme.id, month_key(dt.date(2026, m, 1)))] for m in (1, 2, 3))
    assert (jan["msg_in"], feb["msg_in"]) == (0, 1)
    assert (jan["mtg"], feb["mtg"]) == (0, 1)
    assert (jan["revenue"], mar["inv_due"]) == (1000, 1)
    assert (jan["hours"], feb["rework_n"], feb["req_due"]) == (4, 1, 1)


def test_w2_working_hours_on_the_half_hour_count_their_minutes(firm, acme):
    """09:30–17:30: 09:29 local is before the day starts; 09:30, 16:45 and 17:29 are inside; 17:30 is after."""
    half = [(0, "09:30", "17:30")]
    for hour, minute in ((8, 29), (8, 30), (15, 45), (16, 29), (16, 30)):  # Monday 2 March, Warsaw is UTC+1
        MessageFactory(client=acme, sent_at=at(2026, 3, 2, hour, minute))
    c = of(firm, acme, hours=half)
    assert (c["msg_in"], c["msg_after_hours"], c["msg_day_off"]) == (5, 2, 0)


def test_a_null_sum_reads_as_zero_in_the_columns_and_any_other_bad_value_is_an_error(firm):
    """The columns pass converts a column at once and falls back to a value at a time only for a
    NULL sum (SUM over no matching row): another wrong value is an error, not hidden by the fallback."""
    aggregator = Aggregator(Scope(firm.id, firm.time_zone, START, END, NOW), HOURS)
    aggregator._ids, aggregator._columns = [1, 2, 3], {}
    aggregator._fill_columns([(1, 0, Decimal("2.5"), None), (3, 0, Decimal("-0"), 4)], ["a", "b"])
    assert aggregator._columns == {"a": [2.5, 0.0, 0.0], "b": [0.0, 0.0, 4.0]}
    assert str(aggregator._columns["a"][2]) == "0.0"  # not -0.0
    with pytest.raises(TypeError):
        aggregator._fill_columns([(1, 0, object())], ["a"])
