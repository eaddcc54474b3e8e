"""The evidence rows behind each sign, for one client: what the client page links to."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Q, QuerySet

from parting.clients.models import Client
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, TimeEntry

from .sql import LATE_MINUTES

INCIDENT_KINDS = {
    "W5": [Incident.Kind.REWORK],
    "W6": [Incident.Kind.EXPERTISE_CHALLENGED],
    "W8": [Incident.Kind.CONTRACT_IGNORED],
    "W9": [Incident.Kind.HAGGLING],
    "W13": [Incident.Kind.SCOPE_CREEP],
    "W15": [Incident.Kind.DISRESPECT],
}


def sign_evidence(client: Client, sign_id: str, start: dt.date, end: dt.date) -> list[tuple[str, QuerySet]]:
    """(kind, rows) pairs behind ``sign_id`` for ``client`` in the window [start, end].

    Rows that count against the client come first; the whole population the sign reads is shown so
    that a user can check the percentage by hand.
    """
    tz = zoneinfo.ZoneInfo(client.firm.time_zone)
    low = dt.datetime.combine(start, dt.time(), tz)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz)
    out: list[tuple[str, QuerySet]] = []
    if sign_id in ("W7", "W8", "W9", "W11"):
        invoices = Invoice.objects.filter(client=client)
        if sign_id == "W11":
            out.append(("invoice", invoices.filter(issued_on__range=(start, end))))
            out.append(("time", TimeEntry.objects.filter(client=client, date__range=(start, end))))
            return out
        invoices = invoices.filter(due_on__range=(start, end))
        if sign_id == "W8":
            invoices = invoices.filter(disputed=True)
        if sign_id == "W9":
            invoices = invoices.filter(discount_requested=True)
        out.append(("invoice", invoices))
    if sign_id in ("W2", "W3", "W10"):
        messages = Message.objects.filter(
            client=client, direction=Message.Direction.INBOUND, sent_at__gte=low, sent_at__lt=high
        )
        if sign_id == "W3":
            messages = messages.filter(to_senior=True)
        if sign_id == "W10":
            messages = messages.filter(negative=True)
        out.append(("message", messages))
    if sign_id == "W4":
        meetings = Meeting.objects.filter(client=client, starts_at__gte=low, starts_at__lt=high).exclude(
            status=Meeting.Status.CANCELLED_BY_US
        )
        against = (
            Q(status=Meeting.Status.NO_SHOW)
            | Q(status=Meeting.Status.HELD, minutes_late__gte=LATE_MINUTES)
            | Q(status=Meeting.Status.CANCELLED_BY_CLIENT)
        )
        out.append(("meeting", meetings.filter(against)))
    if sign_id in ("W1", "W14"):
        out.append(("request", ClientRequest.objects.filter(client=client, due_on__range=(start, end))))
    if sign_id in INCIDENT_KINDS:
        out.append(
            (
                "incident",
                Incident.objects.filter(
                    client=client, kind__in=INCIDENT_KINDS[sign_id], occurred_on__range=(start, end)
                ),
            )
        )
    if sign_id == "W13":
        out.append(("time", TimeEntry.objects.filter(client=client, date__range=(start, end))))
    return out
