"""The dashboard: every client ranked by fit score, with the evidence in one glance.

It reads the firm's stored scores (issue 12 §2): counts, the distribution and the effort chart are
aggregated in SQL over the latest snapshot, and only the page of the table (100 rows) and the top of
the shortlist are read row by row, so the page stays small and fast at 10,000 clients.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.cases.checklist import task_title
from parting.cases.selectors import former_client_evidence, overdue_tasks
from parting.clients.models import Client
from parting.core.requests import int_param
from parting.firms.access import member_required
from parting.scores import alerts as score_alerts
from parting.scores.selectors import latest, monthly_trends, stored
from parting.scores.selectors import status as score_status
from parting.scores.services import ensure_scored, request_rescore
from parting.signs.policy import HEALTHY_SCORE, POOR_SCORE
from parting.signs.scoring import RECOMMENDATIONS
from parting.web.first_run import first_run
from parting.web.templatetags.parting import score_band

SORTS = {
    "score": (Coalesce("score", Value(100)).asc(), Lower("name").asc()),
    "-score": (Coalesce("score", Value(100)).desc(), Lower("name").asc()),
    "name": (Lower("name").asc(),),
    "-revenue": (F("revenue").desc(), Lower("name").asc()),
    "rate": (F("effective_rate").asc(nulls_last=True), Lower("name").asc()),
}
SHORTLIST = 10  # the "consider parting" card lists this many; a link leads to all of them
# Clients per page of the table. Each row carries a score, a trend line, its top signs with their
# explanations and money figures: 100 rows took most of the dashboard's time in templates at a large
# firm (bench/pages.py), and a page of 50 is still more than a screen.
TABLE_PAGE = 50
EFFORT_POINTS = 50  # the effort chart plots this many clients (most hours first) and the rest as one point

# The effort chart's text alternative groups clients by the hours they took, so the page stays small
# with hundreds of clients: (lowest hours, highest hours or None for "and more").
HOUR_BINS = ((0, 10), (10, 25), (25, 50), (50, 100), (100, 200), (200, None))
BANDS = ("healthy", "concerning", "poor")


def band_of(score) -> str:
    """healthy / concerning / poor for a fit score: the same cut the table's colours use (score_band),
    so the charts and the table never disagree on where "poor" starts."""
    return score_band(score).removeprefix("band-")


def _band_expr() -> Case:
    return Case(
        When(score__gte=HEALTHY_SCORE, then=Value("healthy")),
        When(score__lt=POOR_SCORE, then=Value("poor")),
        default=Value("concerning"),
    )


def _bin_expr() -> Case:
    whens = []
    for index, (low, high) in enumerate(HOUR_BINS):
        inside = Q(hours__gte=low) if high is None else Q(hours__gte=low, hours__lt=high)
        whens.append(When(inside, then=Value(index)))
    return Case(*whens, default=Value(0), output_field=IntegerField())


def effort_bins(scored) -> list[dict]:
    """Clients, revenue and revenue per hour for each range of hours in the window, with how many
    clients of each band: the numbers of the revenue-against-effort chart as a table. One GROUP BY."""
    groups = scored.annotate(bin=_bin_expr(), band=_band_expr()).values("bin", "band")
    totals: dict[int, dict] = {}
    for row in groups.annotate(n=Count("id"), revenue_sum=Sum("revenue"), hours_sum=Sum("hours")).order_by():
        entry = totals.setdefault(
            row["bin"], {"clients": 0, "bands": dict.fromkeys(BANDS, 0), "revenue": Decimal(0), "hours": 0.0}
        )
        entry["clients"] += row["n"]
        entry["bands"][row["band"]] += row["n"]
        entry["revenue"] += row["revenue_sum"] or Decimal(0)
        entry["hours"] += row["hours_sum"] or 0.0
    bins = []
    for index, (low, high) in enumerate(HOUR_BINS):
        entry = totals.get(index)
        if not entry:
            continue
        hours = entry.pop("hours")
        bins.append(
            {
                "low": low,
                "high": high,
                **entry,
                "rate": entry["revenue"] / Decimal(str(hours)) if hours else None,
            }
        )
    return bins


def effort_points(scored) -> list[dict]:
    """The effort chart's points: the clients who took the most hours, and one point for the rest
    (their average hours, revenue and score), so the chart's data stays small at any size."""
    top = list(
        scored.order_by("-hours", "client_id").values("client_id", "hours", "revenue", "name", "score")[:EFFORT_POINTS]
    )
    points = [
        {
            "x": round(r["hours"], 1),
            "y": float(r["revenue"]),
            "name": r["name"],
            "score": r["score"],
            "band": band_of(r["score"]),
        }
        for r in top
    ]
    rest = scored.exclude(client_id__in=[r["client_id"] for r in top]).aggregate(
        n=Count("id"), hours=Avg("hours"), revenue=Avg("revenue"), score=Avg("score")
    )
    if rest["n"]:
        score = round(rest["score"])
        points.append(
            {
                "x": round(rest["hours"] or 0, 1),
                "y": float(rest["revenue"] or 0),
                "name": ngettext("%(n)d other client, on average", "%(n)d other clients, on average", rest["n"])
                % {"n": rest["n"]},
                "score": score,
                "band": band_of(score),
                "others": rest["n"],
            }
        )
    return points


