"""The client's evidence timeline (issue 11): grouped by month, paged with plain links, filtered by kind
and date range through a GET form; firm-scoped, set-based, and bad input is a message, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parting.clients.selectors import TIMELINE_PAGE_SIZE, client_timeline_page
from parting.evidence.models import Incident
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MembershipFactory,
    MessageFactory,
    TimeEntryFactory,
)

pytestmark = pytest.mark.django_db

NOT_APPLIED = "The filter was not applied"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def member(client, firm):
    client.force_login(MembershipFactory(firm=firm).user)
    return client


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


def timeline_of(member, acme, **params) -> str:
    """The page's timeline section only (the signs table and charts also name kinds and dates)."""
    response = member.get(reverse("client_detail", args=[acme.pk]), params)
    assert response.status_code == 200
    page = text(response)
    return page[page.index('id="timeline"') :]


def test_the_timeline_is_grouped_under_month_headings_newest_first(member, acme):
    IncidentFactory(client=acme, occurred_on=dt.date(2026, 3, 5), note="March mishap")
    IncidentFactory(client=acme, occurred_on=dt.date(2026, 4, 20), note="April mishap")
    timeline = timeline_of(member, acme)
    assert timeline.index("April 2026") < timeline.index("April mishap") < timeline.index("March 2026")
    assert timeline.index("March 2026") < timeline.index("March mishap")
    assert timeline.count('class="timeline-month"') == 2


def test_filtering_by_kind_shows_only_that_kind(member, acme):
    InvoiceFactory(client=acme, number="INV-KEEP-OUT")
    IncidentFactory(client=acme, note="Shouted on the phone")
    MessageFactory(client=acme, summary="Where is my report", channel="email", direction="in")
    timeline = timeline_of(member, acme, kind="incident")
    assert "Shouted on the phone" in timeline
    assert "INV-KEEP-OUT" not in timeline and "Where is my report" not in timeline
    assert re.search(r'<input[^>]*value="incident"[^>]*checked', timeline)  # the form shows what is filtered
    assert not re.search(r'<input[^>]*value="invoice"[^>]*checked', timeline)

    both = timeline_of(member, acme, kind=["incident", "message"])
    assert "Shouted on the phone" in both and "Where is my report" in both
    assert "INV-KEEP-OUT" not in both


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"from": "2026-03-10"}, True),  # the first day of the range is in it
        ({"from": "2026-03-11"}, False),
        ({"to": "2026-03-10"}, True),  # so is the last
        ({"to": "2026-03-09"}, False),
        ({"from": "2026-03-10", "to": "2026-03-10"}, True),
    ],
)
def test_the_date_range_includes_both_ends_and_nothing_past_them(member, acme, params, shown):
    ClientRequestFactory(
        client=acme, description="Signed tax form", requested_on=dt.date(2026, 3, 1), due_on=dt.date(2026, 3, 10)
    )
    assert ("Signed tax form" in timeline_of(member, acme, **params)) is shown


@pytest.mark.parametrize(("params", "shown"), [({"from": "2026-12-04"}, True), ({"to": "2026-12-03"}, False)])
def test_a_moment_falls_on_the_firms_day_in_the_date_range(member, acme, params, shown):
    """23:30 UTC on 3 December is already 4 December in Warsaw, the firm's clock."""
    MessageFactory(client=acme, sent_at=dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC), summary="Late mail")
    assert ("Late mail" in timeline_of(member, acme, **params)) is shown


def test_a_long_timeline_is_paged_with_older_and_newer_links_that_keep_the_filter(member, acme):
    first = dt.date(2026, 1, 1)
    for n in range(TIMELINE_PAGE_SIZE + 1):
        TimeEntryFactory(client=acme, date=first + dt.timedelta(days=n), note=f"work item {n:03d}")
    IncidentFactory(client=acme, occurred_on=first, note="Not time")

    newest = timeline_of(member, acme, kind="time")
    assert newest.count("work item") == TIMELINE_PAGE_SIZE
    assert f"work item {TIMELINE_PAGE_SIZE:03d}" in newest and "work item 000" not in newest
    older = re.search(r'href="\?([^"#]+)#timeline" rel="next"', newest).group(1)
    assert "kind=time" in older and "page=2" in older
    assert 'rel="prev"' not in newest

    page_two = member.get(reverse("client_detail", args=[acme.pk]) + "?" + older.replace("&amp;", "&"))
    second = text(page_two)
    second = second[second.index('id="timeline"') :]
    assert second.count("work item") == 1 and "work item 000" in second
    assert "Not time" not in second  # the filter held on the next page
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_exactly_one_page_of_evidence_has_no_older_link(member, acme):
    for n in range(TIMELINE_PAGE_SIZE):
        TimeEntryFactory(client=acme, date=dt.date(2026, 1, 1) + dt.timedelta(days=n))
    assert 'rel="next"' not in timeline_of(member, acme)


