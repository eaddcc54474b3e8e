"""Imports the page leaves to ``parting worker`` (issue 10 §4 progress, §7): a queued run is claimed
by exactly one worker (queued → running WHERE state = 'queued'), run once, and its progress written
where the page can read it while the import's transaction is still open."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from parting.audit.models import AuditEntry
from parting.core import jobs
from parting.core.models import Job
from parting.evidence.models import Invoice
from parting.imports import worker
from parting.imports.models import ImportRun
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

CSV = b"client,number,issued_on,amount\r\nAcme Corp,INV-1,2026-01-05,100.00\r\nAcme Corp,INV-2,2026-02-05,250.50\r\n"
ROUNDS = 3


def queued_run(firm, user, content: bytes = CSV, *, dry_run: bool = False, choices=None) -> ImportRun:
    token = os.urandom(16).hex()
    folder = worker.upload_dir(token)
    folder.mkdir(parents=True)
    (folder / "1").write_bytes(content)
    options = {"format": "", "mapping": {}, "date_order": "", "upload": token, "files": [["1", "invoices.csv"]]}
    if choices:
        options["choices"] = choices
    return ImportRun.objects.create(
        firm=firm,
        by=user,
        kind="invoices",
        file_name="invoices.csv",
        file_path=str(folder),
        options=options,
        dry_run=dry_run,
        state=ImportRun.State.QUEUED,
    )


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_is_run_exactly_once_when_two_workers_claim_it_at_the_same_moment():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("real threads need a file database (tests/settings.py sets one)")
    owner = MembershipFactory()
    firm = owner.firm
    ClientFactory(firm=firm, name="Acme Corp")
    for round_ in range(ROUNDS):
        Invoice.objects.filter(client__firm=firm).delete()
        run = queued_run(firm, owner.user)
        barrier = threading.Barrier(2)
        results: list[object] = [None, None]

        def work(index: int, barrier=barrier, results=results) -> None:
            try:
                barrier.wait(timeout=30)
                results[index] = worker.run_queued_imports(limit=1)
            except Exception as error:  # reported by the assertion below
                results[index] = error
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(map(str, results)) == ["0 queued import(s) run", "1 queued import(s) run"], (round_, results)
        run.refresh_from_db()
        assert run.state == ImportRun.State.DONE and run.progress == 100
        assert Invoice.objects.filter(client__firm=firm).count() == 2
        assert AuditEntry.objects.filter(action="import.done", data__run=run.pk).count() == 1


@pytest.mark.django_db
def test_the_worker_runs_queued_imports_oldest_first_and_leaves_the_rest_queued(firm, owner):
    ClientFactory(firm=firm, name="Acme Corp")
    first = queued_run(firm, owner.user)
    second = queued_run(firm, owner.user, CSV.replace(b"INV-", b"B-"))
    assert worker.run_queued_imports(limit=1) == "1 queued import(s) run"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == ImportRun.State.DONE and second.state == ImportRun.State.QUEUED
    assert worker.run_queued_imports(limit=5) == "1 queued import(s) run"
    assert worker.run_queued_imports() == "0 queued import(s) run"
    assert Invoice.objects.count() == 4


@pytest.mark.django_db
def test_a_queued_import_removes_its_upload_but_a_dry_run_keeps_it_for_the_import(firm, owner):
    ClientFactory(firm=firm, name="Acme Corp")
    dry = queued_run(firm, owner.user, dry_run=True)
    worker.run_queued_imports()
    dry.refresh_from_db()
    assert dry.state == ImportRun.State.DONE and Invoice.objects.count() == 0
    assert worker.upload_dir(dry.options["upload"]).is_dir()
    real = queued_run(firm, owner.user)
    worker.run_queued_imports()
    assert not worker.upload_dir(real.options["upload"]).exists()


@pytest.mark.django_db
def test_a_queued_import_whose_files_are_gone_fails_with_a_plain_reason(firm, owner):
    run = queued_run(firm, owner.user)
    worker.remove_upload(run.options["upload"])
    worker.run_queued_imports()
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert [{k: v for k, v in e.items() if k != "said"} for e in run.errors] == [
        {"file": "invoices.csv", "line": 0, "column": "", "reason": run.errors[0]["reason"]}
    ] and "upload them again" in run.errors[0]["reason"]


@pytest.mark.django_db
def test_a_bad_file_in_the_queue_fails_with_its_problems_and_the_worker_goes_on(firm, owner):
    ClientFactory(firm=firm, name="Acme Corp")
    bad = queued_run(firm, owner.user, b"client,number,amount\r\nAcme Corp,1,10\r\n")
    good = queued_run(firm, owner.user)
    assert worker.run_queued_imports(limit=2) == "2 queued import(s) run"
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.state == ImportRun.State.FAILED and "issued_on" in bad.errors[0]["reason"]
    assert good.state == ImportRun.State.DONE and Invoice.objects.count() == 2


@pytest.mark.django_db
def test_an_internal_error_marks_the_run_failed_and_does_not_stop_the_worker(firm, owner, monkeypatch):
    run = queued_run(firm, owner.user)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(worker, "run_import", broken)
    assert worker.run_queued_imports() == "1 queued import(s) run"
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED and run.finished_at is not None


@pytest.mark.django_db
def test_created_clients_are_removed_again_when_the_import_writes_nothing(firm, owner):
    content = b"client,number,issued_on,amount\r\nNew Co,N-1,2026-01-05,10\r\nOther,O-1,not a date,20\r\n"
    run = queued_run(firm, owner.user, content, choices={"create": ["New Co"], "skip": ["Other"]})
    worker.run_queued_imports()
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert not firm.clients.exists() and Invoice.objects.count() == 0


@pytest.mark.django_db
def test_progress_is_written_beside_the_upload_at_most_once_a_second(firm, owner, monkeypatch):
    run = queued_run(firm, owner.user)
    run.state = ImportRun.State.RUNNING
    clock = [100.0]
    monkeypatch.setattr(worker.time, "monotonic", lambda: clock[0])
    write = worker._ProgressWriter(run)
    write(10, 100)
    assert worker.read_progress(run) == 10
    clock[0] += 0.5
    write(50, 100)  # within the second: not written
    assert worker.read_progress(run) == 10
    clock[0] += 0.6
    write(60, 100)
    assert worker.read_progress(run) == 60 and run.progress == 60
    write.clear()
    assert worker.read_progress(run) == 60  # no file: the row's value
    run.state = ImportRun.State.DONE
    assert worker.read_progress(run) == 100


@pytest.mark.django_db
def test_progress_of_a_file_that_is_not_a_number_falls_back_to_the_row(firm, owner):
    run = queued_run(firm, owner.user)
    run.state, run.progress = ImportRun.State.RUNNING, 7
    worker.progress_file(run).write_text("lots")
    assert worker.read_progress(run) == 7


@pytest.mark.django_db
def test_progress_is_written_while_the_import_reads_and_cleared_when_it_ends(firm, owner, monkeypatch):
    """A file, not the row: the import's transaction is open while it reads, and the page must see it."""
    ClientFactory(firm=firm, name="Acme Corp")
    run = queued_run(firm, owner.user)
    monkeypatch.setattr(worker, "PROGRESS_EVERY", 0.0)
    seen = []
    original = worker._ProgressWriter.__call__

    def spy(self, done, total):
        original(self, done, total)
        seen.append(worker.progress_file(self.run).read_text() if worker.progress_file(self.run).exists() else "")

    monkeypatch.setattr(worker._ProgressWriter, "__call__", spy)
    worker.run_queued_imports()
    assert seen and seen[-1] == "99"  # the last file read, before the commit gives 100
    run.refresh_from_db()
    assert run.progress == 100 and not worker.progress_file(run).exists()


