"""O5: the purge page, the warning seven days before, postponing with a reason, a client's request for
erasure, the dry run, the due day itself, and the deletion certificate."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import translation

from parting.audit.models import AuditEntry
from parting.audit.services import value_reference
from parting.clients.models import Client, Contact
from parting.documents.models import Document
from parting.documents.services import document_upload
from parting.retention import services
from parting.retention.certificate import certificate_data
from parting.retention.models import PendingFileDeletion, Postponement, PurgeSchedule, Tombstone
from tests.factories import ClientFactory, ContactFactory, FirmFactory, MembershipFactory

from .conftest import PDF, database_dump, upload

pytestmark = pytest.mark.django_db


def browser(user) -> BrowserClient:
    session = BrowserClient()
    session.force_login(user)
    return session


def noon(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 11, 0, tzinfo=dt.UTC), tick=False)


def asked(client, by, on, reason="Asked by e-mail to the office"):
    return services.erasure_request(client=client, by=by, on=on, requested_on=client.firm.today(), reason=reason)


@pytest.fixture
def kasia(firm):
    client = ClientFactory(firm=firm, name="Kasia Nowak Studio")
    ContactFactory(client=client, name="Kasia Nowak", email="kasia@nowak.example", language="pl")
    return client


def test_o5_a_purge_runs_on_its_due_day_not_the_day_before(firm, team, kasia, storage_dir):
    today = firm.today()
    asked(kasia, team["owner"], today + dt.timedelta(days=1))
    assert services.purge_due() == []
    assert Client.objects.get(pk=kasia.pk).name == "Kasia Nowak Studio"
    with noon(today + dt.timedelta(days=1)):
        purged = services.purge_due()
    assert [p.client_id for p in purged] == [kasia.pk]
    assert not Contact.objects.filter(client=kasia).exists()
    # Idempotent: the next pass finds nothing to do.
    with noon(today + dt.timedelta(days=2)):
        assert services.purge_due() == []
    assert AuditEntry.objects.filter(firm=firm, action="retention.purged").count() == 1


def test_o5_the_firm_is_warned_seven_days_before_once_not_eight(firm, team, kasia):
    today = firm.today()
    other = ClientFactory(firm=firm, name="Later Ltd")
    asked(kasia, team["owner"], today + dt.timedelta(days=7))
    asked(other, team["owner"], today + dt.timedelta(days=8))
    assert services.warn_due() == 3  # personal, provided and work of Kasia; not Later Ltd's
    assert services.warn_due() == 0
    warned = AuditEntry.objects.filter(firm=firm, action="retention.warned")
    assert {entry.target for entry in warned} == {f"client:{kasia.pk}"}
    assert all("Kasia" not in str(entry.data) for entry in warned)
    page = browser(team["owner"]).get(reverse("retention"))
    assert page.status_code == 200
    assert page.content.decode().count("Purged in 7 days") == 3
    assert "Purged in 8 days" not in page.content.decode()


def test_postponing_needs_a_reason_and_a_later_date_and_is_audited(firm, team, kasia):
    today = firm.today()
    asked(kasia, team["owner"], today + dt.timedelta(days=3))
    row = PurgeSchedule.objects.get(client=kasia, category="personal")
    session = browser(team["partner"])
    url = reverse("purge_postpone", args=[kasia.pk])
    later = (today + dt.timedelta(days=40)).isoformat()
    assert session.get(url + "?category=personal").status_code == 200
    response = session.post(url, {"category": "personal", "to_date": later, "reason": "  "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    same = (today + dt.timedelta(days=3)).isoformat()
    response = session.post(url, {"category": "personal", "to_date": same, "reason": "Tax audit under way"})
    assert response.status_code == 400
    assert f"The new date must be later than {same}." in response.content.decode()
    assert PurgeSchedule.objects.get(pk=row.pk).due_on == today + dt.timedelta(days=3)
    response = session.post(url, {"category": "personal", "to_date": later, "reason": "Tax audit under way"})
    assert response.status_code == 302
    assert PurgeSchedule.objects.get(pk=row.pk).due_on.isoformat() == later
    postponement = Postponement.objects.filter(schedule=row).last()
    assert (postponement.reason, postponement.by) == ("Tax audit under way", team["partner"])
    entry = AuditEntry.objects.get(firm=firm, action="retention.postponed")
    assert entry.data["to"] == later
    assert entry.data["reason"] == value_reference("Tax audit under way")  # the words stay off the log


def test_staff_cannot_open_the_purge_page_nor_postpone(firm, team, kasia):
    asked(kasia, team["owner"], firm.today() + dt.timedelta(days=3))
    row = PurgeSchedule.objects.get(client=kasia, category="personal")
    session = browser(team["staff"])
    assert session.get(reverse("retention")).status_code == 403
    assert (
        session.post(
            reverse("purge_postpone", args=[kasia.pk]), {"category": "personal", "to_date": "2099-01-01", "reason": "x"}
        ).status_code
        == 403
    )
    with pytest.raises(services.RetentionError, match="Only owners and partners can postpone a purge"):
        services.postpone(schedule=row, by=team["staff"], to_date=dt.date(2099, 1, 1), reason="x")


def test_another_firms_purge_rows_certificates_and_clients_are_a_404(firm, team, storage_dir):
    elsewhere = FirmFactory()
    their_owner = MembershipFactory(firm=elsewhere).user
    theirs = ClientFactory(firm=elsewhere, name="Elsewhere Ltd")
    asked(theirs, their_owner, elsewhere.today())
    services.purge_due()
    row = PurgeSchedule.objects.get(client=theirs, category="accounting")
    tombstone = Tombstone.objects.get(client=theirs)
    session = browser(team["owner"])
    url = reverse("purge_postpone", args=[theirs.pk])
    assert session.get(url).status_code == 404
    assert session.post(url, {"category": "accounting", "to_date": "2099-01-01", "reason": "x"}).status_code == 404
    assert session.get(reverse("purge_certificate", args=[theirs.pk])).status_code == 404
    assert session.get(reverse("erasure_request", args=[theirs.pk])).status_code == 404
    assert PurgeSchedule.objects.get(pk=row.pk).due_on == row.due_on
    page = session.get(reverse("retention")).content.decode()
    assert tombstone.reference not in page


def test_the_erasure_request_form_schedules_the_purge_for_the_date_with_its_reason(firm, team, kasia):
    session = browser(team["owner"])
    detail = session.get(reverse("client_detail", args=[kasia.pk])).content.decode()
    assert reverse("erasure_request", args=[kasia.pk]) in detail
    url = reverse("erasure_request", args=[kasia.pk])
    on = (firm.today() + dt.timedelta(days=10)).isoformat()
    response = session.post(url, {"requested_on": firm.today().isoformat(), "on": on, "reason": ""})
    assert response.status_code == 400
    assert not PurgeSchedule.objects.filter(client=kasia).exists()
    past = (firm.today() - dt.timedelta(days=1)).isoformat()
    response = session.post(url, {"requested_on": firm.today().isoformat(), "on": past, "reason": "Phoned"})
    assert response.status_code == 400 and "The erasure date cannot be in the past." in response.content.decode()
    response = session.post(url, {"requested_on": firm.today().isoformat(), "on": on, "reason": "Phoned on Monday"})
    assert response.status_code == 302
    rows = {row.category: row for row in PurgeSchedule.objects.filter(client=kasia)}
    assert {rows[c].due_on.isoformat() for c in ("personal", "provided", "work")} == {on}
    assert rows["personal"].origin == "request" and rows["personal"].requested_on == firm.today()
    assert rows["accounting"].due_on > rows["personal"].due_on
    entry = AuditEntry.objects.get(firm=firm, action="retention.scheduled")
    assert entry.data["origin"] == "request" and "Kasia" not in str(entry.data)


def test_erasure_is_refused_while_a_case_is_under_way(firm, team, kasia):
    from parting.cases.models import OffboardingCase

    OffboardingCase.objects.create(firm=firm, client=kasia, opened_by=team["staff"])
    with pytest.raises(services.RetentionError, match="close or withdraw it"):
        asked(kasia, team["owner"], firm.today())


def test_the_dry_run_lists_what_would_go_and_changes_nothing(firm, team, kasia, storage_dir):
    document_upload(client=kasia, by=team["staff"], category=Document.Category.PROVIDED, upload=upload("id.pdf", PDF))
    asked(kasia, team["owner"], firm.today())
    before = database_dump()
    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    assert database_dump() == before
    text = out.getvalue()
    assert f"client:{kasia.pk} Kasia Nowak Studio" in text
    assert "personal due" in text and "contacts 1" in text
    assert "provided due" in text and "documents 1" in text
    assert "dry run: nothing was changed" in text
    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "1 clients purged" in out.getvalue()
    assert not Contact.objects.filter(client=kasia).exists()
    assert not Document.objects.filter(client=kasia).exists()


def test_a_file_the_storage_refuses_to_delete_is_retried_until_it_goes(
    firm, team, kasia, storage_dir, django_capture_on_commit_callbacks
):
    document = document_upload(
        client=kasia, by=team["staff"], category=Document.Category.PROVIDED, upload=upload("id.pdf", PDF)
    )
    path = storage_dir / "documents" / document.file.name
    assert path.exists()
    asked(kasia, team["owner"], firm.today())
    storage = type(document.file.storage._wrapped)
    with (
        mock.patch.object(storage, "delete", side_effect=OSError("disk busy")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.purge_due()
    assert path.exists()
    pending = PendingFileDeletion.objects.get()
    assert pending.attempts == 1 and "disk busy" in pending.last_error
    assert services.retry_file_deletions() == 0
    assert not path.exists()


def test_the_certificate_is_a_pdf_whose_hash_is_in_the_audit_log_in_the_clients_language(firm, team, kasia):
    asked(kasia, team["owner"], firm.today())
    services.purge_due()
    tombstone = Tombstone.objects.get(client=kasia)
    entry = AuditEntry.objects.get(firm=firm, action="retention.certificate")
    response = browser(team["owner"]).get(reverse("purge_certificate", args=[kasia.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert hashlib.sha256(response.content).hexdigest() == entry.data["sha256"] == tombstone.certificate_sha256
    assert entry.data["ref"] == tombstone.reference and entry.target == f"client:{kasia.pk}"
    data = certificate_data(tombstone)
    assert data["lang"] == "pl" and data["dir"] == "ltr"
    assert data["content_sha256"] == entry.data["content_sha256"]
    assert "Kasia" not in str(data)
    assert [group["title"] for group in data["kept"]] and len(data["deleted"]) == 3
    with translation.override("pl"):  # written in the client's language, not the member's
        contacts = translation.gettext("Contacts (names, e-mail addresses, phone numbers)")
        nothing = translation.gettext("We held nothing of this kind.")
    assert contacts != "Contacts (names, e-mail addresses, phone numbers)"
    assert data["deleted"][0]["items"] == [f"{contacts}: 1"]
    assert data["deleted"][1]["items"] == [nothing]  # no documents provided
    page = browser(team["owner"]).get(reverse("retention")).content.decode()
    assert tombstone.reference in page and reverse("purge_certificate", args=[kasia.pk]) in page
    assert "Kasia" not in page
    # Downloading again gives the same bytes: nothing new in the log.
    again = browser(team["owner"]).get(reverse("purge_certificate", args=[kasia.pk]))
    assert again.content == response.content
    assert AuditEntry.objects.filter(firm=firm, action="retention.certificate").count() == 1


def test_a_hebrew_clients_certificate_reads_right_to_left(firm, team):
    client = ClientFactory(firm=firm, name="Shalom Ltd")
    ContactFactory(client=client, name="Dana", language="he")
    asked(client, team["owner"], firm.today())
    services.purge_due()
    data = certificate_data(Tombstone.objects.get(client=client))
    assert (data["lang"], data["dir"]) == ("he", "rtl")


def test_a_case_closed_before_retention_existed_is_scheduled_with_a_warning_period_first(firm, team, kasia):
    from parting.cases.models import OffboardingCase

    long_ago = firm.today() - dt.timedelta(days=400)
    case = OffboardingCase.objects.create(
        firm=firm, client=kasia, opened_by=team["staff"], state=OffboardingCase.State.CLOSED, ended_on=long_ago
    )
    assert services.schedule_closed_cases() == 1
    assert services.schedule_closed_cases() == 0  # once
    rows = dict(PurgeSchedule.objects.filter(client=kasia).values_list("category", "due_on"))
    # Its deletion date is long past: not purged on the spot, but after the firm has been warned.
    assert rows["personal"] == firm.today() + dt.timedelta(days=services.WARN_DAYS)
    assert services.purge_due() == []
    assert PurgeSchedule.objects.get(client=kasia, category="personal").case == case
    entry = AuditEntry.objects.get(firm=firm, action="retention.scheduled")
    assert entry.actor_id is None and entry.data["case"] == case.pk


def test_a_case_closed_after_its_deletion_date_is_purged_after_the_warning_not_on_the_spot(firm, team, kasia):
    from parting.cases.models import OffboardingCase

    case = OffboardingCase.objects.create(firm=firm, client=kasia, opened_by=team["staff"], state="closed")
    today = firm.today()
    services.schedule_for_case(case, by=team["staff"], deletion_on=today - dt.timedelta(days=1), end_on=today)
    assert PurgeSchedule.objects.get(client=kasia, category="personal").due_on == today + dt.timedelta(days=7)
    other = ClientFactory(firm=firm, name="On Time Ltd")
    case = OffboardingCase.objects.create(firm=firm, client=other, opened_by=team["staff"], state="closed")
    services.schedule_for_case(case, by=team["staff"], deletion_on=today, end_on=today)
    assert PurgeSchedule.objects.get(client=other, category="personal").due_on == today  # as the client was told
