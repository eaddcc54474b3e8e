"""O5, issue 13 §3: "the firm is warned 7 days before" a purge — by e-mail, once, to the people who can
postpone it. Each pass of the worker claims the purges now within seven days of the firm's calendar and
sends each active owner and partner one e-mail listing them, in the member's language, with the link to
postpone each with a reason."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from parting.audit.models import AuditEntry
from parting.retention import services
from parting.retention.models import PurgeSchedule
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# 20:00 UTC on 4 December is already 5 December in Auckland (UTC+13) and still 4 December in Los Angeles
# (UTC−8): the firm's calendar, not UTC's, decides which day is seven days before.
EVENING_UTC = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)
MORNING_UTC = dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC)


def senior(firm, role="owner", *, email, language="en", **extra):
    traits = {"partner": True} if role == "partner" else {"staff": True} if role == "staff" else {}
    return MembershipFactory(firm=firm, user__email=email, language=language, **traits, **extra)


def due(client, on: dt.date, category=PurgeSchedule.Category.PERSONAL) -> PurgeSchedule:
    return PurgeSchedule.objects.create(firm=client.firm, client=client, category=category, due_on=on)


def mails_to(address: str):
    return [message for message in mail.outbox if message.to == [address]]


def html_of(message) -> str:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return html


@pytest.mark.parametrize(
    ("time_zone", "now", "firm_today"),
    [
        ("Pacific/Auckland", EVENING_UTC, dt.date(2026, 12, 5)),  # the firm's day is after UTC's
        ("America/Los_Angeles", MORNING_UTC, dt.date(2026, 12, 4)),  # the firm's day is before UTC's
    ],
)
def test_o5_a_purge_seven_days_away_on_the_firms_calendar_is_mailed_one_eight_days_away_is_not(
    time_zone, now, firm_today
):
    firm = FirmFactory(time_zone=time_zone, name="Kowalski & Partners")
    owner = senior(firm, email="olga@kowalski.example")
    seven = ClientFactory(firm=firm, name="Seven Days Sp. z o.o.")
    eight = ClientFactory(firm=firm, name="Eight Days Ltd")
    row = due(seven, firm_today + dt.timedelta(days=7))
    due(eight, firm_today + dt.timedelta(days=8))

    assert services.warn_due(now=now) == 1

    [message] = mails_to(owner.user.email)
    assert "Seven Days Sp. z o.o." in message.body and "Seven Days Sp. z o.o." in html_of(message)
    assert "Eight Days Ltd" not in message.body + html_of(message)
    with translation.override("en"):
        day = date_format(firm_today + dt.timedelta(days=7))
    assert day in message.body  # the date as the project writes dates ("12 Dec 2026")
    assert "in 7 days" in message.body
    assert message.subject == "Kowalski & Partners: the data of 1 client will be deleted soon"
    row.refresh_from_db()
    assert row.warned_on == firm_today
    # A day later on the firm's calendar, the other purge is seven days away: its own e-mail, only it.
    mail.outbox.clear()
    assert services.warn_due(now=now + dt.timedelta(days=1)) == 1
    [message] = mails_to(owner.user.email)
    assert "Eight Days Ltd" in message.body and "Seven Days" not in message.body


def test_the_warning_links_to_postpone_each_purge_with_a_reason_and_to_the_purge_page(firm, settings):
    settings.PARTING_BASE_URL = "https://parting.kowalski.example"
    owner = senior(firm, email="olga@kowalski.example")
    client = ClientFactory(firm=firm, name="Linked Sp. z o.o.")
    in_a_week = firm.today() + dt.timedelta(days=7)
    due(client, in_a_week)
    due(client, in_a_week, PurgeSchedule.Category.PROVIDED)

    services.warn_due()

    [message] = mails_to(owner.user.email)
    postpone = "https://parting.kowalski.example" + reverse("purge_postpone", args=[client.pk])
    page = "https://parting.kowalski.example" + reverse("retention")
    for body in (message.body, html_of(message)):
        assert f"{postpone}?category=personal" in body and f"{postpone}?category=provided" in body
        assert page in body
    assert "Personal data" in message.body and "Documents provided by the client" in message.body
    assert message.subject.endswith("the data of 1 client will be deleted soon")  # one client, two purges


def test_o5_a_second_pass_sends_nothing_and_a_postponed_purge_is_warned_again_before_its_new_date(firm):
    owner = senior(firm, email="olga@kowalski.example")
    client = ClientFactory(firm=firm, name="Twice Ltd")
    row = due(client, firm.today() + dt.timedelta(days=7))

    assert services.warn_due() == 1
    assert services.warn_due() == 0
    assert len(mails_to(owner.user.email)) == 1
    assert AuditEntry.objects.filter(firm=firm, action="retention.warned").count() == 1

    services.postpone(schedule=row, by=owner.user, to_date=firm.today() + dt.timedelta(days=9), reason="Tax audit")
    assert services.warn_due() == 0  # nine days away now: not yet
    later = dt.datetime.combine(firm.today() + dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC)
    assert services.warn_due(now=later) == 1
    assert len(mails_to(owner.user.email)) == 2


def test_only_active_owners_and_partners_with_an_address_are_mailed_not_staff_nor_deactivated_partners(firm):
    owner = senior(firm, email="olga@kowalski.example")
    partner = senior(firm, "partner", email="piotr@kowalski.example")
    senior(firm, "staff", email="ana@kowalski.example")
    senior(firm, "partner", email="left@kowalski.example", is_active=False)  # membership deactivated
    gone = senior(firm, "partner", email="disabled@kowalski.example")
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    senior(firm, "partner", email="")  # no address to send to
    due(ClientFactory(firm=firm, name="Recipients Ltd"), firm.today() + dt.timedelta(days=3))

    services.warn_due()

    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [owner.user.email, partner.user.email]
    )


def test_another_firms_purges_are_not_in_this_firms_warning(firm):
    owner = senior(firm, email="olga@kowalski.example")
    other_firm = FirmFactory(name="Nowak Accounting")
    other_owner = senior(other_firm, email="jan@nowak.example")
    due(ClientFactory(firm=firm, name="Ours Sp. z o.o."), firm.today() + dt.timedelta(days=5))
    due(ClientFactory(firm=other_firm, name="Theirs Ltd"), other_firm.today() + dt.timedelta(days=5))

    assert services.warn_due() == 2

    [ours] = mails_to(owner.user.email)
    [theirs] = mails_to(other_owner.user.email)
    assert "Ours Sp. z o.o." in ours.body and "Theirs Ltd" not in ours.body + html_of(ours)
    assert "Theirs Ltd" in theirs.body and "Ours Sp. z o.o." not in theirs.body + html_of(theirs)
    assert "Nowak Accounting" in theirs.subject and "Nowak Accounting" not in ours.subject


def test_each_member_reads_the_warning_in_their_own_language(firm):
    english = senior(firm, email="olga@kowalski.example", language="en")
    polish = senior(firm, "partner", email="piotr@kowalski.example", language="pl")
    on = firm.today() + dt.timedelta(days=7)
    due(ClientFactory(firm=firm, name="Język Sp. z o.o."), on)

    services.warn_due()

    [en] = mails_to(english.user.email)
    [pl] = mails_to(polish.user.email)
    assert (en.extra_headers["Content-Language"], pl.extra_headers["Content-Language"]) == ("en", "pl")
    assert 'lang="pl"' in html_of(pl) and 'lang="en"' in html_of(en)
    with translation.override("pl"):
        category, day = str(PurgeSchedule.Category.PERSONAL.label), date_format(on)
    with translation.override("en"):
        english_category, english_day = str(PurgeSchedule.Category.PERSONAL.label), date_format(on)
    assert (category, day) != (english_category, english_day)  # "Dane osobowe", "12 grudnia 2026"
    assert category in pl.body and day in pl.body and day in html_of(pl)
    assert english_category not in pl.body and english_day not in pl.body
    assert english_category in en.body and english_day in en.body


def test_a_warning_that_cannot_be_sent_is_logged_and_stays_on_the_purge_page_not_sent_twice(firm, caplog):
    """The chosen rule: a failed sending leaves the rows claimed with their audit entries (the page shows
    them), is logged, and does not stop the other members' e-mails; the next pass does not mail again."""
    owner = senior(firm, email="olga@kowalski.example")
    partner = senior(firm, "partner", email="piotr@kowalski.example")
    row = due(ClientFactory(firm=firm, name="Unsent Ltd"), firm.today() + dt.timedelta(days=7))
    real_send = mail.EmailMultiAlternatives.send

    def refuse_olga(message, *args, **kwargs):
        if message.to == [owner.user.email]:
            raise OSError("mail server refused the address")
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(mail.EmailMultiAlternatives, "send", refuse_olga),
        caplog.at_level(logging.ERROR, logger="parting.retention"),
    ):
        assert services.warn_due() == 1

    assert mails_to(owner.user.email) == [] and len(mails_to(partner.user.email)) == 1
    failure = [record for record in caplog.records if "not sent" in record.getMessage()]
    assert failure and str(row.pk) in failure[0].getMessage() and failure[0].exc_info
    row.refresh_from_db()
    assert row.warned_on == firm.today()
    assert AuditEntry.objects.filter(firm=firm, action="retention.warned", target=f"client:{row.client_id}").exists()
    assert services.warn_due() == 0 and len(mail.outbox) == 1  # no second e-mail to the partner


def test_a_firm_with_nobody_to_mail_is_still_warned_on_the_purge_page(firm, caplog):
    senior(firm, "staff", email="ana@kowalski.example")
    row = due(ClientFactory(firm=firm, name="Nobody Ltd"), firm.today() + dt.timedelta(days=7))
    with caplog.at_level(logging.WARNING, logger="parting.retention"):
        assert services.warn_due() == 1
    assert mail.outbox == []
    assert any("no active owner or partner" in record.getMessage() for record in caplog.records)
    row.refresh_from_db()
    assert row.warned_on == firm.today()
