"""Imports started on the Import page: run in the request when small, else by ``parting worker``
(issue 10 §4 progress, §7 "a long import runs in the worker while the page shows its progress").

The page stores what a member uploads under ``DATA_DIR/uploads/<token>/`` — a random token and
numbered files, never the member's file name as a path — and creates an ImportRun whose options
name the token, the stored files and the names shown in errors. A small upload runs at once
(``execute``); a larger one is left ``queued`` and the worker's job ``run_queued_imports`` claims it
with a conditional UPDATE (queued → running WHERE state = 'queued'): of several workers exactly
one wins, the others see 0 rows changed and leave it.

Progress. ``run_import`` loads inside one transaction, and its progress callback is called inside
it: a row updated there is not seen by the page until the import commits (and on SQLite another
connection could not write it at all while the import holds the write lock). So the progress is
written, at most once a second, to a small file beside the upload — which the page and the worker
share anyway, since the worker reads the upload from there — and the run's row gets its final
``progress`` (100) when the import ends.

Unmatched clients (issue 10 §3): the member chooses per name, after a dry run, to create the client,
skip its records, or map the name to an existing client. A mapping is saved as a ClientAlias (or,
for an e-mail address, as a contact of that client) before the import. When every choice is
"create", the loader creates the clients itself (with the addresses it saw as contacts); when some
are "skip", the chosen ones are created here before the import, with an alias so that their
records find them, and removed again if the import writes nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import re
import secrets
import shutil
import time
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from parting.clients.models import Client, Contact
from parting.firms.models import Membership
from parting.imports.i18n import gettext as _

from . import workbook
from .matching import normalise_name, parse_label
from .models import ClientAlias, ImportRun
from .problems import Problem, Source
from .services import ImportResult, run_import

DOMAINS_MAX = Client._meta.get_field("email_domains").max_length

log = logging.getLogger("parting.imports")

TOKEN = re.compile(r"[0-9a-f]{32}")
PROGRESS_EVERY = 1.0  # seconds between two progress writes
STALE_AFTER = 3 * 24 * 3600  # an upload nobody imported is removed after three days


class UploadMissing(Exception):
    """The uploaded files of a run are no longer there (imported already, or cleared as stale)."""


def upload_root() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def upload_dir(token: str) -> Path:
    """The folder of one upload; ``token`` is checked to be ours (32 hex digits), never a path."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise UploadMissing("not an upload token")
    return upload_root() / token


def upload_files(options: dict) -> tuple[list[Path], list[str]]:
    """The stored files of a run (paths) and the names the member gave them (for errors)."""
    folder = upload_dir(options.get("upload", ""))
    paths, names = [], []
    for stored, name in options.get("files", []):
        if not isinstance(stored, str) or not stored.isdigit():
            raise UploadMissing("not a stored file")
        path = folder / stored
        if not path.is_file():
            raise UploadMissing(str(name))
        paths.append(path)
        names.append(str(name))
    if not paths:
        raise UploadMissing("no files")
    return paths, names


INLINE_BYTES = 2 * 1024 * 1024
"""Uploads smaller than this are read in the request (the Import page, the API); larger ones wait for
the worker."""


def display_name(name: str) -> str:
    """The name a member gave a file, without any folder: only ever shown, never used as a path."""
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"


def store_upload(files) -> tuple[str, list[list]]:
    """Keep uploaded files under a new random token as numbered files (their names are only shown).
    Returns the token and ``[number, shown name, size]`` per file."""
    token = secrets.token_hex(16)
    folder = upload_dir(token)
    folder.mkdir(parents=True, mode=0o700)
    stored = []
    for n, upload in enumerate(files, 1):
        with (folder / str(n)).open("xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        stored.append([str(n), display_name(upload.name), upload.size])
    return token, stored


def start_run(*, firm, by, kind: str, options: dict, dry_run: bool) -> tuple[ImportRun, bool]:
    """Create the run of an upload; read it now when its files are small, else leave it queued for
    ``parting worker``. Returns the run and whether the reading stopped on an internal error (logged
    with its traceback; the run is marked failed and nothing was written)."""
    paths, names = upload_files(options)
    inline = sum(workbook.read_size(p) for p in paths) < INLINE_BYTES  # a workbook: its sheets unpacked
    run = ImportRun.objects.create(
        firm=firm,
        by=by,
        kind=kind,
        format=options.get("format", ""),
        file_name=", ".join(names)[:300],
        file_path=str(upload_dir(options["upload"])),
        options=options,
        dry_run=dry_run,
        state=ImportRun.State.RUNNING if inline else ImportRun.State.QUEUED,
    )
    if inline:
        try:
            execute(run)
        except Exception:
            log.exception("import %s failed", run.pk)
            ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.RUNNING).update(
                state=ImportRun.State.FAILED, finished_at=timezone.now()
            )
            return run, True
    return run, False


