"""The bundle's link (issue 13 §2, O4): it opens without an account, in the client's language; every
download is counted and logged without personal data; an expired, altered or revoked link is refused
with a page that says so (never a 500); the case page builds, shows, revokes and renews it, CSRF on,
firm-scoped; the letter and the checklist can print the link and its expiry."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse

from parting.audit.models import AuditEntry
from parting.cases.checklist import handover_link, task_title
from parting.cases.models import CaseTask
from parting.cases.services import case_open
from parting.documents import bundle as bundles
from parting.documents import links
from parting.documents.models import Bundle, Document
from parting.documents.services import document_upload
from parting.documents.storage import document_storage
from parting.letters.content import bundle_values, letter_draft
from tests.documents.conftest import PDF, upload_file
from tests.factories import ClientFactory, ContactFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db
BUILT = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def browser(user=None) -> BrowserClient:
    session = BrowserClient()
    if user is not None:
        session.force_login(user)
    return session


@pytest.fixture
def handover(firm, team):
    client = ClientFactory(firm=firm, name="Bałtyk sp. z o.o.")
    ContactFactory(client=client, name="Anna Nowak", language="pl")
    document_upload(
        client=client, by=team["owner"], category=Document.Category.PROVIDED, upload=upload_file("umowa.pdf", PDF)
    )
    case = case_open(client=client, by=team["staff"])
    with time_machine.travel(BUILT, tick=False):
        bundle = bundles.bundle_request(client=client, case=case, by=team["owner"])
    assert bundle.status == Bundle.Status.READY
    return case, bundle


def link_of(bundle) -> str:
    return links.bundle_link_path(bundle)


def download_of(bundle) -> str:
    return reverse("bundle_link_download", args=[links.bundle_token(bundle)])


# -- the link itself -------------------------------------------------------------------------


def test_the_link_opens_without_an_account_in_the_clients_language(handover):
    _case, bundle = handover
    with time_machine.travel(BUILT + dt.timedelta(days=1)):
        page = browser().get(link_of(bundle))
        assert page.status_code == 200
        assert 'lang="pl"' in page.content.decode()
        assert "2 stycznia 2027" in page.content.decode()  # expiry, 30 days on, as Polish writes it
        assert page["Referrer-Policy"] == "no-referrer"
        response = browser().get(download_of(bundle))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content) == document_storage.open(bundle.file.name, "rb").read()


def test_every_download_is_counted_and_logged_without_personal_data_but_opening_the_page_is_not(handover):
    _case, bundle = handover
    with time_machine.travel(BUILT + dt.timedelta(days=1)):
        browser().get(link_of(bundle))
        for _ in range(2):
            b"".join(browser().get(download_of(bundle)).streaming_content)
    bundle.refresh_from_db()
    assert bundle.downloads == 2
    entries = list(AuditEntry.objects.filter(action="bundle.downloaded").order_by("id"))
    assert [entry.data for entry in entries] == [
        {"bundle": bundle.pk, "download": 1},
        {"bundle": bundle.pk, "download": 2},
    ]
    assert all(entry.actor_id is None and "Bałtyk" not in str(entry.data) for entry in entries)


def test_the_link_opens_until_its_expiry_and_is_refused_from_that_moment(handover, settings):
    _case, bundle = handover
    assert bundle.link_expires_at == BUILT + dt.timedelta(days=settings.BUNDLE_LINK_DAYS)
    with time_machine.travel(bundle.link_expires_at - dt.timedelta(seconds=1), tick=False):
        assert browser().get(download_of(bundle)).status_code == 200
    with time_machine.travel(bundle.link_expires_at, tick=False):
        refused = browser().get(download_of(bundle))
        assert refused.status_code == 410
        assert browser().get(link_of(bundle)).status_code == 410
    assert "wygas" in refused.content.decode() or "expired" in refused.content.decode()
    assert AuditEntry.objects.filter(action="bundle.downloaded").count() == 1


def test_the_link_lasts_as_many_days_as_configured(firm, team, settings):
    settings.BUNDLE_LINK_DAYS = 7
    client = ClientFactory(firm=firm)
    with time_machine.travel(BUILT, tick=False):
        bundle = bundles.bundle_request(client=client, case=None, by=team["owner"])
    assert bundle.link_expires_at == BUILT + dt.timedelta(days=7)


@pytest.mark.parametrize(
    "alter",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "x" + token,  # the payload
        lambda token: "not-a-token",
        lambda token: token.split(":")[0],  # the signature cut off
    ],
)
def test_an_altered_link_is_refused_with_a_page_not_an_error(handover, alter):
    _case, bundle = handover
    token = alter(links.bundle_token(bundle))
    for name in ("bundle_link", "bundle_link_download"):
        response = browser().get(reverse(name, args=[token]))
        assert response.status_code == 404
        assert 'id="bundle-refused"' in response.content.decode()
    assert AuditEntry.objects.filter(action="bundle.downloaded").count() == 0


def test_a_revoked_link_is_refused_and_a_new_link_replaces_it(handover, team):
    _case, bundle = handover
    old = download_of(bundle)
    assert links.bundle_link_revoke(bundle=bundle, by=team["owner"]) is True
    assert links.bundle_link_revoke(bundle=bundle, by=team["owner"]) is False  # recorded once
    assert browser().get(old).status_code == 410
    renewed = links.bundle_link_renew(bundle=bundle, by=team["owner"])
    assert browser().get(old).status_code == 410  # the old link stays dead
    assert browser().get(download_of(renewed)).status_code == 200
    actions = list(AuditEntry.objects.filter(action__startswith="bundle.link").values_list("action", flat=True))
    assert actions == ["bundle.link_revoked", "bundle.link_renewed"]


# -- the case page ---------------------------------------------------------------------------


def test_a_member_of_the_case_builds_the_bundle_and_sees_its_files_and_link(handover, team):
    case, _bundle = handover
    session = browser(team["staff"])  # opened the case
    response = session.post(reverse("bundle_create", args=[case.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#handover")
    newest = Bundle.objects.filter(client=case.client).first()
    status = session.get(reverse("bundle_status", args=[case.pk, newest.pk])).content.decode()
    assert "documents/provided/umowa.pdf" in status and "README.txt" in status
    assert links.bundle_link_path(newest) in status
    assert "hx-trigger" not in status  # ready: nothing to poll


def test_a_bundle_being_built_is_polled_until_ready(handover, team, settings):
    case, _bundle = handover
    settings.BUNDLE_INLINE_MAX_BYTES = 0
    session = browser(team["owner"])
    session.post(reverse("bundle_create", args=[case.pk]))
    queued = Bundle.objects.filter(client=case.client).first()
    assert queued.status == Bundle.Status.QUEUED
    status = session.get(reverse("bundle_status", args=[case.pk, queued.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in status
    bundles.run_queued_bundles()
    status = session.get(reverse("bundle_status", args=[case.pk, queued.pk])).content.decode()
    assert "hx-trigger" not in status and 'data-status="ready"' in status


def test_staff_who_are_not_members_of_the_case_may_not_build_or_revoke(handover, team):
    case, bundle = handover
    session = browser(team["staff2"])
    assert session.post(reverse("bundle_create", args=[case.pk])).status_code == 403
    assert session.post(reverse("bundle_revoke", args=[case.pk, bundle.pk])).status_code == 403
    assert Bundle.objects.count() == 1


def test_building_needs_the_csrf_token(handover, team):
    case, _bundle = handover
    session = BrowserClient(enforce_csrf_checks=True)
    session.force_login(team["owner"])
    assert session.post(reverse("bundle_create", args=[case.pk])).status_code == 403
    assert Bundle.objects.count() == 1


def test_another_firms_bundle_is_a_404_at_every_address(handover):
    case, _bundle = handover
    other = FirmFactory()
    owner = MembershipFactory(firm=other).user
    their_case = case_open(client=ClientFactory(firm=other), by=owner)
    theirs = bundles.bundle_request(client=their_case.client, case=their_case, by=owner)
    session = browser(owner)
    ours = Bundle.objects.exclude(pk=theirs.pk).get()
    for name in ("bundle_status", "bundle_revoke", "bundle_renew"):
        method = session.get if name == "bundle_status" else session.post
        assert method(reverse(name, args=[their_case.pk, ours.pk])).status_code == 404, name
        assert method(reverse(name, args=[case.pk, ours.pk])).status_code == 404, name  # our case, their member
    assert session.post(reverse("bundle_create", args=[case.pk])).status_code == 404
    ours.refresh_from_db()
    assert ours.link_revoked_at is None


# -- the letter and the checklist ------------------------------------------------------------


def test_the_letter_can_print_the_link_and_its_expiry_in_the_clients_language(handover, team, settings):
    case, bundle = handover
    settings.PARTING_BASE_URL = "https://parting.example.com"
    values = bundle_values(case, "pl")
    assert values["bundle_link"] == "https://parting.example.com" + links.bundle_link_path(bundle)
    assert values["bundle_expires"] == "2 stycznia 2027"
    before = letter_draft(case, "pl", sender=team["owner"]).facts
    links.bundle_link_renew(bundle=bundle, by=team["owner"])
    assert letter_draft(case, "pl", sender=team["owner"]).facts == before  # a new link is no change of decision
    links.bundle_link_revoke(bundle=bundle, by=team["owner"])
    assert bundle_values(case, "pl") == {"bundle_link": "", "bundle_expires": ""}


def test_the_checklists_files_task_shows_the_link_or_why_there_is_none(handover, team):
    case, bundle = handover
    task = CaseTask(case=case, kind="files", anchor=CaseTask.Anchor.END, offset_days=-7, due_on=dt.date(2027, 1, 1))
    assert links.bundle_link_path(bundle) in task_title(task)
    assert handover_link(case)["status"] == "live"
    links.bundle_link_revoke(bundle=bundle, by=team["owner"])
    assert handover_link(case)["status"] == "revoked"
    assert "revoked" in task_title(task) and links.bundle_link_path(bundle) not in task_title(task)


def test_the_case_page_has_the_handover_section_once_the_case_is_approved(approved_case, team):
    session = browser(team["partner"])
    html = session.get(reverse("case_detail", args=[approved_case.pk])).content.decode()
    assert 'id="handover"' in html and 'id="bundle-build"' in html
    session.post(reverse("bundle_create", args=[approved_case.pk]))
    html = session.get(reverse("case_detail", args=[approved_case.pk])).content.decode()
    bundle = Bundle.objects.get(client=approved_case.client)
    assert f'value="{links.bundle_link_url(bundle)}"' in html
    assert links.bundle_link_path(bundle) in html  # in the checklist's files task too (O4)


def test_a_draft_case_has_no_handover_section(handover, team):
    case, _bundle = handover
    html = browser(team["owner"]).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="handover"' not in html


def test_the_last_day_shown_is_the_firms_day_not_utcs(firm, team):
    """Built at 23:30 UTC: in Warsaw it is already the next day, and so is the link's last day."""
    assert firm.time_zone == "Europe/Warsaw"
    client = ClientFactory(firm=firm)
    ContactFactory(client=client, language="pl")
    with time_machine.travel(dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC), tick=False):
        bundle = bundles.bundle_request(client=client, case=None, by=team["owner"])
        page = browser().get(link_of(bundle)).content.decode()
    assert "3 stycznia 2027" in page and "2 stycznia 2027" not in page


def test_a_bundle_whose_file_is_gone_from_storage_is_refused_with_a_page(handover):
    _case, bundle = handover
    document_storage.delete(bundle.file.name)
    response = browser().get(download_of(bundle))
    assert response.status_code == 404 and 'id="bundle-refused"' in response.content.decode()
    assert AuditEntry.objects.filter(action="bundle.downloaded").count() == 0
