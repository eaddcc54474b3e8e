"""Reads about one client, always through the member's firm."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.shortcuts import get_object_or_404

from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.firms.models import Firm

from .models import Client


def client_get(*, firm: Firm, pk: int) -> Client:
    """The client ``pk`` of ``firm``; another firm's client is a 404, never a leak."""
    return get_object_or_404(Client.objects.select_related("firm", "assigned_to", "referred_by"), firm=firm, pk=pk)


def client_timeline(*, client: Client, limit: int = 60) -> list[dict]:
    """The latest evidence of every kind, newest first, as (when, kind, row) entries; a moment's day is
    the day on the firm's clock (at 23:30 UTC it is already tomorrow in Warsaw)."""
    entries: list[dict] = []
    zone = zoneinfo.ZoneInfo(client.firm.time_zone)

    def add(kind: str, rows, when):
        for row in rows[:limit]:
            moment = when(row)
            if isinstance(moment, dt.datetime):
                moment = moment.astimezone(zone).date()
            entries.append({"when": moment, "kind": kind, "row": row})

    add("invoice", Invoice.objects.filter(client=client).order_by("-due_on"), lambda r: r.due_on)
    add(
        "payment",
        Payment.objects.filter(client=client).select_related("invoice").order_by("-paid_on"),
        lambda r: r.paid_on,
    )
    add("meeting", Meeting.objects.filter(client=client).order_by("-starts_at"), lambda r: r.starts_at)
    add("message", Message.objects.filter(client=client).order_by("-sent_at"), lambda r: r.sent_at)
    add("request", ClientRequest.objects.filter(client=client).order_by("-due_on"), lambda r: r.due_on)
    add("incident", Incident.objects.filter(client=client).order_by("-occurred_on"), lambda r: r.occurred_on)
    add("time", TimeEntry.objects.filter(client=client).order_by("-date"), lambda r: r.date)
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries[:limit]


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
