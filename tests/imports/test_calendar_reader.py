"""The iCalendar reader (issue 10 §2): Google, Outlook and Apple exports, recurrences with their
exceptions, cancellations and their notice (W4), no-shows (W4), time zones and broken files.

The clock is frozen at NOW (2026-06-01 09:00 UTC) for every test: what is past and the one-year window
depend on it. No database is needed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
from pathlib import Path

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parting.clients.models import Client
from parting.evidence.models import Meeting
from parting.imports.problems import FileUnreadable, Problems
from parting.imports.readers import calendar
from parting.imports.records import MeetingRecord, MeetingStatus, ReadOptions
from parting.imports.services import run_import
from parting.signs.sql import SHORT_NOTICE_SECONDS

SAMPLES = Path(__file__).parent / "samples" / "calendar"
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
UTC = dt.UTC
FIRM = ReadOptions(time_zone="Europe/Warsaw", own_domains=frozenset({"kowalska-partners.pl", "marin-consult.ro"}))
WEEKLY = "5m3q8v1rj2c7o0kq9e4hdt6u1s@google.com"

HELD = MeetingStatus.HELD
BY_CLIENT = MeetingStatus.CANCELLED_BY_CLIENT
BY_US = MeetingStatus.CANCELLED_BY_US
NO_SHOW = MeetingStatus.NO_SHOW


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def read_bytes(
    data: bytes, options: ReadOptions = FIRM, name: str = "test.ics"
) -> tuple[list[MeetingRecord], Problems]:
    problems = Problems()
    records = list(calendar.read(io.BytesIO(data), name, options, problems))
    return records, problems


def read_sample(file: str, options: ReadOptions = FIRM) -> tuple[list[MeetingRecord], Problems]:
    return read_bytes((SAMPLES / file).read_bytes(), options, file)


def ics(*events: str, header: str = "") -> bytes:
    """A calendar around the given VEVENT bodies (lines without BEGIN/END:VEVENT)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Parting tests//EN"]
    lines += [line for line in header.strip().splitlines() if line.strip()]
    for body in events:
        lines += ["BEGIN:VEVENT", *[line.strip() for line in body.strip().splitlines()], "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def by_key(records: list[MeetingRecord]) -> dict[str, MeetingRecord]:
    return {r.key: r for r in records}


def notice(record: MeetingRecord) -> float:
    return (record.starts_at - record.cancelled_at).total_seconds()


# --- Google Calendar export: the weekly meeting across the spring clock change -------------------


def test_google_export_reads_without_problems():
    records, problems = read_sample("google_export.ics")
    assert not problems, problems.summary()
    assert all(r.starts_at.tzinfo is not None and r.ends_at >= r.starts_at for r in records)


def test_weekly_meeting_stays_at_ten_warsaw_time_across_the_march_clock_change():
    weekly = [r for r in read_sample("google_export.ics")[0] if r.key.startswith(WEEKLY)]
    starts = {r.key.split("|")[1]: r.starts_at for r in weekly}
    # 10:00 in Warsaw is 09:00 UTC before 29 March 2026 and 08:00 UTC after.
    assert starts["2026-03-23T09:00:00Z"] == dt.datetime(2026, 3, 23, 9, tzinfo=UTC)
    assert starts["2026-03-30T08:00:00Z"] == dt.datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert starts["2026-04-20T08:00:00Z"] == dt.datetime(2026, 4, 20, 8, tzinfo=UTC)
    assert all(r.ends_at - r.starts_at == dt.timedelta(hours=1) for r in weekly)


def test_exdate_removes_an_occurrence_it_is_not_a_cancellation():
    keys = by_key(read_sample("google_export.ics")[0])
    # COUNT=8 from 9 March: 9, 16, 23, 30 March, 6, 13, 20, 27 April; 6 April (Easter Monday) is EXDATE'd.
    weekly = sorted(k for k in keys if k.startswith(WEEKLY))
    assert len(weekly) == 7
    assert f"{WEEKLY}|2026-04-06T08:00:00Z" not in keys


def test_occurrence_cancelled_overnight_by_the_client_is_a_short_notice_cancellation_W4():
    record = by_key(read_sample("google_export.ics")[0])[f"{WEEKLY}|2026-03-30T08:00:00Z"]
    assert record.status == BY_CLIENT  # the client's attendee had declined the occurrence
    assert record.cancelled_at == dt.datetime(2026, 3, 29, 18, 30, tzinfo=UTC)  # its LAST-MODIFIED
    assert notice(record) == 13.5 * 3600 < SHORT_NOTICE_SECONDS
    assert record.declined == ("jonas.weber@nordwind.de",)
    assert record.source.line == 53  # the override's BEGIN:VEVENT


def test_moved_occurrence_keeps_its_original_key_and_takes_its_new_time():
    record = by_key(read_sample("google_export.ics")[0])[f"{WEEKLY}|2026-04-13T08:00:00Z"]
    assert record.starts_at == dt.datetime(2026, 4, 14, 13, tzinfo=UTC)  # 15:00 in Warsaw the next day
    assert record.status == HELD
    assert record.subject == "Weekly status – Nordwind GmbH (przeniesione)"


def test_client_declining_ten_days_before_cancels_with_enough_notice_W4():
    record = by_key(read_sample("google_export.ics")[0])[f"{WEEKLY}|2026-04-20T08:00:00Z"]
    assert record.status == BY_CLIENT
    assert notice(record) >= SHORT_NOTICE_SECONDS


def test_no_show_written_in_the_subject_of_a_past_occurrence_W4():
    record = by_key(read_sample("google_export.ics")[0])[f"{WEEKLY}|2026-04-27T08:00:00Z"]
    assert record.status == NO_SHOW
    assert record.cancelled_at is None


def test_meeting_the_client_organised_and_cancelled_two_hours_before_W4():
    record = by_key(read_sample("google_export.ics")[0])["7kd0l2s9v1u3q8p4b6n5m0c2ha@google.com"]
    assert record.status == BY_CLIENT
    assert record.organizer == "jonas.weber@nordwind.de"
    assert notice(record) == 1 * 3600 + 58 * 60
    assert record.client.emails == ("jonas.weber@nordwind.de", "k.vogel@nordwind.de")


def test_firm_addresses_rooms_and_google_calendar_addresses_are_not_the_client():
    record = by_key(read_sample("google_export.ics")[0])[f"{WEEKLY}|2026-03-09T09:00:00Z"]
    assert record.client.emails == ("jonas.weber@nordwind.de",)
    assert record.organizer == "anna@kowalska-partners.pl"
    assert "c_1889a7k2g4fj8h3lq2m5n6o7p8@resource.calendar.google.com" not in record.attendees
    assert set(record.attendees) == {
        "anna@kowalska-partners.pl",
        "jonas.weber@nordwind.de",
        "piotr@kowalska-partners.pl",
    }


def test_google_calendar_named_after_an_address_makes_that_address_the_firms():
    records, _ = read_sample("google_export.ics", ReadOptions(time_zone="Europe/Warsaw"))
    record = by_key(records)[f"{WEEKLY}|2026-03-09T09:00:00Z"]
    # Without own domains, X-WR-CALNAME (anna@…) still tells the firm's side; Piotr is unknown.
    assert record.client.emails == ("jonas.weber@nordwind.de", "piotr@kowalska-partners.pl")


def test_all_day_event_is_kept_as_all_day_from_local_midnight():
    record = by_key(read_sample("google_export.ics")[0])["2b7f6qkq9c3h1v0j5m8r4t2n1d@google.com"]
    assert record.all_day
    assert record.starts_at == dt.datetime(2026, 4, 29, 22, tzinfo=UTC)  # 30 April 00:00 in Warsaw
    assert record.ends_at == dt.datetime(2026, 4, 30, 22, tzinfo=UTC)


def test_event_with_no_one_from_the_client_gives_an_empty_client_and_its_subject():
    record = by_key(read_sample("google_export.ics")[0])["0q1w2e3r4t5y6u7i8o9p0a1s2d@google.com"]
    assert not record.client
    assert record.subject == "Lunch – Orbis Sp. z o.o."
    assert record.status == HELD


def test_rule_without_an_end_stops_one_year_after_today():
    monthly = [r for r in read_sample("google_export.ics")[0] if r.key.startswith("3h9g8f7e6d5c4b3a2z1y0x9w8v@")]
    assert monthly[0].starts_at == dt.datetime(2025, 1, 7, 8, tzinfo=UTC)
    assert monthly[-1].starts_at == dt.datetime(2027, 6, 1, 7, tzinfo=UTC)  # first Tuesday, before NOW + 1 year
    assert len(monthly) == 30
    assert all(r.starts_at <= NOW + dt.timedelta(days=365) for r in monthly)


def test_keys_stay_the_same_when_the_calendar_is_exported_again_weeks_later():
    first = {r.key for r in read_sample("google_export.ics")[0]}
    again = (
        (SAMPLES / "google_export.ics").read_bytes().replace(b"DTSTAMP:20260601T081512Z", b"DTSTAMP:20260701T070000Z")
    )
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        second = {r.key for r in read_bytes(again)[0]}
    assert first <= second
    assert second - first == {"3h9g8f7e6d5c4b3a2z1y0x9w8v@google.com|2027-07-06T07:00:00Z"}


# --- Outlook / Exchange export ---------------------------------------------------------------------


def test_outlook_export_reads_windows_zone_names():
    records, problems = read_sample("outlook_export.ics")
    assert not problems, problems.summary()
    series = sorted(r.starts_at for r in records if r.key.startswith("040000008200E00074C5B7101A82E00800000000B0E5"))
    # Every other Tuesday 09:00 "Central European Standard Time"; 13 October is EXDATE'd; the clocks go
    # back on 25 October, so 27 October is 08:00 UTC.
    assert series == [
        dt.datetime(2026, 9, 15, 7, tzinfo=UTC),
        dt.datetime(2026, 9, 29, 7, tzinfo=UTC),
        dt.datetime(2026, 10, 27, 8, tzinfo=UTC),
    ]


def test_outlook_canceled_meeting_from_the_client_in_a_private_time_zone_W4():
    record = next(r for r in read_sample("outlook_export.ics")[0] if r.subject.startswith("Canceled:"))
    assert record.starts_at == dt.datetime(2026, 5, 18, 11, tzinfo=UTC)  # 14:00 at UTC+3 ("Customized Time Zone")
    assert record.status == BY_CLIENT
    assert record.client.emails == ("elena.popescu@carpatia-logistics.ro",)
    assert notice(record) < SHORT_NOTICE_SECONDS


def test_outlook_subject_prefix_alone_marks_a_cancellation():
    data = ics(
        """UID:o-1
        DTSTART:20260520T100000Z
        DTEND:20260520T110000Z
        ORGANIZER:mailto:client@acme.example
        SUMMARY:Canceled: Quarterly review"""
    )
    assert read_bytes(data)[0][0].status == BY_CLIENT


@pytest.mark.parametrize("prefix", ["Cancelado", "Cancelada", "Anulowano", "Abgesagt"])
def test_outlook_subject_prefix_in_the_organizers_language_marks_a_cancellation_W4(prefix):
    """A Spanish or Portuguese Outlook writes "Cancelado:" / "Cancelada:" where an English one writes
    "Canceled:", and keeps STATUS:CONFIRMED on the attendee's copy."""
    data = ics(
        f"""UID:o-2
        DTSTART:20260520T100000Z
        DTEND:20260520T110000Z
        STATUS:CONFIRMED
        ORGANIZER:mailto:client@acme.example
        SUMMARY:{prefix}: Revisión mensual"""
    )
    assert read_bytes(data)[0][0].status == BY_CLIENT


def test_a_subject_that_only_starts_with_such_a_word_is_no_cancellation():
    data = ics(
        """UID:o-3
        DTSTART:20260520T100000Z
        DTEND:20260520T110000Z
        ORGANIZER:mailto:client@acme.example
        SUMMARY:Cancelado el pedido 12 - revisión"""
    )
    assert read_bytes(data)[0][0].status != BY_CLIENT


def test_two_files_defining_the_same_private_zone_differently_keep_their_own_rules():
    def zone(offset: str) -> str:
        return f"""BEGIN:VTIMEZONE
TZID:Customized Time Zone
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:{offset}
TZOFFSETTO:{offset}
END:STANDARD
END:VTIMEZONE"""

    def file(offset: str) -> bytes:
        body = "UID:z\r\nDTSTART;TZID=Customized Time Zone:20260520T120000\r\nDTEND;TZID=Customized Time Zone:20260520T130000"
        return ics(body).replace(b"BEGIN:VEVENT", zone(offset).replace("\n", "\r\n").encode() + b"\r\nBEGIN:VEVENT", 1)

    first = read_bytes(file("+0500"))[0][0]
    second = read_bytes(file("-0300"))[0][0]
    assert first.starts_at == dt.datetime(2026, 5, 20, 7, tzinfo=UTC)
    assert second.starts_at == dt.datetime(2026, 5, 20, 15, tzinfo=UTC)


def test_outlook_all_day_event_is_all_day():
    record = next(r for r in read_sample("outlook_export.ics")[0] if r.subject == "Urlop")
    assert record.all_day
    assert record.ends_at - record.starts_at == dt.timedelta(days=12)


# --- Apple Calendar export: DTSTAMP as the change time, no-shows in other languages ---------------


def test_apple_export_no_shows_in_romanian_hebrew_and_russian_W4():
    records, problems = read_sample("apple_export.ics")
    assert not problems, problems.summary()
    statuses = {r.subject: r.status for r in records}
    assert statuses["Ședință bilanț – Carpatia Logistics"] == NO_SHOW  # "nu s-a prezentat" in DESCRIPTION
    assert statuses["פגישה עם יעל – לא הגיעה"] == NO_SHOW
    assert statuses["Встреча с Иваном Петровым"] == NO_SHOW  # "не пришёл" with ё


def test_apple_dtstamp_after_created_with_a_sequence_is_when_it_was_cancelled_W4():
    record = next(r for r in read_sample("apple_export.ics")[0] if r.status == BY_CLIENT)
    # No LAST-MODIFIED; SEQUENCE:2 and DTSTAMP (21:30 UTC) after CREATED, and each event's DTSTAMP differs.
    assert record.cancelled_at == dt.datetime(2026, 4, 20, 21, 30, tzinfo=UTC)
    assert notice(record) == 8.5 * 3600
    assert record.client.emails == ("i.petrov@vostok.ru",)


# --- Cancellations: who, and when ------------------------------------------------------------------

CANCELLED_AT_9 = """UID:c-{n}
DTSTART:20260520T100000Z
DTEND:20260520T110000Z
STATUS:CANCELLED
SUMMARY:Review
{extra}"""


def cancelled(extra: str, n: int = 1) -> str:
    return CANCELLED_AT_9.format(n=n, extra=extra)


def test_meeting_the_firm_organised_and_cancelled_is_cancelled_by_us():
    data = ics(
        cancelled("""ORGANIZER:mailto:anna@kowalska-partners.pl
        ATTENDEE;PARTSTAT=ACCEPTED:mailto:client@acme.example""")
    )
    assert read_bytes(data)[0][0].status == BY_US


def test_cancelled_meeting_naming_no_one_does_not_count_against_the_client():
    assert read_bytes(ics(cancelled("")))[0][0].status == BY_US


def test_firm_cancelling_after_every_client_attendee_declined_is_the_clients_cancellation():
    data = ics(
        cancelled("""ORGANIZER:mailto:anna@kowalska-partners.pl
        ATTENDEE;PARTSTAT=DECLINED:mailto:client@acme.example
        ATTENDEE;PARTSTAT=DECLINED:mailto:boss@acme.example""")
    )
    assert read_bytes(data)[0][0].status == BY_CLIENT


def test_one_client_attendee_of_two_declining_leaves_the_meeting_held():
    data = ics(
        """UID:d-1
        DTSTART:20260520T100000Z
        ORGANIZER:mailto:anna@kowalska-partners.pl
        ATTENDEE;PARTSTAT=DECLINED:mailto:client@acme.example
        ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@acme.example"""
    )
    record = read_bytes(data)[0][0]
    assert record.status == HELD
    assert record.declined == ("client@acme.example",)


def test_every_firm_attendee_declining_the_clients_invitation_is_cancelled_by_us():
    data = ics(
        """UID:d-2
        DTSTART:20260520T100000Z
        ORGANIZER:mailto:client@acme.example
        ATTENDEE;PARTSTAT=ACCEPTED:mailto:client@acme.example
        ATTENDEE;PARTSTAT=DECLINED:mailto:anna@kowalska-partners.pl"""
    )
    assert read_bytes(data)[0][0].status == BY_US


@pytest.mark.parametrize(
    ("last_modified", "expected"),
    [
        ("20260519T100001Z", 24 * 3600 - 1),  # just under a day: short notice (W4)
        ("20260519T100000Z", 24 * 3600),  # exactly a day: not short notice
        ("20260521T100000Z", -24 * 3600),  # a day after the start: still the cancellation
        ("20260521T100001Z", None),  # later: an edit after the fact, not when it was cancelled
    ],
)
def test_cancellation_time_is_last_modified_within_a_day_after_the_start_W4(last_modified, expected):
    data = ics(cancelled(f"ORGANIZER:mailto:client@acme.example\nLAST-MODIFIED:{last_modified}"))
    record = read_bytes(data)[0][0]
    assert (None if record.cancelled_at is None else notice(record)) == expected


def test_cancellation_time_in_the_future_is_a_wrong_clock_and_ignored():
    data = ics(cancelled("LAST-MODIFIED:20260601T090001Z"))  # a second after NOW
    assert read_bytes(data)[0][0].cancelled_at is None


def two_cancelled(stamp_1: str, stamp_2: str, sequence: int = 1, created: str = "20260501T080000Z") -> bytes:
    return ics(
        cancelled(
            f"ORGANIZER:mailto:client@acme.example\nDTSTAMP:{stamp_1}\nSEQUENCE:{sequence}\nCREATED:{created}", 1
        ),
        cancelled(
            f"ORGANIZER:mailto:client@acme.example\nDTSTAMP:{stamp_2}\nSEQUENCE:{sequence}\nCREATED:{created}", 2
        ),
    )


def test_dtstamp_shared_by_the_events_is_the_export_time_not_a_change_W4():
    records, _ = read_bytes(two_cancelled("20260601T081512Z", "20260601T081512Z"))
    assert [r.cancelled_at for r in records] == [None, None]


def test_dtstamps_that_differ_are_change_times_W4():
    records, _ = read_bytes(two_cancelled("20260519T200000Z", "20260518T080000Z"))
    assert [r.cancelled_at for r in records] == [
        dt.datetime(2026, 5, 19, 20, tzinfo=UTC),
        dt.datetime(2026, 5, 18, 8, tzinfo=UTC),
    ]


def test_dtstamp_of_an_event_never_changed_is_not_a_change_time():
    records, _ = read_bytes(two_cancelled("20260519T200000Z", "20260518T080000Z", sequence=0))
    assert [r.cancelled_at for r in records] == [None, None]


@pytest.mark.parametrize(("created", "known"), [("20260519T195959Z", True), ("20260519T200000Z", False)])
def test_dtstamp_counts_only_when_later_than_created(created, known):
    records, _ = read_bytes(two_cancelled("20260519T200000Z", "20260518T080000Z", created=created))
    assert (records[0].cancelled_at is not None) is known


def test_series_cancelled_as_a_whole_was_held_until_the_cancellation_W4():
    data = ics(
        """UID:s-1
        DTSTART;TZID=Europe/Warsaw:20260504T100000
        DTEND;TZID=Europe/Warsaw:20260504T110000
        RRULE:FREQ=WEEKLY;COUNT=4
        STATUS:CANCELLED
        ORGANIZER:mailto:client@acme.example
        LAST-MODIFIED:20260517T180000Z"""
    )
    records, problems = read_bytes(data)
    assert not problems
    assert [(r.starts_at.day, r.status) for r in records] == [
        (4, HELD),
        (11, HELD),
        (18, BY_CLIENT),
        (25, BY_CLIENT),
    ]
    assert notice(records[2]) == 14 * 3600  # 18 May 08:00 UTC, cancelled the evening before


# --- No-shows: what counts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "No-show",
        "NO SHOW – Smith",
        "client didn’t show",
        "Client did not turn up",
        "клиент не пришёл",
        "Не явился",
        "klient nie przyszedł",
        "Nie stawiła się",
        "neprezentare",
        "Clientul nu s-a prezentat",
        "הלקוח לא הגיע",
        "שלא הגיעו",
    ],
)
def test_no_show_phrases_in_each_language_mark_a_past_meeting_W4(text):
    data = ics(f"UID:n\nDTSTART:20260520T100000Z\nSUMMARY:{text}")
    assert read_bytes(data)[0][0].status == NO_SHOW


