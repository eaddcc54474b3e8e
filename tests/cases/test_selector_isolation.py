"""Every selector that feeds a page returns the member's firm's rows only, with another firm's rows
present and built to match every other condition of the query (same states, same dates, same pks in
audit targets). Where a selector reads one client or one case, a same-firm sibling's rows are present
too. Each test also shows the own rows *are* returned, so an empty answer cannot pass."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse

from parting.audit.services import audit_record
from parting.cases.models import CaseTask, OffboardingCase
from parting.cases.selectors import (
    case_get,
    case_list,
    case_timeline,
    former_client_evidence,
    open_case_for,
    overdue_tasks,
    partings,
)
from parting.clients.models import Client
from parting.clients.selectors import client_get, client_timeline, payment_delays
from parting.evidence.models import Incident, Meeting
from parting.signs.evidence import sign_evidence
from parting.signs.scoring import Scorer, window
from tests.factories import (
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
EVIDENCE = {
    "invoice": lambda c, day: InvoiceFactory(client=c, issued_on=day, due_on=day + dt.timedelta(days=14)),
    "meeting": lambda c, day: MeetingFactory(client=c, starts_at=dt.datetime.combine(day, dt.time(10), dt.UTC)),
    "message": lambda c, day: MessageFactory(client=c, sent_at=dt.datetime.combine(day, dt.time(10), dt.UTC)),
    "request": lambda c, day: ClientRequestFactory(client=c, requested_on=day, due_on=day + dt.timedelta(days=9)),
    "incident": lambda c, day: IncidentFactory(client=c, occurred_on=day),
    "time": lambda c, day: TimeEntryFactory(client=c, date=day),
}


@pytest.fixture
def firms(db):
    ours, theirs = FirmFactory(name="Ours"), FirmFactory(name="Theirs")
    return {
        "ours": ours,
        "theirs": theirs,
        "me": MembershipFactory(firm=ours, user__username="me").user,
        "them": MembershipFactory(firm=theirs, user__username="them").user,
    }


def make_case(client, by, state, **fields) -> OffboardingCase:
    return OffboardingCase.objects.create(firm=client.firm, client=client, opened_by=by, state=state, **fields)


def task(case, due_on, status=CaseTask.Status.OPEN, key="1") -> CaseTask:
    return CaseTask.objects.create(
        case=case, kind="custom", key=key, params={"title": f"Task of {case.client.name}"}, due_on=due_on, status=status
    )


# -- cases/selectors.py ---------------------------------------------------------------------


def test_case_get_is_a_404_for_another_firms_case(firms):
    own = make_case(ClientFactory(firm=firms["ours"]), firms["me"], State.DRAFT)
    theirs = make_case(ClientFactory(firm=firms["theirs"]), firms["them"], State.DRAFT)
    assert case_get(firm=firms["ours"], pk=own.pk) == own
    with pytest.raises(Http404):
        case_get(firm=firms["ours"], pk=theirs.pk)


@pytest.mark.parametrize("state", ["open", "all", *State.values])
def test_case_list_shows_only_the_firms_cases_in_every_filter(firms, state):
    own, theirs = {}, {}
    for s in State.values:
        own[s] = make_case(ClientFactory(firm=firms["ours"]), firms["me"], s)
        theirs[s] = make_case(ClientFactory(firm=firms["theirs"]), firms["them"], s)
    listed = case_list(firm=firms["ours"], state=state)
    assert listed, state
    assert all(case.firm_id == firms["ours"].pk for case in listed)
    assert not {c.pk for c in theirs.values()} & {c.pk for c in listed}


def test_open_case_for_reads_only_that_clients_cases(firms):
    own_client = ClientFactory(firm=firms["ours"])
    sibling = ClientFactory(firm=firms["ours"])
    make_case(sibling, firms["me"], State.IN_REVIEW)
    make_case(own_client, firms["me"], State.CLOSED)
    assert open_case_for(own_client) is None
    live = make_case(own_client, firms["me"], State.NOTIFIED)
    assert open_case_for(own_client) == live


def test_case_timeline_reads_only_the_firms_entries_for_that_case(firms):
    """An entry of another firm that names the same target, and the sibling case's entries, are left out."""
    own = make_case(ClientFactory(firm=firms["ours"]), firms["me"], State.DRAFT)
    sibling = make_case(ClientFactory(firm=firms["ours"]), firms["me"], State.DRAFT)
    audit_record(firm=firms["ours"], actor=firms["me"], action="case.opened", target=f"case:{own.pk}", data={})
    audit_record(firm=firms["ours"], actor=firms["me"], action="case.withdrawn", target=f"case:{sibling.pk}")
    audit_record(
        firm=firms["theirs"], actor=firms["them"], action="case.closed", target=f"case:{own.pk}", data={"note": "x"}
    )
    timeline = case_timeline(own)
    assert [str(entry["what"]) for entry in timeline] == ["Case opened"]


