"""A firm's whole data as a ZIP of CSV files and a manifest (issue 10 §6: no lock-in).

``export_firm`` writes one CSV per kind of evidence in exactly the columns the generic readers take
(``columns.GENERIC``; clients.csv leaves its contact columns empty, contacts.csv has every contact
whole), so ``parting import archive FILE.zip`` into an empty firm gives the same
clients, evidence and scores; then CSVs of what belongs to the firm but is not imported back (client
terms, access grants, current work, offboarding cases with their reasons, reviews, plans, tasks and
letters, members, the audit log); then ``manifest.json``: the firm and its settings, the export's
time, Parting's version, and every file with its columns, row count, size and SHA-256.

Formats, the same in every file: UTF-8 with a byte-order mark (without it Excel takes the file for
the system's 8-bit code page and garbles every accented or Cyrillic name), a header row, ``,``
between cells and CRLF between rows (RFC 4180), dates ISO (2026-03-05), instants ISO 8601 with the firm's UTC offset
(2026-03-05T09:00:00+01:00), amounts with ``.`` and no thousands separator (1234.50, -200.00 for a
credit note or a refund), yes/no for flags, JSON for structured cells (a plan's overrides, a reason's
snapshot). Cells are written as they are: a spreadsheet may take one starting with ``=`` for a formula.

Every query is filtered by the firm, streams with ``.iterator()`` and takes what it needs with
``values_list`` (joins, never a query per client or per row); memory holds the firm's client names
and primary addresses, nothing per row of evidence.

Natural keys, so that importing the same export twice adds nothing: an invoice's number; a payment's
reference, else ``payment-<id>``; a meeting's calendar UID (+ RECURRENCE-ID), else ``meeting-<id>``;
a message's Message-ID, else ``message-<id>`` (``in_reply_to`` is its parent's key); a request's,
incident's or time entry's import id, else ``request-<id>``, ``incident-<id>``, ``time-<id>``.
A generated key that a row of the firm already holds as its own (an earlier export imported here)
gets a suffix. Rows without a key of their own get one only in the archive: importing an export
back into the firm it came from would add them again (docs/imports.md says so). Invoices leave ``amount_paid`` and ``paid_on`` empty: ``payments.csv`` lists every
payment, and the loader computes both from them, as Parting does (issue 10 §1).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import zipfile
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.db import connection, transaction
from django.utils import timezone

import parting
from parting.audit.models import AuditEntry
from parting.cases.models import (
    CasePlan,
    CaseReason,
    CaseReview,
    CaseTask,
    CaseTransition,
    InvoiceWriteOff,
    OffboardingCase,
    PlanChange,
    ReferralProvider,
)
from parting.clients.models import AccessGrant, Client, Contact, Credential, Engagement
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.firms.models import Membership, Policy, Service, WorkingDay
from parting.letters.models import LetterSending, LetterVersion

from .columns import GENERIC
from .loader import EXPORT_PREFIX
from .text import guarded

FORMAT = "parting-export"
FORMAT_VERSION = 1
CHUNK = 2000
IMPORTED_BACK = ("clients", "contacts", "invoices", "payments", "meetings", "messages", "requests", "incidents", "time")
"""The files ``parting import archive`` reads (services.ARCHIVE_ORDER), named ``<kind>.csv``."""


# ---- cells -----------------------------------------------------------------------------------------


class _Cells:
    """One value as a CSV cell, in the formats the module's docstring lists."""

    def __init__(self, zone: dt.tzinfo):
        self.zone = zone

    def __call__(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dt.datetime):
            if timezone.is_naive(value):
                value = value.replace(tzinfo=dt.UTC)
            return value.astimezone(self.zone).isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        # a client's name or a message's subject is theirs to write: "=HYPERLINK(…)" must not run in
        # the spreadsheet the owner opens the export in (the importers take the apostrophe off)
        return guarded(str(value))


class _Hashing(io.RawIOBase):
    """What is written into one member of the ZIP, counted and hashed on the way."""

    def __init__(self, raw):
        super().__init__()
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.sha256.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(data)


def _digest(data: bytes) -> dict:
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


