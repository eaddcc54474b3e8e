"""Writing and checking the audit log (issue 13 §5).

``audit_record`` appends an entry to the firm's chain inside the caller's transaction: it locks the
firm's row, so two writers of one firm take turns (SQLite's IMMEDIATE transactions serialise them
anyway), hashes the entry with HMAC-SHA256 under the audit key (``keys.py``) and journals the hash
once the transaction commits. ``audit_check`` walks a firm's chain once, oldest first, and returns
the first thing wrong: an entry whose contents no longer match its hash, one that does not follow
the entry before it, one hashed without the key, or a journalled hash the database no longer holds.
A value over ``LARGE_VALUE_BYTES`` is stored as its SHA-256 and size, not copied; callers pass free
text (notes, reasons, comments) and contact details through ``text_reference`` so that none of it is
copied whatever its size: the log outlives a purge (O5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone

from parting.firms.models import Firm

from .keys import AuditKeyError, audit_key, journal_append, journal_read
from .models import AuditEntry

GENESIS = "0" * 64
Scheme = AuditEntry.Scheme
# A value whose text (UTF-8) or JSON is longer than this is kept as {"sha256": …, "bytes": …}: the
# log proves what was said without holding a second copy of a 1 MB note.
LARGE_VALUE_BYTES = 4096


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def value_reference(value) -> dict:
    """``{"sha256", "bytes"}`` of a value: of a text's UTF-8 bytes (so anyone holding the original
    text can check it with ``sha256sum``), of anything else its canonical JSON (sorted keys, no spaces)."""
    raw = value.encode() if isinstance(value, str) else _canonical(value)
    return {"sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)}


def text_reference(text: str | None) -> dict | str:
    """Free text as the log keeps it: ``{"sha256", "bytes"}`` of its UTF-8 bytes, whatever its length,
    never its words. A note, a reason, a comment or an address may name the client, and the log is kept
    after the client's personal data is purged (O5); whoever holds the text can still show it is the one
    recorded. Empty text stays empty, so "no note" reads as such."""
    text = text or ""
    return value_reference(text) if text else ""


def is_reference(value) -> bool:
    """Whether a stored value is a text or value kept by its hash (``{"sha256", "bytes"}``)."""
    return isinstance(value, dict) and set(value) == {"sha256", "bytes"}


def _stored_data(data: dict) -> dict:
    """The data as the database will give it back (JSON types only), large values by reference."""
    plain = json.loads(json.dumps(data, default=str))
    out = {}
    for key, value in plain.items():
        raw = value.encode() if isinstance(value, str) else _canonical(value)
        out[key] = value_reference(value) if len(raw) > LARGE_VALUE_BYTES else value
    return out


def actor_name(user) -> str:
    """The member as written in the log for good: full name and user name, or the user name."""
    if user is None:
        return ""
    full = user.get_full_name().strip()
    return (f"{full} ({user.get_username()})" if full else user.get_username())[:300]


def _payload(entry_fields: dict, previous: str) -> bytes:
    f = entry_fields
    if f["scheme"] == Scheme.SHA256:
        # Exactly what entries before issue 13 hashed, with the actor's id as recorded (actor_ref).
        items = [previous, f["firm_id"], f["actor_ref"], f["action"], f["target"], f["data"], f["at"].isoformat()]
    else:
        items = [
            f["scheme"],
            previous,
            f["firm_id"],
            f["actor_ref"],
            f["actor_name"],
            f["action"],
            f["target"],
            f["data"],
            f["at"].isoformat(),
        ]
    return json.dumps(items, sort_keys=True, default=str).encode()


def _digest(entry_fields: dict, previous: str, key: bytes | None) -> str:
    payload = _payload(entry_fields, previous)
    if entry_fields["scheme"] == Scheme.SHA256:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def audit_record(*, firm, actor, action: str, target: str, data: dict | None = None) -> AuditEntry:
    """Append an entry to ``firm``'s chain. Call inside the transaction of the action it records:
    the entry then stands or falls with it, and is journalled only if it commits."""
    key = audit_key()
    fields = {
        "scheme": Scheme.HMAC_SHA256,
        "firm_id": firm.pk,
        "actor_ref": actor.pk if actor is not None else None,
        "actor_name": actor_name(actor),
        "action": action,
        "target": target,
        "data": _stored_data(data or {}),
    }
    with transaction.atomic():
        # The firm's row is the chain's lock: a second writer waits here until the first commits, then
        # reads the new last entry. NO KEY UPDATE: rows that merely refer to the firm are not held up.
        list(Firm.objects.select_for_update(no_key=True).filter(pk=firm.pk).values_list("pk", flat=True))
        previous = AuditEntry.objects.filter(firm_id=firm.pk).order_by("-id").values_list("hash", flat=True).first()
        previous = previous or GENESIS
        fields["at"] = timezone.now()
        digest = _digest(fields, previous, key)
        entry = AuditEntry.objects.create(actor_id=fields["actor_ref"], previous_hash=previous, hash=digest, **fields)
        transaction.on_commit(partial(journal_append, firm.pk, entry.pk, digest), robust=True)
    return entry


@dataclass(frozen=True)
class AuditProblem:
    """The first thing wrong with a firm's log: the entry (its id, action and time as the database
    holds them now, or blank when the row is gone) and what is wrong with it."""

    entry_id: int
    action: str
    at: dt.datetime | None
    what: str

    def __str__(self) -> str:
        when = f" at {self.at.isoformat()}" if self.at else ""
        action = f" ({self.action}{when})" if self.action else ""
        return f"entry {self.entry_id}{action}: {self.what}"


FIELDS = (
    "id",
    "firm_id",
    "actor_ref",
    "actor_name",
    "action",
    "target",
    "data",
    "at",
    "scheme",
    "previous_hash",
    "hash",
)


def audit_check(*, firm, journal: dict[int, list[tuple[int, str]]] | None = None) -> AuditProblem | None:
    """The first thing wrong with ``firm``'s log, or None when the whole chain is intact and holds
    every hash the journal recorded for it. ``journal`` is :func:`keys.journal_read`'s first part,
    read once when checking several firms."""
    if journal is None:
        journal = journal_read()[0]
    journalled = dict(journal.get(firm.pk, []))
    held: dict[int, AuditEntry] = {}
    previous, keyed_seen, key = GENESIS, False, None
    for entry in AuditEntry.objects.filter(firm=firm).order_by("id").only(*FIELDS).iterator(chunk_size=2000):
        if entry.id in journalled:
            held[entry.id] = entry
        fields = {name: getattr(entry, name) for name in FIELDS}

        def problem(what: str, entry=entry) -> AuditProblem:
            return AuditProblem(entry.id, entry.action, entry.at, what)

        if entry.scheme == Scheme.HMAC_SHA256:
            keyed_seen = True
            if key is None:
                try:
                    key = audit_key(create=False)
                except AuditKeyError as error:
                    return problem(f"cannot be checked: {error}")
        elif entry.scheme == Scheme.SHA256:
            if keyed_seen:
                return problem(
                    "hashed without the audit key after keyed entries: inserted or rewritten by someone "
                    "who did not have the key"
                )
        else:
            return problem(f"unknown hashing scheme {entry.scheme}")
        expected = _digest(fields, entry.previous_hash, key)
        if entry.hash != expected:
            if (
                entry.scheme == Scheme.HMAC_SHA256
                and entry.hash == hashlib.sha256(_payload(fields, entry.previous_hash)).hexdigest()
            ):
                return problem("its hash was recomputed without the audit key: the entry was edited and re-chained")
            return problem("its contents do not match its hash: it was changed after it was written")
        if entry.previous_hash != previous:
            return problem(
                "it does not follow the entry before it: an entry was removed or inserted before it, "
                "or the one before it was rewritten"
            )
        previous = entry.hash
    missing = []
    for entry_id, digest in journalled.items():
        row = held.get(entry_id)
        if row is None:
            missing.append(
                AuditProblem(
                    entry_id,
                    "",
                    None,
                    f"the journal recorded this entry (hash {digest[:12]}…) but the database no longer holds "
                    "it: entries were deleted",
                )
            )
        elif row.hash != digest:
            missing.append(
                AuditProblem(
                    entry_id,
                    row.action,
                    row.at,
                    f"the journal recorded hash {digest[:12]}… for it but the database holds another: it was rewritten",
                )
            )
    return min(missing, key=lambda p: p.entry_id) if missing else None


def audit_verify(*, firm) -> AuditProblem | None:
    """The first problem in ``firm``'s log, or None when it is intact (see :func:`audit_check`)."""
    return audit_check(firm=firm)


