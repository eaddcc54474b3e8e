"""Keeping and deleting client documents (issue 13 §1): the file really in the storage folder under a
generated per-firm/per-client name, its size and checksum right, nothing half-written when the
record fails, the file gone with its row, both audited without the file's name."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from parting.audit.models import AuditEntry
from parting.audit.services import audit_check
from parting.documents.filetypes import Refused
from parting.documents.models import Document
from parting.documents.services import document_delete, document_upload
from tests.documents.conftest import CSV, DOCX, EXE, JPEG, ODT, PDF, PNG, TEXT, XLSX, ZIP, stored_files, upload_file
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

Category = Document.Category


def keep(client, by, name="contract.pdf", content=PDF, category=Category.PROVIDED, note=""):
    return document_upload(client=client, by=by, category=category, upload=upload_file(name, content), note=note)


def test_an_upload_is_stored_in_the_storage_folder_under_a_generated_name(acme, team, storage_dir):
    document = keep(acme, team["staff"], name="../../etc/passwd", content=TEXT)
    path = storage_dir / document.file.name
    assert path.read_bytes() == TEXT
    assert path.parent == storage_dir / str(acme.firm_id) / str(acme.pk)
    assert "passwd" not in document.file.name and ".." not in document.file.name
    assert len(path.stem) == 32  # 128 random bits: not guessable, never the member's name
    assert document.name == "passwd"
    assert stored_files(storage_dir) == [path]


@pytest.mark.parametrize(
    ("name", "content", "suffix"),
    [
        ("a.pdf", PDF, ".pdf"),
        ("a.png", PNG, ".png"),
        ("a.jpeg", JPEG, ".jpg"),
        ("a.txt", TEXT, ".txt"),
        ("a.csv", CSV, ".csv"),
        ("a.docx", DOCX, ".docx"),
        ("a.xlsx", XLSX, ".xlsx"),
        ("a.odt", ODT, ".odt"),
        ("a.zip", ZIP, ".zip"),
    ],
)
def test_each_accepted_kind_is_kept_byte_for_byte(acme, team, storage_dir, name, content, suffix):
    document = keep(acme, team["staff"], name=name, content=content)
    path = storage_dir / document.file.name
    assert path.suffix == suffix  # the extension of the kind found, not of the name given
    assert path.read_bytes() == content
    assert (document.size, document.sha256) == (len(content), hashlib.sha256(content).hexdigest())


def test_the_recorded_size_checksum_type_and_uploader_are_those_of_the_file(acme, team):
    document = keep(acme, team["staff"], note="Signed copy")
    document.refresh_from_db()
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.content_type == "application/pdf"
    assert (document.firm_id, document.client_id, document.uploaded_by) == (acme.firm_id, acme.pk, team["staff"])
    assert document.note == "Signed copy"
    with document.file.open("rb") as handle:  # through the FileField and the "documents" alias
        assert hashlib.sha256(handle.read()).hexdigest() == document.sha256


def test_files_are_readable_by_the_server_only(acme, team, storage_dir):
    document = keep(acme, team["owner"])
    assert stat.S_IMODE(os.stat(storage_dir / document.file.name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(storage_dir / str(acme.firm_id)).st_mode) == 0o700


def test_a_refused_file_leaves_no_row_and_no_file(acme, team, storage_dir):
    with pytest.raises(Refused, match=r"invoice\.pdf is a program"):
        keep(acme, team["staff"], name="invoice.pdf", content=EXE)
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_kept(acme, team, settings, storage_dir):
    settings.DOCUMENT_MAX_BYTES = 2048
    assert keep(acme, team["staff"], name="exact.txt", content=b"y" * 2048).size == 2048
    with pytest.raises(Refused, match=r"over\.txt is larger than"):
        keep(acme, team["staff"], name="over.txt", content=b"y" * 2049)
    assert Document.objects.count() == 1 and len(stored_files(storage_dir)) == 1


def test_when_the_record_fails_the_file_written_is_removed(acme, team, settings, tmp_path, storage_dir):
    """The audit entry is written in the row's transaction; a damaged audit key fails it, and the file
    already in storage is deleted again: no file without its row."""
    broken = tmp_path / "broken_key"
    broken.write_text("not a key\n")
    settings.AUDIT_KEY_FILE = str(broken)
    with pytest.raises(Exception, match="does not hold a key"):
        keep(acme, team["staff"])
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


def test_upload_and_delete_are_audited_by_category_size_and_checksum_not_by_name(
    acme, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = keep(acme, team["staff"], name="Jan Kowalski PESEL 80010112345.pdf", category=Category.ACCOUNTING)
        document_delete(document=document, by=team["owner"])
    entries = list(AuditEntry.objects.filter(firm=acme.firm).order_by("id"))
    assert [(e.action, e.target, e.actor_id) for e in entries] == [
        ("document.uploaded", f"client:{acme.pk}", team["staff"].pk),
        ("document.deleted", f"client:{acme.pk}", team["owner"].pk),
    ]
    for entry in entries:
        assert entry.data == {
            "document": document.pk,
            "category": "accounting",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
        }
        assert "Kowalski" not in json.dumps(entry.data)
    assert audit_check(firm=acme.firm) is None


def test_delete_removes_the_row_and_after_commit_the_file(acme, team, storage_dir, django_capture_on_commit_callbacks):
    document = keep(acme, team["staff"])
    path = storage_dir / document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert document_delete(document=document, by=team["staff"]) is True
    assert not Document.objects.exists()
    assert not path.exists()


def test_a_delete_that_rolls_back_keeps_the_file(acme, team, storage_dir):
    document = keep(acme, team["staff"])
    path = storage_dir / document.file.name
    with pytest.raises(RuntimeError), transaction.atomic():
        document_delete(document=document, by=team["owner"])
        raise RuntimeError("the surrounding work failed")
    assert Document.objects.filter(pk=document.pk).exists()
    assert path.read_bytes() == PDF


def test_deleting_a_document_already_deleted_is_no_second_deletion(acme, team, django_capture_on_commit_callbacks):
    document = keep(acme, team["staff"])
    stale = Document.objects.get(pk=document.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert document_delete(document=document, by=team["owner"]) is True
        assert document_delete(document=stale, by=team["partner"]) is False
    assert AuditEntry.objects.filter(action="document.deleted").count() == 1


@pytest.mark.parametrize("role", ["owner", "partner"])
def test_owners_and_partners_delete_anyones_document(acme, team, role, django_capture_on_commit_callbacks):
    document = keep(acme, team["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        assert document_delete(document=document, by=team[role])


def test_staff_delete_their_own_uploads_but_not_a_colleagues(acme, team, storage_dir):
    document = keep(acme, team["staff"])
    with pytest.raises(PermissionDenied):
        document_delete(document=document, by=team["staff2"])
    assert Document.objects.filter(pk=document.pk).exists()
    assert document_delete(document=document, by=team["staff"])


def test_a_member_of_another_firm_can_neither_upload_nor_delete(acme, team):
    stranger = MembershipFactory(firm=FirmFactory()).user
    with pytest.raises(PermissionDenied):
        keep(acme, stranger)
    document = keep(acme, team["staff"])
    with pytest.raises(PermissionDenied):
        document_delete(document=document, by=stranger)
    assert Document.objects.filter(pk=document.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_members_deleting_at_once_delete_and_record_once(settings, tmp_path, storage_dir):
    """A double click or two members on the same row: the conditional delete lets one through."""
    firm = FirmFactory()
    owner = MembershipFactory(firm=firm).user
    partner = MembershipFactory(firm=firm, partner=True).user
    document = keep(ClientFactory(firm=firm), owner)
    path = storage_dir / document.file.name
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker(user):
        try:
            loaded = Document.objects.get(pk=document.pk)  # both pages showed it before either click
            barrier.wait(timeout=10)
            results.append(document_delete(document=loaded, by=user))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(user,)) for user in (owner, partner)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sorted(results) == [False, True]
    assert AuditEntry.objects.filter(firm=firm, action="document.deleted").count() == 1
    assert not Document.objects.exists() and not path.exists()
