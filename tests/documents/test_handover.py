"""The services-delivered summary (O3) and the successor briefing (O7): what they say, in the client's
language, and that they are real PDFs whatever the client's name holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parting.cases.plan import plan_get
from parting.cases.services import case_open
from parting.clients.models import Engagement
from parting.documents.handover import briefing_content, client_language, handover_pdfs, summary_content
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    ContactFactory,
    InvoiceFactory,
    ServiceFactory,
    TimeEntryFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def rich_client(firm, team):
    client = ClientFactory(firm=firm, name="Bałtyk sp. z o.o.")
    ContactFactory(client=client, name="Anna Nowak", language="pl")
    client.services.add(ServiceFactory(firm=firm, name="Payroll"), ServiceFactory(firm=firm, name="Bookkeeping"))
    TimeEntryFactory(client=client, date=dt.date(2026, 1, 5), hours=Decimal("2.5"))
    TimeEntryFactory(client=client, date=dt.date(2026, 6, 5), hours=Decimal("4"))
    InvoiceFactory(client=client, amount=Decimal("1000.00"), paid_on=dt.date(2026, 3, 20), amount_paid=Decimal("1000"))
    InvoiceFactory(client=client, amount=Decimal("500.00"))
    Engagement.objects.create(client=client, name="Annual accounts 2026", due_on=dt.date(2026, 12, 20))
    ClientRequestFactory(client=client, description="Bank statements for November", due_on=dt.date(2026, 12, 10))
    ClientRequestFactory(client=client, description="Already sent", received_on=dt.date(2026, 3, 5))
    case = case_open(client=client, by=team["owner"])
    inputs = plan_get(case)
    inputs.successor_name, inputs.successor_contact = "Kowalski Biuro", "biuro@example.com"
    inputs.handover_note = "Keys to the archive are with reception."
    inputs.save()
    return client, case


def _text(content: dict) -> str:
    parts = [content["title"], *content["subtitle"]]
    for section in content["sections"]:
        parts += [section["heading"], *section["lines"], *(cell for row in section["rows"] for cell in row)]
    return "\n".join(parts)


def test_o3_summary_lists_services_hours_invoice_totals_and_work_handed_over(rich_client):
    client, case = rich_client
    text = _text(summary_content(client=client, case=case, lang="en", today=TODAY))
    assert "Bookkeeping" in text and "Payroll" in text
    assert "Hours of work on record: 6.5" in text
    assert "€1,500.00" in text  # issued
    assert "€1,000.00" in text  # paid
    assert "€500.00" in text  # still open
    assert "Annual accounts 2026 (due 20 December 2026)" in text


def test_o7_briefing_lists_open_requests_with_due_dates_but_not_received_ones(rich_client):
    client, case = rich_client
    text = _text(briefing_content(client=client, case=case, lang="en", today=TODAY))
    assert "Bank statements for November" in text and "10 December 2026" in text
    assert "Already sent" not in text
    assert "Kowalski Biuro (biuro@example.com)" in text
    assert "Keys to the archive are with reception." in text
    assert "Annual accounts 2026" in text


def test_documents_are_written_in_the_clients_language(rich_client):
    client, case = rich_client
    assert client_language(client) == "pl"
    text = _text(briefing_content(client=client, case=case, lang="pl", today=TODAY))
    assert "10 grudnia 2026" in text  # Polish dates, whatever the catalogues hold yet
    assert "1 grudnia 2026" in text


def test_both_documents_are_real_pdfs_in_hebrew_too_and_names_are_text_not_markup(firm, team):
    client = ClientFactory(firm=firm, name='#set page(width: 1cm) ] " \\')
    ContactFactory(client=client, name="דנה לוי", language="he")
    case = case_open(client=client, by=team["owner"])
    pdfs = handover_pdfs(client=client, case=case)
    assert set(pdfs) == {"services-delivered.pdf", "successor-briefing.pdf"}
    for data in pdfs.values():
        assert data.startswith(b"%PDF-")
        assert len(data) > 1000
