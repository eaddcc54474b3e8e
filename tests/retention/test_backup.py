"""Issue 13 §6: `parting backup` and `parting restore` — the manifest, what a restore refuses, and O5:
a purge done after a backup is done again when that backup is restored, so erased data stays erased."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from parting.audit.models import AuditEntry
from parting.audit.services import audit_record
from parting.cases.models import OffboardingCase
from parting.cases.selectors import case_timeline
from parting.clients.models import Client
from parting.core.jobs import run_due_jobs
from parting.documents.models import Document
from parting.documents.services import document_upload
from parting.retention.backup import BackupError, backup_create, backup_restore, backup_verify
from parting.retention.journal import purge_journal_read
from parting.retention.models import PurgeSchedule
from tests.factories import ClientFactory

from .conftest import PDF, database_dump, found_in, rich_client, storage_dump, upload

pytestmark = pytest.mark.django_db(transaction=True)


def at_noon(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 11, 0, tzinfo=dt.UTC), tick=False)


def rewrite(archive: Path, target: Path, *, change=None, add=None, drop=None, manifest=None) -> None:
    """Copy ``archive`` to ``target``, altering one member's bytes, adding or dropping one, or rewriting
    the manifest (and, then, nothing else)."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == drop:
                continue
            if change and info.filename == change[0]:
                data = change[1](data)
            if manifest and info.filename == "manifest.json":
                data = json.dumps(manifest(json.loads(data))).encode()
            out.writestr(info.filename, data)
        if add:
            out.writestr(add[0], add[1])


@pytest.fixture
def stored(firm, team):
    client = ClientFactory(firm=firm, name="Halvorsen Fjord AS")
    document = document_upload(client=client, by=team["staff"], category="provided", upload=upload("scan.pdf", PDF))
    return client, document


def test_the_manifest_lists_every_member_with_its_size_and_sha256_and_says_what_the_backup_is(
    stored, storage_dir, tmp_path, request
):
    _client, document = stored
    archive = tmp_path / "backup.zip"
    manifest = backup_create(output=archive)

    with zipfile.ZipFile(archive) as zipped:
        names = sorted(zipped.namelist())
        for member in manifest["members"]:
            data = zipped.read(member["name"])
            assert (len(data), hashlib.sha256(data).hexdigest()) == (member["size"], member["sha256"])
    assert names == sorted(["manifest.json", *(m["name"] for m in manifest["members"])])
    assert f"documents/{document.file.name}" in names
    assert "audit/audit_journal" in names and "audit/audit_key" not in names  # the key stays out by default
    assert manifest["database"]["vendor"] == connection.vendor
    assert "retention_tombstone" in manifest["database"]["tables"]
    if not request.config.getoption("nomigrations"):  # make mutate builds the tables without migrations
        assert manifest["migrations"]["retention"].startswith("000")
    assert manifest["parting_version"] and manifest["created_at"] and manifest["includes_audit_key"] is False
    assert backup_verify(archive) == manifest


def test_the_audit_key_goes_into_the_backup_only_when_asked(stored, tmp_path):
    archive = tmp_path / "with-key.zip"
    call_command("backup", "-o", str(archive), "--include-audit-key", stdout=io.StringIO())
    with zipfile.ZipFile(archive) as zipped:
        assert "audit/audit_key" in zipped.namelist()
    assert backup_verify(archive)["includes_audit_key"] is True


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("altered", "does not match the manifest"),
        ("inserted", "is not in the manifest"),
        ("removed", "missing from the archive"),
    ],
)
def test_restore_refuses_an_altered_archive_naming_the_member_and_changes_nothing(stored, tmp_path, how, said):
    client, document = stored
    archive, bad = tmp_path / "backup.zip", tmp_path / "bad.zip"
    backup_create(output=archive)
    member = f"documents/{document.file.name}"
    if how == "altered":
        rewrite(archive, bad, change=(member, lambda data: data.replace(b"QUARKWOOD", b"QUARKW00D")))
    elif how == "inserted":
        rewrite(archive, bad, add=("documents/1/1/planted.pdf", b"%PDF planted"))
    else:
        rewrite(archive, bad, drop=member)
    Client.objects.filter(pk=client.pk).update(name="Renamed after the backup")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(bad), "--yes")
    assert said in str(refused.value) and str(bad) in str(refused.value)
    assert (member if how != "inserted" else "planted.pdf") in str(refused.value)
    assert Client.objects.get(pk=client.pk).name == "Renamed after the backup"  # nothing was restored


def test_restore_of_the_unaltered_archive_is_accepted(stored, tmp_path):
    client, _document = stored
    archive = tmp_path / "backup.zip"
    backup_create(output=archive)
    Client.objects.filter(pk=client.pk).update(name="Renamed after the backup")
    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert Client.objects.get(pk=client.pk).name == "Halvorsen Fjord AS"


