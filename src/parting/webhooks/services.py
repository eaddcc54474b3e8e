"""Webhook endpoints and the events they receive (issue 15 §3).

- :func:`emit` is the one call each trigger makes (case approved, letter sent, purge done, a client
  crossing into trouble): it only inserts delivery rows, in the caller's transaction, so a change that
  rolls back sends nothing and nothing here ever waits on a remote server. A ``key`` makes an event
  idempotent per endpoint (a unique constraint, inserts that skip conflicts): two workers storing the
  same day's scores queue each crossing once.
- Payloads carry ids, codes and dates, never a client's name, address or words: a delivery row is kept
  after the client's data is purged (O5), and the receiver asks the API for anything more.
- Endpoint changes re-read the row under a lock and write an audit entry; the URL is logged by its
  host and checksum only, as hook URLs often carry a token of their own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parting.audit.services import audit_record, value_reference

from .models import EVENTS, PING, Delivery, Endpoint, new_message_id, new_secret

# -- emitting --------------------------------------------------------------------------------------


def _body(message_id: str, event: str, firm_id: int, payload: dict, at: dt.datetime) -> str:
    envelope = {"id": message_id, "type": event, "created_at": at.isoformat(), "firm": firm_id, "data": payload}
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _queue(endpoints: list[Endpoint], firm_id: int, events: Iterable[tuple[str, dict, str]]) -> int:
    now = timezone.now()
    rows = []
    for event, payload, key in events:
        for endpoint in endpoints:
            if event != PING and event not in endpoint.events:
                continue
            message_id = new_message_id()
            rows.append(
                Delivery(
                    firm_id=firm_id,
                    endpoint_id=endpoint.pk,
                    message_id=message_id,
                    key=key or message_id,
                    event=event,
                    body=_body(message_id, event, firm_id, payload, now),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def emit_many(firm, events: Iterable[tuple[str, dict, str]]) -> int:
    """Queue ``(event, payload, key)`` for every active endpoint of ``firm`` that wants the event:
    one query for the endpoints, one insert. Call inside the transaction of the change."""
    events = list(events)
    if not events:
        return 0
    endpoints = list(Endpoint.objects.filter(firm_id=firm.pk, active=True).only("pk", "events"))
    return _queue(endpoints, firm.pk, events) if endpoints else 0


def emit(firm, event: str, payload: dict, *, key: str = "") -> int:
    """Queue ``event`` for the firm's endpoints; returns the number of rows written (an endpoint that
    already has ``key`` is skipped)."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    return emit_many(firm, [(event, payload, key)])


def alerts_emit(firm, alerts: Iterable) -> int:
    """``client.poor`` and ``client.consider_parting`` for the crossings ``scores.alerts`` recorded
    (W1–W15 turned poor; the advice moved to consider parting). Keyed by client, sign and day, like
    the alert itself, so a second scoring of the day queues nothing new."""
    events = []
    for alert in alerts:
        day = alert.day.isoformat()
        if alert.kind == "poor_sign":
            payload = {"client": alert.client_id, "sign": alert.subject, "value": alert.detail.get("value"), "day": day}
            events.append(("client.poor", payload, f"client.poor:{alert.client_id}:{alert.subject}:{day}"))
        elif alert.kind == "consider_parting":
            payload = {"client": alert.client_id, "score": alert.detail.get("score"), "day": day}
            events.append(("client.consider_parting", payload, f"client.consider_parting:{alert.client_id}:{day}"))
    return emit_many(firm, events)


# -- endpoints -------------------------------------------------------------------------------------


class WebhookError(ValidationError):
    """A refused endpoint change; the message names the field and the reason."""


def _clean(url: str, events: list[str]) -> tuple[str, list[str]]:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError({"url": _("URL: enter an address that starts with https:// (or http://).")})
    if parts.username or parts.password:
        raise WebhookError({"url": _("URL: leave out the user name and password; the signature proves the sender.")})
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise WebhookError({"events": _("Events: unknown event %(names)s.") % {"names": ", ".join(unknown)}})
    if not events:
        raise WebhookError({"events": _("Events: choose at least one event to receive.")})
    return url, [event for event in EVENTS if event in events]


def _facts(endpoint: Endpoint) -> dict:
    return {
        "host": urlsplit(endpoint.url).hostname or "",
        "url": value_reference(endpoint.url),
        "events": list(endpoint.events),
        "active": endpoint.active,
    }


def endpoint_create(*, firm, by, url: str, events: list[str], description: str = "", active: bool = True) -> Endpoint:
    """A new endpoint with a fresh secret, shown to owners and partners on its page."""
    url, events = _clean(url, events)
    with transaction.atomic():
        endpoint = Endpoint.objects.create(firm=firm, url=url, events=events, description=description, active=active)
        audit_record(
            firm=firm, actor=by, action="webhook.created", target=f"webhook:{endpoint.pk}", data=_facts(endpoint)
        )
    return endpoint


def endpoint_update(
    *,
    endpoint: Endpoint,
    by,
    url: str,
    events: list[str],
    description: str = "",
    active: bool,
    new_secret_: bool = False,
) -> Endpoint:
    """Change an endpoint (re-read under a lock); ``new_secret_`` replaces its secret at once."""
    url, events = _clean(url, events)
    with transaction.atomic():
        endpoint.refresh_from_db(from_queryset=Endpoint.objects.select_for_update())
        before = _facts(endpoint)
        endpoint.url, endpoint.events, endpoint.description, endpoint.active = url, events, description, active
        if new_secret_:
            endpoint.secret = new_secret()
        endpoint.updated_at = timezone.now()
        endpoint.save()
        after = _facts(endpoint)
        changed = sorted(name for name in after if after[name] != before[name])
        audit_record(
            firm=endpoint.firm,
            actor=by,
            action="webhook.changed",
            target=f"webhook:{endpoint.pk}",
            data={**after, "changed": changed, "new_secret": new_secret_},
        )
    return endpoint


def endpoint_delete(*, endpoint: Endpoint, by) -> None:
    """Delete an endpoint and its deliveries (waiting ones are never sent)."""
    with transaction.atomic():
        facts = _facts(endpoint)
        deleted, _rows = Endpoint.objects.filter(pk=endpoint.pk, firm_id=endpoint.firm_id).delete()
        if deleted:
            audit_record(
                firm=endpoint.firm, actor=by, action="webhook.deleted", target=f"webhook:{endpoint.pk}", data=facts
            )


def endpoint_ping(*, endpoint: Endpoint, by) -> Delivery:
    """Queue a ``ping`` for this endpoint alone (whatever events it wants, active or not): the worker
    delivers it like any other event, signed the same way, so the test proves the real path."""
    with transaction.atomic():
        _queue([endpoint], endpoint.firm_id, [(PING, {"endpoint": endpoint.pk, "by": by.pk}, "")])
    return Delivery.objects.filter(endpoint=endpoint, event=PING).order_by("-pk").first()


def recent_deliveries(endpoint: Endpoint, *, limit: int = 20) -> list[Delivery]:
    return list(Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")[:limit])
