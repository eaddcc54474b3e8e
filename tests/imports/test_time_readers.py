"""Time tracking CSV reader (issue 10 §2): Toggl Track, Harvest and Clockify exports and the generic
columns, on sample exports in tests/imports/samples/time/.

Hours feed W11 (not worth the time: revenue per hour worked) and W13 (unrealistic expectations: the
share of unbilled hours). No database: readers are plain functions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parting.imports.problems import FileUnreadable, Problems
from parting.imports.readers.timesheets import PRESETS, detect, read
from parting.imports.records import ReadOptions, TimeRecord

SAMPLES = Path(__file__).parent / "samples" / "time"
D = Decimal


def entries(name: str, data: bytes | None = None, **options) -> tuple[list[TimeRecord], Problems]:
    problems = Problems()
    stream = io.BytesIO(data if data is not None else (SAMPLES / name).read_bytes())
    records = list(read(stream, name, ReadOptions(**options), problems))
    return records, problems


def reasons(problems: Problems) -> list[tuple[int, str, str]]:
    return [(p.source.line, p.column, p.reason) for p in problems]


TOGGL_HEAD = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (EUR)\n"
GENERIC_HEAD = "client,client_email,id,date,hours,billable,person,project,note\n"


# ---- Toggl Track ------------------------------------------------------------------------------------


def test_toggl_classic_durations_under_an_hour_and_a_minute_are_read():
    """Toggl's "classic" duration format writes 01:47:06 above an hour, "47:24 min" under one and
    "34 sec" under a minute: a few-second entry must not stop the whole file (W13)."""
    records, problems = entries("toggl_classic_durations.csv")
    assert not problems
    assert [r.hours for r in records] == [D("1.78"), D("0.79"), D("0.01")]


def test_toggl_client_names_with_commas_come_through_intact():
    records, problems = entries("toggl_detailed.csv")
    assert not problems
    names = {r.client.name for r in records}
    assert names == {"Kowalski, Zieliński i Wspólnicy Sp. k.", "Smith, Jones & Partners Ltd", 'The "Best" Bakery, Inc.'}
    assert records[0].note == "VAT return, January"


def test_toggl_durations_hh_mm_ss_become_hours_w11():
    records, _ = entries("toggl_detailed.csv")
    assert [r.hours for r in records] == [D("1.50"), D("0.75"), D("0.25"), D("0.25"), D("1.50"), D("4.34")]
    assert records[0].date == dt.date(2026, 1, 5)
    assert records[0].person == "anna@biuro-nowak.pl"  # the Email column before User
    assert records[0].project == "Księgowość 2026"


def test_toggl_billable_no_is_unbilled_time_w13():
    records, _ = entries("toggl_detailed.csv")
    assert [r.billable for r in records] == [True, True, False, False, True, True]


def test_toggl_entry_over_midnight_counts_on_the_day_it_started():
    records, _ = entries("toggl_detailed.csv")
    night = next(r for r in records if r.project == "Payroll")
    assert night.date == dt.date(2026, 1, 6)


def test_toggl_zero_duration_entry_is_skipped_without_a_problem():
    records, problems = entries("toggl_detailed.csv")
    assert not problems
    assert all(r.note != "Timer started by mistake" for r in records)
    assert len(records) == 6  # 7 rows, one of 00:00:00


def test_several_entries_of_one_person_day_and_client_stay_separate():
    records, _ = entries("toggl_detailed.csv")
    same_day = [r for r in records if r.date == dt.date(2026, 1, 5)]
    assert len(same_day) == 4
    assert len({r.key for r in same_day}) == 4


def test_two_identical_rows_in_one_file_get_distinct_keys():
    records, _ = entries("toggl_detailed.csv")
    twins = [r for r in records if r.note == "Phone call about missing invoices"]
    assert len(twins) == 2
    assert twins[1].key == twins[0].key + "#2"
    assert twins[0].key.startswith("sha256:")


def test_reading_the_same_file_again_gives_the_same_keys():
    first, _ = entries("toggl_detailed.csv")
    again, _ = entries("toggl_detailed.csv")
    assert [r.key for r in first] == [r.key for r in again]


def test_records_name_the_line_they_come_from():
    records, _ = entries("toggl_detailed.csv")
    assert [r.source.line for r in records] == [2, 3, 4, 5, 6, 8]
    assert records[0].source.file == "toggl_detailed.csv"


def test_toggl_user_email_is_the_person_not_the_client():
    records, _ = entries("toggl_detailed.csv")
    assert all(r.client.emails == () for r in records)


def test_internal_time_without_a_client_does_not_stop_the_import_it_comes_without_a_client():
    """Toggl and Clockify allow projects without a client (admin, training): a real export mixes such
    entries with client work. They come without a client (the loader counts them as skipped, "no
    client named") and the client work is read; nothing is a problem."""
    records, problems = entries("clockify_internal_time.csv")
    assert not problems
    assert [(r.client.name, r.project, r.hours) for r in records] == [
        ("Clifton & Sons, Joiners", "Year-end accounts", D("2.25")),
        ("", "Admin", D("0.50")),
        ("", "Training", D("1.00")),
        ('Redland "Corner" Café Ltd', "VAT", D("0.75")),
    ]
    assert not records[1].client  # an empty reference: the loader skips it and counts it


def test_a_file_in_which_no_entry_names_a_client_is_one_problem_saying_to_map_the_project():
    data = (SAMPLES / "toggl_no_client.csv").read_text().replace(",Gamma Ltd,", ",,")
    _records, problems = entries("toggl.csv", data.encode())
    assert [(line, column) for line, column, _ in reasons(problems)] == [(1, "Client")]
    assert "--map client=Project" in reasons(problems)[0][2]


def test_an_entry_of_our_own_columns_without_a_client_is_a_problem():
    records, problems = entries("time.csv", (GENERIC_HEAD + ",,,2026-01-05,1.5,yes,anna,Audit,x\n").encode())
    assert records == []
    assert [(line, column) for line, column, _ in reasons(problems)] == [(2, "client")]


def test_mapping_the_project_as_client_reads_entries_without_a_client():
    records, problems = entries("toggl_no_client.csv", mapping={"client": "Project"})
    assert not problems
    assert [r.client.name for r in records] == ["Baker & Sons", "Baker & Sons", "Gamma Ltd: audit"]


def test_file_without_a_client_column_says_how_to_map_one():
    data = (
        b"Email,Project,Start date,Start time,Duration,Description\na@b.example,Acme,2026-01-05,09:00:00,01:00:00,x\n"
    )
    with pytest.raises(FileUnreadable) as error:
        entries("x.csv", data)
    assert "client" in error.value.reason and "--map client=Project" in error.value.reason


# ---- Harvest ----------------------------------------------------------------------------------------


def test_harvest_decimal_hours_and_names():
    records, problems = entries("harvest_detailed.csv")
    assert not problems
    assert [r.hours for r in records] == [D("1.50"), D("0.25"), D("2.33"), D("3.00")]
    assert records[0].client.name == "Popescu, Ionescu & Asociații SRL"
    assert records[0].person == "Maria Dumitrescu"
    assert records[0].note == "Bank statements, December"
    assert records[3].date == dt.date(2026, 1, 13)


def test_harvest_uses_tracked_hours_not_rounded_hours_w11():
    records, _ = entries("harvest_detailed.csv")
    assert records[2].hours == D("2.33")  # Hours Rounded says 2.5


def test_harvest_billable_question_column_w13():
    records, _ = entries("harvest_detailed.csv")
    assert [r.billable for r in records] == [True, True, False, True]


def test_harvest_zero_hours_is_skipped():
    records, problems = entries("harvest_detailed.csv")
    assert not problems and all(r.note != "Forgot to stop the timer" for r in records)


def test_harvest_resaved_by_polish_excel_cp1250_semicolons_decimal_commas():
    records, problems = entries("harvest_excel_pl_cp1250.csv")
    assert not problems
    assert [r.client.name for r in records] == [
        "Przedsiębiorstwo Handlowe Łęczyca Sp. z o.o.",
        "Przedsiębiorstwo Handlowe Łęczyca Sp. z o.o.",
        "Świętokrzyska Spółdzielnia Mleczarska",
    ]
    assert [r.hours for r in records] == [D("1.50"), D("0.75"), D("2.25")]
    assert [r.date for r in records] == [dt.date(2026, 1, 12), dt.date(2026, 1, 13), dt.date(2026, 1, 31)]
    assert records[0].person == "Łukasz Żółkiewski"


# ---- Clockify ---------------------------------------------------------------------------------------


def test_clockify_us_dates_month_first_and_decimal_duration():
    records, problems = entries("clockify_detailed_us.csv")
    assert not problems
    assert [r.date for r in records] == [
        dt.date(2026, 1, 13),
        dt.date(2026, 1, 14),
        dt.date(2026, 1, 14),
        dt.date(2026, 1, 15),
    ]
    assert [r.hours for r in records] == [D("1.28"), D("2.50"), D("0.75"), D("1.50")]
    assert records[0].client.name == "Baker, Smith & Sons LLC"
    assert records[2].billable is False


def test_clockify_total_line_is_not_an_entry():
    records, problems = entries("clockify_detailed_us.csv")
    assert len(records) == 4 and not problems


def test_clockify_hh_mm_ss_duration_when_there_is_no_decimal_column():
    data = (SAMPLES / "clockify_detailed_us.csv").read_text().replace("Duration (decimal)", "Rate note")
    records, problems = entries("x.csv", data.encode())
    assert not problems
    assert [r.hours for r in records] == [D("1.28"), D("2.50"), D("0.75"), D("1.50")]


def test_clockify_russian_settings_cp1251_day_first_and_decimal_commas():
    records, problems = entries("clockify_ru_cp1251.csv")
    assert not problems
    assert [r.client.name for r in records] == ["ООО «Ромашка»", "ООО «Ромашка»", "ИП Сидоров А. В."]
    assert [r.date for r in records] == [dt.date(2026, 1, 13), dt.date(2026, 1, 14), dt.date(2026, 1, 31)]
    assert [r.hours for r in records] == [D("1.50"), D("0.50"), D("2.25")]
    assert records[2].note == "Расчёт зарплаты, январь"


def test_ambiguous_day_month_column_asks_the_user():
    with pytest.raises(FileUnreadable) as error:
        entries("clockify_ambiguous_dates.csv")
    assert error.value.column == "Start Date"
    assert "day or the month" in error.value.reason


@pytest.mark.parametrize(("order", "dates"), [("mdy", [(3, 4), (5, 6)]), ("dmy", [(4, 3), (6, 5)])])
def test_ambiguous_dates_read_in_the_order_the_user_gives(order, dates):
    records, problems = entries("clockify_ambiguous_dates.csv", date_order=order)
    assert not problems
    assert [(r.date.month, r.date.day) for r in records] == dates


def test_day_month_order_is_decided_over_start_and_end_dates_together():
    # Only the end date of the second row shows the order (13 > 12).
    head = "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal)\n"
    data = head + "P,C,d,,U,,u@x.example,,Yes,01/02/2026,23:00:00,01/02/2026,23:30:00,00:30:00,0.50\n"
    data += "P,C,d,,U,,u@x.example,,Yes,12/01/2026,23:00:00,13/01/2026,01:00:00,02:00:00,2.00\n"
    records, problems = entries("x.csv", data.encode())
    assert not problems
    assert [r.date for r in records] == [dt.date(2026, 2, 1), dt.date(2026, 1, 12)]


# ---- generic ------------------------------------------------------------------------------------------


def test_generic_columns_as_the_export_writes_them():
    records, problems = entries("generic.csv")
    assert not problems
    assert [r.key for r in records] == ["te-101", "te-102", "te-103"]
    first = records[0]
    assert (first.client.name, first.client.emails) == ("Acme Sp. z o.o.", ("biuro@acme.example",))
    assert (first.date, first.hours, first.billable) == (dt.date(2026, 1, 5), D("1.50"), True)
    assert (first.person, first.project, first.note) == ("anna@firm.example", "Bookkeeping", "Bank, cash and VAT")
    assert records[2].client.name == "" and records[2].client.emails == ("ops@levi.example",)


def test_generic_repeated_id_is_a_problem():
    data = GENERIC_HEAD + "Acme,,t1,2026-01-05,1,yes,a,,\nAcme,,t1,2026-01-06,1,yes,a,,\n"
    records, problems = entries("x.csv", data.encode())
    assert len(records) == 1
    assert reasons(problems) == [(3, "id", "the id 't1' was already used on line 2")]


def test_messy_file_reports_every_bad_row_with_line_and_column():
    records, problems = entries("messy.csv")
    assert [r.source.line for r in records] == [2, 6, 13]
    assert [(line, column) for line, column, _ in reasons(problems)] == [
        (3, "date"),
        (4, "hours"),
        (5, "hours"),
        (7, "client"),
        (9, "client_email"),
        (10, "billable"),
        (11, "date"),
        (12, "hours"),
    ]
    text = dict(((line, reason) for line, _, reason in reasons(problems)))
    assert "'2026-02-30' is not a date" in text[3]
    assert "more than 24 hours" in text[5]


@pytest.mark.parametrize(
    ("duration", "hours"),
    [("24:00:00", D("24.00")), ("24", D("24.00")), ("23:59:59", D("24.00")), ("0:00:36", D("0.01"))],
)
def test_an_entry_of_up_to_24_hours_is_accepted(duration, hours):
    records, problems = entries("x.csv", (GENERIC_HEAD + f"Acme,,,2026-01-05,{duration},yes,a,,\n").encode())
    assert not problems
    assert [r.hours for r in records] == [hours]


@pytest.mark.parametrize("duration", ["24:00:01", "24.01", "24,5", "25:00", "24.5 h", "1441 min"])
def test_an_entry_over_24_hours_is_a_problem(duration):
    records, problems = entries("x.csv", (GENERIC_HEAD + f'Acme,,,2026-01-05,"{duration}",yes,a,,\n').encode())
    assert records == []
    assert [(line, column) for line, column, _ in reasons(problems)] == [(2, "hours")]


@pytest.mark.parametrize("duration", ["0", "0:00", "0:00:00", "0.00", "0:00:10"])
def test_zero_duration_is_skipped_silently(duration):
    records, problems = entries("x.csv", (GENERIC_HEAD + f"Acme,,,2026-01-05,{duration},yes,a,,\n").encode())
    assert records == [] and not problems


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("1:30:00", D("1.50")),
        ("01:30", D("1.50")),
        ("1.5", D("1.50")),
        ("1,5", D("1.50")),
        ("1.50 h", D("1.50")),  # Toggl's "decimal" display format
        ("1,5 h", D("1.50")),
        ("47:24 min", D("0.79")),  # Toggl's "classic" format under an hour: minutes and seconds
        ("90 min", D("1.50")),
    ],
)
def test_durations_in_every_written_form(text, hours):
    records, _ = entries("x.csv", (GENERIC_HEAD + f'Acme,,,2026-01-05,"{text}",yes,a,,\n').encode())
    assert [r.hours for r in records] == [hours]


