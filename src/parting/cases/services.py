"""Every change to a case is one function here: it checks role and preconditions, then writes the
change, a transition row and an audit entry in one transaction (DOMAIN.md D3, D4, D8).

States: draft → in_review → approved → notified → winding_down → closed, and withdrawn from any
state before notified. No state can be skipped: each function accepts exactly one state to start
from. The plan (:mod:`.plan`) and the checklist (:mod:`.checklist`) are kept in step here.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.audit.services import audit_record, text_reference
from parting.clients.models import AccessGrant, Client, Credential
from parting.core.limits import LABEL, NOTE, too_long
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, TimeEntry
from parting.evidence.services import derive_to_senior
from parting.firms.models import Membership
from parting.scores.services import request_rescore, snapshots_relabel
from parting.signs.catalogue import BY_ID
from parting.signs.evidence import sign_evidence
from parting.signs.policy import policy_for
from parting.signs.scoring import Scorer, window
from parting.webhooks.services import emit

from .checklist import checklist_sync
from .models import (
    CasePlan,
    CaseReason,
    CaseReview,
    CaseTask,
    CaseTransition,
    InvoiceWriteOff,
    OffboardingCase,
    PlanChange,
)
from .plan import OVERRIDABLE, plan_compute, plan_get

State = OffboardingCase.State
MIN_REASONS = 3  # D8
BEFORE_NOTICE = (State.DRAFT, State.IN_REVIEW, State.APPROVED)
UNDER_WAY = (*BEFORE_NOTICE, State.NOTIFIED, State.WINDING_DOWN)  # neither closed nor withdrawn
EVIDENCE_DATE = {
    "invoice": "due_on",
    "meeting": "starts_at",
    "message": "sent_at",
    "request": "due_on",
    "incident": "occurred_on",
    "time": "date",
}
EVIDENCE_MODELS = {
    "invoice": Invoice,
    "meeting": Meeting,
    "message": Message,
    "request": ClientRequest,
    "incident": Incident,
    "time": TimeEntry,
}


class CaseError(ValidationError):
    """A refused change; the message says which rule or precondition, and why."""


def _fits(**texts: tuple[str | None, int]) -> None:
    """Free text that arrives at a service — from a page, the command line or an API — fits its limit
    (core.limits); the refusal names the field, the limit and the length given."""
    for name, (text, limit) in texts.items():
        message = too_long(name, text or "", limit)
        if message:
            raise CaseError(message)


def case_membership(case: OffboardingCase, user) -> Membership:
    """The user's membership of the case's firm; anyone else is refused (every case action starts here)."""
    membership = Membership.active(user, case.firm_id)
    if membership is None:
        raise CaseError(_("Only members of the firm can act on its cases."))
    return membership


def _lock(case: OffboardingCase) -> OffboardingCase:
    """Re-read the case inside the caller's transaction, locked against every other writer, so a step
    decides on the state as it is now, not as a page loaded it (two approvals, approve ‖ withdraw).

    PostgreSQL: ``SELECT … FOR UPDATE`` holds the row until the transaction ends. SQLite ignores
    FOR UPDATE, but its transactions are IMMEDIATE (settings), so the writer already holds the
    database's write lock and the re-read sees the last committed state. The caller's object is
    refreshed in place, so a view or command holding it sees what was decided.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_lock() is called inside the transaction that makes the change")
    case.refresh_from_db(from_queryset=OffboardingCase.objects.select_for_update())
    return case


def _transition(case: OffboardingCase, *, to: str, by, note: str = "", facts: dict | None = None) -> None:
    """Move the case to ``to`` and record it. ``facts``: codes, numbers and dates worth keeping in the
    log beside the note, which the log keeps by its hash only."""
    CaseTransition.objects.create(case=case, from_state=case.state, to_state=to, by=by, note=note)
    audit_record(
        firm=case.firm,
        actor=by,
        action="case." + to,
        target=f"case:{case.pk}",
        # The note by its hash (O5): it may name the client, and the log outlives a purge.
        data={"from": case.state, "to": to, "note": text_reference(note), **(facts or {})},
    )
    case.state = to


def case_open(
    *,
    client: Client,
    by,
    outward_reason: str = OffboardingCase.OutwardReason.GENERAL,
    attitude: bool = False,
    against_advice: str = "",
) -> OffboardingCase:
    """Any member opens a case for a client of their firm.

    Refused for a former client (there is nothing left to end, O8). When the signs advise keeping the
    client, the case opens only with the member's word why, which the case keeps (D1: judge by the
    evidence, not by a bad day). The client row is locked first, so two members opening a case for
    the same client at once get one case, not two.
    """
    # Scoring the firm only reads: it runs before the write transaction, which it would otherwise
    # hold (on SQLite, the whole database's write lock) for as long as the scoring takes.
    advice = client_advice(client)
    return _case_open(
        client=client,
        by=by,
        outward_reason=outward_reason,
        attitude=attitude,
        against_advice=against_advice,
        advice=advice,
    )