class _Archive:
    """The ZIP being written and what the manifest says of each file."""

    def __init__(self, out: BinaryIO, zone: dt.tzinfo):
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.cell = _Cells(zone)
        self.files: dict[str, dict] = {}

    def table(self, name: str, header: Iterable[str], rows: Iterable[Iterable], *, imported: bool = False) -> None:
        header = list(header)
        count = 0
        info = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with self.zip.open(info, "w", force_zip64=True) as raw:
            member = _Hashing(raw)
            text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")  # the BOM: for spreadsheets
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(header)
            cell = self.cell
            for row in rows:
                writer.writerow([cell(value) for value in row])
                count += 1
            text.flush()
            text.detach()
        self.files[name] = {
            "rows": count,
            "bytes": member.size,
            "sha256": member.sha256.hexdigest(),
            "columns": header,
            "imported_back": imported,
        }

    def close(self, manifest: dict) -> None:
        data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
        info = zipfile.ZipInfo("manifest.json", date_time=timezone.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, data)
        self.zip.close()


# ---- keys ------------------------------------------------------------------------------------------


class _Keys:
    """A row's natural key: its own (``own``), else ``<prefix>-<id>``, never one another row of the firm
    holds as its own (then ``<prefix>-<id>.2``, ``.3`` …)."""

    def __init__(self, model, firm, field: str, prefix: str):
        self.prefix = prefix
        self.taken = set(
            model.objects.filter(firm=firm, **{f"{field}__startswith": f"{prefix}-"}).values_list(field, flat=True)
        )

    def __call__(self, pk: int | None, own: str) -> str:
        if own:
            return own
        if pk is None:
            return ""
        key = f"{self.prefix}-{pk}"
        n = 1
        while key in self.taken:
            n += 1
            key = f"{self.prefix}-{pk}.{n}"
        return key


def _stream(queryset, *fields: str) -> Iterator[tuple]:
    return queryset.values_list(*fields).iterator(chunk_size=CHUNK)


def _joined(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


# ---- the export ------------------------------------------------------------------------------------


def export_firm(firm, out: BinaryIO | str | os.PathLike, *, by=None) -> dict:
    """Write everything ``firm`` holds to ``out`` as a ZIP and return its manifest (issue 10 §6).

    ``out`` is a writable binary stream (it need not be seekable: a web response works) or a path;
    a path is written through a temporary file beside it and renamed when complete, so a failed
    export leaves no half-written archive. ``parting export`` calls this, and so does the owners'
    Import/export page (``export_firm(firm, stream)``, with ``by`` the user who asked). ``by``, when
    given, is recorded in the firm's audit log with the counts and the archive's manifest digest.

    The files and their columns are in docs/imports.md ("Export"); the module's docstring says the
    formats and keys. Nothing another firm holds is read: every query is filtered by ``firm``.
    """
    if isinstance(out, (str, os.PathLike)):
        path = Path(out)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
        try:
            with os.fdopen(handle, "wb") as stream:
                manifest = export_firm(firm, stream, by=by)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return manifest

    zone = zoneinfo.ZoneInfo(firm.time_zone)
    archive = _Archive(out, zone)
    with _snapshot():
        exported_at = timezone.now()
        _evidence(archive, firm)
        _belongings(archive, firm)
        manifest = _manifest(firm, exported_at.astimezone(zone), archive.files)
    archive.close(manifest)
    if by is not None:
        from parting.audit.services import audit_record

        with transaction.atomic():
            audit_record(
                firm=firm,
                actor=by,
                action="export.done",
                target="export",
                data={
                    "rows": {name: f["rows"] for name, f in archive.files.items()},
                    "manifest_sha256": hashlib.sha256(
                        json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode()
                    ).hexdigest(),
                },
            )
    return manifest


class _snapshot:
    """On PostgreSQL, every file read from one snapshot (a REPEATABLE READ, READ ONLY transaction).
    On SQLite a transaction would take the write lock (IMMEDIATE) for the whole export, so each
    query reads the committed state when it runs."""

    def __enter__(self):
        self.atomic = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return self

    def __exit__(self, *exc):
        if self.atomic is not None:
            return self.atomic.__exit__(*exc)
        return False


def _manifest(firm, exported_at: dt.datetime, files: dict[str, dict]) -> dict:
    policy = (
        Policy.objects.filter(firm=firm)
        .values(
            "window_months",
            "signs",
            "dealbreakers",
            "talk_below",
            "part_below",
            "case_approvals",
            "cooling_off_hours",
            "notice_days",
            "notice_business_days",
            "retention_days",
            "accounting_retention_years",
        )
        .first()
    )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "parting_version": parting.__version__,
        "exported_at": exported_at.isoformat(),
        "firm": {
            "name": firm.name,
            "slug": firm.slug,
            "currency": firm.currency,
            "time_zone": firm.time_zone,
            "target_hourly_rate": format(firm.target_hourly_rate, "f"),
            "email": firm.email,
            "letterhead": firm.letterhead,
            "paper": firm.paper,
            "services": list(Service.objects.filter(firm=firm).order_by("name").values_list("name", flat=True)),
            "focus_services": list(
                firm.focus_services.filter(firm=firm).order_by("name").values_list("name", flat=True)
            ),
            "working_hours": [
                {"weekday": weekday, "starts": starts.strftime("%H:%M"), "ends": ends.strftime("%H:%M")}
                for weekday, starts, ends in WorkingDay.objects.filter(firm=firm)
                .order_by("weekday")
                .values_list("weekday", "starts", "ends")
            ],
            "policy": policy,
        },
        "files": files,
    }


