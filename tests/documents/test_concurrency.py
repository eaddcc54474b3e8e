"""Two workers reach the same queued bundle at the same moment: the claim (a conditional UPDATE from
queued to building) lets exactly one build it. Real threads with their own connections, on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from parting.audit.models import AuditEntry
from parting.documents import bundle as bundles
from parting.documents.models import Bundle, Document
from parting.documents.services import document_upload
from tests.documents.conftest import PDF, upload_file
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 4


@pytest.fixture(autouse=True)
def _file_database():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("the concurrency tests need a file database (tests/settings.py sets one)")


def test_workers_building_the_same_bundle_at_once_build_it_once(settings, storage_dir):
    firm = FirmFactory()
    owner = MembershipFactory(firm=firm).user
    client = ClientFactory(firm=firm, name="Acme")
    document_upload(client=client, by=owner, category=Document.Category.PROVIDED, upload=upload_file("a.pdf", PDF))
    settings.BUNDLE_INLINE_MAX_BYTES = 0  # left to the workers
    bundle = bundles.bundle_request(client=client, case=None, by=owner)
    assert bundle.status == Bundle.Status.QUEUED

    barrier = threading.Barrier(WORKERS)
    results: list = []
    errors: list = []

    def work():
        try:
            barrier.wait(timeout=30)
            results.append(bundles.bundle_build(bundle_id=bundle.pk))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sorted(results) == [False] * (WORKERS - 1) + [True]
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.READY
    assert AuditEntry.objects.filter(firm=firm, action="bundle.built").count() == 1
    assert len(list(storage_dir.rglob("*.zip"))) == 1