@pytest.mark.parametrize("text", ["Piano showcase", "Show notes review", "No shows this season?", "Noshowroom"])
def test_words_that_only_contain_a_no_show_phrase_do_not_count(text):
    data = ics(f"UID:n\nDTSTART:20260520T100000Z\nSUMMARY:{text}")
    assert read_bytes(data)[0][0].status == HELD


@pytest.mark.parametrize(("start", "status"), [("20260601T085959Z", NO_SHOW), ("20260601T090000Z", HELD)])
def test_no_show_needs_the_meeting_to_have_started(start, status):
    data = ics(f"UID:n\nDTSTART:{start}\nDESCRIPTION:no-show")
    assert read_bytes(data)[0][0].status == status


def test_status_and_lateness_written_by_the_firm_in_x_properties():
    data = ics(
        "UID:x-1\nDTSTART:20260520T100000Z\nX-PARTING-STATUS:no-show",
        "UID:x-2\nDTSTART:20260521T100000Z\nX-PARTING-MINUTES-LATE:25",
        "UID:x-3\nDTSTART:20260522T100000Z\nX-PARTING-STATUS:cancelled_by_client\nLAST-MODIFIED:20260522T080000Z",
    )
    records = by_key(read_bytes(data)[0])
    assert records["x-1"].status == NO_SHOW
    assert (records["x-2"].status, records["x-2"].minutes_late) == (HELD, 25)
    assert (records["x-3"].status, notice(records["x-3"])) == (BY_CLIENT, 2 * 3600)


