"""A case on each side of every threshold the scorer applies (docs/scoring.md): the band of each of
W1–W15 at its *concerning at* and *poor at* values and just across them, the advice thresholds
(talk first below, consider parting below: strictly below), and the D7 dealbreakers (an invoice
*more than* 90 days overdue; two incidents *within* six months, today included).

The sides of one threshold are separate clients of one firm, scored in one pass: the scorer groups
by client, so a wrong GROUP BY, a join that mixes clients or a swapped comparison shows as a wrong
band on one of them. Dates come from the firm's today (Europe/Warsaw), never the machine's.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from parting.evidence.models import Incident, Meeting, Message
from parting.signs.catalogue import SIGNS
from parting.signs.policy import effective_policy, policy_for
from parting.signs.scoring import Scorer, month_shift
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MessageFactory,
    ServiceFactory,
    TimeEntryFactory,
)

Kind = Incident.Kind

# -- the bands themselves, at the catalogue's defaults -----------------------------------------


@pytest.mark.parametrize("sign", SIGNS, ids=[s.id for s in SIGNS])
def test_each_sign_band_changes_exactly_at_its_thresholds(db, sign):
    """Higher is worse: at *concerning* → concerning, at *poor* → poor, just under each → the band below.
    W11 (lower is worse): *poor* and below → poor, under *concerning* → concerning, at it → healthy."""
    firm = FirmFactory()
    setting = effective_policy(policy_for(firm)).setting(sign.id)
    c, p, eps = sign.concerning, sign.poor, 0.1
    if sign.higher_is_worse:
        expected = {c - eps: "healthy", c: "concerning", p - eps: "concerning", p: "poor"}
    else:
        expected = {c: "healthy", c - eps: "concerning", p + eps: "concerning", p: "poor"}
    assert {value: setting.band(value) for value in expected} == expected


# -- the bands as the scorer computes them from evidence -----------------------------------------


@pytest.fixture
def firm(db):
    return FirmFactory(name="Threshold Firm")


def days_ago(firm, n: int) -> dt.date:
    return firm.today() - dt.timedelta(days=n)


def weekday_at(firm, hour: int, minute: int = 0) -> dt.datetime:
    """A Wednesday at least a week before the firm's today, at a wall-clock time in Warsaw."""
    day = days_ago(firm, 7)
    day -= dt.timedelta(days=(day.weekday() - 2) % 7)
    return dt.datetime.combine(day, dt.time(hour, minute), zoneinfo.ZoneInfo(firm.time_zone))


def requests(client, days_late: list[int]):
    due = days_ago(client.firm, 30)
    for late in days_late:
        ClientRequestFactory(
            client=client,
            requested_on=due - dt.timedelta(days=5),
            due_on=due,
            received_on=due + dt.timedelta(days=late),
        )


def messages(client, flagged: int, total: int, flag: str):
    """``total`` inbound messages in working hours; ``flagged`` of them after hours, to a partner or negative."""
    at = weekday_at(client.firm, 11)
    for n in range(total):
        fields = {}
        if n < flagged:
            fields = {"after_hours": {"sent_at": weekday_at(client.firm, 20)}}.get(flag, {flag: True})
        MessageFactory(client=client, direction=Message.Direction.INBOUND, **({"sent_at": at} | fields))


def meetings(client, bad: int, total: int):
    at = weekday_at(client.firm, 11)
    for n in range(total):
        MeetingFactory(client=client, starts_at=at, status=Meeting.Status.NO_SHOW if n < bad else Meeting.Status.HELD)


def invoices(client, late: int, total: int, **flags):
    """``total`` invoices due a month ago; ``late`` of them paid five days late, the rest on the due date."""
    due = days_ago(client.firm, 30)
    for n in range(total):
        paid = due + dt.timedelta(days=5 if n < late else 0)
        InvoiceFactory(
            client=client, issued_on=due - dt.timedelta(days=14), due_on=due, paid_on=paid, amount_paid=1000, **flags
        )


def incidents(client, kind: str, count: int, hours: str = "0"):
    for _n in range(count):
        IncidentFactory(client=client, kind=kind, occurred_on=days_ago(client.firm, 20), hours_lost=Decimal(hours))


def rate(client, revenue: str, hours: str = "10"):
    """W11: revenue over hours against the firm's target of 100 an hour."""
    TimeEntryFactory(client=client, date=days_ago(client.firm, 20), hours=Decimal(hours))
    InvoiceFactory(
        client=client,
        issued_on=days_ago(client.firm, 20),
        amount=Decimal(revenue),
        paid_on=days_ago(client.firm, 20),
        amount_paid=Decimal(revenue),
    )


def scope(client, scope_hours: str):
    """W13: free extra hours (scope creep) against 100 hours logged."""
    TimeEntryFactory(client=client, date=days_ago(client.firm, 20), hours=Decimal("100"))
    incidents(client, Kind.SCOPE_CREEP, 1, scope_hours)


