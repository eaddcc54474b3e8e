"""The handover bundle of a client (issue 13 §2, O3, O4, O7): one ZIP the client keeps.

What is in it: every document of the client under ``documents/<category>/``, ``invoices.csv`` and
``payments.csv`` (the columns Parting's generic importer reads, the cells as the firm's export writes
them: ``imports/export.py``), ``services-delivered.pdf`` and ``successor-briefing.pdf``
(``handover.py``), ``README.txt`` in the client's language, and ``manifest.json`` listing every other
file with its size and SHA-256, so the client can check that nothing was changed on the way.

The client can also ask for a copy of their data at any time (a data-subject request, GDPR Art. 15 and
20; issue 13 §3): ``data_request`` makes the same bundle with no case, recorded with the day they asked
and how (``client.data_requested`` in the audit log). Its services summary covers the whole time on
record; there is no successor briefing (it is the case's: its successor, its handover note), its README
says why, and its manifest says ``"purpose": "data-request"`` and the day asked.

How it is built, safely with any number of workers:

1. ``bundle_request`` records a queued row. When the client's documents add up to no more than
   ``BUNDLE_INLINE_MAX_BYTES`` it is built at once, in the request; larger ones are left to the worker.
2. ``bundle_build`` first claims the row: ``UPDATE … SET status='building' WHERE id=… AND
   status='queued'``. One caller gets 1 row updated and builds; any other gets 0 and returns.
3. The ZIP is written to a temporary file, each member hashed as it is written, then saved to the
   "documents" storage under a random name; only then is the row marked ready (again conditionally,
   from building). A failure marks it failed with the reason and removes any stored file.
4. A worker that died while building leaves the row "building": after ``STALE_AFTER`` the worker's
   pass puts it back to queued (conditionally), and it is built again.

The ZIP's members are named by the document's shown name (cleaned on upload, ``filetypes.clean_name``);
two with the same name get `` (2)``, `` (3)`` before the extension. Nothing here runs a query per
document but the file reads themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import secrets
import shutil
import tempfile
import zipfile
import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.audit.services import audit_record, text_reference
from parting.cases.models import OffboardingCase
from parting.clients.models import Client
from parting.core.limits import NOTE, too_long
from parting.evidence.models import Invoice, Payment
from parting.firms.models import Membership
from parting.imports.columns import GENERIC
from parting.imports.export import _Cells
from parting.letters import fmt

from .handover import client_language, handover_pdfs
from .models import Bundle, Document
from .storage import document_storage

log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(hours=1)
CHUNK = 1024 * 1024
Status = Bundle.Status


# ---- who may -------------------------------------------------------------------------------------


def bundle_can_manage(*, user, client: Client, case: OffboardingCase | None) -> bool:
    """Owners and partners, and the case's members: who opened it and who looks after the client."""
    membership = Membership.active(user, client.firm_id)
    if membership is None:
        return False
    if membership.is_senior:
        return True
    members = {client.assigned_to_id}
    if case is not None:
        members.add(case.opened_by_id)
    return user.pk in members


def bundle_require_manager(user, client: Client, case: OffboardingCase | None) -> None:
    if not bundle_can_manage(user=user, client=client, case=case):
        raise PermissionDenied(_("Only owners, partners and the case's members can share the client's files."))


# ---- request, claim, build ---------------------------------------------------------------------


def documents_size(client: Client) -> int:
    return Document.objects.filter(firm_id=client.firm_id, client=client).aggregate(s=Sum("size"))["s"] or 0


def bundle_request(*, client: Client, case: OffboardingCase | None, by) -> Bundle:
    """Queue a new bundle of ``client``'s files; build it now when small (see the module's docstring)."""
    bundle_require_manager(by, client, case)
    if case is not None and case.client_id != client.pk:
        raise ValueError("bundle_request: the case is another client's")
    with transaction.atomic():
        bundle = _create(client=client, by=by, case=case)
        audit_record(
            firm=client.firm,
            actor=by,
            action="bundle.requested",
            target=f"client:{client.pk}",
            data={"bundle": bundle.pk},
        )
    return _build_if_small(client, bundle)