def test_unknown_x_parting_status_is_a_problem_at_its_line():
    records, problems = read_bytes(ics("UID:x\nDTSTART:20260520T100000Z\nX-PARTING-STATUS:maybe"))
    assert records == []
    [problem] = problems
    assert (problem.source.line, problem.column) == (7, "X-PARTING-STATUS")


# --- Time zones ---------------------------------------------------------------------------------------


def test_floating_times_are_read_in_the_firms_zone_across_the_clock_change():
    records, problems = read_sample("floating_times.ics")
    assert not problems
    assert [r.starts_at for r in records] == [
        dt.datetime(2026, 3, 25, 9, tzinfo=UTC),  # 10:00 CET
        dt.datetime(2026, 4, 1, 8, tzinfo=UTC),  # 10:00 CEST
    ]
    assert records[0].client.emails == ("marek.nowak@orbis.com.pl",)  # lower-cased


def test_floating_times_follow_x_wr_timezone_over_the_firms_zone():
    data = ics("UID:f\nDTSTART:20260520T100000", header="X-WR-TIMEZONE:America/New_York")
    assert read_bytes(data)[0][0].starts_at == dt.datetime(2026, 5, 20, 14, tzinfo=UTC)


def test_utc_and_zoned_times_are_the_same_instants():
    data = ics(
        "UID:a\nDTSTART:20260520T080000Z",
        "UID:b\nDTSTART;TZID=Europe/Warsaw:20260520T100000",
        "UID:c\nDTSTART;TZID=Central European Standard Time:20260520T100000",
    )
    assert {r.starts_at for r in read_bytes(data)[0]} == {dt.datetime(2026, 5, 20, 8, tzinfo=UTC)}


