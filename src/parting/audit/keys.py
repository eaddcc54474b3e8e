"""What the audit chain keeps outside the database: the key its hashes are made with, and a journal
of the hashes written.

The key file (``PARTING_AUDIT_KEY_FILE``, by default ``audit_key`` in the data directory) holds 32
random bytes as hex, created on first use with mode 0600. Someone who can change the database but
cannot read this file cannot compute the hash of an entry they edited or invented.

The journal (``PARTING_AUDIT_JOURNAL_FILE``, by default ``audit_journal`` in the data directory)
gets one line per entry — firm id, entry id, hash — appended and fsynced once the entry's
transaction has committed (a rolled-back entry is never journalled). Every hash it names must still
be in the database: deleting the newest entries, which leaves a chain that is intact as far as it
goes, is caught that way. Lines may be missing (a crash between commit and write), never extra.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

KEY_BYTES = 32


class AuditKeyError(Exception):
    """The key file is missing (when only reading) or holds something that is not a key."""


def _setting_path(name: str, default_name: str) -> Path:
    given = getattr(settings, name, None) or os.environ.get(f"PARTING_{name}", "")
    return Path(given).expanduser() if given else Path(settings.DATA_DIR) / default_name


def key_path() -> Path:
    return _setting_path("AUDIT_KEY_FILE", "audit_key")


def journal_path() -> Path:
    return _setting_path("AUDIT_JOURNAL_FILE", "audit_journal")


def audit_key(*, create: bool = True) -> bytes:
    """The audit key; created (0600, exactly once even when two processes start together) if missing
    and ``create``. Raises :class:`AuditKeyError` when it is missing and not to be created, or unreadable."""
    path = key_path()
    try:
        return _parse_key(path, path.read_text())
    except FileNotFoundError:
        if not create:
            raise AuditKeyError(f"the audit key file {path} is missing") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a name of its own, then linked into place: a process that finds the key
    # never reads it half written (it did: created empty with O_EXCL, read by another thread before
    # the write), and of two processes creating it at once exactly one link succeeds.
    fd, draft = tempfile.mkstemp(prefix=".audit_key.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it a moment ago: theirs is the key
            os.link(draft, path)
    finally:
        os.unlink(draft)
    return _parse_key(path, path.read_text())


def _parse_key(path: Path, text: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise AuditKeyError(f"the audit key file {path} does not hold a key (64 hexadecimal digits)") from None
    if len(key) < KEY_BYTES:
        raise AuditKeyError(f"the audit key file {path} holds a key shorter than {KEY_BYTES} bytes")
    return key


def journal_append(firm_id: int, entry_id: int, digest: str) -> None:
    """Append one line and fsync it. One write of one short line on an O_APPEND file: lines from
    several processes never interleave."""
    path = journal_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{firm_id} {entry_id} {digest}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        # The entry is committed; failing the request now would not undo it. The journal only misses
        # a line, which weakens the tail check for this entry, and the operator is told.
        log.exception("Could not write the audit journal %s (firm %s, entry %s)", path, firm_id, entry_id)


def journal_read() -> tuple[dict[int, list[tuple[int, str]]], list[int]]:
    """Each firm's journalled ``(entry id, hash)`` pairs in the order written, and the numbers of
    lines that could not be read (a line cut short by a crash is not counted: it was never complete)."""
    lines: dict[int, list[tuple[int, str]]] = defaultdict(list)
    bad: list[int] = []
    try:
        text = journal_path().read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return {}, []
    rows = text.split("\n")
    complete, _last = rows[:-1], rows[-1]  # the part after the last newline was never finished
    for number, row in enumerate(complete, start=1):
        parts = row.split()
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit() and len(parts[2]) == 64:
            lines[int(parts[0])].append((int(parts[1]), parts[2]))
        elif row.strip():
            bad.append(number)
    return dict(lines), bad


def journal_replace(content: bytes, *, stamp: str) -> Path | None:
    """Make ``content`` (a backup's journal) the journal, after a restore put the database back to the
    backup's moment. The journal being replaced is kept beside it as ``<name>.before-restore-<stamp>``,
    never deleted: it names the entries written after the backup, which the restore lost, and is the
    evidence of what they were. Returns where it was kept (None if there was none). Only complete
    lines of ``content`` are kept; the new file is written whole, fsynced, then moved into place."""
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    complete = content[: content.rfind(b"\n") + 1] if b"\n" in content else b""
    fd, draft = tempfile.mkstemp(prefix=".audit_journal.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(complete)
            handle.flush()
            os.fsync(handle.fileno())
        kept = None
        if path.exists():
            for attempt in range(1, 1000):  # two restores in one second keep both journals
                kept = path.with_name(f"{path.name}.before-restore-{stamp}" + (f"-{attempt}" if attempt > 1 else ""))
                try:
                    os.link(path, kept)
                    break
                except FileExistsError:
                    continue
        os.replace(draft, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(draft)
        raise
    return kept


def key_install(content: bytes) -> bool:
    """Put a key from a backup in place when there is none (a new machine). An existing key is never
    replaced: the entries written since the backup were hashed with it. Returns whether it was installed."""
    path = key_path()
    key = _parse_key(path, content.decode("ascii", errors="replace"))
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(prefix=".audit_key.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(key.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            return False
    finally:
        os.unlink(draft)
    return True
