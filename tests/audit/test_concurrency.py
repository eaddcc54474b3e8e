"""Two members act at the same moment: their entries take turns on the firm's chain (the firm's row
is locked while an entry is chained), so the log stays one valid chain and the journal holds every
committed entry. Real threads with their own connections, on SQLite (IMMEDIATE transactions) and
PostgreSQL (SELECT … FOR NO KEY UPDATE) in CI."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from parting.audit.models import AuditEntry
from parting.audit.services import audit_check, audit_record
from parting.firms.models import Firm
from tests.audit.conftest import journalled
from tests.factories import FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4
EACH = 5


@pytest.fixture(autouse=True)
def _file_database():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("the concurrency tests need a file database (tests/settings.py sets one)")


def write_at_once(firm_id: int, users: list, *, fail_every: int = 0) -> list:
    barrier = threading.Barrier(len(users))
    errors: list = []

    def run(user):
        try:
            firm = Firm.objects.get(pk=firm_id)  # loaded before the race, as a page loads it
            barrier.wait(timeout=30)
            for n in range(EACH):
                try:
                    with transaction.atomic():
                        audit_record(firm=firm, actor=user, action="case.task_updated", target=f"case:{n}")
                        if fail_every and n % fail_every == 0:
                            raise LookupError("the action failed after its entry")
                except LookupError:
                    pass
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer did not finish"
    return errors


def test_members_recording_at_once_keep_one_valid_chain_and_a_full_journal():
    firm = FirmFactory()
    users = [MembershipFactory(firm=firm).user for _ in range(WRITERS)]
    audit_record(firm=firm, actor=users[0], action="case.opened", target="case:0")
    assert write_at_once(firm.pk, users) == []
    entries = list(AuditEntry.objects.filter(firm=firm).order_by("id"))
    assert len(entries) == 1 + WRITERS * EACH
    assert len({e.previous_hash for e in entries}) == len(entries)  # no fork: each hash followed once
    assert audit_check(firm=firm) is None
    assert sorted(journalled(firm)) == [(e.pk, e.hash) for e in entries]


def test_the_first_entries_of_a_new_firm_at_once_start_one_chain():
    firm = FirmFactory()
    users = [MembershipFactory(firm=firm).user for _ in range(WRITERS)]
    assert write_at_once(firm.pk, users) == []
    entries = list(AuditEntry.objects.filter(firm=firm).order_by("id"))
    assert len(entries) == WRITERS * EACH
    assert sum(e.previous_hash == "0" * 64 for e in entries) == 1
    assert audit_check(firm=firm) is None


def test_entries_of_rolled_back_actions_leave_no_trace_in_the_chain_or_journal():
    firm = FirmFactory()
    users = [MembershipFactory(firm=firm).user for _ in range(2)]
    assert write_at_once(firm.pk, users, fail_every=2) == []
    entries = list(AuditEntry.objects.filter(firm=firm).order_by("id"))
    assert len(entries) == 2 * (EACH - len(range(0, EACH, 2)))
    assert audit_check(firm=firm) is None
    assert sorted(journalled(firm)) == [(e.pk, e.hash) for e in entries]
