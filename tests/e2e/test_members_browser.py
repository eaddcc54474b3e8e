"""The team in a real browser (issue 15 §1): an owner invites a member, who opens the mailed link,
chooses a password and logs in; a person in two firms switches and sees only the chosen firm's data."""

import re

import pytest
from django.core import mail

from tests.factories import ClientFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unguessable phrase"
NEW_PASSWORD = "the invitee's own long phrase"


def with_password(membership):
    membership.user.set_password(PASSWORD)
    membership.user.save()
    return membership


def log_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("table.clients")


def test_an_owner_invites_a_member_who_sets_a_password_and_logs_in(page, live_server, settings, screenshot):
    settings.PARTING_BASE_URL = live_server.url
    owner = with_password(MembershipFactory(user__username="olga", firm__name="Olga & Co"))
    ClientFactory(firm=owner.firm, name="Steady Client")
    log_in(page, live_server, "olga")
    page.click("nav >> text=Members")
    page.fill("#id_email", "nina@example.com")
    page.select_option("#id_role", "partner")
    page.select_option("#id_language", "en")
    screenshot("members-invite")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector("#invitations >> text=nina@example.com")
    page.click(".account button:has-text('Log out')")
    page.wait_for_selector("#id_username")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.com"]
    link = re.search(r"https?://\S+/invite/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.wait_for_selector("h1:has-text('Join Olga & Co')")
    page.fill("#id_username", "nina")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    screenshot("members-accept")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector("#id_username")
    log_in(page, live_server, "nina", NEW_PASSWORD)
    account = page.inner_text(".account")
    assert "Olga & Co" in account and "Partner" in account
    assert "Steady Client" in page.inner_text("table.clients")

    page.goto(link)  # the link worked once
    assert "already been used" in page.inner_text("#invite-refused")


def test_a_person_in_two_firms_switches_and_sees_only_the_chosen_firms_clients(page, live_server, screenshot):
    first = with_password(MembershipFactory(user__username="pat", firm__name="First Firm"))
    second = MembershipFactory(user=first.user, firm__name="Second Firm", staff=True)
    ClientFactory(firm=first.firm, name="Alpha Client")
    ClientFactory(firm=second.firm, name="Beta Client")
    log_in(page, live_server, "pat")
    clients = page.inner_text("table.clients")
    assert "Alpha Client" in clients and "Beta Client" not in clients

    page.select_option("#firm-choice", str(second.firm_id))
    page.click("#firm-switch-submit")
    page.wait_for_selector("table.clients >> text=Beta Client")
    screenshot("members-switched-firm")
    assert "Alpha Client" not in page.inner_text("table.clients")
    assert "Staff" in page.inner_text(".account")

    page.goto(f"{live_server.url}/firm/members/")  # the chosen firm's members, read-only for staff
    page.wait_for_selector("#members-read-only")
