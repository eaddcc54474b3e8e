"""Reading a firm's audit log: one page of entries, newest first, narrowed by action, actor and the
firm's days. Two queries a page (the count and the rows), whatever the log's length."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.paginator import Page, Paginator

from .models import AuditEntry

PAGE_SIZE = 50


def audit_actions(*, firm) -> list[str]:
    """The actions the firm's log holds, for the filter's choices."""
    return sorted(set(AuditEntry.objects.filter(firm=firm).order_by().values_list("action", flat=True).distinct()))


def audit_actors(*, firm) -> list[str]:
    """The names the firm's log records for who acted (as written then), for the filter's choices."""
    names = AuditEntry.objects.filter(firm=firm).exclude(actor_name="").order_by().values_list("actor_name", flat=True)
    return sorted(set(names.distinct()), key=str.casefold)


def audit_page(
    *,
    firm,
    action: str = "",
    actor: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    page: object = 1,
    per_page: int = PAGE_SIZE,
) -> Page:
    """Page ``page`` of ``firm``'s entries, newest first (a page past the end is the last page);
    ``start`` and ``end`` are days on the firm's clock, both included."""
    entries = AuditEntry.objects.filter(firm=firm)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_name=actor)
    zone = zoneinfo.ZoneInfo(firm.time_zone)
    if start:
        entries = entries.filter(at__gte=dt.datetime.combine(start, dt.time(), zone))
    if end:
        entries = entries.filter(at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone))
    return Paginator(entries.order_by("-id"), per_page).get_page(page)
