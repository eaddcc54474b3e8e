"""Reads across cases, always within one firm: lists, the case timeline, overdue tasks, evidence that
arrives for former clients (O8), and what parting gave back (A1, A2)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from parting.audit.models import AuditEntry
from parting.audit.services import is_reference
from parting.clients.models import Client
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, TimeEntry
from parting.firms.models import Firm

from .models import CaseReview, CaseTask, OffboardingCase

State = OffboardingCase.State
LIVE = (State.APPROVED, State.NOTIFIED, State.WINDING_DOWN)
OPEN_STATES = (State.DRAFT, State.IN_REVIEW, *LIVE)
# A parting that has ended: closed, or closed and since purged (O5) — the client is still gone, and
# what they took and paid still counts (A1, O8).
ENDED = (State.CLOSED, State.PURGED)

ACTIONS = {
    "case.opened": gettext_lazy("Case opened"),
    "case.reason_added": gettext_lazy("Reason added"),
    "case.checks_answered": gettext_lazy("Decision checks answered"),
    "case.in_review": gettext_lazy("Sent for review"),
    "case.reviewed": gettext_lazy("Reviewed"),
    "case.approved": gettext_lazy("Approved"),
    "case.notified": gettext_lazy("Client notified"),
    "case.winding_down": gettext_lazy("Winding down"),
    "case.closed": gettext_lazy("Closed"),
    "case.withdrawn": gettext_lazy("Withdrawn"),
    "case.purged": gettext_lazy("Client's data purged; case closed for good"),
    "case.plan_changed": gettext_lazy("Plan changed"),
    "case.plan_overridden": gettext_lazy("Computed value changed by hand"),
    "case.invoice_written_off": gettext_lazy("Invoice written off"),
    "case.task_updated": gettext_lazy("Checklist task updated"),
    "case.task_added": gettext_lazy("Checklist task added"),
    "case.letter_generated": gettext_lazy("Letter written from the case"),
    "case.letter_edited": gettext_lazy("Letter edited"),
    "case.letter_sent": gettext_lazy("Letter sent"),
    "policy.changed": gettext_lazy("Policy changed"),
    "firm.settings_saved": gettext_lazy("Firm settings saved"),
    "member.invited": gettext_lazy("Member invited"),
    "member.joined": gettext_lazy("Invitation accepted"),
    "member.role_changed": gettext_lazy("Member's role changed"),
    "member.deactivated": gettext_lazy("Member deactivated"),
    "member.reactivated": gettext_lazy("Member reactivated"),
    "member.invitation_revoked": gettext_lazy("Invitation withdrawn"),
    "member.invitation_resent": gettext_lazy("Invitation sent again"),
    "import.done": gettext_lazy("Data imported"),
    "import.failed": gettext_lazy("Import failed"),
    "export.done": gettext_lazy("Data exported"),
    "evidence.created": gettext_lazy("Evidence added"),
    "evidence.changed": gettext_lazy("Evidence changed"),
    "evidence.deleted": gettext_lazy("Evidence deleted"),
    "document.uploaded": gettext_lazy("Document uploaded"),
    "document.deleted": gettext_lazy("Document deleted"),
    "bundle.requested": gettext_lazy("Handover bundle requested"),
    "bundle.built": gettext_lazy("Handover bundle ready"),
    "bundle.downloaded": gettext_lazy("Handover bundle downloaded"),
    "bundle.link_revoked": gettext_lazy("Handover bundle link revoked"),
    "bundle.link_renewed": gettext_lazy("Handover bundle link renewed"),
    "retention.scheduled": gettext_lazy("Purge scheduled"),
    "retention.warned": gettext_lazy("Firm warned of a purge"),
    "retention.postponed": gettext_lazy("Purge postponed"),
    "retention.purged": gettext_lazy("Client's data purged"),
    "retention.certificate": gettext_lazy("Deletion certificate issued"),
    "backup.restored": gettext_lazy("Restored from a backup"),
    "client.contact_named": gettext_lazy("Contact's name for letters written"),
    "client.label_named": gettext_lazy("Name for the client's letters written"),
    "client.data_requested": gettext_lazy("Client asked for a copy of their data"),
    "api.token_created": gettext_lazy("API token created"),
    "api.token_revoked": gettext_lazy("API token revoked"),
    "webhook.created": gettext_lazy("Webhook added"),
    "webhook.changed": gettext_lazy("Webhook changed"),
    "webhook.deleted": gettext_lazy("Webhook deleted"),
}
# Shown where the log keeps a note, reason or comment by its hash only (O5) and the words are no
# longer on the case to match it: purged, or changed since.
HASHED_TEXT = gettext_lazy("text recorded by its hash")

KIND_WORDS = [  # A2: reward yourself
    gettext_lazy("You did the hard thing, and you did it properly. Take an afternoon off."),
    gettext_lazy("That was not easy. The time it gives back is yours: spend some of it on yourself."),
    gettext_lazy("Well handled: calm, fair and in writing. Your team will feel the difference."),
    gettext_lazy("A clean ending is a gift to both sides. Celebrate it: you have earned it."),
]


def case_get(*, firm: Firm, pk: int) -> OffboardingCase:
    """The case ``pk`` of ``firm``; another firm's case is a 404."""
    return get_object_or_404(
        OffboardingCase.objects.select_related("firm", "client", "opened_by", "client__assigned_to"), firm=firm, pk=pk
    )