# ---- what imports back -----------------------------------------------------------------------------


def _evidence(archive: _Archive, firm) -> None:
    names = dict(Client.objects.filter(firm=firm).values_list("id", "name"))
    primary: dict[int, str] = {}
    for client_id, email in (
        Contact.objects.filter(client__firm=firm)
        .exclude(email="")
        .order_by("client_id", "-is_primary", "name", "id")
        .values_list("client_id", "email")
        .iterator(chunk_size=CHUNK)
    ):
        primary.setdefault(client_id, email.lower())

    def who(client_id: int) -> tuple[str, str]:
        return names.get(client_id, ""), primary.get(client_id, "")

    archive.table("clients.csv", GENERIC["clients"], _clients(firm), imported=True)
    archive.table("contacts.csv", GENERIC["contacts"], _contacts(firm), imported=True)

    invoices = (
        (
            *who(client_id),
            number,
            issued_on,
            due_on,
            amount,
            currency,
            fx_rate,
            None,  # amount_paid: from payments.csv
            None,  # paid_on: likewise
            "",  # status
            discount_requested,
            discount_given,
            reminders_sent,
            disputed,
            source_key,  # the invoice's id in the export it came from (Stripe's in_…), for payments naming it
        )
        for (
            client_id,
            number,
            issued_on,
            due_on,
            amount,
            currency,
            fx_rate,
            discount_requested,
            discount_given,
            reminders_sent,
            disputed,
            source_key,
        ) in _stream(
            Invoice.objects.filter(firm=firm).order_by("issued_on", "number"),
            "client_id",
            "number",
            "issued_on",
            "due_on",
            "amount",
            "currency",
            "fx_rate",
            "discount_requested",
            "discount_given",
            "reminders_sent",
            "disputed",
            "source_key",
        )
    )
    archive.table("invoices.csv", GENERIC["invoices"], invoices, imported=True)

    payment_key = _Keys(Payment, firm, "reference", EXPORT_PREFIX[Payment])
    payments = (
        (*who(client_id), payment_key(pk, reference), number, paid_on, amount, currency, method)
        for client_id, pk, reference, number, paid_on, amount, currency, method in _stream(
            Payment.objects.filter(firm=firm).order_by("paid_on", "pk"),
            "invoice__client_id",
            "pk",
            "reference",
            "invoice__number",
            "paid_on",
            "amount",
            "invoice__currency",
            "method",
        )
    )
    archive.table("payments.csv", GENERIC["payments"], payments, imported=True)

    meeting_key = _Keys(Meeting, firm, "source_key", EXPORT_PREFIX[Meeting])
    meetings = (
        (*who(client_id), meeting_key(pk, own), starts_at, ends_at, status, cancelled_at, minutes_late, subject)
        for client_id, pk, own, starts_at, ends_at, status, cancelled_at, minutes_late, subject in _stream(
            Meeting.objects.filter(firm=firm).order_by("starts_at", "pk"),
            "client_id",
            "pk",
            "source_key",
            "starts_at",
            "ends_at",
            "status",
            "cancelled_at",
            "minutes_late",
            "subject",
        )
    )
    archive.table("meetings.csv", GENERIC["meetings"], meetings, imported=True)

    message_key = _Keys(Message, firm, "source_key", EXPORT_PREFIX[Message])
    messages = (
        (
            *who(client_id),
            message_key(pk, own),
            sent_at,
            channel,
            direction,
            to_senior,
            negative,
            message_key(parent, parent_own) if parent else "",
            summary,
        )
        for (
            client_id,
            pk,
            own,
            sent_at,
            channel,
            direction,
            to_senior,
            negative,
            parent,
            parent_own,
            summary,
        ) in _stream(
            Message.objects.filter(firm=firm).order_by("sent_at", "pk"),
            "client_id",
            "pk",
            "source_key",
            "sent_at",
            "channel",
            "direction",
            "to_senior",
            "negative",
            "in_reply_to_id",
            "in_reply_to__source_key",
            "summary",
        )
    )
    archive.table("messages.csv", GENERIC["messages"], messages, imported=True)

    request_key = _Keys(ClientRequest, firm, "source_key", EXPORT_PREFIX[ClientRequest])
    requests = (
        (*who(client_id), request_key(pk, own), description, requested_on, due_on, received_on)
        for client_id, pk, own, description, requested_on, due_on, received_on in _stream(
            ClientRequest.objects.filter(firm=firm).order_by("requested_on", "pk"),
            "client_id",
            "pk",
            "source_key",
            "description",
            "requested_on",
            "due_on",
            "received_on",
        )
    )
    archive.table("requests.csv", GENERIC["requests"], requests, imported=True)

    incident_key = _Keys(Incident, firm, "source_key", EXPORT_PREFIX[Incident])
    incidents = (
        (*who(client_id), incident_key(pk, own), kind, occurred_on, hours_lost, note)
        for client_id, pk, own, kind, occurred_on, hours_lost, note in _stream(
            Incident.objects.filter(firm=firm).order_by("occurred_on", "pk"),
            "client_id",
            "pk",
            "source_key",
            "kind",
            "occurred_on",
            "hours_lost",
            "note",
        )
    )
    archive.table("incidents.csv", GENERIC["incidents"], incidents, imported=True)

    time_key = _Keys(TimeEntry, firm, "source_key", EXPORT_PREFIX[TimeEntry])
    entries = (
        (*who(client_id), time_key(pk, own), date, hours, billable, email or username or "", "", note)
        for client_id, pk, own, date, hours, billable, email, username, note in _stream(
            TimeEntry.objects.filter(firm=firm).order_by("date", "pk"),
            "client_id",
            "pk",
            "source_key",
            "date",
            "hours",
            "billable",
            "person__email",
            "person__username",
            "note",
        )
    )
    archive.table("time.csv", GENERIC["time"], entries, imported=True)


