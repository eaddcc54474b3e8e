"""/api/v1/imports: upload a file of a kind (and a format, or the firm's saved column mapping for
it), then poll the run for its state, progress, counts and problems.

The run is the Import page's: the file is stored under ``DATA_DIR/uploads/<token>/`` and an
ImportRun names it; a small file is read at once (``parting.imports.worker.execute``), a larger one
waits for ``parting worker``. The loader validates every record first and writes nothing when one is
bad (its problems name file, line, column and reason).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from parting.imports import formats
from parting.imports.models import KINDS, ImportRun
from parting.imports.worker import execute, read_progress, upload_dir

from .common import DateQuery, Id, Page, PageQuery, paginate
from .problems import ApiError

log = logging.getLogger("parting.imports")
router = Router(tags=["imports"])

INLINE_BYTES = 2 * 1024 * 1024  # as the Import page: smaller files are read in the request
KIND_NAMES = [kind for kind, _label in KINDS]


class Problem(Schema):
    file: str = ""
    line: int | None = None
    column: str | None = None
    reason: str = ""


class ImportOut(Schema):
    id: int
    kind: str
    format: str
    file_name: str
    file_sha256: str
    dry_run: bool
    state: str
    progress: int
    counts: dict
    unmatched: list
    error_count: int
    errors: list[Problem]
    created_at: dt.datetime
    finished_at: dt.datetime | None


def import_out(run: ImportRun) -> dict:
    return {
        "id": run.pk,
        "kind": run.kind,
        "format": run.format,
        "file_name": run.file_name,
        "file_sha256": run.file_sha256,
        "dry_run": run.dry_run,
        "state": run.state,
        "progress": read_progress(run),
        "counts": run.counts or {},
        "unmatched": run.unmatched or [],
        "error_count": run.error_count,
        "errors": [
            {
                "file": str(e.get("file") or ""),
                "line": e.get("line") if isinstance(e.get("line"), int) else None,
                "column": None if e.get("column") is None else str(e.get("column")),
                "reason": str(e.get("reason") or ""),
            }
            for e in (run.errors or [])
            if isinstance(e, dict)
        ],
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def _bad(field: str, message: str):
    return ApiError(422, _("The request is not valid: see errors."), [{"field": field, "message": message}])


def _name(name: str) -> str:
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"


@router.post("/imports", response={202: ImportOut}, summary="Upload a file to import")
def imports_create(
    request,
    file: File[UploadedFile],
    kind: Form[str],
    format: Form[str] = "",
    dry_run: Form[bool] = False,
    create_clients: Form[bool] = False,
):
    """``kind``: invoices, payments, clients, contacts, calendar, mail, time, meetings, messages,
    requests, incidents or archive. ``format``: a preset of the kind (see docs/imports.md), else the
    firm's saved column mapping for the kind is used. ``dry_run``: read and check, write nothing.
    ``create_clients``: add clients the file names that the firm does not have yet."""
    if kind not in KIND_NAMES:
        raise _bad("kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(KIND_NAMES)})
    offered = formats.presets(kind)
    if format and format not in offered:
        known = ", ".join(offered) or _("none for this kind")
        raise _bad("format", _("%(kind)s has no format %(format)s; known: %(known)s.")
                   % {"kind": kind, "format": format[:40], "known": known})  # fmt: skip
    limit = int(getattr(settings, "IMPORT_MAX_BYTES", 200 * 1024 * 1024))
    if not file.size:
        raise _bad("file", _("%(file)s is empty.") % {"file": _name(file.name)})
    if file.size > limit:
        raise ApiError(413, _("The upload is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    guess = formats.guess_kind(file.name or "")
    if guess and guess != kind:
        raise _bad("kind", _("%(file)s looks like %(guessed)s, not %(kind)s.")
                   % {"file": _name(file.name), "guessed": guess, "kind": kind})  # fmt: skip
    token = secrets.token_hex(16)
    folder = upload_dir(token)
    folder.mkdir(parents=True, mode=0o700)
    with (folder / "1").open("xb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    options = {
        "format": format,
        "mapping": {},
        "date_order": "",
        "upload": token,
        "files": [["1", _name(file.name)]],
        "create_clients": create_clients,
    }
    inline = file.size < INLINE_BYTES
    run = ImportRun.objects.create(
        firm=request.firm,
        by=request.user,
        kind=kind,
        format=format,
        file_name=_name(file.name),
        file_path=str(folder),
        options=options,
        dry_run=dry_run,
        state=ImportRun.State.RUNNING if inline else ImportRun.State.QUEUED,
    )
    if inline:
        try:
            execute(run)
        except Exception:  # logged with its traceback; the caller reads a failed run
            log.exception("import %s failed", run.pk)
            ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.RUNNING).update(
                state=ImportRun.State.FAILED, finished_at=timezone.now()
            )
        run.refresh_from_db()
    return Status(202, import_out(run))


@router.get("/imports", response=Page[ImportOut], summary="List the firm's imports, newest first")
def imports_list(request, page: PageQuery, dates: DateQuery):
    rows = ImportRun.objects.filter(firm=request.firm).order_by("-created_at", "-pk")
    start, end = dates.checked()
    if start:
        rows = rows.filter(created_at__date__gte=start)
    if end:
        rows = rows.filter(created_at__date__lte=end)
    return paginate(rows, page, import_out)


@router.get("/imports/{import_id}", response=ImportOut, summary="An import's state, progress and problems")
def imports_read(request, import_id: Id):
    from django.shortcuts import get_object_or_404

    return import_out(get_object_or_404(ImportRun, pk=import_id, firm=request.firm))
