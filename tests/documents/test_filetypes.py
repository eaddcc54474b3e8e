"""What a client document is, told from its first bytes (issue 13 §1), and the name it is shown under.
No database: the inspection reads an uploaded file and nothing else."""

from __future__ import annotations

import pytest

from parting.documents.filetypes import NAME_LIMIT, Refused, clean_name, inspect_upload
from tests.documents.conftest import (
    CSV,
    DOCX,
    EXE,
    HTML,
    JPEG,
    ODT,
    PDF,
    PNG,
    SVG,
    TEXT,
    XLSX,
    ZIP,
    upload_file,
    zipped,
)

LIMIT = 4096


def inspect(name: str, content: bytes, limit: int = LIMIT):
    return inspect_upload(upload_file(name, content), max_bytes=limit)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("contract.pdf", PDF, "application/pdf"),
        ("scan.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("notes.txt", TEXT, "text/plain"),
        ("notes", TEXT, "text/plain"),
        ("ledger.csv", CSV, "text/csv"),
        ("letter.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("ledger.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("letter.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("scans.zip", ZIP, "application/zip"),
        ("scan-without-extension", PDF, "application/pdf"),
    ],
)
def test_each_accepted_kind_is_recognised_by_its_contents(name, content, content_type):
    found = inspect(name, content)
    assert found.kind.content_type == content_type
    assert found.size == len(content)


def test_a_program_named_pdf_is_refused_as_a_program():
    with pytest.raises(Refused) as refused:
        inspect("invoice.pdf", EXE)
    assert str(refused.value).startswith("invoice.pdf is a program")


@pytest.mark.parametrize("name", ["page.html", "page.txt", "page", "page.pdf"])
def test_html_is_refused_whatever_it_is_called(name):
    with pytest.raises(Refused, match=r"web page or drawing"):
        inspect(name, HTML)


@pytest.mark.parametrize("content", [SVG, SVG.split(b"?>", 1)[1], b"\xef\xbb\xbf  \n<svg onload='x'/>"])
def test_svg_is_refused_even_named_as_text(content):
    with pytest.raises(Refused, match=r"logo.txt is a web page or drawing"):
        inspect("logo.txt", content)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("report.pdf", TEXT, "named .pdf but its contents are plain text"),
        ("report.pdf", ZIP, "named .pdf but its contents are ZIP"),
        ("photo.png", JPEG, "named .png but its contents are JPEG"),
        ("letter.docx", ZIP, "ZIP archive, not a DOCX document"),
        ("letter.odt", DOCX, "ZIP archive, not a ODT document"),
        ("ledger.xlsx", b"PK\x03\x04 not really a zip", "damaged ZIP archive"),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n", "files ending in .sh are not accepted"),
        ("notes.txt", b"text\x00with a NUL", "not a document of an accepted kind"),
        ("notes.txt", "Windows text".encode("utf-16"), "not a document of an accepted kind"),
        ("notes.txt", b"caf\xe9 latin-1", "not a document of an accepted kind"),
        ("image.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "files ending in .gif are not accepted"),
        ("image", b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "not a document of an accepted kind"),
        ("empty.pdf", b"", "empty.pdf is empty"),
    ],
)
def test_contents_that_do_not_match_an_accepted_kind_are_refused_with_the_reason(name, content, reason):
    with pytest.raises(Refused) as refused:
        inspect(name, content)
    assert str(refused.value).startswith(name)
    assert reason in str(refused.value)


def test_invalid_utf8_late_in_a_large_text_file_is_still_refused():
    content = b"a," * 40_000 + b"\xff\n"  # past the first chunk read
    with pytest.raises(Refused, match="not a document of an accepted kind"):
        inspect("big.csv", content, limit=1024 * 1024)


def test_a_file_of_exactly_the_limit_is_accepted_and_one_byte_more_is_refused():
    assert inspect("exact.txt", b"x" * LIMIT).size == LIMIT
    with pytest.raises(Refused, match=r"over.txt is larger than 4\.0\sKB"):
        inspect("over.txt", b"x" * (LIMIT + 1))


def test_the_size_counted_is_the_bytes_read_not_the_size_the_browser_declared():
    upload = upload_file("lying.txt", b"x" * (LIMIT + 10))
    upload.size = 10
    with pytest.raises(Refused, match="larger than"):
        inspect_upload(upload, max_bytes=LIMIT)


def test_the_checksum_is_the_sha256_of_the_whole_file():
    import hashlib

    content = b"%PDF-" + bytes(range(256)) * 300
    assert inspect("big.pdf", content, limit=1024 * 1024).sha256 == hashlib.sha256(content).hexdigest()


def test_a_zip_with_another_office_extension_is_checked_for_its_own_part():
    assert inspect("letter.docx", DOCX).kind.key == "docx"
    with pytest.raises(Refused):
        inspect("ledger.xlsx", DOCX)
    assert inspect("odd.odt", zipped({"mimetype": b"application/vnd.oasis.opendocument.text"})).kind.key == "odt"


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("report\r\nSet-Cookie: x.pdf", "reportSet-Cookie: x.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override would show "exe.pdf"
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("Rachunek łódź — 2026.pdf", "Rachunek łódź — 2026.pdf"),
        ("חשבונית.pdf", "חשבונית.pdf"),
        ("..", "document"),
        ("", "document"),
        ("   ", "document"),
        ("dir/", "document"),
    ],
)
def test_the_shown_name_has_no_folders_and_no_control_or_formatting_characters(raw, shown):
    assert clean_name(raw) == shown


def test_a_long_name_is_cut_to_the_limit_keeping_its_extension():
    name = clean_name("a" * 500 + ".pdf")
    assert len(name) == NAME_LIMIT
    assert name.endswith("a.pdf")
    assert len(clean_name("b" * NAME_LIMIT)) == NAME_LIMIT