def _search(firm, rows, query: str):
    """Clients whose name contains ``query``, whatever its case. SQLite's LIKE folds ASCII letters only,
    so a query with other letters (Łódź, Москва) is matched on the casefolded names in Python."""
    if len(query) > Client._meta.get_field("name").max_length:
        return rows.none()  # no name is that long (and SQLite rejects a LIKE pattern that long)
    if query.isascii():
        return rows.filter(name__icontains=query)
    needle = query.casefold()
    names = Client.objects.filter(firm=firm).values_list("pk", "name")
    return rows.filter(client_id__in=[pk for pk, name in names if needle in name.casefold()])


def _rescore_now(request):
    """'Re-score now': any member may ask; the worker (or this request, for a small firm) does it."""
    request_rescore(request.firm)
    messages.info(request, _("Re-scoring requested: the scores update in a moment."))
    return redirect(request.get_full_path())


def alert_list(request) -> dict:
    """The firm's recent alerts (issue 12 §3), those newer than the member last marked seen flagged."""
    seen_up_to = score_alerts.settings_of(request.membership).seen_up_to
    items = [
        {"alert": alert, "text": score_alerts.describe(alert), "unseen": alert.pk > seen_up_to}
        for alert in score_alerts.recent(request.firm)
    ]
    return {
        "alerts": items,
        "alerts_unseen": sum(item["unseen"] for item in items),
        "alerts_newest": max((item["alert"].pk for item in items), default=0),
    }


def _alerts_seen(request):
    """'Mark as seen': up to the newest alert the member was shown, so one arriving since stays new."""
    up_to = int_param(request.POST.get("up_to"), minimum=0)
    if up_to:
        score_alerts.mark_seen(request.membership, up_to)
    if request.htmx:
        return render(request, "parting/_alerts.html", alert_list(request))
    return redirect("dashboard")


@member_required
def dashboard(request):
    if request.method == "POST" and request.POST.get("action") == "rescore":
        return _rescore_now(request)
    if request.method == "POST" and request.POST.get("action") == "alerts_seen":
        return _alerts_seen(request)
    state = ensure_scored(request.firm)
    if request.htmx and request.GET.get("part") == "status":  # polled while re-scoring
        context = {**score_status(state), "rescore_button": True, "poll": True}
        context["refreshed"] = not context["rescoring"]
        return render(request, "parting/_score_status.html", context)
    everyone = latest(state)
    query = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    status = request.GET.get("status", "current")
    advice = request.GET.get("advice", "")
    sort = request.GET.get("sort", "score")
    results = everyone
    if status == "current":
        results = results.exclude(status=Client.Status.FORMER)
    elif status in Client.Status.values:
        results = results.filter(status=status)
    if advice in RECOMMENDATIONS:
        results = results.filter(advice=advice)
    if query:
        results = _search(request.firm, results, query)
    results = results.order_by(*SORTS.get(sort, SORTS["score"]))
    page = Paginator(results, TABLE_PAGE).get_page(int_param(request.GET.get("page"), minimum=1) or 1)
    page.object_list = stored(page.object_list)
    trends = monthly_trends(state, [r.client_id for r in page.object_list])
    for r in page.object_list:
        r.trend = [(month, score) for month, score, _backfilled in trends.get(r.client_id, [])]
    table = {"page": page, "query": query, "status": status, "advice": advice, "sort": sort}
    if request.htmx:  # the table, and the count of clients for the status line that announces it
        return render(request, "parting/_client_table.html", {**table, "live_count": True})

    current = everyone.exclude(status=Client.Status.FORMER)
    parting = current.filter(advice="consider_parting")
    shortlist = stored(parting.order_by(*SORTS["score"])[:SHORTLIST])
    scored = current.filter(score__isnull=False)  # no evidence, no score to chart
    buckets = [0] * 10
    for row in scored.annotate(tenth=F("score") / 10).values("tenth").annotate(n=Count("id")).order_by():
        buckets[min(row["tenth"], 9)] += row["n"]
    counts = dict.fromkeys(RECOMMENDATIONS, 0)
    for row in current.values("advice").annotate(n=Count("id")).order_by():
        counts[row["advice"]] = row["n"]
    labels = [f"{i * 10}–{i * 10 + 9 if i < 9 else 100}" for i in range(10)]
    # Each tenth lies in one band as long as the band limits are multiples of ten (70 and 30).
    bucket_bands = [band_of(i * 10) for i in range(10)]
    effort = effort_points(scored)
    context = {
        **table,
        "shortlist": shortlist,
        "shortlist_total": counts.get("consider_parting", 0),
        "counts": counts,
        "recommendations": RECOMMENDATIONS,
        "statuses": [("current", _("Current clients")), *Client.Status.choices, ("all", _("All"))],
        "charts": {
            "distribution": {"labels": labels, "counts": buckets, "bands": bucket_bands, "label": _("Clients")},
            "effort": {
                "points": effort,
                "x": _("Hours in the window"),
                "y": _("Revenue in the window"),
            },
        },
        "distribution": [
            {"label": label, "count": count, "band": band}
            for label, count, band in zip(labels, buckets, bucket_bands, strict=True)
        ],
        "effort_bins": effort_bins(scored),
        "effort_others": sum(p.get("others", 0) for p in effort),
        "total_revenue": current.aggregate(total=Sum("revenue"))["total"] or Decimal(0),
        **score_status(state),
        "overdue": overdue_tasks(firm=request.firm, today=request.firm.today()),
        "former_evidence": former_client_evidence(firm=request.firm),
        "first_run": first_run(request.firm),
        **alert_list(request),
    }
    for task in context["overdue"]:
        task.title = task_title(task)
    return render(request, "parting/dashboard.html", context)
