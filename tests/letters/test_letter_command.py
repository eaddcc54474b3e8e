"""`parting letter CASE_ID --lang LANG --format pdf|docx|eml -o FILE`."""

import io
import zipfile
from email import message_from_bytes, policy

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pdfminer.high_level import extract_text

from parting.letters.services import letter_edit, letter_generate


def run(*args) -> str:
    out = io.StringIO()
    call_command("letter", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_writes_the_letter_as_pdf_docx_and_eml(letter_case, team, tmp_path):
    user = team["staff"].username
    run(str(letter_case.pk), "--lang", "en", "--format", "pdf", "-o", str(tmp_path / "l.pdf"), "--user", user)
    assert "This decision is final." in " ".join(extract_text(str(tmp_path / "l.pdf")).split())
    run(str(letter_case.pk), "--lang", "en", "--format", "docx", "-o", str(tmp_path / "l.docx"), "--user", user)
    assert zipfile.is_zipfile(tmp_path / "l.docx")
    run(str(letter_case.pk), "--lang", "en", "--format", "eml", "-o", str(tmp_path / "l.eml"), "--user", user)
    email = message_from_bytes((tmp_path / "l.eml").read_bytes(), policy=policy.default)
    assert email["To"] == "Anna Kowalska <anna@example.com>" and email["Message-ID"]


def test_the_command_renders_the_edited_version_when_there_is_one(letter_case, team, tmp_path):
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    letter_edit(
        letter=letter, by=team["staff"], subject="Our services end", body="Dear Ms Kowalska,\n\nEdited by hand."
    )
    run(str(letter_case.pk), "--lang", "en", "-o", str(tmp_path / "l.pdf"), "--user", team["staff"].username)
    text = extract_text(str(tmp_path / "l.pdf"))
    assert "Edited by hand." in text and "Our services end" in text


def test_an_unknown_case_or_an_unwritable_file_is_a_clear_error(letter_case, team, tmp_path):
    with pytest.raises(CommandError, match="No case 999"):
        run("999", "-o", str(tmp_path / "x.pdf"), "--user", team["staff"].username)
    with pytest.raises(CommandError, match="No such file or directory"):
        run(
            str(letter_case.pk),
            "--lang",
            "en",
            "-o",
            str(tmp_path / "missing" / "x.pdf"),
            "--user",
            team["staff"].username,
        )