def test_only_our_tokens_name_an_upload_folder():
    for token in ("../etc", "ABCDEF" * 6, "", "0" * 31, "0" * 32 + "/x", None):
        with pytest.raises(worker.UploadMissing):
            worker.upload_dir(token)
    assert worker.upload_dir("a" * 32).name == "a" * 32


@pytest.mark.django_db
def test_stale_uploads_are_cleared_but_not_one_a_queued_import_needs(firm, owner):
    needed = queued_run(firm, owner.user)
    old = worker.upload_dir(os.urandom(16).hex())
    old.mkdir(parents=True)
    fresh = worker.upload_dir(os.urandom(16).hex())
    fresh.mkdir(parents=True)
    long_ago = time.time() - worker.STALE_AFTER - 60
    for folder in (old, worker.upload_dir(needed.options["upload"])):
        os.utime(folder, (long_ago, long_ago))
    report = worker.clear_stale_uploads()
    assert report == "1 stale upload(s) removed"
    assert not old.exists() and fresh.exists() and worker.upload_dir(needed.options["upload"]).exists()


@pytest.mark.django_db
def test_the_worker_loop_runs_queued_imports_every_few_seconds(firm, owner):
    job = next(j for j in jobs.JOBS if j.name == "run_queued_imports")
    assert job.every <= dt.timedelta(seconds=5)
    ClientFactory(firm=firm, name="Acme Corp")
    run = queued_run(firm, owner.user)
    reports = jobs.run_due_jobs()
    assert "run_queued_imports: 1 queued import(s) run" in reports
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE
    assert Job.objects.get(name="run_queued_imports").due_at > run.created_at


@pytest.mark.django_db
def test_an_import_in_another_firm_is_run_for_that_firm_only(firm, owner):
    other = MembershipFactory(firm=FirmFactory())
    ClientFactory(firm=firm, name="Acme Corp")
    theirs = ClientFactory(firm=other.firm, name="Acme Corp")
    queued_run(other.firm, other.user)
    worker.run_queued_imports()
    assert Invoice.objects.filter(client=theirs).count() == 2
    assert not Invoice.objects.filter(client__firm=firm).exists()


@pytest.mark.django_db
def test_a_run_left_running_by_a_dead_process_is_failed_after_six_hours_not_before(firm):
    from parting.imports.worker import fail_abandoned_runs

    run = ImportRun.objects.create(firm=firm, kind="invoices", file_name="big.csv", state=ImportRun.State.RUNNING)
    for hours, state in ((5.9, ImportRun.State.RUNNING), (6.1, ImportRun.State.FAILED)):
        ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
        fail_abandoned_runs()
        run.refresh_from_db()
        assert run.state == state
    assert "nothing of it was written" in run.errors[0]["reason"]
