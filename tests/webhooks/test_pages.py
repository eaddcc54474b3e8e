"""The webhooks page (issue 15 §3): owners and partners add, change and delete endpoints (each in the
audit log), see the secret and the last deliveries, and queue a test event; staff are refused, and
another firm's endpoint is a 404 behind every address."""

from __future__ import annotations

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from parting.audit.models import AuditEntry
from parting.webhooks.models import Delivery, Endpoint
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


def browser(user) -> BrowserClient:
    session = BrowserClient()
    session.force_login(user)
    return session


def test_a_partner_adds_an_endpoint_and_sees_its_secret_once_saved(firm, team):
    session = browser(team["partner"])
    response = session.post(
        reverse("webhooks"),
        {"url": "https://hooks.example/parting?token=abc", "events": ["case.approved", "purge.done"], "active": "on"},
    )
    endpoint = Endpoint.objects.get(firm=firm)
    assert response.status_code == 302 and response["Location"] == reverse("webhook_edit", args=[endpoint.pk])
    assert endpoint.events == ["case.approved", "purge.done"] and endpoint.active
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) == 70
    page = session.get(response["Location"]).content.decode()
    assert endpoint.secret in page
    entry = AuditEntry.objects.get(firm=firm, action="webhook.created")
    assert entry.target == f"webhook:{endpoint.pk}"
    assert entry.data["host"] == "hooks.example"
    assert "token=abc" not in str(entry.data)  # the URL by its checksum: hook URLs carry tokens


@pytest.mark.parametrize(
    ("url", "events", "field", "words"),
    [
        ("ftp://hooks.example/x", ["case.approved"], "url", "https://"),
        ("https://user:pw@hooks.example/x", ["case.approved"], "url", "password"),
        ("https://hooks.example/x", [], "events", "choose at least one"),
        ("https://hooks.example/x", ["case.aproved"], "events", "case.aproved"),
    ],
)
def test_a_bad_endpoint_is_refused_with_the_field_and_the_reason_and_nothing_saved(
    firm, team, url, events, field, words
):
    response = browser(team["owner"]).post(reverse("webhooks"), {"url": url, "events": events})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert words.lower() in response.content.decode().lower()
    assert not Endpoint.objects.exists()


def test_staff_cannot_open_or_change_webhooks(firm, team):
    endpoint = Endpoint.objects.create(firm=firm, url="https://hooks.example/x", events=["case.approved"])
    session = browser(team["staff"])
    assert session.get(reverse("webhooks")).status_code == 403
    assert session.get(reverse("webhook_edit", args=[endpoint.pk])).status_code == 403
    assert session.post(reverse("webhook_ping", args=[endpoint.pk])).status_code == 403
    assert session.post(reverse("webhook_delete", args=[endpoint.pk])).status_code == 403
    assert Endpoint.objects.filter(pk=endpoint.pk).exists() and not Delivery.objects.exists()


def test_another_firms_endpoint_is_a_404_behind_every_address(firm, team):
    theirs = Endpoint.objects.create(firm=FirmFactory(), url="https://theirs.example/x", events=["case.approved"])
    session = browser(team["owner"])
    assert session.get(reverse("webhook_edit", args=[theirs.pk])).status_code == 404
    edit = {"url": "https://mine.example/x", "events": ["case.approved"], "active": "on"}
    assert session.post(reverse("webhook_edit", args=[theirs.pk]), edit).status_code == 404
    assert session.post(reverse("webhook_ping", args=[theirs.pk])).status_code == 404
    assert session.post(reverse("webhook_delete", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.url == "https://theirs.example/x" and not Delivery.objects.exists()
    assert "theirs.example" not in session.get(reverse("webhooks")).content.decode()


def test_changing_an_endpoint_is_audited_and_a_new_secret_replaces_the_old(firm, team):
    endpoint = Endpoint.objects.create(firm=firm, url="https://hooks.example/x", events=["case.approved"])
    old = endpoint.secret
    session = browser(team["owner"])
    edit = {"url": "https://hooks.example/x", "events": ["case.approved", "letter.sent"], "active": ""}
    assert session.post(reverse("webhook_edit", args=[endpoint.pk]), edit).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["case.approved", "letter.sent"] and not endpoint.active and endpoint.secret == old
    entry = AuditEntry.objects.get(firm=firm, action="webhook.changed")
    assert entry.data["changed"] == ["active", "events"] and entry.data["new_secret"] is False
    session.post(reverse("webhook_edit", args=[endpoint.pk]), {**edit, "new_secret": "on"})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")


def test_the_test_button_queues_a_ping_for_that_endpoint_alone(firm, team):
    mine = Endpoint.objects.create(firm=firm, url="https://hooks.example/a", events=["purge.done"])
    other = Endpoint.objects.create(firm=firm, url="https://hooks.example/b", events=["purge.done"])
    session = browser(team["partner"])
    response = session.post(reverse("webhook_ping", args=[mine.pk]))
    assert response.status_code == 302
    [ping] = Delivery.objects.all()
    assert (ping.endpoint_id, ping.event, ping.state) == (mine.pk, "ping", "pending")
    assert not other.deliveries.exists()
    page = session.get(reverse("webhook_edit", args=[mine.pk])).content.decode()
    assert ping.message_id in page
    assert session.get(reverse("webhook_ping", args=[mine.pk])).status_code == 405  # a GET changes nothing


def test_deleting_an_endpoint_removes_it_and_its_waiting_deliveries_and_is_audited(firm, team):
    endpoint = Endpoint.objects.create(firm=firm, url="https://hooks.example/x", events=["case.approved"])
    session = browser(team["owner"])
    session.post(reverse("webhook_ping", args=[endpoint.pk]))
    assert session.post(reverse("webhook_delete", args=[endpoint.pk])).status_code == 302
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    assert AuditEntry.objects.filter(firm=firm, action="webhook.deleted", target=f"webhook:{endpoint.pk}").count() == 1


def test_the_firm_page_links_to_webhooks_and_the_list_shows_each_endpoints_last_deliveries(firm, team):
    endpoint = Endpoint.objects.create(firm=firm, url="https://hooks.example/x", events=["case.approved"])
    session = browser(team["owner"])
    assert reverse("webhooks") in session.get(reverse("firm_settings")).content.decode()
    session.post(reverse("webhook_ping", args=[endpoint.pk]))
    page = session.get(reverse("webhooks")).content.decode()
    assert "https://hooks.example/x" in page and Delivery.objects.get().message_id in page