def test_empty_billable_cell_counts_as_billable_like_a_typed_entry():
    records, _ = entries("x.csv", (GENERIC_HEAD + "Acme,,,2026-01-05,1,,a,,\n").encode())
    assert records[0].billable is True


def test_missing_required_columns_name_them_and_the_files_columns():
    with pytest.raises(FileUnreadable) as error:
        entries("missing_columns.csv")
    reason = error.value.reason
    assert "date" in reason and "hours" in reason
    assert "'Client', 'Project', 'Description', 'Start date'" in reason


def test_truncated_file_reports_its_last_row():
    records, problems = entries("truncated.csv")
    assert len(records) == 1
    assert [line for line, _, _ in reasons(problems)] == [3]
    assert "cut short" in reasons(problems)[0][2]


def test_mapping_to_a_column_the_file_lacks_is_refused():
    with pytest.raises(FileUnreadable) as error:
        entries("generic.csv", mapping={"hours": "Stunden"})
    assert "'Stunden'" in error.value.reason


def test_unknown_format_is_refused():
    with pytest.raises(FileUnreadable):
        entries("generic.csv", format="stripe")


def test_stream_stays_open_for_the_caller():
    stream = io.BytesIO((SAMPLES / "toggl_detailed.csv").read_bytes())
    list(read(stream, "t.csv", ReadOptions(), Problems()))
    assert not stream.closed


