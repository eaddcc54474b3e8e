"""The two handover documents, in the client's language (issue 13 §2): the services-delivered summary
(O3: which services over which period, the hours, invoices issued and paid, the work handed over) and
the successor briefing (O7: what is in progress, the deadlines, where things are, the handover note).

Each is first a plain dict of text (``summary_content``, ``briefing_content``: headings, lines, table
rows, every word already in the client's language) and then a PDF through Typst, the dict passed as
JSON through ``sys.inputs`` exactly as letters are (``letters/pdf.py``): a client named
``#set page(...)`` prints as written. Dates and amounts are written by CLDR (Babel) for the language;
the interface's words go through gettext under ``translation.override``. A high-level list only: never
instructions for how the work is done (O3).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import typst
from django.db.models import Max, Min, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.cases.models import OffboardingCase
from parting.cases.plan import plan_compute, plan_get
from parting.clients.models import AccessGrant, Client, Credential, Engagement
from parting.evidence.models import ClientRequest, Invoice, TimeEntry
from parting.letters import fmt
from parting.letters.phrases import LANGUAGES, RTL

from .models import Document

TEMPLATES = Path(__file__).parent / "templates" / "documents"
_lock = threading.Lock()


def client_language(client: Client) -> str:
    """The client's language: the primary contact's, else English (as the letter's)."""
    contact = client.contacts.order_by("-is_primary", "name").first()
    return contact.language if contact and contact.language in LANGUAGES else "en"


@cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(str(TEMPLATES / "handover.typ"), root=str(TEMPLATES), ignore_system_fonts=True)


def render_handover_pdf(content: dict, *, when: dt.datetime | None = None) -> bytes:
    """``content`` (plain values) as PDF bytes."""
    payload = json.dumps(content, ensure_ascii=False)
    with _lock:
        return _compiler().compile(
            sys_inputs={"document": payload}, timestamp=when or timezone.now().astimezone(dt.UTC).replace(microsecond=0)
        )


def _base(client: Client, lang: str, title: str, subtitle: list[str]) -> dict:
    return {
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "paper": client.firm.paper,
        "firm": client.firm.name,
        "title": title,
        "subtitle": subtitle,
        "sections": [],
    }


def _section(heading: str, kind: str, lines=(), *, header=(), rows=()) -> dict:
    return {
        "heading": heading,
        "kind": kind,
        "lines": list(lines),
        "header": list(header),
        "rows": [list(r) for r in rows],
    }


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _period(client: Client, case: OffboardingCase | None, end: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    time = TimeEntry.objects.filter(firm_id=client.firm_id, client=client).aggregate(
        first=Min("date"), last=Max("date")
    )
    start = client.started_on or client.contract_start or time["first"]
    return start, end or time["last"]


def _open_work(client: Client) -> list[Engagement]:
    return list(Engagement.objects.filter(client=client, completed_on__isnull=True).order_by("due_on", "name"))


def summary_content(*, client: Client, case: OffboardingCase | None, lang: str, today: dt.date) -> dict:
    """O3: the services-delivered summary as text in ``lang``."""
    plan = plan_compute(case) if case is not None else None
    end = plan.end_date.value if plan else None
    with translation.override(lang):
        start, until = _period(client, case, end)
        period = ""
        if start and until:
            period = _("From %(start)s to %(end)s") % {"start": fmt.date(start, lang), "end": fmt.date(until, lang)}
        content = _base(
            client,
            lang,
            _("Services delivered to %(client)s") % {"client": client.name},
            [line for line in (period, _("Written on %(date)s") % {"date": fmt.date(today, lang)}) if line],
        )
        services = list(client.services.order_by("name").values_list("name", flat=True))
        content["sections"].append(
            _section(_("Services provided"), "list", services or [_("No services are on record.")])
        )
        hours = TimeEntry.objects.filter(firm_id=client.firm_id, client=client).aggregate(h=Sum("hours"))["h"]
        content["sections"].append(
            _section(
                _("Hours delivered"),
                "text",
                [_("Hours of work on record: %(hours)s") % {"hours": _hours(hours or Decimal(0))}],
            )
        )
        totals: dict[str, dict[str, Decimal | int]] = defaultdict(
            lambda: {"count": 0, "issued": Decimal(0), "paid": Decimal(0)}
        )
        for currency, amount, paid in Invoice.objects.filter(firm_id=client.firm_id, client=client).values_list(
            "currency", "amount", "amount_paid"
        ):
            totals[currency]["count"] += 1
            totals[currency]["issued"] += amount
            totals[currency]["paid"] += paid
        rows = [
            (
                str(value["count"]),
                fmt.money(value["issued"], currency, lang),
                fmt.money(value["paid"], currency, lang),
                fmt.money(value["issued"] - value["paid"], currency, lang),
            )
            for currency, value in sorted(totals.items())
        ]
        if rows:
            content["sections"].append(
                _section(
                    _("Invoices"),
                    "table",
                    header=(_("Invoices issued"), _("Total invoiced"), _("Total paid"), _("Still open")),
                    rows=rows,
                )
            )
        else:
            content["sections"].append(_section(_("Invoices"), "text", [_("No invoices were issued.")]))
        work = [
            _("%(work)s (due %(date)s)") % {"work": item.name, "date": fmt.date(item.due_on, lang)}
            for item in _open_work(client)
        ]
        content["sections"].append(
            _section(
                _("Current work handed over") if case is not None else _("Work in progress"),
                "list" if work else "text",
                work or [_("No work is in progress.")],
            )
        )
    return content


def briefing_content(*, client: Client, case: OffboardingCase | None, lang: str, today: dt.date) -> dict:
    """O7: the successor briefing as text in ``lang``: in progress, deadlines, where things are, the note."""
    inputs = plan_get(case) if case is not None else None
    with translation.override(lang):
        subtitle = [_("Written on %(date)s") % {"date": fmt.date(today, lang)}]
        if inputs and inputs.successor_name:
            successor = inputs.successor_name
            if inputs.successor_contact:
                successor = f"{successor} ({inputs.successor_contact})"
            subtitle.insert(0, _("For %(successor)s") % {"successor": successor})
        content = _base(client, lang, _("Handover briefing: %(client)s") % {"client": client.name}, subtitle)
        work = [(item.name, fmt.date(item.due_on, lang)) for item in _open_work(client)]
        if work:
            content["sections"].append(
                _section(_("Work in progress"), "table", header=(_("Work"), _("Due")), rows=work)
            )
        else:
            content["sections"].append(_section(_("Work in progress"), "text", [_("No work is in progress.")]))
        requests = ClientRequest.objects.filter(
            firm_id=client.firm_id, client=client, received_on__isnull=True
        ).order_by("due_on", "pk")
        deadlines = [
            (row.description, fmt.date(row.requested_on, lang), fmt.date(row.due_on, lang)) for row in requests
        ]
        if deadlines:
            content["sections"].append(
                _section(
                    _("Deadlines: what the client still has to send"),
                    "table",
                    header=(_("Request"), _("Asked on"), _("Due")),
                    rows=deadlines,
                )
            )
        else:
            content["sections"].append(
                _section(
                    _("Deadlines: what the client still has to send"),
                    "text",
                    [_("The client has nothing left to send us.")],
                )
            )
        where = []
        labels = dict(Document.Category.choices)
        counts = defaultdict(int)
        for category in Document.objects.filter(firm_id=client.firm_id, client=client).values_list(
            "category", flat=True
        ):
            counts[category] += 1
        for category, label in labels.items():
            if counts[category]:
                where.append(
                    ngettext(
                        "%(category)s: %(n)d file, in the folder %(folder)s of the handover bundle",
                        "%(category)s: %(n)d files, in the folder %(folder)s of the handover bundle",
                        counts[category],
                    )
                    % {"category": label, "n": counts[category], "folder": f"documents/{category}/"}
                )
        for name in Credential.objects.filter(client=client, handed_back_on__isnull=True).values_list(
            "name", flat=True
        ):
            where.append(_("Login to hand back to the client: %(name)s") % {"name": name})
        for name in AccessGrant.objects.filter(client=client, revoked_on__isnull=True).values_list("name", flat=True):
            where.append(_("Our access the client should remove: %(name)s") % {"name": name})
        content["sections"].append(
            _section(_("Where things are"), "list" if where else "text", where or [_("No files are on record.")])
        )
        note = (inputs.handover_note if inputs else "").strip()
        if note:
            content["sections"].append(
                _section(_("Handover note"), "text", [p for p in note.splitlines() if p.strip()])
            )
    return content


def handover_pdfs(
    *, client: Client, case: OffboardingCase | None, lang: str | None = None, briefing: bool = True
) -> dict[str, bytes]:
    """Both documents as PDFs, named as they are in the bundle; ``briefing=False``: the summary only
    (a client's request for their data, where no one takes the work over)."""
    lang = lang or client_language(client)
    today = client.firm.today()
    pdfs = {
        "services-delivered.pdf": render_handover_pdf(
            summary_content(client=client, case=case, lang=lang, today=today)
        ),
    }
    if briefing:
        pdfs["successor-briefing.pdf"] = render_handover_pdf(
            briefing_content(client=client, case=case, lang=lang, today=today)
        )
    return pdfs
