"""/api/v1/cases: read cases; open one, add reasons, review it, move it on — through
``parting.cases.services``, so the same rules refuse the same things as on the pages and the
command line (D8 three reasons, D4 approvals by owners or partners, D10 paid in full …). A refusal
is a 409 whose detail names the rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django import forms
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from parting.cases import services
from parting.cases.forms import CaseOpenForm, NoteForm, ReasonForm, ReviewForm
from parting.cases.models import OffboardingCase
from parting.cases.selectors import case_get
from parting.clients.selectors import client_get
from parting.core import limits
from parting.core.requests import DB_INT_MAX

from .common import DateQuery, Id, Page, PageQuery, paginate, validated
from .problems import ApiError

router = Router(tags=["cases"])
State = OffboardingCase.State


class ReasonOut(Schema):
    id: int
    sign_id: str
    text: str
    added_at: dt.datetime


class ReviewOut(Schema):
    reviewer: int
    decision: str
    at: dt.datetime


class TransitionOut(Schema):
    from_state: str
    to_state: str
    by: int
    at: dt.datetime


class CaseOut(Schema):
    id: int
    client_id: int
    state: str
    outward_reason: str
    attitude: bool
    outcome: str
    advice_at_open: str
    opened_by: int
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    notified_on: dt.date | None
    ended_on: dt.date | None
    reasons: list[ReasonOut] = []
    reviews: list[ReviewOut] = []
    transitions: list[TransitionOut] = []


def case_out(case: OffboardingCase, *, full: bool = True) -> dict:
    out = {
        "id": case.pk,
        "client_id": case.client_id,
        "state": case.state,
        "outward_reason": case.outward_reason,
        "attitude": case.attitude,
        "outcome": case.outcome,
        "advice_at_open": case.advice_at_open,
        "opened_by": case.opened_by_id,
        "created_at": case.created_at,
        "submitted_at": case.submitted_at,
        "notified_on": case.notified_on,
        "ended_on": case.ended_on,
    }
    if full:
        out["reasons"] = [
            {"id": r.pk, "sign_id": r.sign_id, "text": r.text, "added_at": r.added_at} for r in case.reasons.all()
        ]
        out["reviews"] = [
            {"reviewer": r.reviewer_id, "decision": r.decision, "at": r.at} for r in case.reviews.order_by("at")
        ]
        out["transitions"] = [
            {"from_state": t.from_state, "to_state": t.to_state, "by": t.by_id, "at": t.at}
            for t in case.transitions.order_by("at", "pk")
        ]
    return out


class CaseOpenIn(Schema):
    outward_reason: OffboardingCase.OutwardReason = OffboardingCase.OutwardReason.GENERAL
    attitude: bool = False
    against_advice: str = Field("", description="D1: needed when the evidence advises keeping the client.")


class EvidenceRef(Schema):
    kind: Literal["invoice", "payment", "meeting", "message", "request", "incident", "time"]
    id: int = Field(..., ge=1, le=DB_INT_MAX)


class ReasonIn(Schema):
    """A warning sign (``sign_id``, W1–W15), or a written reason (``text``) with the evidence it points at."""

    sign_id: str = ""
    text: str = ""
    evidence: list[EvidenceRef] = Field([], max_length=200)


class ReviewIn(Schema):
    decision: Literal["approve", "object"]
    comment: str = ""


class AdvanceIn(Schema):
    on: dt.date | None = Field(None, description="approved → notified: the day the client was told.")
    unpaid_override: str = Field("", description="D10: why the client is told although not paid in full.")


class WithdrawIn(Schema):
    note: str = ""


@router.get("/cases", response=Page[CaseOut], summary="List cases")
def cases_list(request, page: PageQuery, dates: DateQuery, state: State | None = None):
    """``from``/``to`` filter by the day the case was opened, on the firm's calendar."""
    rows = OffboardingCase.objects.filter(firm=request.firm).order_by("-created_at", "-pk")
    if state:
        rows = rows.filter(state=state)
    start, end = dates.checked()
    if start or end:
        rows = rows.annotate(opened_day=TruncDate("created_at"))
        rows = rows.filter(opened_day__gte=start) if start else rows
        rows = rows.filter(opened_day__lte=end) if end else rows
    return paginate(rows, page, lambda case: case_out(case, full=False))


@router.get("/cases/{case_id}", response=CaseOut, summary="Read a case with its reasons, reviews and steps")
def cases_read(request, case_id: Id):
    return case_out(case_get(firm=request.firm, pk=case_id))


@router.post("/clients/{client_id}/case", response={201: CaseOut}, summary="Open a case for a client")
def cases_open(request, client_id: Id, payload: CaseOpenIn):
    client = client_get(firm=request.firm, pk=client_id)
    advice = services.client_advice(client)
    data = payload.dict()
    data["outward_reason"] = str(getattr(data["outward_reason"], "value", data["outward_reason"]))
    form = validated(CaseOpenForm(data, advice=advice))
    case = services.case_open(client=client, by=request.user, **form.cleaned_data)
    return Status(201, case_out(case))


@router.post("/cases/{case_id}/reasons", response={201: ReasonOut}, summary="Add a reason (D8)")
def cases_reason_add(request, case_id: Id, payload: ReasonIn):
    case = case_get(firm=request.firm, pk=case_id)
    form = validated(ReasonForm({"sign_id": payload.sign_id, "text": payload.text}, client=case.client, timeline=[]))
    reason = services.case_reason_add(
        case=case,
        by=request.user,
        sign_id=form.cleaned_data["sign_id"],
        text=form.cleaned_data["text"],
        evidence=[(ref.kind, ref.id) for ref in payload.evidence],
    )
    return Status(201, {"id": reason.pk, "sign_id": reason.sign_id, "text": reason.text, "added_at": reason.added_at})


@router.post("/cases/{case_id}/review", response=CaseOut, summary="Approve or object (D4)")
def cases_review(request, case_id: Id, payload: ReviewIn):
    case = case_get(firm=request.firm, pk=case_id)
    form = validated(ReviewForm(payload.dict()))
    services.case_review(case=case, by=request.user, **form.cleaned_data)
    return case_out(case_get(firm=request.firm, pk=case_id))


@router.post("/cases/{case_id}/advance", response=CaseOut, summary="Move the case to its next state")
def cases_advance(request, case_id: Id, payload: AdvanceIn):
    """draft → in review (D8), approved → notified (``on``; D10), notified → winding down → closed.
    A case in review moves on only by reviews."""
    case = case_get(firm=request.firm, pk=case_id)
    field = forms.CharField(required=False, max_length=limits.NOTE)
    try:
        override = field.clean(payload.unpaid_override)
    except forms.ValidationError as error:
        raise ApiError(422, _("The request is not valid: see errors."), [
            {"field": "unpaid_override", "message": m} for m in error.messages
        ]) from None  # fmt: skip
    services.case_advance(case=case, by=request.user, on=payload.on, unpaid_override=override)
    return case_out(case_get(firm=request.firm, pk=case_id))


@router.post("/cases/{case_id}/withdraw", response=CaseOut, summary="Withdraw a case (before the client is told)")
def cases_withdraw(request, case_id: Id, payload: WithdrawIn):
    case = case_get(firm=request.firm, pk=case_id)
    form = validated(NoteForm(payload.dict()))
    services.case_withdraw(case=case, by=request.user, note=form.cleaned_data["note"])
    return case_out(case_get(firm=request.firm, pk=case_id))