def test_binary_file_is_unreadable():
    with pytest.raises(FileUnreadable):
        entries("x.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


# ---- detection ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "preset"),
    [
        ("toggl_detailed.csv", "toggl"),
        ("harvest_detailed.csv", "harvest"),
        ("harvest_excel_pl_cp1250.csv", "harvest"),
        ("clockify_detailed_us.csv", "clockify"),
        ("clockify_ru_cp1251.csv", "clockify"),
        ("toggl_detailed_current_us.csv", "toggl"),
        ("clockify_de_semicolon.csv", "clockify"),
        ("harvest_us_excel_hhmm.csv", "harvest"),
        ("generic.csv", None),
    ],
)
def test_detect_recognises_each_export(sample, preset):
    from parting.imports.text import csv_rows

    header = csv_rows(io.BytesIO((SAMPLES / sample).read_bytes())).header
    assert detect(header) == preset


def test_presets_are_named_for_the_options():
    assert {"toggl", "harvest", "clockify", "generic"} <= set(PRESETS)


def test_forcing_a_preset_reads_the_file_with_it():
    records, problems = entries("harvest_detailed.csv", format="harvest")
    assert len(records) == 4 and not problems


# ---- bad input never raises anything but FileUnreadable (issue 10 §5) --------------------------------


def _read_anything(data: bytes, **options) -> None:
    try:
        for record in read(io.BytesIO(data), "fuzz.csv", ReadOptions(**options), Problems()):
            assert isinstance(record, TimeRecord)
            assert D("0") < record.hours <= D("24")
    except FileUnreadable:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_give_records_problems_or_unreadable(data):
    _read_anything(data)


