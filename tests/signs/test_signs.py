"""Each warning sign computed by hand on small factory data (W1–W15), edges included.

The window is the current month and the eleven before it: as of 2026-06-30 it runs from
2025-07-01 to 2026-06-30. The firm works 09:00–17:00 Monday to Friday in Europe/Warsaw.
"""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from parting.evidence.models import Incident, Meeting, Message
from parting.signs.scoring import Scorer
from tests.conftest import AS_OF
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MessageFactory,
    ServiceFactory,
    TimeEntryFactory,
)

UTC = dt.UTC


def score_of(client, as_of=AS_OF):
    return next(r for r in Scorer(client.firm, as_of=as_of).score() if r.client_id == client.id)


def warsaw(*args):
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo("Europe/Warsaw"))


# --- W7 payment trouble -------------------------------------------------------------------------


def test_w7_client_without_invoices_is_not_judged_on_payment(client_row):
    result = score_of(client_row)
    w7 = result.sign("W7")
    assert w7.value is None and w7.band is None
    assert result.score == 100  # nothing against them: no sign can be judged but the counts of zero


def test_w7_everything_paid_on_time_is_healthy(client_row):
    for day in (1, 2, 3):
        InvoiceFactory(
            client=client_row,
            issued_on=dt.date(2026, 4, day),
            due_on=dt.date(2026, 4, 15),
            paid_on=dt.date(2026, 4, 15),
        )
    w7 = score_of(client_row).sign("W7")
    assert w7.value == 0.0
    assert w7.band == "healthy"
    assert w7.explanation.startswith("Paid 0 of 3 invoices late")


def test_w7_late_and_unpaid_invoices_are_counted_with_days_and_reminders(client_row):
    InvoiceFactory(client=client_row, due_on=dt.date(2026, 5, 1), paid_on=dt.date(2026, 5, 11), reminders_sent=2)
    InvoiceFactory(client=client_row, due_on=dt.date(2026, 6, 10), paid_on=None, reminders_sent=1)  # 20 days late
    InvoiceFactory(client=client_row, due_on=dt.date(2026, 4, 1), paid_on=dt.date(2026, 3, 30))
    w7 = score_of(client_row).sign("W7")
    assert w7.value == pytest.approx(66.7)
    assert w7.band == "poor"
    assert w7.explanation == "Paid 2 of 3 invoices late, on average 15 days late; 1 still unpaid; chased 3 times"


def test_w7_invoices_due_outside_the_window_are_ignored(client_row):
    InvoiceFactory(
        client=client_row, issued_on=dt.date(2025, 6, 1), due_on=dt.date(2025, 6, 30), paid_on=dt.date(2025, 9, 1)
    )  # due the day before the window opens
    InvoiceFactory(client=client_row, issued_on=dt.date(2026, 6, 20), due_on=dt.date(2026, 7, 4))  # not yet due
    assert score_of(client_row).sign("W7").value is None


# --- W2 boundaries, in the firm's time zone ------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "outside"),
    [
        (warsaw(2026, 6, 1, 8, 59), True),  # Monday, one minute before opening (06:59 UTC)
        (warsaw(2026, 6, 1, 9, 0), False),  # opening time
        (warsaw(2026, 6, 1, 16, 59), False),
        (warsaw(2026, 6, 1, 17, 0), True),  # closing time is already outside
        (warsaw(2026, 1, 12, 8, 59), True),  # winter: UTC+1, 07:59 UTC
        (warsaw(2026, 1, 12, 9, 0), False),  # 08:00 UTC, inside although 07:59 UTC was outside
        (warsaw(2026, 6, 6, 12, 0), True),  # Saturday noon: a day off
        (dt.datetime(2026, 6, 1, 22, 30, tzinfo=UTC), True),  # Monday in UTC, Tuesday 00:30 in Warsaw
        (dt.datetime(2026, 5, 31, 23, 30, tzinfo=UTC), True),  # Sunday 23:30 UTC is Monday 01:30 in Warsaw
        (dt.datetime(2026, 6, 5, 14, 30, tzinfo=UTC), False),  # Friday 16:30 local
    ],
)
def test_w2_messages_are_judged_against_working_hours_in_the_firms_time_zone(client_row, sent, outside):
    MessageFactory(client=client_row, sent_at=sent)
    w2 = score_of(client_row).sign("W2")
    assert w2.value == (100.0 if outside else 0.0)