def test_overdue_tasks_lists_only_the_firms_tasks_of_live_cases(firms):
    """The dashboard's overdue list (O1–O9): another firm's overdue task never shows, however overdue."""
    ours, theirs = firms["ours"], firms["theirs"]
    today = ours.today()
    own_live = make_case(ClientFactory(firm=ours, name="Own Live"), firms["me"], State.WINDING_DOWN)
    own_draft = make_case(ClientFactory(firm=ours, name="Own Draft"), firms["me"], State.DRAFT)
    their_live = make_case(ClientFactory(firm=theirs, name="Their Live"), firms["them"], State.WINDING_DOWN)
    overdue = task(own_live, today - dt.timedelta(days=1))
    task(own_live, today - dt.timedelta(days=5), status=CaseTask.Status.DONE, key="2")
    task(own_draft, today - dt.timedelta(days=5))
    task(own_live, today, key="3")  # due today: not overdue yet
    task(their_live, today - dt.timedelta(days=30))
    assert overdue_tasks(firm=ours, today=today) == [overdue]


def test_the_dashboard_shows_only_the_firms_overdue_tasks(client, firms):
    today = firms["ours"].today()
    task(
        make_case(ClientFactory(firm=firms["ours"], name="Own Late"), firms["me"], State.NOTIFIED),
        today - dt.timedelta(days=2),
    )
    task(
        make_case(ClientFactory(firm=firms["theirs"], name="Their Late"), firms["them"], State.NOTIFIED),
        today - dt.timedelta(days=2),
    )
    client.force_login(firms["me"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "Own Late" in page
    assert "Their Late" not in page


@pytest.mark.parametrize("kind", sorted(EVIDENCE))
def test_former_client_evidence_lists_only_the_firms_former_clients(firms, kind):
    """O8: evidence dated after a closed case's end, for a former client of this firm only."""
    ended = firms["ours"].today() - dt.timedelta(days=20)
    after = ended + dt.timedelta(days=5)
    own = ClientFactory(firm=firms["ours"], name="Own Former", status=Client.Status.FORMER)
    theirs = ClientFactory(firm=firms["theirs"], name="Their Former", status=Client.Status.FORMER)
    make_case(own, firms["me"], State.CLOSED, ended_on=ended)
    make_case(theirs, firms["them"], State.CLOSED, ended_on=ended)
    own_row = EVIDENCE[kind](own, after)
    EVIDENCE[kind](theirs, after)
    flagged = former_client_evidence(firm=firms["ours"])
    assert [(item["kind"], item["row"].pk, item["client"].pk) for item in flagged] == [(kind, own_row.pk, own.pk)]


def test_former_client_evidence_is_only_what_comes_after_the_end_date(firms):
    """O8 at its edge: a row dated on the end date is the last day of service; the day after is flagged."""
    ended = firms["ours"].today() - dt.timedelta(days=20)
    on_end = ClientFactory(firm=firms["ours"], name="On End", status=Client.Status.FORMER)
    day_after = ClientFactory(firm=firms["ours"], name="Day After", status=Client.Status.FORMER)
    for c in (on_end, day_after):
        make_case(c, firms["me"], State.CLOSED, ended_on=ended)
    IncidentFactory(client=on_end, occurred_on=ended)
    late = IncidentFactory(client=day_after, occurred_on=ended + dt.timedelta(days=1))
    assert [item["row"].pk for item in former_client_evidence(firm=firms["ours"])] == [late.pk]


def test_partings_lists_only_the_firms_closed_cases_and_rates_from_its_own_books(firms):
    """A1: another firm's closed case is not listed, and its hours and revenue do not move the firm's rate."""
    ours, theirs = firms["ours"], firms["theirs"]
    ended = ours.today() - dt.timedelta(days=10)
    month = ended.replace(day=1)
    gone = ClientFactory(firm=ours, name="Gone", status=Client.Status.FORMER)
    staying = ClientFactory(firm=ours, name="Staying")
    their_gone = ClientFactory(firm=theirs, name="Their Gone", status=Client.Status.FORMER)
    own_case = make_case(gone, firms["me"], State.CLOSED, ended_on=ended)
    make_case(their_gone, firms["them"], State.CLOSED, ended_on=ended)
    TimeEntryFactory(client=gone, date=month, hours=Decimal("24"))
    InvoiceFactory(client=gone, issued_on=month, amount=Decimal("1200"))
    TimeEntryFactory(client=staying, date=month, hours=Decimal("10"))
    InvoiceFactory(client=staying, issued_on=month, amount=Decimal("1000"))
    TimeEntryFactory(client=their_gone, date=month, hours=Decimal("500"))
    InvoiceFactory(client=their_gone, issued_on=month, amount=Decimal("1"))
    rows = partings(firm=ours)
    assert [row.case for row in rows] == [own_case]
    (row,) = rows
    assert row.hours_per_month == Decimal("2.0")  # 24 h over 12 months
    assert row.revenue_per_month == Decimal("100.00")
    assert row.rate_before == Decimal("64.71")  # 2200 / 34 h: the other firm's 500 h are not ours
    assert row.rate_after == Decimal("100.00")  # 1000 / 10 h


# -- clients/selectors.py -----------------------------------------------------------------------


def test_client_get_is_a_404_for_another_firms_client(firms):
    own = ClientFactory(firm=firms["ours"])
    theirs = ClientFactory(firm=firms["theirs"])
    assert client_get(firm=firms["ours"], pk=own.pk) == own
    with pytest.raises(Http404):
        client_get(firm=firms["ours"], pk=theirs.pk)


def test_client_timeline_holds_only_that_clients_rows_of_every_kind(firms):
    day = firms["ours"].today() - dt.timedelta(days=3)
    own = ClientFactory(firm=firms["ours"])
    sibling = ClientFactory(firm=firms["ours"])
    theirs = ClientFactory(firm=firms["theirs"])
    expected = {(kind, make(own, day).pk) for kind, make in EVIDENCE.items()}
    for other in (sibling, theirs):
        for make in EVIDENCE.values():
            make(other, day)
    assert {(entry["kind"], entry["row"].pk) for entry in client_timeline(client=own)} == expected


def test_payment_delays_chart_reads_only_that_clients_invoices(firms):
    today = firms["ours"].today()
    own = ClientFactory(firm=firms["ours"])
    sibling = ClientFactory(firm=firms["ours"])
    theirs = ClientFactory(firm=firms["theirs"])
    due = today - dt.timedelta(days=30)
    InvoiceFactory(client=own, issued_on=due - dt.timedelta(days=14), due_on=due, paid_on=due + dt.timedelta(days=3))
    for other in (sibling, theirs):
        InvoiceFactory(client=other, issued_on=due - dt.timedelta(days=14), due_on=due)
    assert payment_delays(client=own, today=today) == [{"x": due.isoformat(), "y": 3, "unpaid": False}]


# -- signs: the rows behind a sign, and the scorer ------------------------------------------------


@pytest.mark.parametrize("sign_id", [f"W{n}" for n in range(1, 16)])
def test_sign_evidence_reads_only_that_clients_rows(firms, sign_id):
    today = firms["ours"].today()
    day = today - dt.timedelta(days=30)
    at = dt.datetime.combine(day, dt.time(10), dt.UTC)
    clients = {
        who: ClientFactory(firm=firm)
        for who, firm in (("own", firms["ours"]), ("sibling", firms["ours"]), ("theirs", firms["theirs"]))
    }
    owners = {}
    for who, c in clients.items():
        rows = [
            ("invoice", InvoiceFactory(client=c, issued_on=day, due_on=day, disputed=True, discount_requested=True)),
            ("meeting", MeetingFactory(client=c, starts_at=at, status=Meeting.Status.NO_SHOW)),
            ("message", MessageFactory(client=c, sent_at=at, to_senior=True, negative=True)),
            ("request", ClientRequestFactory(client=c, requested_on=day, due_on=day)),
            ("time", TimeEntryFactory(client=c, date=day)),
        ]
        rows += [("incident", IncidentFactory(client=c, occurred_on=day, kind=kind)) for kind in Incident.Kind.values]
        owners |= {(kind, row.pk): who for kind, row in rows}
    start, end = window(today, 12)
    seen = [owners[(kind, row.pk)] for kind, rows in sign_evidence(clients["own"], sign_id, start, end) for row in rows]
    assert set(seen) <= {"own"}, seen
    if sign_id != "W12":  # W12 reads the client's services, not rows
        assert "own" in seen


def test_the_scorer_returns_only_the_firms_clients(firms):
    due = firms["ours"].today() - dt.timedelta(days=20)
    own = ClientFactory(firm=firms["ours"], name="Own")
    theirs = ClientFactory(firm=firms["theirs"], name="Theirs")
    for c in (own, theirs):
        InvoiceFactory(client=c, issued_on=due - dt.timedelta(days=14), due_on=due)
    assert [r.client_id for r in Scorer(firms["ours"]).score()] == [own.pk]
