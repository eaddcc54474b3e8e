"""Pages read stored scores (issue 12 §2): the dashboard, the client page and the sign page show the
latest snapshot, say when it was computed, offer "re-score now", and do not run the scorer."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from parting.evidence.models import Incident
from parting.scores import services
from parting.scores.models import ScoreState, Snapshot
from parting.signs.scoring import Scorer
from tests.conftest import troubled_client
from tests.factories import ClientFactory, FirmFactory, IncidentFactory, MembershipFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

PAGES = ("dashboard", "client_detail", "client_sign")


@pytest.fixture
def member(owner, client):
    client.force_login(owner.user)
    return client


def url(page: str, client_row) -> str:
    if page == "dashboard":
        return reverse("dashboard")
    if page == "client_detail":
        return reverse("client_detail", args=[client_row.pk])
    return reverse("client_sign", args=[client_row.pk, "W15"])


def scorer_queries(queries) -> list[str]:
    """The scorer's footprint: firm-wide GROUP BY passes over the evidence tables."""
    return [q["sql"] for q in queries if "GROUP BY" in q["sql"] and "evidence_" in q["sql"]]


def shown_score(html: str) -> str:
    return re.search(r'<span class="score big [^"]*">(\d+)</span>', html).group(1)


@pytest.mark.parametrize("page", PAGES)
def test_with_a_stored_score_a_page_does_not_run_the_scorer(member, firm, page):
    trouble, _incident = troubled_client(firm)
    assert member.get(url(page, trouble)).status_code == 200  # the first visit scores the firm
    with CaptureQueriesContext(connection) as queries:
        assert member.get(url(page, trouble)).status_code == 200
    assert scorer_queries(queries) == []


