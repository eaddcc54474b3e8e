"""Two workers delivering at once deliver each event once (issue 15 §3): real threads with
connections of their own meet at a barrier, on SQLite (IMMEDIATE transactions) and on PostgreSQL
(FOR UPDATE SKIP LOCKED); each row is taken by a conditional UPDATE that only one of them wins."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from parting.webhooks import delivery
from parting.webhooks.models import Delivery
from parting.webhooks.services import emit

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 2
EVENTS = 12


@pytest.fixture(autouse=True)
def _file_database():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("the concurrency tests need a file database (tests/settings.py sets one)")


def race(action, n: int):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", action())
        except Exception as error:  # any error is a failure of the test, reported below
            results[index] = ("crashed", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result is not None for result in results), "a worker did not finish"
    crashed = [result[1] for result in results if result[0] == "crashed"]
    assert not crashed, crashed
    return [result[1] for result in results]


@pytest.mark.parametrize("round_", range(3))
def test_two_workers_delivering_at_once_deliver_each_event_once(firm, endpoint, receiver, round_):
    for n in range(EVENTS):
        emit(firm, "case.approved", {"case": n, "client": n})
    results = race(lambda: delivery.deliver_due(limit=3), WORKERS)
    assert sum(r.get("delivered", 0) for r in results) == EVENTS
    assert Counter(receiver.ids()) == Counter(Delivery.objects.values_list("message_id", flat=True))
    assert max(Counter(receiver.ids()).values()) == 1  # none sent twice
    assert set(Delivery.objects.values_list("state", "attempts")) == {("delivered", 1)}
    assert all(r.verified for r in receiver.received)
