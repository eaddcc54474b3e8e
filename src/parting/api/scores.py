"""/api/v1/scores: the stored scores (issue 12), as the dashboard and the client page read them.

The latest scored day of the firm (``ensure_scored`` scores it first if it never was) and one
client's history of stored days. Reads only: a client added since the last pass gets a 404 with a
re-score requested, as the client page asks for one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Router, Schema

from parting.clients.selectors import client_get
from parting.scores.models import Snapshot
from parting.scores.selectors import StoredScore, client_score, latest, stored
from parting.scores.services import ensure_scored, request_rescore

from .common import DateQuery, Id, Page, PageQuery, filter_dates, paginate
from .problems import ApiError

router = Router(tags=["scores"])


class SignOut(Schema):
    id: str
    title: str
    value: float | None
    band: str | None
    percentile: float | None
    weight: float
    explanation: str


class ScoreOut(Schema):
    client_id: int
    name: str
    day: dt.date
    computed_at: dt.datetime
    enough_evidence: bool
    score: int
    advice: str
    revenue: Decimal
    effective_rate: Decimal | None
    reasons: list[str]
    dealbreakers: list[str]
    signs: list[SignOut]


class HistoryPoint(Schema):
    day: dt.date
    score: int | None
    advice: str
    backfilled: bool


def score_out(result: StoredScore, *, with_signs: bool = True) -> dict:
    return {
        "client_id": result.client_id,
        "name": result.name,
        "day": result.day,
        "computed_at": result.computed_at,
        "enough_evidence": result.enough_evidence,
        "score": result.score,
        "advice": result.recommendation,
        "revenue": result.revenue,
        "effective_rate": result.effective_rate,
        "reasons": [str(r) for r in result.reasons],
        "dealbreakers": [str(d.text) for d in result.dealbreakers],
        "signs": [
            {
                "id": s.id,
                "title": s.title,
                "value": s.value,
                "band": s.band,
                "percentile": s.percentile,
                "weight": s.weight,
                "explanation": str(s.explanation),
            }
            for s in result.signs
        ]
        if with_signs
        else [],
    }


@router.get("/scores", response=Page[ScoreOut], summary="Latest stored score of every client")
def scores_list(request, page: PageQuery, advice: str | None = None):
    state = ensure_scored(request.firm)
    rows = latest(state).order_by("rank", "name_key", "client_id")
    if advice:
        rows = rows.filter(advice=advice)
    return paginate(rows, page, lambda row: score_out(stored([row])[0], with_signs=False))


@router.get("/clients/{client_id}/score", response=ScoreOut, summary="A client's latest stored score")
def score_read(request, client_id: Id):
    client = client_get(firm=request.firm, pk=client_id)
    result = client_score(ensure_scored(request.firm), client.pk)
    if result is None:
        request_rescore(request.firm)
        raise ApiError(404, _("Not scored yet: the client is scored on the next pass; try again shortly."))
    return score_out(result)


@router.get(
    "/clients/{client_id}/score/history",
    response=Page[HistoryPoint],
    summary="A client's stored scores, newest first",
)
def score_history(request, client_id: Id, page: PageQuery, dates: DateQuery):
    client = client_get(firm=request.firm, pk=client_id)
    rows = Snapshot.objects.filter(firm=request.firm, client=client).order_by("-day")
    rows = filter_dates(rows, "day", dates).values("day", "score", "advice", "backfilled")
    return paginate(rows, page)