def _case_open(*, client: Client, by, outward_reason: str, attitude: bool, against_advice: str, advice: str):
    _fits(against_advice=(against_advice, NOTE))
    with transaction.atomic():
        if not Membership.objects.filter(user=by, firm_id=client.firm_id, is_active=True).exists():
            raise CaseError(_("Only members of the firm can open a case for its client."))
        client.refresh_from_db(from_queryset=Client.objects.select_for_update())
        if client.status == Client.Status.FORMER:
            raise CaseError(_("%(client)s is a former client: there is nothing left to end.") % {"client": client.name})
        if (
            OffboardingCase.objects.filter(client=client)
            .exclude(state__in=[State.CLOSED, State.WITHDRAWN, State.PURGED])
            .exists()
        ):
            raise CaseError(_("%(client)s already has an open case.") % {"client": client.name})
        against_advice = (against_advice or "").strip()
        if advice == "keep" and not against_advice:
            raise CaseError(
                _(
                    "D1: the evidence advises keeping %(client)s. To open a case anyway, say why; "
                    "the reason is kept with the case."
                )
                % {"client": client.name}
            )
        case = OffboardingCase.objects.create(
            firm=client.firm,
            client=client,
            opened_by=by,
            outward_reason=outward_reason,
            attitude=attitude,
            advice_at_open=advice,
            against_advice=against_advice if advice == "keep" else "",
        )
        audit_record(
            firm=case.firm,
            actor=by,
            action="case.opened",
            target=f"case:{case.pk}",
            data={"client": client.pk, "advice": advice, "against_advice": text_reference(case.against_advice)},
        )
        return case


def client_advice(client: Client) -> str:
    """The advice the signs give for this client today: keep, talk_first, consider_parting, or
    ``insufficient`` when there is not enough evidence to judge by yet."""
    result = Scorer(client.firm).score(client_ids=[client.pk])
    return result[0].recommendation if result else "keep"


def case_reason_add(
    *, case: OffboardingCase, by, sign_id: str = "", text: str = "", evidence: list[tuple[str, int]] = ()
) -> CaseReason:
    """Add a reason (D8): a sign, snapshotted now with the rows behind it, or a written reason
    pointing at evidence rows of this client."""
    _fits(text=(text, NOTE))
    with transaction.atomic():
        _lock(case)
        case_membership(case, by)
        if case.state not in (State.DRAFT, State.IN_REVIEW):
            raise CaseError(_("Reasons can only be added while the case is a draft or in review."))
        if sign_id:
            sign = BY_ID.get(sign_id)
            if sign is None:
                raise CaseError(_("%(id)s is not a warning sign (W1–W15).") % {"id": sign_id})
            if case.reasons.filter(sign_id=sign_id).exists():
                raise CaseError(
                    _("D8: %(id)s is already a reason of this case; each of the reasons must be a different one.")
                    % {"id": sign_id}
                )
            scorer = Scorer(case.firm)
            result = next(r for r in scorer.score(client_ids=[case.client_id]) if r.client_id == case.client_id)
            found = result.sign(sign_id)
            start, end = window(scorer.as_of, scorer.policy.window_months)
            rows = [
                _row(kind, row, case.firm)
                for kind, queryset in sign_evidence(case.client, sign_id, start, end)
                for row in queryset[:200]
            ]
            snapshot = {
                "title": str(sign.title),
                "value": found.value,
                "band": found.band,
                "percentile": found.percentile,
                "explanation": found.explanation,
                # What the explanation is made of, so it is written again in each reader's language.
                "components": {
                    key: float(value)
                    for key, value in (found._components or {}).items()
                    if isinstance(value, int | float | Decimal)
                },
                "window": [start.isoformat(), end.isoformat()],
                "evidence": rows,
            }
            reason = CaseReason.objects.create(case=case, sign_id=sign_id, text=text, snapshot=snapshot, added_by=by)
        else:
            if not text.strip():
                raise CaseError(_("A written reason needs its text."))
            if any(_same_text(text, other) for other in case.reasons.filter(sign_id="").values_list("text", flat=True)):
                raise CaseError(
                    _("D8: this reason is already on the case; each of the reasons must be a different one.")
                )
            rows = []
            for kind, pk in evidence:
                model = EVIDENCE_MODELS.get(kind)
                row = model.objects.filter(pk=pk, client=case.client, firm=case.firm).first() if model else None
                if row is None:
                    raise CaseError(
                        _("Evidence %(kind)s %(id)s is not a record of this client.") % {"kind": kind, "id": pk}
                    )
                rows.append(_row(kind, row, case.firm))
            reason = CaseReason.objects.create(case=case, text=text.strip(), snapshot={"evidence": rows}, added_by=by)
        audit_record(
            firm=case.firm,
            actor=by,
            action="case.reason_added",
            target=f"case:{case.pk}",
            data={"reason": reason.pk, "sign": sign_id},
        )
        return reason


