"""Delivering webhooks (issue 15 §3): the worker's sweep, the signature, the HTTP POST.

1. Claim: due rows (waiting and due, or sending under a lease that ran out because a worker died) are
   read ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers pick different rows, and each is taken by
   a conditional UPDATE (``WHERE state, next_attempt_at, claimed_at`` are as read): exactly one worker
   wins a row, on SQLite too, where IMMEDIATE transactions serialise the claims.
2. Send, outside any transaction: ``urllib.request`` with a short timeout, redirects refused (a
   receiver that moved must be edited, not followed blindly), signed as Standard Webhooks / Stripe do.
   The address actually connected to is checked before a byte is sent: unless
   ``PARTING_WEBHOOK_ALLOW_PRIVATE`` is on, a loopback, private, link-local, reserved or multicast
   address is refused (a firm's URL must not reach the server's own network; checking the connected
   socket, not an earlier DNS answer, leaves no room for a name that resolves differently twice).
3. Record: 2xx is delivered; anything else waits the next backoff step, or is failed after
   ``PARTING_WEBHOOK_MAX_ATTEMPTS``; the status, the start of the response and the error are kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import PING, Delivery

log = logging.getLogger("parting.webhooks")

# The wait after the 1st, 2nd, … failed attempt; the last step repeats.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
RESPONSE_KEEP = 2000  # characters of a receiver's answer kept on the delivery
ERROR_KEEP = 1000
LEASE = dt.timedelta(minutes=5)  # a row sending for longer belongs to a worker that died
USER_AGENT = "Parting-Webhooks/1"


def max_attempts() -> int:
    return getattr(settings, "PARTING_WEBHOOK_MAX_ATTEMPTS", 6)


def timeout() -> int:
    return getattr(settings, "PARTING_WEBHOOK_TIMEOUT_SECONDS", 10)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after ``attempts`` failed attempts (1 → 1 minute, 2 → 5 minutes, …, then 12 hours)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """``v1=`` and the hex HMAC-SHA256, keyed by the endpoint's secret, of ``{id}.{timestamp}.{body}``."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class RedirectRefused(urllib.error.HTTPError):
    pass


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise RedirectRefused(req.full_url, code, f"redirect to {newurl} refused", headers, fp)


class AddressRefused(OSError):
    """The receiver's address is on a private network and private addresses are not allowed."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _checked_connection(address, *args, **kwargs):
    """socket.create_connection, then the peer's address checked before anything is sent."""
    sock = socket.create_connection(address, *args, **kwargs)
    if not getattr(settings, "PARTING_WEBHOOK_ALLOW_PRIVATE", False):
        peer = sock.getpeername()[0]
        if not _public(peer):
            sock.close()
            raise AddressRefused(
                f"{peer} is not a public address (set PARTING_WEBHOOK_ALLOW_PRIVATE to deliver on your own network)"
            )
    return sock


class _CheckedHTTP(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPS(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _HTTP(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTP, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_CheckedHTTPS, req, context=self._context)


# No proxy from the environment: the connected address must be the receiver's, to be checked.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _HTTP, _HTTPS, _NoRedirects)


def post(url: str, *, secret: str, message_id: str, body: str) -> tuple[int | None, str, str]:
    """POST one signed body; returns (HTTP status or None, start of the response, error or "")."""
    timestamp = int(timezone.now().timestamp())
    # The scheme is http or https: endpoint_create/endpoint_update refuse anything else.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Parting-Webhook-Id": message_id,
            "Parting-Webhook-Timestamp": str(timestamp),
            "Parting-Webhook-Signature": signature(secret, message_id, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=timeout()) as response:
            return response.status, _text(response.read(RESPONSE_KEEP)), ""
    except urllib.error.HTTPError as error:
        text = ""
        with contextlib.suppress(OSError):  # the answer is a courtesy; the status decides
            text = _text(error.read(RESPONSE_KEEP)) if error.fp else ""
        reason = str(error.reason) if isinstance(error, RedirectRefused) else f"HTTP {error.code}"
        return error.code, text, reason[:ERROR_KEEP]
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        return None, "", (str(reason) or type(error).__name__)[:ERROR_KEEP]


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")[:RESPONSE_KEEP]


def claim(now: dt.datetime, *, limit: int) -> list[int]:
    """Take up to ``limit`` due deliveries for this worker (step 1 of the module's docstring)."""
    Pending, Sending = Delivery.State.PENDING, Delivery.State.SENDING
    due = (
        Delivery.objects.filter(
            Q(state=Pending, next_attempt_at__lte=now) | Q(state=Sending, claimed_at__lt=now - LEASE),
            Q(endpoint__active=True) | Q(event=PING),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "state", "next_attempt_at", "claimed_at")
    )
    claimed = []
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        for pk, state, next_at, claimed_at in list(due[:limit]):
            won = Delivery.objects.filter(pk=pk, state=state, next_attempt_at=next_at, claimed_at=claimed_at).update(
                state=Sending, claimed_at=now, attempts=F("attempts") + 1
            )
            if won:
                claimed.append(pk)
    return claimed


def deliver(pk: int, claimed_at: dt.datetime) -> str | None:
    """Send one claimed delivery and record the outcome; returns its new state (None if it is gone)."""
    row = Delivery.objects.select_related("endpoint").filter(pk=pk).first()
    if row is None:
        return None
    status, response, error = post(
        row.endpoint.url, secret=row.endpoint.secret, message_id=row.message_id, body=row.body
    )
    now = timezone.now()
    fields = {"last_status": status, "last_response": response, "last_error": error, "last_attempt_at": now}
    if status is not None and 200 <= status < 300:
        fields.update(state=Delivery.State.DELIVERED, delivered_at=now, last_error="")
    elif row.attempts >= max_attempts():
        fields.update(state=Delivery.State.FAILED)
    else:
        fields.update(state=Delivery.State.PENDING, next_attempt_at=now + backoff(row.attempts))
    # Only the claim's owner records: a worker presumed dead that wakes up late changes nothing.
    Delivery.objects.filter(pk=pk, state=Delivery.State.SENDING, claimed_at=claimed_at).update(**fields)
    if fields["state"] != Delivery.State.DELIVERED:
        log.info("webhook %s to endpoint %s: %s", row.message_id, row.endpoint_id, error or status)
    return fields["state"]


def deliver_due(*, now: dt.datetime | None = None, limit: int = 20, budget: float = 30.0) -> dict[str, int]:
    """The worker's sweep: claim and deliver due rows in batches of ``limit`` until none is left or
    ``budget`` seconds are spent (the worker's other jobs wait meanwhile). Returns counts per outcome."""
    started = time.monotonic()
    counts: dict[str, int] = {}
    while time.monotonic() - started < budget:
        at = now or timezone.now()
        batch = claim(at, limit=limit)
        if not batch:
            break
        for pk in batch:
            state = deliver(pk, at)
            if state:
                counts[state] = counts.get(state, 0) + 1
        if now is not None:
            break  # a fixed clock (tests): one batch, or the sweep would retry what it just failed
    return counts


def run_webhooks() -> str:
    counts = deliver_due()
    return ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "nothing due"
