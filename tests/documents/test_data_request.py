"""The client asks for a copy of their data (issue 13 §3, GDPR Art. 15/20), with no case: recorded on
the client's page with the day they asked and how, it builds the same bundle as a handover, shared
through the same signed, expiring link; firm-scoped, refused to staff who do not look after the client
and for a client whose data is already purged."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone

from parting.audit.models import AuditEntry
from parting.cases.services import case_open
from parting.core.limits import NOTE
from parting.documents import bundle as bundles
from parting.documents import links
from parting.documents.models import Bundle, Document
from parting.documents.selectors import bundle_current
from parting.documents.services import document_upload
from parting.documents.storage import document_storage
from parting.retention.models import Tombstone
from tests.documents.conftest import CSV, PDF, upload_file
from tests.factories import ClientFactory, ContactFactory, FirmFactory, InvoiceFactory, MembershipFactory

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)  # 3 December in Warsaw, the firm's zone
ASKED = dt.date(2026, 12, 1)
HOW = "E-mail from Anna Nowak to the office, 1 December"


def browser(user=None) -> BrowserClient:
    session = BrowserClient()
    if user is not None:
        session.force_login(user)
    return session


@pytest.fixture
def asking(firm, team):
    """A Polish client with documents and invoices, looked after by ``staff``, with no case."""
    client = ClientFactory(firm=firm, name="Bałtyk sp. z o.o.", assigned_to=team["staff"])
    ContactFactory(client=client, name="Anna Nowak", email="anna@baltyk.example", language="pl")
    document_upload(
        client=client, by=team["staff"], category=Document.Category.PROVIDED, upload=upload_file("umowa.pdf", PDF)
    )
    document_upload(
        client=client, by=team["owner"], category=Document.Category.ACCOUNTING, upload=upload_file("ledger.csv", CSV)
    )
    InvoiceFactory(client=client, number="FV/1", amount=Decimal("1000.00"))
    InvoiceFactory(client=ClientFactory(firm=firm), number="NOT-THEIRS")
    return client


def page(client) -> str:
    return reverse("data_request", args=[client.pk])


def post_request(session, client, requested_on=ASKED, how=HOW):
    return session.post(page(client), {"requested_on": str(requested_on), "how": how})


def requested(client, by) -> Bundle:
    with time_machine.travel(NOON, tick=True):
        bundle = bundles.data_request(client=client, by=by, requested_on=ASKED, how=HOW)
    assert bundle.status == Bundle.Status.READY, bundle.error
    return bundle


def read_zip(bundle: Bundle) -> zipfile.ZipFile:
    out = io.BytesIO()
    bundles.bundle_copy_to(bundle, out)
    out.seek(0)
    return zipfile.ZipFile(out)


# -- what the request builds ------------------------------------------------------------------


def test_the_request_builds_a_bundle_whose_manifest_lists_the_clients_documents_and_invoices(asking, team):
    bundle = requested(asking, team["owner"])
    assert bundle.case is None and bundle.origin == Bundle.Origin.REQUEST
    archive = read_zip(bundle)
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert {"documents/provided/umowa.pdf", "documents/accounting/ledger.csv", "invoices.csv", "payments.csv"} <= set(
        listed
    )
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(archive.read(path)).hexdigest(), path
    assert manifest["purpose"] == "data-request" and manifest["requested_on"] == "2026-12-01"
    invoices = archive.read("invoices.csv").decode("utf-8-sig")
    assert "FV/1" in invoices and "NOT-THEIRS" not in invoices
    assert archive.read("documents/provided/umowa.pdf") == PDF


def test_a_data_request_bundle_has_no_successor_briefing_and_its_readme_says_why(asking, team):
    archive = read_zip(requested(asking, team["owner"]))
    assert "services-delivered.pdf" in archive.namelist()
    assert "successor-briefing.pdf" not in archive.namelist()
    readme = archive.read("README.txt").decode()
    assert "1 grudnia 2026" in readme  # the day they asked, as Polish writes it
    assert "successor-briefing.pdf" not in readme


def test_the_request_is_recorded_with_the_day_asked_and_how_by_its_hash_only(asking, team):
    bundle = requested(asking, team["owner"])
    assert bundle.requested_on == ASKED and bundle.request_note == HOW
    entry = AuditEntry.objects.get(action="client.data_requested")
    assert entry.target == f"client:{asking.pk}" and entry.actor == team["owner"]
    assert entry.data["bundle"] == bundle.pk
    assert entry.data["origin"] == "request" and entry.data["requested_on"] == "2026-12-01"
    assert entry.data["how"]["sha256"] == hashlib.sha256(HOW.encode()).hexdigest()
    assert "Anna" not in json.dumps(entry.data)
    assert not AuditEntry.objects.filter(action="bundle.requested").exists()  # a request, not a handover


def test_the_letter_of_a_later_case_speaks_of_a_handover_bundle_not_the_request(asking, team):
    requested(asking, team["owner"])
    case = case_open(client=asking, by=team["staff"])
    assert bundle_current(client=asking) is None  # what the letter and checklist print: not the request's
    handover = bundles.bundle_request(client=asking, case=case, by=team["owner"])
    assert bundle_current(client=asking) == handover


# -- the page on the client ----------------------------------------------------------------------


def test_the_client_page_links_to_the_request_for_those_who_may_record_it(asking, team):
    detail = reverse("client_detail", args=[asking.pk])
    for who in ("owner", "partner", "staff"):
        assert 'id="data-request-link"' in browser(team[who]).get(detail).content.decode(), who
    assert 'id="data-request-link"' not in browser(team["staff2"]).get(detail).content.decode()


def test_recording_the_request_on_the_page_shows_the_link_to_copy(asking, team):
    session = browser(team["staff"])  # looks after the client: no owner needed
    with time_machine.travel(NOON, tick=True):
        response = post_request(session, asking)
        assert response.status_code == 302 and response["Location"] == page(asking)
        html = session.get(page(asking)).content.decode()
    bundle = Bundle.objects.get(client=asking)
    assert bundle.origin == Bundle.Origin.REQUEST and bundle.requested_on == ASKED and bundle.case is None
    assert links.bundle_link_url(bundle) in html
    assert reverse("data_request_revoke", args=[asking.pk, bundle.pk]) in html


def test_a_request_received_in_the_future_is_refused_with_the_field_named(asking, team):
    with time_machine.travel(NOON, tick=True):
        response = post_request(browser(team["owner"]), asking, requested_on=dt.date(2026, 12, 4))
        with pytest.raises(ValidationError) as refused:
            bundles.data_request(client=asking, by=team["owner"], requested_on=dt.date(2026, 12, 4), how=HOW)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="data-request-requested_on_error"' in html and "future" in html
    assert set(refused.value.error_dict) == {"requested_on"}
    assert not Bundle.objects.filter(client=asking).exists()
    assert not AuditEntry.objects.filter(action="client.data_requested").exists()


def test_the_day_asked_today_is_accepted(asking, team):
    with time_machine.travel(NOON, tick=True):
        bundle = bundles.data_request(client=asking, by=team["owner"], requested_on=dt.date(2026, 12, 3), how=HOW)
    assert bundle.requested_on == dt.date(2026, 12, 3)


@pytest.mark.parametrize(("how", "field"), [("   ", "how"), ("x" * (NOTE + 1), "how")])
def test_how_the_client_asked_is_required_and_limited_in_length(asking, team, how, field):
    response = post_request(browser(team["owner"]), asking, how=how)
    assert response.status_code == 400
    assert f'id="data-request-{field}_error"' in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        bundles.data_request(client=asking, by=team["owner"], requested_on=ASKED, how=how)
    assert set(refused.value.error_dict) == {field}
    assert not Bundle.objects.filter(client=asking).exists()


def test_another_firms_client_and_bundle_are_a_404(asking, team):
    other_firm = FirmFactory()
    theirs = ClientFactory(firm=other_firm)
    their_bundle = requested(theirs, MembershipFactory(firm=other_firm).user)
    session = browser(team["owner"])
    assert session.get(page(theirs)).status_code == 404
    assert post_request(session, theirs).status_code == 404
    assert session.get(reverse("data_request_status", args=[theirs.pk, their_bundle.pk])).status_code == 404
    # Their bundle under our own client's address is not found either.
    for name in ("data_request_status", "data_request_revoke", "data_request_renew"):
        url = reverse(name, args=[asking.pk, their_bundle.pk])
        response = session.post(url) if name != "data_request_status" else session.get(url)
        assert response.status_code == 404, name
    their_bundle.refresh_from_db()
    assert their_bundle.link_live()
    assert not Bundle.objects.filter(firm=asking.firm).exists()
    assert Bundle.objects.filter(client=theirs).count() == 1


def test_staff_who_do_not_look_after_the_client_are_refused(asking, team):
    bundle = requested(asking, team["owner"])
    session = browser(team["staff2"])
    assert session.get(page(asking)).status_code == 403
    assert post_request(session, asking).status_code == 403
    assert session.get(reverse("data_request_status", args=[asking.pk, bundle.pk])).status_code == 403
    assert session.post(reverse("data_request_revoke", args=[asking.pk, bundle.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        bundles.data_request(client=asking, by=team["staff2"], requested_on=ASKED, how=HOW)
    assert Bundle.objects.filter(client=asking).count() == 1
    bundle.refresh_from_db()
    assert bundle.link_live()


def test_a_purged_client_is_refused(asking, team):
    Tombstone.objects.create(firm=asking.firm, client=asking, personal_purged_at=timezone.now())
    session = browser(team["owner"])
    html = session.get(page(asking)).content.decode()
    assert 'id="data-request-purged"' in html and 'id="data-request"' not in html
    assert post_request(session, asking).status_code == 400
    with pytest.raises(ValidationError):
        bundles.data_request(client=asking, by=team["owner"], requested_on=ASKED, how=HOW)
    assert not Bundle.objects.filter(client=asking).exists()


def test_a_handover_bundle_is_not_found_under_the_data_request_address(asking, team):
    case = case_open(client=asking, by=team["staff"])
    handover = bundles.bundle_request(client=asking, case=case, by=team["owner"])
    response = browser(team["owner"]).get(reverse("data_request_status", args=[asking.pk, handover.pk]))
    assert response.status_code == 404


# -- status while a large one builds, revoke, renew -------------------------------------------------


def test_a_large_request_is_built_by_the_worker_and_the_page_polls_its_status(asking, team, settings):
    settings.BUNDLE_INLINE_MAX_BYTES = 0
    session = browser(team["owner"])
    post_request(session, asking)
    bundle = Bundle.objects.get(client=asking)
    assert bundle.status == Bundle.Status.QUEUED
    status_url = reverse("data_request_status", args=[asking.pk, bundle.pk])
    assert f'hx-get="{status_url}"' in session.get(page(asking)).content.decode()
    assert bundles.run_queued_bundles().startswith("1 bundles built")
    row = session.get(status_url).content.decode()
    assert 'data-status="ready"' in row and "hx-get" not in row
    bundle.refresh_from_db()
    assert links.bundle_link_url(bundle) in row


def test_revoke_and_renew_from_the_data_request_page(asking, team):
    bundle = requested(asking, team["owner"])
    old = reverse("bundle_link_download", args=[links.bundle_token(bundle)])
    session = browser(team["staff"])
    assert session.post(reverse("data_request_revoke", args=[asking.pk, bundle.pk])).status_code == 302
    assert browser().get(old).status_code == 410
    assert session.post(reverse("data_request_renew", args=[asking.pk, bundle.pk])).status_code == 302
    bundle.refresh_from_db()
    assert bundle.link_live()
    assert browser().get(old).status_code == 410  # the old link stays refused
    assert browser().get(reverse("bundle_link_download", args=[links.bundle_token(bundle)])).status_code == 200


# -- the link ----------------------------------------------------------------------------------------


def test_the_link_downloads_through_the_handover_address_like_a_case_bundle(asking, team):
    bundle = requested(asking, team["owner"])
    token = links.bundle_token(bundle)
    assert links.bundle_link_path(bundle) == reverse("bundle_link", args=[token])
    with time_machine.travel(NOON + dt.timedelta(days=1)):
        opened = browser().get(reverse("bundle_link", args=[token]))
        assert opened.status_code == 200 and 'lang="pl"' in opened.content.decode()
        response = browser().get(reverse("bundle_link_download", args=[token]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content) == document_storage.open(bundle.file.name, "rb").read()
    assert AuditEntry.objects.get(action="bundle.downloaded").data == {"bundle": bundle.pk, "download": 1}


def test_an_expired_link_is_refused(asking, team, settings):
    bundle = requested(asking, team["owner"])
    token = links.bundle_token(bundle)
    with time_machine.travel(NOON + dt.timedelta(days=settings.BUNDLE_LINK_DAYS, hours=1)):
        for name in ("bundle_link", "bundle_link_download"):
            response = browser().get(reverse(name, args=[token]))
            assert response.status_code == 410, name
    assert not AuditEntry.objects.filter(action="bundle.downloaded").exists()


@pytest.mark.parametrize(
    "alter",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "x" + token,  # the payload
        lambda token: token.split(":")[0],  # the signature cut off
    ],
)
def test_an_altered_link_is_refused(asking, team, alter):
    bundle = requested(asking, team["owner"])
    token = alter(links.bundle_token(bundle))
    for name in ("bundle_link", "bundle_link_download"):
        response = browser().get(reverse(name, args=[token]))
        assert response.status_code == 404, name
        assert 'id="bundle-refused"' in response.content.decode()
    assert not AuditEntry.objects.filter(action="bundle.downloaded").exists()
