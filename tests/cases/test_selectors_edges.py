"""Case selectors at their edges: which cases each list holds (open vs closed vs withdrawn, newest first),
the timeline's line for every kind of step, overdue tasks (due yesterday vs today, open vs done, live cases
only, oldest first), evidence after a former client's end (O8: former and closed, at most 50 a kind), and
what parting gave back (A1, A2): the twelve months up to each end date, hours and revenue a month, the
firm's rate with and without the client. Dates are fixed or the firm's today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parting.audit.services import audit_record
from parting.cases.models import CaseTask, OffboardingCase
from parting.cases.selectors import (
    KIND_WORDS,
    LIVE,
    OPEN_STATES,
    _detail,
    _months,
    case_list,
    case_timeline,
    former_client_evidence,
    open_case_for,
    overdue_tasks,
    partings,
)
from parting.clients.models import Client
from tests.factories import ClientFactory, IncidentFactory, InvoiceFactory, MeetingFactory, TimeEntryFactory

State = OffboardingCase.State


@pytest.fixture
def me(owner):
    return owner.user


def make_case(client, by, state, **fields) -> OffboardingCase:
    return OffboardingCase.objects.create(firm=client.firm, client=client, opened_by=by, state=state, **fields)


def one_case_per_state(firm, by) -> dict[str, OffboardingCase]:
    cases = {}
    for n, state in enumerate(State.values):
        cases[state] = make_case(ClientFactory(firm=firm, name=f"C {state}"), by, state)
        OffboardingCase.objects.filter(pk=cases[state].pk).update(
            created_at=dt.datetime(2026, 1, 1 + n, 9, tzinfo=dt.UTC)
        )
    return cases


# -- case lists -----------------------------------------------------------------------------------------------


def test_the_open_list_holds_every_case_under_way_and_neither_closed_nor_withdrawn(firm, me):
    cases = one_case_per_state(firm, me)
    assert set(OPEN_STATES) == {"draft", "in_review", "approved", "notified", "winding_down"}
    assert case_list(firm=firm, state="open") == [cases[s] for s in reversed(State.values) if s in OPEN_STATES]


@pytest.mark.parametrize("state", State.values)
def test_a_state_filter_lists_that_state_only(firm, me, state):
    cases = one_case_per_state(firm, me)
    assert case_list(firm=firm, state=state) == [cases[state]]


@pytest.mark.parametrize("state", ["", "all", "nonsense"])
def test_no_or_an_unknown_filter_lists_every_case_newest_first(firm, me, state):
    cases = one_case_per_state(firm, me)
    assert case_list(firm=firm, state=state) == [cases[s] for s in reversed(State.values)]


@pytest.mark.parametrize("state", OPEN_STATES)
def test_a_case_under_way_is_the_clients_open_case(client_row, me, state):
    case = make_case(client_row, me, state)
    assert open_case_for(client_row) == case


@pytest.mark.parametrize("state", [State.CLOSED, State.WITHDRAWN])
def test_a_finished_case_is_not_the_clients_open_case(client_row, me, state):
    make_case(client_row, me, state)
    assert open_case_for(client_row) is None


# -- the timeline -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, data, detail",
    [
        ("case.reason_added", {"reason": 1, "sign": "W7"}, "W7"),
        ("case.reason_added", {"reason": 1, "sign": ""}, ""),
        (
            "case.plan_overridden",
            {"field": "end_date", "computed": "2026-06-15", "value": "2026-06-30", "reason": "Year end"},
            "end_date: 2026-06-15 → 2026-06-30 — Year end",
        ),
        (
            "case.plan_overridden",
            {"field": "end_date", "computed": "2026-06-15", "value": None, "reason": "Back"},
            "end_date: 2026-06-15 → 2026-06-15 — Back",
        ),
        ("case.invoice_written_off", {"invoice": "INV-7", "reason": "Insolvent"}, "INV-7 — Insolvent"),
        (
            "case.plan_changed",
            {"notice_date": "2026-06-01", "support_days": "5"},
            "notice_date: 2026-06-01, support_days: 5",
        ),
        (
            "case.letter_sent",
            {"lang": "pl", "to": "a@example.com", "message_id": "<m1>", "note": "Sent"},
            "pl · a@example.com · <m1> · Sent",
        ),
        ("case.letter_sent", {"lang": "en", "to": "", "note": "By hand"}, "en · By hand"),
        ("case.letter_sent", {"lang": "en", "to": "a@example.com"}, "en · a@example.com"),
        ("case.letter_generated", {"lang": "ro", "version": 2}, "ro · 2"),
        ("case.letter_edited", {"lang": "he", "version": 0}, "he"),
        ("case.reviewed", {"decision": "approve"}, "Approve"),
        ("case.reviewed", {"decision": "object"}, "Object"),
        ("case.reviewed", {"decision": "shrug"}, ""),
        ("case.withdrawn", {"from": "draft", "to": "withdrawn", "note": "They paid"}, "They paid"),
        ("case.in_review", {"from": "draft", "to": "in_review", "note": ""}, ""),
        ("case.opened", {"client": 1}, ""),
    ],
)
def test_each_step_has_its_line_in_the_timeline(action, data, detail):
    assert _detail(action, data) == detail


def test_the_timeline_is_this_cases_steps_oldest_first_with_who_and_what(firm, me, client_row):
    case = make_case(client_row, me, State.DRAFT)
    other = make_case(ClientFactory(firm=firm), me, State.DRAFT)
    audit_record(firm=firm, actor=me, action="case.opened", target=f"case:{case.pk}", data={"client": 1})
    audit_record(firm=firm, actor=me, action="case.opened", target=f"case:{other.pk}", data={"client": 2})
    audit_record(firm=firm, actor=me, action="case.reason_added", target=f"case:{case.pk}", data={"sign": "W7"})
    audit_record(firm=firm, actor=None, action="case.custom_step", target=f"case:{case.pk}", data={"note": "n"})
    timeline = case_timeline(case)
    assert [(str(line["what"]), line["actor"], line["detail"]) for line in timeline] == [
        ("Case opened", me, ""),
        ("Reason added", me, "W7"),
        ("case.custom_step", None, "n"),
    ]
    assert timeline[0]["at"] <= timeline[1]["at"] <= timeline[2]["at"]


def test_the_timeline_names_who_acted_even_after_their_account_is_deleted(firm, me, client_row):
    """Issue 13 §5: the log keeps the actor's name as written then; the case page shows it."""
    from tests.factories import MembershipFactory

    case = make_case(client_row, me, State.DRAFT)
    gone = MembershipFactory(firm=firm, user__first_name="Olga", user__last_name="Nowak").user
    audit_record(firm=firm, actor=gone, action="case.reason_added", target=f"case:{case.pk}", data={"sign": "W7"})
    gone.delete()
    [line] = case_timeline(case)
    assert line["actor"] is None and "Olga Nowak" in line["actor_name"]


