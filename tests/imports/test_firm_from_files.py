"""The demo can be rebuilt from files (issue 10, "Done when"): a firm set up as a user would set it up
in its settings, then fed one sample export of every kind — its client list, Xero's invoices, a
payments file, Anna's Google Calendar, Anna's Gmail Takeout, the Toggl Track detailed report, and the
firm's requests and incidents — scores every sign W1–W15 for its troubled client, each in the band
the files were written to give, and shows the evidence on the client page. Importing every file a
second time changes nothing.

The files are in tests/imports/samples/firm/. The firm: Kowalczyk & Partners, an accounting office in
Warsaw (Europe/Warsaw), open 9:00–17:00 Monday to Friday, focused on bookkeeping, payroll and annual
accounts, billing 200 PLN an hour. Ewa owns it, Marek is a partner, Anna (staff) looks after the three
clients:

- Vistula Logistics Sp. z o.o. — the troubled one. Its evidence, sign by sign:
  W1/W14: 4 requests, 3 late (10 and 6 days, and the 2025 statements still missing 20 days after
  their due date): 36 / 4 = 9.0 days, 75 %.
  W2/W3/W10: 8 messages from Piotr (3 replies from Anna do not count): 4 after hours (a Saturday
  evening, 23:10, 07:05, a Saturday morning), 3 to Ewa or Marek, 3 negative: 50 %, 37.5 %, 37.5 %.
  W4: a weekly meeting, 10 Tuesdays from 17 March across the change to summer time, one taken out of
  the series (EXDATE): 9 meetings; one cancelled less than two hours before, one declined the
  evening before, one no-show: 3 / 9 = 33.3 %.
  W5 2 rework, W6 1 challenge, W8 1 contract term ignored, W9 2 hagglings, W15 1 disrespect.
  W7: 5 invoices due, 3 paid late (INV-0104 16 days; INV-0107 in two parts, the second late;
  INV-0113 still open after its due date): 60 %.
  W11: 5 × 1,599 PLN invoiced over 80 hours: 99.94 PLN an hour, 50 % of 200.
  W12: website maintenance is outside the firm's focus: 1 of 3 services, 33.3 %.
  W13: 10 unbilled hours of scope creep of 80 hours worked: 12.5 %.
- Nordic Design Studio Ltd — a good client who referred Vistula (D6): everything on time.
- Amber Bakery s.c. — a small client writing from a gmail.com address (matched by the address, not
  the public domain).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from parting.clients.models import Client
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.firms.models import Membership, Service
from parting.firms.services import firm_create, member_add
from parting.imports.services import run_import
from parting.signs.scoring import Scorer

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples" / "firm"
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)  # 14:00 in Warsaw; the window is July 2025 – June 2026

# In the order a user loads them: clients first (everything else is matched to them), invoices before
# the payments that name them, then the rest. No format is named: Xero's and Toggl's exports are
# recognised from their headers, the other CSVs read with the generic columns.
FILES = (
    ("clients", "clients.csv"),
    ("invoices", "xero_invoices.csv"),
    ("payments", "payments.csv"),
    ("calendar", "anna.lis@kowalczyk-partners.example.ics"),
    ("mail", "All mail Including Spam and Trash.mbox"),
    ("time", "Toggl_time_entries_2026-01-01_to_2026-06-30.csv"),
    ("requests", "requests.csv"),
    ("incidents", "incidents.csv"),
)

VISTULA, NORDIC, AMBER = "Vistula Logistics Sp. z o.o.", "Nordic Design Studio Ltd", "Amber Bakery s.c."

# What each file adds to the empty firm.
FIRST_COUNTS = {
    "clients": {"clients": {"added": 3}, "contacts": {"added": 4}},
    "invoices": {"invoices": {"added": 13}},
    "payments": {"payments": {"added": 11}},
    "calendar": {
        "meetings": {"added": 16, "skipped (no client named)": 4, "all-day events skipped": 1},
    },
    "mail": {"messages": {"added": 15, "passed over (spam)": 1, "passed over (internal)": 1}},
    "time": {"time entries": {"added": 32}},
    "requests": {"requests": {"added": 7}},
    "incidents": {"incidents": {"added": 9}},
}

# Vistula's value of every sign, and the band the files were written to give it.
INTENDED = {
    "W1": (9.0, "poor"),
    "W2": (50.0, "poor"),
    "W3": (37.5, "poor"),
    "W4": (33.3, "poor"),
    "W5": (2.0, "concerning"),
    "W6": (1.0, "concerning"),
    "W7": (60.0, "poor"),
    "W8": (1.0, "concerning"),
    "W9": (2.0, "concerning"),
    "W10": (37.5, "poor"),
    "W11": (50.0, "poor"),
    "W12": (33.3, "concerning"),
    "W13": (12.5, "concerning"),
    "W14": (75.0, "poor"),
    "W15": (1.0, "concerning"),
}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office(frozen):
    """An empty firm set up as its owner would in the firm's settings: zone, hours (W2), currency,
    target rate (W11), focus services (W12), and its people with their addresses (W3, and which side
    of a message or meeting is the firm's)."""
    firm = firm_create(
        name="Kowalczyk & Partners",
        slug="kowalczyk-partners",
        time_zone="Europe/Warsaw",
        currency="PLN",
        working_hours=[(day, dt.time(9), dt.time(17)) for day in range(5)],
        target_hourly_rate=Decimal("200.00"),
        email="biuro@kowalczyk-partners.example",
    )
    focus = [Service.objects.create(firm=firm, name=name) for name in ("Bookkeeping", "Payroll", "Annual accounts")]
    firm.focus_services.set(focus)
    people = {}
    for username, role, first, last in (
        ("ewa", Membership.Role.OWNER, "Ewa", "Kowalczyk"),
        ("marek", Membership.Role.PARTNER, "Marek", "Zając"),
        ("anna", Membership.Role.STAFF, "Anna", "Lis"),
    ):
        membership, _password = member_add(
            firm=firm,
            username=username,
            role=role,
            email=f"{first.lower()}.{last.lower().replace('ą', 'a')}@kowalczyk-partners.example",
            first_name=first,
            last_name=last,
        )
        people[username] = membership.user
    return firm, people


def import_all(firm, people) -> dict[str, object]:
    """Every sample file through run_import, in order; after the client list, Anna is assigned to
    every client (as the user does on the client's page: the clients CSV has no such column)."""
    results = {}
    for kind, name in FILES:
        results[kind] = run_import(firm=firm, by=people["ewa"], kind=kind, paths=[SAMPLES / name])
        if kind == "clients":
            Client.objects.filter(firm=firm).update(assigned_to=people["anna"])
    return results


def problems_of(result) -> list[str]:
    return [f"{p.source.file}:{p.source.line} {p.column} {p.reason}" for p in result.problems]


def snapshot(firm) -> dict[str, list[dict]]:
    """Every row the import writes, as it is in the database."""
    models = (Client, Invoice, Payment, Meeting, Message, TimeEntry, ClientRequest, Incident)
    return {model.__name__: list(model.objects.filter(firm=firm).order_by("pk").values()) for model in models}


def vistula_score(firm):
    return next(r for r in Scorer(firm).score() if r.name == VISTULA)


def test_every_file_of_every_kind_imports_into_a_new_firm_without_a_problem(office):
    firm, people = office
    results = import_all(firm, people)
    for kind, result in results.items():
        assert result.ok, (kind, problems_of(result))
        assert result.run.unmatched == [], kind  # every record found its client
        assert result.run.counts["counts"] == FIRST_COUNTS[kind], kind
    assert set(Client.objects.filter(firm=firm).values_list("name", flat=True)) == {VISTULA, NORDIC, AMBER}


def test_the_imported_evidence_is_what_the_files_say(office):
    """Spot checks of the loading the signs depend on: matching by contact address (Amber writes from
    gmail.com), the referral (D6), the two-part payment (W7, D10), the calendar's cancellations and
    no-show (W4), threads and the senior partner (W3)."""
    firm, people = office
    import_all(firm, people)
    clients = {c.name: c for c in Client.objects.filter(firm=firm)}
    vistula, nordic, amber = clients[VISTULA], clients[NORDIC], clients[AMBER]

    assert vistula.referred_by_id == nordic.pk  # D6: Nordic's referral
    assert set(vistula.services.values_list("name", flat=True)) == {"Bookkeeping", "Payroll", "Website maintenance"}
    assert vistula.email_domains == "vistula-logistics.example"

    # W7 / D10: INV-0107 paid in two parts, fully paid on the day of the second (late) one.
    paid_in_parts = Invoice.objects.get(firm=firm, number="INV-0107")
    assert paid_in_parts.client == vistula
    assert sorted(paid_in_parts.payments.values_list("paid_on", "amount")) == [
        (dt.date(2026, 4, 10), Decimal("800.00")),
        (dt.date(2026, 5, 20), Decimal("799.00")),
    ]
    assert (paid_in_parts.amount, paid_in_parts.amount_paid) == (Decimal("1599.00"), Decimal("1599.00"))
    assert paid_in_parts.paid_on == dt.date(2026, 5, 20)
    open_one = Invoice.objects.get(firm=firm, number="INV-0113")
    assert open_one.paid_on is None and open_one.amount_paid == 0
    assert Invoice.objects.get(firm=firm, number="CN-0003").amount == Decimal("-123.00")  # a credit note
    assert not Invoice.objects.filter(firm=firm, number="INV-0115").exists()  # Xero's draft: not a debt
    assert Invoice.objects.filter(client=amber).count() == 2

    # W4: nine Tuesdays (14 April was taken out of the series); the times are Warsaw's on both sides
    # of the change to summer time on 29 March.
    meetings = Meeting.objects.filter(client=vistula).order_by("starts_at")
    assert [m.starts_at.astimezone(dt.UTC).strftime("%m-%d %H:%M") for m in meetings] == [
        "03-17 09:00",
        "03-24 09:00",
        "03-31 08:00",
        "04-07 08:00",
        "04-21 08:00",
        "04-28 08:00",
        "05-05 08:00",
        "05-12 08:00",
        "05-19 08:00",
    ]
    by_day = {m.starts_at.date(): m for m in meetings}
    cancelled = by_day[dt.date(2026, 3, 31)]
    assert cancelled.status == Meeting.Status.CANCELLED_BY_CLIENT
    assert cancelled.cancelled_at == dt.datetime(2026, 3, 31, 6, 12, 44, tzinfo=dt.UTC)  # 1 h 47 min before
    declined = by_day[dt.date(2026, 4, 28)]
    assert declined.status == Meeting.Status.CANCELLED_BY_CLIENT
    assert declined.cancelled_at == dt.datetime(2026, 4, 27, 19, 30, 55, tzinfo=dt.UTC)  # the evening before
    assert by_day[dt.date(2026, 5, 12)].status == Meeting.Status.NO_SHOW
    assert Meeting.objects.filter(client=nordic, status=Meeting.Status.HELD).count() == 6
    assert Meeting.objects.filter(client=amber).count() == 1  # booked by the client from gmail.com

    # Mail: the client's messages in, Anna's replies out and threaded; W3 from the firm's roles.
    inbound = Message.objects.filter(client=vistula, direction=Message.Direction.INBOUND)
    assert inbound.count() == 8
    assert set(inbound.filter(to_senior=True).values_list("summary", flat=True)) == {
        "VAT return for February?",
        "Invoice INV-0104",
        "Your fees",
    }
    assert set(inbound.filter(negative=True).values_list("summary", flat=True)) == {
        "VAT return for February?",
        "Re: Payroll question",
        "Your fees",
    }
    reply = Message.objects.get(firm=firm, source_key="CAKzp-an-0002@mail.gmail.com")
    assert reply.direction == Message.Direction.OUTBOUND and not reply.to_senior
    assert reply.in_reply_to.source_key == "CAPw-vl-0002@mail.gmail.com"
    assert Message.objects.filter(client=amber).get().summary == "Nowy pracownik od czerwca"

    # Time: Toggl's "Nordic Design Studio, Ltd." is the client list's "Nordic Design Studio Ltd".
    hours = {c: sum(TimeEntry.objects.filter(client=clients[c]).values_list("hours", flat=True)) for c in clients}
    assert hours == {VISTULA: Decimal("80.00"), NORDIC: Decimal("60.00"), AMBER: Decimal("8.00")}
    assert TimeEntry.objects.filter(client=vistula, person=people["anna"]).count() == 16
    assert TimeEntry.objects.filter(client=nordic, person=people["marek"]).count() == 6


@pytest.mark.parametrize("sign_id", sorted(INTENDED, key=lambda s: int(s[1:])))
def test_the_troubled_client_has_every_sign_w1_to_w15_computed_in_its_intended_band(office, sign_id):
    firm, people = office
    import_all(firm, people)
    sign = vistula_score(firm).sign(sign_id)
    value, band = INTENDED[sign_id]
    assert sign.value is not None, sign.explanation
    assert (sign.value, sign.band) == (value, band), sign.explanation


def test_the_files_tell_the_troubled_client_from_the_good_one(office):
    """The same files give the good client (Nordic) every judged sign healthy and advise keeping it,
    and the troubled one the advice to consider parting; the small bakery pays on time but not for
    the time it takes (W11)."""
    firm, people = office
    import_all(firm, people)
    scores = {r.name: r for r in Scorer(firm).score()}
    vistula, nordic, amber = scores[VISTULA], scores[NORDIC], scores[AMBER]
    assert vistula.recommendation == "consider_parting"
    assert nordic.recommendation == "keep"
    assert all(s.band == "healthy" for s in nordic.signs if s.value is not None)
    assert amber.sign("W7").band == "healthy"
    assert amber.sign("W11").band == "poor"  # 738 PLN over 8 hours: 92.25 an hour of 200
    assert vistula.score < nordic.score and vistula.score < amber.score


def test_importing_every_file_a_second_time_changes_nothing(office):
    firm, people = office
    import_all(firm, people)
    rows = snapshot(firm)
    scores = [r.as_dict() for r in Scorer(firm).score()]

    again = import_all(firm, people)
    for kind, result in again.items():
        assert result.ok, (kind, problems_of(result))
        # What was added is now unchanged; what was passed over is passed over again; no contact twice.
        expected = {
            what: {("unchanged" if key == "added" else key): n for key, n in first.items()}
            for what, first in FIRST_COUNTS[kind].items()
            if what != "contacts"
        }
        assert result.run.counts["counts"] == expected, kind
        assert result.run.counts["changes"] == [], kind
        assert result.run.counts["created_clients"] == [], kind

    assert snapshot(firm) == rows
    assert [r.as_dict() for r in Scorer(firm).score()] == scores


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_after_the_import_the_client_page_and_the_dashboard_show_the_new_evidence(office, client):
    """Issue 10 §4: after an import, the signs on the dashboard and the client page reflect the new
    data — the imported invoices, meetings, messages, requests and incidents on the client's timeline
    and the signs computed from them."""
    firm, people = office
    import_all(firm, people)
    vistula = Client.objects.get(firm=firm, name=VISTULA)
    client.force_login(people["anna"])

    page = text(client.get(reverse("client_detail", args=[vistula.pk])))
    assert "INV-0107" in page and "INV-0113" in page  # Xero's invoices
    assert "Cancelled by the client" in page and "Client did not show up" in page  # Google Calendar
    assert "Your fees" in page and "to an owner or partner" in page  # Gmail
    assert "Signed financial statements 2025" in page and "missing" in page.lower()  # requests
    assert "Shouted at Anna on the phone" in page  # incidents
    assert "Of 9 meetings: 2 cancelled with less than 24 hours&#x27; notice, 1 no-shows" in page  # W4
    assert "Paid 3 of 5 invoices late" in page  # W7
    assert "Earned 99.94 an hour over 80 hours" in page  # W11, from Xero and Toggl

    dashboard = text(client.get(reverse("dashboard")))
    for name in (VISTULA, NORDIC, AMBER):
        assert name in dashboard
    assert "Consider parting" in dashboard
