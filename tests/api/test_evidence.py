"""/api/v1/clients/{id}/<kind>: evidence of every kind through the page's forms (issue 15 §2)."""

import datetime as dt
from decimal import Decimal

import pytest

from parting.audit.models import AuditEntry
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MessageFactory,
    TimeEntryFactory,
)

# One valid body per kind, and the factory that makes a row of it.
KINDS = {
    "invoices": (
        Invoice,
        InvoiceFactory,
        {"number": "A-1", "issued_on": "2026-03-01", "due_on": "2026-03-15", "amount": "100.00"},
    ),
    "meetings": (
        Meeting,
        MeetingFactory,
        {"starts_at": "2026-03-02T10:00:00Z", "ends_at": "2026-03-02T11:00:00Z", "status": "held"},
    ),
    "messages": (Message, MessageFactory, {"sent_at": "2026-03-02T10:00:00Z", "channel": "email", "direction": "in"}),
    "requests": (
        ClientRequest,
        ClientRequestFactory,
        {"description": "Bank statements", "requested_on": "2026-03-01", "due_on": "2026-03-10"},
    ),
    "incidents": (Incident, IncidentFactory, {"kind": "rework", "occurred_on": "2026-03-05", "hours_lost": "1.5"}),
    "time-entries": (TimeEntry, TimeEntryFactory, {"date": "2026-03-05", "hours": "2.00", "billable": True}),
}


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


@pytest.mark.parametrize("path", KINDS)
def test_every_kind_is_listed_created_changed_and_deleted_with_audit(api, acme, path):
    model, _factory, body = KINDS[path]
    created = api.post(f"/clients/{acme.pk}/{path}", body)
    assert created.status_code == 201, created.content
    row_id = created.json()["id"]
    assert model.objects.get(pk=row_id).client == acme
    assert AuditEntry.objects.filter(action="evidence.created").count() == 1
    listed = api.get(f"/clients/{acme.pk}/{path}").json()
    assert [r["id"] for r in listed["items"]] == [row_id]
    changed = api.patch(f"/clients/{acme.pk}/{path}/{row_id}", {})
    assert changed.status_code == 200, changed.content
    assert api.delete(f"/clients/{acme.pk}/{path}/{row_id}").status_code == 204
    assert not model.objects.filter(pk=row_id).exists()
    assert AuditEntry.objects.filter(action="evidence.deleted", target__endswith=f":{row_id}").exists()


@pytest.mark.parametrize("path", KINDS)
def test_another_firms_client_and_row_are_404(api, acme, other_client, path):
    _model, factory, body = KINDS[path]
    theirs = factory(client=other_client)
    assert api.get(f"/clients/{other_client.pk}/{path}").status_code == 404
    assert api.post(f"/clients/{other_client.pk}/{path}", body).status_code == 404
    # Their row under our client's id is not found either.
    assert api.patch(f"/clients/{acme.pk}/{path}/{theirs.pk}", {}).status_code == 404
    assert api.delete(f"/clients/{acme.pk}/{path}/{theirs.pk}").status_code == 404
    assert type(theirs).objects.filter(pk=theirs.pk).exists()


def test_a_read_only_token_cannot_add_evidence(reader, acme):
    response = reader.post(f"/clients/{acme.pk}/invoices", KINDS["invoices"][2])
    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_a_payment_settles_its_invoice_as_on_the_page(api, acme):
    invoice = InvoiceFactory(client=acme, amount=Decimal("100.00"))
    body = {"invoice_id": invoice.pk, "paid_on": "2026-03-20", "amount": "100.00"}
    response = api.post(f"/clients/{acme.pk}/payments", body)
    assert response.status_code == 201, response.content
    invoice.refresh_from_db()
    assert invoice.paid_on == dt.date(2026, 3, 20) and invoice.amount_paid == Decimal("100.00")


def test_a_payment_cannot_name_another_firms_invoice(api, acme, other_client):
    theirs = InvoiceFactory(client=other_client)
    response = api.post(f"/clients/{acme.pk}/payments", {"invoice_id": theirs.pk, "paid_on": "2026-04-01", "amount": 5})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["invoice"]
    assert not Payment.objects.filter(invoice=theirs, origin="logged").exists()


