"""The Import page (issue 10 §7): upload, choose or detect the format, map columns over a preview of
the first rows, dry run, choose what happens to clients Parting does not know, import — in the
request when the files are small, else in ``parting worker`` while the page shows its progress.
And the owners' "Export all data" button (§6).

An upload is kept under ``DATA_DIR/uploads/<random token>/`` as numbered files with a small
``upload.json`` saying whose it is (firm, member), what it holds and the names the member gave the
files — names are only ever shown, never used as paths. Every run and client is looked up within
the member's firm: another firm's is a 404.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import tempfile
import zipfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from parting.clients.models import Client
from parting.core.requests import id_param, int_param
from parting.firms.access import member_required
from parting.firms.models import Membership
from parting.imports import columns, formats, workbook
from parting.imports.labels import by_kind, kind_label, what_label
from parting.imports.matching import parse_label
from parting.imports.models import KINDS, ImportRun
from parting.imports.problems import FileUnreadable
from parting.imports.readers.mail import zip_member_is_mail
from parting.imports.services import csv_for_preview, fitting_mapping, said_again, save_mapping
from parting.imports.worker import (
    UploadMissing,
    apply_mappings,
    read_progress,
    start_run,
    store_upload,
    upload_dir,
    upload_files,
    upload_root,
)

log = logging.getLogger("parting.imports")

MAX_FILES = 20
PREVIEW_ROWS = 10
UNMATCHED_SHOWN = 50  # names with a choice of their own; the others follow the choice for all
RUNS_LISTED = 50
CSV_KINDS = tuple(columns.GENERIC)
KIND_LABELS = dict(KINDS)
FILE_KIND_LABELS = {
    "calendar": gettext_lazy("a calendar (.ics)"),
    "mail": gettext_lazy("mail"),
    "archive": gettext_lazy("a Parting export (.zip)"),
}
MANIFEST = "upload.json"


# -- the list and the upload -------------------------------------------------------------------


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the files hold"),
        choices=[("", gettext_lazy("Detect from the file name (.ics, .eml, .mbox, .zip)")), *KINDS],
        required=False,
    )


def _max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 200 * 1024 * 1024))


def _list_context(request, form, errors=()):
    runs = list(ImportRun.objects.filter(firm=request.firm).select_related("by")[:RUNS_LISTED])
    return {
        "form": form,
        "errors": list(errors),
        "runs": [(run, count_lines(run)) for run in runs],
        "max_mb": _max_bytes() // (1024 * 1024),
        "can_export": request.membership.role == Membership.Role.OWNER,
    }


@member_required
@csrf_exempt  # checked by _upload below, after the size: Django reads an upload to check its token
def imports(request):
    """The Import page: recent imports of the firm and the upload form."""
    if request.method != "POST":
        return render(request, "parting/imports.html", _list_context(request, UploadForm()))
    length = int_param(request.META.get("CONTENT_LENGTH") or "0")
    if length is None or length > _max_bytes():
        error = _("The upload is larger than %(mb)s MB; import the files a few at a time.") % {
            "mb": _max_bytes() // (1024 * 1024)
        }
        return render(request, "parting/imports.html", _list_context(request, UploadForm(), [error]), status=413)
    return _upload(request)


@csrf_protect
def _upload(request):
    form = UploadForm(request.POST)
    files = request.FILES.getlist("files")
    errors = []
    kind = ""
    if not form.is_valid():
        errors.append(_("Choose what the files hold."))
    elif not files:
        errors.append(_("Choose at least one file to upload."))
    elif len(files) > MAX_FILES:
        errors.append(_("At most %(n)s files at a time.") % {"n": MAX_FILES})
    else:
        kind, errors = _kind_of(form.cleaned_data["kind"], [f.name for f in files], _zip_kinds(files))
        for upload in files:
            if not upload.size:
                errors.append(_("%(file)s is empty.") % {"file": upload.name})
        if sum(f.size for f in files) > _max_bytes():
            errors.append(_("The files are larger than %(mb)s MB together.") % {"mb": _max_bytes() // (1024 * 1024)})
    if errors:
        return render(request, "parting/imports.html", _list_context(request, form, errors), status=400)
    token, stored = store_upload(files)
    folder = upload_dir(token)
    manifest = {
        "firm": request.firm.pk,
        "by": request.user.pk,
        "kind": kind,
        "files": stored,
        "uploaded_at": timezone.now().isoformat(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return redirect("import_upload", token=token)


def _zip_kinds(files) -> dict[str, str | None]:
    """What each uploaded .zip holds, from the names inside it: a Parting export (its manifest.json),
    a calendar (Google Calendar's export: one .ics per calendar) or mail (Google Takeout's .mbox, a
    zipped folder of .eml files, a zipped maildir); None when it cannot be told (the reader then says why)."""
    kinds: dict[str, str | None] = {}
    for upload in files:
        if not upload.name.lower().endswith(".zip"):
            continue
        try:
            with zipfile.ZipFile(upload) as archive:
                inside = [n.lower() for n in archive.namelist()]
        except (zipfile.BadZipFile, OSError, ValueError):
            inside = []
        finally:
            upload.seek(0)
        found = {formats.guess_kind(n) for n in inside} | {"mail" for n in inside if zip_member_is_mail(n)}
        if "manifest.json" in inside:
            kinds[upload.name] = "archive"
        elif found - {None, "archive"} and len(found - {None, "archive"}) == 1:
            kinds[upload.name] = next(iter(found - {None, "archive"}))
        else:
            kinds[upload.name] = None
    return kinds


def _kind_of(chosen: str, names: list[str], zips: dict[str, str | None] | None = None) -> tuple[str, list[str]]:
    """The kind the member chose, checked against the files' names (and what a .zip holds); or the
    kind they imply."""
    zips = zips or {}
    guesses = {
        name: zips.get(name, formats.guess_kind(name)) if name in zips else formats.guess_kind(name) for name in names
    }
    if not chosen:
        kinds = set(guesses.values())
        if None in kinds or len(kinds) != 1:
            return "", [_("What these files hold cannot be told from their names: choose it in the list.")]
        return kinds.pop(), []
    errors = []
    for name, guess in guesses.items():
        if guess and guess != chosen:
            errors.append(
                _("%(file)s looks like %(guessed)s, but “%(kind)s” was chosen: choose what the file holds.")
                % {"file": name, "guessed": FILE_KIND_LABELS[guess], "kind": KIND_LABELS[chosen]}
            )
        elif chosen not in CSV_KINDS and name.lower().endswith((".csv", ".tsv", ".txt")):
            errors.append(
                _("%(file)s is a CSV file, but “%(kind)s” is read from other files: choose what the file holds.")
                % {"file": name, "kind": KIND_LABELS[chosen]}
            )
        elif chosen not in CSV_KINDS and name.lower().endswith((".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")):
            errors.append(
                _("%(file)s is a spreadsheet, but “%(kind)s” is read from other files: choose what the file holds.")
                % {"file": name, "kind": KIND_LABELS[chosen]}
            )
    return chosen, errors


def _manifest(request, token: str) -> dict:
    """The upload ``token`` names, if it is this firm's; else 404."""
    try:
        folder = upload_dir(token)
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (UploadMissing, OSError, ValueError):
        raise Http404(_("No such upload: it was imported or cleared; upload the files again.")) from None
    if manifest.get("firm") != request.firm.pk or manifest.get("kind") not in formats.KINDS:
        raise Http404(_("No such upload: it was imported or cleared; upload the files again."))
    return manifest


