"""The handover bundle (issue 13 §2, O3, O4, O7): every file the client is owed, checksums the client
can verify, a README in their language; built in the request when small and by the worker when large."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from parting.audit.models import AuditEntry
from parting.cases.services import case_open
from parting.documents import bundle as bundles
from parting.documents.models import Bundle, Document
from parting.documents.services import document_upload
from parting.documents.storage import document_storage
from tests.documents.conftest import CSV, PDF, PNG, TEXT, upload_file
from tests.factories import ClientFactory, ContactFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def files_of(client, by):
    uploads = [
        (Document.Category.PROVIDED, "contract.pdf", PDF),
        (Document.Category.PROVIDED, "scan.png", PNG),
        (Document.Category.WORK, "notes.txt", TEXT),
        (Document.Category.WORK, "notes.txt", b"another file of the same name\n"),
        (Document.Category.ACCOUNTING, "ledger.csv", CSV),
    ]
    return [
        document_upload(client=client, by=by, category=category, upload=upload_file(name, content))
        for category, name, content in uploads
    ]


@pytest.fixture
def polish_client(firm, team):
    client = ClientFactory(firm=firm, name="Bałtyk sp. z o.o.")
    ContactFactory(client=client, name="Anna Nowak", email="anna@baltyk.example", language="pl")
    files_of(client, team["staff"])
    InvoiceFactory(
        client=client,
        number="FV/1",
        amount=Decimal("1000.00"),
        paid_on=dt.date(2026, 3, 20),
        amount_paid=Decimal("1000"),
    )
    InvoiceFactory(client=client, number="FV/2", amount=Decimal("250.00"))
    other = ClientFactory(firm=firm, name="Someone Else")
    InvoiceFactory(client=other, number="NOT-THEIRS", paid_on=dt.date(2026, 3, 20))
    case = case_open(client=client, by=team["staff"])
    return client, case


def read_zip(bundle: Bundle) -> zipfile.ZipFile:
    out = io.BytesIO()
    bundles.bundle_copy_to(bundle, out)
    out.seek(0)
    return zipfile.ZipFile(out)


def built(client, case, by) -> Bundle:
    with time_machine.travel(NOON, tick=True):
        bundle = bundles.bundle_request(client=client, case=case, by=by)
    assert bundle.status == Bundle.Status.READY, bundle.error
    return bundle


def test_manifest_lists_every_file_with_a_size_and_sha256_that_match_the_zip(polish_client, team):
    client, case = polish_client
    bundle = built(client, case, team["owner"])
    archive = read_zip(bundle)
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert entry["bytes"] == len(data), path
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), path
    stored = document_storage.open(bundle.file.name, "rb").read()
    assert bundle.sha256 == hashlib.sha256(stored).hexdigest() and bundle.size == len(stored)


def test_o4_the_zip_holds_every_document_byte_for_byte_even_two_of_the_same_name(polish_client, team):
    client, case = polish_client
    archive = read_zip(built(client, case, team["owner"]))
    documents = Document.objects.filter(client=client)
    in_zip = [name for name in archive.namelist() if name.startswith("documents/")]
    assert len(in_zip) == documents.count() == 5
    assert "documents/work/notes.txt" in in_zip and "documents/work/notes (2).txt" in in_zip
    assert archive.read("documents/provided/contract.pdf") == PDF
    assert sorted(hashlib.sha256(archive.read(n)).hexdigest() for n in in_zip) == sorted(d.sha256 for d in documents)


def test_the_csvs_hold_the_clients_invoices_and_payments_and_no_other_clients(polish_client, team):
    client, case = polish_client
    archive = read_zip(built(client, case, team["owner"]))
    invoices = list(csv.DictReader(io.StringIO(archive.read("invoices.csv").decode("utf-8-sig"))))
    assert [row["number"] for row in invoices] == ["FV/1", "FV/2"]
    assert invoices[0]["amount_paid"] == "1000.00" and invoices[0]["paid_on"] == "2026-03-20"
    assert invoices[1]["amount_paid"] == "0.00" and invoices[1]["paid_on"] == ""
    assert {row["client"] for row in invoices} == {"Bałtyk sp. z o.o."}
    payments = list(csv.DictReader(io.StringIO(archive.read("payments.csv").decode("utf-8-sig"))))
    assert [(row["invoice_number"], row["amount"]) for row in payments] == [("FV/1", "1000.00")]


def test_both_handover_documents_are_in_the_zip_as_real_pdfs(polish_client, team):
    client, case = polish_client
    archive = read_zip(built(client, case, team["owner"]))
    for name in ("services-delivered.pdf", "successor-briefing.pdf"):
        assert archive.read(name).startswith(b"%PDF-")


def test_readme_is_written_in_the_clients_language(polish_client, team, firm):
    client, case = polish_client
    readme = read_zip(built(client, case, team["owner"])).read("README.txt").decode()
    assert "3 grudnia 2026" in readme  # Polish, whatever the catalogues hold yet
    english = ClientFactory(firm=firm, name="Acme")
    ContactFactory(client=english, language="en")
    readme = read_zip(built(english, None, team["owner"])).read("README.txt").decode()
    assert "3 December 2026" in readme and "grudnia" not in readme


def test_a_bundle_within_the_threshold_is_built_in_the_request_and_a_larger_one_by_the_worker(
    polish_client, team, settings
):
    client, case = polish_client
    total = sum(Document.objects.filter(client=client).values_list("size", flat=True))
    settings.BUNDLE_INLINE_MAX_BYTES = total
    assert bundles.bundle_request(client=client, case=case, by=team["owner"]).status == Bundle.Status.READY
    settings.BUNDLE_INLINE_MAX_BYTES = total - 1
    queued = bundles.bundle_request(client=client, case=case, by=team["owner"])
    assert queued.status == Bundle.Status.QUEUED
    assert bundles.run_queued_bundles().startswith("1 bundles built")
    queued.refresh_from_db()
    assert queued.status == Bundle.Status.READY and queued.link_live()


def test_a_build_that_died_is_requeued_after_an_hour_and_not_before(polish_client, team, settings):
    client, case = polish_client
    settings.BUNDLE_INLINE_MAX_BYTES = 0
    bundle = bundles.bundle_request(client=client, case=case, by=team["owner"])
    assert bundles.bundle_claim(bundle_id=bundle.pk)  # a worker claimed it, then died
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=59)):
        assert bundles.run_queued_bundles() == "0 bundles built, 0 stale builds requeued"
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61)):
        assert bundles.run_queued_bundles() == "1 bundles built, 1 stale builds requeued"
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.READY


def test_a_failed_build_says_why_and_leaves_no_file(polish_client, team, monkeypatch, storage_dir):
    client, case = polish_client
    before = {p for p in storage_dir.rglob("*.zip")}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bundles, "handover_pdfs", broken)
    bundle = bundles.bundle_request(client=client, case=case, by=team["owner"])
    assert bundle.status == Bundle.Status.FAILED and "disk full" in bundle.error
    assert {p for p in storage_dir.rglob("*.zip")} == before
    assert not bundle.link_live()


def test_staff_outside_the_case_may_not_share_the_files_but_the_case_opener_may(polish_client, team):
    client, case = polish_client
    with pytest.raises(PermissionDenied):
        bundles.bundle_request(client=client, case=case, by=team["staff2"])
    assert bundles.bundle_request(client=client, case=case, by=team["staff"]).pk  # opened the case
    assert AuditEntry.objects.filter(action="bundle.requested").count() == 1


def test_the_worker_builds_a_queued_bundle_on_its_pass(polish_client, team, settings):
    from parting.core.jobs import run_due_jobs

    client, case = polish_client
    settings.BUNDLE_INLINE_MAX_BYTES = 0
    bundle = bundles.bundle_request(client=client, case=case, by=team["owner"])
    assert bundle.status == Bundle.Status.QUEUED
    reports = run_due_jobs()
    assert any(report.startswith("build_queued_bundles: 1 bundles built") for report in reports)
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.READY