def _create(*, client: Client, by, **fields) -> Bundle:
    return Bundle.objects.create(
        firm_id=client.firm_id, client=client, lang=client_language(client), requested_by=by, **fields
    )


def _build_if_small(client: Client, bundle: Bundle) -> Bundle:
    if documents_size(client) <= settings.BUNDLE_INLINE_MAX_BYTES:
        bundle_build(bundle_id=bundle.pk)
        bundle.refresh_from_db()
    return bundle


# ---- a data-subject request: the client asks for their data, no case needed ---------------------


def client_purged(client: Client) -> bool:
    """Whether the client's personal data is already purged (only a tombstone is left to send)."""
    from parting.retention.models import Tombstone

    return Tombstone.objects.filter(client=client, personal_purged_at__isnull=False).exists()


def data_request(*, client: Client, by, requested_on: dt.date | None, how: str) -> Bundle:
    """The client asked for a copy of their data (GDPR Art. 15 and 20), with or without a case: the
    same bundle as at a handover, made for no case, recorded with the day they asked and how. Who may:
    owners, partners and the member who looks after the client (``bundle_can_manage`` with no case).
    Raises ``ValidationError`` naming the field (``requested_on``, ``how``) or none."""
    bundle_require_manager(by, client, None)
    how = (how or "").strip()
    errors: dict[str, str] = {}
    if client_purged(client):
        raise ValidationError(_("This client's data has been purged: there is nothing left to send them."))
    today = client.firm.today()
    if requested_on is None:
        errors["requested_on"] = _("Give the day the client asked.")
    elif requested_on > today:
        errors["requested_on"] = _("The request cannot have been received in the future.")
    if not how:
        errors["how"] = _("Say how the client asked (the request is recorded).")
    elif message := too_long(_("How the client asked"), how, NOTE):
        errors["how"] = message
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        bundle = _create(
            client=client, by=by, case=None, origin=Bundle.Origin.REQUEST, requested_on=requested_on, request_note=how
        )
        audit_record(
            firm=client.firm,
            actor=by,
            action="client.data_requested",
            target=f"client:{client.pk}",
            # How they asked may name them: the log keeps its hash, the bundle's row its words until the purge.
            data={
                "bundle": bundle.pk,
                "origin": "request",
                "requested_on": requested_on.isoformat(),
                "how": text_reference(how),
            },
        )
    return _build_if_small(client, bundle)


def bundle_claim(*, bundle_id: int) -> bool:
    """Queued → building, by a conditional UPDATE: True for exactly one caller."""
    return (
        Bundle.objects.filter(pk=bundle_id, status=Status.QUEUED).update(
            status=Status.BUILDING, claimed_at=timezone.now()
        )
        == 1
    )


