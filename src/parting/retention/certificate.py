"""The deletion certificate (issue 13 §4; O5): a PDF in the client's language saying what was deleted
and when, what is kept until when and why, with the SHA-256 of its content.

It is made only of the tombstone's facts — the reference, the dates, the counts — never of the
client's name, so it can be rendered again after the purge, byte for byte: Typst gets the data as
JSON through ``sys.inputs`` (nothing spliced into markup) and the time of issue as its timestamp. The
hash is recorded on the tombstone and in the audit log (``retention.certificate``); a download renders
the same PDF, whose hash anyone can compare with the log.

The SHA-256 printed on the page is that of the certificate's *content* (the JSON facts it shows), since
a PDF cannot contain its own hash; the audit entry records both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import zoneinfo
from functools import cache
from pathlib import Path

import typst
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parting.audit.services import audit_record

from .models import PurgeSchedule, Tombstone

TEMPLATES = Path(__file__).parent / "templates" / "retention"
RTL = {"he"}
_lock = threading.Lock()

WHAT = {
    # Translators: kinds of records counted on a deletion certificate.
    "contacts": gettext_lazy("Contacts (names, e-mail addresses, phone numbers)"),
    "access_grants": gettext_lazy("Access to your systems we recorded"),
    "current_work": gettext_lazy("Work in progress"),
    "logins": gettext_lazy("Logins we kept for you (names only)"),
    "meetings": gettext_lazy("Meetings"),
    "messages": gettext_lazy("Messages"),
    "requests": gettext_lazy("Requests to you"),
    "incidents": gettext_lazy("Notes on incidents"),
    "time_entries": gettext_lazy("Time entries"),
    "time_entry_notes": gettext_lazy("Descriptions of time entries"),
    "scores": gettext_lazy("Internal assessments"),
    "import_aliases": gettext_lazy("Names in imported files"),
    "letters_sent": gettext_lazy("Letters sent"),
    "letter_versions": gettext_lazy("Letter versions"),
    "letters": gettext_lazy("Letters"),
    "case_tasks": gettext_lazy("Offboarding checklist tasks"),
    "case_reasons": gettext_lazy("Notes on the decision"),
    "cases_purged": gettext_lazy("Offboarding records"),
    "import_logs_redacted": gettext_lazy("Import logs (your name removed)"),
    "documents": gettext_lazy("Documents and their files"),
    "bundles": gettext_lazy("Handover bundles"),
    "invoices": gettext_lazy("Invoices"),
    "payments": gettext_lazy("Payments"),
}


def _what(key: str) -> str:
    return str(WHAT[key]) if key in WHAT else key


@cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(str(TEMPLATES / "certificate.typ"), root=str(TEMPLATES), ignore_system_fonts=True)


def certificate_data(tombstone: Tombstone) -> dict:
    """The certificate's facts, in the tombstone's language: plain strings, ready for the template."""
    firm = tombstone.firm
    zone = zoneinfo.ZoneInfo(firm.time_zone)
    lang = tombstone.lang if tombstone.lang else "en"
    order = list(PurgeSchedule.Category.values)  # personal data, provided, work, accounting
    rows = sorted(PurgeSchedule.objects.filter(client_id=tombstone.client_id), key=lambda r: order.index(r.category))
    with translation.override(lang):

        def day(value: dt.date | dt.datetime) -> str:
            if isinstance(value, dt.datetime):
                value = value.astimezone(zone).date()
            return date_format(value, "DATE_FORMAT")

        deleted, kept = [], []
        for row in rows:
            label = str(PurgeSchedule.Category(row.category).label)
            if row.state == PurgeSchedule.State.PURGED:
                items = [f"{_what(k)}: {n}" for k, n in sorted(row.counts.items())] or [
                    _("We held nothing of this kind.")
                ]
                deleted.append({"title": f"{label} — {day(row.purged_at)}", "items": items})
            elif row.category == PurgeSchedule.Category.ACCOUNTING:
                kept.append(
                    {
                        "title": label,
                        "text": _(
                            "Kept until %(day)s because accounting law requires us to keep invoices, payments "
                            "and accounting documents for %(years)s after the end of the year; deleted the next day."
                        )
                        % {"day": day(row.due_on - dt.timedelta(days=1)), "years": _years(firm)},
                    }
                )
            else:
                kept.append(
                    {
                        "title": label,
                        "text": _("To be deleted on %(day)s.") % {"day": day(row.due_on)},
                    }
                )
        issued = tombstone.certificate_at or tombstone.personal_purged_at or tombstone.accounting_purged_at
        data = {
            "lang": lang,
            "dir": "rtl" if lang in RTL else "ltr",
            "firm": firm.name,
            "title": _("Certificate of deletion"),
            "reference_label": _("Reference"),
            "reference": tombstone.reference,
            "issued_label": _("Issued on"),
            "issued": day(issued) if issued else "",
            "intro": _(
                "We have deleted all copies of your records that we held, as we told you we would, except the "
                "accounting records the law requires us to keep. This certificate lists what was deleted and when, "
                "and what is kept, until when and why."
            ),
            "deleted_title": _("Deleted"),
            "deleted": deleted,
            "kept_title": _("Kept"),
            "kept": kept,
            "nothing_kept": _("Nothing is kept."),
            "hash_label": _("SHA-256 of this certificate's content"),
        }
    data["content_sha256"] = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return data


def _years(firm) -> str:
    from django.utils.translation import ngettext

    from parting.signs.policy import policy_for

    years = policy_for(firm).accounting_retention_years
    return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}


def certificate_pdf(tombstone: Tombstone) -> bytes:
    """Render the certificate; the same tombstone gives the same bytes."""
    data = certificate_data(tombstone)
    when = tombstone.certificate_at or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    with _lock:
        return _compiler().compile(
            sys_inputs={"certificate": json.dumps(data, ensure_ascii=False)},
            timestamp=when.astimezone(dt.UTC).replace(microsecond=0),
        )


def certificate_issue(tombstone: Tombstone, *, at: dt.datetime) -> str:
    """Issue the certificate after a purge: render it, keep its hash on the tombstone and in the audit log."""
    tombstone.certificate_at = at.replace(microsecond=0)
    pdf = certificate_pdf(tombstone)
    digest = hashlib.sha256(pdf).hexdigest()
    tombstone.certificate_sha256 = digest
    Tombstone.objects.filter(pk=tombstone.pk).update(certificate_at=tombstone.certificate_at, certificate_sha256=digest)
    audit_record(
        firm=tombstone.firm,
        actor=None,
        action="retention.certificate",
        target=f"client:{tombstone.client_id}",
        data={
            "ref": tombstone.reference,
            "sha256": digest,
            "content_sha256": certificate_data(tombstone)["content_sha256"],
            "lang": tombstone.lang,
        },
    )
    return digest
