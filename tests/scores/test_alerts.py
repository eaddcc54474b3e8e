"""Alerts (issue 12 §3): a client crossing into trouble between two stored scores is recorded once —
a sign turning poor, a dealbreaker gained (D7), the advice moving to "consider parting" — and
staying in trouble is not news."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parting.clients.models import Client
from parting.scores import alerts, services
from parting.scores.models import Alert, Snapshot
from tests.conftest import troubled_client
from tests.factories import ClientFactory, FirmFactory

DISRESPECT = {"type": "incidents", "kind": "disrespect", "count": 2, "months": 6}
OVERDUE = {"type": "overdue_invoice", "days": 90}


def snap(client, day, *, bands=None, advice="keep", dealbreakers=(), score=80, backfilled=False) -> Snapshot:
    """A stored score made by hand: each sign id in ``bands`` with that band."""
    return Snapshot(
        firm_id=client.firm_id,
        client=client,
        day=day,
        computed_at=timezone.now(),
        policy_version="test",
        score=score,
        advice=advice,
        signs={sign: [1.0, band, 50, 50, 1] for sign, band in (bands or {}).items()},
        dealbreakers=[{"rule": rule, "n": 2, "text": "broken"} for rule in dealbreakers],
        backfilled=backfilled,
    )


def store(firm, before: list[Snapshot], after: list[Snapshot]) -> list[Alert]:
    """Store ``before`` as the previous day's scores, then record what ``after`` crossed."""
    Snapshot.objects.bulk_create(before)
    day = after[0].day
    alerts.record_alerts(firm, day, after, alerts.previous_scores(firm, day), now=timezone.now())
    return list(Alert.objects.filter(firm=firm).order_by("kind", "subject"))


@pytest.fixture
def days(firm):
    today = firm.today()
    return today - dt.timedelta(days=1), today


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


@pytest.mark.django_db
def test_a_sign_crossing_from_concerning_into_poor_is_an_alert(firm, acme, days):
    yesterday, today = days
    found = store(firm, [snap(acme, yesterday, bands={"W7": "concerning"})], [snap(acme, today, bands={"W7": "poor"})])
    assert [(a.kind, a.subject, a.client_id, a.day) for a in found] == [("poor_sign", "W7", acme.pk, today)]


@pytest.mark.django_db
def test_a_sign_staying_poor_is_no_new_alert(firm, acme, days):
    yesterday, today = days
    assert store(firm, [snap(acme, yesterday, bands={"W7": "poor"})], [snap(acme, today, bands={"W7": "poor"})]) == []


@pytest.mark.django_db
def test_a_sign_recovering_from_poor_to_concerning_is_no_alert(firm, acme, days):
    yesterday, today = days
    before = [snap(acme, yesterday, bands={"W7": "poor"})]
    assert store(firm, before, [snap(acme, today, bands={"W7": "concerning"})]) == []


@pytest.mark.django_db
def test_a_sign_reaching_concerning_only_is_no_alert(firm, acme, days):
    yesterday, today = days
    before = [snap(acme, yesterday, bands={"W7": "healthy"})]
    assert store(firm, before, [snap(acme, today, bands={"W7": "concerning"})]) == []


@pytest.mark.django_db
def test_a_dealbreaker_gained_is_an_alert_and_one_kept_is_not_D7(firm, acme, days):
    yesterday, today = days
    before = [snap(acme, yesterday, dealbreakers=[OVERDUE])]
    found = store(firm, before, [snap(acme, today, dealbreakers=[OVERDUE, DISRESPECT])])
    assert [(a.kind, a.subject) for a in found] == [("dealbreaker", alerts.rule_key(DISRESPECT))]
    assert alerts.describe(found[0]).startswith("Dealbreaker: 2 incidents of")


@pytest.mark.django_db
def test_advice_moving_to_consider_parting_is_an_alert(firm, acme, days):
    yesterday, today = days
    found = store(
        firm, [snap(acme, yesterday, advice="talk_first")], [snap(acme, today, advice="consider_parting", score=40)]
    )
    assert [(a.kind, a.detail["before"]) for a in found] == [("consider_parting", "talk_first")]
    assert alerts.describe(found[0]) == "The advice is now “Consider parting” (fit score 40)"


@pytest.mark.django_db
def test_advice_staying_at_consider_parting_or_moving_only_to_talk_first_is_no_alert(firm, acme, days):
    yesterday, today = days
    other = ClientFactory(firm=firm, name="Other")
    before = [snap(acme, yesterday, advice="consider_parting"), snap(other, yesterday, advice="keep")]
    after = [snap(acme, today, advice="consider_parting"), snap(other, today, advice="talk_first")]
    assert store(firm, before, after) == []