def test_w2_dst_change_weekend_uses_the_offset_of_each_message(client_row):
    # Europe/Warsaw moves to UTC+2 on 2026-03-29 at 01:00 UTC.
    MessageFactory(client=client_row, sent_at=dt.datetime(2026, 3, 27, 7, 30, tzinfo=UTC))  # Fri 08:30 CET: outside
    MessageFactory(client=client_row, sent_at=dt.datetime(2026, 3, 30, 7, 30, tzinfo=UTC))  # Mon 09:30 CEST: inside
    result = score_of(client_row).sign("W2")
    assert result.value == 50.0
    assert "1 of 2 messages from the client arrived outside working hours (50%)" in result.explanation


def test_w2_outbound_messages_do_not_count(client_row):
    MessageFactory(client=client_row, sent_at=warsaw(2026, 6, 6, 23, 0), direction=Message.Direction.OUTBOUND)
    assert score_of(client_row).sign("W2").value is None


def test_w3_and_w10_read_inbound_messages(client_row):
    MessageFactory(client=client_row, sent_at=warsaw(2026, 6, 1, 10), to_senior=True, negative=True)
    MessageFactory(client=client_row, sent_at=warsaw(2026, 6, 2, 10), to_senior=True)
    MessageFactory(client=client_row, sent_at=warsaw(2026, 6, 3, 10))
    MessageFactory(client=client_row, sent_at=warsaw(2026, 6, 4, 10))
    result = score_of(client_row)
    assert result.sign("W3").value == 50.0 and result.sign("W3").band == "poor"
    assert result.sign("W10").value == 25.0 and result.sign("W10").band == "poor"


# --- W4 cancels, no-shows, late --------------------------------------------------------------------


def test_w4_cancellation_with_less_than_24_hours_notice_counts_and_24_hours_does_not(client_row):
    start = dt.datetime(2026, 6, 10, 10, tzinfo=UTC)
    MeetingFactory(
        client=client_row,
        starts_at=start,
        status=Meeting.Status.CANCELLED_BY_CLIENT,
        cancelled_at=start - dt.timedelta(hours=23, minutes=59),
    )
    start2 = dt.datetime(2026, 6, 11, 10, tzinfo=UTC)
    MeetingFactory(
        client=client_row,
        starts_at=start2,
        status=Meeting.Status.CANCELLED_BY_CLIENT,
        cancelled_at=start2 - dt.timedelta(hours=24),
    )
    result = score_of(client_row).sign("W4")
    assert result.value == 50.0
    assert "1 cancelled with less than 24 hours' notice" in result.explanation


def test_w4_no_shows_and_late_arrivals_count_cancellations_by_us_do_not(client_row):
    base = dt.datetime(2026, 5, 4, 9, tzinfo=UTC)
    MeetingFactory(client=client_row, starts_at=base, status=Meeting.Status.NO_SHOW)
    MeetingFactory(client=client_row, starts_at=base + dt.timedelta(days=1), minutes_late=10)
    MeetingFactory(client=client_row, starts_at=base + dt.timedelta(days=2), minutes_late=9)
    MeetingFactory(client=client_row, starts_at=base + dt.timedelta(days=3))
    MeetingFactory(
        client=client_row,
        starts_at=base + dt.timedelta(days=4),
        status=Meeting.Status.CANCELLED_BY_US,
        cancelled_at=base,
    )
    result = score_of(client_row).sign("W4")
    assert result.value == 50.0  # 2 of 4
    assert result.band == "poor"
    assert "(by 10 minutes on average)" in result.explanation


# --- W1 and W14: what the client owes us -----------------------------------------------------------


