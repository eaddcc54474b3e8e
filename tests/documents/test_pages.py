"""The Documents section of the client page (issue 13 §1): listed by category, uploaded with a form
that names a refused file and why (never a 500), downloaded as an attachment only through a view that
checks the firm, deleted after a confirmation. Another firm's document is a 404 at every address."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from parting.audit.models import AuditEntry
from parting.documents.models import Document
from parting.documents.services import document_upload
from tests.documents.conftest import DOCX, EXE, HTML, PDF, SVG, TEXT, stored_files, upload_file

Category = Document.Category


def browser(user) -> BrowserClient:
    session = BrowserClient()
    session.force_login(user)
    return session


def post_upload(session, client, name, content, category=Category.PROVIDED, note=""):
    return session.post(
        reverse("document_upload", args=[client.pk]),
        {"category": category, "note": note, "file": upload_file(name, content)},
    )


def keep(client, by, name="contract.pdf", content=PDF, category=Category.PROVIDED):
    return document_upload(client=client, by=by, category=category, upload=upload_file(name, content))


def download_url(document) -> str:
    return reverse("document_download", args=[document.client_id, document.pk])


def delete_url(document) -> str:
    return reverse("document_delete", args=[document.client_id, document.pk])


def documents_section(html: str) -> str:
    start = html.index('id="documents"')
    return html[start : html.index("</section>", start)]


# -- upload -----------------------------------------------------------------------------------


def test_staff_upload_from_the_client_page_and_see_it_listed(acme, team, storage_dir):
    session = browser(team["staff"])
    response = post_upload(session, acme, "Umowa łódź.docx", DOCX, Category.WORK, note="Signed")
    assert response.status_code == 302
    assert response["Location"] == reverse("client_detail", args=[acme.pk]) + "#documents"
    document = Document.objects.get()
    assert (document.name, document.category, document.note) == ("Umowa łódź.docx", "work", "Signed")
    assert (storage_dir / document.file.name).read_bytes() == DOCX
    section = documents_section(session.get(response["Location"]).content.decode())
    assert "Our work product" in section and "Umowa łódź.docx" in section and "Signed" in section


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("invoice.pdf", EXE, "invoice.pdf is a program"),
        ("page.html", HTML, "page.html is a web page or drawing"),
        ("logo.svg", SVG, "logo.svg is a web page or drawing"),
        ("report.pdf", TEXT, "report.pdf is named .pdf but its contents are plain text"),
    ],
)
def test_a_refused_file_is_a_form_error_naming_it_and_nothing_is_kept(acme, team, storage_dir, name, content, reason):
    response = post_upload(browser(team["staff"]), acme, name, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert reason in html
    assert 'id="document-file_error"' in html and 'aria-invalid="true"' in html
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []
    assert not AuditEntry.objects.filter(action="document.uploaded").exists()


def test_the_size_limit_holds_on_each_side_through_the_page(acme, team, settings):
    settings.DOCUMENT_MAX_BYTES = 3000
    session = browser(team["staff"])
    assert post_upload(session, acme, "exact.csv", b"z" * 3000).status_code == 302
    response = post_upload(session, acme, "over.csv", b"z" * 3001)
    assert response.status_code == 400
    assert "over.csv is larger than" in response.content.decode()
    assert list(Document.objects.values_list("name", flat=True)) == ["exact.csv"]


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(acme, team, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = post_upload(browser(team["staff"]), acme, "huge.txt", b"h" * 200_000)
    assert response.status_code == 413
    assert "larger than 1.0" in response.content.decode()
    assert not Document.objects.exists()


def test_a_path_in_the_uploaded_name_is_dropped(acme, team, storage_dir):
    assert post_upload(browser(team["staff"]), acme, "../../etc/passwd", b"root:x:0:0\n").status_code == 302
    document = Document.objects.get()
    assert document.name == "passwd"
    assert stored_files(storage_dir) == [storage_dir / document.file.name]
    assert document.file.name.startswith(f"{acme.firm_id}/{acme.pk}/")


def test_an_upload_needs_the_csrf_token(acme, team):
    session = BrowserClient(enforce_csrf_checks=True)
    session.force_login(team["staff"])
    assert post_upload(session, acme, "contract.pdf", PDF).status_code == 403
    assert not Document.objects.exists()


def test_uploading_to_another_firms_client_is_a_404(team, other_firm_document, storage_dir):
    before = stored_files(storage_dir)
    response = post_upload(browser(team["staff"]), other_firm_document.client, "mine.pdf", PDF)
    assert response.status_code == 404
    assert Document.objects.count() == 1 and stored_files(storage_dir) == before


# -- download ---------------------------------------------------------------------------------


def test_download_is_an_attachment_with_the_original_name_and_no_sniffing(acme, team):
    document = keep(acme, team["owner"])
    response = browser(team["staff"]).get(download_url(document))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == PDF and hashlib.sha256(body).hexdigest() == document.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="contract.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(PDF))


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("Rachunek łódź.pdf", "attachment; filename*=utf-8''Rachunek%20%C5%82%C3%B3d%C5%BA.pdf"),
        ('say "hi".pdf', 'attachment; filename="say \\"hi\\".pdf"'),
        ("a\r\nSet-Cookie: x=1.pdf", 'attachment; filename="aSet-Cookie: x=1.pdf"'),
    ],
)
def test_the_download_name_is_safely_encoded(acme, team, name, header):
    document = keep(acme, team["owner"], name=name)
    response = browser(team["owner"]).get(download_url(document))
    assert response["Content-Disposition"] == header
    assert "Set-Cookie" not in {key.title() for key in response.headers}


def test_another_firms_document_is_a_404_to_download(acme, team, other_firm_document):
    session = browser(team["owner"])
    assert session.get(download_url(other_firm_document)).status_code == 404
    # Their document id under our client: still not found.
    assert session.get(reverse("document_download", args=[acme.pk, other_firm_document.pk])).status_code == 404


def test_a_document_of_another_client_of_the_firm_is_not_found_under_this_client(acme, team, firm):
    from tests.factories import ClientFactory

    other = keep(ClientFactory(firm=firm, name="Beta"), team["owner"])
    assert browser(team["owner"]).get(reverse("document_download", args=[acme.pk, other.pk])).status_code == 404


def test_a_file_missing_from_storage_is_a_404_not_a_500(acme, team, storage_dir):
    document = keep(acme, team["owner"])
    (storage_dir / document.file.name).unlink()
    assert browser(team["owner"]).get(download_url(document)).status_code == 404


def test_signed_out_visitors_get_the_login_page_not_the_file(acme, team):
    document = keep(acme, team["owner"])
    response = BrowserClient().get(download_url(document))
    assert response.status_code == 302 and "/login/" in response["Location"]


# -- delete -----------------------------------------------------------------------------------


def test_delete_asks_first_then_removes_row_and_file(acme, team, storage_dir, django_capture_on_commit_callbacks):
    document = keep(acme, team["staff"])
    path = storage_dir / document.file.name
    session = browser(team["partner"])
    confirm = session.get(delete_url(document))
    assert confirm.status_code == 200 and "contract.pdf" in confirm.content.decode()
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the deletion commits
        response = session.post(delete_url(document))
    assert response.status_code == 302
    assert not Document.objects.exists() and not path.exists()
    assert AuditEntry.objects.filter(action="document.deleted", target=f"client:{acme.pk}").count() == 1


def test_staff_see_delete_only_for_their_own_uploads(acme, team):
    mine = keep(acme, team["staff"], name="mine.pdf")
    theirs = keep(acme, team["staff2"], name="theirs.pdf")
    session = browser(team["staff"])
    section = documents_section(session.get(reverse("client_detail", args=[acme.pk])).content.decode())
    assert delete_url(mine) in section and delete_url(theirs) not in section
    assert session.post(delete_url(theirs)).status_code == 403
    assert Document.objects.filter(pk=theirs.pk).exists()


def test_another_firms_document_is_a_404_to_delete(acme, team, other_firm_document, storage_dir):
    session = browser(team["owner"])
    assert session.post(delete_url(other_firm_document)).status_code == 404
    assert session.post(reverse("document_delete", args=[acme.pk, other_firm_document.pk])).status_code == 404
    assert Document.objects.filter(pk=other_firm_document.pk).exists()
    assert (storage_dir / other_firm_document.file.name).exists()


# -- the section ------------------------------------------------------------------------------


def test_the_section_lists_documents_by_category_with_size_date_and_who(acme, team, other_firm_document):
    keep(acme, team["staff"], name="statement.pdf", category=Category.PROVIDED)
    keep(acme, team["owner"], name="ledger.csv", content=b"a,b\n1,2\n", category=Category.ACCOUNTING)
    section = documents_section(browser(team["owner"]).get(reverse("client_detail", args=[acme.pk])).content.decode())
    headings = re.findall(r"<h3 id=\"documents-(\w+)\">([^<]+)</h3>", section)
    assert headings == [("provided", "Provided by the client"), ("accounting", "Our accounting records")]
    assert section.index("statement.pdf") < section.index("Our accounting records") < section.index("ledger.csv")
    assert "ana" in section and "olga" in section
    assert f"{len(PDF)}\xa0bytes" in section
    assert "theirs.pdf" not in section
    assert 'enctype="multipart/form-data"' in section


def test_a_client_without_documents_says_so(acme, team):
    section = documents_section(browser(team["staff"]).get(reverse("client_detail", args=[acme.pk])).content.decode())
    assert 'id="documents-empty"' in section
