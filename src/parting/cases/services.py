"""Every change to a case is one function here: it checks role and preconditions, then writes the
change, a transition row and an audit entry in one transaction (DOMAIN.md D3, D4, D8).

States: draft → in_review → approved → notified → winding_down → closed, and withdrawn from any
state before notified. This module implements the states up to approval and withdrawal; notice,
plan and checklist build on it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parting.audit.services import audit_record
from parting.clients.models import Client
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, TimeEntry
from parting.firms.models import Membership
from parting.signs.catalogue import BY_ID
from parting.signs.evidence import sign_evidence
from parting.signs.policy import policy_for
from parting.signs.scoring import Scorer, window

from .models import CaseReason, CaseReview, CaseTransition, OffboardingCase

State = OffboardingCase.State
MIN_REASONS = 3  # D8
BEFORE_NOTICE = (State.DRAFT, State.IN_REVIEW, State.APPROVED)
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


def _membership(case: OffboardingCase, user) -> Membership:
    membership = Membership.objects.filter(user=user, firm_id=case.firm_id).first()
    if membership is None:
        raise CaseError(_("Only members of the firm can act on its cases."))
    return membership


def _transition(case: OffboardingCase, *, to: str, by, note: str = "") -> None:
    CaseTransition.objects.create(case=case, from_state=case.state, to_state=to, by=by, note=note)
    audit_record(
        firm=case.firm,
        actor=by,
        action="case." + to,
        target=f"case:{case.pk}",
        data={"from": case.state, "to": to, "note": note},
    )
    case.state = to


@transaction.atomic
def case_open(
    *, client: Client, by, outward_reason: str = OffboardingCase.OutwardReason.GENERAL, attitude: bool = False
) -> OffboardingCase:
    """Any member opens a case for a client of their firm."""
    if not Membership.objects.filter(user=by, firm_id=client.firm_id).exists():
        raise CaseError(_("Only members of the firm can open a case for its client."))
    if OffboardingCase.objects.filter(client=client).exclude(state__in=[State.CLOSED, State.WITHDRAWN]).exists():
        raise CaseError(_("%(client)s already has an open case.") % {"client": client.name})
    case = OffboardingCase.objects.create(
        firm=client.firm, client=client, opened_by=by, outward_reason=outward_reason, attitude=attitude
    )
    audit_record(firm=case.firm, actor=by, action="case.opened", target=f"case:{case.pk}", data={"client": client.pk})
    return case


@transaction.atomic
def case_reason_add(
    *, case: OffboardingCase, by, sign_id: str = "", text: str = "", evidence: list[tuple[str, int]] = ()
) -> CaseReason:
    """Add a reason (D8): a sign, snapshotted now with the rows behind it, or a written reason
    pointing at evidence rows of this client."""
    _membership(case, by)
    if case.state not in (State.DRAFT, State.IN_REVIEW):
        raise CaseError(_("Reasons can only be added while the case is a draft or in review."))
    if sign_id:
        sign = BY_ID.get(sign_id)
        if sign is None:
            raise CaseError(_("%(id)s is not a warning sign (W1–W15).") % {"id": sign_id})
        scorer = Scorer(case.firm)
        result = next(r for r in scorer.score(client_ids=[case.client_id]) if r.client_id == case.client_id)
        found = result.sign(sign_id)
        start, end = window(scorer.as_of, scorer.policy.window_months)
        rows = [
            {"kind": kind, "id": row.pk, "text": str(row)}
            for kind, queryset in sign_evidence(case.client, sign_id, start, end)
            for row in queryset[:200]
        ]
        snapshot = {
            "title": str(sign.title),
            "value": found.value,
            "band": found.band,
            "percentile": found.percentile,
            "explanation": found.explanation,
            "window": [start.isoformat(), end.isoformat()],
            "evidence": rows,
        }
        reason = CaseReason.objects.create(case=case, sign_id=sign_id, text=text, snapshot=snapshot, added_by=by)
    else:
        if not text.strip():
            raise CaseError(_("A written reason needs its text."))
        rows = []
        for kind, pk in evidence:
            model = EVIDENCE_MODELS.get(kind)
            row = model.objects.filter(pk=pk, client=case.client, firm=case.firm).first() if model else None
            if row is None:
                raise CaseError(
                    _("Evidence %(kind)s %(id)s is not a record of this client.") % {"kind": kind, "id": pk}
                )
            rows.append({"kind": kind, "id": row.pk, "text": str(row)})
        reason = CaseReason.objects.create(case=case, text=text.strip(), snapshot={"evidence": rows}, added_by=by)
    audit_record(
        firm=case.firm,
        actor=by,
        action="case.reason_added",
        target=f"case:{case.pk}",
        data={"reason": reason.pk, "sign": sign_id},
    )
    return reason


@transaction.atomic
def case_submit(*, case: OffboardingCase, by) -> OffboardingCase:
    """draft → in_review: needs at least three documented reasons (D8)."""
    _membership(case, by)
    if case.state != State.DRAFT:
        raise CaseError(
            _("Only a draft can be sent for review; this case is %(state)s.") % {"state": case.get_state_display()}
        )
    count = case.reasons.count()
    if count < MIN_REASONS:
        raise CaseError(
            _("D8: a case needs at least %(min)d documented reasons before review; it has %(n)d.")
            % {"min": MIN_REASONS, "n": count}
        )
    _transition(case, to=State.IN_REVIEW, by=by)
    case.submitted_at = timezone.now()
    case.save(update_fields=["state", "submitted_at"])
    Client.objects.filter(pk=case.client_id).update(status=Client.Status.UNDER_REVIEW)
    return case


@transaction.atomic
def case_review(
    *, case: OffboardingCase, by, decision: str, comment: str = "", now: dt.datetime | None = None
) -> OffboardingCase:
    """An owner or partner approves or objects (D4). Enough approvals move the case to approved.

    Approvals count only from owners and partners other than the opener; in a firm with no other
    owner or partner, the opener may approve their own case after the cooling-off period (D3).
    """
    membership = _membership(case, by)
    if not membership.is_senior:
        raise CaseError(_("D4: only owners and partners review cases."))
    if case.state != State.IN_REVIEW:
        raise CaseError(
            _("Only a case in review can be reviewed; this case is %(state)s.") % {"state": case.get_state_display()}
        )
    if decision not in CaseReview.Decision.values:
        raise CaseError(_("A review approves or objects."))
    policy = policy_for(case.firm)
    if by.pk == case.opened_by_id and decision == CaseReview.Decision.APPROVE:
        others = Membership.objects.filter(
            firm_id=case.firm_id, role__in=[Membership.Role.OWNER, Membership.Role.PARTNER]
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
    approvals = case.reviews.filter(decision=CaseReview.Decision.APPROVE).values("reviewer").distinct().count()
    needed = 1 if _is_firm_of_one(case) else policy.case_approvals
    if decision == CaseReview.Decision.APPROVE and approvals >= needed:
        _transition(case, to=State.APPROVED, by=by, note=comment)
        case.save(update_fields=["state"])
    return case


def _is_firm_of_one(case: OffboardingCase) -> bool:
    return (
        not Membership.objects.filter(firm_id=case.firm_id, role__in=[Membership.Role.OWNER, Membership.Role.PARTNER])
        .exclude(user_id=case.opened_by_id)
        .exists()
    )


@transaction.atomic
def case_withdraw(
    *, case: OffboardingCase, by, note: str = "", outcome: str = OffboardingCase.Outcome.KEPT
) -> OffboardingCase:
    """Withdraw a case before the client is told; afterwards the decision stands (D11)."""
    membership = _membership(case, by)
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
    return case


@transaction.atomic
def case_take_over(*, case: OffboardingCase, by, note: str = "") -> OffboardingCase:
    """D4: a partner keeps the client themselves; the case is withdrawn with that outcome."""
    membership = _membership(case, by)
    if not membership.is_senior:
        raise CaseError(_("D4: only an owner or a partner can take a client over."))
    case_withdraw(case=case, by=by, note=note, outcome=OffboardingCase.Outcome.TAKEN_OVER)
    Client.objects.filter(pk=case.client_id).update(assigned_to=by)
    return case
