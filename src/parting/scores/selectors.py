"""Reading stored scores (issue 12 §2, §3): the latest snapshot of a firm or a client, and the trend.

Nothing here reads the evidence tables or runs the scorer: a page costs a few indexed queries on the
snapshot table whatever the firm's size. Texts (explanations, reasons, dealbreakers) are written when
read, in the reader's language, from the numbers the snapshot keeps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from parting.signs.catalogue import BY_ID
from parting.signs.scoring import LEADS, dealbreaker_text

from .models import FirmSummary, ScoreState, Snapshot
from .summary import SUMMARY_FIELDS, Item, summarize


class StoredSign:
    """One sign of a stored score, read like the scorer's SignResult."""

    __slots__ = ("_components", "band", "percentile", "sign", "subscore", "value", "weight")

    def __init__(self, sign, value, band, subscore, percentile, weight, components):
        self.sign = sign
        self.value = value
        self.band = band
        self.subscore = subscore
        self.percentile = percentile
        self.weight = weight
        self._components = components

    id = property(lambda self: self.sign.id)
    unit = property(lambda self: self.sign.unit)
    title = property(lambda self: str(self.sign.title))

    def _get_explanation(self) -> str:
        if self.value is None:
            return _("No evidence in the window.")
        return self.sign.explain(self._components, self.value)

    explanation = property(_get_explanation)


class StoredDealbreaker:
    __slots__ = ("n", "rule", "stored_text")

    def __init__(self, item: dict):
        self.rule = item.get("rule") or {}
        self.n = item.get("n")
        self.stored_text = item.get("text", "")

    def _get_text(self) -> str:
        """The same words the scorer writes, in the reader's language."""
        return dealbreaker_text(self.rule, self.n) or self.stored_text

    text = property(_get_text)


class StoredScore:
    """One client's stored score, read like the scorer's ClientScore by the templates."""

    def __init__(self, row: Snapshot):
        self.row = row
        self.client_id = row.client_id
        self.name = row.name
        self.status = row.status
        self.enough_evidence = row.score is not None
        self.score = row.score if row.score is not None else 100
        self.recommendation = row.advice
        self.revenue = row.revenue
        self.revenue_share = row.revenue_share
        self.hours = row.hours
        self.effective_rate = row.effective_rate
        self.referred = row.referred
        self.referred_revenue = row.referred_revenue
        self.computed_at = row.computed_at
        self.day = row.day
        self.backfilled = row.backfilled
        self.trend: list[tuple[str, int]] = []

    def _get_components(self) -> defaultdict:
        return defaultdict(float, self.row.components)

    def _get_target_rate(self):
        from decimal import Decimal

        return Decimal(str(self.row.components.get("target_rate", 0))).quantize(Decimal("0.01"))

    target_rate = property(_get_target_rate)

    def _get_signs(self) -> list[StoredSign]:
        components = self._get_components()
        out = []
        for sign_id, stored in self.row.signs.items():
            sign = BY_ID.get(sign_id)
            if sign is None:
                continue
            value, band, subscore, percentile, *rest = stored
            out.append(
                StoredSign(sign, value, band, subscore, percentile, rest[0] if rest else sign.weight, components)
            )
        return out

    def _get_cached_signs(self) -> list[StoredSign]:
        if not hasattr(self, "_signs"):
            self._signs = self._get_signs()
        return self._signs

    signs = property(_get_cached_signs)

    def sign(self, sign_id: str) -> StoredSign | None:
        return next((s for s in self.signs if s.id == sign_id), None)

    def _get_dealbreakers(self) -> list[StoredDealbreaker]:
        return [StoredDealbreaker(item) for item in self.row.dealbreakers]

    dealbreakers = property(_get_dealbreakers)

    def _get_top_signs(self) -> list[StoredSign]:
        judged = [s for s in self.signs if s.band in ("poor", "concerning")]
        return sorted(judged, key=lambda s: (s.subscore, -s.weight))[:3]

    top_signs = property(_get_top_signs)

    def _get_reasons(self) -> list[str]:
        """Dealbreakers first, then the lead, then the troubled signs, worst first (as the scorer)."""
        troubled = sorted((s for s in self.signs if s.band in ("poor", "concerning")), key=lambda s: s.subscore)
        signs = [
            _("%(id)s %(title)s: %(explanation)s") % {"id": s.id, "title": s.title, "explanation": s.explanation}
            for s in troubled
        ]
        breakers = [_("Dealbreaker: %(text)s") % {"text": d.text} for d in self.dealbreakers]
        lead = self.row.lead
        leads = [str(LEADS[lead[0]]) % lead[1]] if lead and lead[0] in LEADS else []
        return [*breakers, *leads, *signs]

    reasons = property(_get_reasons)

    def _get_first_reason(self) -> str:
        """The first of ``reasons``, without writing the others (the shortlist shows one a client)."""
        if self.row.dealbreakers:
            return _("Dealbreaker: %(text)s") % {"text": self.dealbreakers[0].text}
        lead = self.row.lead
        if lead and lead[0] in LEADS:
            return str(LEADS[lead[0]]) % lead[1]
        troubled = [s for s in self.signs if s.band in ("poor", "concerning")]
        if not troubled:
            return ""
        s = min(troubled, key=lambda s: s.subscore)
        return _("%(id)s %(title)s: %(explanation)s") % {"id": s.id, "title": s.title, "explanation": s.explanation}

    first_reason = property(_get_first_reason)