def services(client, inside: int, outside: int):
    """W12: the client's services in and out of the firm's focus."""
    firm = client.firm
    focus = [ServiceFactory(firm=firm) for _n in range(inside)]
    firm.focus_services.add(*focus, ServiceFactory(firm=firm))
    client.services.add(*focus, *[ServiceFactory(firm=firm) for _n in range(outside)])
    TimeEntryFactory(client=client, date=days_ago(firm, 20))  # some evidence, so the client is judged


# sign -> [(label, builder, expected band)]; each row is its own client in the same firm.
SIDES = {
    "W1": [
        ("avg 1.9 days late", lambda c: requests(c, [2] * 9 + [1]), "healthy"),
        ("avg 2 days late", lambda c: requests(c, [2]), "concerning"),
        ("avg 4.9 days late", lambda c: requests(c, [5] * 9 + [4]), "concerning"),
        ("avg 5 days late", lambda c: requests(c, [5]), "poor"),
    ],
    "W2": [
        ("3 of 21 after hours", lambda c: messages(c, 3, 21, "after_hours"), "healthy"),
        ("3 of 20 after hours", lambda c: messages(c, 3, 20, "after_hours"), "concerning"),
        ("6 of 21 after hours", lambda c: messages(c, 6, 21, "after_hours"), "concerning"),
        ("6 of 20 after hours", lambda c: messages(c, 6, 20, "after_hours"), "poor"),
    ],
    "W3": [
        ("2 of 21 to a partner", lambda c: messages(c, 2, 21, "to_senior"), "healthy"),
        ("2 of 20 to a partner", lambda c: messages(c, 2, 20, "to_senior"), "concerning"),
        ("5 of 21 to a partner", lambda c: messages(c, 5, 21, "to_senior"), "concerning"),
        ("5 of 20 to a partner", lambda c: messages(c, 5, 20, "to_senior"), "poor"),
    ],
    "W4": [
        ("3 of 21 missed", lambda c: meetings(c, 3, 21), "healthy"),
        ("3 of 20 missed", lambda c: meetings(c, 3, 20), "concerning"),
        ("6 of 21 missed", lambda c: meetings(c, 6, 21), "concerning"),
        ("6 of 20 missed", lambda c: meetings(c, 6, 20), "poor"),
    ],
    "W5": [
        (f"{n} rework", lambda c, n=n: incidents(c, Kind.REWORK, n), band)
        for n, band in ((1, "healthy"), (2, "concerning"), (3, "concerning"), (4, "poor"))
    ],
    "W6": [
        (f"{n} challenged", lambda c, n=n: incidents(c, Kind.EXPERTISE_CHALLENGED, n), band)
        for n, band in ((0, "healthy"), (1, "concerning"), (2, "concerning"), (3, "poor"))
    ],
    "W7": [
        ("1 of 6 paid late", lambda c: invoices(c, 1, 6), "healthy"),
        ("1 of 5 paid late", lambda c: invoices(c, 1, 5), "concerning"),
        ("2 of 6 paid late", lambda c: invoices(c, 2, 6), "concerning"),
        ("2 of 5 paid late", lambda c: invoices(c, 2, 5), "poor"),
    ],
    "W8": [
        ("nothing disputed", lambda c: invoices(c, 0, 1), "healthy"),
        ("1 disputed invoice", lambda c: invoices(c, 0, 1, disputed=True), "concerning"),
        ("1 contract incident", lambda c: (invoices(c, 0, 1), incidents(c, Kind.CONTRACT_IGNORED, 1)), "concerning"),
        (
            "1 disputed + 1 incident",
            lambda c: (invoices(c, 0, 1, disputed=True), incidents(c, Kind.CONTRACT_IGNORED, 1)),
            "poor",
        ),
    ],
    "W9": [
        ("1 discount asked", lambda c: invoices(c, 0, 1, discount_requested=True), "healthy"),
        (
            "1 asked + 1 haggle",
            lambda c: (invoices(c, 0, 1, discount_requested=True), incidents(c, Kind.HAGGLING, 1)),
            "concerning",
        ),
        (
            "2 asked + 1 haggle",
            lambda c: (invoices(c, 0, 2, discount_requested=True), incidents(c, Kind.HAGGLING, 1)),
            "concerning",
        ),
        (
            "2 asked + 2 haggles",
            lambda c: (invoices(c, 0, 2, discount_requested=True), incidents(c, Kind.HAGGLING, 2)),
            "poor",
        ),
    ],
    "W10": [
        ("2 of 21 negative", lambda c: messages(c, 2, 21, "negative"), "healthy"),
        ("2 of 20 negative", lambda c: messages(c, 2, 20, "negative"), "concerning"),
        ("5 of 21 negative", lambda c: messages(c, 5, 21, "negative"), "concerning"),
        ("5 of 20 negative", lambda c: messages(c, 5, 20, "negative"), "poor"),
    ],
    "W11": [
        ("90 % of target", lambda c: rate(c, "900"), "healthy"),
        ("89.9 % of target", lambda c: rate(c, "899"), "concerning"),
        ("60.1 % of target", lambda c: rate(c, "601"), "concerning"),
        ("60 % of target", lambda c: rate(c, "600"), "poor"),
    ],
    "W12": [
        ("all in focus", lambda c: services(c, 2, 0), "healthy"),
        ("1 of 4 outside", lambda c: services(c, 3, 1), "concerning"),
        ("1 of 3 outside", lambda c: services(c, 2, 1), "concerning"),
        ("1 of 2 outside", lambda c: services(c, 1, 1), "poor"),
    ],
    "W13": [
        ("4.9 h free of 100", lambda c: scope(c, "4.9"), "healthy"),
        ("5 h free of 100", lambda c: scope(c, "5"), "concerning"),
        ("14.9 h free of 100", lambda c: scope(c, "14.9"), "concerning"),
        ("15 h free of 100", lambda c: scope(c, "15"), "poor"),
    ],
    "W14": [
        ("1 of 5 late", lambda c: requests(c, [1, 0, 0, 0, 0]), "healthy"),
        ("1 of 4 late", lambda c: requests(c, [1, 0, 0, 0]), "concerning"),
        ("2 of 5 late", lambda c: requests(c, [1, 1, 0, 0, 0]), "concerning"),
        ("2 of 4 late", lambda c: requests(c, [1, 1, 0, 0]), "poor"),
    ],
    "W15": [
        (f"{n} disrespect", lambda c, n=n: incidents(c, Kind.DISRESPECT, n), band)
        for n, band in ((0, "healthy"), (1, "concerning"), (2, "poor"))
    ],
}


