"""The dashboard: every client ranked by fit score, with the evidence in one glance.

It reads the firm's stored scores (issue 12 §2): counts, the distribution, the shortlist and the effort
chart come from the firm's summary of the day (one row, written with the snapshots), and the table
is read a page at a time in the order of an index on the snapshot rows, which carry each client's
name and status; so the page stays small and fast at 10,000 clients (bench/pages.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.cases.checklist import task_title
from parting.cases.selectors import former_client_evidence, overdue_tasks
from parting.clients.models import Client
from parting.core.requests import int_param
from parting.firms.access import member_required
from parting.scores import alerts as score_alerts
from parting.scores import summary
from parting.scores.models import FirmSummary
from parting.scores.selectors import latest, monthly_trends, rows_of, stored
from parting.scores.selectors import status as score_status
from parting.scores.selectors import summary as firm_summary
from parting.scores.services import ensure_scored, request_rescore
from parting.signs.scoring import RECOMMENDATIONS
from parting.web.first_run import first_run
from parting.web.templatetags.parting import score_band

SORTS = {
    # The first two follow the indexes snapshot_table_by_score(_desc), "name" snapshot_table_by_name:
    # a page of the table is the next rows of an index, not a sort of the firm (bench/pages.py).
    "score": (F("rank").asc(), F("name_key").asc()),
    "-score": (F("rank").desc(), F("name_key").asc()),
    "name": (F("name_key").asc(),),
    "-revenue": (F("revenue").desc(), F("name_key").asc()),
    "rate": (F("effective_rate").asc(nulls_last=True), F("name_key").asc()),
}
SHORTLIST = summary.SHORTLIST
# Clients per page of the table. Each row carries a score, a trend line, its top signs with their
# explanations and money figures: 100 rows took most of the dashboard's time in templates at a large
# firm (bench/pages.py), and a page of 50 is still more than a screen.
TABLE_PAGE = 50
EFFORT_POINTS = summary.EFFORT_POINTS
HOUR_BINS = summary.HOUR_BINS
BANDS = summary.BANDS


def band_of(score) -> str:
    """healthy / concerning / poor for a fit score: the same cut the table's colours use (score_band),
    so the charts and the table never disagree on where "poor" starts."""
    return score_band(score).removeprefix("band-")


def effort_points(state, figures: FirmSummary) -> list[dict]:
    """The effort chart's points as stored with the day's summary: the clients who took the most hours
    (named from their rows of the day: one query) and one point for the rest, named in the reader's
    language."""
    ids = [p["client_id"] for p in figures.effort_points if "client_id" in p]
    names = {pk: row.name for pk, row in rows_of(state, ids).items()}
    points = []
    for stored_point in figures.effort_points:
        point = dict(stored_point)
        client_id = point.pop("client_id", None)
        if client_id is not None:
            if client_id not in names:
                continue  # deleted since it was scored
            point["name"] = names[client_id]
        if "others" in point:
            n = point["others"]
            point["name"] = ngettext("%(n)d other client, on average", "%(n)d other clients, on average", n) % {"n": n}
        points.append(point)
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
    figures = firm_summary(state)
    paginator = Paginator(results, TABLE_PAGE)
    if figures is not None and status == "current" and not query:
        # The number of current clients (of one advice) is in the day's summary: no COUNT over the
        # firm's rows (10-40 ms at 10,000 clients on SQLite).
        paginator.count = figures.counts.get(advice, 0) if advice in RECOMMENDATIONS else sum(figures.counts.values())
    page = paginator.get_page(int_param(request.GET.get("page"), minimum=1) or 1)
    page.object_list = stored(page.object_list)
    trends = monthly_trends(state, [r.client_id for r in page.object_list])
    for r in page.object_list:
        r.trend = trends.get(r.client_id, [])  # (month, score, back-filled): the sparkline marks estimates
    table = {"page": page, "query": query, "status": status, "advice": advice, "sort": sort}
    if request.htmx:  # the table, and the count of clients for the status line that announces it
        return render(request, "parting/_client_table.html", {**table, "live_count": True})

    # The cards and charts: the figures stored with the day's scores (one row), and the shortlist's
    # own rows (SHORTLIST lookups on the (client, day) index, one query).
    counts = dict.fromkeys(RECOMMENDATIONS, 0)
    buckets = [0] * 10
    shortlist, effort, bins, total_revenue = [], [], [], Decimal(0)
    if figures is not None:
        counts.update(figures.counts)
        buckets = list(figures.distribution)
        rows = rows_of(state, figures.shortlist)
        shortlist = stored(rows[pk] for pk in figures.shortlist if pk in rows)
        effort = effort_points(state, figures)
        bins = summary.read_bins(figures.effort_bins)
        total_revenue = figures.total_revenue
    labels = [f"{i * 10}–{i * 10 + 9 if i < 9 else 100}" for i in range(10)]
    # Each tenth lies in one band as long as the band limits are multiples of ten (70 and 30).
    bucket_bands = [band_of(i * 10) for i in range(10)]
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
        "effort_bins": bins,
        "effort_others": sum(p.get("others", 0) for p in effort),
        "total_revenue": total_revenue,
        **score_status(state),
        "overdue": overdue_tasks(firm=request.firm, today=request.firm.today()),
        "former_evidence": former_client_evidence(firm=request.firm),
        "first_run": first_run(request.firm),
        **alert_list(request),
    }
    for task in context["overdue"]:
        task.title = task_title(task)
    return render(request, "parting/dashboard.html", context)
