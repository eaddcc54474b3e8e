"""The purge journal (issue 13 §6; O5): every purge, one line, in a file outside the database.

A backup taken before a purge still holds the purged client. Restoring it must not bring them back,
so each purge also appends a line to ``purges.jsonl`` in the data directory
(``PARTING_PURGE_JOURNAL_FILE``) — a file a restore never replaces — and :func:`purges_reapply`,
run by ``parting restore``, purges again every client the journal names that the restored database
still holds unpurged.

A line is JSON: the firm's and the client's ids, the tombstone's reference, the time and the
categories purged with their counts. Nothing that names the client: the journal outlives the purge
as the audit log does. The line is written and fsynced inside the purge's transaction, just before
it commits: a commit that then fails leaves a line for a purge that was due anyway (re-applying it
does what the worker would do), whereas writing after the commit could lose the line in a crash and
with it the only record that a restore must erase the client again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

log = logging.getLogger("parting.retention")


class PurgeJournalError(Exception):
    """The journal could not be written: the purge must not commit without its line."""


def journal_path() -> Path:
    given = getattr(settings, "PURGE_JOURNAL_FILE", None) or os.environ.get("PARTING_PURGE_JOURNAL_FILE", "")
    return Path(given).expanduser() if given else Path(settings.DATA_DIR) / "purges.jsonl"


def purge_journal_append(
    *, firm_id: int, client_id: int, reference: str, at: dt.datetime, categories: dict, reapplied: bool = False
) -> None:
    """Append one line and fsync it. One ``write`` of one line on an O_APPEND file: lines from several
    workers never interleave. Raises :class:`PurgeJournalError`, which rolls the purge back (it is
    tried again on the next pass): a purge a restore could undo is worse than a purge a day late."""
    line = {
        "firm": firm_id,
        "client": client_id,
        "ref": reference,
        "at": at.isoformat(),
        "categories": categories,
    }
    if reapplied:
        line["reapplied"] = True
    path = journal_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise PurgeJournalError(f"cannot write the purge journal {path}: {error}") from error


@dataclass
class JournalledPurge:
    """Everything the journal says was purged of one client: the categories and the first time each went."""

    firm_id: int
    client_id: int
    reference: str
    categories: dict[str, dt.datetime] = field(default_factory=dict)


def purge_journal_read() -> tuple[list[JournalledPurge], list[int]]:
    """The purges recorded, one per client in the order first purged, and the numbers of the lines that
    could not be read (a line cut short by a crash — after the last newline — is not counted)."""
    try:
        text = journal_path().read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], []
    purges: dict[tuple[int, int], JournalledPurge] = {}
    bad: list[int] = []
    for number, row in enumerate(text.split("\n")[:-1], start=1):
        if not row.strip():
            continue
        try:
            line = json.loads(row)
            key = (int(line["firm"]), int(line["client"]))
            at = dt.datetime.fromisoformat(line["at"])
            categories = [str(name) for name in line["categories"]]
            reference = str(line.get("ref", ""))
        except (ValueError, KeyError, TypeError):
            bad.append(number)
            continue
        purge = purges.setdefault(key, JournalledPurge(firm_id=key[0], client_id=key[1], reference=reference))
        for category in categories:
            purge.categories.setdefault(category, at)
    return list(purges.values()), bad