@pytest.mark.django_db
def test_a_client_first_scored_has_crossed_nothing(firm, acme, days):
    _yesterday, today = days
    assert store(firm, [], [snap(acme, today, bands={"W7": "poor"}, advice="consider_parting")]) == []


@pytest.mark.django_db
def test_a_back_filled_month_end_is_not_the_day_before(firm, acme, days):
    """A back-fill is an estimate made later; crossing it is not news (or a firm's first day would alert)."""
    yesterday, today = days
    before = [snap(acme, yesterday, bands={"W7": "healthy"}, backfilled=True)]
    assert store(firm, before, [snap(acme, today, bands={"W7": "poor"})]) == []


@pytest.mark.django_db
def test_a_former_client_crossing_is_no_alert(firm, acme, days):
    yesterday, today = days
    Client.objects.filter(pk=acme.pk).update(status=Client.Status.FORMER)
    assert store(firm, [snap(acme, yesterday)], [snap(acme, today, advice="consider_parting")]) == []


@pytest.mark.django_db
def test_the_same_crossing_stored_again_the_same_day_is_recorded_once(firm, acme, days):
    yesterday, today = days
    store(firm, [snap(acme, yesterday)], [snap(acme, today, bands={"W7": "poor"})])
    again = alerts.previous_scores(firm, today)
    alerts.record_alerts(firm, today, [snap(acme, today, bands={"W7": "poor"})], again, now=timezone.now())
    assert Alert.objects.filter(firm=firm).count() == 1


@pytest.mark.django_db
def test_storing_a_firm_records_its_crossings_with_the_same_queries_for_30_clients_as_for_3():
    counts = []
    for n in (3, 30):
        firm = FirmFactory()
        clients = [ClientFactory(firm=firm, name=f"Client {i:03}") for i in range(n)]
        today = firm.today()
        Snapshot.objects.bulk_create([snap(c, today - dt.timedelta(days=1), advice="keep") for c in clients])
        rows = [snap(c, today, advice="consider_parting", bands={"W7": "poor"}) for c in clients]
        with CaptureQueriesContext(connection) as queries:
            alerts.record_alerts(firm, today, rows, alerts.previous_scores(firm, today), now=timezone.now())
        counts.append(len(queries))
        assert Alert.objects.filter(firm=firm).count() == 2 * n
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_a_troubled_client_stored_after_a_quiet_day_alerts_and_a_second_re_score_adds_nothing(firm):
    client, _incident = troubled_client(firm)
    today = firm.today()
    Snapshot.objects.bulk_create([snap(client, today - dt.timedelta(days=1), advice="keep")])
    services.snapshot_firm(firm)
    kinds = set(Alert.objects.filter(firm=firm, client=client, day=today).values_list("kind", flat=True))
    stored = Snapshot.objects.get(client=client, day=today)
    assert stored.advice == "consider_parting" and "consider_parting" in kinds
    count = Alert.objects.count()
    services.snapshot_firm(firm)
    assert Alert.objects.count() == count


@pytest.mark.django_db
def test_another_firms_scores_never_make_alerts_here(firm, acme, days):
    yesterday, today = days
    other_firm = FirmFactory()
    elsewhere = ClientFactory(firm=other_firm, name="Elsewhere")
    Snapshot.objects.bulk_create([snap(elsewhere, yesterday)])
    store(firm, [snap(acme, yesterday)], [snap(acme, today)])
    previous = alerts.previous_scores(firm, today)
    assert set(previous) == {acme.pk}


@pytest.mark.django_db(transaction=True)
def test_two_workers_storing_the_same_day_record_each_crossing_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("real threads need a file database (tests/settings.py sets one)")
    firm = FirmFactory()
    acme = ClientFactory(firm=firm, name="Acme")
    today = firm.today()
    Snapshot.objects.bulk_create([snap(acme, today - dt.timedelta(days=1))])
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def work() -> None:
        try:
            rows = [snap(acme, today, bands={"W7": "poor"}, advice="consider_parting")]
            previous = alerts.previous_scores(firm, today)
            barrier.wait(timeout=30)
            alerts.record_alerts(firm, today, rows, previous, now=timezone.now())
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(Alert.objects.filter(firm=firm).values_list("kind", flat=True)) == ["consider_parting", "poor_sign"]