def test_the_forms_rules_refuse_with_the_field(api, acme):
    body = {"number": "A-1", "issued_on": "2026-03-15", "due_on": "2026-03-01", "amount": "100.00"}
    response = api.post(f"/clients/{acme.pk}/invoices", body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "due_on", "message": "An invoice cannot fall due before it is issued."}
    ]


def test_bulk_writes_every_row(api, acme):
    rows = [{**KINDS["invoices"][2], "number": f"B-{n}"} for n in range(3)]
    response = api.post(f"/clients/{acme.pk}/invoices/bulk", {"items": rows})
    assert response.status_code == 201, response.content
    assert Invoice.objects.filter(client=acme).count() == 3


def test_bulk_with_a_bad_row_writes_nothing_and_names_the_row_and_field(api, acme):
    rows = [{**KINDS["invoices"][2], "number": f"B-{n}"} for n in range(3)]
    rows[1]["amount"] = "abc"
    response = api.post(f"/clients/{acme.pk}/invoices/bulk", {"items": rows})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["items.1.amount"]
    assert not Invoice.objects.exists()


def test_bulk_rows_that_clash_with_each_other_write_nothing(api, acme):
    rows = [{**KINDS["invoices"][2], "number": "SAME"} for _ in range(2)]
    response = api.post(f"/clients/{acme.pk}/invoices/bulk", {"items": rows})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["items.1.number"]
    assert not Invoice.objects.exists()


def test_bulk_of_more_than_500_rows_is_refused(api, acme):
    rows = [{**KINDS["requests"][2]} for _ in range(501)]
    response = api.post(f"/clients/{acme.pk}/requests/bulk", {"items": rows})
    assert response.status_code == 422
    assert not ClientRequest.objects.exists()


def test_list_filters_by_date_both_ends_included(api, acme):
    for day in (1, 10, 20):
        ClientRequestFactory(client=acme, description=f"d{day}", requested_on=dt.date(2026, 3, day),
                             due_on=dt.date(2026, 3, day))  # fmt: skip
    items = api.get(f"/clients/{acme.pk}/requests", **{"from": "2026-03-10", "to": "2026-03-20"}).json()["items"]
    assert [r["description"] for r in items] == ["d20", "d10"]
    items = api.get(f"/clients/{acme.pk}/requests", **{"from": "2026-03-11"}).json()["items"]
    assert [r["description"] for r in items] == ["d20"]


def test_moments_are_filtered_by_the_firms_day(api, acme):
    # 23:30 UTC on 1 March is already 2 March in Warsaw (the test firm's zone).
    MeetingFactory(client=acme, starts_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    assert api.get(f"/clients/{acme.pk}/meetings", **{"from": "2026-03-02", "to": "2026-03-02"}).json()["count"] == 1
    assert api.get(f"/clients/{acme.pk}/meetings", **{"to": "2026-03-01"}).json()["count"] == 0


def test_a_range_that_ends_before_it_starts_is_refused_on_to(api, acme):
    response = api.get(f"/clients/{acme.pk}/requests", **{"from": "2026-03-10", "to": "2026-03-09"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "to"


def test_incident_is_logged_by_the_tokens_member(api, acme, member):
    response = api.post(f"/clients/{acme.pk}/incidents", KINDS["incidents"][2])
    assert Incident.objects.get(pk=response.json()["id"]).logged_by == member.user


def test_a_write_answers_with_the_row_as_stored_as_a_later_read_gives_it(api, acme):
    """Amounts sent as 840 or "840" come back "840.00" from the create, the bulk and the change,
    exactly as GET answers for the same row."""
    body = {"number": "S-1", "issued_on": "2026-03-01", "due_on": "2026-03-15", "amount": 840}
    created = api.post(f"/clients/{acme.pk}/invoices", body).json()
    assert created["amount"] == "840.00"
    listed = {row["id"]: row for row in api.get(f"/clients/{acme.pk}/invoices").json()["items"]}
    assert listed[created["id"]] == created
    changed = api.patch(f"/clients/{acme.pk}/invoices/{created['id']}", {"amount": "900"}).json()
    assert changed["amount"] == "900.00"
    bulk = api.post(f"/clients/{acme.pk}/invoices/bulk", {"items": [{**body, "number": "S-2", "amount": "5"}]})
    assert [row["amount"] for row in bulk.json()] == ["5.00"]
