"""O5, issue 13 "Done when": after the purge, nothing of the client is left in the database or in the
storage — searched in a full dump of every table and every stored file — except the accounting records,
which stay until their legal period ends and then go too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from parting.audit.models import AuditEntry
from parting.cases.models import OffboardingCase
from parting.clients.models import Client
from parting.core.jobs import run_due_jobs
from parting.documents.models import Document
from parting.evidence.models import Invoice, Payment, TimeEntry
from parting.imports.models import ImportRun
from parting.retention.models import PendingFileDeletion, PurgeSchedule, Tombstone
from tests.factories import ClientFactory, ContactFactory

from .conftest import database_dump, found_in, rich_client, storage_dump

pytestmark = pytest.mark.django_db(transaction=True)


def at_noon(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 11, 0, tzinfo=dt.UTC), tick=False)


def test_o5_after_the_deletion_date_the_worker_leaves_nothing_that_names_the_client(firm, team, storage_dir):
    rich = rich_client(firm, team)
    bystander = ClientFactory(firm=firm, name="Bystander Bakery")
    ContactFactory(client=bystander, name="Berta Baker", email="berta@bakery.example")
    before_db, before_files = database_dump(), storage_dump(storage_dir)
    assert found_in(rich.identifiers, before_db, before_files) == rich.identifiers  # the search finds them before
    assert rich.deletion == rich.end + dt.timedelta(days=30)  # the policy's default 30 days (O5)

    with at_noon(rich.deletion - dt.timedelta(days=1)):
        run_due_jobs()
    assert found_in(rich.identifiers, database_dump(), storage_dump(storage_dir)) == rich.identifiers  # not yet

    with at_noon(rich.deletion):
        run_due_jobs()
    dump, files = database_dump(), storage_dump(storage_dir)
    assert found_in(rich.identifiers, dump, files) == []
    assert not PendingFileDeletion.objects.exists()
    # The bystander and accounting records are untouched.
    assert found_in(["Bystander Bakery", "Berta Baker", "berta@bakery.example"], dump, files) == [
        "Bystander Bakery",
        "Berta Baker",
        "berta@bakery.example",
    ]
    assert found_in(rich.accounting, dump, files) == rich.accounting
    assert Invoice.objects.filter(client=rich.client).count() == 3
    assert Payment.objects.filter(client=rich.client).count() == 3
    assert list(TimeEntry.objects.filter(client=rich.client).values_list("note", "hours")) == [("", Decimal("1.00"))]
    assert list(Document.objects.filter(client=rich.client).values_list("category", flat=True)) == ["accounting"]
    ledger = Document.objects.get(client=rich.client).file.name
    stored = sorted(
        p.relative_to(storage_dir / "documents").as_posix()
        for p in (storage_dir / "documents").rglob("*")
        if p.is_file()
    )
    assert stored == [ledger]  # the other documents and the handover bundle's ZIP are gone from storage
    # What is left: the tombstone, the case (purged), the blanked client row named by the reference.
    tombstone = Tombstone.objects.get(client=rich.client)
    assert Client.objects.get(pk=rich.client.pk).name == tombstone.reference
    assert OffboardingCase.objects.get(pk=rich.case.pk).state == OffboardingCase.State.PURGED
    assert tombstone.counts["personal"]["contacts"] == 2
    assert tombstone.counts["provided"] == {"documents": 1}
    assert tombstone.counts["personal"]["bundles"] == 1 and tombstone.counts["personal"]["letters_sent"] == 1
    assert ImportRun.objects.get(firm=firm).unmatched == [["Someone Else", 1]]
    purged = AuditEntry.objects.get(firm=firm, action="retention.purged")
    assert purged.target == f"client:{rich.client.pk}" and purged.data["ref"] == tombstone.reference

    with at_noon(rich.accounting_due - dt.timedelta(days=1)):  # the last day of the legal period
        run_due_jobs()
    assert found_in(rich.accounting, database_dump(), storage_dump(storage_dir)) == rich.accounting

    with at_noon(rich.accounting_due):
        run_due_jobs()
    dump, files = database_dump(), storage_dump(storage_dir)
    assert found_in(rich.accounting + rich.identifiers, dump, files) == []
    assert not Invoice.objects.filter(client=rich.client).exists()
    assert not TimeEntry.objects.filter(client=rich.client).exists()
    assert not Document.objects.filter(client=rich.client).exists()
    assert set(PurgeSchedule.objects.filter(client=rich.client).values_list("state", flat=True)) == {"purged"}
    assert found_in(["Bystander Bakery", "berta@bakery.example"], dump, files) == [
        "Bystander Bakery",
        "berta@bakery.example",
    ]


def test_o5_closing_the_case_schedules_each_category_and_accounting_records_for_the_policys_years(firm, team):
    rich = rich_client(firm, team)
    assert rich.accounting_due == dt.date(rich.end.year + 5 + 1, 1, 1)
    entry = AuditEntry.objects.get(firm=firm, action="retention.scheduled")
    assert (entry.actor_id, entry.target) == (team["staff"].pk, f"client:{rich.client.pk}")  # who closed the case
    assert entry.data["dates"] == {
        "personal": rich.deletion.isoformat(),
        "provided": rich.deletion.isoformat(),
        "work": rich.deletion.isoformat(),
        "accounting": rich.accounting_due.isoformat(),
    }
    assert entry.data["ref"] == Tombstone.objects.get(client=rich.client).reference
