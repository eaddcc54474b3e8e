"""O5 and issue 13 §5: the audit log outlives a purge and cannot be edited, so it must never have held
the client's personal data. The entries keep notes, reasons, comments and the letter's address by
their SHA-256 only; after the purge none of the client's identifiers is in ``audit_auditentry``, the
chain still verifies, and the case page says the data was purged instead of offering its forms."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from parting.audit.models import AuditEntry
from parting.audit.services import audit_verify, value_reference
from parting.cases.models import OffboardingCase
from parting.core.jobs import run_due_jobs
from parting.letters.models import LetterSending
from parting.retention.models import Tombstone
from tests.factories import FirmFactory, MembershipFactory

from .conftest import found_in, rich_client

pytestmark = pytest.mark.django_db(transaction=True)


def at_noon(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 11, 0, tzinfo=dt.UTC), tick=False)


def audit_table() -> str:
    """Every row of the audit log's table as the database holds it, as text."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # the model's own table name
        return "\n".join(" | ".join("" if v is None else str(v) for v in row) for row in cursor.fetchall())


FREE_TEXT = ["has been hard work", "files to their new firm", "wants it short"]


def test_o5_after_a_purge_the_audit_log_holds_none_of_the_clients_identifiers_and_still_verifies(
    firm, team, storage_dir
):
    rich = rich_client(firm, team)
    # The letter really went out, through the letter service and Django's mail backend, addressed
    # with the contact's name as well: both stay off the log.
    sending = LetterSending.objects.get(letter__case=rich.case)
    address = sending.to
    assert address == "zofia@quarkwood.example" and sending.status == LetterSending.Status.SENT
    assert [message.to for message in mail.outbox] == [[f"Zofia Quarkwood <{address}>"]]
    sent = AuditEntry.objects.get(firm=firm, action="case.letter_sent")
    assert sent.data["to_sha256"] == hashlib.sha256(address.encode()).hexdigest()
    assert sent.data["override_reason"] == (value_reference(sending.override_reason) if sending.override_reason else "")
    approved = AuditEntry.objects.get(firm=firm, action="case.approved")
    assert approved.data["note"] == value_reference("Quarkwood has been hard work")
    changed = AuditEntry.objects.get(firm=firm, action="case.plan_changed")
    assert changed.data["handover_note"] == value_reference("Hand the Quarkwood files to their new firm")
    # Fixed at the source: the log never held them, not even before the purge.
    assert found_in(rich.identifiers + FREE_TEXT, audit_table(), b"") == []

    with at_noon(rich.deletion):
        run_due_jobs()
    assert OffboardingCase.objects.get(pk=rich.case.pk).state == OffboardingCase.State.PURGED
    log = audit_table()
    assert "retention.purged" in log and "case.letter_sent" in log  # the table searched is the real one
    assert found_in(rich.identifiers + FREE_TEXT, log, b"") == []
    assert audit_verify(firm=firm) is None
    out = StringIO()
    call_command("audit", "verify", stdout=out)  # raises CommandError (exit 1) when broken
    count = AuditEntry.objects.filter(firm=firm).count()
    assert f"{firm.slug}: intact, {count} entries" in out.getvalue()


def test_o5_a_purged_case_page_says_when_the_data_went_and_offers_no_forms(firm, team, storage_dir, client):
    rich = rich_client(firm, team)
    page_url = reverse("case_detail", args=[rich.case.pk])
    client.force_login(team["owner"])
    before = client.get(page_url).content.decode()
    assert "Closed. You parted properly." in before and 'id="purged-line"' not in before
    assert 'id="telling"' in before

    with at_noon(rich.deletion):
        run_due_jobs()
    client.force_login(team["owner"])  # the session of before the clock moved may have lapsed
    response = client.get(page_url)
    assert response.status_code == 200
    page = response.content.decode()
    tombstone = Tombstone.objects.get(client=rich.client)
    day = timezone.localtime(tombstone.personal_purged_at, zoneinfo.ZoneInfo(firm.time_zone))
    assert 'id="purged-line"' in page
    assert f"The client's personal data was purged on {date_format(day, 'SHORT_DATE_FORMAT')}" in page
    assert reverse("purge_certificate", args=[rich.client.pk]) in page  # owners and partners: the certificate
    assert "Withdrawn." not in page
    for gone in ('id="plan-form"', 'id="override-form"', 'id="telling"', 'id="letter-link"', 'id="notify-form"'):
        assert gone not in page, gone
    # The history still reads: the approving comment is recorded by its hash, the words are gone.
    assert "text recorded by its hash" in page and "hard work" not in page

    client.force_login(team["staff"])
    staff_page = client.get(page_url).content.decode()
    assert 'id="purged-line"' in staff_page
    assert reverse("purge_certificate", args=[rich.client.pk]) not in staff_page  # the certificate is seniors'

    other = MembershipFactory(firm=FirmFactory(), user__username="stranger").user
    client.force_login(other)
    assert client.get(page_url).status_code == 404
