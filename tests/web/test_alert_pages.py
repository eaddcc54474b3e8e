"""Alerts on the pages (issue 12 §3): the dashboard lists the firm's recent alerts, new ones flagged
until the member marks them seen; the account page keeps each owner's and partner's digest choice."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from parting.scores.models import Alert, AlertSettings
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def alert(client, kind=Alert.Kind.CONSIDER_PARTING, subject="") -> Alert:
    return Alert.objects.create(
        firm_id=client.firm_id,
        client=client,
        day=client.firm.today(),
        kind=kind,
        subject=subject,
        detail={"score": 40, "before": "keep"},
        created_at=timezone.now(),
    )


@pytest.fixture
def member(owner, client):
    client.force_login(owner.user)
    return owner


def alerts_section(html: str) -> str:
    start = html.index('id="alerts"')
    return html[start : html.index("</section>", start)]


def test_the_dashboard_lists_the_firms_alerts_and_never_another_firms(client, member):
    alert(ClientFactory(firm=member.firm, name="Acme"))
    alert(ClientFactory(firm=FirmFactory(), name="Secret Client"))
    section = alerts_section(client.get(reverse("dashboard")).content.decode())
    assert "Acme" in section and "The advice is now “Consider parting” (fit score 40)" in section
    assert "Secret Client" not in section


def test_new_alerts_are_flagged_until_marked_seen_and_then_an_alert_arriving_later_is_new(client, member):
    acme = ClientFactory(firm=member.firm, name="Acme")
    first = alert(acme)
    section = alerts_section(client.get(reverse("dashboard")).content.decode())
    assert 'class="unseen"' in section and 'id="alerts-unseen"' in section
    response = client.post(reverse("dashboard"), {"action": "alerts_seen", "up_to": str(first.pk)})
    assert response.status_code == 302
    section = alerts_section(client.get(reverse("dashboard")).content.decode())
    assert 'class="unseen"' not in section and "Mark as seen" not in section
    alert(acme, Alert.Kind.POOR_SIGN, "W7")
    section = alerts_section(client.get(reverse("dashboard")).content.decode())
    assert section.count('class="unseen"') == 1 and "W7" in section


def test_marking_seen_with_htmx_answers_with_the_list_only(client, member):
    first = alert(ClientFactory(firm=member.firm, name="Acme"))
    response = client.post(
        reverse("dashboard"), {"action": "alerts_seen", "up_to": str(first.pk)}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card alerts" id="alerts"')
    assert 'class="unseen"' not in html


def test_marking_seen_up_to_another_firms_newer_alert_leaves_own_later_alerts_new(client, member):
    acme = ClientFactory(firm=member.firm, name="Acme")
    mine = alert(acme)
    theirs = alert(ClientFactory(firm=FirmFactory(), name="Elsewhere"))
    client.post(reverse("dashboard"), {"action": "alerts_seen", "up_to": str(theirs.pk + 1000)})
    assert AlertSettings.objects.get(membership=member).seen_up_to == mine.pk
    alert(acme, Alert.Kind.POOR_SIGN, "W7")  # newer than the id the member sent, yet never shown to them
    section = alerts_section(client.get(reverse("dashboard")).content.decode())
    assert section.count('class="unseen"') == 1


@pytest.mark.parametrize("up_to", ["", "abc", "-1", "1e9", "9" * 40])
def test_marking_seen_with_a_bad_number_changes_nothing_and_is_no_error(client, member, up_to):
    alert(ClientFactory(firm=member.firm, name="Acme"))
    response = client.post(reverse("dashboard"), {"action": "alerts_seen", "up_to": up_to})
    assert response.status_code == 302
    assert not AlertSettings.objects.filter(membership=member, seen_up_to__gt=0).exists()


def test_marking_seen_needs_the_csrf_token(member):
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(member.user)
    first = alert(ClientFactory(firm=member.firm, name="Acme"))
    response = browser.post(reverse("dashboard"), {"action": "alerts_seen", "up_to": str(first.pk)})
    assert response.status_code == 403


def test_an_owner_chooses_a_weekly_digest_on_the_account_page(client, member):
    page = client.get(reverse("account")).content.decode()
    assert 'id="alert-digest-form"' in page
    response = client.post(reverse("account"), {"frequency": "weekly"})
    assert response.status_code == 302
    assert AlertSettings.objects.get(membership=member).frequency == "weekly"
    client.post(reverse("account"), {"frequency": "off"})
    assert AlertSettings.objects.get(membership=member).frequency == "off"


def test_an_unknown_digest_choice_is_refused_by_name_and_nothing_changes(client, member):
    response = client.post(reverse("account"), {"frequency": "hourly"})
    assert response.status_code == 200
    assert 'id="id_frequency_error"' in response.content.decode()
    assert AlertSettings.objects.get(membership=member).frequency == "daily"


def test_staff_are_told_digests_go_to_owners_and_partners_and_cannot_choose_one(client, firm):
    staff = MembershipFactory(firm=firm, staff=True)
    client.force_login(staff.user)
    page = client.get(reverse("account")).content.decode()
    assert 'id="digest-seniors-only"' in page and 'id="alert-digest-form"' not in page
    client.post(reverse("account"), {"frequency": "weekly"})
    assert AlertSettings.objects.get(membership=staff).frequency == "daily"


def test_the_account_page_needs_a_login(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