VALID = [
    (SAMPLES / name).read_bytes()
    for name in ("toggl_detailed.csv", "harvest_detailed.csv", "clockify_ru_cp1251.csv", "generic.csv")
]


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(VALID)))
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
                st.sampled_from([b'"', b",", b";", b"\n", b"\x00", b"\xff\xfe", b"99:99:99", b"-1", b"31/02/2026"])
            )
        else:
            del data[where:]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from(["", "toggl", "harvest", "clockify", "generic"]))
def test_mutated_exports_give_records_problems_or_unreadable(data, fmt):
    _read_anything(data, format=fmt)


# ---- current and localised exports, as users' settings shape them ---------------------------------------


def test_toggl_current_export_member_column_stop_date_us_dates_and_twelve_hour_clock():
    records, problems = entries("toggl_detailed_current_us.csv")
    assert list(problems) == []
    assert [(r.date, r.hours, r.client.name, r.person, r.billable) for r in records] == [
        (dt.date(2026, 1, 13), D("1.50"), "Harbor Freight Co, Inc.", "grace@ledgerline.example", True),
        (dt.date(2026, 1, 13), D("0.25"), "Harbor Freight Co, Inc.", "grace@ledgerline.example", False),
        (dt.date(2026, 1, 14), D("1.25"), "Harbor Freight Co, Inc.", "grace@ledgerline.example", True),
        (dt.date(2026, 1, 20), D("2.45"), "Olive & Thyme LLC", "omar@ledgerline.example", True),
    ]  # the 0:00:00 entry (a timer stopped at once) is left out; 11:30 PM → 12:45 AM counts on its start day