@dataclass(frozen=True)
class RestoreNote:
    """What a restore did to one firm's log: the entries the live journal named that the restored
    database no longer holds (written after the backup), and the entry recording the restore."""

    firm_id: int
    lost: list[int]
    entry: AuditEntry | None


def audit_after_restore(*, backup_journal: bytes, taken_at: str, archive_sha256: str, stamp: str) -> list[RestoreNote]:
    """Reconcile the log with a database put back to a backup's moment (issue 13 §6).

    1. The live journal names entries written after the backup; the restored database no longer holds
       them, so ``audit verify`` would rightly report a deleted tail. They are counted here, per firm.
    2. The journal becomes the backup's own journal (taken before the database was copied, so every
       line in it names an entry the backup holds): a tail deleted *before* the backup is still caught.
       The replaced journal is kept beside it (``keys.journal_replace``), naming what the restore lost.
    3. Each firm still in the database gets an entry ``backup.restored`` — the backup's time, the
       archive's SHA-256, how many entries the restore dropped and their ids' range, and the file that
       keeps their hashes — chained onto the restored head and journalled as any other.
    """
    from .keys import journal_replace

    live, _bad = journal_read()
    kept = journal_replace(backup_journal, stamp=stamp)
    notes = []
    firms = {firm.pk: firm for firm in Firm.objects.order_by("pk")}
    for firm_id in sorted(set(live) | set(firms)):
        journalled = live.get(firm_id, [])
        held = set(
            AuditEntry.objects.filter(firm_id=firm_id, id__in=[entry_id for entry_id, _h in journalled]).values_list(
                "id", "hash"
            )
        )
        lost = sorted(entry_id for entry_id, digest in journalled if (entry_id, digest) not in held)
        firm = firms.get(firm_id)
        entry = None
        if firm is not None:
            entry = audit_record(
                firm=firm,
                actor=None,
                action="backup.restored",
                target="backup",
                data={
                    "taken_at": taken_at,
                    "archive_sha256": archive_sha256,
                    "entries_not_restored": len(lost),
                    "first_not_restored": lost[0] if lost else None,
                    "last_not_restored": lost[-1] if lost else None,
                    "previous_journal": kept.name if kept else "",
                },
            )
        notes.append(RestoreNote(firm_id=firm_id, lost=lost, entry=entry))
    return notes