# -- overdue tasks --------------------------------------------------------------------------------------------------


def task(case, due_on, status=CaseTask.Status.OPEN, key="1") -> CaseTask:
    return CaseTask.objects.create(case=case, kind="custom", key=key, due_on=due_on, status=status)


def test_a_task_due_yesterday_is_overdue_one_due_today_is_not(firm, me, client_row):
    today = firm.today()
    case = make_case(client_row, me, State.NOTIFIED)
    late = task(case, today - dt.timedelta(days=1), key="1")
    task(case, today, key="2")
    assert overdue_tasks(firm=firm, today=today) == [late]
    assert overdue_tasks(firm=firm, today=today + dt.timedelta(days=1))[1].key == "2"


@pytest.mark.parametrize("status", [CaseTask.Status.DONE, CaseTask.Status.SKIPPED])
def test_a_done_or_skipped_task_is_never_overdue(firm, me, client_row, status):
    case = make_case(client_row, me, State.WINDING_DOWN)
    task(case, firm.today() - dt.timedelta(days=30), status=status)
    assert overdue_tasks(firm=firm, today=firm.today()) == []


@pytest.mark.parametrize("state", State.values)
def test_only_cases_being_carried_out_have_overdue_tasks(firm, me, client_row, state):
    late = task(make_case(client_row, me, state), firm.today() - dt.timedelta(days=3))
    assert overdue_tasks(firm=firm, today=firm.today()) == ([late] if state in LIVE else [])
    assert set(LIVE) == {"approved", "notified", "winding_down"}