def test_toggl_twelve_hour_start_times_keep_entries_at_am_and_pm_apart():
    head = "Member,Email,Client,Project,Task,Description,Billable,Start date,Start time,Stop date,Stop time,Duration,Tags\n"
    row = "A,a@x.example,Acme,P,,Same,Yes,01/13/2026,{t},01/13/2026,,1:00:00,\n"
    records, _ = entries("x.csv", (head + row.format(t="09:00 AM") + row.format(t="09:00 PM")).encode())
    assert len({r.key for r in records}) == 2


def test_clockify_german_headers_semicolons_dotted_dates_ja_nein_and_decimal_commas():
    records, problems = entries("clockify_de_semicolon.csv")
    assert list(problems) == []
    assert [(r.date, r.hours, r.client.name, r.billable, r.note) for r in records] == [
        (dt.date(2026, 1, 12), D("1.50"), "Bäckerei Krüger GmbH & Co. KG", True, "Belege sortieren; Kasse"),
        (dt.date(2026, 1, 13), D("0.75"), "Bäckerei Krüger GmbH & Co. KG", False, "Rückfrage Inventur"),
        (dt.date(2026, 1, 31), D("2.25"), "Schmidt; Partner Architekten", True, "Lohnabrechnung Januar"),
    ]
    assert records[0].person == "lena@steuerbuero-vogt.example"


def test_harvest_hh_mm_hours_from_us_excel_with_month_first_dates_w11():
    records, problems = entries("harvest_us_excel_hhmm.csv")
    assert list(problems) == []
    assert [(r.date, r.hours, r.client.name, r.person, r.billable) for r in records] == [
        (dt.date(2026, 1, 5), D("1.50"), "Olive & Thyme, LLC", "Omar Haddad", True),
        (dt.date(2026, 1, 13), D("0.75"), "Olive & Thyme, LLC", "Omar Haddad", False),  # tracked, not rounded
        (dt.date(2026, 1, 31), D("2.33"), "Harbor Freight Co", "Grace Miller", True),
    ]


