"""Alert digests (issue 12 §3): owners and partners get one e-mail per period — daily or weekly, their
choice — in their language, listing each alert with its client and a link; no alerts, no e-mail;
staff never; and two workers never send a period twice."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from parting.core import jobs
from parting.scores import alerts
from parting.scores.models import Alert, AlertSettings, Digest
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# A Monday and a Wednesday, 08:00 in Warsaw: after the digest hour (07:00) of the firm's day.
MONDAY = dt.datetime(2026, 12, 7, 8, 0, tzinfo=WARSAW)
WEDNESDAY = dt.datetime(2026, 12, 9, 8, 0, tzinfo=WARSAW)


def alert(client, day: dt.date, kind=Alert.Kind.CONSIDER_PARTING, subject="", detail=None) -> Alert:
    return Alert.objects.create(
        firm_id=client.firm_id,
        client=client,
        day=day,
        kind=kind,
        subject=subject,
        detail=detail if detail is not None else {"score": 40, "before": "talk_first"},
        created_at=timezone.now(),
    )


def member(firm, *, frequency=None, language="en", **kwargs):
    membership = MembershipFactory(
        firm=firm, language=language, user__email=f"{kwargs.pop('name', 'olga')}@example.com", **kwargs
    )
    if frequency is not None:
        AlertSettings.objects.create(membership=membership, frequency=frequency)
    return membership


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PARTING_BASE_URL = "https://parting.example.com"


@pytest.mark.django_db
def test_a_daily_digest_lists_yesterdays_alerts_with_client_what_crossed_and_a_link(firm, acme):
    owner = member(firm)
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    alert(acme, MONDAY.date() - dt.timedelta(days=1), Alert.Kind.POOR_SIGN, "W7", {"value": 45.0})
    assert alerts.send_digests(now=MONDAY) == "1 alert digests sent"
    [message] = mail.outbox
    assert message.to == [owner.user.email]
    assert message.subject == f"2 client alerts at {firm.name}"
    assert f"https://parting.example.com/clients/{acme.pk}/" in message.body
    assert "Acme: The advice is now “Consider parting” (fit score 40)" in message.body
    assert "Acme: W7 Payment trouble is now poor" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'lang="en"' in html


@pytest.mark.django_db
def test_a_digest_of_many_alerts_lists_the_first_hundred_and_counts_the_rest(firm, monkeypatch):
    monkeypatch.setattr(alerts, "DIGEST_MAX_ITEMS", 3)
    member(firm)
    for n in range(5):
        alert(ClientFactory(firm=firm, name=f"Client {n}"), MONDAY.date() - dt.timedelta(days=1))
    alerts.send_digests(now=MONDAY)
    [message] = mail.outbox
    assert message.subject.startswith("5 client alerts")
    assert message.body.count("/clients/") == 3 and "… and 2 more alerts on the dashboard." in message.body


@pytest.mark.django_db
def test_a_digest_is_sent_once_per_period_however_often_the_job_runs(firm, acme):
    member(firm)
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    alerts.send_digests(now=MONDAY)
    alerts.send_digests(now=MONDAY + dt.timedelta(hours=3))
    assert len(mail.outbox) == 1
    alert(acme, MONDAY.date(), Alert.Kind.POOR_SIGN, "W7")
    alerts.send_digests(now=MONDAY + dt.timedelta(days=1))  # the next day: the next period
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_nothing_is_sent_before_the_digest_hour_of_the_firms_day(firm, acme):
    member(firm)
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    just_before = MONDAY.replace(hour=alerts.DIGEST_HOUR - 1, minute=59)
    assert alerts.send_digests(now=just_before) == "0 alert digests sent"
    assert alerts.send_digests(now=MONDAY.replace(hour=alerts.DIGEST_HOUR, minute=0)) == "1 alert digests sent"


@pytest.mark.django_db
def test_the_digest_hour_is_the_firms_hour_not_utcs(acme):
    """06:30 UTC on a Monday in December is 07:30 in Warsaw (due there) and 06:30 in a UTC firm (not yet)."""
    moment = dt.datetime(2026, 12, 7, 6, 30, tzinfo=dt.UTC)
    member(acme.firm)
    alert(acme, dt.date(2026, 12, 6))
    utc_firm = FirmFactory(time_zone="UTC")
    member(utc_firm, name="uma")
    alert(ClientFactory(firm=utc_firm, name="Zulu"), dt.date(2026, 12, 6))
    alerts.send_digests(now=moment)
    assert [m.to for m in mail.outbox] == [["olga@example.com"]]
    alerts.send_digests(now=moment + dt.timedelta(hours=1))
    assert [m.to for m in mail.outbox] == [["olga@example.com"], ["uma@example.com"]]


@pytest.mark.django_db
def test_a_polish_member_gets_the_digest_in_polish_and_an_english_member_in_english(firm, acme):
    member(firm, language="pl", name="pola")
    member(firm, language="en", name="olga", partner=True)
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    alerts.send_digests(now=MONDAY)
    by_address = {m.to[0]: m for m in mail.outbox}
    polish, english = by_address["pola@example.com"], by_address["olga@example.com"]
    assert "6 grudnia 2026" in polish.body and "6 Dec 2026" in english.body  # the member's date format
    assert polish.extra_headers["Content-Language"] == "pl"
    assert 'lang="pl"' in polish.alternatives[0][0]


@pytest.mark.django_db
def test_a_hebrew_digest_is_written_right_to_left(firm, acme):
    member(firm, language="he")
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    alerts.send_digests(now=MONDAY)
    assert 'dir="rtl"' in mail.outbox[0].alternatives[0][0]


@pytest.mark.django_db
def test_a_weekly_member_gets_nothing_on_a_wednesday_and_the_whole_last_week_on_monday(firm, acme):
    member(firm, frequency=AlertSettings.Frequency.WEEKLY)
    alert(acme, dt.date(2026, 11, 30), Alert.Kind.POOR_SIGN, "W7")  # Monday of the week before
    alert(acme, dt.date(2026, 12, 6))  # its Sunday
    alert(acme, dt.date(2026, 11, 29), Alert.Kind.POOR_SIGN, "W2")  # the week before that: not in it
    alerts.send_digests(now=WEDNESDAY - dt.timedelta(days=7))  # Wednesday 2 December
    assert mail.outbox == []
    alerts.send_digests(now=MONDAY)
    [message] = mail.outbox
    assert message.subject.startswith("2 client alerts")


@pytest.mark.django_db
def test_a_member_who_chose_no_digest_gets_none(firm, acme):
    member(firm, frequency=AlertSettings.Frequency.OFF)
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    alerts.send_digests(now=MONDAY)
    assert mail.outbox == []


@pytest.mark.django_db
def test_staff_never_get_a_digest_whatever_their_choice(firm, acme):
    member(firm, staff=True, frequency=AlertSettings.Frequency.DAILY)
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    alerts.send_digests(now=MONDAY)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_member_with_no_alerts_in_the_period_gets_no_e_mail(firm, acme):
    member(firm)
    alert(acme, MONDAY.date() - dt.timedelta(days=2))  # the day before yesterday: an earlier period
    alerts.send_digests(now=MONDAY)
    assert mail.outbox == []
    assert not Digest.objects.exists()


@pytest.mark.django_db
def test_another_firms_alerts_never_appear_in_a_digest(firm, acme):
    member(firm)
    other = FirmFactory(name="Elsewhere Ltd")
    member(other, name="ewa")
    alert(ClientFactory(firm=other, name="Secret Client"), MONDAY.date() - dt.timedelta(days=1))
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    alerts.send_digests(now=MONDAY)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Secret Client" not in by_address["olga@example.com"].body
    assert "Acme" not in by_address["ewa@example.com"].body


@pytest.mark.django_db
def test_a_failed_sending_releases_the_claim_and_the_next_pass_sends_it(firm, acme, monkeypatch):
    member(firm)
    alert(acme, MONDAY.date() - dt.timedelta(days=1))

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        assert alerts.send_digests(now=MONDAY) == "0 alert digests sent, 1 failed"
    assert not Digest.objects.exists()
    assert alerts.send_digests(now=MONDAY + dt.timedelta(minutes=5)) == "1 alert digests sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_claim_left_by_a_worker_that_died_is_taken_again_after_the_lease(firm, acme):
    owner = member(firm)
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    yesterday = MONDAY.date() - dt.timedelta(days=1)
    Digest.objects.create(membership=owner, frequency="daily", period_start=yesterday, claimed_at=MONDAY)
    alerts.send_digests(now=MONDAY + alerts.DIGEST_LEASE - dt.timedelta(seconds=1))
    assert mail.outbox == []  # the claim may still be sending
    alerts.send_digests(now=MONDAY + alerts.DIGEST_LEASE + dt.timedelta(seconds=1))
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_worker_runs_the_digest_job():
    assert "send_alert_digests" in [job.name for job in jobs.JOBS]
    assert any(line.startswith("send_alert_digests: ") for line in jobs.run_due_jobs())


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_one_digest():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("real threads need a file database (tests/settings.py sets one)")
    firm = FirmFactory()
    member(firm)
    acme = ClientFactory(firm=firm, name="Acme")
    alert(acme, MONDAY.date() - dt.timedelta(days=1))
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = alerts.send_digests(now=MONDAY)
        except Exception as error:  # reported by the assertion below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(map(str, results)) == ["0 alert digests sent", "1 alert digests sent"], results
    assert len(mail.outbox) == 1
    assert Digest.objects.get().sent_at is not None
