"""/api/v1/scores: the stored scores, as the pages read them (issue 12, issue 15 §2)."""

import datetime as dt

from parting.scores.models import Snapshot
from tests.factories import ClientFactory


def test_latest_scores_of_the_firms_clients_only(api, firm, other_client):
    ClientFactory(firm=firm, name="Acme")
    ClientFactory(firm=other_client.firm, name="Theirs")
    body = api.get("/scores").json()
    assert [s["name"] for s in body["items"]] == ["Acme"]
    assert body["items"][0]["advice"]


def test_a_clients_score_with_its_signs(api, firm):
    acme = ClientFactory(firm=firm, name="Acme")
    response = api.get(f"/clients/{acme.pk}/score")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["client_id"] == acme.pk and 0 <= body["score"] <= 100
    assert {s["id"] for s in body["signs"]} >= {"W7"}


def test_another_firms_score_is_404(api, other_client):
    assert api.get(f"/clients/{other_client.pk}/score").status_code == 404
    assert api.get(f"/clients/{other_client.pk}/score/history").status_code == 404


def test_history_newest_first_paged_and_filtered_by_day(api, firm):
    acme = ClientFactory(firm=firm, name="Acme")
    api.get(f"/clients/{acme.pk}/score")  # scores the firm today
    Snapshot.objects.filter(client=acme).delete()
    for day in (dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)):
        Snapshot.objects.create(
            firm=firm, client=acme, day=day, computed_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
            policy_version="x", score=70, advice="keep",
        )  # fmt: skip
    body = api.get(f"/clients/{acme.pk}/score/history", limit=2).json()
    assert body["count"] == 3 and [p["day"] for p in body["items"]] == ["2026-03-31", "2026-02-28"]
    body = api.get(f"/clients/{acme.pk}/score/history", **{"from": "2026-02-28", "to": "2026-02-28"}).json()
    assert [p["day"] for p in body["items"]] == ["2026-02-28"]