# --- Keys ------------------------------------------------------------------------------------------


def test_single_event_key_is_its_uid_and_occurrence_keys_add_the_recurrence_id_in_utc():
    data = ics(
        "UID:one\nDTSTART:20260520T100000Z",
        "UID:many\nDTSTART;TZID=Europe/Warsaw:20260520T100000\nRRULE:FREQ=DAILY;COUNT=2",
        "UID:days\nDTSTART;VALUE=DATE:20260520\nRRULE:FREQ=DAILY;COUNT=1",
    )
    assert set(by_key(read_bytes(data)[0])) == {
        "one",
        "many|2026-05-20T08:00:00Z",
        "many|2026-05-21T08:00:00Z",
        "days|2026-05-20",
    }


def test_event_without_uid_gets_a_content_key_that_does_not_change():
    data = ics("DTSTART:20260520T100000Z\nSUMMARY:No uid")
    first, second = read_bytes(data)[0][0], read_bytes(data)[0][0]
    assert first.key.startswith("sha256:") and first.key == second.key


def test_very_long_uid_gives_a_key_that_fits():
    record = read_bytes(ics("UID:" + "x" * 400 + "\nDTSTART:20260520T100000Z"))[0][0]
    assert len(record.key) <= 300


def test_the_same_event_twice_is_read_once_with_the_higher_sequence():
    data = ics(
        "UID:twice\nDTSTART:20260520T100000Z\nSEQUENCE:1\nSUMMARY:old",
        "UID:twice\nDTSTART:20260520T100000Z\nSEQUENCE:2\nSUMMARY:new",
    )
    records, problems = read_bytes(data)
    assert [r.subject for r in records] == ["new"] and not problems


def test_calendars_one_after_the_other_in_one_file_are_all_read():
    data = ics("UID:a\nDTSTART:20260520T100000Z") + ics("UID:b\nDTSTART:20260521T100000Z")
    records, problems = read_bytes(data)
    assert [r.key for r in records] == ["a", "b"] and not problems


# --- Bad input -------------------------------------------------------------------------------------


def test_broken_events_are_reported_at_their_lines_and_the_others_read():
    records, problems = read_sample("broken_events.ics")
    assert [r.key for r in records] == ["good-1@google.com", "broken-line@google.com", "good-2@google.com"]
    assert [(p.source.line, p.column) for p in problems] == [
        (16, ""),  # a line without NAME:value
        (19, "DTSTART"),  # no DTSTART
        (27, "DTEND"),  # ends before it starts
        (34, "RRULE"),  # FREQ=FORTNIGHTLY
        (39, "DTSTART"),  # 2026-13-45
        (47, "RRULE"),  # every minute
    ]
    assert all(p.source.file == "broken_events.ics" for p in problems)


def test_truncated_file_keeps_the_events_before_the_cut_and_says_where_it_ends():
    records, problems = read_sample("truncated.ics")
    assert len(records) == 8  # the weekly meeting's seven and the client's cancelled meeting
    [problem] = problems
    assert problem.source.line == 153
    assert "cut short" in problem.reason


def test_file_without_end_vcalendar_is_reported_as_cut_short():
    data = ics("UID:a\nDTSTART:20260520T100000Z").replace(b"END:VCALENDAR\r\n", b"")
    records, problems = read_bytes(data)
    assert len(records) == 1
    assert "END:VCALENDAR" in next(iter(problems)).reason


def test_event_missing_its_end_line_is_reported_and_the_next_one_read():
    data = ics("UID:a\nDTSTART:20260520T100000Z", "UID:b\nDTSTART:20260521T100000Z").replace(b"END:VEVENT\r\n", b"", 1)
    records, problems = read_bytes(data)
    assert [r.key for r in records] == ["b"]
    assert [p.source.line for p in problems] == [4]