def test_the_dashboard_costs_the_same_queries_for_40_clients_as_for_4(member, firm):
    counts = []
    for n in (4, 36):
        for i in range(n):
            troubled_client(firm, name=f"Client {len(counts)}-{i:02}")
        services.request_rescore(firm)
        member.get(reverse("dashboard"))  # re-scored here: a small firm
        with CaptureQueriesContext(connection) as queries:
            assert member.get(reverse("dashboard")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_change_shows_once_it_is_re_scored_not_before(member, firm):
    trouble, _incident = troubled_client(firm)
    before = shown_score(member.get(url("client_detail", trouble)).content.decode())
    IncidentFactory(client=trouble, kind=Incident.Kind.DISRESPECT, occurred_on=firm.today())
    # Written behind the app's back: the page shows the stored score, proof it did not re-score.
    assert shown_score(member.get(url("client_detail", trouble)).content.decode()) == before
    services.request_rescore(firm)
    html = member.get(url("client_detail", trouble)).content.decode()
    live = {r.client_id: r for r in Scorer(firm).score()}[trouble.pk]
    assert shown_score(html) == str(live.score) != before and "Consider parting" in html


def test_logging_evidence_on_the_page_re_scores_a_small_firm_before_the_next_page(member, firm):
    trouble, _incident = troubled_client(firm)
    member.get(url("client_detail", trouble))
    answer = member.post(
        reverse("evidence_log", args=[trouble.pk, "incident"]),
        {
            "kind": Incident.Kind.DISRESPECT,
            "occurred_on": firm.today().isoformat(),
            "hours_lost": "0",
            "note": "Shouted",
        },
    )
    assert answer.status_code == 302
    html = member.get(url("client_detail", trouble)).content.decode()
    assert "Consider parting" in html and "Dealbreaker" in html


def test_a_large_firm_shows_its_stored_scores_while_the_worker_re_scores(member, firm, monkeypatch):
    trouble, _incident = troubled_client(firm)
    before = shown_score(member.get(url("client_detail", trouble)).content.decode())
    monkeypatch.setattr(services, "SYNC_CLIENTS", 0)  # too large to score in a request
    IncidentFactory(client=trouble, kind=Incident.Kind.DISRESPECT, occurred_on=firm.today())
    services.request_rescore(firm)
    html = member.get(url("client_detail", trouble)).content.decode()
    assert shown_score(html) == before and 'id="rescoring"' in html
    dashboard = member.get(reverse("dashboard")).content.decode()
    assert 'id="rescoring"' in dashboard and "every 3s" in dashboard  # the status line polls until done
    services.run_due_rescores(now=timezone.now() + dt.timedelta(seconds=services.DEBOUNCE_SECONDS + 1))
    status = member.get(reverse("dashboard") + "?part=status", headers={"HX-Request": "true"}).content.decode()
    assert 'id="rescoring"' not in status and "reload the page" in status
    assert shown_score(member.get(url("client_detail", trouble)).content.decode()) != before


def test_any_member_can_ask_to_re_score_now_and_the_page_says_when_it_was_scored(client, firm, monkeypatch):
    staff = MembershipFactory(firm=firm, staff=True)
    troubled_client(firm)
    client.force_login(staff.user)
    client.get(reverse("dashboard"))
    monkeypatch.setattr(services, "SYNC_CLIENTS", 0)
    answer = client.post(reverse("dashboard"), {"action": "rescore"})
    assert answer.status_code == 302
    assert ScoreState.objects.get(firm=firm).requested_at is not None
    ScoreState.objects.filter(firm=firm).update(scored_at=timezone.now() - dt.timedelta(minutes=3))
    services.run_due_rescores(now=timezone.now() + dt.timedelta(seconds=services.DEBOUNCE_SECONDS + 1))
    ScoreState.objects.filter(firm=firm).update(scored_at=timezone.now() - dt.timedelta(minutes=3))
    html = client.get(reverse("dashboard")).content.decode()
    assert "Scored 3\xa0minutes ago" in html and 'id="rescore-now"' in html


def test_another_firms_stored_scores_never_show(member, firm):
    troubled_client(firm, name="Ours")
    other = FirmFactory()
    troubled_client(other, name="Theirs")
    services.snapshot_firm(other)
    html = member.get(reverse("dashboard")).content.decode()
    assert "Ours" in html and "Theirs" not in html
    theirs = Snapshot.objects.get(firm=other).client
    assert member.get(url("client_detail", theirs)).status_code == 404


def test_the_consider_parting_card_lists_the_worst_ten_and_links_to_all(member, firm):
    for i in range(12):
        client_row, _incident = troubled_client(firm, name=f"Parting {i:02}")
        IncidentFactory(client=client_row, kind=Incident.Kind.DISRESPECT, occurred_on=firm.today())
    html = member.get(reverse("dashboard")).content.decode()
    card = html[html.index('id="shortlist"') : html.index("</section>", html.index('id="shortlist"'))]
    assert card.count("<li>") == 10
    assert 'href="?advice=consider_parting#client-table"' in card and "See all 12 clients" in card
    table = member.get(reverse("dashboard") + "?advice=consider_parting").content.decode()
    assert table.count("advice-consider_parting") >= 12


def test_the_effort_chart_plots_the_busiest_clients_and_the_rest_as_one_point(member, firm):
    from parting.web.views.dashboard import EFFORT_POINTS

    for i in range(EFFORT_POINTS + 5):
        client_row = ClientFactory(firm=firm, name=f"Client {i:03}")
        TimeEntryFactory(client=client_row, date=firm.today(), hours=Decimal(i + 1))
    html = member.get(reverse("dashboard")).content.decode()
    charts = json.loads(
        re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html).group(1)
    )
    points = charts["effort"]["points"]
    assert len(points) == EFFORT_POINTS + 1
    assert points[0]["x"] == EFFORT_POINTS + 5 and points[-1]["others"] == 5 and points[-1]["x"] == 3.0
    assert 'id="effort-others"' in html


def test_back_filled_points_are_marked_on_the_client_page(member, firm):
    trouble, _incident = troubled_client(firm)
    html = member.get(url("client_detail", trouble)).content.decode()
    months = html[html.index('id="trend-months"') : html.index("</table>", html.index('id="trend-months"'))]
    assert months.count('class="backfilled"') == Snapshot.objects.filter(client=trouble, backfilled=True).count() > 0
    assert "back-filled" in months