def test_w1_and_w14_late_and_missing_items(client_row):
    ClientRequestFactory(
        client=client_row,
        requested_on=dt.date(2026, 5, 1),
        due_on=dt.date(2026, 5, 10),
        received_on=dt.date(2026, 5, 13),
    )  # 3 days late
    ClientRequestFactory(
        client=client_row, requested_on=dt.date(2026, 6, 1), due_on=dt.date(2026, 6, 20), received_on=None
    )  # still missing, 10 days late as of June 30
    ClientRequestFactory(
        client=client_row,
        requested_on=dt.date(2026, 4, 1),
        due_on=dt.date(2026, 4, 10),
        received_on=dt.date(2026, 4, 10),
    )  # on the due date itself: on time
    result = score_of(client_row)
    assert result.sign("W1").value == pytest.approx(4.3)  # (3 + 10 + 0) / 3
    assert result.sign("W1").band == "concerning"
    assert result.sign("W14").value == pytest.approx(66.7)
    assert result.sign("W14").band == "poor"
    assert "1 still missing" in result.sign("W14").explanation


# --- incidents: W5, W6, W8, W9, W13, W15 ---------------------------------------------------------


def test_incident_signs_count_their_kind_in_the_window(client_row):
    for _ in range(4):
        IncidentFactory(client=client_row, kind=Incident.Kind.REWORK, hours_lost=Decimal("1.5"))
    IncidentFactory(client=client_row, kind=Incident.Kind.REWORK, occurred_on=dt.date(2025, 6, 30))  # too old
    IncidentFactory(client=client_row, kind=Incident.Kind.EXPERTISE_CHALLENGED)
    IncidentFactory(client=client_row, kind=Incident.Kind.CONTRACT_IGNORED)
    InvoiceFactory(client=client_row, disputed=True, discount_requested=True, paid_on=dt.date(2026, 3, 10))
    IncidentFactory(client=client_row, kind=Incident.Kind.HAGGLING)
    IncidentFactory(client=client_row, kind=Incident.Kind.DISRESPECT)
    result = score_of(client_row)
    assert (result.sign("W5").value, result.sign("W5").band) == (4.0, "poor")
    assert result.sign("W5").explanation == "4 rework incidents after client errors; 6 hours lost"
    assert (result.sign("W6").value, result.sign("W6").band) == (1.0, "concerning")
    assert (result.sign("W8").value, result.sign("W8").band) == (2.0, "poor")  # one incident, one dispute
    assert (result.sign("W9").value, result.sign("W9").band) == (2.0, "concerning")
    assert (result.sign("W15").value, result.sign("W15").band) == (1.0, "concerning")


def test_w13_free_extra_work_as_a_share_of_time_spent(client_row):
    TimeEntryFactory(client=client_row, hours=Decimal("20"))
    IncidentFactory(client=client_row, kind=Incident.Kind.SCOPE_CREEP, hours_lost=Decimal("3"))
    w13 = score_of(client_row).sign("W13")
    assert w13.value == 15.0 and w13.band == "poor"
    assert w13.explanation == "1 request for free extra work; 3 unbilled hours, 15% of the time spent"


# --- W11 and W12 ---------------------------------------------------------------------------------


def test_w11_effective_rate_against_target(client_row):
    InvoiceFactory(client=client_row, amount=Decimal("1000"), paid_on=dt.date(2026, 3, 10))
    TimeEntryFactory(client=client_row, hours=Decimal("20"))
    result = score_of(client_row)
    w11 = result.sign("W11")
    assert w11.value == 50.0 and w11.band == "poor"  # 50 an hour against a target of 100
    assert result.effective_rate == Decimal("50.00")
    assert "Earned 50 an hour over 20 hours, 50% of the target rate of 100" in w11.explanation


def test_w11_invoice_in_another_currency_counts_at_its_rate(client_row):
    InvoiceFactory(
        client=client_row, amount=Decimal("1000"), currency="PLN", fx_rate=Decimal("0.25"), paid_on=dt.date(2026, 3, 10)
    )
    TimeEntryFactory(client=client_row, hours=Decimal("10"))
    assert score_of(client_row).revenue == Decimal("250.00")


