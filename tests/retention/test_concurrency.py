"""Two workers purge at the same moment (O5, issue 13 "Done when"): each client is purged once, by one
of them, and neither fails. Real threads with connections of their own meet at a barrier; the same
test runs on SQLite (IMMEDIATE transactions) and PostgreSQL (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from parting.audit.models import AuditEntry
from parting.audit.services import audit_check
from parting.clients.models import Contact
from parting.retention import services
from parting.retention.models import PurgeSchedule, Tombstone
from tests.factories import ClientFactory, ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3
WORKERS = 2


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


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_workers_purging_at_once_purge_each_client_once_and_neither_fails(firm, team, round_):
    clients = []
    for n in range(4):
        client = ClientFactory(firm=firm, name=f"Racer {round_}-{n}")
        ContactFactory(client=client, name=f"Person {n}", email=f"p{n}@racer.example")
        services.erasure_request(
            client=client, by=team["owner"], on=firm.today(), requested_on=firm.today(), reason="Asked"
        )
        clients.append(client)
    results = race(services.purge_due, WORKERS)
    purged = sorted(p.client_id for result in results for p in result)
    assert purged == sorted(c.pk for c in clients)  # each client once, by one worker or the other
    for client in clients:
        assert (
            AuditEntry.objects.filter(firm=firm, action="retention.purged", target=f"client:{client.pk}").count() == 1
        )
        assert (
            AuditEntry.objects.filter(firm=firm, action="retention.certificate", target=f"client:{client.pk}").count()
            == 1
        )
        assert set(
            PurgeSchedule.objects.filter(client=client).exclude(category="accounting").values_list("state", flat=True)
        ) == {"purged"}
        assert Tombstone.objects.get(client=client).personal_purged_at is not None
    assert not Contact.objects.filter(client__in=clients).exists()
    assert audit_check(firm=firm) is None  # the chain holds: no entry lost or doubled in the race


def test_two_workers_warning_at_once_warn_each_purge_once(firm, team):
    import datetime as dt

    client = ClientFactory(firm=firm, name="Warned Ltd")
    services.erasure_request(
        client=client,
        by=team["owner"],
        on=firm.today() + dt.timedelta(days=7),
        requested_on=firm.today(),
        reason="Asked",
    )
    results = race(services.warn_due, WORKERS)
    assert sum(results) == 3  # personal, provided, work: each warned by one worker only
    assert AuditEntry.objects.filter(firm=firm, action="retention.warned").count() == 3


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_workers_warning_at_once_send_each_owner_and_partner_one_email_listing_every_purge(firm, round_):
    """The warning e-mail lists the purges its own pass claimed: the firm's rows are claimed by one
    worker or the other, never split between them, so nobody is mailed twice."""
    import datetime as dt

    from django.core import mail

    owner = MembershipFactory(firm=firm, user__email=f"olga{round_}@firm.example")
    partner = MembershipFactory(firm=firm, partner=True, user__email=f"piotr{round_}@firm.example")
    MembershipFactory(firm=firm, staff=True, user__email=f"ana{round_}@firm.example")
    names = [f"Warned {round_}-{n}" for n in range(3)]
    for n, name in enumerate(names):
        client = ClientFactory(firm=firm, name=name)
        for category in ("personal", "provided"):
            PurgeSchedule.objects.create(
                firm=firm, client=client, category=category, due_on=firm.today() + dt.timedelta(days=7 - n)
            )

    results = race(services.warn_due, WORKERS)

    assert sorted(results) == [0, 6]  # one worker claimed all six rows, the other none
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.user.email, partner.user.email])
    for message in mail.outbox:
        assert all(name in message.body for name in names)
    assert AuditEntry.objects.filter(firm=firm, action="retention.warned").count() == 6


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_postponing_while_the_worker_purges_either_postpones_or_is_refused_never_both(firm, team, round_):
    import datetime as dt

    client = ClientFactory(firm=firm, name=f"Raced {round_}")
    ContactFactory(client=client, name="Rita", email="rita@raced.example")
    services.erasure_request(
        client=client, by=team["owner"], on=firm.today(), requested_on=firm.today(), reason="Asked"
    )
    row_id = PurgeSchedule.objects.get(client=client, category="personal").pk
    later = firm.today() + dt.timedelta(days=30)

    def postponing():
        row = PurgeSchedule.objects.get(pk=row_id)
        try:
            services.postpone(schedule=row, by=team["partner"], to_date=later, reason="Tax audit")
        except services.RetentionError as error:
            return str(error.messages[0])
        return "postponed"

    outcomes = [None, None]
    barrier = threading.Barrier(2)

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = action()
        except Exception as error:  # reported below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, postponing)),
        threading.Thread(target=run, args=(1, services.purge_due)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    postponed, purged = outcomes
    assert not isinstance(postponed, Exception) and not isinstance(purged, Exception), outcomes
    row = PurgeSchedule.objects.get(pk=row_id)
    contacts_left = Contact.objects.filter(client=client).exists()
    if postponed == "postponed":
        assert (row.state, row.due_on, contacts_left) == ("scheduled", later, True)
        assert not AuditEntry.objects.filter(action="retention.purged", target=f"client:{client.pk}").exists() or (
            "personal"
            not in AuditEntry.objects.get(action="retention.purged", target=f"client:{client.pk}").data["categories"]
        )
    else:
        assert postponed == "This purge has already been carried out."
        assert (row.state, contacts_left) == ("purged", False)
        assert not AuditEntry.objects.filter(action="retention.postponed").exists()