def test_overdue_tasks_come_oldest_first_then_in_the_order_they_were_made(firm, me):
    today = firm.today()
    one = make_case(ClientFactory(firm=firm), me, State.APPROVED)
    two = make_case(ClientFactory(firm=firm), me, State.NOTIFIED)
    b = task(two, today - dt.timedelta(days=2), key="b")
    a = task(one, today - dt.timedelta(days=2), key="a")
    oldest = task(two, today - dt.timedelta(days=9), key="c")
    assert overdue_tasks(firm=firm, today=today) == [oldest, b, a]


# -- O8: evidence after a former client's end --------------------------------------------------------------------


ENDED = dt.date(2026, 3, 31)


def former(firm, me, name, state=State.CLOSED, status=Client.Status.FORMER, ended_on=ENDED):
    client = ClientFactory(firm=firm, name=name, status=status)
    make_case(client, me, state, ended_on=ended_on)
    return client


def test_o8_only_a_former_clients_evidence_after_a_closed_case_is_flagged(firm, me):
    flagged = former(firm, me, "Former")
    not_former = former(firm, me, "Still offboarding", status=Client.Status.OFFBOARDING)
    withdrawn = former(firm, me, "Withdrawn", state=State.WITHDRAWN)
    after = ENDED + dt.timedelta(days=1)
    row = IncidentFactory(client=flagged, occurred_on=after)
    IncidentFactory(client=not_former, occurred_on=after)
    IncidentFactory(client=withdrawn, occurred_on=after)
    assert [(item["kind"], item["row"], item["client"]) for item in former_client_evidence(firm=firm)] == [
        ("incident", row, flagged)
    ]


def test_o8_a_meeting_on_the_day_after_the_end_is_flagged_one_on_the_end_day_is_not(firm, me):
    """Days are the firm's (Warsaw, UTC+2 in spring): 21:59 UTC on 31 March is still the end day there,
    22:00 UTC is already 1 April — even with no firm clock active, outside any request."""
    client = former(firm, me, "Former")
    MeetingFactory(client=client, starts_at=dt.datetime(2026, 3, 31, 21, 59, tzinfo=dt.UTC))
    late = MeetingFactory(client=client, starts_at=dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.UTC))
    assert [item["row"] for item in former_client_evidence(firm=firm)] == [late]


def test_o8_at_most_fifty_rows_of_a_kind_and_each_once_however_many_closed_cases(firm, me):
    client = former(firm, me, "Former")
    make_case(client, me, State.CLOSED, ended_on=ENDED - dt.timedelta(days=10))  # an earlier parting
    for n in range(51):
        InvoiceFactory(client=client, issued_on=ENDED + dt.timedelta(days=1 + n % 5))
    IncidentFactory(client=client, occurred_on=ENDED + dt.timedelta(days=2))
    flagged = former_client_evidence(firm=firm)
    invoices = [item["row"].pk for item in flagged if item["kind"] == "invoice"]
    assert len(invoices) == 50 == len(set(invoices))
    assert [item["kind"] for item in flagged].count("incident") == 1


# -- A1, A2: partings --------------------------------------------------------------------------------------------------


def test_a1_twelve_calendar_months_up_to_the_end_across_a_year_end():
    assert _months(dt.date(2026, 6, 15)) == [dt.date(2025, 7, 1), *[dt.date(2025, m, 1) for m in range(8, 13)]] + [
        dt.date(2026, m, 1) for m in range(1, 7)
    ]
    assert _months(dt.date(2026, 1, 31), 3) == [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]