@pytest.mark.parametrize("sign_id", list(SIDES))
def test_the_scorer_puts_each_side_of_a_threshold_in_its_band(firm, sign_id):
    """W1–W15 from evidence: one client per side of *concerning at* and *poor at*, all in one firm."""
    built = {}
    for n, (label, build, band) in enumerate(SIDES[sign_id]):
        client = ClientFactory(firm=firm, name=f"{n} {label}")
        if sign_id in ("W5", "W6", "W15"):  # evidence, so that a client with no incidents is judged
            TimeEntryFactory(client=client, date=days_ago(firm, 25))
        build(client)
        built[client.pk] = (label, band)
    results = {r.client_id: r for r in Scorer(firm).score()}
    got = {label: results[pk].sign(sign_id).band for pk, (label, _band) in built.items()}
    assert got == {label: band for label, band in built.values()}


# -- W2 working hours and W4 lateness / short notice: the edges inside a sign --------------------


def test_w2_a_message_at_the_end_of_working_hours_is_after_hours_one_minute_before_is_not(firm):
    """Working hours 09:00–17:00 in Warsaw: 08:59 and 17:00 are outside, 09:00 and 16:59 inside."""
    edges = {"08:59": 100.0, "09:00": 0.0, "16:59": 0.0, "17:00": 100.0}
    clients = {}
    for hhmm in edges:
        client = ClientFactory(firm=firm, name=f"At {hhmm}")
        hour, minute = map(int, hhmm.split(":"))
        MessageFactory(client=client, sent_at=weekday_at(firm, hour, minute))
        clients[client.pk] = hhmm
    results = {r.client_id: r for r in Scorer(firm).score()}
    assert {hhmm: results[pk].sign("W2").value for pk, hhmm in clients.items()} == edges


def test_w4_ten_minutes_late_counts_and_nine_does_not_a_day_of_notice_is_not_last_minute(firm):
    at = weekday_at(firm, 11)
    cases = {
        "9 min late": ({"status": Meeting.Status.HELD, "minutes_late": 9}, 0.0),
        "10 min late": ({"status": Meeting.Status.HELD, "minutes_late": 10}, 100.0),
        "cancelled 24 h before": (
            {"status": Meeting.Status.CANCELLED_BY_CLIENT, "cancelled_at": at - dt.timedelta(hours=24)},
            0.0,
        ),
        "cancelled 23:59 before": (
            {"status": Meeting.Status.CANCELLED_BY_CLIENT, "cancelled_at": at - dt.timedelta(hours=23, minutes=59)},
            100.0,
        ),
    }
    clients = {}
    for label, (fields, _value) in cases.items():
        client = ClientFactory(firm=firm, name=label)
        MeetingFactory(client=client, starts_at=at, **fields)
        clients[client.pk] = label
    results = {r.client_id: r for r in Scorer(firm).score()}
    assert {label: results[pk].sign("W4").value for pk, label in clients.items()} == {
        label: value for label, (_f, value) in cases.items()
    }