@pytest.mark.parametrize(("flag", "billable"), [("Ja", True), ("Nein", False), ("Yes", True), ("No", False)])
def test_clockify_billable_in_english_and_german(flag, billable):
    head = "Projekt,Kunde,Beschreibung,Benutzer,Email,Abrechenbar,Startdatum,Startzeit,Dauer (h),Dauer (dezimal)\n"
    data = head + f'P,Acme,D,U,u@x.example,{flag},12.01.2026,08:00:00,01:00:00,"1,00"\n'
    (record,), problems = entries("x.csv", data.encode())
    assert record.billable is billable and not problems


def test_a_billable_cell_in_no_known_language_is_a_problem_at_its_line_and_column():
    head = "Projekt,Kunde,Beschreibung,Benutzer,Email,Abrechenbar,Startdatum,Startzeit,Dauer (h),Dauer (dezimal)\n"
    data = head + 'P,Acme,D,U,u@x.example,vielleicht,12.01.2026,08:00:00,01:00:00,"1,00"\n'
    records, problems = entries("x.csv", data.encode())
    assert records == []
    assert [(line, column) for line, column, _ in reasons(problems)] == [(2, "Abrechenbar")]


@pytest.mark.parametrize(("word", "skipped"), [("Gesamt", True), ("Total", True), ("Acme", False)])
def test_a_closing_total_line_in_german_is_not_an_entry(word, skipped):
    head = "Projekt;Kunde;Beschreibung;Benutzer;Email;Abrechenbar;Startdatum;Startzeit;Dauer (h);Dauer (dezimal)\n"
    data = head + "P;Acme;D;U;u@x.example;Ja;12.01.2026;08:00:00;01:00:00;1,00\n" + f";{word};;;;;;;01:00:00;1,00\n"
    records, problems = entries("x.csv", data.encode())
    assert len(records) == 1
    assert (not problems) is skipped


def test_harvest_export_with_billable_without_question_mark_reads_the_flag():
    head = "Date,Client,Project,Project Code,Task,Notes,Hours,Billable,First Name,Last Name\n"
    data = head + "2026-01-12,Acme,P,,T,N,1.5,No,Ann,Lee\n"
    (record,), problems = entries("x.csv", data.encode(), format="harvest")
    assert record.billable is False and not problems


@pytest.mark.django_db
def test_w11_toggl_current_export_end_to_end_loads_each_entry_on_its_start_day():
    """Loaded into a firm: Harbor Freight's three entries (1:30, 0:15 unbilled, 1:15 over midnight,
    counted on the day it started) are its hours worked (W11's denominator); Olive & Thyme's zero-length
    entry adds nothing."""
    import time_machine

    from parting.clients.models import Client
    from parting.evidence.models import TimeEntry
    from parting.firms.models import Membership
    from parting.firms.services import firm_create, member_add
    from parting.imports.services import run_import

    with time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC), tick=False):
        firm = firm_create(
            name="Ledgerline",
            slug="ledgerline",
            time_zone="America/New_York",
            currency="USD",
            working_hours=[(day, dt.time(9), dt.time(17)) for day in range(5)],
            email="office@ledgerline.example",
        )
        membership, _password = member_add(
            firm=firm, username="grace", role=Membership.Role.OWNER, email="grace@ledgerline.example"
        )
        harbor = Client.objects.create(firm=firm, name="Harbor Freight Co, Inc.")
        olive = Client.objects.create(firm=firm, name="Olive & Thyme LLC")
        path = SAMPLES / "toggl_detailed_current_us.csv"
        result = run_import(firm=firm, by=membership.user, kind="time", paths=[path])
        assert result.ok, [str(p) for p in result.problems]
        entries_of = TimeEntry.objects.filter(firm=firm)
        assert sorted(entries_of.filter(client=harbor).values_list("date", "hours", "billable")) == [
            (dt.date(2026, 1, 13), D("0.25"), False),
            (dt.date(2026, 1, 13), D("1.50"), True),
            (dt.date(2026, 1, 14), D("1.25"), True),
        ]
        assert list(entries_of.filter(client=olive).values_list("hours", flat=True)) == [D("2.45")]
        again = run_import(firm=firm, by=membership.user, kind="time", paths=[path])
        assert again.ok and entries_of.count() == 4  # the same file twice adds nothing