def latest(state: ScoreState) -> QuerySet:
    """The rows of the firm's latest scored day. Each carries its client's name and status (kept up to
    date when the client is saved), so the table neither joins the clients nor sorts the firm."""
    return Snapshot.objects.filter(firm_id=state.firm_id, day=state.scored_day)


def stored(rows: Iterable[Snapshot]) -> list[StoredScore]:
    return [StoredScore(row) for row in rows]


def rows_of(state: ScoreState, client_ids: Iterable[int]) -> dict[int, Snapshot]:
    """The latest day's rows of some of the firm's clients, by client id: looked up on the (client, day)
    unique index, and any row of another firm dropped. (With the firm in the WHERE clause, SQLite
    preferred the (firm, day) index and read the firm's whole day: 10,000 rows for 10.)"""
    rows = Snapshot.objects.filter(client_id__in=list(client_ids), day=state.scored_day)
    return {row.client_id: row for row in rows if row.firm_id == state.firm_id}


def client_score(state: ScoreState, client_id: int) -> StoredScore | None:
    """One client's row of the latest day: one lookup on the (client, day) unique index."""
    row = Snapshot.objects.filter(client_id=client_id, day=state.scored_day, firm_id=state.firm_id).first()
    return None if row is None else StoredScore(row)


def summary(state: ScoreState) -> FirmSummary | None:
    """The dashboard's figures of the firm's latest scored day (see :mod:`parting.scores.summary`).

    Written with the day's snapshots; a day stored before summaries existed is summarised here once,
    from its rows, and kept.
    """
    if state.scored_day is None:
        return None
    row = FirmSummary.objects.filter(firm_id=state.firm_id, day=state.scored_day).first()
    if row is not None and row.complete:
        return row
    fields = ("client_id", "name", "name_key", "status", "score", "advice", "revenue", "hours")
    items = [Item(*values) for values in latest(state).values_list(*fields)]
    row = FirmSummary(
        firm_id=state.firm_id, day=state.scored_day, computed_at=state.scored_at, complete=True, **summarize(items)
    )
    FirmSummary.objects.bulk_create(  # one upsert: two pages doing this at once write the same figures
        [row],
        update_conflicts=True,
        unique_fields=["firm", "day"],
        update_fields=list(SUMMARY_FIELDS),
    )
    return row


def _points(state: ScoreState, client_ids: list[int], days: list[dt.date]) -> dict[int, dict[dt.date, tuple]]:
    if not client_ids or not days:
        return {}
    out: dict[int, dict[dt.date, tuple]] = defaultdict(dict)
    # Found by the (client, day) unique index, another firm's rows dropped here: with the firm in the
    # WHERE clause, SQLite preferred the (firm, day) index and read every client's rows of those days
    # (200 ms at 10,000 clients).
    rows = Snapshot.objects.filter(client_id__in=client_ids, day__in=days)
    for firm_id, client_id, day, score, backfilled in rows.values_list(
        "firm_id", "client_id", "day", "score", "backfilled"
    ):
        if firm_id == state.firm_id:
            out[client_id][day] = (score, backfilled)
    return out


def trend_days(state: ScoreState, *, months: int = 12, weeks: int = 18) -> tuple[list[dt.date], list[dt.date]]:
    """The stored days the trend shows: the last scored day of each of the last ``months`` months, and
    of each of the last ``weeks`` weeks. One query over the firm's scored days."""
    today = state.scored_day
    if today is None:
        return [], []
    first_month = (today.year * 12 + today.month - 1) - months + 1
    since = dt.date(first_month // 12, first_month % 12 + 1, 1)
    # The firm's stored days, from its summaries (one row a day) rather than the snapshots' distinct
    # days (10,000 rows a day).
    days = sorted(
        FirmSummary.objects.filter(firm_id=state.firm_id, day__gte=since, day__lte=today).values_list("day", flat=True)
    )
    by_month: dict[tuple[int, int], dt.date] = {}
    by_week: dict[tuple[int, int], dt.date] = {}
    week_since = today - dt.timedelta(weeks=weeks)
    for day in days:
        by_month[(day.year, day.month)] = day
        if day > week_since:
            by_week[day.isocalendar()[:2]] = day
    return sorted(by_month.values()), sorted(by_week.values())


def monthly_trends(state: ScoreState, client_ids: list[int]) -> dict[int, list[tuple[str, int, bool]]]:
    """Each client's stored monthly points: (YYYY-MM, fit score, back-filled), oldest first."""
    monthly, _weekly = trend_days(state)
    points = _points(state, client_ids, monthly)
    out: dict[int, list[tuple[str, int, bool]]] = {}
    for client_id in client_ids:
        own = points.get(client_id, {})
        out[client_id] = [
            (day.strftime("%Y-%m"), own[day][0], own[day][1])
            for day in monthly
            if day in own and own[day][0] is not None
        ]
    return out


def client_trend(state: ScoreState, client_id: int) -> dict:
    """One client's monthly and weekly points: [(day, score, back-filled)], oldest first."""
    monthly, weekly = trend_days(state)
    points = _points(state, [client_id], sorted(set(monthly) | set(weekly))).get(client_id, {})

    def series(days):
        return [(day, points[day][0], points[day][1]) for day in days if day in points and points[day][0] is not None]

    return {"monthly": series(monthly), "weekly": series(weekly)}


def status(state: ScoreState) -> dict:
    """What a page says about its scores: when computed, and whether a re-score is waiting or running."""
    return {"score_state": state, "rescoring": state.requested_at is not None or state.claimed_at is not None}