# -- preview, mapping and the dry run ----------------------------------------------------------


class MappingForm(forms.Form):
    """The format, which of the file's columns holds each of our fields, and the day/month order."""

    DATE_ORDERS = (
        ("", gettext_lazy("Decide from the whole column")),
        ("dmy", gettext_lazy("Day first (31/01/2026)")),
        ("mdy", gettext_lazy("Month first (01/31/2026)")),
    )

    def __init__(self, data=None, *, kind: str, header: list[str], initial: dict):
        super().__init__(data, initial=initial)
        presets = formats.presets(kind)
        if presets:
            self.fields["format"] = forms.ChoiceField(
                label=_("Format"),
                choices=[("", _("Detect from the columns")), *sorted(presets.items())],
                required=False,
            )
        self.our_fields = []
        if kind in CSV_KINDS:
            required = set(columns.REQUIRED.get(kind, ()))
            for name in columns.mappable(kind):
                self.fields[f"map_{name}"] = forms.ChoiceField(
                    label=name,
                    choices=[("", _("— as the format says —")), *((c, c) for c in header if c)],
                    required=False,
                )
                self.our_fields.append((name, name in required, self[f"map_{name}"]))
            self.fields["date_order"] = forms.ChoiceField(
                label=_("Dates that could be read both ways"), choices=self.DATE_ORDERS, required=False
            )
            self.fields["save_mapping"] = forms.BooleanField(
                label=_("Save this mapping for the next import of this kind and format"), required=False
            )

    def mapping(self, kind: str) -> dict[str, str]:
        if kind not in CSV_KINDS:
            return {}
        return {name: column for name in columns.mappable(kind) if (column := self.cleaned_data.get(f"map_{name}"))}


