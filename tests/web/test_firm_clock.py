"""The firm's own clock: a time typed into a form is the firm's wall-clock time, pages show times
and dates on that clock, and dates name their month in every language (W2 depends on it)."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation

from parting.evidence.models import Message
from parting.signs.scoring import Scorer
from tests.factories import ClientFactory, MembershipFactory

UTC = dt.UTC
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# Summer time in Poland ended on Sunday 25 October 2026 (03:00 CEST → 02:00 CET).
NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def member(client, firm):
    membership = MembershipFactory(firm=firm)
    client.force_login(membership.user)
    return client


def log_message(member, acme, typed: str) -> Message:
    response = member.post(
        reverse("evidence_log", args=[acme.pk, "message"]),
        {"sent_at": typed, "channel": "email", "direction": "in", "summary": typed},
    )
    assert response.status_code == 302, text(response)
    return Message.objects.get(client=acme, summary=typed)


@time_machine.travel(NOW, tick=False)
def test_w2_times_typed_into_the_form_are_the_firms_wall_clock_on_both_sides_of_the_clock_change(member, firm):
    """Working hours 9–17, Monday to Friday, in Warsaw. Two messages inside the hours and two outside,
    typed in summer time and in winter time: W2 counts the two outside, not three."""
    acme = ClientFactory(firm=firm, name="Acme")
    inside_summer = log_message(member, acme, "2026-10-23T16:30")  # Friday, CEST (UTC+2)
    outside_summer = log_message(member, acme, "2026-10-23T08:30")  # before nine
    inside_winter = log_message(member, acme, "2026-10-26T16:30")  # Monday, CET (UTC+1)
    outside_winter = log_message(member, acme, "2026-10-26T17:30")  # after five

    assert inside_summer.sent_at == dt.datetime(2026, 10, 23, 14, 30, tzinfo=UTC)
    assert outside_summer.sent_at == dt.datetime(2026, 10, 23, 6, 30, tzinfo=UTC)
    assert inside_winter.sent_at == dt.datetime(2026, 10, 26, 15, 30, tzinfo=UTC)
    assert outside_winter.sent_at == dt.datetime(2026, 10, 26, 16, 30, tzinfo=UTC)

    w2 = Scorer(firm).score(client_ids=[acme.pk])[0].sign("W2")
    assert w2.value == 50.0  # 2 of 4 after hours


@time_machine.travel(NOW, tick=False)
def test_the_edit_form_shows_the_time_as_it_was_typed_on_the_firms_clock(member, firm):
    acme = ClientFactory(firm=firm, name="Acme")
    row = log_message(member, acme, "2026-07-14T17:30")
    assert row.sent_at == dt.datetime(2026, 7, 14, 15, 30, tzinfo=UTC)
    page = text(member.get(reverse("evidence_edit", args=[acme.pk, "message", row.pk])))
    assert 'value="2026-07-14T17:30"' in page


@time_machine.travel(NOW, tick=False)
def test_a_time_that_does_not_exist_on_the_firms_clock_is_a_field_error_not_a_crash(member, firm):
    acme = ClientFactory(firm=firm, name="Acme")
    # 29 March 2026: clocks in Warsaw jumped from 02:00 to 03:00, so 02:30 never happened there.
    response = member.post(
        reverse("evidence_log", args=[acme.pk, "message"]),
        {"sent_at": "2026-03-29T02:30", "channel": "email", "direction": "in"},
    )
    assert response.status_code == 200
    assert "couldn’t be interpreted in time zone Europe/Warsaw" in text(response)
    assert not Message.objects.filter(client=acme).exists()


@time_machine.travel(dt.datetime(2026, 12, 3, 23, 30, tzinfo=UTC), tick=False)
def test_pages_show_the_firms_date_and_time_not_utc(client, firm):
    """At 23:30 UTC it is already 4 December, 00:30, in Warsaw."""
    client.force_login(MembershipFactory(firm=firm).user)  # signed in at the travelled time
    member = client
    acme = ClientFactory(firm=firm, name="Acme")
    Message.objects.create(
        firm=firm, client=acme, sent_at=timezone.now(), channel="email", direction="in", summary="Late mail"
    )
    page = text(member.get(reverse("client_detail", args=[acme.pk])))
    assert "4 Dec 2026" in page
    assert "3 Dec 2026" not in page


def test_the_firm_clock_is_not_left_behind_for_the_next_request_or_the_tests(member, firm):
    member.get(reverse("dashboard"))
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "3 Dec 2026, 07:26"),
        ("ru", "3 декабря 2026, 07:26"),
        ("pl", "3 grudnia 2026, 07:26"),
        ("ro", "3 dec 2026, 07:26"),
        ("he", "3 בדצמבר 2026, 07:26"),
    ],
)
def test_dates_name_their_month_in_every_language_so_they_read_one_way(lang, expected):
    moment = dt.datetime(2026, 12, 3, 7, 26)
    with translation.override(lang):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == expected
        assert formats.date_format(moment, "DATETIME_FORMAT") == expected
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == expected.split(",")[0]


@time_machine.travel(NOW, tick=False)
def test_commands_work_on_the_firms_clock(firm, capsys):
    """`parting score` acts for the firm: times it reads or shows are on the firm's clock."""
    MembershipFactory(firm=firm, user__username="olga")
    ClientFactory(firm=firm, name="Acme")
    call_command("score", "--user", "olga")
    assert timezone.get_current_timezone_name() == "Europe/Warsaw"
    timezone.deactivate()