def test_another_firms_evidence_is_never_on_the_timeline(member, acme):
    theirs = ClientFactory(name="Theirs")  # another firm
    IncidentFactory(client=theirs, note="Their secret incident")
    InvoiceFactory(client=theirs, number="THEIR-INV")
    IncidentFactory(client=acme, note="Our incident")
    for params in ({}, {"kind": "incident"}, {"kind": ["invoice", "incident"], "from": "2000-01-01"}):
        timeline = timeline_of(member, acme, **params)
        assert "Our incident" in timeline
        assert "Their secret incident" not in timeline and "THEIR-INV" not in timeline
    assert member.get(reverse("client_detail", args=[theirs.pk]), {"kind": "incident"}).status_code == 404


def test_the_selector_reads_only_the_clients_own_rows_even_of_the_same_firm(firm, acme):
    sibling = ClientFactory(firm=firm, name="Sibling")
    IncidentFactory(client=sibling)
    own = IncidentFactory(client=acme)
    assert [(e["kind"], e["row"].pk) for e in client_timeline_page(client=acme).entries] == [("incident", own.pk)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "garbage"}, "Enter a valid date."),
        ({"to": "2026-02-30"}, "Enter a valid date."),
        ({"from": "2026-05-01", "to": "2026-04-30"}, "The end of the range is before its start."),
        ({"from": "0001-01-01"}, "Choose a date between 1900 and 2199."),
        ({"to": "9999-12-31"}, "Choose a date between 1900 and 2199."),
        ({"kind": "passwords"}, "Select a valid choice."),
        ({"page": "0"}, "greater than or equal to 1"),
        ({"page": "abc"}, "Enter a whole number."),
        ({"page": "9" * 30}, "less than or equal to"),
    ],
)
def test_a_bad_filter_is_explained_and_the_newest_evidence_shown_instead(member, acme, params, message):
    IncidentFactory(client=acme, note="Still shown")
    timeline = timeline_of(member, acme, **params)
    assert NOT_APPLIED in timeline and message in timeline
    assert 'role="alert"' in timeline
    if "page" not in params:  # the page number is in the links, not a field of the form
        assert 'aria-invalid="true"' in timeline
    assert "Still shown" in timeline


def test_a_page_past_the_end_says_there_is_nothing_older(member, acme):
    IncidentFactory(client=acme, note="Only one")
    timeline = timeline_of(member, acme, page="3")
    assert "No older evidence." in timeline and "Only one" not in timeline and NOT_APPLIED not in timeline


def test_every_filter_control_has_a_label(member, acme):
    timeline = timeline_of(member, acme)
    form = timeline[timeline.index('id="timeline-filter"') : timeline.index("</form>")]
    ids = re.findall(r'<input[^>]* id="([^"]+)"', form)
    assert len(ids) == 9  # seven kinds, from, to
    for control in ids:
        assert f'for="{control}"' in form
    assert "<legend>Kinds of evidence</legend>" in form


def test_the_timeline_costs_the_same_queries_for_many_rows_as_for_few(member, acme, firm):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member.get(reverse("client_detail", args=[acme.pk])).status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for i in range(n):
            day = dt.date(2026, 2, 1) + dt.timedelta(days=i)
            invoice = InvoiceFactory(
                client=acme, issued_on=day, paid_on=day + dt.timedelta(days=3), amount_paid=Decimal("1000")
            )
            assert invoice.pk
            MeetingFactory(client=acme, starts_at=dt.datetime.combine(day, dt.time(10), dt.UTC))
            MessageFactory(client=acme, sent_at=dt.datetime.combine(day, dt.time(11), dt.UTC))
            ClientRequestFactory(client=acme, requested_on=day, due_on=day + dt.timedelta(days=5))
            IncidentFactory(client=acme, occurred_on=day, kind=Incident.Kind.REWORK)
            TimeEntryFactory(client=acme, date=day)

    add(1)
    count()  # the first visit scores the firm and stores it (issue 12); later visits read the stored score
    few = count()
    add(6)
    assert count() == few


def test_the_selector_takes_the_ends_of_the_calendar_as_no_bound(acme):
    """The page refuses dates outside 1900–2199; other callers of the selector may not."""
    own = IncidentFactory(client=acme)
    MessageFactory(client=acme, sent_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
    entries = client_timeline_page(client=acme, start=dt.date.min, end=dt.date.max).entries
    assert {e["kind"] for e in entries} == {"incident", "message"} and own.pk in {e["row"].pk for e in entries}
