"""Writing and checking the audit log."""

from __future__ import annotations

import hashlib
import json

from django.utils import timezone

from .models import AuditEntry

GENESIS = "0" * 64


def _digest(previous: str, *, firm_id: int, actor_id: int | None, action: str, target: str, data: dict, at) -> str:
    payload = json.dumps(
        [previous, firm_id, actor_id, action, target, data, at.isoformat()], sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def audit_record(*, firm, actor, action: str, target: str, data: dict | None = None) -> AuditEntry:
    """Append an entry to ``firm``'s chain. Call inside the transaction of the action it records."""
    data = data or {}
    at = timezone.now()
    # Lock the firm's last entry so two writers cannot both chain onto it (SQLite's IMMEDIATE
    # transactions serialise writers anyway; on PostgreSQL this row lock does).
    last = AuditEntry.objects.select_for_update().filter(firm=firm).order_by("-id").first()
    previous = last.hash if last else GENESIS
    actor_id = actor.pk if actor is not None else None
    digest = _digest(previous, firm_id=firm.pk, actor_id=actor_id, action=action, target=target, data=data, at=at)
    return AuditEntry.objects.create(
        firm=firm,
        actor_id=actor_id,
        action=action,
        target=target,
        data=data,
        at=at,
        previous_hash=previous,
        hash=digest,
    )


def audit_verify(*, firm) -> AuditEntry | None:
    """The first entry whose chain is broken, or None when the firm's whole log is intact."""
    previous = GENESIS
    for entry in AuditEntry.objects.filter(firm=firm).order_by("id").iterator():
        expected = _digest(
            previous,
            firm_id=entry.firm_id,
            actor_id=entry.actor_id,
            action=entry.action,
            target=entry.target,
            data=entry.data,
            at=entry.at,
        )
        if entry.previous_hash != previous or entry.hash != expected:
            return entry
        previous = entry.hash
    return None
