"""A firm's day in a handful of numbers: what the dashboard aggregates, computed once per scored day
(issue 12 §2) from the rows just scored, in Python, while they are still in memory.

The dashboard used to compute these with a dozen GROUP BY queries over 10,000 snapshot rows on every
request (about 450 ms at 10,000 clients, bench/pages.py). :func:`summarize` computes the same figures
with the same rules, and :func:`parting.scores.services.store_day` writes them beside the snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from parting.signs.policy import HEALTHY_SCORE, POOR_SCORE

SHORTLIST = 10  # the "consider parting" card lists this many; a link leads to all of them
EFFORT_POINTS = 50  # the effort chart plots this many clients (most hours first) and the rest as one point
# The effort chart's text alternative groups clients by the hours they took, so the page stays small
# with hundreds of clients: (lowest hours, highest hours or None for "and more").
HOUR_BINS = ((0, 10), (10, 25), (25, 50), (50, 100), (100, 200), (200, None))
BANDS = ("healthy", "concerning", "poor")
ADVICE = ("keep", "talk_first", "consider_parting", "insufficient")
FORMER = "former"
# The columns of a FirmSummary an upsert rewrites.
SUMMARY_FIELDS = (
    "computed_at",
    "complete",
    "counts",
    "distribution",
    "shortlist",
    "effort_points",
    "effort_bins",
    "total_revenue",
)


class Item(NamedTuple):
    """What the summary needs of one client's score on the day."""

    client_id: int
    name: str
    name_key: str
    status: str
    score: int | None  # None: not enough evidence
    advice: str
    revenue: Decimal
    hours: float


def band_of(score) -> str:
    """healthy / concerning / poor, where the table's colours put the score (70 and 30)."""
    if score is None:
        return "none"
    return "healthy" if score >= HEALTHY_SCORE else "concerning" if score >= POOR_SCORE else "poor"


def _bin(hours: float) -> int:
    for index, (low, high) in enumerate(HOUR_BINS):
        if hours >= low and (high is None or hours < high):
            return index
    return 0


def summarize(items: Iterable[Item]) -> dict:
    """The dashboard's figures over the day's current clients (former clients are left out).

    The shortlist is the first ``SHORTLIST`` clients advised to part, by score then name (the table's
    order); the effort chart's points are the ``EFFORT_POINTS`` clients with the most hours, and one
    point for the rest (their average hours, revenue and score). Clients are kept by id, never by
    name: the page reads the names from the day's rows, so a renamed client shows its new name and
    a purged one leaves nothing behind here.
    """
    current = [i for i in items if i.status != FORMER]
    counts = dict.fromkeys(ADVICE, 0)
    for i in current:
        counts[i.advice] = counts.get(i.advice, 0) + 1
    scored = [i for i in current if i.score is not None]
    distribution = [0] * 10
    for i in scored:
        distribution[min(i.score // 10, 9)] += 1
    parting = sorted(
        (i for i in current if i.advice == "consider_parting"),
        key=lambda i: (100 if i.score is None else i.score, i.name_key, i.client_id),
    )
    by_hours = sorted(scored, key=lambda i: (-i.hours, i.client_id))
    top, rest = by_hours[:EFFORT_POINTS], by_hours[EFFORT_POINTS:]
    points = [
        {
            "client_id": i.client_id,
            "x": round(i.hours, 1),
            "y": float(i.revenue),
            "score": i.score,
            "band": band_of(i.score),
        }
        for i in top
    ]
    if rest:
        n = len(rest)
        score = round(sum(i.score for i in rest) / n)
        points.append(
            {
                "x": round(sum(i.hours for i in rest) / n, 1),
                "y": float(sum((i.revenue for i in rest), Decimal(0)) / n),
                "score": score,
                "band": band_of(score),
                "others": n,
            }
        )
    bins: dict[int, dict] = {}
    for i in scored:
        entry = bins.setdefault(
            _bin(i.hours), {"clients": 0, "bands": dict.fromkeys(BANDS, 0), "revenue": Decimal(0), "hours": 0.0}
        )
        entry["clients"] += 1
        entry["bands"][band_of(i.score)] += 1
        entry["revenue"] += i.revenue
        entry["hours"] += i.hours
    effort_bins = [
        {
            "low": low,
            "high": high,
            "clients": bins[index]["clients"],
            "bands": bins[index]["bands"],
            "revenue": str(bins[index]["revenue"]),
            "hours": bins[index]["hours"],
        }
        for index, (low, high) in enumerate(HOUR_BINS)
        if index in bins
    ]
    return {
        "counts": counts,
        "distribution": distribution,
        "shortlist": [i.client_id for i in parting[:SHORTLIST]],
        "effort_points": points,
        "effort_bins": effort_bins,
        "total_revenue": sum((i.revenue for i in current), Decimal(0)),
    }


def read_bins(stored: list[dict]) -> list[dict]:
    """The effort table's rows as the template reads them: money as Decimal, revenue per hour."""
    out = []
    for row in stored:
        revenue = Decimal(row["revenue"])
        hours = row["hours"]
        out.append(
            {
                "low": row["low"],
                "high": row["high"],
                "clients": row["clients"],
                "bands": row["bands"],
                "revenue": revenue,
                "rate": revenue / Decimal(str(hours)) if hours else None,
            }
        )
    return out