def reasons_shown(case: OffboardingCase) -> list:
    """The case's reasons with their words in the reader's language: a sign's title from the
    catalogue, its explanation written again from the numbers kept with it, an incident named by its
    kind. What was frozen when the reason was added (the value, the band, the rows) stays as it was; a
    reason kept before the numbers were (issue 11) shows its explanation as stored."""
    from parting.signs.catalogue import BY_ID

    kinds = dict(Incident.Kind.choices)
    reasons = list(case.reasons.select_related("added_by"))
    for reason in reasons:
        snapshot = reason.snapshot or {}
        sign = BY_ID.get(reason.sign_id)
        reason.title = str(sign.title) if sign else snapshot.get("title", "")
        reason.explanation = snapshot.get("explanation", "")
        if sign and snapshot.get("components") and snapshot.get("value") is not None:
            # numbers kept by an older catalogue: the stored words stand
            with contextlib.suppress(KeyError, TypeError, ValueError, ArithmeticError):
                reason.explanation = sign.explain(snapshot["components"], snapshot["value"])
        reason.rows = [
            row | {"text": f"{kinds[row['incident_kind']]} {row['date']}"} if row.get("incident_kind") in kinds else row
            for row in snapshot.get("evidence", [])
        ]
    return reasons


def case_list(*, firm: Firm, state: str = "") -> list[OffboardingCase]:
    cases = OffboardingCase.objects.filter(firm=firm).select_related("client", "opened_by")
    if state == "open":
        cases = cases.filter(state__in=OPEN_STATES)
    elif state in State.values:
        cases = cases.filter(state=state)
    return list(cases.order_by("-created_at"))


def open_case_for(client: Client) -> OffboardingCase | None:
    return OffboardingCase.objects.filter(client=client, state__in=OPEN_STATES).first()


def case_texts(case: OffboardingCase) -> dict[str, str]:
    """The case's free texts by their SHA-256: the audit log keeps notes, reasons, comments and the
    letter's address by hash only (O5), and the timeline shows the words while the case still holds
    them. After a purge nothing matches and the timeline says the text was recorded by its hash."""
    from parting.letters.models import LetterSending

    from .models import CasePlan

    texts = [case.against_advice]
    texts += case.transitions.values_list("note", flat=True)
    texts += case.plan_changes.values_list("reason", flat=True)
    texts += case.write_offs.values_list("reason", flat=True)
    for row in CasePlan.objects.filter(case=case).values_list("successor_name", "successor_contact", "handover_note"):
        texts += row
    for row in LetterSending.objects.filter(letter__case=case).values_list("to", "override_reason"):
        texts += row
    return {hashlib.sha256(text.encode()).hexdigest(): text for text in texts if text}


def _text(value, texts: dict[str, str]) -> str:
    """A text as the log holds it: its words (entries before issue 13 §5, or matched by hash on the
    case), else that it was recorded by its hash."""
    if is_reference(value):
        return texts.get(value["sha256"], str(HASHED_TEXT))
    return "" if value is None else str(value)


def case_timeline(case: OffboardingCase) -> list[dict]:
    """Every consequential step of the case, oldest first, from the firm's audit log."""
    entries = AuditEntry.objects.filter(firm=case.firm, target=f"case:{case.pk}").select_related("actor")
    texts = case_texts(case)
    return [
        {
            "at": entry.at,
            "what": ACTIONS.get(entry.action, entry.action),
            "actor": entry.actor,
            "actor_name": _who(entry),
            "detail": _detail(entry.action, entry.data, texts),
        }
        for entry in entries.order_by("id")
    ]