def test_stray_end_line_and_text_after_the_calendar_are_reported():
    data = ics("UID:a\nDTSTART:20260520T100000Z").replace(b"END:VCALENDAR", b"END:VTODO\r\nEND:VCALENDAR") + b"junk\r\n"
    records, problems = read_bytes(data)
    assert len(records) == 1
    assert [p.source.line for p in problems] == [8, 10]


def test_mixed_date_and_time_in_one_event_is_a_problem():
    records, problems = read_bytes(ics("UID:m\nDTSTART:20260520T100000Z\nDTEND;VALUE=DATE:20260521"))
    assert records == [] and next(iter(problems)).column == "DTEND"


def test_series_repeating_beyond_the_limit_is_reported(monkeypatch):
    monkeypatch.setattr(calendar, "MAX_OCCURRENCES", 50)
    records, problems = read_bytes(ics("UID:h\nDTSTART:20260101T080000Z\nRRULE:FREQ=HOURLY"))
    assert len(records) == 50
    assert next(iter(problems)).column == "RRULE"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        ((SAMPLES / "not_a_calendar.ics").read_bytes(), "BEGIN:VCALENDAR"),
        (b"Subject,Start Date\r\nReview,05/20/2026\r\n", "BEGIN:VCALENDAR"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_a_file_that_is_no_calendar_is_unreadable(data, why):
    with pytest.raises(FileUnreadable, match=why):
        read_bytes(data)


# --- Any bytes: records, problems or FileUnreadable, nothing else ------------------------------------

VALID = [(SAMPLES / f).read_bytes() for f in ("google_export.ics", "outlook_export.ics", "apple_export.ics")]


def check_never_crashes(data: bytes) -> None:
    try:
        records, _ = read_bytes(data)
    except FileUnreadable:
        return
    for record in records:
        assert record.starts_at.tzinfo is not None and record.ends_at >= record.starts_at
        assert record.key and len(record.key) <= 300
        assert record.status in (HELD, BY_CLIENT, BY_US, NO_SHOW)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_but_file_unreadable(data):
    check_never_crashes(data)
    check_never_crashes(b"BEGIN:VCALENDAR\r\n" + data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2), st.integers(0, 2**32 - 1), st.integers(1, 12))
def test_mutated_real_exports_never_raise_anything_but_file_unreadable(which, seed, edits):
    rng = random.Random(seed)
    lines = VALID[which].split(b"\r\n")
    pieces = [
        b":",
        b";",
        b"TZID=Nowhere/Land",
        b"RRULE:FREQ=YEARLY;BYMONTH=13",
        b"\xff\xfe",
        b"00000000T",
        b"BEGIN:VEVENT",
    ]
    for _ in range(edits):
        if not lines:
            break
        i = rng.randrange(len(lines))
        action = rng.randrange(5)
        if action == 0:
            del lines[i]
        elif action == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif action == 2 and lines[i]:
            j = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:j] + rng.choice(pieces) + lines[i][j + 1 :]
        elif action == 3:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        else:
            lines = lines[:i]
    check_never_crashes(b"\r\n".join(lines))


def test_floating_meetings_next_to_the_yearly_step_are_read_once(monkeypatch):
    # Occurrences are computed a year at a time (a day here); recurring-ical-events compares times without
    # a zone with the step's UTC bounds, the reader reads them in the calendar's zone: 17:30 in Los Angeles
    # is 00:30 UTC the next day, and not one occurrence may fall between two steps.
    monkeypatch.setattr(calendar, "CHUNK", dt.timedelta(days=1))
    data = ics("UID:f\nDTSTART:20260510T173000\nRRULE:FREQ=DAILY;COUNT=10")
    records, problems = read_bytes(data, ReadOptions(time_zone="America/Los_Angeles"))
    assert not problems
    assert [r.starts_at for r in records] == [
        dt.datetime(2026, 5, 11, 0, 30, tzinfo=UTC) + dt.timedelta(days=n) for n in range(10)
    ]


def test_a_repeating_event_from_centuries_ago_is_a_problem_not_hours_of_expansion():
    """A daily rule from the year 1026 (a mutated year): recurring-ical-events expands every query
    from the first occurrence, so reading it would take hours; it is refused at its DTSTART line,
    with its own start date."""
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:old@x\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:10260105T090000Z\r\nDTEND:10260105T100000Z\r\n"
        "RRULE:FREQ=DAILY\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    records, problems = read_bytes(text.encode())
    assert records == []
    (problem,) = list(problems)
    assert (problem.source.line, problem.column) == (7, "DTSTART")
    assert (
        problem.reason == "this repeating event starts on 1026-01-05 and repeats too often since then: it was not read"
    )


@pytest.mark.parametrize(("start", "read"), [("20060608T090000Z", 21), ("20060604T090000Z", 20)])
def test_a_repeating_event_begun_more_than_twenty_years_ago_is_read_from_twenty_years_back(start, read):
    """20 × 365 days before the frozen clock (1 June 2026) is 6 June 2006; a day's margin is kept. A
    yearly meeting begun before that is read from then on (a weekly one since 1995 is still held)."""
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:yearly@x\r\n"
        f"DTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDURATION:PT1H\r\n"
        "RRULE:FREQ=YEARLY\r\nSUMMARY:Annual review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    records, problems = read_bytes(text.encode())
    assert not problems
    assert len(records) == read


# --- Outlook desktop (File › Save as iCalendar) and Office 365 published calendars ---------------------

OUTLOOK_SERIES = (
    "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6DC01000000000000000010000000AABBCCDDEEFF00112233445566778899"
)


def test_outlook_desktop_export_with_crlf_quoted_zones_and_folded_lines_reads_without_problems():
    records, problems = read_sample("outlook_desktop.ics")
    assert list(problems) == []
    assert len(records) == 8


def test_outlook_weekly_series_keeps_ten_oclock_warsaw_across_the_clock_change_and_drops_both_exdates():
    records, _ = read_sample("outlook_desktop.ics")
    series = sorted(r.starts_at for r in records if r.key.startswith(OUTLOOK_SERIES))
    assert series == [
        dt.datetime(2026, 3, 12, 9, tzinfo=UTC),  # 10:00 CET
        dt.datetime(2026, 3, 19, 9, tzinfo=UTC),
        # 26 March: EXDATE (first of two values on one line)
        dt.datetime(2026, 4, 3, 12, tzinfo=UTC),  # 2 April moved to Friday 3 April 14:00 CEST
        # 9 April: EXDATE (second value)
        dt.datetime(2026, 4, 16, 8, tzinfo=UTC),  # 10:00 CEST
        dt.datetime(2026, 4, 23, 8, tzinfo=UTC),
        dt.datetime(2026, 4, 30, 8, tzinfo=UTC),
    ]


def test_outlook_moved_occurrence_keeps_the_key_of_its_original_date():
    records, _ = read_sample("outlook_desktop.ics")
    moved = by_key(records)[f"{OUTLOOK_SERIES}|2026-04-02T08:00:00Z"]
    assert moved.starts_at == dt.datetime(2026, 4, 3, 12, tzinfo=UTC)
    assert moved.status == HELD