def test_restore_refuses_a_backup_from_a_newer_schema(stored, tmp_path):
    archive, newer = tmp_path / "backup.zip", tmp_path / "newer.zip"
    backup_create(output=archive)

    def from_the_future(manifest):
        manifest["migrations"]["retention"] = "9999_from_a_later_version"
        manifest["parting_version"] = "9.0.0"
        return manifest

    rewrite(archive, newer, manifest=from_the_future)
    with pytest.raises(CommandError, match=r"newer version of Parting \(9\.0\.0.*retention\.9999_from_a_later_version"):
        call_command("restore", str(newer), "--yes")
    # The same backup with this version's migrations is taken.
    assert backup_verify(archive)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"this is not a zip", "not a readable ZIP archive"),
        (None, "no such file"),
    ],
)
def test_a_bad_file_gets_a_clear_error_not_a_traceback(db, tmp_path, content, said):
    path = tmp_path / "backup.zip"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=said) as refused:
        call_command("restore", str(path), "--yes")
    assert str(path) in str(refused.value)


def test_a_zip_without_a_manifest_is_not_a_parting_backup(db, tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("hello.txt", "hi")
    with pytest.raises(BackupError, match=r"has no manifest\.json"):
        backup_verify(path)


def test_a_member_named_outside_the_storage_is_refused(stored, tmp_path):
    archive, bad = tmp_path / "backup.zip", tmp_path / "bad.zip"
    backup_create(output=archive)

    def escape(manifest):
        manifest["members"].append({"name": "documents/../../etc/cron.d/x", "size": 1, "sha256": "0" * 64})
        return manifest

    rewrite(archive, bad, manifest=escape, add=("documents/../../etc/cron.d/x", b"x"))
    with pytest.raises(BackupError, match=r"documents/\.\./\.\./etc/cron\.d/x: a document's name"):
        backup_verify(bad)


def test_o5_backup_then_purge_then_restore_then_worker_the_purged_client_does_not_come_back(
    firm, team, storage_dir, tmp_path
):
    rich = rich_client(firm, team)
    archive = tmp_path / "before-the-purge.zip"
    backup_create(output=archive)  # taken while the client's data is all there

    with at_noon(rich.deletion):
        run_due_jobs()  # the purge
    assert found_in(rich.identifiers, database_dump(), storage_dump(storage_dir / "documents")) == []
    [journalled] = purge_journal_read()[0]
    assert (journalled.client_id, set(journalled.categories)) == (rich.client.pk, {"personal", "provided", "work"})
    journal_text = Path(tmp_path / "purges.jsonl").read_text()
    assert found_in(rich.identifiers, journal_text, b"") == []  # the journal names no one

    with at_noon(rich.deletion + dt.timedelta(days=3)):
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
        dump, files = database_dump(), storage_dump(storage_dir / "documents")
        assert found_in(rich.identifiers, dump, files) == []  # purged again by the restore itself
        run_due_jobs()
    dump, files = database_dump(), storage_dump(storage_dir / "documents")
    assert found_in(rich.identifiers, dump, files) == []
    assert found_in(rich.accounting, dump, files) == rich.accounting  # kept for their legal period, as before
    assert set(PurgeSchedule.objects.filter(client=rich.client, state="purged").values_list("category", flat=True)) == {
        "personal",
        "provided",
        "work",
    }
    assert Client.objects.get(pk=rich.client.pk).name == journalled.reference  # the same tombstone reference
    assert list(Document.objects.filter(client=rich.client).values_list("category", flat=True)) == ["accounting"]
    # The log says what happened and still verifies: the restore and the purge done again.
    actions = list(AuditEntry.objects.filter(firm=firm).order_by("-id").values_list("action", flat=True)[:4])
    assert actions == ["retention.certificate", "retention.purged", "case.purged", "backup.restored"]
    call_command("audit", "verify", stdout=io.StringIO())


def test_o5_a_backup_taken_while_the_case_was_winding_down_restores_to_a_purged_case_and_no_data(
    firm, team, storage_dir, tmp_path
):
    """The journal proves the purge, and a purge only ever follows the case's end: the restored case,
    winding down in the backup, is purged — not left under way for a client whose data is gone — and
    its history says so, as the worker's own purge of a closed case does."""
    archive = tmp_path / "while-winding-down.zip"
    rich = rich_client(firm, team, before_close=lambda: backup_create(output=archive))
    case = OffboardingCase.objects.get(pk=rich.case.pk)
    assert case.state == "closed"
    with at_noon(rich.deletion):
        run_due_jobs()  # the purge: the closed case becomes purged
    first = AuditEntry.objects.get(firm=firm, action="case.purged", target=f"case:{case.pk}")
    assert (first.data["from"], first.data["to"], first.actor) == ("closed", "purged", None)

    with at_noon(rich.deletion + dt.timedelta(days=3)):
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
        case.refresh_from_db()
        assert case.state == "purged"
        # The restored log predates the first entry; the purge done again records the step anew.
        again = AuditEntry.objects.get(firm=firm, action="case.purged", target=f"case:{case.pk}")
        assert (again.data["from"], again.data["to"], again.data["reapplied"]) == ("winding_down", "purged", True)
        last = case_timeline(case)[-1]  # the case's history shows it, by the worker (no member)
        assert (last["at"], last["actor"]) == (again.at, None)
        assert Client.objects.get(pk=rich.client.pk).status == Client.Status.FORMER
        assert found_in(rich.identifiers, database_dump(), storage_dump(storage_dir / "documents")) == []
        run_due_jobs()  # the worker afterwards changes nothing back
    case.refresh_from_db()
    assert case.state == "purged"
    assert AuditEntry.objects.filter(firm=firm, action="case.purged", target=f"case:{case.pk}").count() == 1
    assert found_in(rich.identifiers, database_dump(), storage_dump(storage_dir / "documents")) == []
    call_command("audit", "verify", stdout=io.StringIO())


def test_o5_a_backup_taken_before_the_case_closed_is_purged_too_after_restore(firm, team, storage_dir, tmp_path):
    """The backup predates the purge's schedule: the journal alone says the client must go."""
    client = ClientFactory(firm=firm, name="Early Backup Sp. z o.o.")
    document_upload(client=client, by=team["staff"], category="provided", upload=upload("scan.pdf", PDF))
    archive = tmp_path / "early.zip"
    backup_create(output=archive)
    ClientFactory(firm=firm, name="Stays Here Ltd")  # written after the backup: the restore loses it
    from parting.retention.services import erasure_request

    erasure_request(
        client=client, by=team["owner"], on=firm.today(), requested_on=firm.today(), reason="Asked by phone"
    )
    run_due_jobs()
    assert found_in(["Early Backup", "QUARKWOOD"], database_dump(), storage_dump(storage_dir / "documents")) == []

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert found_in(["Early Backup", "QUARKWOOD"], database_dump(), storage_dump(storage_dir / "documents")) == []
    assert not Client.objects.filter(name="Stays Here Ltd").exists()


def test_a_client_never_purged_comes_back_whole(firm, team, storage_dir, tmp_path):
    """The other side: without a line in the purge journal the restore re-applies nothing."""
    client = ClientFactory(firm=firm, name="Untouched Trading")
    document_upload(client=client, by=team["staff"], category="provided", upload=upload("scan.pdf", PDF))
    archive = tmp_path / "backup.zip"
    backup_create(output=archive)
    Client.objects.filter(pk=client.pk).delete()
    shutil.rmtree(storage_dir / "documents")

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert found_in(["Untouched Trading", "QUARKWOOD"], database_dump(), storage_dump(storage_dir / "documents")) == [
        "Untouched Trading",
        "QUARKWOOD",
    ]


def test_audit_verify_passes_after_a_restore_and_records_the_entries_the_restore_dropped(firm, team, tmp_path):
    audit_record(firm=firm, actor=None, action="policy.changed", target="policy", data={})
    archive = tmp_path / "backup.zip"
    backup_create(output=archive)
    kept = AuditEntry.objects.filter(firm=firm).count()
    for _ in range(3):
        audit_record(firm=firm, actor=None, action="policy.changed", target="policy", data={})

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    call_command("audit", "verify", stdout=io.StringIO())  # exit 0: no false alarm
    restored = AuditEntry.objects.filter(firm=firm).order_by("-id").first()
    assert restored.action == "backup.restored"
    assert restored.data["entries_not_restored"] == 3
    assert AuditEntry.objects.filter(firm=firm).count() == kept + 1
    assert list(tmp_path.glob("audit_journal.before-restore-*"))  # the lost entries' hashes are kept


def test_a_tail_deleted_before_the_backup_is_still_caught_after_restoring_it(firm, team, tmp_path):
    for _ in range(3):
        audit_record(firm=firm, actor=None, action="policy.changed", target="policy", data={})
    AuditEntry.objects.filter(pk=AuditEntry.objects.filter(firm=firm).order_by("-id").first().pk).delete()
    archive = tmp_path / "backup.zip"
    backup_create(output=archive)  # the journal in it still names the deleted entry

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    said = io.StringIO()
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify", stdout=said)
    assert "no longer holds it" in said.getvalue()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup API; PostgreSQL uses pg_dump")
def test_a_sqlite_backup_taken_while_the_app_writes_is_one_consistent_moment(firm, tmp_path):
    """Each write adds two clients in one transaction: a copy that caught half a write would hold an odd number."""
    stop, started = threading.Event(), threading.Barrier(2)

    def writer():
        from django.db import connection as own
        from django.db import transaction

        try:
            started.wait()
            n = 0
            while not stop.is_set():
                with transaction.atomic():
                    ClientFactory(firm=firm, name=f"Pair {n} a")
                    ClientFactory(firm=firm, name=f"Pair {n} b")
                n += 1
        finally:
            own.close()

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait()
    archives = []
    try:
        for n in range(3):
            archive = tmp_path / f"backup-{n}.zip"
            backup_create(output=archive)
            archives.append(archive)
    finally:
        stop.set()
        thread.join()
    import sqlite3

    counts = []
    for archive in archives:
        copy = tmp_path / f"{archive.stem}.sqlite3"
        with zipfile.ZipFile(archive) as zipped:
            copy.write_bytes(zipped.read("database/parting.sqlite3"))
        db = sqlite3.connect(copy)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts.append(db.execute("SELECT count(*) FROM clients_client WHERE name LIKE 'Pair %'").fetchone()[0])
        db.close()
    assert all(count % 2 == 0 for count in counts), counts
    assert counts[-1] > 0  # the writes were under way while it copied
    assert Client.objects.filter(name__startswith="Pair ").count() >= counts[-1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pg_dump/pg_restore round trip")
def test_postgresql_backup_and_restore_round_trip(stored, storage_dir, tmp_path):
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump and pg_restore are not installed on this machine")
    client, document = stored
    archive = tmp_path / "backup.zip"
    manifest = backup_create(output=archive)
    assert "database/parting.pgdump" in {m["name"] for m in manifest["members"]}
    Client.objects.filter(pk=client.pk).update(name="Renamed after the backup")
    ClientFactory(firm=client.firm, name="Created after the backup")
    (storage_dir / "documents" / document.file.name).unlink()

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert Client.objects.get(pk=client.pk).name == "Halvorsen Fjord AS"
    assert not Client.objects.filter(name="Created after the backup").exists()
    assert (storage_dir / "documents" / document.file.name).read_bytes() == PDF
    call_command("audit", "verify", stdout=io.StringIO())


def test_restore_asks_first_and_a_no_changes_nothing(stored, tmp_path, monkeypatch):
    client, _document = stored
    archive = tmp_path / "backup.zip"
    backup_create(output=archive)
    Client.objects.filter(pk=client.pk).update(name="Renamed after the backup")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="not confirmed"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert Client.objects.get(pk=client.pk).name == "Renamed after the backup"
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("restore", str(archive), stdout=io.StringIO())
    assert Client.objects.get(pk=client.pk).name == "Halvorsen Fjord AS"


@pytest.mark.parametrize(("where", "said"), [("missing/backup.zip", "does not exist"), (".", "this is a folder")])
def test_backup_to_a_place_it_cannot_write_says_where(db, tmp_path, where, said):
    with pytest.raises(CommandError, match=said):
        call_command("backup", "-o", str(tmp_path / where), stdout=io.StringIO())


def test_a_key_in_the_backup_is_installed_only_where_there_is_none(stored, settings, tmp_path):
    from parting.audit.keys import audit_key, key_path

    archive = tmp_path / "with-key.zip"
    backup_create(output=archive, include_key=True)
    original = audit_key(create=False)
    key_path().unlink()  # a new machine: the key was not copied
    assert backup_restore(archive).key_installed is True
    assert audit_key(create=False) == original
    call_command("audit", "verify", stdout=io.StringIO())
    assert backup_restore(archive).key_installed is False  # never over an existing key


def test_o5_a_purge_whose_journal_line_cannot_be_written_does_not_happen(firm, team, settings, tmp_path):
    """Erased must stay erased: a purge a restore could not redo is rolled back and tried again later."""
    rich = rich_client(firm, team)
    (tmp_path / "not-a-folder").write_text("")
    settings.PURGE_JOURNAL_FILE = str(tmp_path / "not-a-folder" / "purges.jsonl")
    with at_noon(rich.deletion):
        run_due_jobs()
    assert Client.objects.get(pk=rich.client.pk).name == "Quarkwood Holdings"
    assert not PurgeSchedule.objects.filter(client=rich.client, state="purged").exists()
    settings.PURGE_JOURNAL_FILE = str(tmp_path / "purges.jsonl")
    with at_noon(rich.deletion + dt.timedelta(days=1)):
        from parting.retention.services import purge_due

        assert [p.client_id for p in purge_due()] == [rich.client.pk]
    assert purge_journal_read()[0][0].client_id == rich.client.pk