def progress_file(run: ImportRun) -> Path | None:
    token = (run.options or {}).get("upload", "")
    try:
        return upload_dir(token) / f".progress-{run.pk}"
    except UploadMissing:
        return None


def read_progress(run: ImportRun) -> int:
    """The run's progress in percent: from the file while it runs, else from its row."""
    if run.state != ImportRun.State.RUNNING:
        return 100 if run.state in (ImportRun.State.DONE, ImportRun.State.FAILED) else run.progress
    path = progress_file(run)
    if path is None:
        return run.progress
    try:
        text = path.read_text(encoding="ascii")[:4].strip()
    except (OSError, UnicodeError):
        return run.progress
    return min(int(text), 99) if text.isdigit() else run.progress


class _ProgressWriter:
    """The progress callback of ``run_import``: percent of bytes read, written at most once a second."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.path = progress_file(run)
        self.last = 0.0
        self.percent = -1

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))
        now = time.monotonic()
        if percent == self.percent or now - self.last < PROGRESS_EVERY:
            return
        self.last, self.percent = now, percent
        self.run.progress = percent
        if self.path is None:
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        with contextlib.suppress(OSError):
            temporary.write_text(str(percent), encoding="ascii")
            os.replace(temporary, self.path)

    def clear(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()


def apply_mappings(firm, mapped: dict[str, Client]) -> None:
    """Names (or addresses, or domains) the member mapped to an existing client: saved so that every
    later import finds that client too — a name as a ClientAlias, an address as a contact, a domain
    ("@acme.com") among the client's e-mail domains."""
    with transaction.atomic():
        for label, client in mapped.items():
            if client.firm_id != firm.pk:
                raise ValueError("a client of another firm")
            name, email, domain = parse_label(label)
            if domain:
                client = Client.objects.select_for_update().get(pk=client.pk)
                domains = client.email_domains.split()
                if domain not in domains and len(" ".join([*domains, domain])) <= DOMAINS_MAX:
                    client.email_domains = " ".join([*domains, domain])
                    client.save(update_fields=["email_domains"])
            elif email:
                if not Contact.objects.filter(client=client, email=email).exists():
                    Contact.objects.create(client=client, name=(name or email)[:200], email=email[:254])
            elif alias := normalise_name(name):
                ClientAlias.objects.update_or_create(firm=firm, alias=alias[:200], defaults={"client": client})


def _precreate(firm, names: list[str]) -> list[int]:
    """Create the clients the member chose to create, each found again by its alias, address or domain."""
    created = []
    taken = set(Client.objects.filter(firm=firm).values_list("name", flat=True))
    with transaction.atomic():
        for label in names:
            person, email, domain = parse_label(label)
            name, n = (domain or person or email).strip()[:200], 2
            if not name:
                continue
            base = name
            while name in taken:
                name, n = f"{base[:190]} ({n})", n + 1
            client = Client.objects.create(firm=firm, name=name, email_domains=domain[:DOMAINS_MAX])
            taken.add(name)
            created.append(client.pk)
            if email:
                Contact.objects.create(client=client, name=(person or email)[:200], email=email[:254])
            elif not domain:
                alias = normalise_name(person)
                if alias and not ClientAlias.objects.filter(firm=firm, alias=alias[:200]).exists():
                    ClientAlias.objects.create(firm=firm, alias=alias[:200], client=client)
    return created


def execute(run: ImportRun) -> ImportResult | None:
    """Run an ImportRun the page prepared (state running, or claimed by a worker). Returns the result,
    or None when its files are gone (the run is then marked failed with that reason). Its problems,
    notes and changes are written in the language of the member who started it (the worker has none
    of its own)."""
    language = None
    if run.by_id:
        memberships = Membership.objects.filter(user_id=run.by_id, firm_id=run.firm_id)  # their language in this firm
        language = memberships.values_list("language", flat=True).first()
    with translation.override(language or translation.get_language()):
        return _execute(run)


