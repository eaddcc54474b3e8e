"""Logging in, locked out, changing and resetting a password, how long a login lasts, and the headers
that keep a member's pages private (docs/configuration.md, docs/deployment.md)."""

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from parting.cases.models import OffboardingCase
from parting.cases.services import case_review
from parting.web.middleware import client_ip_address
from tests.conftest import submitted_case
from tests.factories import MembershipFactory
from tests.letters.conftest import prepare

RIGHT = "correct horse battery staple"  # the factories' password
LIMIT = settings.AXES_FAILURE_LIMIT
ROOT = Path(__file__).resolve().parents[2]


def log_in(client, username, password, address="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="192.0.2.10") -> list[int]:
    """Wrong passwords; the status of each answer: the form again (200), or at the limit the lockout (429)."""
    return [log_in(client, username, "wrong guess", address).status_code for _ in range(times)]


def logged_in(client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


@pytest.fixture
def member(db):
    return MembershipFactory(user__username="olga", user__email="olga@example.com")


@pytest.fixture
def other_firms_member(db):
    return MembershipFactory(user__username="piotr", user__email="piotr@example.com")


# Lockout -----------------------------------------------------------------------------------------


def test_the_default_limit_is_five_failures_and_a_quarter_hour():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_one_failure_fewer_than_the_limit_still_lets_the_right_password_in(client, member):
    assert fail(client, "olga", LIMIT - 1) == [200] * (LIMIT - 1)
    response = log_in(client, "olga", RIGHT)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert logged_in(client)


def test_at_the_limit_even_the_right_password_gets_the_lockout_page(client, member):
    assert fail(client, "olga", LIMIT) == [200] * (LIMIT - 1) + [429]
    response = log_in(client, "olga", RIGHT)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page and f"after {LIMIT} wrong passwords" in page
    assert "Try again in 15 minutes" in page
    assert not logged_in(client)


def test_an_account_is_locked_when_the_guesses_come_from_many_addresses(client, member):
    statuses = [log_in(client, "olga", "wrong guess", address=f"198.51.100.{n + 1}").status_code for n in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]
    assert log_in(client, "olga", RIGHT, address="203.0.113.99").status_code == 429


def test_an_address_is_locked_when_it_guesses_at_many_accounts(client, member, other_firms_member):
    statuses = [log_in(client, f"someone{n}", "wrong guess", address="198.51.100.7").status_code for n in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]
    assert log_in(client, "olga", RIGHT, address="198.51.100.7").status_code == 429
    assert log_in(client, "olga", RIGHT, address="203.0.113.5").status_code == 302


def test_another_firms_member_logs_in_while_one_account_is_locked(client, member, other_firms_member):
    fail(client, "olga", LIMIT, address="198.51.100.7")
    assert log_in(client, "olga", RIGHT, address="198.51.100.7").status_code == 429
    assert log_in(client, "piotr", RIGHT, address="203.0.113.5").status_code == 302


def test_the_lockout_ends_after_the_cool_off_time_without_failures(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        fail(client, "olga", LIMIT)
        traveller.shift(settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1))
        assert log_in(client, "olga", RIGHT).status_code == 429  # and the wait starts again
        traveller.shift(settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1))
        assert log_in(client, "olga", RIGHT).status_code == 429
        traveller.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
        assert log_in(client, "olga", RIGHT).status_code == 302


def test_the_lockout_page_is_in_the_browsers_language(client, member):
    fail(client, "olga", LIMIT)
    response = client.post(
        reverse("login"), {"username": "olga", "password": RIGHT}, REMOTE_ADDR="192.0.2.10", HTTP_ACCEPT_LANGUAGE="he"
    )
    assert response.status_code == 429
    assert '<html lang="he" dir="rtl">' in response.content.decode()


# The address failures are counted against ----------------------------------------------------------


def request_from(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/login/", **extra)


def test_without_a_proxy_a_forwarded_header_is_ignored():
    assert client_ip_address(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


@override_settings(BEHIND_PROXY=True, PARTING_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended():
    # Everything left of the proxy's entry came from the client and could be forged.
    assert client_ip_address(request_from("127.0.0.1", "10.9.9.9, 203.0.113.9")) == "203.0.113.9"
    assert client_ip_address(request_from("127.0.0.1", "203.0.113.9")) == "203.0.113.9"


@override_settings(BEHIND_PROXY=True, PARTING_PROXY_COUNT=2)
def test_behind_two_proxies_the_address_is_the_second_from_the_right():
    assert client_ip_address(request_from("127.0.0.1", "10.9.9.9, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


@override_settings(BEHIND_PROXY=True, PARTING_PROXY_COUNT=1)
@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", " , "])
def test_behind_a_proxy_a_missing_or_garbled_header_falls_back_to_the_peer(forwarded):
    assert client_ip_address(request_from("127.0.0.1", forwarded)) == "127.0.0.1"


@override_settings(BEHIND_PROXY=True, PARTING_PROXY_COUNT=1)
def test_behind_a_proxy_forging_the_left_of_the_header_does_not_escape_the_lockout(client, member):
    for n in range(LIMIT):
        client.post(
            reverse("login"),
            {"username": f"someone{n}", "password": "wrong guess"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.7",
        )
    forged = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.1.1.1, 198.51.100.7"}
    assert client.post(reverse("login"), {"username": "olga", "password": RIGHT}, **forged).status_code == 429
    other = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert client.post(reverse("login"), {"username": "olga", "password": RIGHT}, **other).status_code == 302


# How long a login lasts --------------------------------------------------------------------------


def test_a_login_lasts_twelve_hours_by_default(client, member):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        response = log_in(client, "olga", RIGHT)
        assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 12 * 3600
        traveller.shift(dt.timedelta(hours=11, minutes=59))
        assert client.get(reverse("cases")).status_code == 200
        traveller.shift(dt.timedelta(minutes=2))
        response = client.get(reverse("cases"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def settings_with(**env) -> dict:
    """The production settings module as a fresh process reads it with these variables."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("PARTING_", "DJANGO_"))}
    clean.update(env)
    code = (
        "import json, parting.settings as s; print(json.dumps({'session': s.SESSION_COOKIE_AGE, "
        "'limit': s.AXES_FAILURE_LIMIT, 'cooloff': s.AXES_COOLOFF_TIME.total_seconds()}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, cwd=ROOT, check=False
    )
    return {"returncode": result.returncode, "stderr": result.stderr, **(json.loads(result.stdout or "{}"))}


def test_the_variables_set_session_hours_failure_limit_and_cool_off(tmp_path):
    read = settings_with(
        PARTING_DATA_DIR=str(tmp_path),
        PARTING_SESSION_HOURS="2",
        PARTING_LOGIN_FAILURE_LIMIT="3",
        PARTING_LOGIN_COOLOFF_MINUTES="45",
    )
    assert (read["session"], read["limit"], read["cooloff"]) == (7200, 3, 2700.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [("PARTING_SESSION_HOURS", "0"), ("PARTING_LOGIN_FAILURE_LIMIT", "0"), ("PARTING_LOGIN_COOLOFF_MINUTES", "x")],
)
def test_a_value_that_would_disable_protection_is_refused_at_start(tmp_path, name, value):
    read = settings_with(PARTING_DATA_DIR=str(tmp_path), **{name: value})
    assert read["returncode"] != 0 and f"{name}={value!r}" in read["stderr"]


# Changing the password ---------------------------------------------------------------------------


def test_the_top_menu_links_to_changing_the_password(client, member):
    client.force_login(member.user)
    assert f'href="{reverse("password_change")}"' in client.get(reverse("dashboard")).content.decode()


def test_changing_the_password_needs_a_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_member_changes_the_password_and_logs_in_with_the_new_one(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": RIGHT, "new_password1": "a brand new long phrase", "new_password2": "a brand new long phrase"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert logged_in(client)  # this browser stays logged in
    assert "Password changed" in client.get(reverse("password_change_done")).content.decode()
    client.post(reverse("logout"))
    assert log_in(client, "olga", RIGHT).status_code == 200
    assert log_in(client, "olga", "a brand new long phrase").status_code == 302


def test_changing_the_password_needs_the_current_one(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not it",
            "new_password1": "a brand new long phrase",
            "new_password2": "a brand new long phrase",
        },
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.check_password(RIGHT)


def test_firm_create_names_the_page_for_changing_the_password(db, tmp_path):
    out = io.StringIO()
    call_command("firm", "create", "--name", "New Firm", "--owner", "newowner", stdout=out)
    assert reverse("password_change") in out.getvalue()


# Resetting the password by e-mail ----------------------------------------------------------------


def test_the_login_page_links_to_resetting_the_password(client, db):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page and "Forgot your password?" in page


def ask_for_reset(client, email):
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/account/reset/[^\s]+/)", message.body).group(1)


def test_the_reset_mail_goes_from_the_default_sender_to_the_member_with_a_link(client, member):
    ask_for_reset(client, "olga@example.com")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL and message.to == ["olga@example.com"]
    assert message.subject == "Choosing a new password for testserver"
    assert "olga" in message.body and "http://testserver/account/reset/" in message.body


def test_an_unknown_address_gets_no_mail_and_the_same_answer(client, member):
    ask_for_reset(client, "nobody@example.com")
    assert mail.outbox == []


def test_the_reset_link_sets_a_new_password_once(client, member, other_firms_member):
    ask_for_reset(client, "olga@example.com")
    link = link_in(mail.outbox[0])
    form = client.get(link)
    assert form.status_code == 302  # Django moves the token out of the address bar
    page = client.get(form["Location"])
    assert 'name="new_password1"' in page.content.decode()
    done = client.post(
        form["Location"], {"new_password1": "a reset long phrase", "new_password2": "a reset long phrase"}
    )
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert log_in(client, "olga", "a reset long phrase").status_code == 302
    client.post(reverse("logout"))
    again = client.get(link, follow=True)
    assert "This link cannot be used" in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()
    other_firms_member.user.refresh_from_db()
    assert other_firms_member.user.check_password(RIGHT)  # nobody else's password moved


def test_a_reset_link_for_one_member_cannot_set_another_members_password(client, member, other_firms_member):
    ask_for_reset(client, "olga@example.com")
    link = link_in(mail.outbox[0])
    uid_of_olga = link.split("/")[3]
    ask_for_reset(client, "piotr@example.com")
    piotr_link = link_in(mail.outbox[1])
    uid_of_piotr = piotr_link.split("/")[3]
    forged = link.replace(uid_of_olga, uid_of_piotr)
    page = client.get(forged, follow=True).content.decode()
    assert "This link cannot be used" in page


# The language switch follows only local addresses ------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["abc", "//evil.example", "https://evil.example/", "javascript:alert(1)", "", "/\\evil.example", "http:/x"],
)
def test_the_language_switch_sends_anything_but_a_local_path_to_the_dashboard(client, member, target):
    client.force_login(member.user)
    response = client.post(reverse("language"), {"language": "pl", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    member.refresh_from_db()
    assert member.language == "pl"


def test_the_language_switch_returns_to_the_page_it_came_from(client, member):
    client.force_login(member.user)
    response = client.post(reverse("language"), {"language": "ro", "next": "/cases/?state=approved"})
    assert response.status_code == 302 and response["Location"] == "/cases/?state=approved"


# Headers that keep pages private -----------------------------------------------------------------


def test_a_members_page_may_not_be_cached(client, member):
    client.force_login(member.user)
    assert client.get(reverse("dashboard"))["Cache-Control"] == "private, no-store"


def test_a_letter_download_may_not_be_cached(client, team, client_in_trouble):
    customer, incident = client_in_trouble
    prepare(customer)
    case = submitted_case(customer, team["staff"], incident, outward_reason=OffboardingCase.OutwardReason.CAPACITY)
    case = case_review(case=case, by=team["partner"], decision="approve")
    client.force_login(team["staff"])
    letter_page = reverse("case_letter", args=[case.pk]) + "?lang=en"
    client.post(letter_page, {"action": "generate", "lang": "en", "after_call": "1"})
    response = client.get(reverse("letter_download", args=[case.pk, "en", "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"


def test_the_login_page_may_not_be_stored_either(client, db):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]


def test_static_files_keep_their_own_caching_for_a_member(client, member):
    client.force_login(member.user)
    response = client.get("/static/parting/parting.css")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def test_pages_carry_a_strict_content_security_policy(client, member):
    client.force_login(member.user)
    policy = client.get(reverse("dashboard"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_no_template_of_a_page_has_inline_script_handlers_or_styles():
    # letters/mail.html is an e-mail body, which no page shows; the policy does not apply to it.
    pages = [path for path in (ROOT / "src" / "parting").glob("*/templates/**/*.html") if path.name != "mail.html"]
    assert len(pages) > 20
    offenders = []
    for path in pages:
        html = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", html):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", html):
            offenders.append(f"{path.name}: on… handler")
        if re.search(r"\sstyle\s*=", html) or "<style" in html:
            offenders.append(f"{path.name}: inline style")
    assert offenders == []


def test_the_reset_mail_is_written_in_the_members_own_language(client, member, monkeypatch):
    member.language = "pl"
    member.save()
    written_in = []
    monkeypatch.setattr(
        PasswordResetForm, "send_mail", lambda *args, **kwargs: written_in.append(translation.get_language())
    )
    client.post(reverse("password_reset"), {"email": "olga@example.com"}, HTTP_ACCEPT_LANGUAGE="en")
    assert written_in == ["pl"]