# The case history's filter: the kinds of step a member looks for, each the audit actions it covers.
HISTORY_GROUPS = {
    "decision": (
        gettext_lazy("Decision and review"),
        (
            "case.opened",
            "case.reason_added",
            "case.checks_answered",
            "case.in_review",
            "case.reviewed",
            "case.approved",
            "case.withdrawn",
        ),
    ),
    "plan": (
        gettext_lazy("Plan and money"),
        ("case.plan_changed", "case.plan_overridden", "case.invoice_written_off"),
    ),
    "checklist": (gettext_lazy("Checklist"), ("case.task_updated", "case.task_added")),
    "telling": (
        gettext_lazy("Telling the client and after"),
        (
            "case.notified",
            "case.winding_down",
            "case.closed",
            "case.purged",
            "case.letter_generated",
            "case.letter_edited",
            "case.letter_sent",
        ),
    ),
}
HISTORY_PAGE_SIZE = 25


@dataclass(frozen=True)
class HistoryPage:
    """One page of a case's history, newest first, grouped by month (the firm's months)."""

    page: object  # django.core.paginator.Page of timeline entries
    months: list[tuple[dt.date, list[dict]]]
    total: int


def case_history(
    case: OffboardingCase, *, group: str = "", page: object = 1, per_page: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """The case's steps of ``group`` (every step when empty or unknown), newest first, page ``page``
    (a page past the end is the last page), each page's entries grouped by the month they happened in
    on the firm's clock."""
    from django.core.paginator import Paginator

    entries = AuditEntry.objects.filter(firm=case.firm, target=f"case:{case.pk}").select_related("actor")
    if group in HISTORY_GROUPS:
        entries = entries.filter(action__in=HISTORY_GROUPS[group][1])
    shown = Paginator(entries.order_by("-at", "-id"), per_page).get_page(page)
    zone = zoneinfo.ZoneInfo(case.firm.time_zone)
    texts = case_texts(case)
    months: dict[dt.date, list[dict]] = {}
    for entry in shown.object_list:
        month = timezone.localtime(entry.at, zone).date().replace(day=1)
        months.setdefault(month, []).append(
            {
                "at": entry.at,
                "action": entry.action,
                "what": ACTIONS.get(entry.action, entry.action),
                "actor": entry.actor,
                "actor_name": _who(entry),
                "detail": _detail(entry.action, entry.data, texts),
            }
        )
    return HistoryPage(shown, list(months.items()), shown.paginator.count)


def _who(entry: AuditEntry) -> str:
    """Who acted, as the log recorded it then: still there when the member's account is gone."""
    if entry.actor_name:
        return entry.actor_name
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.username
    return ""


def _detail(action: str, data: dict, texts: dict[str, str] | None = None) -> str:
    """The part of an audit entry worth a line in the timeline: the sign, the note, the reason given.
    ``texts``: :func:`case_texts`, to show the words of what the log keeps by hash."""
    texts = texts or {}
    if action == "case.reason_added":
        return data.get("sign") or ""
    if action == "case.plan_overridden":
        reason = _text(data["reason"], texts)
        return f"{data['field']}: {data['computed']} → {data['value'] or data['computed']} — {reason}"
    if action == "case.invoice_written_off":
        return f"{data['invoice']} — {_text(data['reason'], texts)}"
    if action == "case.plan_changed":
        return ", ".join(f"{key}: {_text(value, texts)}" for key, value in data.items())
    if action == "case.letter_sent":
        note = data.get("note", "")
        if data.get("override_reason"):
            note = gettext("Sent despite the tone checker: %(reason)s") % {
                "reason": _text(data["override_reason"], texts)
            }
        to = data.get("to") or texts.get(data.get("to_sha256") or "", "")
        parts = [data.get("lang", ""), to, data.get("message_id", ""), note]
        return " · ".join(part for part in parts if part)
    if action in ("case.letter_generated", "case.letter_edited"):
        return " · ".join(str(data[key]) for key in ("lang", "version") if data.get(key))
    if action == "case.reviewed":
        return str(dict(CaseReview.Decision.choices).get(data.get("decision"), ""))
    return _text(data.get("note"), texts)


def overdue_tasks(*, firm: Firm, today: dt.date) -> list[CaseTask]:
    """Open tasks past their due date, in cases still being carried out: the dashboard lists them."""
    return list(
        CaseTask.objects.filter(case__firm=firm, case__state__in=LIVE, status=CaseTask.Status.OPEN, due_on__lt=today)
        .select_related("case", "case__client", "owner")
        .order_by("due_on", "id")
    )


def former_client_evidence(*, firm: Firm) -> list[dict]:
    """O8: evidence dated after the end of a closed (or since purged) case, for a client who is now former: flagged,
    because nothing more is owed to them. One query per kind of evidence, whatever the number of clients."""
    closed = {"client__status": Client.Status.FORMER, "client__cases__state__in": ENDED}
    # The former clients first (one small query): each kind is then read through its (firm, client)
    # index for those clients only, not by joining every row of the firm (130 ms for 140,000
    # invoices at a firm with none, bench/pages.py).
    former = list(
        OffboardingCase.objects.filter(firm=firm, state__in=ENDED, client__status=Client.Status.FORMER)
        .values_list("client_id", flat=True)
        .distinct()
    )
    if not former:
        return []
    closed["client_id__in"] = former
    kinds = [
        ("invoice", Invoice, "issued_on"),
        ("meeting", Meeting, "starts_at__date"),
        ("message", Message, "sent_at__date"),
        ("request", ClientRequest, "requested_on"),
        ("incident", Incident, "occurred_on"),
        ("time", TimeEntry, "date"),
    ]
    out = []
    with timezone.override(zoneinfo.ZoneInfo(firm.time_zone)):  # a moment's day is the firm's day
        for kind, model, date_field in kinds:
            rows = (
                model.objects.filter(firm=firm, **closed, **{f"{date_field}__gt": F("client__cases__ended_on")})
                .select_related("client")
                .distinct()[:50]
            )
            out.extend({"kind": kind, "row": row, "client": row.client} for row in rows)
    return out


@dataclass
class Parting:
    case: OffboardingCase
    hours_per_month: Decimal
    revenue_per_month: Decimal
    rate_before: Decimal | None
    rate_after: Decimal | None
    kind_word: str

    def _get_rate_change(self) -> Decimal | None:
        if self.rate_before is None or self.rate_after is None:
            return None
        return self.rate_after - self.rate_before

    rate_change = property(_get_rate_change)


def _months(end: dt.date, count: int = 12) -> list[dt.date]:
    key = end.year * 12 + end.month - 1
    return [dt.date((k) // 12, k % 12 + 1, 1) for k in range(key - count + 1, key + 1)]


def _rate(revenue: Decimal, hours: Decimal) -> Decimal | None:
    return (revenue / hours).quantize(Decimal("0.01")) if hours > 0 else None


def partings(*, firm: Firm) -> list[Parting]:
    """A1: for each closed case (purged ones too), the hours a month the client took in the 12 months before the end
    (now free), the revenue a month given up, and the firm's effective hourly rate with and without them.

    Two GROUP BY queries (hours and revenue by client and month) serve every case at once.
    """
    cases = list(
        OffboardingCase.objects.filter(firm=firm, state__in=ENDED, ended_on__isnull=False)
        .select_related("client")
        .order_by("-ended_on")
    )
    if not cases:
        return []
    first = _months(min(c.ended_on for c in cases))[0]
    last = max(c.ended_on for c in cases)
    hours: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    revenue: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for row in (
        TimeEntry.objects.filter(firm=firm, date__gte=first, date__lte=last)
        .annotate(month=TruncMonth("date"))
        .values("client_id", "month")
        .annotate(total=Sum("hours"))
    ):
        hours[row["client_id"], row["month"]] += row["total"]
    in_firm_currency = ExpressionWrapper(F("amount") * F("fx_rate"), output_field=DecimalField())
    for row in (
        Invoice.objects.filter(firm=firm, issued_on__gte=first, issued_on__lte=last)
        .annotate(month=TruncMonth("issued_on"))
        .values("client_id", "month")
        .annotate(total=Sum(in_firm_currency))
    ):
        revenue[row["client_id"], row["month"]] += Decimal(row["total"] or 0)
    firm_hours: dict[dt.date, Decimal] = defaultdict(Decimal)
    firm_revenue: dict[dt.date, Decimal] = defaultdict(Decimal)
    for (_cid, month), value in hours.items():
        firm_hours[month] += value
    for (_cid, month), value in revenue.items():
        firm_revenue[month] += value
    out = []
    for case in cases:
        months = _months(case.ended_on)
        cid = case.client_id
        own_hours = sum((hours.get((cid, m), Decimal(0)) for m in months), Decimal(0))
        own_revenue = sum((revenue.get((cid, m), Decimal(0)) for m in months), Decimal(0))
        all_hours = sum((firm_hours.get(m, Decimal(0)) for m in months), Decimal(0))
        all_revenue = sum((firm_revenue.get(m, Decimal(0)) for m in months), Decimal(0))
        out.append(
            Parting(
                case=case,
                hours_per_month=(own_hours / len(months)).quantize(Decimal("0.1")),
                revenue_per_month=(own_revenue / len(months)).quantize(Decimal("0.01")),
                rate_before=_rate(all_revenue, all_hours),
                rate_after=_rate(all_revenue - own_revenue, all_hours - own_hours),
                kind_word=str(KIND_WORDS[case.pk % len(KIND_WORDS)]),
            )
        )
    return out
