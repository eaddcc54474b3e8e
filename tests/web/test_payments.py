"""Issue 10 §1: payments are their own rows and an invoice's balance comes from them. An invoice paid
by half is still unpaid for W7 and D10; paid in two parts it is paid on the day of the second."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from parting.evidence.models import Invoice, Payment
from parting.evidence.services import settle_invoices
from tests.factories import ClientFactory, FirmFactory, InvoiceFactory, MembershipFactory


@pytest.fixture
def member(client, firm):
    membership = MembershipFactory(firm=firm)
    client.force_login(membership.user)
    return client


def pay(invoice, day, amount, **extra):
    return Payment.objects.create(
        firm=invoice.firm, client=invoice.client, invoice=invoice, paid_on=day, amount=Decimal(amount), **extra
    )


@pytest.mark.django_db
def test_w7_an_invoice_paid_in_two_parts_is_paid_on_the_day_of_the_second():
    invoice = InvoiceFactory(amount=Decimal("1000"), issued_on=dt.date(2026, 3, 1))
    pay(invoice, dt.date(2026, 3, 10), "400")
    settle_invoices([invoice.pk])
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.paid_on, invoice.balance) == (Decimal("400"), None, Decimal("600"))
    pay(invoice, dt.date(2026, 3, 20), "600")
    settle_invoices([invoice.pk])
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.paid_on, invoice.balance) == (Decimal("1000"), dt.date(2026, 3, 20), 0)


@pytest.mark.django_db
@pytest.mark.parametrize(("paid", "settled"), [("899.99", False), ("900.00", True)])
def test_d10_an_invoice_is_paid_in_full_only_when_payments_cover_the_amount_less_the_discount(paid, settled):
    invoice = InvoiceFactory(amount=Decimal("1000"), discount_given=Decimal("100"))
    pay(invoice, dt.date(2026, 3, 5), paid)
    settle_invoices([invoice.pk])
    invoice.refresh_from_db()
    assert (invoice.paid_on is not None) is settled


@pytest.mark.django_db
def test_w7_a_refund_reopens_a_paid_invoice():
    invoice = InvoiceFactory(amount=Decimal("500"))
    pay(invoice, dt.date(2026, 3, 5), "500")
    pay(invoice, dt.date(2026, 3, 9), "-200")
    settle_invoices([invoice.pk])
    invoice.refresh_from_db()
    assert invoice.paid_on is None and invoice.balance == Decimal("200")


@pytest.mark.django_db
def test_a_credit_note_is_settled_on_the_day_it_is_issued():
    note = InvoiceFactory(amount=Decimal("-150"), issued_on=dt.date(2026, 4, 2))
    settle_invoices([note.pk])
    note.refresh_from_db()
    assert note.paid_on == dt.date(2026, 4, 2)


@pytest.mark.django_db
def test_logging_a_payment_on_the_page_settles_the_invoice_and_deleting_it_reopens_it(member, firm):
    acme = ClientFactory(firm=firm)
    invoice = InvoiceFactory(client=acme, firm=firm, amount=Decimal("300"), issued_on=dt.date(2026, 5, 1))
    url = reverse("evidence_log", args=[acme.pk, "payment"])
    member.post(url, {"invoice": invoice.pk, "paid_on": "2026-05-20", "amount": "300", "method": "transfer"})
    invoice.refresh_from_db()
    assert invoice.paid_on == dt.date(2026, 5, 20)
    payment = Payment.objects.get(invoice=invoice)
    member.post(reverse("evidence_delete", args=[acme.pk, "payment", payment.pk]))
    invoice.refresh_from_db()
    assert invoice.paid_on is None and invoice.amount_paid == 0


@pytest.mark.django_db
def test_a_payment_cannot_be_logged_against_another_firms_invoice(member, firm):
    acme = ClientFactory(firm=firm)
    theirs = InvoiceFactory(firm=FirmFactory())
    response = member.post(
        reverse("evidence_log", args=[acme.pk, "payment"]),
        {"invoice": theirs.pk, "paid_on": "2026-05-20", "amount": "10"},
    )
    assert response.status_code == 200
    assert not Payment.objects.filter(invoice=theirs).exists()
    theirs.refresh_from_db()
    assert theirs.amount_paid == 0


@pytest.mark.django_db
def test_the_client_page_shows_what_is_paid_and_what_is_open(member, firm):
    acme = ClientFactory(firm=firm)
    invoice = InvoiceFactory(client=acme, firm=firm, amount=Decimal("1000"), issued_on=dt.date(2026, 3, 1))
    pay(invoice, dt.date(2026, 3, 10), "400")
    settle_invoices([invoice.pk])
    page = member.get(reverse("client_detail", args=[acme.pk])).content.decode()
    assert "€400.00 paid, €600.00 open" in page
    assert Invoice.objects.get(pk=invoice.pk).paid_on is None
