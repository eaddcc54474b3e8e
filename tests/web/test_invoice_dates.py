"""An invoice's dates keep their order (W7 reads them): paid and due never before issued. A case on
each side of each rule, through the page a member logs an invoice with."""

import pytest
from django.urls import reverse

from parting.evidence.models import Invoice, Payment
from tests.factories import ClientFactory, MembershipFactory


@pytest.fixture
def member(client, firm):
    membership = MembershipFactory(firm=firm)
    client.force_login(membership.user)
    return client


def log(member, acme, **dates):
    data = {
        "number": "F-1",
        "issued_on": "2026-05-10",
        "due_on": "2026-05-24",
        "amount": "100",
        "currency": "EUR",
        "fx_rate": "1",
        "reminders_sent": "0",
        "discount_given": "0",
    } | dates
    return member.post(reverse("evidence_log", args=[acme.pk, "invoice"]), data)


@pytest.mark.parametrize(
    ("paid_on", "saved"),
    [("2026-05-09", False), ("2026-05-10", True), ("2026-05-11", True)],
)
def test_w7_an_invoice_cannot_be_paid_before_it_is_issued_but_may_be_paid_the_same_day(member, firm, paid_on, saved):
    acme = ClientFactory(firm=firm)
    log(member, acme)
    invoice = Invoice.objects.get(client=acme)
    response = member.post(
        reverse("evidence_log", args=[acme.pk, "payment"]),
        {"invoice": invoice.pk, "paid_on": paid_on, "amount": "100"},
    )
    assert Payment.objects.filter(invoice=invoice).exists() is saved
    invoice.refresh_from_db()
    assert (invoice.paid_on is not None) is saved
    if not saved:
        assert response.status_code == 200
        assert "An invoice cannot be paid before it is issued." in response.content.decode()


@pytest.mark.parametrize(("due_on", "saved"), [("2026-05-09", False), ("2026-05-10", True)])
def test_w7_an_invoice_cannot_fall_due_before_it_is_issued_but_may_fall_due_the_same_day(member, firm, due_on, saved):
    acme = ClientFactory(firm=firm)
    response = log(member, acme, due_on=due_on)
    assert Invoice.objects.filter(client=acme).exists() is saved
    if not saved:
        assert "An invoice cannot fall due before it is issued." in response.content.decode()
