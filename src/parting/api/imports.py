"""/api/v1/imports: upload a file of a kind (and a format, or the firm's saved column mapping for
it), then poll the run for its state, progress, counts and problems.

The run is the Import page's: the file is stored under ``DATA_DIR/uploads/<token>/`` and an
ImportRun names it; a small file is read at once (``parting.imports.worker.execute``), a larger one
waits for ``parting worker``. The loader validates every record first and writes nothing when one is
bad (its problems name file, line, column and reason).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from parting.imports import formats
from parting.imports.models import KINDS, ImportRun
from parting.imports.services import said_again
from parting.imports.worker import display_name, read_progress, start_run, store_upload

from .common import DateQuery, Id, Page, PageQuery, paginate
from .problems import ApiError

router = Router(tags=["imports"])

KIND_NAMES = [kind for kind, _label in KINDS]


class ImportProblem(Schema):
    """A problem an import found in a file (not to be confused with the RFC 9457 ``Problem`` of an
    error response: under one name, the schema's components kept only one of the two)."""

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
    errors: list[ImportProblem]
    created_at: dt.datetime
    finished_at: dt.datetime | None


def import_out(run: ImportRun) -> dict:
    errors, counts = said_again(run)  # in the caller's language, whoever ran it
    return {
        "id": run.pk,
        "kind": run.kind,
        "format": run.format,
        "file_name": run.file_name,
        "file_sha256": run.file_sha256,
        "dry_run": run.dry_run,
        "state": run.state,
        "progress": read_progress(run),
        "counts": counts,
        "unmatched": run.unmatched or [],
        "error_count": run.error_count,
        "errors": [
            {
                "file": str(e.get("file") or ""),
                "line": e.get("line") if isinstance(e.get("line"), int) else None,
                "column": None if e.get("column") is None else str(e.get("column")),
                "reason": str(e.get("reason") or ""),
            }
            for e in errors
        ],
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def _bad(field: str, message: str):
    return ApiError(422, _("The request is not valid: see errors."), [{"field": field, "message": message}])


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
        raise _bad("file", _("%(file)s is empty.") % {"file": display_name(file.name)})
    if file.size > limit:
        raise ApiError(413, _("The upload is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    guess = formats.guess_kind(file.name or "")
    if guess and guess != kind:
        raise _bad("kind", _("%(file)s looks like %(guessed)s, not %(kind)s.")
                   % {"file": display_name(file.name), "guessed": guess, "kind": kind})  # fmt: skip
    token, stored = store_upload([file])
    options = {
        "format": format,
        "mapping": {},
        "date_order": "",
        "upload": token,
        "files": [stored[0][:2]],
        "create_clients": create_clients,
    }
    run, _crashed = start_run(firm=request.firm, by=request.user, kind=kind, options=options, dry_run=dry_run)
    run.refresh_from_db()  # a failed run says so; the caller polls it like any other
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