def bundle_build(*, bundle_id: int) -> bool:
    """Claim and build the bundle; False when another caller has it (or it is not queued)."""
    if not bundle_claim(bundle_id=bundle_id):
        return False
    bundle = Bundle.objects.select_related("firm", "client", "client__firm", "case").get(pk=bundle_id)
    stored = ""
    try:
        with tempfile.TemporaryFile() as out:
            manifest = write_bundle(bundle, out)
            size = out.tell()
            out.seek(0)
            digest = hashlib.sha256()
            while chunk := out.read(CHUNK):
                digest.update(chunk)
            out.seek(0)
            name = f"{bundle.firm_id}/{bundle.client_id}/bundles/{secrets.token_hex(16)}.zip"
            stored = document_storage.save(name, File(out, name="bundle.zip"))
        now = timezone.now()
        updated = Bundle.objects.filter(pk=bundle.pk, status=Status.BUILDING).update(
            status=Status.READY,
            file=stored,
            size=size,
            sha256=digest.hexdigest(),
            manifest=manifest,
            built_at=now,
            error="",
            link_nonce=secrets.token_urlsafe(16),
            link_expires_at=now + dt.timedelta(days=settings.BUNDLE_LINK_DAYS),
            link_revoked_at=None,
        )
        if updated != 1:  # taken back as stale meanwhile: the other build's file is the one kept
            _remove(stored)
            return False
        audit_record(
            firm=bundle.firm,
            actor=None,
            action="bundle.built",
            target=f"client:{bundle.client_id}",
            data={"bundle": bundle.pk, "size": size, "sha256": digest.hexdigest(), "files": len(manifest["files"])},
        )
        return True
    except Exception as error:
        log.exception("Bundle %s could not be built", bundle.pk)
        if stored:
            _remove(stored)
        Bundle.objects.filter(pk=bundle.pk, status=Status.BUILDING).update(
            status=Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        return False


def _remove(name: str) -> None:
    try:
        document_storage.delete(name)
    except OSError:
        log.exception("A bundle's file could not be removed from storage: %s", name)


def run_queued_bundles(*, limit: int = 1) -> str:
    """The worker's pass: put back stale builds, then build up to ``limit`` queued bundles."""
    stale = Bundle.objects.filter(status=Status.BUILDING, claimed_at__lt=timezone.now() - STALE_AFTER).update(
        status=Status.QUEUED
    )
    built = 0
    for pk in (
        Bundle.objects.filter(status=Status.QUEUED).order_by("requested_at", "pk").values_list("pk", flat=True)[:limit]
    ):
        built += bundle_build(bundle_id=pk)
    return f"{built} bundles built, {stale} stale builds requeued"


# ---- the ZIP -----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, out, stamp: dt.datetime):
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.stamp = stamp.timetuple()[:6]
        self.files: list[dict] = []

    def add(self, path: str, chunks) -> None:
        info = zipfile.ZipInfo(path, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        digest, size = hashlib.sha256(), 0
        with self.zip.open(info, "w", force_zip64=True) as member:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                member.write(chunk)
        self.files.append({"path": path, "bytes": size, "sha256": digest.hexdigest()})


def _unique(path: str, taken: set[str]) -> str:
    if path not in taken:
        taken.add(path)
        return path
    folder, _slash, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    n = 2
    while True:
        candidate = f"{folder}/{stem} ({n}){'.' + ext if ext else ''}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        n += 1


def _read(name: str):
    with document_storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _csv(header, rows, cell) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return text.getvalue().encode("utf-8-sig")  # with the BOM, as the firm's export: for spreadsheets


def _email(client: Client) -> str:
    return (
        client.contacts.exclude(email="").order_by("-is_primary", "name").values_list("email", flat=True).first() or ""
    )


def invoices_csv(client: Client, cell) -> tuple[bytes, int]:
    """The client's invoices in ``GENERIC["invoices"]``'s columns, with what was paid and when."""
    email = _email(client)
    rows = [
        (client.name, email, *head, "", *tail)  # "": status, left to the importer (it reads the payments)
        for *head, requested, given, reminders, disputed, key in Invoice.objects.filter(
            firm_id=client.firm_id, client=client
        )
        .order_by("issued_on", "number")
        .values_list(
            "number",
            "issued_on",
            "due_on",
            "amount",
            "currency",
            "fx_rate",
            "amount_paid",
            "paid_on",
            "discount_requested",
            "discount_given",
            "reminders_sent",
            "disputed",
            "source_key",
        )
        for tail in [(requested, given, reminders, disputed, key)]
    ]
    return _csv(GENERIC["invoices"], rows, cell), len(rows)


def payments_csv(client: Client, cell) -> tuple[bytes, int]:
    email = _email(client)
    rows = [
        (client.name, email, reference or f"payment-{pk}", number, paid_on, amount, currency, method)
        for pk, reference, number, paid_on, amount, currency, method in Payment.objects.filter(
            firm_id=client.firm_id, client=client
        )
        .order_by("paid_on", "pk")
        .values_list("pk", "reference", "invoice__number", "paid_on", "amount", "invoice__currency", "method")
    ]
    return _csv(GENERIC["payments"], rows, cell), len(rows)


def readme_text(
    *, client: Client, lang: str, today: dt.date, documents: int, requested_on: dt.date | None = None
) -> str:
    """README.txt in the client's language: what the bundle holds and how to check it. For a data
    request (``requested_on``: the day the client asked) it says so, and why there is no briefing."""
    with translation.override(lang):
        if requested_on is None:
            head = [
                _("Your files from %(firm)s") % {"firm": client.firm.name},
                _("Prepared for %(client)s on %(date)s.") % {"client": client.name, "date": fmt.date(today, lang)},
            ]
        else:
            head = [
                _("A copy of your data held by %(firm)s") % {"firm": client.firm.name},
                _("Prepared for %(client)s on %(date)s, as you asked on %(asked)s.")
                % {"client": client.name, "date": fmt.date(today, lang), "asked": fmt.date(requested_on, lang)},
            ]
        lines = [
            *head,
            "",
            _("These files are yours to keep. This archive holds:"),
            "- "
            + ngettext(
                "documents/: your documents (%(n)d file), by category",
                "documents/: your documents (%(n)d files), by category",
                documents,
            )
            % {"n": documents},
            "- " + _("invoices.csv and payments.csv: the invoices we issued and the payments received"),
            "- " + _("services-delivered.pdf: a summary of the services we provided"),
        ]
        if requested_on is None:
            lines.append("- " + _("successor-briefing.pdf: a briefing for whoever takes the work over"))
        lines += [
            "- " + _("manifest.json: every file with its size and SHA-256 checksum"),
            "",
        ]
        if requested_on is not None:
            lines += [
                _(
                    "There is no briefing for a successor: it is written only when our work for you ends "
                    "and is handed over to someone else."
                ),
                "",
            ]
        lines.append(_("To check that nothing was changed, compare each file's SHA-256 checksum with manifest.json."))
    return "\r\n".join(lines) + "\r\n"


def write_bundle(bundle: Bundle, out) -> dict:
    """Write the bundle's ZIP into ``out``; returns the manifest (also written into the ZIP)."""
    zone = zoneinfo.ZoneInfo(bundle.client.firm.time_zone)
    now = timezone.now()
    writer = _Writer(out, now.astimezone(zone))
    try:
        return _write_members(writer, bundle, zone, now)
    finally:
        writer.zip.close()  # a failed build's archive is closed too, then thrown away


def _write_members(writer: _Writer, bundle: Bundle, zone, now: dt.datetime) -> dict:
    client, case, lang = bundle.client, bundle.case, bundle.lang
    # A data request belongs to no case: the services summary is the client's record all the same; the
    # successor briefing (the case's successor, its handover note) is left out, and the README says so.
    request = bundle.origin == Bundle.Origin.REQUEST
    taken: set[str] = set()
    documents = list(Document.objects.filter(firm_id=client.firm_id, client=client).order_by("category", "name", "pk"))
    for document in documents:
        path = _unique(f"documents/{document.category}/{document.name}", taken)
        writer.add(path, _read(document.file.name))
    cell = _Cells(zone)
    invoices, _n = invoices_csv(client, cell)
    writer.add("invoices.csv", [invoices])
    payments, _n = payments_csv(client, cell)
    writer.add("payments.csv", [payments])
    for name, data in handover_pdfs(
        client=client, case=None if request else case, lang=lang, briefing=not request
    ).items():
        writer.add(name, [data])
    readme = readme_text(
        client=client,
        lang=lang,
        today=client.firm.today(),
        documents=len(documents),
        requested_on=bundle.requested_on if request else None,
    )
    writer.add("README.txt", [readme.encode("utf-8")])
    manifest = {
        "format": "parting-handover",
        "version": 1,
        "client": client.name,
        "firm": client.firm.name,
        "language": lang,
        "created_at": now.astimezone(zone).isoformat(),
    }
    if request:
        manifest.update(purpose="data-request", requested_on=bundle.requested_on.isoformat())
    manifest["files"] = writer.files
    info = zipfile.ZipInfo("manifest.json", date_time=writer.stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    writer.zip.writestr(info, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode())
    return manifest


def bundle_copy_to(bundle: Bundle, out) -> None:
    """The stored ZIP, copied into ``out`` (tests, the command line)."""
    with document_storage.open(bundle.file.name, "rb") as handle:
        shutil.copyfileobj(handle, out)