def test_w12_services_outside_the_firms_focus(firm, client_row):
    focus, other = ServiceFactory(firm=firm, name="Payroll"), ServiceFactory(firm=firm, name="Web sites")
    firm.focus_services.add(focus)
    client_row.services.add(focus, other)
    w12 = score_of(client_row).sign("W12")
    assert w12.value == 50.0 and w12.band == "poor"


def test_w12_is_not_judged_when_the_firm_has_no_focus(firm, client_row):
    client_row.services.add(ServiceFactory(firm=firm))
    assert score_of(client_row).sign("W12").value is None


# --- percentiles, score, advice ---------------------------------------------------------------------


def test_percentile_says_how_many_active_clients_do_better(firm):
    clients = [ClientFactory(firm=firm, name=name) for name in ("A", "B", "C", "D")]
    for client, late in zip(clients, (0, 1, 1, 2), strict=True):
        for n in range(2):
            InvoiceFactory(
                client=client,
                due_on=dt.date(2026, 5, 1 + n),
                paid_on=dt.date(2026, 5, 20) if n < late else dt.date(2026, 4, 30),
            )
    scores = {r.name: r for r in Scorer(firm, as_of=AS_OF).score()}
    assert scores["D"].sign("W7").percentile == 75  # worse than A, B and C
    assert scores["B"].sign("W7").percentile == 25  # only A does better; C ties
    assert scores["A"].sign("W7").percentile == 0


def test_healthy_client_is_kept_and_poor_payer_is_flagged(firm):
    good = ClientFactory(firm=firm, name="Good")
    bad = ClientFactory(firm=firm, name="Bad")
    for n in range(3):
        InvoiceFactory(client=good, due_on=dt.date(2026, 5, 1 + n), paid_on=dt.date(2026, 5, 1))
        InvoiceFactory(client=bad, due_on=dt.date(2026, 3, 1 + n), paid_on=dt.date(2026, 4, 20))
    IncidentFactory(client=bad, kind=Incident.Kind.CONTRACT_IGNORED)
    IncidentFactory(client=bad, kind=Incident.Kind.CONTRACT_IGNORED)
    IncidentFactory(client=bad, kind=Incident.Kind.DISRESPECT)
    scores = {r.name: r for r in Scorer(firm, as_of=AS_OF).score()}
    assert scores["Good"].recommendation == "keep"
    assert scores["Bad"].recommendation == "consider_parting"
    assert scores["Bad"].score < 45
    assert any("W7" in reason for reason in scores["Bad"].reasons)


def test_expectation_signs_alone_advise_talking_first_d2(client_row):
    for day in range(1, 5):
        MessageFactory(client=client_row, sent_at=warsaw(2026, 6, day, 22), to_senior=True)
    result = score_of(client_row)
    assert result.sign("W2").band == "poor" and result.sign("W3").band == "poor"
    assert result.recommendation == "talk_first"
    assert "expectations" in result.reasons[0]


def test_d7_two_disrespect_incidents_in_six_months_are_a_dealbreaker_never_averaged_away(client_row):
    IncidentFactory(client=client_row, kind=Incident.Kind.DISRESPECT, occurred_on=dt.date(2026, 2, 1))
    IncidentFactory(client=client_row, kind=Incident.Kind.DISRESPECT, occurred_on=dt.date(2026, 6, 1))
    for n in range(5):
        InvoiceFactory(client=client_row, due_on=dt.date(2026, 5, 1 + n), paid_on=dt.date(2026, 5, 1))
    result = score_of(client_row)
    assert [d.rule["type"] for d in result.dealbreakers] == ["incidents"]
    assert result.recommendation == "consider_parting"
    assert result.reasons[0].startswith("Dealbreaker: 2 incidents")