@pytest.mark.parametrize("hint", ["sep=,\r\n", '"sep=,"\r\n', "SEP=,\n"])
def test_excel_separator_line_above_the_header_is_read_as_the_separator_not_as_the_header(hint):
    """Excel writes "sep=," (or "sep=;") as line 1 of a CSV for other regions; the header is line 2."""
    data = hint.encode() + (SAMPLES / "toggl_detailed.csv").read_bytes()
    records, problems = entries("toggl_detailed.csv", data)
    plain, _ = entries("toggl_detailed.csv")
    assert not problems and [(r.client.name, r.hours, r.date) for r in records] == [
        (r.client.name, r.hours, r.date) for r in plain
    ]


def test_a_bad_row_below_an_excel_separator_line_is_reported_on_its_own_line_number():
    data = ("sep=;\r\n" + "client;date;hours\r\n" + "Acme;2026-01-05;1,5\r\n" + "Acme;2026-01-06;soon\r\n").encode()
    _records, problems = entries("hours.csv", data)
    assert [line for line, _column, _reason in reasons(problems)] == [4]


@pytest.mark.parametrize("sample", ["toggl_summary.csv", "clockify_summary.csv"])
def test_a_summary_report_is_refused_saying_to_export_the_detailed_report(sample):
    """Toggl's and Clockify's summary reports add the hours up per project and client (`Duration`;
    `Time (h)`, `Time (decimal)`) with no day for each entry: no mapping can make entries of them, so
    the problem says which report to export, rather than asking to rename columns."""
    with pytest.raises(FileUnreadable) as error:
        entries(sample)
    message = str(error.value)
    assert "summary" in message and "Detailed" in message
    assert "Rename the columns" not in message


def test_a_file_of_entries_whose_day_column_has_another_name_is_still_read_with_a_mapping():
    data = b"Day,Client,Duration\n2026-01-05,Acme,1:30:00\n"
    records, problems = entries("own.csv", data, mapping={"date": "Day", "hours": "Duration"})
    assert not problems
    assert [(r.date, r.hours) for r in records] == [(dt.date(2026, 1, 5), D("1.50"))]


@pytest.mark.django_db
def test_importing_client_work_and_internal_time_loads_the_work_and_counts_the_rest_as_skipped():
    from parting.evidence.models import TimeEntry
    from parting.imports.services import run_import
    from tests.factories import ClientFactory, FirmFactory

    firm = FirmFactory()
    ClientFactory(firm=firm, name="Clifton & Sons, Joiners")
    ClientFactory(firm=firm, name='Redland "Corner" Café Ltd')
    result = run_import(firm=firm, by=None, kind="time", paths=[SAMPLES / "clockify_internal_time.csv"])
    assert result.ok
    assert TimeEntry.objects.filter(client__firm=firm).count() == 2
    assert result.outcome.counts["time entries"]["skipped (no client named)"] == 2


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (
            "clockify_fr_detailed.csv",
            [
                ("Boulangerie Dupain, SARL", dt.date(2026, 1, 13), D("2.50"), True),
                ("Boulangerie Dupain, SARL", dt.date(2026, 1, 14), D("0.42"), False),
                ("Garage Leroy & Fils", dt.date(2026, 1, 30), D("1.25"), True),
            ],
        ),
        (
            "clockify_es_detailed.csv",
            [
                ("Ferretería López, S.L.", dt.date(2026, 1, 12), D("2.25"), True),
                ("Ferretería López, S.L.", dt.date(2026, 1, 15), D("0.50"), False),
            ],
        ),
        (
            "clockify_pt_br_detailed.csv",
            [
                ("Padaria São João Ltda.", dt.date(2026, 1, 20), D("1.50"), True),
                ("Padaria São João Ltda.", dt.date(2026, 1, 21), D("0.75"), False),
            ],
        ),
    ],
)
def test_clockify_in_french_spanish_and_portuguese_is_recognised_and_read(sample, expected):
    """Clockify writes the detailed report's headers in the user's language (`Date de début`,
    `Durée (décimal)`, `Facturable` Oui/Non; `Fecha de inicio`, `Duración (decimal)`, Sí/No;
    `Data de início`, `Duração (decimal)`, `Faturável` Sim/Não) with decimal commas. Each is
    recognised as Clockify and read like the English one."""
    data = (SAMPLES / sample).read_bytes()
    header = data.decode("utf-8-sig").splitlines()[0]
    assert detect(next(csv.reader([header]))) == "clockify"
    records, problems = entries(sample)
    assert not problems
    assert [(r.client.name, r.date, r.hours, r.billable) for r in records] == expected
    assert records[0].person.endswith(".example")  # the member's address, not a name