def _preview(
    path, language: str, kind: str, header_only: bool = False, notes: list[str] | None = None
) -> tuple[list[str], list[list[str]], str]:
    """The first rows of a CSV file: (header, rows, the reason it cannot be read or ""), read as the
    import will read it (below a report's title lines; ``language``, the member's, settles a legacy
    charset). ``notes``: what the member should know of it (which of a workbook's sheets is shown)."""
    header: list[str] = []
    rows: list[list[str]] = []
    try:
        with workbook.opened(path, notes, limit=workbook.PREVIEW_ROWS) as stream:  # a workbook's first rows only
            table = csv_for_preview(stream, kind, language)
            header = table.header
            for _line, row in itertools.islice(table, 0 if header_only else PREVIEW_ROWS):
                rows.append([row.get(name, "") for name in header])
    except FileUnreadable as error:
        where = _("line %(line)s: ") % {"line": error.line} if error.line else ""
        return header, rows, where + error.reason
    except (UnicodeError, ValueError, LookupError, OSError) as error:
        return header, rows, _("the file cannot be read: %(error)s") % {"error": error}
    return header, rows, ""


def _initial(firm, kind: str, header: list[str], shared: set[str] | None = None, earlier: dict | None = None) -> dict:
    """Preselected: what the member chose for these very files before (``earlier``: the options of
    its dry run, when it comes back from one to change them), else the firm's saved mapping (its
    latest for this kind) where the files have the column, else the column with our field's name
    (case and surrounding spaces aside). ``shared``: the columns every uploaded file has — a column
    only the first file has is not preselected, or the files of another tool uploaded with it
    (Toggl's and Harvest's) would be refused for lacking a column the member never chose."""
    present = [c for c in header if shared is None or c in shared]
    if earlier is not None:
        chosen = earlier.get("mapping") or {}
        initial = {
            "format": earlier.get("format") or "",
            "date_order": earlier.get("date_order") or "",
            "save_mapping": bool(earlier.get("save_mapping")),
        }
        for name in columns.mappable(kind):
            column = chosen.get(name) or ""
            initial[f"map_{name}"] = column if column in present else ""
        return initial
    # The latest saved mapping whose columns these files all have: one saved for another tool's files
    # would preselect its format, its date order and columns these files lack (a Xero file given a
    # custom sheet's mapping was refused for columns it never had).
    saved = fitting_mapping(firm, kind, present)
    by_folded = {" ".join(c.split()).casefold(): c for c in present}
    initial = {"format": saved.format if saved else "", "date_order": saved.date_order if saved else ""}
    for name in columns.mappable(kind):
        column = (saved.mapping.get(name) if saved else None) or ""
        if column not in present:
            # the saved column as this file spells it ('Invoice no' for 'Invoice No': fitting_mapping
            # matched it so), else the column with our field's name
            column = by_folded.get(" ".join(column.split()).casefold()) or by_folded.get(name.casefold(), "")
        initial[f"map_{name}"] = column
    return initial


@member_required
def import_upload(request, token: str):
    """Preview the first rows, map the columns, and start the dry run."""
    manifest = _manifest(request, token)
    kind = manifest["kind"]
    folder = upload_dir(token)
    files = manifest["files"]
    header, rows, unreadable = [], [], ""
    shared: set[str] = set()
    if kind in CSV_KINDS:
        notes: list[str] = []
        header, rows, unreadable = _preview(folder / files[0][0], request.membership.language, kind, notes=notes)
        if request.method == "GET":
            for note in notes:
                messages.info(request, note)
        shared = set(header)
        for stored, *_rest in files[1:]:
            shared &= set(_preview(folder / stored, request.membership.language, kind, header_only=True)[0])
    form = MappingForm(request.POST if request.method == "POST" else None, kind=kind, header=header,
                       initial=_initial(request.firm, kind, header, shared, _earlier(request, token)))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data.get("format", "") or ""
        mapping = form.mapping(kind)
        date_order = form.cleaned_data.get("date_order", "") or ""
        if form.cleaned_data.get("save_mapping"):
            save_mapping(request.firm, kind, fmt, mapping, date_order)
        options = {
            "format": fmt,
            "mapping": mapping,
            "date_order": date_order,
            "form": True,  # the page's choices are the whole mapping: no saved one is applied unseen
            "save_mapping": bool(form.cleaned_data.get("save_mapping")),  # ticked again on coming back
            "upload": token,
            "files": [[stored, name] for stored, name, _size in files],
        }
        try:
            run = _start(request, kind=kind, options=options, dry_run=True)
        except UploadMissing:
            raise Http404(_("No such upload: it was imported or cleared; upload the files again.")) from None
        return redirect("import_run", pk=run.pk)
    context = {
        "token": token,
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "files": files,
        "header": header,
        "rows": rows,
        "unreadable": unreadable,
        "form": form,
        "csv": kind in CSV_KINDS,
    }
    return render(request, "parting/import_upload.html", context, status=400 if form.errors else 200)


