"""The dashboard: every client ranked by fit score, with the evidence in one glance."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from parting.cases.checklist import task_title
from parting.cases.selectors import former_client_evidence, overdue_tasks
from parting.clients.models import Client
from parting.core.requests import int_param
from parting.firms.access import member_required
from parting.signs.scoring import RECOMMENDATIONS, Scorer
from parting.web.first_run import first_run
from parting.web.templatetags.parting import score_band

SORTS = {
    "score": lambda r: (r.score, r.name.lower()),
    "-score": lambda r: (-r.score, r.name.lower()),
    "name": lambda r: r.name.lower(),
    "-revenue": lambda r: (-r.revenue, r.name.lower()),
    "rate": lambda r: (r.effective_rate is None, r.effective_rate or 0, r.name.lower()),
}


# The effort chart's text alternative groups clients by the hours they took, so the page stays small
# with hundreds of clients: (lowest hours, highest hours or None for "and more").
HOUR_BINS = ((0, 10), (10, 25), (25, 50), (50, 100), (100, 200), (200, None))
BANDS = ("healthy", "concerning", "poor")


def band_of(score) -> str:
    """healthy / concerning / poor for a fit score: the same cut the table's colours use (score_band),
    so the charts and the table never disagree on where "poor" starts."""
    return score_band(score).removeprefix("band-")


def effort_bins(scored) -> list[dict]:
    """Clients, revenue and revenue per hour for each range of hours in the window, with how many
    clients of each band: the numbers of the revenue-against-effort chart as a table."""
    bins = []
    for low, high in HOUR_BINS:
        inside = [r for r in scored if r.hours >= low and (high is None or r.hours < high)]
        if not inside:
            continue
        hours = sum(r.hours for r in inside)
        revenue = sum(r.revenue for r in inside)
        bins.append(
            {
                "low": low,
                "high": high,
                "clients": len(inside),
                "bands": {band: sum(1 for r in inside if band_of(r.score) == band) for band in BANDS},
                "revenue": revenue,
                "rate": revenue / Decimal(str(hours)) if hours else None,
            }
        )
    return bins


@member_required
def dashboard(request):
    scorer = Scorer(request.firm)
    everyone = scorer.score()
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "current")
    advice = request.GET.get("advice", "")
    sort = request.GET.get("sort", "score")
    results = everyone
    if status == "current":
        results = [r for r in results if r.status != Client.Status.FORMER]
    elif status in Client.Status.values:
        results = [r for r in results if r.status == status]
    if advice in RECOMMENDATIONS:
        results = [r for r in results if r.recommendation == advice]
    if query:
        results = [r for r in results if query.casefold() in r.name.casefold()]
    results = sorted(results, key=SORTS.get(sort, SORTS["score"]))
    page = Paginator(results, 100).get_page(int_param(request.GET.get("page"), minimum=1) or 1)
    scorer.add_trend(list(page.object_list))

    current = [r for r in everyone if r.status != Client.Status.FORMER]
    shortlist = [r for r in current if r.recommendation == "consider_parting"]
    scored = [r for r in current if r.enough_evidence]  # no evidence, no score to chart
    buckets = [0] * 10
    for r in scored:
        buckets[min(r.score // 10, 9)] += 1
    labels = [f"{i * 10}–{i * 10 + 9 if i < 9 else 100}" for i in range(10)]
    # Each tenth lies in one band as long as the band limits are multiples of ten (70 and 30).
    bucket_bands = [band_of(i * 10) for i in range(10)]
    context = {
        "page": page,
        "query": query,
        "status": status,
        "advice": advice,
        "sort": sort,
        "shortlist": shortlist,
        "counts": {key: sum(1 for r in current if r.recommendation == key) for key in RECOMMENDATIONS},
        "recommendations": RECOMMENDATIONS,
        "statuses": [("current", _("Current clients")), *Client.Status.choices, ("all", _("All"))],
        "charts": {
            "distribution": {"labels": labels, "counts": buckets, "bands": bucket_bands, "label": _("Clients")},
            "effort": {
                "points": [
                    {
                        "x": round(r.hours, 1),
                        "y": float(r.revenue),
                        "name": r.name,
                        "score": r.score,
                        "band": band_of(r.score),
                    }
                    for r in scored
                ],
                "x": _("Hours in the window"),
                "y": _("Revenue in the window"),
            },
        },
        "distribution": [
            {"label": label, "count": count, "band": band}
            for label, count, band in zip(labels, buckets, bucket_bands, strict=True)
        ],
        "effort_bins": effort_bins(scored),
        "total_revenue": sum(r.revenue for r in current),
        "overdue": overdue_tasks(firm=request.firm, today=request.firm.today()),
        "former_evidence": former_client_evidence(firm=request.firm),
        "first_run": first_run(request.firm),
    }
    if request.htmx:  # the table, and the count of clients for the status line that announces it
        return render(request, "parting/_client_table.html", {**context, "live_count": True})
    for task in context["overdue"]:
        task.title = task_title(task)
    return render(request, "parting/dashboard.html", context)