def test_w13_toggl_durations_a_us_spreadsheet_re_saved_as_times_of_day_are_read_as_durations():
    """Excel in a US region shows a duration it recognised as a time of day and saves it so: 1:30:00 AM
    is 1 h 30 min, 12:45:00 AM is 45 minutes, 12:00:00 PM is 12 hours (the same as the start and end
    times say)."""
    records, problems = entries("toggl_excel_us_durations_as_times_of_day.csv")
    assert not problems
    assert [r.hours for r in records] == [D("1.50"), D("0.75"), D("12.00")]


def test_a_time_entry_row_with_more_values_than_columns_is_a_problem_with_its_line():
    """A client name with a comma, not quoted ("Acme, Inc."), moved every value one column right."""
    data = (
        GENERIC_HEAD
        + "Acme,,T0,2026-01-05,2,yes,Ann,Website,\nAcme, Inc.,,T1,2026-01-05,1.5,yes,Ann,Website,Design review\n"
    ).encode()
    records, problems = entries("hours.csv", data)
    assert [(line, "10 values but the header has 9 columns" in reason) for line, _c, reason in reasons(problems)] == [
        (3, True)
    ]
    assert [r.hours for r in records] == [D("2")]  # the row before it is read


@pytest.mark.parametrize("written", ["09:15:00", "9:15:00", "09:15", "9:15 AM", "09:15:00 AM", "9.15 a.m."])
def test_an_entry_without_an_id_keeps_its_key_however_its_start_time_is_written(written):
    """Excel drops the leading zero, a tracker's profile switches between 12 and 24 hours: the same
    entry read again must find itself, or its hours count twice (W11)."""
    head = "Client,Project,Description,Start date,Start time,Duration\n"
    base, _ = entries("a.csv", (head + "Acme,Web,Review,2026-01-05,09:15:00,1:30:00\n").encode(), format="toggl")
    again, problems = entries(
        "a.csv", (head + f"Acme,Web,Review,2026-01-05,{written},1:30:00\n").encode(), format="toggl"
    )
    assert not problems and [r.key for r in again] == [r.key for r in base]


def test_entries_at_other_times_of_the_day_keep_their_own_keys():
    head = "Client,Project,Description,Start date,Start time,Duration\n"
    rows = "".join(f"Acme,Web,Review,2026-01-05,{t},1:30:00\n" for t in ("09:15 AM", "09:15 PM", "21:16", "12:00 AM"))
    records, problems = entries("a.csv", (head + rows).encode(), format="toggl")
    assert not problems and len({r.key for r in records}) == 4


@pytest.mark.parametrize("word", ["Total", "TOTAL:", "Razem", "Итого"])
def test_a_total_row_typed_in_the_date_column_is_not_an_entry_nor_a_problem(word):
    data = (
        "Date,Client,Project,Task,Notes,Hours,Billable?,First Name,Last Name\n"
        "2026-01-05,Acme,Web,Design,Review,1.5,Yes,Anna,Nowak\n"
        f"{word},,,,,1.5,,,\n"
    ).encode()
    records, problems = entries("harvest.csv", data)
    assert reasons(problems) == [] and [r.hours for r in records] == [D("1.5")]


def test_a_trackers_export_in_another_language_is_told_to_name_its_format_and_map_the_columns():
    data = "Projekt,Klient,Opis,Data rozpoczęcia,Czas trwania (h)\nStrona,Acme,Przegląd,05.01.2026,01:30:00\n".encode()
    with pytest.raises(FileUnreadable) as refused:
        entries("clockify_pl.csv", data)
    assert "lacks required columns" in refused.value.reason and "--format clockify" in refused.value.reason
    records, problems = entries(
        "clockify_pl.csv",
        data,
        format="clockify",
        mapping={"client": "Klient", "date": "Data rozpoczęcia", "hours": "Czas trwania (h)", "project": "Projekt"},
    )
    assert not problems and [(r.client.name, r.hours) for r in records] == [("Acme", D("1.50"))]