def test_outlook_cancelled_occurrence_the_client_had_declined_is_the_clients_at_short_notice_W4():
    records, _ = read_sample("outlook_desktop.ics")
    cancelled = by_key(records)[f"{OUTLOOK_SERIES}|2026-04-16T08:00:00Z"]
    assert cancelled.status == BY_CLIENT
    assert cancelled.declined == ("jan.nowak@nowak-handel.pl",)
    assert notice(cancelled) == 90 * 60 < SHORT_NOTICE_SECONDS


def test_outlook_mailto_in_capitals_gives_lower_case_addresses_and_the_firms_side_is_not_the_client():
    records, _ = read_sample("outlook_desktop.ics")
    for record in records:
        assert all(a == a.lower() for a in (record.organizer, *record.attendees))
        assert "piotr@kowalska-partners.pl" not in record.client.emails
    first = min(records, key=lambda r: r.starts_at)
    assert first.organizer == "piotr@kowalska-partners.pl"
    assert first.client.emails == ("jan.nowak@nowak-handel.pl",)


def test_outlook_polish_anulowano_meeting_the_client_organised_is_cancelled_by_the_client_W4():
    records, _ = read_sample("outlook_desktop.ics")
    (vat,) = [r for r in records if "Korekta" in r.subject]
    assert vat.status == BY_CLIENT
    assert vat.starts_at == dt.datetime(2026, 5, 12, 9, 30, tzinfo=UTC)
    assert vat.cancelled_at == dt.datetime(2026, 5, 11, 18, 45, tzinfo=UTC)
    assert notice(vat) < SHORT_NOTICE_SECONDS
    assert vat.client.emails == ("jan.nowak@nowak-handel.pl", "ewa.nowak@nowak-handel.pl")


