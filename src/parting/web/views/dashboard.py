"""The dashboard: every client ranked by fit score, with the evidence in one glance."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from parting.cases.checklist import task_title
from parting.cases.selectors import former_client_evidence, overdue_tasks
from parting.clients.models import Client
from parting.core.requests import int_param
from parting.firms.access import member_required
from parting.signs.scoring import RECOMMENDATIONS, Scorer

SORTS = {
    "score": lambda r: (r.score, r.name.lower()),
    "-score": lambda r: (-r.score, r.name.lower()),
    "name": lambda r: r.name.lower(),
    "-revenue": lambda r: (-r.revenue, r.name.lower()),
    "rate": lambda r: (r.effective_rate is None, r.effective_rate or 0, r.name.lower()),
}


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
            "distribution": {
                "labels": [f"{i * 10}–{i * 10 + 9 if i < 9 else 100}" for i in range(10)],
                "counts": buckets,
                "label": _("Clients"),
            },
            "effort": {
                "points": [
                    {"x": round(r.hours, 1), "y": float(r.revenue), "name": r.name, "score": r.score} for r in scored
                ],
                "x": _("Hours in the window"),
                "y": _("Revenue in the window"),
            },
        },
        "total_revenue": sum(r.revenue for r in current),
        "overdue": overdue_tasks(firm=request.firm, today=request.firm.today()),
        "former_evidence": former_client_evidence(firm=request.firm),
    }
    if request.htmx:
        return render(request, "parting/_client_table.html", context)
    for task in context["overdue"]:
        task.title = task_title(task)
    return render(request, "parting/dashboard.html", context)
