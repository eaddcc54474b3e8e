"""A partner builds the handover bundle from an approved case and copies its link; the client opens
the link with no account, downloads the ZIP and finds every file the manifest lists with the right
SHA-256 (issue 13 §2, O4). An altered, an expired and a revoked link each show the refusal page."""

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from parting.documents.models import Bundle, Document
from parting.documents.services import document_upload
from tests.documents.conftest import PDF, upload_file
from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bundle_storage(settings, tmp_path):
    from parting.settings import documents_storage

    settings.STORAGES = {**settings.STORAGES, "documents": documents_storage(tmp_path)}
    settings.AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit_key")


def test_the_client_downloads_the_bundle_through_its_link_and_a_bad_link_is_refused(
    page, browser, live_server, approved_case, team, bundle_storage, screenshot, settings
):
    settings.PARTING_BASE_URL = live_server.url  # the address the link is written with
    partner = team["partner"]
    partner.set_password(PASSWORD)
    partner.save()
    document_upload(
        client=approved_case.client,
        by=partner,
        category=Document.Category.PROVIDED,
        upload=upload_file("contract.pdf", PDF),
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", partner.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/cases/{approved_case.pk}/#handover")
    page.click("#bundle-build")
    page.wait_for_selector(".bundle[data-status=ready] input.bundle-link")
    link = page.input_value(".bundle[data-status=ready] input.bundle-link")
    screenshot("bundle-case-section")
    assert link.startswith(live_server.url + "/handover/")
    url = link

    # The client: a browser with no session at all.
    client_context = browser.new_context()
    client_page = client_context.new_page()
    client_page.goto(url)
    client_page.wait_for_selector("#bundle-download")
    with client_page.expect_download() as info:
        client_page.click("#bundle-download")
    data = Path(info.value.path()).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    assert archive.read("documents/provided/contract.pdf") == PDF
    bundle = Bundle.objects.get()
    assert bundle.downloads == 1

    # Altered: one character of the signature changed.
    altered = url[:-2] + ("A" if url[-2] != "A" else "B") + "/"
    response = client_page.goto(altered)
    assert response.status == 404 and client_page.locator("#bundle-refused").is_visible()

    # Expired: the link's day has passed.
    Bundle.objects.filter(pk=bundle.pk).update(link_expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client_page.goto(url)
    assert response.status == 410 and client_page.locator("#bundle-refused").is_visible()
    screenshot("bundle-link-refused")

    # Revoked from the case page, with the expiry restored: still refused.
    Bundle.objects.filter(pk=bundle.pk).update(link_expires_at=timezone.now() + dt.timedelta(days=1))
    page.goto(f"{live_server.url}/cases/{approved_case.pk}/#handover")
    page.click(f"#bundle-{bundle.pk}-revoke")
    page.wait_for_load_state()
    response = client_page.goto(url)
    assert response.status == 410
    client_context.close()