def test_outlook_all_day_out_of_office_event_is_all_day_from_warsaw_midnight():
    records, _ = read_sample("outlook_desktop.ics")
    (day,) = [r for r in records if r.all_day]
    assert (day.starts_at, day.ends_at) == (
        dt.datetime(2026, 5, 3, 22, tzinfo=UTC),
        dt.datetime(2026, 5, 4, 22, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("prefix", "status"),
    [
        ("Anulowano:", BY_CLIENT),
        ("Отменено:", BY_CLIENT),
        ("Anulat:", BY_CLIENT),
        ("בוטל:", BY_CLIENT),
        ("Anulowanie", HELD),
    ],
)
def test_outlook_cancelled_prefix_in_each_language_marks_a_cancellation(prefix, status):
    data = ics(
        f"""UID:prefix-1
        DTSTART:20260520T090000Z
        DTEND:20260520T100000Z
        SUMMARY:{prefix} Przegląd
        ORGANIZER:mailto:jan@nowak-handel.pl"""
    )
    ((record,), _) = read_bytes(data)
    assert record.status == status


def test_office365_unquoted_display_name_zone_with_colons_is_read_across_the_us_clock_change():
    records, problems = read_sample("office365_published.ics")
    assert list(problems) == []
    weekly = sorted(r.starts_at for r in records if "weekly numbers" in r.subject)
    assert weekly == [
        dt.datetime(2026, 3, 2, 14, tzinfo=UTC),  # 09:00 EST
        dt.datetime(2026, 3, 9, 13, tzinfo=UTC),  # 09:00 EDT from 8 March
        dt.datetime(2026, 3, 16, 13, tzinfo=UTC),
        dt.datetime(2026, 3, 23, 13, tzinfo=UTC),
    ]


def test_office365_display_name_zone_without_vtimezone_is_the_zone_of_its_city_not_the_firms():
    records, _ = read_sample("office365_published.ics")
    (annual,) = [r for r in records if "bilanț" in r.subject]
    assert annual.starts_at == dt.datetime(2026, 5, 19, 7, tzinfo=UTC)  # 10:00 in Athens/Bucharest (EEST)


def test_office365_tzone_microsoft_utc_is_utc_not_the_firms_zone():
    records, _ = read_sample("office365_published.ics")
    (kickoff,) = [r for r in records if "kick-off" in r.subject]
    assert kickoff.starts_at == dt.datetime(2026, 5, 21, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tzid", "utc_hour"),
    [
        ('"(UTC+00:00) Dublin, Edinburgh, Lisbon, London"', 8),  # Irish summer time
        ('"(UTC+02:00) Jerusalem"', 6),
        ('"(UTC+03:00) Moscow, St. Petersburg"', 6),
        ('"(UTC-05:00) Eastern Time (US & Canada)"', 13),
        ('"Coordinated Universal Time"', 9),
        ('"(UTC+05:00) Nowhere Town"', 7),  # no city known: floating, read in the firm's zone
    ],
)
def test_zone_names_outlook_writes_without_a_vtimezone(tzid, utc_hour):
    data = ics(f"UID:z\nDTSTART;TZID={tzid}:20260520T090000\nDTEND;TZID={tzid}:20260520T100000\nSUMMARY:x")
    ((record,), problems) = read_bytes(data)
    assert list(problems) == []
    assert record.starts_at == dt.datetime(2026, 5, 20, utc_hour, tzinfo=UTC)


def test_apple_attendee_known_by_urn_uuid_is_read_from_its_email_parameter():
    data = ics(
        """UID:apple-urn
        DTSTART:20260520T090000Z
        DTEND:20260520T100000Z
        SUMMARY:Review
        ORGANIZER;CN="Piotr";EMAIL="piotr@kowalska-partners.pl":urn:uuid:1f0c2a3b-4d5e-6f70-8192-a3b4c5d6e7f8
        ATTENDEE;CN="Jan";CUTYPE=INDIVIDUAL;EMAIL="Jan@Nowak-Handel.pl";PARTSTAT=DECLINED:urn:uuid:9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"""
    )
    ((record,), _) = read_bytes(data)
    assert record.organizer == "piotr@kowalska-partners.pl"
    assert record.declined == ("jan@nowak-handel.pl",)
    assert record.client.emails == ("jan@nowak-handel.pl",)
    assert record.status == BY_CLIENT


# --- Apple Calendar: "this and all following" moved with RECURRENCE-ID;RANGE=THISANDFUTURE ------------

APPLE_WEEKLY = "7D1C4E9A-3B2F-4A6D-9E8C-1F2A3B4C5D6E"


def test_apple_this_and_following_move_keeps_every_later_occurrence_with_its_own_key():
    records, problems = read_sample("apple_this_and_following.ics")
    assert list(problems) == []
    weekly = sorted((r for r in records if r.key.startswith(APPLE_WEEKLY)), key=lambda r: r.starts_at)
    assert [(r.key.split("|")[1], r.starts_at.hour) for r in weekly] == [
        ("2026-05-04T08:00:00Z", 8),  # 10:00 Warsaw
        ("2026-05-11T08:00:00Z", 8),
        ("2026-05-18T08:00:00Z", 12),  # moved to 14:00 from here on
        ("2026-05-25T08:00:00Z", 12),
        ("2026-06-01T08:00:00Z", 12),
        ("2026-06-08T08:00:00Z", 12),
    ]


def test_apple_organizer_by_urn_uuid_is_the_firm_and_the_client_is_the_other_attendee():
    records, _ = read_sample("apple_this_and_following.ics")
    first = min(records, key=lambda r: r.starts_at)
    assert first.organizer == "anna@kowalska-partners.pl"
    assert first.client.emails == ("marek@wisniewski-transport.pl",)


def test_all_day_series_with_exdates_on_two_lines_leaves_only_the_days_kept():
    records, _ = read_sample("apple_this_and_following.ics")
    days = [r.starts_at for r in records if r.all_day]
    assert days == [dt.datetime(2026, 5, 31, 22, tzinfo=UTC), dt.datetime(2026, 6, 4, 22, tzinfo=UTC)]


def test_this_and_following_cancelled_cancels_each_later_occurrence_once():
    data = ics(
        """UID:tf
        DTSTART;TZID=Europe/Warsaw:20260504T100000
        DURATION:PT45M
        RRULE:FREQ=WEEKLY;COUNT=4
        ORGANIZER:mailto:jan@nowak-handel.pl
        SUMMARY:Przegląd""",
        """UID:tf
        RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Warsaw:20260518T100000
        DTSTART;TZID=Europe/Warsaw:20260518T100000
        DURATION:PT45M
        STATUS:CANCELLED
        LAST-MODIFIED:20260517T200000Z
        ORGANIZER:mailto:jan@nowak-handel.pl
        SUMMARY:Przegląd""",
    )
    records, problems = read_bytes(data)
    assert list(problems) == []
    assert [(r.starts_at.day, r.status) for r in sorted(records, key=lambda r: r.starts_at)] == [
        (4, HELD),
        (11, HELD),
        (18, BY_CLIENT),
        (25, BY_CLIENT),
    ]


@pytest.mark.parametrize(
    "organizer",
    [
        'ORGANIZER;CN=Jan "Kuba" Nowak:mailto:jan@nowak-handel.pl',  # quotes inside a name
        "ORGANIZER;CN=Nowak Handel: Zarząd:mailto:jan@nowak-handel.pl",  # a colon left unquoted
        'ORGANIZER;CN=Nowak, Jan;SENT-BY="mailto:ewa@nowak-handel.pl":MAILTO:jan@nowak-handel.pl',
    ],
)
def test_broken_names_in_organizer_and_attendee_lines_do_not_lose_the_meeting(organizer):
    data = ics(
        f"""UID:cn
        DTSTART:20260520T090000Z
        DTEND:20260520T100000Z
        STATUS:CANCELLED
        {organizer}
        ATTENDEE;CN=Anna "Ania" Lis;PARTSTAT=ACCEPTED:mailto:anna@kowalska-partners.pl
        SUMMARY:Przegląd"""
    )
    ((record,), problems) = read_bytes(data)
    assert list(problems) == []
    assert record.organizer == "jan@nowak-handel.pl"
    assert record.status == BY_CLIENT
    assert record.attendees == ("anna@kowalska-partners.pl",)


def test_unreadable_change_stamps_keep_the_meeting_and_leave_its_notice_unknown_W4():
    data = ics(
        """UID:stamps
        DTSTART:20260520T090000Z
        DTEND:20260520T100000Z
        LAST-MODIFIED:2026-05-19 20:00
        DTSTAMP:20260519T2000Z
        CREATED:0000
        SEQUENCE:two
        STATUS:CANCELLED
        ORGANIZER:mailto:jan@nowak-handel.pl
        SUMMARY:Przegląd"""
    )
    ((record,), problems) = read_bytes(data)
    assert list(problems) == []
    assert record.status == BY_CLIENT
    assert record.cancelled_at is None  # counted as a cancellation, never as a short-notice one


def test_an_unreadable_start_is_still_a_problem_at_its_line():
    data = ics("UID:bad\nDTSTART:2026-05-20 09:00\nSUMMARY:x")
    records, problems = read_bytes(data)
    assert records == []
    assert [(p.source.line, p.column) for p in problems] == [(6, "DTSTART")]


@pytest.mark.parametrize(("flag", "all_day"), [("TRUE", True), ("FALSE", False)])
def test_exchange_all_day_flag_on_midnight_times_makes_an_all_day_event(flag, all_day):
    data = ics(
        f"""UID:oof
        DTSTART;TZID=Central European Standard Time:20260504T000000
        DTEND;TZID=Central European Standard Time:20260505T000000
        X-MICROSOFT-CDO-ALLDAYEVENT:{flag}
        X-MICROSOFT-CDO-BUSYSTATUS:OOF
        SUMMARY:Urlop"""
    )
    ((record,), _) = read_bytes(data)
    assert record.all_day is all_day
    assert record.starts_at == dt.datetime(2026, 5, 3, 22, tzinfo=UTC)


def test_google_calendars_export_zip_is_read_calendar_by_calendar():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("anna.lis@kowalska-partners.pl.ics", (SAMPLES / "google_export.ics").read_bytes())
        z.writestr(
            "Holidays in Poland_pl.polish#holiday@group.v.calendar.google.com.ics",
            (SAMPLES / "floating_times.ics").read_bytes(),
        )
        z.writestr("broken.ics", b"not a calendar")
    records, problems = read_bytes(buffer.getvalue(), name="calendar-export.zip")
    alone, _ = read_sample("google_export.ics")
    from_google = [r for r in records if r.source.file == "calendar-export.zip/anna.lis@kowalska-partners.pl.ics"]
    assert [(r.key, r.starts_at, r.status) for r in from_google] == [(r.key, r.starts_at, r.status) for r in alone]
    assert [(p.source.file, p.source.line) for p in problems] == [("calendar-export.zip/broken.ics", 1)]


def test_a_zip_without_calendars_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(FileUnreadable, match="holds no calendar"):
        read_bytes(buffer.getvalue(), name="book.xlsx")


def test_damaged_zips_give_records_problems_or_file_unreadable_never_a_crash():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.ics", (SAMPLES / "outlook_desktop.ics").read_bytes())
    good = buffer.getvalue()
    rnd = random.Random(10)
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rnd.randint(1, 6)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        with contextlib.suppress(FileUnreadable):
            read_bytes(bytes(data[: rnd.randint(4, len(data))]), name="t.zip")


@pytest.mark.django_db
def test_w4_outlook_desktop_export_end_to_end_counts_both_short_notice_cancellations():
    """Loaded into a firm: the series' six occurrences and the VAT meeting are the client's seven
    meetings (the all-day event is not one); the occurrence cancelled 90 minutes before and the VAT
    meeting cancelled the evening before are short-notice cancellations by the client: W4 2 / 7."""
    from parting.clients.models import Client
    from parting.evidence.models import Meeting
    from parting.firms.models import Membership
    from parting.firms.services import firm_create, member_add
    from parting.imports.services import run_import
    from parting.signs.scoring import Scorer

    firm = firm_create(
        name="Kowalska & Partners",
        slug="kowalska-partners",
        time_zone="Europe/Warsaw",
        currency="PLN",
        working_hours=[(day, dt.time(9), dt.time(17)) for day in range(5)],
        email="biuro@kowalska-partners.pl",
    )
    membership, _password = member_add(
        firm=firm,
        username="piotr",
        role=Membership.Role.OWNER,
        email="piotr@kowalska-partners.pl",
        first_name="Piotr",
        last_name="Zieliński",
    )
    client = Client.objects.create(firm=firm, name="Nowak Handel", email_domains="nowak-handel.pl")
    result = run_import(firm=firm, by=membership.user, kind="calendar", paths=[SAMPLES / "outlook_desktop.ics"])
    assert result.ok, [str(p) for p in result.problems]
    meetings = Meeting.objects.filter(firm=firm, client=client)
    assert meetings.count() == 7
    w4 = next(r for r in Scorer(firm).score() if r.name == "Nowak Handel").sign("W4")
    assert w4.value == 28.6, w4.explanation


# --- Lines folded inside a UTF-8 character (RFC 5545 §3.1's note on simple writers) -----------------


def test_lines_folded_inside_a_utf8_character_keep_every_subject_and_the_no_show_W4():
    """A writer that folds at 75 octets, not 75 characters, splits a character between two lines
    (RFC 5545 §3.1 warns of it). The file is UTF-8 once unfolded: read as another charset, every
    subject would come out garbled and the Russian no-show mark would be lost."""
    data = (SAMPLES / "folded_inside_utf8_characters.ics").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the raw file: a fold cuts a character in two
    records, problems = read_sample("folded_inside_utf8_characters.ics")
    assert not list(problems)
    subjects = {r.key: r.subject for r in records}
    assert subjects["crm-meeting-4411@kancelaria-crm.example"] == (
        "Przegląd kwartalny – Przedsiębiorstwo Handlowo-Usługowe „Żółwiątko” Sp. z o.o."
    )
    assert subjects["crm-meeting-4413@kancelaria-crm.example"] == (
        'פגישת היכרות עם הלקוח — משרד עורכי דין כהן ושות׳ בע"מ, תל אביב'
    )
    no_show = by_key(records)["crm-meeting-4412@kancelaria-crm.example"]
    assert no_show.subject.endswith("ООО «Стройинвест»: клиент не пришёл")
    assert no_show.status == NO_SHOW
    assert no_show.client.emails == ("i.petrov@stroyinvest.example",)


@pytest.mark.parametrize("line_end", [b"\r\n", b"\n", b"\r"])
def test_a_fold_inside_a_character_is_unfolded_with_any_line_end(line_end):
    summary = "SUMMARY:Spotkanie – Łódź".encode()
    cut = summary.index("Ł".encode()) + 1
    data = ics("UID:fold-1\nDTSTART:20260310T090000Z\nDTEND:20260310T100000Z\nSUMMARY:x")
    data = data.replace(b"SUMMARY:x", summary[:cut] + b"\r\n " + summary[cut:]).replace(b"\r\n", line_end)
    records, problems = read_bytes(b"\xef\xbb\xbf" + data)
    assert not list(problems)
    assert [r.subject for r in records] == ["Spotkanie – Łódź"]


# --- what a whole calendar exported as it is also holds ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "event",
    [
        "DTSTART;TZID=Europe/Warsaw:20261005T090000\nDTEND;TZID=Europe/Warsaw:20261005T090000",  # DTEND = DTSTART
        "DTSTART:20261006T090000Z",  # DTSTART alone: RFC 5545 §3.6.1, it ends where it starts
    ],
)
def test_w4_an_event_without_a_length_is_passed_over_and_counted_not_a_crash(firm, tmp_path, event):
    """A reminder or a deadline marker (Outlook allows 0-minute appointments; feeds write DTSTART
    alone) is no meeting anyone attended. It used to reach the database and break the meetings'
    end-after-start rule, a traceback on the command line and a server error on the Import page."""
    Client.objects.create(firm=firm, name="Kowalski i Synowie", email_domains="kowalskiisynowie.pl")
    path = tmp_path / "calendar.ics"
    path.write_bytes(
        ics(f"UID:zero@x\nDTSTAMP:20261001T000000Z\n{event}\nSUMMARY:Call back\n"
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:marek@kowalskiisynowie.pl")
    )  # fmt: skip
    result = run_import(firm=firm, by=None, kind="calendar", paths=[path])
    assert result.ok, [str(p) for p in result.problems]
    assert result.run.counts["counts"] == {"meetings": {"skipped (no length)": 1}}
    assert not Meeting.objects.filter(firm=firm).exists()


def test_an_outlook_calendar_with_its_contacts_yearly_birthdays_since_1980_reads_without_a_problem():
    """Outlook adds an all-day yearly event for each contact's birthday to the calendar it exports:
    all-day, so never a meeting, and no reason to refuse the whole file."""
    records, problems = read_sample("outlook_contact_birthdays.ics")
    assert list(problems) == [] and records == []


def test_a_weekly_meeting_held_since_1995_is_read_for_the_last_twenty_years():
    records, problems = read_bytes(
        ics("UID:weekly@x\nDTSTAMP:20260101T000000Z\nDTSTART:19950102T090000Z\nDTEND:19950102T100000Z\n"
            "RRULE:FREQ=WEEKLY\nSUMMARY:Weekly review")
    )  # fmt: skip
    assert list(problems) == []
    starts = [r.starts_at for r in records]
    assert starts[0] >= NOW - calendar.PAST and starts[-1] <= NOW + calendar.FUTURE
    assert len(starts) > 52 * 20
    assert dt.datetime(2026, 5, 25, 9, tzinfo=UTC) in starts  # the last Monday before the clock


@pytest.mark.parametrize(
    ("rule", "years", "refused"),
    [
        ("FREQ=DAILY", 273, False),  # 366 a year at most: 99,918 since its start, read from twenty years back
        ("FREQ=DAILY", 274, True),  # 100,284: more than MAX_OLD_OCCURRENCES, refused
        ("FREQ=DAILY;INTERVAL=2", 546, False),  # every other day: 99,918, the interval halves the count
        ("FREQ=DAILY;INTERVAL=2", 547, True),  # 100,101
        ("FREQ=DAILY;COUNT=100000", 400, False),  # a COUNT caps what the rule gives
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 377, False),  # 53 × 5 = 265 a year: 99,905 at 377 years
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 378, True),  # 100,170
    ],
)
def test_an_old_series_is_refused_only_past_the_occurrences_it_may_cost(rule, years, refused):
    """MAX_OLD_OCCURRENCES at its edge: recurring-ical-events expands from a series' first occurrence,
    so an old rule is read only while its occurrences since then stay under the limit."""
    import icalendar

    from parting.imports.readers.calendar import MAX_OLD_OCCURRENCES, _Event, _occurrences_since

    now = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    start = now - dt.timedelta(days=365 * years)
    event = icalendar.Event()
    event.add("DTSTART", start)
    event.add("RRULE", icalendar.vRecur.from_ical(rule))
    estimate = _occurrences_since(_Event(chunk=None, component=event), start, now)
    assert (estimate > MAX_OLD_OCCURRENCES) is refused