def test_w7_paid_on_the_due_date_is_on_time_a_day_later_is_late(firm):
    due = days_ago(firm, 30)
    on_time, late = ClientFactory(firm=firm, name="On the day"), ClientFactory(firm=firm, name="Day after")
    InvoiceFactory(client=on_time, issued_on=due - dt.timedelta(days=14), due_on=due, paid_on=due, amount_paid=1000)
    InvoiceFactory(
        client=late,
        issued_on=due - dt.timedelta(days=14),
        due_on=due,
        paid_on=due + dt.timedelta(days=1),
        amount_paid=1000,
    )
    results = {r.client_id: r for r in Scorer(firm).score()}
    assert (results[on_time.pk].sign("W7").value, results[late.pk].sign("W7").value) == (0.0, 100.0)


# -- advice: talk first below, consider parting below — strictly below (D1, D2) -----------------


def test_advice_thresholds_are_strictly_below(firm):
    """A client whose score equals *consider parting below* is not told to consider parting; one
    point under is. The same for *talk first below*. W7 (payment) is not about expectations (D2)."""
    lower, higher = ClientFactory(firm=firm, name="Lower"), ClientFactory(firm=firm, name="Higher")
    invoices(lower, 1, 3)  # 33 % late: concerning, not poor
    invoices(higher, 1, 4)  # 25 % late: concerning, not poor
    scores = {r.client_id: r for r in Scorer(firm).score()}
    low, high = scores[lower.pk].score, scores[higher.pk].score
    assert low < high
    assert all(s.band != "poor" for r in scores.values() for s in r.signs)
    policy = policy_for(firm)

    def advice(part_below, talk_below):
        policy.part_below, policy.talk_below = part_below, talk_below
        policy.save()
        results = {r.client_id: r.recommendation for r in Scorer(firm).score()}
        return results[lower.pk], results[higher.pk]

    assert advice(part_below=high, talk_below=100) == ("consider_parting", "talk_first")
    assert advice(part_below=high + 1, talk_below=100) == ("consider_parting", "consider_parting")
    assert advice(part_below=0, talk_below=high) == ("talk_first", "keep")
    assert advice(part_below=0, talk_below=high + 1) == ("talk_first", "talk_first")


# -- dealbreakers (D7) --------------------------------------------------------------------------


def test_d7_an_invoice_exactly_90_days_overdue_is_not_a_dealbreaker_91_is(firm):
    """ "More than 90 days past its due date": 90 is not, 91 is — on separate clients, one pass."""
    sides = {}
    for days in (89, 90, 91):
        client = ClientFactory(firm=firm, name=f"{days} days overdue")
        due = days_ago(firm, days)
        InvoiceFactory(client=client, issued_on=due - dt.timedelta(days=14), due_on=due)
        sides[client.pk] = days
    paid = ClientFactory(firm=firm, name="Paid late, 200 days")
    due = days_ago(firm, 200)
    InvoiceFactory(
        client=paid, issued_on=due - dt.timedelta(days=14), due_on=due, paid_on=days_ago(firm, 1), amount_paid=1000
    )
    sides[paid.pk] = "paid"
    results = {r.client_id: r for r in Scorer(firm).score()}
    flagged = {sides[cid]: [d.rule["type"] for d in r.dealbreakers] for cid, r in results.items()}
    assert flagged == {89: [], 90: [], 91: ["overdue_invoice"], "paid": []}
    assert results[next(k for k, v in sides.items() if v == 91)].recommendation == "consider_parting"


def test_d7_two_incidents_within_six_months_today_included_is_a_dealbreaker(firm):
    """Two disrespect incidents dated after the day six months ago and up to today: a dealbreaker.
    One on the day six months ago is outside; one dated tomorrow has not happened; one alone is not enough."""
    today = firm.today()
    six_months_ago = month_shift(today, -6)
    sides = {
        "today + the day after six months ago": [today, six_months_ago + dt.timedelta(days=1)],
        "today + exactly six months ago": [today, six_months_ago],
        "today + tomorrow": [today, today + dt.timedelta(days=1)],
        "one today": [today],
    }
    clients = {}
    for label, days in sides.items():
        client = ClientFactory(firm=firm, name=label)
        for day in days:
            IncidentFactory(client=client, kind=Kind.DISRESPECT, occurred_on=day)
        clients[client.pk] = label
    results = {r.client_id: r for r in Scorer(firm).score()}
    assert {label: [d.rule["type"] for d in results[pk].dealbreakers] for pk, label in clients.items()} == {
        "today + the day after six months ago": ["incidents"],
        "today + exactly six months ago": [],
        "today + tomorrow": [],
        "one today": [],
    }