def _execute(run: ImportRun) -> ImportResult | None:
    options = dict(run.options or {})
    try:
        paths, names = upload_files(options)
    except UploadMissing:
        _fail(run, _("the uploaded files are no longer here; upload them again"))
        return None
    choices = options.get("choices") or {}
    create_all = bool(options.pop("create_clients", False))
    to_create = [str(n) for n in choices.get("create", [])]
    skipped = [str(n) for n in choices.get("skip", [])]
    created: list[int] = []
    if not run.dry_run and to_create and skipped:
        created = _precreate(run.firm, to_create)
        create_all = False
    elif to_create and not skipped:
        create_all = True
    writer = _ProgressWriter(run)
    token = options.get("upload", "")
    try:
        with timezone.override(zoneinfo.ZoneInfo(run.firm.time_zone)):
            result = run_import(
                firm=run.firm,
                by=run.by,
                kind=run.kind,
                paths=paths,
                names=names,
                options=options,
                create_clients=create_all,
                dry_run=run.dry_run,
                progress=writer,
                run=run,
            )
    except Exception:
        _undo(created)
        raise
    finally:
        writer.clear()
    if not result.ok:
        _undo(created)
    if not run.dry_run:
        remove_upload(token)
    return result


def _undo(created: list[int]) -> None:
    """The import wrote nothing: the clients created for it go too (nothing refers to them)."""
    if created:
        Client.objects.filter(pk__in=created).delete()


def _fail(run: ImportRun, reason: str) -> None:
    run.state, run.finished_at, run.progress = ImportRun.State.FAILED, timezone.now(), 100
    run.errors = [Problem(Source(run.file_name), reason).as_dict()]
    run.error_count = 1
    run.save()


def remove_upload(token: str) -> None:
    with contextlib.suppress(UploadMissing, OSError):
        shutil.rmtree(upload_dir(token))


def run_queued_imports(limit: int = 1) -> str:
    """Run up to ``limit`` queued imports, each claimed by a conditional UPDATE so that of several
    workers exactly one runs it. A failing import is marked failed and does not stop the loop."""
    ran = 0
    for _attempt in range(limit):
        pk = (
            ImportRun.objects.filter(state=ImportRun.State.QUEUED)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            break
        claimed = ImportRun.objects.filter(pk=pk, state=ImportRun.State.QUEUED).update(state=ImportRun.State.RUNNING)
        if claimed != 1:
            continue  # another worker took it
        run = ImportRun.objects.select_related("firm", "by").get(pk=pk)
        try:
            execute(run)
        except Exception:  # run_import has marked the run failed; the worker goes on
            log.exception("queued import %s failed", pk)
            ImportRun.objects.filter(pk=pk, state=ImportRun.State.RUNNING).update(
                state=ImportRun.State.FAILED, finished_at=timezone.now()
            )
        ran += 1
    return f"{ran} queued import(s) run"


ABANDONED_AFTER = 6 * 3600  # seconds: an import still "running" this long after it began has died


def fail_abandoned_runs() -> int:
    """Runs left "running" by a process that died (killed, or the machine restarted) are marked failed:
    their transaction never committed, so nothing of them was written — which the run's page says."""
    since = timezone.now() - datetime.timedelta(seconds=ABANDONED_AFTER)
    return ImportRun.objects.filter(state=ImportRun.State.RUNNING, created_at__lt=since).update(
        state=ImportRun.State.FAILED,
        finished_at=timezone.now(),
        error_count=1,
        errors=[
            {
                "file": "",
                "line": 0,
                "column": "",
                "reason": _("the import stopped without finishing (its process ended); nothing of it was written"),
            }
        ],
    )


def clear_stale_uploads(now: float | None = None) -> str:
    """Remove uploads older than three days that no queued or running import still needs (after
    failing the runs whose process died, so their uploads go too)."""
    fail_abandoned_runs()
    root = upload_root()
    if not root.is_dir():
        return "no uploads"
    now = now if now is not None else time.time()
    busy = {
        (options or {}).get("upload")
        for options in ImportRun.objects.filter(
            state__in=[ImportRun.State.QUEUED, ImportRun.State.RUNNING]
        ).values_list("options", flat=True)
    }
    removed = 0
    for entry in root.iterdir():
        if not TOKEN.fullmatch(entry.name) or entry.name in busy:
            continue
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > STALE_AFTER:
                shutil.rmtree(entry)
                removed += 1
    return f"{removed} stale upload(s) removed"
