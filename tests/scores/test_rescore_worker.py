"""Re-scoring (issue 12 §1): changes are debounced into one re-score, a firm is scored once a day,
and two workers never score the same firm at the same time (a conditional UPDATE claims it)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from parting.core import jobs
from parting.scores import services
from parting.scores.models import ScoreState, Snapshot
from tests.conftest import troubled_client
from tests.factories import FirmFactory

ROUNDS = 3


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_a_change_is_re_scored_only_once_its_latest_request_is_older_than_the_debounce(firm):
    troubled_client(firm)
    services.snapshot_firm(firm)
    ScoreState.objects.update_or_create(firm=firm, defaults={"backfill_requested": False})
    services.snapshot_firm(firm)  # scored today: nothing due
    for _ in range(100):  # a burst of changes, as an import or a busy morning makes
        services.request_rescore(firm)
    assert services.run_due_rescores(now=later(services.DEBOUNCE_SECONDS - 1)) == "no firms to re-score"
    assert services.run_due_rescores(now=later(services.DEBOUNCE_SECONDS + 1)).startswith(f"re-scored firms {firm.pk} ")
    state = ScoreState.objects.get(firm=firm)
    assert state.requested_at is None and state.claimed_at is None
    assert services.run_due_rescores(now=later(services.DEBOUNCE_SECONDS + 2)) == "no firms to re-score"


@pytest.mark.django_db
def test_a_change_made_while_the_firm_is_scored_leaves_it_requested_for_another_pass(firm):
    troubled_client(firm)
    services.request_rescore(firm)
    state = ScoreState.objects.get(firm=firm)
    assert services.claim(state, timezone.now())
    services.request_rescore(firm)  # arrives while the first re-score runs
    services.rescore(state)
    assert ScoreState.objects.get(firm=firm).requested_at is not None


@pytest.mark.django_db
def test_every_firm_is_scored_once_a_day_even_without_changes(firm):
    troubled_client(firm)
    other = FirmFactory()
    report = services.run_due_rescores(limit=5, now=timezone.now())
    assert str(firm.pk) in report and str(other.pk) in report  # never scored: due
    assert services.run_due_rescores(limit=5) == "no firms to re-score"
    ScoreState.objects.filter(firm=firm).update(scored_day=firm.today() - dt.timedelta(days=1))
    assert services.run_due_rescores(limit=5).startswith(f"re-scored firms {firm.pk} ")


@pytest.mark.django_db
def test_an_import_asks_for_the_past_months_again_and_the_worker_back_fills_them(firm):
    troubled_client(firm)
    services.request_rescore(firm, backfill=True)
    services.run_due_rescores(now=later(services.DEBOUNCE_SECONDS + 1))
    assert Snapshot.objects.filter(firm=firm, backfilled=True).exists()
    assert ScoreState.objects.get(firm=firm).backfill_requested is False


@pytest.mark.django_db
def test_the_worker_runs_the_re_score_job(firm):
    troubled_client(firm)
    lines = jobs.run_due_jobs()
    assert any(line.startswith("rescore_firms: re-scored firms") for line in lines)
    assert Snapshot.objects.filter(firm=firm, day=firm.today()).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_re_score_a_firm_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("real threads need a file database (tests/settings.py sets one)")
    firm = FirmFactory()
    troubled_client(firm)
    services.snapshot_firm(firm)
    for round_ in range(ROUNDS):
        services.request_rescore(firm)
        ScoreState.objects.filter(firm=firm).update(backfill_requested=False)
        moment = later(services.DEBOUNCE_SECONDS + 1)
        barrier = threading.Barrier(2)
        results: list[object] = [None, None]

        def work(index: int, barrier=barrier, results=results, moment=moment) -> None:
            try:
                barrier.wait(timeout=30)
                results[index] = services.run_due_rescores(now=moment)
            except Exception as error:  # reported by the assertion below
                results[index] = error
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        scored = [r for r in results if isinstance(r, str) and r.startswith("re-scored")]
        assert len(scored) == 1 and "no firms to re-score" in results, (round_, results)
        state = ScoreState.objects.get(firm=firm)
        assert state.requested_at is None and state.claimed_at is None
        assert Snapshot.objects.filter(firm=firm, computed_at=moment).count() == 1
