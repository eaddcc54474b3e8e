"""A member of one firm can never see or change another firm's clients, by page or by command."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.shortcuts import get_object_or_404
from django.urls import reverse

from parting.clients.models import Client
from parting.evidence.models import Invoice
from tests.factories import ClientFactory, FirmFactory, InvoiceFactory, MembershipFactory


@pytest.fixture
def two_firms(db):
    ours, theirs = FirmFactory(name="Ours"), FirmFactory(name="Theirs")
    me = MembershipFactory(firm=ours, user__username="me")
    MembershipFactory(firm=theirs, user__username="them")
    secret = ClientFactory(firm=theirs, name="Their Secret Client")
    invoice = InvoiceFactory(client=secret, number="THEIRS-1")
    ClientFactory(firm=ours, name="Our Client")
    return me, secret, invoice


def test_another_firms_client_pages_are_not_found(client, two_firms):
    me, secret, invoice = two_firms
    client.force_login(me.user)
    for url in (
        reverse("client_detail", args=[secret.pk]),
        reverse("client_edit", args=[secret.pk]),
        reverse("client_sign", args=[secret.pk, "W7"]),
        reverse("evidence_log", args=[secret.pk, "invoice"]),
        reverse("evidence_edit", args=[secret.pk, "invoice", invoice.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert "Their Secret Client" not in client.get(reverse("dashboard")).content.decode()


def test_another_firms_client_cannot_be_changed_by_post(client, two_firms):
    me, secret, invoice = two_firms
    client.force_login(me.user)
    assert client.post(reverse("client_edit", args=[secret.pk]), {"name": "Hijacked"}).status_code == 404
    assert client.post(reverse("evidence_delete", args=[secret.pk, "invoice", invoice.pk])).status_code == 404
    assert (
        client.post(
            reverse("evidence_log", args=[secret.pk, "incident"]),
            {"kind": "other", "occurred_on": "2026-01-01", "hours_lost": "0"},
        ).status_code
        == 404
    )
    assert Client.objects.get(pk=secret.pk).name == "Their Secret Client"
    assert Invoice.objects.filter(pk=invoice.pk).exists()


INVOICE_POST = {
    "number": "MOVED-1",
    "issued_on": "2026-02-01",
    "due_on": "2026-02-15",
    "amount": "1.00",
    "currency": "EUR",
    "fx_rate": "1",
    "reminders_sent": "0",
    "discount_given": "0",
}


def invoice_row(pk: int) -> dict:
    return Invoice.objects.filter(pk=pk).values().get()


@pytest.mark.parametrize("client_lookup", ["real", "bypassed"])
def test_own_evidence_cannot_be_edited_through_another_firms_client_url(client, two_firms, monkeypatch, client_lookup):
    """Their client's URL + our own invoice: 404 on GET and POST, and the invoice stays ours, unchanged.

    The client lookup alone would give this 404, so the test also runs with it bypassed (as if
    ``client_get`` had lost its firm filter): then the 404 must come from the evidence lookup, which
    looks the row up under the client in the URL — otherwise the form would move our invoice to
    their client.
    """
    me, secret, _invoice = two_firms
    if client_lookup == "bypassed":
        monkeypatch.setattr(
            "parting.web.views.clients.client_get", lambda *, firm, pk: get_object_or_404(Client, pk=pk)
        )
    ours = Client.objects.get(name="Our Client")
    own_invoice = InvoiceFactory(client=ours)
    before = invoice_row(own_invoice.pk)
    client.force_login(me.user)
    url = reverse("evidence_edit", args=[secret.pk, "invoice", own_invoice.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, INVOICE_POST).status_code == 404
    delete = reverse("evidence_delete", args=[secret.pk, "invoice", own_invoice.pk])
    assert client.post(delete).status_code == 404
    assert invoice_row(own_invoice.pk) == before


def test_another_firms_evidence_cannot_be_edited_through_own_client_url(client, two_firms):
    """The mirror case: our client's URL + their invoice is a 404 on GET and POST; their invoice is unchanged."""
    me, _secret, invoice = two_firms
    ours = Client.objects.get(name="Our Client")
    before = invoice_row(invoice.pk)
    client.force_login(me.user)
    url = reverse("evidence_edit", args=[ours.pk, "invoice", invoice.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, INVOICE_POST).status_code == 404
    assert client.post(reverse("evidence_delete", args=[ours.pk, "invoice", invoice.pk])).status_code == 404
    assert invoice_row(invoice.pk) == before


def test_another_clients_evidence_cannot_be_edited_through_own_client_url(client, two_firms):
    """Same firm, different client: our client's URL + our other client's invoice is a 404 too."""
    me, _secret, _invoice = two_firms
    ours = Client.objects.get(name="Our Client")
    other = ClientFactory(firm=ours.firm, name="Our Other Client")
    invoice = InvoiceFactory(client=other)
    before = invoice_row(invoice.pk)
    client.force_login(me.user)
    url = reverse("evidence_edit", args=[ours.pk, "invoice", invoice.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, INVOICE_POST).status_code == 404
    assert client.post(reverse("evidence_delete", args=[ours.pk, "invoice", invoice.pk])).status_code == 404
    assert invoice_row(invoice.pk) == before
    # control: the same POST through the invoice's own client URL is accepted, so the data is valid
    assert (
        client.post(reverse("evidence_edit", args=[other.pk, "invoice", invoice.pk]), INVOICE_POST).status_code == 302
    )
    assert Invoice.objects.get(pk=invoice.pk).number == "MOVED-1"


def test_referral_choices_offer_only_own_clients(client, two_firms):
    me, secret, _invoice = two_firms
    client.force_login(me.user)
    response = client.post(
        reverse("client_create"),
        {
            "name": "Sneaky",
            "status": "active",
            "payment_terms_days": "14",
            "prepaid_amount": "0",
            "referred_by": str(secret.pk),
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "grants-TOTAL_FORMS": "0",
            "grants-INITIAL_FORMS": "0",
            "work-TOTAL_FORMS": "0",
            "work-INITIAL_FORMS": "0",
            "logins-TOTAL_FORMS": "0",
            "logins-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Client.objects.filter(name="Sneaky").exists()


def test_score_command_sees_only_the_members_firm(two_firms):
    out = io.StringIO()
    call_command("score", "--user", "me", "--json", stdout=out)
    assert "Our Client" in out.getvalue()
    assert "Their Secret Client" not in out.getvalue()
    with pytest.raises(CommandError, match="No client named 'Their Secret Client' in Ours"):
        call_command("score", "--user", "me", "--client", "Their Secret Client", stdout=io.StringIO())


def test_score_command_refuses_to_guess_a_firm_when_there_are_several(two_firms):
    with pytest.raises(CommandError, match="--user"):
        call_command("score", "--user", "", stdout=io.StringIO())
