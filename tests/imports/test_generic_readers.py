"""Our own CSV readers for meetings, messages, requests and incidents (issue 10 §2, §6): what
``parting export`` writes must read back exactly. Samples in tests/imports/samples/generic/.

Meetings feed W4 (cancellations at short notice, no-shows, late arrivals); messages W2 (outside
working hours), W3 (to an owner or partner) and W10 (negative); requests W1 and W14; incidents W5,
W6, W8, W9, W13 and W15. No database: readers are plain functions.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parting.imports.columns import GENERIC
from parting.imports.problems import FileUnreadable, Problems
from parting.imports.readers.generic import (
    READERS,
    column_key,
    read_incidents,
    read_meetings,
    read_messages,
    read_requests,
    split_emails,
)
from parting.imports.records import (
    IncidentRecord,
    MeetingRecord,
    MeetingStatus,
    MessageRecord,
    ReadOptions,
    RequestRecord,
)

SAMPLES = Path(__file__).parent / "samples" / "generic"
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
D = Decimal


def run(reader, name: str, data: bytes | None = None, **options):
    problems = Problems()
    options.setdefault("time_zone", "Europe/Warsaw")
    stream = io.BytesIO(data if data is not None else (SAMPLES / name).read_bytes())
    return list(reader(stream, name, ReadOptions(**options), problems)), problems


def reasons(problems: Problems) -> list[tuple[int, str, str]]:
    return [(p.source.line, p.column, p.reason) for p in problems]


def csv_text(kind: str, *rows: str) -> bytes:
    return (",".join(GENERIC[kind]) + "\n" + "".join(r + "\n" for r in rows)).encode()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# ---- meetings (W4) ----------------------------------------------------------------------------------


def test_meetings_read_back_as_exported():
    records, problems = run(read_meetings, "meetings.csv")
    assert not problems
    review, _, no_show, ours = records
    assert review.key == "m-1@parting"
    assert (review.starts_at, review.ends_at) == (at("2026-03-05T09:00:00+01:00"), at("2026-03-05T10:00:00+01:00"))
    assert (review.status, review.minutes_late, review.subject) == (MeetingStatus.HELD, 15, "Monthly review")
    assert review.client.name == "Acme Sp. z o.o."
    assert no_show.client.emails == ("dana@levi.example",) and no_show.subject == "Tax, Q1"
    assert no_show.status == MeetingStatus.NO_SHOW
    assert ours.status == MeetingStatus.CANCELLED_BY_US


def test_cancellation_time_tells_the_notice_given_w4():
    records, _ = run(read_meetings, "meetings.csv")
    cancelled = records[1]
    assert cancelled.status == MeetingStatus.CANCELLED_BY_CLIENT
    assert cancelled.starts_at - cancelled.cancelled_at == dt.timedelta(minutes=50)


def test_times_without_an_offset_are_in_the_firms_zone():
    records, _ = run(read_meetings, "meetings.csv")
    ours = records[3]
    assert ours.starts_at == dt.datetime(2026, 4, 2, 14, 0, tzinfo=WARSAW)
    assert ours.starts_at.utcoffset() == dt.timedelta(hours=2)  # summer time by then
    assert ours.cancelled_at == dt.datetime(2026, 3, 30, 9, 0, tzinfo=WARSAW)


def test_naive_times_follow_the_zone_given():
    records, _ = run(read_meetings, "meetings.csv", time_zone="America/New_York")
    assert records[3].starts_at.utcoffset() == dt.timedelta(hours=-4)


def test_utc_written_with_z():
    data = csv_text("meetings", "Acme,,u,2026-03-05T08:00:00Z,2026-03-05T09:00:00Z,,,,")
    records, _ = run(read_meetings, "x.csv", data)
    assert records[0].starts_at == dt.datetime(2026, 3, 5, 8, tzinfo=dt.UTC)
    assert records[0].status == MeetingStatus.HELD  # an empty status is a meeting held


def test_meeting_without_uid_gets_a_content_key_stable_across_reads():
    first, _ = run(read_meetings, "meetings.csv")
    again, _ = run(read_meetings, "meetings.csv")
    assert first[3].key.startswith("sha256:") and first[3].key == again[3].key


def test_bad_meeting_rows_are_reported_with_line_and_column():
    records, problems = run(read_meetings, "meetings_messy.csv")
    assert [(line, column) for line, column, _ in reasons(problems)] == [
        (2, "ends_at"),
        (3, "starts_at"),
        (4, "status"),
        (5, "minutes_late"),
        (6, "client"),
    ]
    # a uid is taken only by a row that was read; American spelling of the status is understood
    assert [(r.key, r.status) for r in records] == [("a", "held"), ("f", MeetingStatus.CANCELLED_BY_CLIENT)]


@pytest.mark.parametrize(
    ("late", "ok"), [("0", True), ("32767", True), ("32768", False), ("-1", False), ("2.5", False)]
)
def test_minutes_late_bounds(late, ok):
    data = csv_text("meetings", f"Acme,,u,2026-03-05T08:00:00Z,2026-03-05T09:00:00Z,held,,{late},")
    records, problems = run(read_meetings, "x.csv", data)
    assert bool(records) is ok and bool(problems) is not ok


def test_meeting_ending_when_it_starts_is_a_problem():
    data = csv_text("meetings", "Acme,,u,2026-03-05T08:00:00Z,2026-03-05T09:00:00+01:00,held,,,")
    records, problems = run(read_meetings, "x.csv", data)
    assert records == [] and reasons(problems)[0][:2] == (2, "ends_at")


def test_meetings_file_without_client_columns_is_unreadable():
    with pytest.raises(FileUnreadable) as error:
        run(read_meetings, "x.csv", b"uid,starts_at,ends_at\nu,2026-03-05T08:00:00Z,2026-03-05T09:00:00Z\n")
    assert "client" in error.value.reason


def test_meetings_file_without_start_column_is_unreadable():
    with pytest.raises(FileUnreadable) as error:
        run(read_meetings, "x.csv", b"client,ends_at\nAcme,2026-03-05T09:00:00Z\n")
    assert "starts_at" in error.value.reason


def test_unknown_time_zone_is_unreadable():
    with pytest.raises(FileUnreadable):
        run(read_meetings, "meetings.csv", time_zone="Mars/Olympus")


# ---- messages (W2, W3, W10) -------------------------------------------------------------------------


def test_messages_read_back_as_exported():
    records, problems = run(read_messages, "messages.csv")
    assert not problems
    angry, reply, call, chat = records
    assert angry.key == "CAF1a2b3@mail.acme.example"  # angle brackets dropped, as Message-IDs are kept
    assert angry.sent_at == at("2026-03-06T22:47:00+01:00")  # late evening: W2
    assert (angry.channel, angry.direction, angry.to_senior, angry.negative) == ("email", "in", True, True)
    assert angry.subject == "Why is this not done yet?!"
    assert angry.sender == "jan.kowalski@acme.example"
    assert (reply.direction, reply.in_reply_to) == ("out", "CAF1a2b3@mail.acme.example")
    assert reply.to_senior is False
    assert (call.channel, call.to_senior) == ("phone", None)  # empty: not said
    assert chat.channel == "chat" and chat.to_senior is True and chat.negative is False


def test_message_without_id_gets_a_content_key():
    records, _ = run(read_messages, "messages.csv")
    assert records[2].key.startswith("sha256:")


def test_bad_message_rows():
    records, problems = run(read_messages, "messages_messy.csv")
    assert [r.key for r in records] == ["x5"]
    assert reasons(problems) == [
        (2, "sent_at", "'yesterday' is not a date and time; write it as 2026-03-05T09:00:00+01:00"),
        (3, "channel", "'fax' is not a channel (email, phone, chat, sms or other)"),
        (4, "direction", "'sideways' is not a direction (in: from the client, out: to the client)"),
        (5, "to_senior", "'perhaps' is neither yes nor no"),
        (7, "message_id", "the id 'x5' was already used on line 6"),
    ]


@pytest.mark.parametrize(
    ("word", "direction"), [("in", "in"), ("Inbound", "in"), ("OUT", "out"), ("outgoing", "out"), ("", "")]
)
def test_direction_words(word, direction):
    data = csv_text("messages", f"Acme,,m,2026-03-06T22:47:00+01:00,email,{word},,,,")
    records, _ = run(read_messages, "x.csv", data)
    assert records[0].direction == direction


@pytest.mark.parametrize(
    ("word", "channel"), [("", "email"), ("E-mail", "email"), ("SMS", "sms"), ("phone call", "phone")]
)
def test_channel_words(word, channel):
    data = csv_text("messages", f"Acme,,m,2026-03-06T22:47:00+01:00,{word},in,,,,")
    records, _ = run(read_messages, "x.csv", data)
    assert records[0].channel == channel


# ---- requests (W1, W14) -------------------------------------------------------------------------------


def test_requests_read_back_as_exported():
    records, problems = run(read_requests, "requests.csv")
    assert not problems
    late, open_, on_time = records
    assert (late.key, late.description) == ("rq-1", "Bank statements, February")
    assert (late.requested_on, late.due_on, late.received_on) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 18),
    )
    assert open_.received_on is None
    assert on_time.received_on == on_time.due_on and on_time.key.startswith("sha256:")


def test_requests_with_semicolons_and_day_first_dates():
    records, problems = run(read_requests, "requests_dmy_semicolon.csv")
    assert not problems
    assert [(r.requested_on, r.due_on, r.received_on) for r in records] == [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 10), dt.date(2026, 3, 18)),
        (dt.date(2026, 3, 15), dt.date(2026, 3, 25), None),
    ]
    assert records[0].description == "Wyciągi bankowe"


def test_bad_request_rows():
    records, problems = run(read_requests, "requests_messy.csv")
    assert records == []
    assert [(line, column) for line, column, _ in reasons(problems)] == [
        (2, "due_on"),
        (3, "description"),
        (4, "due_on"),
        (5, "received_on"),
    ]


def test_request_due_the_day_it_is_made_is_accepted():
    data = csv_text("requests", "Acme,,r,Docs,2026-03-01,2026-03-01,")
    records, problems = run(read_requests, "x.csv", data)
    assert len(records) == 1 and not problems


def test_date_outside_the_supported_years_is_a_problem():
    data = csv_text("requests", "Acme,,r,Docs,1899-12-31,2026-03-01,", "Acme,,s,Docs,1900-01-01,2026-03-01,")
    records, problems = run(read_requests, "x.csv", data)
    assert [r.key for r in records] == ["s"]
    assert reasons(problems)[0][:2] == (2, "requested_on")


# ---- incidents (W5, W6, W8, W9, W13, W15) -----------------------------------------------------------


def test_incidents_of_every_kind_read_back_as_exported():
    records, problems = run(read_incidents, "incidents.csv")
    assert not problems
    assert [r.incident_kind for r in records] == [
        "rework",
        "scope_creep",
        "expertise_challenged",
        "contract_ignored",
        "disrespect",
        "haggling",
    ]
    assert [r.hours_lost for r in records] == [D("2.5"), D("1.25"), D("0"), D("0"), D("0.5"), D("0.75")]
    assert records[1].note == "Asked for a cash-flow forecast, free"
    assert records[0].occurred_on == dt.date(2026, 2, 10)


def test_bad_incident_rows():
    records, problems = run(read_incidents, "incidents_messy.csv")
    assert [(r.key, r.incident_kind) for r in records] == [("i4", "scope_creep")]
    assert [(line, column) for line, column, _ in reasons(problems)] == [
        (2, "kind"),
        (3, "occurred_on"),
        (4, "hours_lost"),
    ]


# ---- shared ---------------------------------------------------------------------------------------------


def test_column_names_match_ignoring_case_and_spaces():
    data = b" Client ,CLIENT_EMAIL, Kind ,Occurred_On\nAcme,,rework,2026-02-10\n"
    records, problems = run(read_incidents, "x.csv", data)
    assert not problems and records[0].client.name == "Acme"


def test_column_key():
    assert column_key(" *ContactName ") == "contactname"
    assert column_key("Start  Date") == "start date"


def test_split_emails():
    assert split_emails("Jan <Jan@Acme.example>; b@acme.example, c@acme.example d@acme.example") == (
        ["jan@acme.example", "b@acme.example", "c@acme.example", "d@acme.example"],
        [],
    )
    assert split_emails("jan@acme.example, nobody") == (["jan@acme.example"], ["nobody"])
    assert split_emails("mailto:x@y.example") == (["x@y.example"], [])


def test_readers_by_kind():
    assert {
        "meetings": read_meetings,
        "messages": read_messages,
        "requests": read_requests,
        "incidents": read_incidents,
    } == READERS


def test_bom_is_ignored():
    assert (SAMPLES / "meetings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    records, problems = run(read_meetings, "meetings.csv")
    assert records[0].client.name == "Acme Sp. z o.o." and not problems


# ---- what a spreadsheet does to our files on their way back ------------------------------------------

_OURS = [
    (read_meetings, "meetings.csv"),
    (read_messages, "messages.csv"),
    (read_requests, "requests.csv"),
    (read_requests, "requests_dmy_semicolon.csv"),
    (read_incidents, "incidents.csv"),
]


@pytest.mark.parametrize(("reader", "sample"), _OURS)
def test_a_title_line_added_above_the_header_is_skipped_and_lines_stay_the_files(reader, sample):
    data = (SAMPLES / sample).read_bytes().lstrip(b"\xef\xbb\xbf")
    expected, _ = run(reader, sample, data)
    for title in (b"Exported for the partners' meeting\r\n", b"Acme advisory\r\nQ1 2026\r\n\r\n"):
        records, problems = run(reader, sample, title + data)
        assert not problems
        shift = title.count(b"\n")
        assert [(r.key, r.source.line) for r in records] == [(r.key, r.source.line + shift) for r in expected]


@pytest.mark.parametrize(("reader", "sample"), _OURS)
@pytest.mark.parametrize("total", ["Total", "TOTAL:", "Razem", "Итого"])
def test_a_total_row_below_our_rows_is_not_a_row_nor_a_problem(reader, sample, total):
    data = (SAMPLES / sample).read_bytes()
    sep = b";" if b";" in data.split(b"\n", 1)[0] else b","
    width = data.split(b"\n", 1)[0].count(sep) + 1
    row = total.encode() + sep * (width - 2) + sep + b"12"
    records, problems = run(reader, sample, data.rstrip(b"\r\n") + b"\r\n" + row + b"\r\n")
    assert not problems
    assert [r.key for r in records] == [r.key for r in run(reader, sample)[0]]


# ---- bad input never raises anything but FileUnreadable (issue 10 §5) --------------------------------

TYPES = {
    read_meetings: MeetingRecord,
    read_messages: MessageRecord,
    read_requests: RequestRecord,
    read_incidents: IncidentRecord,
}


def _read_anything(reader, data: bytes) -> None:
    try:
        for record in reader(io.BytesIO(data), "fuzz.csv", ReadOptions(time_zone="Europe/Warsaw"), Problems()):
            assert isinstance(record, TYPES[reader])
    except FileUnreadable:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(list(TYPES)))
def test_random_bytes_give_records_problems_or_unreadable(data, reader):
    _read_anything(reader, data)


VALID = {
    read_meetings: (SAMPLES / "meetings.csv").read_bytes(),
    read_messages: (SAMPLES / "messages.csv").read_bytes(),
    read_requests: (SAMPLES / "requests.csv").read_bytes(),
    read_incidents: (SAMPLES / "incidents.csv").read_bytes(),
}


@st.composite
def mutated(draw):
    reader = draw(st.sampled_from(list(VALID)))
    data = bytearray(VALID[reader])
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        where = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
        if action == "flip":
            data[where] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[where : where + draw(st.integers(1, 20))]
        elif action == "insert":
            data[where:where] = draw(
                st.sampled_from(
                    [b'"', b",", b"\n", b"\x00", b"Z", b"+99:00", b"9999-12-31T23:59:59-23:59", b"0001-01-01"]
                )
            )
        else:
            del data[where:]
    return reader, bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_exports_give_records_problems_or_unreadable(case):
    reader, data = case
    _read_anything(reader, data)


# ---- the firm's own sheets in Polish, Russian, Romanian and Hebrew --------------------------------------


def test_a_polish_meetings_sheet_saved_by_excel_reads_its_statuses_w4():
    data = (
        "client;starts_at;ends_at;status;cancelled_at\r\n"
        "Acme;05.01.2026 10:00;05.01.2026 11:00;odbyte;\r\n"
        "Acme;12.01.2026 10:00;12.01.2026 11:00;Odwołane przez klienta;12.01.2026 08:30\r\n"
        "Acme;19.01.2026 10:00;19.01.2026 11:00;nieobecność;\r\n"
        "Acme;26.01.2026 10:00;26.01.2026 11:00;odwołane przez nas;25.01.2026 12:00\r\n"
    ).encode("cp1250")
    records, problems = run(read_meetings, "spotkania.csv", data)
    assert reasons(problems) == []
    assert [r.status for r in records] == [
        MeetingStatus.HELD,
        MeetingStatus.CANCELLED_BY_CLIENT,
        MeetingStatus.NO_SHOW,
        MeetingStatus.CANCELLED_BY_US,
    ]


@pytest.mark.parametrize(
    ("channel", "direction", "expected"),
    [
        ("звонок", "входящее", ("phone", "in")),
        ("telefon", "wychodząca", ("phone", "out")),
        ("WhatsApp", "de la client", ("chat", "in")),
        ('דוא"ל', "יוצא", ("email", "out")),
        ("смс", "исходящее", ("sms", "out")),
    ],
)
def test_a_messages_sheet_in_the_firms_language_reads_its_channels_and_directions(channel, direction, expected):
    data = f'client,sent_at,channel,direction\nAcme,2026-01-05 21:30,"{channel.replace(chr(34), chr(34) * 2)}",{direction}\n'
    records, problems = run(read_messages, "wiadomosci.csv", data.encode())
    assert reasons(problems) == []
    assert (records[0].channel, records[0].direction) == expected


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("переделка", "rework"),
        ("Targowanie się", "haggling"),
        ("עבודה חוזרת", "rework"),
        ("lipsă de respect", "disrespect"),
    ],
)
def test_an_incidents_sheet_in_the_firms_language_reads_its_kinds(word, kind):
    records, problems = run(
        read_incidents, "incydenty.csv", f"client,kind,occurred_on\nAcme,{word},2026-01-05\n".encode()
    )
    assert reasons(problems) == [] and records[0].incident_kind == kind


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("5 ian. 2026", dt.date(2026, 1, 5)),
        ("5 stycznia 2026 r.", dt.date(2026, 1, 5)),
        ("3 paź 2026", dt.date(2026, 10, 3)),
        ("5 мая 2026 г.", dt.date(2026, 5, 5)),
        ("12-Feb-26", dt.date(2026, 2, 12)),
    ],
)
def test_dates_with_month_names_as_romanian_polish_and_russian_excel_show_them(written, day):
    records, problems = run(
        read_requests,
        "cereri.csv",
        f'client,description,requested_on,due_on\nAcme,Extrase,"{written}","{written}"\n'.encode(),
    )
    assert reasons(problems) == [] and records[0].requested_on == day


def test_a_column_name_typed_with_a_line_break_is_one_name_below_a_title_and_lines_still_count():
    """Alt+Enter in a spreadsheet's header cell: the CSV writes the name quoted over two lines."""
    data = (
        b"Requests we sent\r\n\r\n"
        b'client,"description\r\nof the request",requested_on,due_on\r\n'
        b"Acme,Bank statements,2026-04-01,2026-04-10\r\n"
        b"Acme,Payroll,2026-04-31,2026-05-10\r\n"
    )
    records, problems = run(read_requests, "requests.csv", data, mapping={"description": "description of the request"})
    assert [r.description for r in records] == ["Bank statements"]
    assert [(line, column) for line, column, _reason in reasons(problems)] == [(6, "requested_on")]