def _earlier(request, token: str) -> dict | None:
    """The options of the dry run (``?run=``) of these very files the member came back from, if any."""
    pk = id_param(request.GET.get("run"))
    if pk is None:
        return None
    run = ImportRun.objects.filter(pk=pk, firm=request.firm, dry_run=True, options__upload=token).first()
    return run.options if run is not None and isinstance(run.options, dict) else None


def _start(request, *, kind: str, options: dict, dry_run: bool) -> ImportRun:
    """Create the run; read it now when the files are small, else leave it to the worker."""
    run, crashed = start_run(firm=request.firm, by=request.user, kind=kind, options=options, dry_run=dry_run)
    if crashed:  # logged with its traceback; the member sees a plain sentence
        messages.error(request, _("The import stopped on an internal error; nothing was written."))
    return run


# -- a run: its page, its progress, and the import after a dry run -------------------------------


def count_lines(run: ImportRun) -> list[tuple[str, list[tuple[int, str]]]]:
    """What a run did per kind: [(kind, [(n, what), ...]), ...]."""
    return _lines((run.counts or {}).get("counts", {}) or {})


def _client_lines(counted: dict[str, int]) -> list[tuple[str, list[tuple[int, str]]]]:
    """What a run did for one client ({"invoices added": n, ...}), per kind as ``count_lines`` gives it."""
    return _lines(by_kind(counted))


def _lines(counts: dict[str, dict[str, int]]) -> list[tuple[str, list[tuple[int, str]]]]:
    return [
        (kind_label(kind), [(n, what_label(w)) for w, n in sorted(what.items())])
        for kind, what in sorted(counts.items())
    ]


def _run(request, pk: int) -> ImportRun:
    return get_object_or_404(ImportRun.objects.select_related("by"), pk=pk, firm=request.firm)


def _importable(run: ImportRun) -> bool:
    """A finished dry run without problems, with something to import, whose files are still here and
    not yet imported."""
    if not run.dry_run or run.state != ImportRun.State.DONE or run.error_count:
        return False
    if not (run.counts or {}).get("counts") and not run.unmatched:
        return False  # a header and no rows: nothing an import would do
    try:
        upload_files(run.options or {})
    except UploadMissing:
        return False
    return not _imported_already(run)


def _imported_already(run: ImportRun) -> ImportRun | None:
    token = (run.options or {}).get("upload")
    return (
        ImportRun.objects.filter(firm=run.firm_id, dry_run=False, options__upload=token).exclude(pk=run.pk).first()
        if token
        else None
    )


def _live(run: ImportRun) -> bool:
    return run.state in (ImportRun.State.QUEUED, ImportRun.State.RUNNING)


@member_required
def import_run(request, pk: int):
    """One run: what it did (or, for a dry run, would do), per kind and client, and its errors."""
    run = _run(request, pk)
    errors, counts = said_again(run)  # in this member's language, whoever ran it
    importable = _importable(run)
    unmatched = [(i, name, n) for i, (name, n) in enumerate(run.unmatched or [])]
    token = (run.options or {}).get("upload", "")
    remap = ""  # back to the format and columns, while the upload is here and not imported yet
    if run.dry_run and not _live(run) and (run.kind in CSV_KINDS or formats.presets(run.kind)):
        with contextlib.suppress(Http404):
            _manifest(request, token)
            if not _imported_already(run):
                remap = reverse("import_upload", kwargs={"token": token}) + f"?run={run.pk}"
    context = {
        "run": run,
        "live": _live(run),
        "percent": read_progress(run),
        "lines": count_lines(run),
        "per_client": [(name, _client_lines(what_n)) for name, what_n in (counts.get("per_client") or {}).items()],
        "changes": counts.get("changes") or [],
        "notes": counts.get("notes") or [],
        "created": counts.get("created_clients") or [],
        "unmatched": unmatched[:UNMATCHED_SHOWN],
        "unmatched_more": max(0, len(unmatched) - UNMATCHED_SHOWN),
        "unmatched_domains": any(parse_label(name)[2] for _i, name, _n in unmatched[:UNMATCHED_SHOWN]),
        "unmatched_total": sum(n for _i, _name, n in unmatched),
        "importable": importable,
        "clients": list(Client.objects.filter(firm=request.firm).order_by("name").values_list("pk", "name"))
        if importable and unmatched
        else [],
        "remap": remap,
        "errors": errors,
        "more_errors": max(0, run.error_count - len(errors)),
        **_not_importable(run, importable),
    }
    return render(request, "parting/import_run.html", context)