def _same_text(a: str, b: str) -> bool:
    """Two written reasons are the same when they differ only in case and spacing."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def distinct_reasons(case: OffboardingCase) -> int:
    """D8 counts different reasons: a sign once, a written text once (however often it was added)."""
    signs, texts = set(), set()
    for sign_id, text in case.reasons.values_list("sign_id", "text"):
        if sign_id:
            signs.add(sign_id)
        else:
            texts.add(" ".join(text.split()).casefold())
    return len(signs) + len(texts)


def _row(kind: str, row, firm) -> dict:
    """An evidence row as a reason keeps it: what it was and when (the firm's day), readable after the
    row is gone."""
    day = getattr(row, EVIDENCE_DATE[kind])
    if isinstance(day, dt.datetime):
        day = day.astimezone(zoneinfo.ZoneInfo(firm.time_zone)).date()
    out = {"kind": kind, "id": row.pk, "text": str(row), "date": day.isoformat()}
    if kind == "incident":  # its text is the kind's name: kept as a code, named when read
        out["incident_kind"] = row.kind
    return out


def case_checks_answer(
    *,
    case: OffboardingCase,
    by,
    expectations_managed_on: dt.date | None = None,
    expectations_note: str = "",
    confirmed_not_one_incident: bool = False,
) -> OffboardingCase:
    """Record the answers to the decision checks that need one: D2 (when and how expectations were
    managed) and D3 (this is more than one bad incident)."""
    _fits(expectations_note=(expectations_note, NOTE))
    with transaction.atomic():
        _lock(case)
        case_membership(case, by)
        if case.state not in (State.DRAFT, State.IN_REVIEW):
            raise CaseError(_("The decision checks are answered before the case is approved."))
        case.expectations_managed_on = expectations_managed_on
        case.expectations_note = expectations_note.strip()
        case.confirmed_not_one_incident = confirmed_not_one_incident
        case.save(update_fields=["expectations_managed_on", "expectations_note", "confirmed_not_one_incident"])
        audit_record(
            firm=case.firm,
            actor=by,
            action="case.checks_answered",
            target=f"case:{case.pk}",
            data={
                "expectations_managed_on": expectations_managed_on.isoformat() if expectations_managed_on else None,
                "confirmed_not_one_incident": confirmed_not_one_incident,
            },
        )
        return case


def case_submit(*, case: OffboardingCase, by) -> OffboardingCase:
    """draft → in_review: needs at least three documented reasons (D8) and the checks that need an
    answer answered (D2, D3)."""
    with transaction.atomic():
        _lock(case)
        from .checks import blocking, case_checks

        case_membership(case, by)
        if case.state != State.DRAFT:
            raise CaseError(
                _("Only a draft can be sent for review; this case is %(state)s.") % {"state": case.get_state_display()}
            )
        count = distinct_reasons(case)
        if count < MIN_REASONS:
            raise CaseError(
                _("D8: a case needs at least %(min)d different documented reasons before review; it has %(n)d.")
                % {"min": MIN_REASONS, "n": count}
            )
        unanswered = blocking(case_checks(case))
        if unanswered:
            raise CaseError(" ".join(f"{check.rule}: {check.facts[-1]}" for check in unanswered))
        _transition(case, to=State.IN_REVIEW, by=by)
        case.submitted_at = timezone.now()
        case.save(update_fields=["state", "submitted_at"])
        Client.objects.filter(pk=case.client_id).update(status=Client.Status.UNDER_REVIEW)
        snapshots_relabel([case.client_id])
        return case


def case_review(
    *, case: OffboardingCase, by, decision: str, comment: str = "", now: dt.datetime | None = None
) -> OffboardingCase:
    """An owner or partner approves or objects (D4). Enough approvals move the case to approved.

    Approvals count only from owners and partners other than the opener; in a firm with no other
    owner or partner, the opener may approve their own case after the cooling-off period (D3).
    """
    _fits(comment=(comment, NOTE))
    with transaction.atomic():
        _lock(case)
        membership = case_membership(case, by)
        if not membership.is_senior:
            raise CaseError(_("D4: only owners and partners review cases."))
        if case.state != State.IN_REVIEW:
            raise CaseError(
                _("Only a case in review can be reviewed; this case is %(state)s.")
                % {"state": case.get_state_display()}
            )
        if decision not in CaseReview.Decision.values:
            raise CaseError(_("A review approves or objects."))
        policy = policy_for(case.firm)
        if by.pk == case.opened_by_id and decision == CaseReview.Decision.APPROVE:
            others = Membership.objects.filter(
                firm_id=case.firm_id, role__in=[Membership.Role.OWNER, Membership.Role.PARTNER], is_active=True
            ).exclude(user_id=by.pk)
            if others.exists():
                raise CaseError(_("D4: another owner or partner must approve a case you opened."))
            ready = case.submitted_at + dt.timedelta(hours=policy.cooling_off_hours)
            if (now or timezone.now()) < ready:
                raise CaseError(
                    _(
                        "D3: in a firm of one, approve your own case only after %(hours)d hours of "
                        "cooling off, from %(when)s."
                    )
                    % {"hours": policy.cooling_off_hours, "when": f"{timezone.localtime(ready):%Y-%m-%d %H:%M}"}
                )
        CaseReview.objects.create(case=case, reviewer=by, decision=decision, comment=comment)
        audit_record(
            firm=case.firm, actor=by, action="case.reviewed", target=f"case:{case.pk}", data={"decision": decision}
        )
        # Each reviewer's latest word counts: an objection stands until its author approves (D4).
        latest: dict[int, str] = {}
        for reviewer_id, said in case.reviews.order_by("at", "id").values_list("reviewer_id", "decision"):
            latest[reviewer_id] = said
        approvals = sum(1 for said in latest.values() if said == CaseReview.Decision.APPROVE)
        objections = sum(1 for said in latest.values() if said == CaseReview.Decision.OBJECT)
        if decision == CaseReview.Decision.APPROVE and not objections and approvals >= _approvals_needed(case, policy):
            _transition(case, to=State.APPROVED, by=by, note=comment)
            emit(case.firm, "case.approved", {"case": case.pk, "client": case.client_id})  # issue 15 §3
            case.save(update_fields=["state"])
            checklist_sync(case)
        return case


def _approvals_needed(case: OffboardingCase, policy) -> int:
    """The policy's number, but never more than the owners and partners who may approve (a firm of one: 1)."""
    eligible = (
        Membership.objects.filter(
            firm_id=case.firm_id, role__in=[Membership.Role.OWNER, Membership.Role.PARTNER], is_active=True
        )
        .exclude(user_id=case.opened_by_id)
        .count()
    )
    return max(1, min(policy.case_approvals, eligible))


def case_withdraw(
    *,
    case: OffboardingCase,
    by,
    note: str = "",
    outcome: str = OffboardingCase.Outcome.KEPT,
    seen_state: str | None = None,
) -> OffboardingCase:
    """Withdraw a case before the client is told; afterwards the decision stands (D11).

    ``seen_state`` is the state the member's page showed: when the case has moved on since (a
    partner approved it meanwhile), the withdrawal is refused, so nobody undoes a decision they
    have not seen.
    """
    _fits(note=(note, NOTE))
    with transaction.atomic():
        _lock(case)
        membership = case_membership(case, by)
        _refuse_if_changed(case, seen_state)
        if case.state not in BEFORE_NOTICE:
            raise CaseError(
                _("D11: once the client has been notified the case cannot be withdrawn; it is %(state)s.")
                % {"state": case.get_state_display()}
            )
        if by.pk != case.opened_by_id and not membership.is_senior:
            raise CaseError(_("Only the person who opened the case, an owner or a partner can withdraw it."))
        _transition(case, to=State.WITHDRAWN, by=by, note=note)
        case.outcome = outcome
        case.save(update_fields=["state", "outcome"])
        Client.objects.filter(pk=case.client_id, status=Client.Status.UNDER_REVIEW).update(status=Client.Status.ACTIVE)
        snapshots_relabel([case.client_id])
        return case


def case_take_over(*, case: OffboardingCase, by, note: str = "", seen_state: str | None = None) -> OffboardingCase:
    """D4: a partner keeps the client themselves; the case is withdrawn with that outcome."""
    with transaction.atomic():
        _lock(case)
        membership = case_membership(case, by)
        if not membership.is_senior:
            raise CaseError(_("D4: only an owner or a partner can take a client over."))
        case_withdraw(case=case, by=by, note=note, outcome=OffboardingCase.Outcome.TAKEN_OVER, seen_state=seen_state)
        Client.objects.filter(pk=case.client_id).update(assigned_to=by)
        derive_to_senior(firm=case.firm, client_ids=[case.client_id])  # W3 for the partner now looking after it
        return case


def _acts_for_case(case: OffboardingCase, by) -> Membership:
    """The opener, an owner or a partner carries the case out after approval."""
    membership = case_membership(case, by)
    if by.pk != case.opened_by_id and not membership.is_senior:
        raise CaseError(_("Only the person who opened the case, an owner or a partner can do this."))
    return membership


def _refuse_if_changed(case: OffboardingCase, seen_state: str | None) -> None:
    if seen_state and seen_state != case.state:
        raise CaseError(
            _("The case changed while you were looking at it: it is now %(state)s. Read it again, then decide.")
            % {"state": case.get_state_display()}
        )


def _refuse_unless(case: OffboardingCase, *states: str, action: str) -> None:
    if case.state not in states:
        raise CaseError(
            _("%(action)s: not possible while the case is %(state)s.")
            % {"action": action, "state": case.get_state_display()}
        )


# Plan inputs that are free text (names, contacts, notes): the audit log keeps their hash only.
PLAN_TEXTS = frozenset({"successor_name", "successor_contact", "handover_note"})
PLAN_INPUTS = (
    "notice_date",
    "fixed_term",
    "work_done_percent",
    "refund_kind",
    "support_days",
    "support_fee",
    "successor_name",
    "successor_contact",
    "handover_note",
)


def plan_update(*, case: OffboardingCase, by, **inputs) -> CasePlan:
    """Change the plan's inputs (the notice day, the fixed-term choice, work done, support, successor);
    the dates and amounts follow from the rules, and the checklist follows the plan."""
    _fits(
        **{
            name: (value, NOTE if name == "handover_note" else LABEL)
            for name, value in inputs.items()
            if isinstance(value, str)
        }
    )
    with transaction.atomic():
        _lock(case)
        case_membership(case, by)
        _refuse_unless(
            case,
            *UNDER_WAY,
            action=_("Changing the plan"),
        )
        unknown = set(inputs) - set(PLAN_INPUTS)
        if unknown:
            raise CaseError(_("Unknown plan fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
        if "notice_date" in inputs and case.notified_on and inputs["notice_date"] != case.notified_on:
            raise CaseError(_("N1: the client was told on %(day)s; that day stays.") % {"day": case.notified_on})
        plan = plan_get(case)
        changed = {}
        for name, value in inputs.items():
            if getattr(plan, name) != value:
                setattr(plan, name, value)
                text = str(value) if value is not None else None
                # The successor's name and contact and the handover note by their hash (O5).
                changed[name] = text_reference(text) if name in PLAN_TEXTS else text
        if not changed:
            return plan
        plan.full_clean(exclude=["case", "overrides"])
        plan.save()
        audit_record(firm=case.firm, actor=by, action="case.plan_changed", target=f"case:{case.pk}", data=changed)
        _sync_if_planned(case)
        return plan


def plan_override(*, case: OffboardingCase, by, field: str, value: str | None, reason: str) -> CasePlan:
    """Change a computed date or amount by hand — or, with ``value`` None, go back to the computed one.
    Either way the reason is required and kept, with what the rules had computed."""
    _fits(reason=(reason, NOTE), value=(value, LABEL))
    with transaction.atomic():
        _lock(case)
        case_membership(case, by)
        _refuse_unless(
            case,
            *UNDER_WAY,
            action=_("Changing the plan"),
        )
        if field not in OVERRIDABLE:
            raise CaseError(_("%(field)s is not a value that can be changed by hand.") % {"field": field})
        reason = (reason or "").strip()
        if not reason:
            raise CaseError(_("Changing a computed date or amount needs a reason, which is recorded."))
        if value is not None:
            value = str(value).strip()
            try:
                parsed = dt.date.fromisoformat(value) if OVERRIDABLE[field] == "date" else Decimal(value)
                if isinstance(parsed, Decimal) and not parsed.is_finite():  # NaN, Infinity: no amount at all
                    raise ValueError(value)
            except (ValueError, InvalidOperation):
                raise CaseError(
                    _("%(field)s: %(value)s is not a valid %(kind)s.")
                    % {
                        "field": field,
                        "value": value,
                        "kind": _("date") if OVERRIDABLE[field] == "date" else _("amount"),
                    }
                ) from None
            if isinstance(parsed, Decimal) and parsed < 0:
                raise CaseError(_("%(field)s: an amount cannot be negative.") % {"field": field})
            value = str(parsed) if isinstance(parsed, Decimal) else parsed.isoformat()
        current = plan_compute(case)
        computed = getattr(current, field)
        computed = (computed.computed if computed.overridden else computed.value) if computed else None
        plan = plan_get(case)
        overrides = dict(plan.overrides or {})
        if value is None:
            overrides.pop(field, None)
        else:
            overrides[field] = {
                "value": value,
                "reason": reason,
                "by": by.get_username(),
                "at": timezone.now().isoformat(),
            }
        plan.overrides = overrides
        plan.save(update_fields=["overrides"])
        PlanChange.objects.create(
            case=case,
            field=field,
            computed="" if computed is None else str(computed),
            value=value or "",
            reason=reason,
            by=by,
        )
        audit_record(
            firm=case.firm,
            actor=by,
            action="case.plan_overridden",
            target=f"case:{case.pk}",
            data={
                "field": field,
                "value": value,
                "computed": "" if computed is None else str(computed),
                "reason": text_reference(reason),
            },
        )
        _sync_if_planned(case)
        return plan


def _sync_if_planned(case: OffboardingCase) -> None:
    if case.state in (State.APPROVED, State.NOTIFIED, State.WINDING_DOWN):
        checklist_sync(case)


def invoice_write_off(*, case: OffboardingCase, by, invoice_id: int, reason: str) -> InvoiceWriteOff:
    """D10: give up on an unpaid invoice of this client, with the reason; only owners and partners."""
    _fits(reason=(reason, NOTE))
    with transaction.atomic():
        _lock(case)
        membership = case_membership(case, by)
        if not membership.is_senior:
            raise CaseError(_("D10: only owners and partners write off an invoice."))
        _refuse_unless(case, *UNDER_WAY, action=_("Write-off"))
        if not (reason or "").strip():
            raise CaseError(_("A write-off needs a reason."))
        invoice = Invoice.objects.filter(pk=invoice_id, client=case.client, firm=case.firm).first()
        if invoice is None:
            raise CaseError(_("Invoice %(id)s is not an invoice of this client.") % {"id": invoice_id})
        if not any(row.invoice.pk == invoice.pk for row in plan_compute(case).invoices):
            raise CaseError(
                _("Invoice %(number)s is paid; there is nothing to write off.") % {"number": invoice.number}
            )
        write_off, _created = InvoiceWriteOff.objects.update_or_create(
            case=case, invoice=invoice, defaults={"reason": reason.strip(), "by": by}
        )
        audit_record(
            firm=case.firm,
            actor=by,
            action="case.invoice_written_off",
            target=f"case:{case.pk}",
            data={"invoice": invoice.number, "reason": text_reference(reason.strip())},
        )
        return write_off


def case_notify(*, case: OffboardingCase, by, on: dt.date | None = None, unpaid_override: str = "") -> OffboardingCase:
    """approved → notified: the client has been told. D10: every unpaid invoice is paid or written
    off first, unless an override reason is recorded. The plan as told is kept on the case (O9)."""
    _fits(unpaid_override=(unpaid_override, NOTE))
    with transaction.atomic():
        _lock(case)
        _acts_for_case(case, by)
        if case.state != State.APPROVED:
            raise CaseError(
                _("Only an approved case moves to notified; this case is %(state)s.")
                % {"state": case.get_state_display()}
            )
        on = on or case.firm.today()
        plan = plan_get(case)
        if plan.notice_date != on:
            plan.notice_date = on
            plan.save(update_fields=["notice_date"])
        computed = plan_compute(case)
        note, facts = "", {}
        if computed.outstanding:
            numbers = ", ".join(row.invoice.number for row in computed.outstanding)
            if not unpaid_override.strip():
                raise CaseError(
                    ngettext(
                        "D10: be paid in full before letting the client go. %(count)d unpaid invoice: %(numbers)s "
                        "(%(balance)s %(currency)s). Record its payment, write it off with a reason, or give a "
                        "reason to go ahead anyway.",
                        "D10: be paid in full before letting the client go. %(count)d unpaid invoices: %(numbers)s "
                        "(%(balance)s %(currency)s). Record their payments, write them off with a reason, or "
                        "give a reason to go ahead anyway.",
                        len(computed.outstanding),
                    )
                    % {
                        "count": len(computed.outstanding),
                        "numbers": numbers,
                        "balance": computed.balance,
                        "currency": computed.currency,
                    }
                )
            note = _("D10 overridden with %(balance)s %(currency)s unpaid (%(numbers)s): %(reason)s") % {
                "balance": computed.balance,
                "currency": computed.currency,
                "numbers": numbers,
                "reason": unpaid_override.strip(),
            }
            facts = {
                "d10_overridden": {
                    "unpaid": str(computed.balance),
                    "currency": computed.currency,
                    "invoices": [row.invoice.number for row in computed.outstanding],
                }
            }
        case.notified_on = on
        with translation.override("en"):
            case.plan_told = plan_compute(case).as_dict()
        _transition(case, to=State.NOTIFIED, by=by, note=note, facts=facts)
        case.save(update_fields=["state", "notified_on", "plan_told"])
        Client.objects.filter(pk=case.client_id).update(status=Client.Status.OFFBOARDING)
        snapshots_relabel([case.client_id])
        checklist_sync(case)
        return case


WIND_DOWN_NEEDS = ("conversation", "letter")  # C1: told in person, then in writing


def case_wind_down(*, case: OffboardingCase, by) -> OffboardingCase:
    """notified → winding_down: the conversation has happened and the written follow-up is sent (C1, O9)."""
    with transaction.atomic():
        _lock(case)
        _acts_for_case(case, by)
        if case.state != State.NOTIFIED:
            raise CaseError(
                _("Only a notified case starts winding down; this case is %(state)s.")
                % {"state": case.get_state_display()}
            )
        waiting = CaseTask.objects.filter(case=case, kind__in=WIND_DOWN_NEEDS).exclude(status=CaseTask.Status.DONE)
        if waiting.exists():
            from .checklist import task_title

            raise CaseError(
                _("C1: first tell the client and follow up in writing. Not done yet: %(tasks)s.")
                % {"tasks": "; ".join(task_title(task) for task in waiting)}
            )
        _transition(case, to=State.WINDING_DOWN, by=by)
        case.save(update_fields=["state"])
        return case


def case_close(*, case: OffboardingCase, by, today: dt.date | None = None) -> OffboardingCase:
    """winding_down → closed: every required task done and the end date passed. The client is former (O8)."""
    with transaction.atomic():
        _lock(case)
        from .checklist import task_title

        _acts_for_case(case, by)
        if case.state != State.WINDING_DOWN:
            raise CaseError(
                _("Only a case that is winding down can be closed; this case is %(state)s.")
                % {"state": case.get_state_display()}
            )
        today = today or case.firm.today()
        plan = plan_compute(case, today=today)
        if today <= plan.end_date.value:
            raise CaseError(
                _("O1: the end date, %(day)s, has not passed yet; the case closes after it.")
                % {"day": plan.end_date.value.isoformat()}
            )
        waiting = list(CaseTask.objects.filter(case=case, required=True, status=CaseTask.Status.OPEN))
        if waiting:
            raise CaseError(
                _("Required tasks are still open: %(tasks)s.") % {"tasks": "; ".join(task_title(t) for t in waiting)}
            )
        _transition(case, to=State.CLOSED, by=by)
        case.outcome = OffboardingCase.Outcome.PARTED
        case.ended_on = plan.end_date.value
        case.closed_at = timezone.now()
        case.save(update_fields=["state", "outcome", "ended_on", "closed_at"])
        Client.objects.filter(pk=case.client_id).update(status=Client.Status.FORMER)
        snapshots_relabel([case.client_id])
        # O5: the end date is final now, so is the deletion date the client was told: schedule the purge.
        from parting.retention.services import schedule_for_case

        schedule_for_case(case, by=by, deletion_on=plan.deletion_date.value, end_on=plan.end_date.value)
        request_rescore(case.firm_id)  # a former client leaves the others' percentiles
        return case


def case_advance(*, case: OffboardingCase, by, unpaid_override: str = "", on: dt.date | None = None):
    """Move the case to its next state, whichever it is: the command line's `parting case advance`."""
    if case.state == State.DRAFT:
        return case_submit(case=case, by=by)
    if case.state == State.IN_REVIEW:
        raise CaseError(_("D4: a case in review moves on when owners or partners approve it."))
    if case.state == State.APPROVED:
        return case_notify(case=case, by=by, on=on, unpaid_override=unpaid_override)
    if case.state == State.NOTIFIED:
        return case_wind_down(case=case, by=by)
    if case.state == State.WINDING_DOWN:
        return case_close(case=case, by=by)
    raise CaseError(_("A case that is %(state)s goes no further.") % {"state": case.get_state_display()})


class TaskErrors(CaseError):
    """Refused checklist changes, each with its task: ``by_task`` maps a task's id to what was wrong with
    its change. Nothing of the batch was saved (one transaction)."""

    def __init__(self, by_task: dict[int, list[str]]):
        self.by_task = by_task
        super().__init__([message for messages in by_task.values() for message in messages])


@dataclass(frozen=True)
class TaskChange:
    """One task's change as a member sends it: ``None`` leaves a value as it is. ``seen_version`` is the
    task's version the member's page showed; ``None`` skips that check (the command line, the letter)."""

    task_id: int
    status: str | None = None
    notes: str | None = None
    owner: object | None = None
    seen_version: int | None = None


def task_update(
    *,
    task: CaseTask,
    by,
    status: str | None = None,
    notes: str | None = None,
    owner=None,
    today: dt.date | None = None,
    seen_version: int | None = None,
) -> CaseTask:
    """Mark a checklist task done (or not needed, or open again), change its notes or its owner.

    Doing a task records it where it belongs: an access grant is revoked (O2), a login handed back (O4).
    Cutting contact waits for the end date (O8); required tasks cannot be skipped.
    """
    change = TaskChange(task.pk, status=status, notes=notes, owner=owner, seen_version=seen_version)
    try:
        (updated,) = tasks_update(case=task.case, by=by, changes=[change], today=today)
    except TaskErrors as error:
        raise CaseError(error.messages) from None
    task.refresh_from_db()
    return updated


def tasks_update(
    *, case: OffboardingCase, by, changes: list[TaskChange], today: dt.date | None = None
) -> list[CaseTask]:
    """Save several checklist tasks at once — the checklist form — in one transaction: every change is
    made, or none is.

    Each task is re-read under lock. A task that is not on this case's checklist (another case's, or
    dropped meanwhile) is refused, and so is a task whose version differs from ``seen_version``:
    someone else changed it since the member's page showed it, and their change is not overwritten
    unseen. The rules of :func:`task_update` hold for each task; every refusal is reported with its
    task (:class:`TaskErrors`).
    """
    for change in changes:
        _fits(notes=(change.notes, NOTE))
    with transaction.atomic():
        case = _lock(case)
        case_membership(case, by)
        _refuse_unless(case, State.APPROVED, State.NOTIFIED, State.WINDING_DOWN, action=_("Updating the checklist"))
        today = today or case.firm.today()
        ids = [change.task_id for change in changes]
        tasks = {task.pk: task for task in CaseTask.objects.select_for_update().filter(case=case, pk__in=ids)}
        errors: dict[int, list[str]] = {}
        for change in changes:
            task = tasks.get(change.task_id)
            if task is None:
                errors[change.task_id] = [
                    _("Task %(id)s is no longer on this case's checklist.") % {"id": change.task_id}
                ]
            elif change.seen_version is not None and change.seen_version != task.version:
                errors[task.pk] = [
                    _(
                        "Someone else changed this task after you opened the page: it is now %(status)s. "
                        "Your change to it was not saved; check it, then save again."
                    )
                    % {"status": task.get_status_display()}
                ]
        if errors:
            raise TaskErrors(errors)
        for change in changes:
            try:
                _task_apply(case, tasks[change.task_id], change, by=by, today=today)
            except CaseError as error:
                errors[change.task_id] = error.messages
        if errors:
            raise TaskErrors(errors)  # rolls back the changes already made
        return [tasks[change.task_id] for change in changes]


def _task_apply(case: OffboardingCase, task: CaseTask, change: TaskChange, *, by, today: dt.date) -> None:
    """One task's change, inside :func:`tasks_update`'s transaction with case and task locked."""
    fields = []
    if change.owner is not None and change.owner != task.owner:
        if not Membership.objects.filter(user=change.owner, firm_id=case.firm_id, is_active=True).exists():
            raise CaseError(_("A task's owner must be a member of the firm."))
        task.owner = change.owner
        fields.append("owner")
    if change.notes is not None and change.notes != task.notes:
        task.notes = change.notes
        fields.append("notes")
    status = change.status
    if status is not None and status != task.status:
        if status not in CaseTask.Status.values:
            raise CaseError(_("A task is open, done or not needed."))
        if status == CaseTask.Status.SKIPPED and task.required:
            raise CaseError(_("A required task cannot be skipped; mark it done when it is."))
        if status == CaseTask.Status.DONE and task.kind in ("conversation", "letter") and case.state == State.APPROVED:
            raise CaseError(_("C1: record that the client was told (move the case to notified) first."))
        if status == CaseTask.Status.DONE and task.kind == "cut_contact" and today < plan_compute(case).end_date.value:
            raise CaseError(_("O8: contact stops after the end date, not before."))
        task.status = status
        task.done_on = today if status == CaseTask.Status.DONE else None
        fields += ["status", "done_on"]
        if status == CaseTask.Status.DONE and task.kind == "access" and task.key:
            AccessGrant.objects.filter(pk=int(task.key), client=case.client, revoked_on__isnull=True).update(
                revoked_on=today
            )
        if status == CaseTask.Status.DONE and task.kind == "cut_contact":
            Client.objects.filter(pk=case.client_id).update(status=Client.Status.FORMER)
            snapshots_relabel([case.client_id])
            request_rescore(case.firm_id)
        if status == CaseTask.Status.DONE and task.kind == "credential" and task.key:
            Credential.objects.filter(pk=int(task.key), client=case.client, handed_back_on__isnull=True).update(
                handed_back_on=today
            )
    if fields:
        task.version += 1
        task.save(update_fields=[*fields, "version"])
        audit_record(
            firm=case.firm,
            actor=by,
            action="case.task_updated",
            target=f"case:{case.pk}",
            data={"task": task.pk, "kind": task.kind, "status": task.status},
        )


def task_add(*, case: OffboardingCase, by, title: str, due_on: dt.date, required: bool = False) -> CaseTask:
    """A task of the user's own beside the generated ones."""
    _fits(title=(title, LABEL))
    with transaction.atomic():
        _lock(case)
        case_membership(case, by)
        _refuse_unless(case, State.APPROVED, State.NOTIFIED, State.WINDING_DOWN, action=_("Updating the checklist"))
        if not title.strip():
            raise CaseError(_("A task needs a title."))
        key = str(CaseTask.objects.filter(case=case, kind="custom").count() + 1)
        while CaseTask.objects.filter(case=case, kind="custom", key=key).exists():
            key = str(int(key) + 1)
        task = CaseTask.objects.create(
            case=case,
            kind="custom",
            key=key,
            params={"title": title.strip()},
            required=required,
            owner=by,
            due_on=due_on,
            order=900,
        )
        audit_record(
            firm=case.firm, actor=by, action="case.task_added", target=f"case:{case.pk}", data={"task": task.pk}
        )
        return task
