"""Accounts in a real browser: locked out after too many wrong passwords, changing the password,
resetting it through the e-mailed link; and the Content-Security-Policy really refuses inline code."""

import re

import pytest
from django.conf import settings
from django.core import mail

from tests.factories import ClientFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unguessable phrase"
NEW_PASSWORD = "another long phrase nobody guesses"


@pytest.fixture
def member(db):
    membership = MembershipFactory(user__username="dana", user__email="dana@example.com", firm__name="Dana & Co")
    membership.user.set_password(PASSWORD)
    membership.user.save()
    ClientFactory(firm=membership.firm, name="Steady Client")
    return membership


def submit_login(page, live_server, password, username="dana"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def log_in(page, live_server, password):
    submit_login(page, live_server, password)
    page.wait_for_selector("table.clients")
    assert "Dana & Co" in page.inner_text(".account")


def log_out(page):
    page.click(".account button:has-text('Log out')")
    page.wait_for_selector("#id_username")


def test_wrong_passwords_lock_the_account_even_against_the_right_one(page, live_server, member, screenshot):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        submit_login(page, live_server, "wrong guess")
        assert "did not match" in page.inner_text("main")
    submit_login(page, live_server, "wrong guess")
    page.wait_for_selector("#locked-out")
    submit_login(page, live_server, PASSWORD)
    page.wait_for_selector("#locked-out")
    text = page.inner_text("#locked-out")
    assert "Too many failed logins" in text and "Try again in 15 minutes" in text
    assert page.locator("table.clients").count() == 0
    screenshot("account-locked-out")


def test_a_member_changes_the_password_and_logs_in_with_the_new_one(page, live_server, member, screenshot):
    log_in(page, live_server, PASSWORD)
    page.click(".account >> text=Change password")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    screenshot("account-change-password")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Password changed')")
    log_out(page)
    submit_login(page, live_server, PASSWORD)
    assert "did not match" in page.inner_text("main")
    log_in(page, live_server, NEW_PASSWORD)


def test_a_member_resets_a_forgotten_password_through_the_mailed_link(page, live_server, member, screenshot):
    page.goto(f"{live_server.url}/login/")
    page.click("text=Forgot your password?")
    page.fill("#id_email", "dana@example.com")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Check your e-mail')")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.com"]
    link = re.search(r"https?://\S+/account/reset/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    screenshot("account-reset-new-password")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Password set')")
    page.click("main >> text=Log in")
    page.fill("#id_username", "dana")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table.clients")
    page.goto(link)  # the link worked once
    assert "This link cannot be used" in page.inner_text("main")


def test_the_policy_refuses_a_script_slipped_into_a_page(page, live_server, member):
    log_in(page, live_server, PASSWORD)
    ran = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener("securitypolicyviolation", e => resolve({ran: !!window.slipped, directive: e.effectiveDirective}));
            const script = document.createElement("script");
            script.textContent = "window.slipped = true";
            document.body.appendChild(script);
        })"""
    )
    assert ran == {"ran": False, "directive": "script-src-elem"}
    assert any("Content Security Policy" in problem for problem in page.browser_problems)
    page.browser_problems.clear()  # provoked on purpose


def test_the_language_menu_still_switches_without_inline_handlers(page, live_server, member):
    log_in(page, live_server, PASSWORD)
    page.select_option("#language", "pl")
    page.click("#language-submit")
    page.wait_for_selector("html[lang=pl]")