def test_a_stored_dealbreaker_reads_in_the_members_language(client, firm):
    polish = MembershipFactory(firm=firm, language="pl")
    trouble, _incident = troubled_client(firm)
    IncidentFactory(client=trouble, kind=Incident.Kind.DISRESPECT, occurred_on=firm.today())
    services.snapshot_firm(firm)  # written in English by the worker
    client.force_login(polish.user)
    html = client.get(url("client_detail", trouble), headers={"accept-language": "pl"}).content.decode()
    with translation.override("pl"):
        live = {r.client_id: r for r in Scorer(firm).score()}[trouble.pk]
        expected = [d.text for d in live.dealbreakers]
    assert expected and all(text in html for text in expected)


def test_a_large_firms_first_page_scores_today_and_leaves_the_past_months_to_the_worker(member, firm, monkeypatch):
    trouble, _incident = troubled_client(firm)
    monkeypatch.setattr(services, "SYNC_CLIENTS", 0)
    html = member.get(url("client_detail", trouble)).content.decode()
    assert shown_score(html) and not Snapshot.objects.filter(firm=firm, backfilled=True).exists()
    assert ScoreState.objects.get(firm=firm).backfill_requested
    services.run_due_rescores()
    assert Snapshot.objects.filter(firm=firm, backfilled=True).exists()
    charts = json.loads(
        re.search(
            r'<script id="client-charts" type="application/json">(.*?)</script>',
            member.get(url("client_detail", trouble)).content.decode(),
        ).group(1)
    )
    assert any("(back-filled)" in label for label in charts["trend"]["labels"])


def table_row(html: str, name: str) -> str:
    return next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{name}</a>" in row)


def test_a_dashboard_row_rendered_once_is_rendered_again_for_a_new_name_score_or_language(client, firm):
    """The table's rows are kept rendered per content and language (bench/pages.py): a renamed client,
    a new score or another reader's language never gets the row rendered for something else."""
    owner = MembershipFactory(firm=firm, language="en")
    trouble, _incident = troubled_client(firm)
    client.force_login(owner.user)
    first = table_row(client.get(reverse("dashboard")).content.decode(), "Trouble Ltd")
    assert table_row(client.get(reverse("dashboard")).content.decode(), "Trouble Ltd") == first

    trouble.name = "Trouble Holding"
    trouble.save(update_fields=["name"])
    services.snapshots_relabel([trouble.pk])
    renamed = table_row(client.get(reverse("dashboard")).content.decode(), "Trouble Holding")
    assert "Trouble Ltd" not in renamed

    for n in range(3):
        IncidentFactory(client=trouble, kind=Incident.Kind.DISRESPECT, occurred_on=firm.today() - dt.timedelta(days=n))
    services.snapshot_firm(firm)  # the same day's row, rewritten with a new score
    rescored = table_row(client.get(reverse("dashboard")).content.decode(), "Trouble Holding")
    score = Snapshot.objects.get(client=trouble, day=firm.today()).score
    assert f">{score}</span>" in rescored and rescored != renamed

    owner.language = "pl"
    owner.save(update_fields=["language"])
    polish = table_row(client.get(reverse("dashboard")).content.decode(), "Trouble Holding")
    with translation.override("pl"):
        assert (
            str(translation.gettext("Consider parting")) in polish or str(translation.gettext("Talk first")) in polish
        )
    assert polish != rescored


def test_a_dashboard_row_of_another_firm_with_the_same_content_is_never_served(client, firm):
    other = FirmFactory()
    theirs, _incident = troubled_client(other)
    services.snapshot_firm(other)
    ours, _incident = troubled_client(firm)
    owner = MembershipFactory(firm=firm)
    client.force_login(owner.user)
    html = client.get(reverse("dashboard")).content.decode()
    assert reverse("client_detail", args=[ours.pk]) in html
    assert reverse("client_detail", args=[theirs.pk]) not in html
