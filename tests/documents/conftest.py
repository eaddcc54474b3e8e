"""Client documents in a storage folder of each test's own (the product's default filesystem
configuration, located in tmp_path), with an audit key and journal of its own."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parting.documents.models import Document
from parting.documents.services import document_upload
from parting.settings import documents_storage
from tests.factories import ClientFactory, FirmFactory, MembershipFactory


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path) -> Path:
    settings.STORAGES = {**settings.STORAGES, "documents": documents_storage(tmp_path)}
    settings.AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit_key")
    settings.AUDIT_JOURNAL_FILE = str(tmp_path / "audit_journal")
    return tmp_path / "documents"


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TEXT = "Umowa z klientem — łódź, 2026\nSecond line\n".encode()
CSV = b"date,amount\r\n2026-01-05,100.00\r\n"
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
ZIP = zipped({"scans/page-1.txt": b"page one"})
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload_file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def firm(db):
    return FirmFactory()


@pytest.fixture
def team(firm):
    return {
        "owner": MembershipFactory(firm=firm, user__username="olga").user,
        "partner": MembershipFactory(firm=firm, partner=True, user__username="piotr").user,
        "staff": MembershipFactory(firm=firm, staff=True, user__username="ana").user,
        "staff2": MembershipFactory(firm=firm, staff=True, user__username="ben").user,
    }


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


@pytest.fixture
def other_firm_document(db):
    """A document of another firm's client: never visible from ``firm``."""
    firm = FirmFactory()
    owner = MembershipFactory(firm=firm).user
    client = ClientFactory(firm=firm, name="Elsewhere Ltd")
    return document_upload(
        client=client, by=owner, category=Document.Category.PROVIDED, upload=upload_file("theirs.pdf", PDF)
    )


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