@pytest.fixture
def parted(firm, me):
    """A parted with on 15 Jun 2026, C on 31 Mar 2026, B stays; rows on each side of A's twelve months."""
    a = ClientFactory(firm=firm, name="A", status=Client.Status.FORMER)
    b = ClientFactory(firm=firm, name="B")
    c = ClientFactory(firm=firm, name="C", status=Client.Status.FORMER)
    case_a = make_case(a, me, State.CLOSED, ended_on=dt.date(2026, 6, 15))
    case_c = make_case(c, me, State.CLOSED, ended_on=dt.date(2026, 3, 31))
    make_case(ClientFactory(firm=firm), me, State.CLOSED)  # never ended: not a parting
    make_case(ClientFactory(firm=firm), me, State.WITHDRAWN, ended_on=dt.date(2026, 6, 1))
    TimeEntryFactory(client=a, date=dt.date(2025, 6, 30), hours=Decimal("100"))  # before A's months, in C's
    TimeEntryFactory(client=a, date=dt.date(2025, 7, 1), hours=Decimal("12"))
    TimeEntryFactory(client=a, date=dt.date(2026, 6, 15), hours=Decimal("12"))
    TimeEntryFactory(client=a, date=dt.date(2026, 6, 16), hours=Decimal("100"))  # after the last end
    TimeEntryFactory(client=b, date=dt.date(2026, 1, 10), hours=Decimal("36"))
    InvoiceFactory(client=a, issued_on=dt.date(2025, 7, 1), amount=Decimal("1200.00"))
    InvoiceFactory(client=a, issued_on=dt.date(2026, 6, 16), amount=Decimal("5000.00"))
    InvoiceFactory(client=b, issued_on=dt.date(2026, 1, 10), amount=Decimal("2000.00"), currency="USD", fx_rate=1.2)
    return case_a, case_c


def test_a1_partings_are_closed_cases_with_an_end_latest_first(firm, parted):
    case_a, case_c = parted
    assert [p.case for p in partings(firm=firm)] == [case_a, case_c]


def test_a1_the_hours_and_revenue_freed_are_a_twelfth_of_the_twelve_months_up_to_the_end(firm, parted):
    a = partings(firm=firm)[0]
    # 24 h and 1200.00 in Jul 2025 – Jun 2026; the firm: 60 h and 3600.00 (B's 2000 USD at 1.2).
    assert (a.hours_per_month, a.revenue_per_month) == (Decimal("2.0"), Decimal("100.00"))
    assert (a.rate_before, a.rate_after, a.rate_change) == (Decimal("60.00"), Decimal("66.67"), Decimal("6.67"))
    assert a.kind_word == str(KIND_WORDS[a.case.pk % len(KIND_WORDS)])


def test_a1_each_parting_reads_its_own_twelve_months(firm, parted):
    c = partings(firm=firm)[1]
    # Apr 2025 – Mar 2026: A's 100 h (30 Jun) and 12 h (1 Jul), B's 36 h; 1200.00 + 2400.00; C itself nothing.
    assert (c.hours_per_month, c.revenue_per_month) == (Decimal("0.0"), Decimal("0.00"))
    assert c.rate_before == c.rate_after == Decimal("24.32")
    assert c.rate_change == Decimal("0.00")


def test_a1_no_hours_no_rate(firm, me, client_row):
    make_case(client_row, me, State.CLOSED, ended_on=dt.date(2026, 6, 15))
    InvoiceFactory(client=client_row, issued_on=dt.date(2026, 6, 1), amount=Decimal("1200.00"))
    only = partings(firm=firm)[0]
    assert (only.rate_before, only.rate_after, only.rate_change) == (None, None, None)
    assert only.revenue_per_month == Decimal("100.00")


def test_a1_no_partings_no_rows(firm, me, client_row):
    make_case(client_row, me, State.WINDING_DOWN, ended_on=dt.date(2026, 6, 15))
    assert partings(firm=firm) == []