def _clients(firm) -> Iterator[tuple]:
    """clients.csv. Its contact columns (``email``, ``contact``, ``phone``) are left empty: contacts.csv
    lists every contact whole, and the loader adds a contact once, from the first record that names
    its address — a contact made from clients.csv would come back without its form of address, its
    title, and (for all but the first) its name. ``language`` is the primary contact's."""
    languages: dict[int, str] = {}
    for client_id, language in _stream(
        Contact.objects.filter(client__firm=firm).order_by("client_id", "-is_primary", "name", "id"),
        "client_id",
        "language",
    ):
        languages.setdefault(client_id, language)
    services: dict[int, list[str]] = defaultdict(list)
    for client_id, name in _stream(
        Client.services.through.objects.filter(client__firm=firm).order_by("client_id", "service__name"),
        "client_id",
        "service__name",
    ):
        services[client_id].append(name)
    for client_id, name, status, domains, referral_source, referred_by, started_on, notes, email, user in _stream(
        Client.objects.filter(firm=firm).order_by("name", "id"),
        "id",
        "name",
        "status",
        "email_domains",
        "referral_source",
        "referred_by__name",
        "started_on",
        "notes",
        "assigned_to__email",
        "assigned_to__username",
    ):
        yield (
            name,
            status,
            "",  # email: see contacts.csv
            "",  # contact
            "",  # phone
            languages.get(client_id, ""),
            _joined(domains.split()),
            _joined(services.get(client_id, ())),
            referral_source,
            referred_by,
            started_on,
            notes,
            email or user or "",  # assigned_to: who looks after the client (W3 reads it)
        )


def _contacts(firm) -> Iterator[tuple]:
    return _stream(
        Contact.objects.filter(client__firm=firm).order_by("client__name", "-is_primary", "name", "id"),
        "client__name",
        "name",
        "email",
        "phone",
        "language",
        "form_of_address",
        "honorific",
        "is_primary",
    )


# ---- what belongs to the firm but is not imported back ---------------------------------------------

Spec = tuple[str, Callable[[object], object], tuple[tuple[str, str], ...]]