def test_d7_disrespect_incidents_further_apart_than_six_months_are_not_a_dealbreaker(client_row):
    IncidentFactory(client=client_row, kind=Incident.Kind.DISRESPECT, occurred_on=dt.date(2025, 12, 30))
    IncidentFactory(client=client_row, kind=Incident.Kind.DISRESPECT, occurred_on=dt.date(2026, 6, 1))
    assert score_of(client_row).dealbreakers == []


def test_d7_invoice_more_than_90_days_overdue_is_a_dealbreaker(client_row):
    InvoiceFactory(client=client_row, issued_on=dt.date(2026, 3, 1), due_on=dt.date(2026, 3, 31))  # 91 days
    InvoiceFactory(client=client_row, number="X-2", issued_on=dt.date(2026, 3, 1), due_on=dt.date(2026, 4, 1))
    result = score_of(client_row)
    assert [d.text for d in result.dealbreakers] == ["An invoice is 91 days overdue (the limit is 90)"]


def test_d6_referral_influence_follows_the_chain(firm):
    root = ClientFactory(firm=firm, name="Root")
    child = ClientFactory(firm=firm, name="Child", referred_by=root)
    grandchild = ClientFactory(firm=firm, name="Grandchild", referred_by=child)
    InvoiceFactory(client=child, amount=Decimal("300"))
    InvoiceFactory(client=grandchild, amount=Decimal("200"))
    scores = {r.name: r for r in Scorer(firm, as_of=AS_OF).score()}
    assert sorted(scores["Root"].referred) == sorted([child.id, grandchild.id])
    assert scores["Root"].referred_revenue == Decimal("500.00")
    assert scores["Child"].referred == [grandchild.id]
    assert scores["Child"].revenue_share == pytest.approx(60.0)


def test_trend_has_twelve_monthly_points_and_shows_a_decline(client_row):
    for month in range(1, 7):
        InvoiceFactory(
            client=client_row,
            issued_on=dt.date(2026, month, 1),
            due_on=dt.date(2026, month, 10),
            paid_on=dt.date(2026, month, 28),
        )
    result = Scorer(client_row.firm, as_of=AS_OF).score(with_trend=True)[0]
    months = [month for month, _score in result.trend]
    assert months[0] == "2025-07" and months[-1] == "2026-06" and len(months) == 12
    scores = [score for _month, score in result.trend]
    assert scores[0] == 100 and scores[-1] < scores[0]
    assert scores[-1] == result.score


def test_scoring_all_clients_takes_a_fixed_number_of_queries(firm, django_assert_max_num_queries):
    for _n in range(30):
        client = ClientFactory(firm=firm)
        InvoiceFactory(client=client)
        MessageFactory(client=client)
        IncidentFactory(client=client)
    with django_assert_max_num_queries(16):
        results = Scorer(firm, as_of=AS_OF).score()
    assert len(results) == 30


def test_trend_puts_a_meeting_in_the_month_of_the_firms_wall_clock(client_row):
    # 2026-06-01 00:30 in Warsaw is 2026-05-31 22:30 UTC: a June meeting for the firm.
    MeetingFactory(client=client_row, starts_at=warsaw(2026, 6, 1, 0, 30), status=Meeting.Status.NO_SHOW)
    scorer = Scorer(client_row.firm, as_of=dt.date(2026, 6, 30))
    scorer.policy = dataclasses.replace(scorer.policy, window_months=1)
    result = scorer.score(with_trend=True)[0]
    trend = dict(result.trend)
    assert trend["2026-06"] < 100 and trend["2026-05"] == 100


def test_w2_in_a_time_zone_without_daylight_saving(db):
    from tests.factories import FirmFactory

    tokyo = ClientFactory(firm=FirmFactory(time_zone="Asia/Tokyo"))
    MessageFactory(client=tokyo, sent_at=dt.datetime(2026, 6, 1, 0, 30, tzinfo=UTC))  # Monday 09:30 in Tokyo
    MessageFactory(client=tokyo, sent_at=dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC))  # Monday 18:00 in Tokyo
    assert score_of(tokyo).sign("W2").value == 50.0
