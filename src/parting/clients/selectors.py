"""Reads about one client, always through the member's firm."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404

from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.firms.models import Firm

from .models import Client


def client_get(*, firm: Firm, pk: int) -> Client:
    """The client ``pk`` of ``firm``; another firm's client is a 404, never a leak."""
    return get_object_or_404(Client.objects.select_related("firm", "assigned_to", "referred_by"), firm=firm, pk=pk)


# Each kind of evidence and the date it is filed under on the timeline (a moment counts on the firm's day).
TIMELINE_KINDS: dict[str, tuple[type[models.Model], str]] = {
    "invoice": (Invoice, "due_on"),
    "payment": (Payment, "paid_on"),
    "meeting": (Meeting, "starts_at"),
    "message": (Message, "sent_at"),
    "request": (ClientRequest, "due_on"),
    "incident": (Incident, "occurred_on"),
    "time": (TimeEntry, "date"),
}
TIMELINE_PAGE_SIZE = 50


@dataclass(frozen=True)
class TimelinePage:
    """One page of a client's timeline, newest first: ``entries`` are {"when", "kind", "row"} dicts."""

    entries: list[dict]
    number: int
    has_older: bool

    @property
    def has_newer(self) -> bool:
        return self.number > 1

    @property
    def months(self) -> list[tuple[dt.date, list[dict]]]:
        """The entries grouped under the first day of their month, newest month first."""
        groups: dict[dt.date, list[dict]] = {}
        for entry in self.entries:
            groups.setdefault(entry["when"].replace(day=1), []).append(entry)
        return list(groups.items())


def client_timeline_page(
    *,
    client: Client,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    page: int = 1,
    per_page: int = TIMELINE_PAGE_SIZE,
) -> TimelinePage:
    """Page ``page`` of the client's evidence of ``kinds`` (every kind when empty) dated from ``start``
    to ``end`` (both included), newest first.

    Set-based whatever the page: one UNION query orders (date, kind, id) triples of every kind and
    cuts the page out of them; then one query per kind on the page loads its rows. A moment's day is
    the day on the firm's clock (at 23:30 UTC it is already tomorrow in Warsaw), for the dates shown
    and for the range.
    """
    zone = zoneinfo.ZoneInfo(client.firm.time_zone)
    # A bound at the ends of the calendar bounds nothing, and as a moment it would overflow.
    start = start if start and start > dt.date.min + dt.timedelta(days=1) else None
    end = end if end and end < dt.date.max - dt.timedelta(days=1) else None
    chosen = [kind for kind in TIMELINE_KINDS if not kinds or kind in set(kinds)]
    parts = []
    for kind in chosen:
        model, field = TIMELINE_KINDS[kind]
        rows = model.objects.filter(firm_id=client.firm_id, client=client).order_by()  # the model order: not in a UNION
        if isinstance(model._meta.get_field(field), models.DateTimeField):
            day = TruncDate(field, tzinfo=zone)
            if start:
                rows = rows.filter(**{f"{field}__gte": dt.datetime.combine(start, dt.time(), zone)})
            if end:
                rows = rows.filter(**{f"{field}__lt": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)})
        else:
            day = F(field)
            if start:
                rows = rows.filter(**{f"{field}__gte": start})
            if end:
                rows = rows.filter(**{f"{field}__lte": end})
        parts.append(
            rows.annotate(timeline_day=day, timeline_kind=Value(kind, output_field=models.CharField())).values_list(
                "timeline_day", "timeline_kind", "pk"
            )
        )
    if not parts:
        return TimelinePage([], page, False)
    offset = (page - 1) * per_page
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    keys = list(union.order_by("-timeline_day", "timeline_kind", "-pk")[offset : offset + per_page + 1])
    has_older = len(keys) > per_page
    keys = keys[:per_page]
    wanted: dict[str, list[int]] = {}
    for _day, kind, pk in keys:
        wanted.setdefault(kind, []).append(pk)
    loaded = {}
    for kind, pks in wanted.items():
        model, _field = TIMELINE_KINDS[kind]
        rows = model.objects.filter(firm_id=client.firm_id, client=client, pk__in=pks)
        if kind == "payment":
            rows = rows.select_related("invoice")
        loaded[kind] = rows.in_bulk()
    entries = [
        {"when": _as_date(day), "kind": kind, "row": loaded[kind][pk]} for day, kind, pk in keys if pk in loaded[kind]
    ]
    return TimelinePage(entries, page, has_older)


def _as_date(value) -> dt.date:
    """The UNION hands back dates as the database stores them (SQLite: text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def client_timeline(
    *,
    client: Client,
    limit: int = 60,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict]:
    """The latest ``limit`` evidence entries of ``kinds`` (all when empty) from ``start`` to ``end``,
    newest first, as {"when", "kind", "row"} entries: the first page of :func:`client_timeline_page`."""
    return client_timeline_page(client=client, kinds=kinds, start=start, end=end, per_page=limit).entries


def payment_delays(*, client: Client, today: dt.date, months: int = 18) -> list[dict]:
    """Days late per invoice by due date (unpaid invoices count up to today), for the chart."""
    since = today - dt.timedelta(days=months * 31)
    points = []
    for due, paid in (
        Invoice.objects.filter(client=client, due_on__gte=since, due_on__lte=today)
        .order_by("due_on")
        .values_list("due_on", "paid_on")
    ):
        points.append({"x": due.isoformat(), "y": max(0, ((paid or today) - due).days), "unpaid": paid is None})
    return points