def _belongings(archive: _Archive, firm) -> None:
    """Every other table of the firm, column by column: (file, its rows of the firm, (header, field)…)."""
    case = ("case", "case_id")
    case_client = ("client", "case__client__name")
    specs: tuple[Spec, ...] = (
        (
            "client_terms.csv",
            lambda f: Client.objects.filter(firm=f).order_by("name", "id"),
            (
                ("client", "name"),
                ("number", "number"),
                ("country", "country"),
                ("assigned_to", "assigned_to__username"),
                ("contract_start", "contract_start"),
                ("contract_end", "contract_end"),
                ("notice_days", "notice_days"),
                ("payment_terms_days", "payment_terms_days"),
                ("prepaid_amount", "prepaid_amount"),
                ("holds_stake", "holds_stake"),
                ("import_id", "source_key"),
                ("created_at", "created_at"),
            ),
        ),
        (
            "contact_names.csv",
            lambda f: Contact.objects.filter(client__firm=f).order_by("client__name", "-is_primary", "name", "id"),
            (
                ("client", "client__name"),
                ("name", "name"),
                ("email", "email"),
                ("name_latin", "name_latin"),
                ("name_cyrillic", "name_cyrillic"),
                ("name_hebrew", "name_hebrew"),
            ),
        ),
        (
            "access_grants.csv",
            lambda f: AccessGrant.objects.filter(client__firm=f).order_by("client__name", "name", "id"),
            (
                ("client", "client__name"),
                ("system", "name"),
                ("kind", "kind"),
                ("level", "level"),
                ("granted_on", "granted_on"),
                ("revoked_on", "revoked_on"),
                ("notes", "notes"),
                ("client_names", "client_names"),
            ),
        ),
        (
            "engagements.csv",
            lambda f: Engagement.objects.filter(client__firm=f).order_by("client__name", "due_on", "id"),
            (
                ("client", "client__name"),
                ("work", "name"),
                ("service", "service__name"),
                ("due_on", "due_on"),
                ("completed_on", "completed_on"),
                ("client_names", "client_names"),
            ),
        ),
        (
            "credentials.csv",
            lambda f: Credential.objects.filter(client__firm=f).order_by("client__name", "name", "id"),
            (
                ("client", "client__name"),
                ("login", "name"),
                ("handed_back_on", "handed_back_on"),
                ("notes", "notes"),
                ("client_names", "client_names"),
            ),
        ),
        (
            "cases.csv",
            lambda f: OffboardingCase.objects.filter(firm=f).order_by("created_at", "id"),
            (
                ("case", "id"),
                ("client", "client__name"),
                ("state", "state"),
                ("outward_reason", "outward_reason"),
                ("attitude", "attitude"),
                ("outcome", "outcome"),
                ("advice_at_open", "advice_at_open"),
                ("against_advice", "against_advice"),
                ("opened_by", "opened_by__username"),
                ("created_at", "created_at"),
                ("submitted_at", "submitted_at"),
                ("expectations_managed_on", "expectations_managed_on"),
                ("expectations_note", "expectations_note"),
                ("confirmed_not_one_incident", "confirmed_not_one_incident"),
                ("notified_on", "notified_on"),
                ("plan_told", "plan_told"),
                ("ended_on", "ended_on"),
                ("closed_at", "closed_at"),
            ),
        ),
        (
            "case_reasons.csv",
            lambda f: CaseReason.objects.filter(case__firm=f).order_by("case_id", "added_at", "id"),
            (
                case,
                case_client,
                ("sign", "sign_id"),
                ("text", "text"),
                ("snapshot", "snapshot"),
                ("added_by", "added_by__username"),
                ("added_at", "added_at"),
            ),
        ),
        (
            "case_reviews.csv",
            lambda f: CaseReview.objects.filter(case__firm=f).order_by("case_id", "at", "id"),
            (
                case,
                case_client,
                ("reviewer", "reviewer__username"),
                ("decision", "decision"),
                ("comment", "comment"),
                ("at", "at"),
            ),
        ),
        (
            "case_transitions.csv",
            lambda f: CaseTransition.objects.filter(case__firm=f).order_by("case_id", "at", "id"),
            (
                case,
                case_client,
                ("from_state", "from_state"),
                ("to_state", "to_state"),
                ("by", "by__username"),
                ("note", "note"),
                ("at", "at"),
            ),
        ),
        (
            "case_plans.csv",
            lambda f: CasePlan.objects.filter(case__firm=f).order_by("case_id"),
            (
                case,
                case_client,
                ("notice_date", "notice_date"),
                ("fixed_term", "fixed_term"),
                ("work_done_percent", "work_done_percent"),
                ("refund_kind", "refund_kind"),
                ("support_days", "support_days"),
                ("support_fee", "support_fee"),
                ("successor_name", "successor_name"),
                ("successor_contact", "successor_contact"),
                ("handover_note", "handover_note"),
                ("overrides", "overrides"),
            ),
        ),
        (
            "plan_changes.csv",
            lambda f: PlanChange.objects.filter(case__firm=f).order_by("case_id", "at", "id"),
            (
                case,
                case_client,
                ("field", "field"),
                ("computed", "computed"),
                ("value", "value"),
                ("reason", "reason"),
                ("by", "by__username"),
                ("at", "at"),
            ),
        ),
        (
            "write_offs.csv",
            lambda f: InvoiceWriteOff.objects.filter(case__firm=f).order_by("case_id", "at", "id"),
            (
                case,
                case_client,
                ("invoice_number", "invoice__number"),
                ("reason", "reason"),
                ("by", "by__username"),
                ("at", "at"),
            ),
        ),
        (
            "case_tasks.csv",
            lambda f: CaseTask.objects.filter(case__firm=f).order_by("case_id", "order", "due_on", "id"),
            (
                case,
                case_client,
                ("kind", "kind"),
                ("key", "key"),
                ("params", "params"),
                ("required", "required"),
                ("owner", "owner__username"),
                ("anchor", "anchor"),
                ("offset_days", "offset_days"),
                ("due_on", "due_on"),
                ("status", "status"),
                ("notes", "notes"),
                ("done_on", "done_on"),
                ("order", "order"),
            ),
        ),
        (
            "letters.csv",
            lambda f: LetterVersion.objects.filter(letter__case__firm=f).order_by(
                "letter__case_id", "letter__lang", "number"
            ),
            (
                ("case", "letter__case_id"),
                ("client", "letter__case__client__name"),
                ("language", "letter__lang"),
                ("after_call", "letter__after_call"),
                ("version", "number"),
                ("source", "source"),
                ("subject", "subject"),
                ("text", "body"),
                ("facts", "facts"),
                ("by", "by__username"),
                ("at", "at"),
            ),
        ),
        (
            "letter_sendings.csv",
            lambda f: LetterSending.objects.filter(letter__case__firm=f).order_by("at", "id"),
            (
                ("case", "letter__case_id"),
                ("client", "letter__case__client__name"),
                ("language", "letter__lang"),
                ("version", "version__number"),
                ("to", "to"),
                ("message_id", "message_id"),
                ("status", "status"),
                ("error", "error"),
                ("findings", "findings"),
                ("override_reason", "override_reason"),
                ("by", "by__username"),
                ("at", "at"),
            ),
        ),
        (
            "referral_providers.csv",
            lambda f: ReferralProvider.objects.filter(firm=f).order_by("name", "id"),
            (
                ("name", "name"),
                ("languages", "languages"),
                ("countries", "countries"),
                ("region", "region"),
                ("contact", "contact"),
                ("notes", "notes"),
            ),
        ),
        (
            "members.csv",
            lambda f: Membership.objects.filter(firm=f).order_by("user__username"),
            (
                ("username", "user__username"),
                ("first_name", "user__first_name"),
                ("last_name", "user__last_name"),
                ("email", "user__email"),
                ("role", "role"),
                ("language", "language"),
            ),
        ),
        (
            "audit_log.csv",
            lambda f: AuditEntry.objects.filter(firm=f).order_by("id"),
            (
                ("at", "at"),
                ("actor", "actor__username"),
                ("action", "action"),
                ("target", "target"),
                ("data", "data"),
                ("previous_hash", "previous_hash"),
                ("hash", "hash"),
            ),
        ),
    )
    for name, rows_of, columns in specs:
        fields = [field for _header, field in columns]
        archive.table(name, [header for header, _field in columns], _stream(rows_of(firm), *fields))
    # A provider offers several services: one row per provider and service.
    archive.table("referral_provider_services.csv", ("provider", "service"), _provider_services(firm))


def _provider_services(firm) -> Iterator[tuple]:
    return _stream(
        ReferralProvider.services.through.objects.filter(referralprovider__firm=firm).order_by(
            "referralprovider__name", "service__name"
        ),
        "referralprovider__name",
        "service__name",
    )