def test_a1_a_firm_that_logged_under_an_hour_still_has_a_rate(firm, me, client_row):
    """Any hours at all give a rate: half an hour for 100.00 is 200.00 an hour."""
    make_case(client_row, me, State.CLOSED, ended_on=dt.date(2026, 6, 15))
    stays = ClientFactory(firm=firm, name="Stays")
    TimeEntryFactory(client=stays, date=dt.date(2026, 5, 4), hours=Decimal("0.5"))
    InvoiceFactory(client=stays, issued_on=dt.date(2026, 5, 4), amount=Decimal("100.00"))
    only = partings(firm=firm)[0]
    assert (only.rate_before, only.rate_after, only.rate_change) == (Decimal("200.00"), Decimal("200.00"), 0)


def test_a1_a_client_who_took_every_hour_leaves_no_rate_after_and_no_change(firm, me, client_row):
    make_case(client_row, me, State.CLOSED, ended_on=dt.date(2026, 6, 15))
    TimeEntryFactory(client=client_row, date=dt.date(2026, 5, 4), hours=Decimal("10"))
    InvoiceFactory(client=client_row, issued_on=dt.date(2026, 5, 4), amount=Decimal("1000.00"))
    only = partings(firm=firm)[0]
    assert (only.rate_before, only.rate_after, only.rate_change) == (Decimal("100.00"), None, None)


# -- each list in a fixed number of queries, whatever its length ----------------------------------------------


def test_lists_read_their_related_rows_in_the_same_query(firm, me, django_assert_num_queries):
    """The case list, the overdue tasks, the timeline and the partings name each row's client, its
    owner or actor: read with the rows (select_related), not one query per row (bench/pages.py)."""
    today = firm.today()
    cases = []
    for n in range(3):
        client = ClientFactory(firm=firm, name=f"Client {n}", status=Client.Status.FORMER)
        case = make_case(client, me, State.NOTIFIED)
        CaseTask.objects.create(case=case, kind="custom", key="k", due_on=today - dt.timedelta(days=1), owner=me)
        audit_record(firm=firm, actor=me, action="case.opened", target=f"case:{case.pk}", data={})
        cases.append(case)
    with django_assert_num_queries(1):
        assert [(c.client.name, c.opened_by.username) for c in case_list(firm=firm)] == [
            (f"Client {n}", me.username) for n in (2, 1, 0)
        ]
    with django_assert_num_queries(1):
        assert sorted(
            (t.case.client.name, t.case.state, t.owner.username) for t in overdue_tasks(firm=firm, today=today)
        ) == [(f"Client {n}", State.NOTIFIED, me.username) for n in range(3)]
    with CaptureQueriesContext(connection) as one_step:
        assert [line["actor"].username for line in case_timeline(cases[0])] == [me.username]
    for case in cases[1:]:  # more steps by their actors: no more queries
        audit_record(firm=firm, actor=case.opened_by, action="case.reason_added", target=f"case:{cases[0].pk}")
    with django_assert_num_queries(len(one_step.captured_queries)):
        assert [line["actor"].username for line in case_timeline(cases[0])] == [me.username] * 3
    OffboardingCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        state=State.CLOSED, ended_on=dt.date(2026, 6, 15)
    )
    with django_assert_num_queries(3):  # the cases, then hours and revenue for all of them
        assert sorted(p.case.client.name for p in partings(firm=firm)) == [f"Client {n}" for n in range(3)]


def test_o8_flagged_rows_come_with_their_client_in_the_same_query(firm, me, django_assert_num_queries):
    """One query per kind of evidence, not one more per flagged row for its client's name."""
    clients = [former(firm, me, f"Gone {n}") for n in range(3)]
    for client in clients:
        InvoiceFactory(client=client, issued_on=ENDED + dt.timedelta(days=5))
    with CaptureQueriesContext(connection) as counted:
        flagged = former_client_evidence(firm=firm)
        assert sorted(item["row"].client.name for item in flagged) == ["Gone 0", "Gone 1", "Gone 2"]
    InvoiceFactory(client=clients[0], issued_on=ENDED + dt.timedelta(days=9))
    with django_assert_num_queries(len(counted.captured_queries)):
        assert len([item["row"].client.name for item in former_client_evidence(firm=firm)]) == 4
