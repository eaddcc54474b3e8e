"""Running an import: files → readers → the loader, in one transaction, logged (issue 10 §4).

``run_import`` is what the command, the page and the worker call. It reads every file, hands each
record to the loader and, when any file had a problem, rolls everything back: nothing of a bad
import is written. A dry run rolls back too, after doing the same work, so what it reports is what
the import would do. Either way an ImportRun row (who, when, file name and SHA-256, counts, errors)
and an audit entry record what happened.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from parting.audit.services import audit_record
from parting.firms.models import Membership
from parting.imports.i18n import gettext as _
from parting.imports.i18n import say
from parting.scores.services import request_rescore

from . import columns, formats, workbook
from .loader import Loader, Outcome
from .matching import PUBLIC_DOMAINS, domain_of
from .models import ColumnMapping, ImportRun
from .problems import UNPACK_ERRORS, FileUnreadable, Problem, Problems, Source
from .records import ReadOptions

log = logging.getLogger("parting.imports")

# The order an export's files load in: clients before what names them, invoices before payments.
ARCHIVE_ORDER = ("clients", "contacts", "invoices", "payments", "meetings", "messages", "requests", "incidents", "time")
Progress = Callable[[int, int], None]  # (bytes read, bytes in all)


@dataclass
class ImportResult:
    run: ImportRun
    outcome: Outcome
    problems: Problems = field(default_factory=Problems)

    @property
    def ok(self) -> bool:
        return not self.problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():
        for item in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(str(item.relative_to(path)).encode())
            with item.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
        return digest.hexdigest()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_options(firm, kind: str, given: dict, by=None, header: list[str] | None = None) -> ReadOptions:
    """What the readers are told: the user's choices, else the firm's saved mapping; the firm's
    currency, time zone and its members' addresses (the firm's side of mail and calendars); the
    language of the member who imports (``by``), whose tools wrote the file in its charset.

    The saved mapping is the one of the format asked for; when none was asked for and none was saved
    without a format, the latest one of the kind whose columns the file (``header``) all has, with its
    format — a mapping saved with ``--format clockify`` serves the next file of those columns."""
    fmt = given.get("format") or ""
    # From the Import page, the form showed the saved mapping that fits and sent what the member kept.
    saved = None if given.get("form") else ColumnMapping.objects.filter(firm=firm, kind=kind, format=fmt).first()
    if saved is None and not fmt and header and not given.get("mapping") and not given.get("form"):
        saved = fitting_mapping(firm, kind, header)
        if saved is not None:
            given = {**given, "format": saved.format}
    mapping = given.get("mapping") or (saved.mapping if saved else {})
    date_order = given.get("date_order") or (saved.date_order if saved else "") or None
    emails = {
        e.lower() for e in Membership.objects.filter(firm=firm).values_list("user__email", flat=True) if e and "@" in e
    }
    if firm.email:
        emails.add(firm.email.lower())
    return ReadOptions(
        format=given.get("format") or "",
        mapping=dict(mapping),
        date_order=date_order,
        decimal=given.get("decimal") or None,
        encoding=given.get("encoding") or None,
        currency=firm.currency,
        time_zone=firm.time_zone,
        own_addresses=frozenset(emails),
        own_domains=frozenset(domain_of(e) for e in emails) - PUBLIC_DOMAINS,
        # the dry run's, when this imports after one: its charset was settled by the member who ran it,
        # and what it showed is what the import writes, whoever presses Import
        language=given.get("language") or (member.language if (member := Membership.active(by, firm.pk)) else ""),
    )


def save_mapping(firm, kind: str, fmt: str, mapping: dict, date_order: str = "") -> None:
    ColumnMapping.objects.update_or_create(
        firm=firm, kind=kind, format=fmt or "", defaults={"mapping": mapping, "date_order": date_order or ""}
    )


class _Counting:
    """Progress over several files: bytes read so far of the bytes in all."""

    def __init__(self, total: int, progress: Progress | None):
        self.total, self.done, self.progress = max(total, 1), 0, progress

    def report(self, position: int) -> None:
        if self.progress:
            self.progress(min(self.done + position, self.total), self.total)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _records(
    kind: str,
    path: Path,
    name: str,
    options: ReadOptions,
    problems: Problems,
    counter: _Counting,
    skipped: Counter,
    notes: list[str] | None = None,
) -> Iterator:
    """The records of one file (or mail folder), reporting progress every thousand records. Readers
    that pass records over without a problem (mail: spam, drafts, internal mail) count them in
    ``skipped``. A CSV kind's file may be an Excel workbook: its sheet is read as CSV (``workbook``)."""
    if path.is_dir():
        if kind != "mail":
            raise FileUnreadable(
                _("this is a folder; only mail (a maildir or a folder of messages) is read from a folder")
            )
        yield from formats.mail_path_reader()(str(path), name, options, problems, skipped)
        return
    read = formats.reader(kind)
    extra = {"skipped": skipped} if kind == "mail" else {}
    size = _size(path)
    # A workbook's progress: turning its sheet into CSV is the first half of its bytes, reading that
    # CSV the second (the CSV is not the file's size: its position is scaled to the half).
    half = size // 2
    opened = (
        workbook.opened(path, notes, progress=lambda share: counter.report(int(half * share)))
        if kind in columns.GENERIC
        else path.open("rb")
    )
    with opened as stream:
        converted = getattr(stream, "name", None) != str(path)  # the workbook's CSV, a temporary file
        total = stream.seek(0, 2) if converted else 0
        stream.seek(0)
        for n, record in enumerate(read(stream, name, options, problems, **extra), 1):
            yield record
            if n % 1000 == 0:
                with contextlib.suppress(OSError, ValueError):
                    position = stream.tell()
                    counter.report(half + (size - half) * position // max(total, 1) if converted else position)


def _archive(
    path: Path, name: str, options: ReadOptions, problems: Problems, notes: list[str] | None = None
) -> Iterator[tuple[str, Iterator]]:
    """A Parting export (``parting export``): its CSV files in the order they load. A file whose
    SHA-256 is not the one its manifest gives was changed since the export: it is read as it is now,
    and ``notes`` says so (someone may have corrected the export on purpose; or it was tampered with)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise FileUnreadable(_("not a ZIP archive (%(error)s)") % {"error": error}) from None
    with archive:
        names = set(archive.namelist())
        if "manifest.json" not in names:
            raise FileUnreadable(_("the archive has no manifest.json: it is not a Parting export"))
        try:
            listed = json.loads(archive.read("manifest.json")).get("files") or {}
        except (ValueError, AttributeError, *UNPACK_ERRORS):
            listed = {}
            if notes is not None:
                notes.append(_("the archive's manifest.json cannot be read: its files' checksums were not checked"))
        for kind in ARCHIVE_ORDER:
            member = f"{kind}.csv"
            if member not in names:
                continue
            info = archive.getinfo(member)
            if info.file_size > 4 << 30:
                raise FileUnreadable(_("%(file)s is too large") % {"file": member}, column="")
            # ZipExtFile can seek, but slowly; readers scan twice, so spool to a temporary file.
            with archive.open(member) as raw, tempfile.TemporaryFile() as spool:
                digest = hashlib.sha256()
                for chunk in iter(lambda r=raw: r.read(1 << 20), b""):
                    spool.write(chunk)
                    digest.update(chunk)
                spool.seek(0)
                expected = (listed.get(member) or {}).get("sha256") if isinstance(listed, dict) else None
                if notes is not None and isinstance(expected, str) and expected != digest.hexdigest():
                    notes.append(
                        _(
                            "%(file)s is not the file the export wrote (its SHA-256 differs from the manifest's): "
                            "it was changed since, and is read as it is now"
                        )
                        % {"file": member}
                    )
                yield kind, formats.reader(kind)(spool, f"{name}/{member}", options, problems)


def fitting_mapping(firm, kind: str, header: list[str]) -> ColumnMapping | None:
    """The firm's latest saved mapping of ``kind`` whose columns the file (``header``) all has: one
    saved for another tool's files would read columns this file lacks (case and runs of spaces aside)."""
    present = {" ".join(h.split()).casefold() for h in header}
    for candidate in ColumnMapping.objects.filter(firm=firm, kind=kind).order_by("-updated_at")[:20]:
        wanted = {" ".join(c.split()).casefold() for c in candidate.mapping.values() if c}
        if wanted and wanted <= present:
            return candidate
    return None


def csv_for_preview(stream, kind: str, language: str = ""):
    """The file's table as the reader of ``kind`` finds it: below a report's title lines (QuickBooks
    Online's company name, report name and period) where the reader looks for its header there, so
    that a preview shows, and the member maps, the columns the import will read."""
    options = ReadOptions(language=language)
    if kind in ("invoices", "payments"):
        from .readers.money import _Table

        table = _Table(stream=stream, name="", kind=kind, options=options)
        table._find_header()
        return table.csv()
    from .readers.generic import at_header, open_csv

    start, _skipped, options = at_header(stream, options)
    return open_csv(stream, options, start)


def _header(kind: str, paths: list[Path], given: dict) -> list[str] | None:
    """The first file's column names, for a CSV kind, when a saved mapping may be looked for by them
    (no format, no mapping and not from the page: ``read_options``)."""
    if given.get("format") or given.get("mapping") or given.get("form"):
        return None
    if kind not in columns.GENERIC or not paths or not paths[0].is_file():
        return None
    try:
        with workbook.opened(paths[0], limit=workbook.PREVIEW_ROWS) as stream:  # the header, not the sheet
            return csv_for_preview(stream, kind).header
    except (FileUnreadable, UnicodeError, ValueError, OSError, LookupError):
        return None


def run_import(
    *,
    firm,
    by,
    kind: str,
    paths: list[Path],
    names: list[str] | None = None,
    options: dict | None = None,
    create_clients: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    run: ImportRun | None = None,
) -> ImportResult:
    """Import ``paths`` (files, or maildir folders) of ``kind`` into ``firm``; see the module's docstring."""
    given = dict(options or {})
    names = names or [p.name for p in paths]
    paths = [Path(p) for p in paths]
    problems = Problems()
    digest = (
        file_sha256(paths[0])
        if len(paths) == 1
        else hashlib.sha256("".join(file_sha256(p) for p in paths).encode()).hexdigest()
    )
    if run is None:
        run = ImportRun(firm=firm, by=by, kind=kind)
    run.format, run.file_name, run.file_sha256 = given.get("format", ""), ", ".join(names)[:300], digest
    run.options, run.dry_run, run.state = {**given, "create_clients": create_clients}, dry_run, ImportRun.State.RUNNING
    run.save()
    ro = read_options(firm, kind if kind != "archive" else "invoices", given, by, _header(kind, paths, given))
    if ro.language and run.options.get("language") != ro.language:
        run.options = {**run.options, "language": ro.language}
        run.save(update_fields=["options"])
    counter = _Counting(sum(_size(p) for p in paths if p.exists()), progress)
    outcome = Outcome()
    try:
        with transaction.atomic():
            loader = Loader(firm, by=by, create_clients=create_clients, problems=problems)
            for path, name in zip(paths, names, strict=True):
                try:
                    if not path.exists():
                        raise FileUnreadable(_("no such file"))
                    if kind == "archive":
                        for _member_kind, records in _archive(
                            path,
                            name,
                            ReadOptions(
                                currency=ro.currency,
                                time_zone=ro.time_zone,
                                own_addresses=ro.own_addresses,
                                own_domains=ro.own_domains,
                            ),
                            problems,
                            loader.outcome.notes,
                        ):
                            for record in records:
                                loader.add(record)
                            loader.flush()
                    else:
                        skipped: Counter = Counter()
                        for record in _records(kind, path, name, ro, problems, counter, skipped, loader.outcome.notes):
                            loader.add(record)
                        for reason, n in skipped.items():
                            loader.outcome.count("messages", f"passed over ({reason})", n=n)
                except FileUnreadable as error:
                    problems.add(Source(name, error.line), error.reason, error.column)
                except (UnicodeError, ValueError, LookupError, OSError, EOFError) as error:
                    log.warning("reading %s failed", name, exc_info=True)
                    problems.add(Source(name), _("the file cannot be read: %(error)s") % {"error": error})
                counter.done += _size(path) if path.exists() else 0
                counter.report(0)
            outcome = loader.finish()
            if problems or dry_run:
                transaction.set_rollback(True)
    except Exception:
        run.state, run.finished_at = ImportRun.State.FAILED, timezone.now()
        run.errors = [Problem(Source(""), _("the import stopped on an internal error")).as_dict()]
        run.error_count = 1
        run.save()
        raise
    run.counts = outcome.as_dict()
    run.unmatched = run.counts.pop("unmatched")
    run.errors = [p.as_dict() for p in problems]
    run.error_count = problems.count
    run.state = ImportRun.State.FAILED if problems else ImportRun.State.DONE
    run.progress, run.finished_at = 100, timezone.now()
    if run.file_path and not dry_run and run.file_path.startswith(str(_upload_dir())):
        _remove(run.file_path)
        run.file_path = ""
    with transaction.atomic():
        run.save()
        if not dry_run and not problems:
            request_rescore(firm, backfill=True)  # issue 12: one re-score per import, and past months again
        if not dry_run:
            audit_record(
                firm=firm,
                actor=by,
                action="import.failed" if problems else "import.done",
                # The import by its id and the file by its hash, not its name: a file's name can name a
                # client, and the log outlives a purge (O5).
                target=f"import:{run.pk}",
                data={
                    "run": run.pk,
                    "kind": kind,
                    "sha256": digest,
                    "counts": json.loads(json.dumps(run.counts.get("counts", {}))),
                    "errors": problems.count,
                },
            )
    return ImportResult(run=run, outcome=outcome, problems=problems)


def said_again(run: ImportRun) -> tuple[list[dict], dict]:
    """The run's problems and counts with their reasons, changes and notes in the language now active:
    they were written in the language of whoever ran the import, and are read by anyone of the firm.
    A text without a recipe (older runs, a library's own message) is shown as it was written."""
    errors = []
    for error in run.errors or []:
        if isinstance(error, dict):
            error = dict(error)
            error["reason"] = say(str(error.get("reason") or ""), error.pop("said", None))
            errors.append(error)
    counts = dict(run.counts or {})
    said = counts.pop("said", None)
    said = said if isinstance(said, dict) else {}
    for what in ("changes", "notes"):
        texts, recipes = counts.get(what) or [], said.get(what) or []
        if isinstance(texts, list) and isinstance(recipes, list):
            counts[what] = [say(str(text), recipes[i] if i < len(recipes) else None) for i, text in enumerate(texts)]
    return errors, counts


def _upload_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "uploads"


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