def _not_importable(run: ImportRun, importable: bool) -> dict:
    """Why a finished dry run without problems offers no Import button: imported already (and where),
    nothing to import, or its files are gone."""
    if importable or not run.dry_run or run.state != ImportRun.State.DONE or run.error_count:
        return {}
    done = _imported_already(run)
    if done is not None:
        return {"imported_as": done}
    if not (run.counts or {}).get("counts") and not run.unmatched:
        return {"nothing_to_import": True}
    return {"upload_gone": True}


@member_required
def import_progress(request, pk: int):
    """htmx: the run's progress, polled every 2 s while it waits or runs; when it ends, the page reloads."""
    run = _run(request, pk)
    live = _live(run)
    response = render(
        request, "parting/_import_progress.html", {"run": run, "live": live, "percent": read_progress(run)}
    )
    if request.htmx and not live:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@member_required
def import_confirm(request, pk: int):
    """Import what a dry run read, with the member's choice for each client Parting does not know."""
    dry = _run(request, pk)
    if not dry.dry_run:
        raise Http404(_("Only a dry run is imported from its page."))
    done = _imported_already(dry)
    if done:
        if _live(done):  # pressed in another tab or by a colleague, and not finished yet
            messages.info(request, _("These files are being imported already: this is that import."))
        else:
            messages.info(request, _("These files were imported already."))
        return redirect("import_run", pk=done.pk)
    if not _importable(dry):
        messages.error(request, _("This dry run cannot be imported: upload the files again."))
        return redirect("import_run", pk=dry.pk)
    others = request.POST.get("others", "skip")
    others = others if others in ("create", "skip") else "skip"
    create, skip, mapped = [], [], {}
    clients: dict[int, Client] = {}
    for i, (name, _n) in enumerate(dry.unmatched or []):
        choice = request.POST.get(f"choice_{i}", "") if i < UNMATCHED_SHOWN else ""
        if choice in ("", "default"):
            choice = others
        if choice == "create":
            create.append(name)
        elif choice == "skip":
            skip.append(name)
        else:
            client_id = id_param(choice)
            if client_id is None:
                raise Http404(_("No such client."))
            if client_id not in clients:
                clients[client_id] = get_object_or_404(Client, pk=client_id, firm=request.firm)
            mapped[name] = clients[client_id]
    apply_mappings(request.firm, mapped)
    options = {k: v for k, v in (dry.options or {}).items() if k != "create_clients"}
    options["choices"] = {"create": create, "skip": skip, "mapped": {n: c.pk for n, c in mapped.items()}}
    try:
        run = _start(request, kind=dry.kind, options=options, dry_run=False)
    except UploadMissing:  # cleared between the check above and now
        messages.error(request, _("This dry run cannot be imported: upload the files again."))
        return redirect("import_run", pk=dry.pk)
    return redirect("import_run", pk=run.pk)


# -- export ------------------------------------------------------------------------------------


@require_POST
@member_required
def import_export(request):
    """Owners: the firm's whole data as a ZIP of CSV files and a manifest (issue 10 §6)."""
    if request.membership.role != Membership.Role.OWNER:
        raise PermissionDenied(_("Only owners can export all of the firm's data."))
    from parting.imports.export import export_firm

    upload_root().mkdir(parents=True, exist_ok=True)
    spool = tempfile.TemporaryFile(dir=upload_root())  # noqa: SIM115 - closed (and gone) with the response
    try:
        export_firm(request.firm, spool, by=request.user)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    name = f"parting-{request.firm.slug}-{request.firm.today().isoformat()}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")
