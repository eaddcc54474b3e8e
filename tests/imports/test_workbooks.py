"""Excel workbooks (.xlsx) as the tools export them (issue 10 §2, §5): QuickBooks Online's "Export to
Excel", Toggl Track's, Harvest's and Clockify's Excel reports, Xero's. Each is read as the CSV export
of the same data is, with the same records, keys and problems; what only a workbook can say (a date
cell is a date; a currency format names its currency) is used; a damaged or hostile workbook is a
problem with a reason, never a crash, and nothing is written.

The workbooks are built by tests/imports/excel.py from the CSV samples, typed as the tools type their
cells (dates, times, ``[h]:mm:ss`` durations, numbers with a format), titles merged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from parting.evidence.models import Invoice, Payment, TimeEntry
from parting.imports import formats, workbook
from parting.imports.models import ImportRun
from parting.imports.problems import FileUnreadable, Problems
from parting.imports.records import ReadOptions
from parting.imports.services import run_import
from tests.factories import ClientFactory
from tests.imports.excel import excel_copy

SAMPLES = Path(__file__).parent / "samples"
TIMES = ("Start time", "End time", "Start Time", "End Time")


def read(kind: str, path: Path, **options):
    """The records (their file name blanked: the two files' names differ) and problems of ``path``."""
    problems = Problems()
    with workbook.opened(path) as stream:
        records = list(formats.reader(kind)(stream, path.name, ReadOptions(**options), problems))
    records = [dataclasses.replace(r, source=dataclasses.replace(r.source, file="")) for r in records]
    return records, [str(p).replace(path.name, "") for p in problems]


def xlsx(tmp_path: Path, rows: list[list], *, formats_by_column: dict[int, str] | None = None, name="book.xlsx"):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for column, fmt in (formats_by_column or {}).items():
        for cells in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cells[0].number_format = fmt
    path = tmp_path / name
    book.save(path)
    return path


# ---- an Excel export reads as the CSV export of the same data ---------------------------------


@pytest.mark.parametrize(
    ("kind", "sample", "copy"),
    [
        ("invoices", "money/quickbooks_invoice_list.csv", {"date_format": "%m/%d/%Y", "header_line": 5}),
        ("invoices", "money/quickbooks_invoice_list_sub_customers.csv", {"date_format": "%m/%d/%Y"}),
        ("invoices", "money/quickbooks_ar_aging_detail_uk_footer.csv", {"date_format": "%d/%m/%Y"}),
        ("payments", "money/quickbooks_transactions_by_customer.csv", {"date_format": "%m/%d/%Y"}),
        ("invoices", "money/xero_invoices.csv", {"date_format": "%d/%m/%Y"}),
        ("invoices", "money/xero_invoices_credit_notes_allocated.csv", {"date_format": "%d/%m/%Y"}),
        ("invoices", "money/freshbooks_invoice_details.csv", {"date_format": "%d/%m/%Y"}),
        ("payments", "money/freshbooks_payments_collected.csv", {"date_format": "%m/%d/%Y"}),
        ("payments", "money/generic_payments_two_parts.csv", {"date_format": "%Y-%m-%d"}),
        ("time", "time/toggl_detailed.csv", {"date_format": "%Y-%m-%d", "durations": ("Duration",), "times": TIMES}),
        ("time", "time/toggl_detailed_current_us.csv", {"date_format": "%m/%d/%Y", "times": TIMES}),
        ("time", "time/harvest_detailed.csv", {"date_format": "%Y-%m-%d"}),
        ("time", "time/clockify_detailed_us.csv", {"date_format": "%m/%d/%Y", "times": TIMES}),
        ("clients", "clients/xero_contacts.csv", {}),
        ("clients", "clients/quickbooks_customer_contact_list.csv", {}),
    ],
)
def test_an_excel_export_gives_the_records_keys_and_problems_of_the_csv_export(tmp_path, kind, sample, copy):
    source = SAMPLES / sample
    book = excel_copy(source, tmp_path / (source.stem + ".xlsx"), **copy)
    from_csv, from_excel = read(kind, source), read(kind, book)
    assert from_csv[0], "the sample has records"
    assert from_excel == from_csv  # same keys: importing one after the other adds nothing


def test_w7_a_quickbooks_workbook_names_the_currency_its_amount_format_shows(tmp_path):
    """QuickBooks shows `$980.00` in the CSV; the workbook holds 980 with a dollar format."""
    source = SAMPLES / "money/quickbooks_invoice_list.csv"
    book = excel_copy(source, tmp_path / "list.xlsx", date_format="%m/%d/%Y", header_line=5)
    records, problems = read("invoices", book, currency="EUR")
    assert not problems
    assert {r.number: r.currency for r in records}["1004"] == "USD"
    assert {r.number: r.currency for r in records}["1001"] == "EUR"  # no sign: the firm's


def test_w11_date_cells_settle_what_the_same_dates_as_text_leave_ambiguous(tmp_path):
    source = SAMPLES / "time/clockify_ambiguous_dates.csv"
    with pytest.raises(FileUnreadable, match="day or the month comes first"):
        read("time", source)
    book = excel_copy(source, tmp_path / "clockify.xlsx", date_format="%m/%d/%Y", times=TIMES)
    records, problems = read("time", book)
    assert not problems and dt.date(2026, 3, 4) in {r.date for r in records}


def test_a_problem_names_the_sheets_row(tmp_path):
    rows = [["client", "number", "issued_on", "amount"]]
    rows += [["Acme", f"A-{n}", dt.datetime(2026, 1, n), 100.0] for n in range(1, 6)]
    rows.append(["Acme", "A-6", dt.datetime(2026, 1, 6), "a hundred"])
    _records, problems = read("invoices", xlsx(tmp_path, rows))
    assert problems == [", line 7, column 'amount': 'a hundred' is not an amount"]


def test_a_row_whose_last_cells_are_empty_is_not_taken_for_a_file_cut_short(tmp_path):
    """A workbook stores no empty cells: a row ends at its last value, unlike a CSV line."""
    rows = [
        ["Date", "Client", "Project", "Task", "Notes", "Hours", "First Name", "Last Name", "External Reference URL"],
        [dt.datetime(2026, 1, 12), "Acme", "Books", "Bookkeeping", "Bank", 1.5, "Maria", "Dumitrescu", "https://x"],
        [dt.datetime(2026, 1, 13), "Acme", "Books", "Bookkeeping", None, 2.0, "Maria", "Dumitrescu"],
    ]
    records, problems = read("time", xlsx(tmp_path, rows))
    assert not problems and [r.hours for r in records] == [1.5, 2]


def test_a_sheet_declaring_a_wrong_size_is_read_whole(tmp_path):
    """Some writers declare the sheet's size as A1; openpyxl would then read one column."""
    path = xlsx(tmp_path, [["client", "number", "issued_on", "amount"], ["Acme", "A-1", dt.datetime(2026, 1, 5), 10.5]])
    rewritten = tmp_path / "small.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            target.writestr(item, data)
    records, problems = read("invoices", rewritten)
    assert not problems and [(r.number, r.amount, r.issued_on) for r in records] == [("A-1", 10.5, dt.date(2026, 1, 5))]


# ---- cells as the readers read them best --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "TRUE"),
        (0.1 + 0.2, "0.3"),  # a computed cell's float noise is not an amount of 0.30000000000000004
        (1200.5, "1200.5"),
        (3.0, "3"),
        (-0.0, "0"),
        (1e16, "10000000000000000"),  # never 1e+16
        (2.5e-7, "0.00000025"),
        (1.00000000001, "1"),
        (float("nan"), ""),
        (dt.datetime(2026, 1, 31), "2026-01-31"),
        (dt.datetime(2026, 1, 31, 9, 14, 59, 999_998), "2026-01-31 09:15:00"),  # a day's fraction, rounded
        (dt.date(2026, 1, 31), "2026-01-31"),
        (dt.time(9, 14, 59, 600_000), "09:15:00"),
        (dt.time(23, 59, 59, 700_000), "23:59:59"),  # never a 24:00 no reader takes
        (dt.timedelta(hours=26, minutes=5), "26:05:00"),  # a duration over a day stays hours
        (dt.timedelta(minutes=-90), "-1:30:00"),
        ("Line one\nline two\r\nthree", "Line one line two three"),  # one sheet row, one CSV line
    ],
)
def test_a_cell_is_written_as_the_readers_read_it_best(value, text):
    assert workbook.cell_text(value) == text


@pytest.mark.parametrize(
    ("number_format", "value", "text"),
    [
        ('"$"#,##0.00', 980, "$980.00"),
        ("$#,##0.00_);($#,##0.00)", -150.5, "-$150.50"),
        ("[$€-407] #,##0.00", 12.5, "€12.50"),
        ("#,##0.00\\ [$€-1]", 12.5, "12.50 €"),
        ("[$USD] #,##0.00", 7, "USD 7.00"),
        ('#,##0.00\\ "zł";\\-#,##0.00\\ "zł"', -350, "-350.00 zł"),
        ('#,##0.00 "lei"', 1, "1.00 lei"),
        ("[$-409]#,##0.00", 5, "5.00"),  # a locale, no currency
        ('0.00 "h"', 1.5, "1.50"),  # a unit is not a currency
        ('"Total "0', 3, "Total 3"),  # shown as a code: as displayed
        # current Excel names its locales: [$€-x-euro2], [$£-en-GB], [$zł-pl-PL]
        ("[$€-x-euro2] #,##0.00", 1200, "€1200.00"),
        ("[$£-en-GB]#,##0.00", 1200, "£1200.00"),
        ("#,##0.00 [$zł-pl-PL]", 1200, "1200.00 zł"),
        ("[$EUR] #,##0.00", 1200, "EUR 1200.00"),  # the E of EUR is no exponent: decimals kept
        ("[Red]#,##0.00", 1200, "1200.00"),
        ("[Blue]#,##0.00;[Red]-#,##0.00", -5, "-5.00"),
        ("#,##0.00 [$lei-418]", 3, "3.00 lei"),
        ("0.00E+00", 1200, "1200"),  # scientific: the value, no padding
        ("[$Fr.-100C] #,##0.00", 3, "Fr. 3.00"),
        # padding (_€: a space as wide as €) and fill (*-) show no currency: German and Russian
        # Excel's thousands style
        ('_-* #,##0.00 _€_-;-* #,##0.00 _€_-;_-* "-"?? _€_-;_-@_-', 1200, "1200.00"),
        ("#,##0.00\\ _₽", 5, "5.00"),
        # whole numbers shown as codes keep their zeros and text: the CSV export's invoice number
        ("00000", 123, "00123"),
        ('"INV-"0000', 123, "INV-0123"),
        ("00000", 123.5, "123.5"),
        ('"$"0', 5, "$5"),
        ("#,##0.0000", 0.125, "0.1250"),
        ("0.00", 1.239, "1.239"),  # digits beyond the format are kept, not rounded away
        ("0%", 0.2, "0.2"),
        ("General", 1200, "1200"),
    ],
)
def test_a_number_keeps_the_currency_and_the_decimals_its_format_shows(number_format, value, text):
    assert workbook.number_text(value, number_format) == text


@pytest.mark.parametrize(("epoch", "serial"), [("1900", 1.0868055555555556), ("1904", 1.0868055555555556)])
def test_w13_a_duration_of_a_day_or_more_in_an_h_mm_format_is_hours_not_a_date_in_1900(tmp_path, epoch, serial):
    """openpyxl gives 26:05 shown as h:mm (not [h]:mm) as 1 January 1900, 02:05: it is 26 hours."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = Workbook()
    if epoch == "1904":
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["client", "date", "duration", "started"])
    sheet.append(["Acme", dt.datetime(2026, 1, 6), serial, dt.datetime(2026, 1, 6, 9, 15)])
    sheet.append(["Acme", dt.datetime(2026, 1, 7), 1.0, dt.datetime(2026, 1, 7, 8, 0)])
    for row in (2, 3):
        sheet.cell(row=row, column=3).number_format = "h:mm"
        sheet.cell(row=row, column=4).number_format = "h:mm"  # a full date and time shown as h:mm
    path = tmp_path / "durations.xlsx"
    book.save(path)
    with workbook.opened(path) as stream:
        lines = stream.read().decode().splitlines()
    assert lines[1:] == ["Acme,2026-01-06,26:05:00,2026-01-06 09:15:00", "Acme,2026-01-07,24:00:00,2026-01-07 08:00:00"]


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_w13_a_negative_duration_in_an_h_mm_format_keeps_its_sign_and_size(tmp_path, epoch):
    """A correction of -1:30 shown as h:mm: openpyxl gives it as 29 December 1899, 22:30 (the serial
    counts from the epoch, not from the 31 December 1899 of Excel's January 1900): -1:30:00."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = Workbook()
    if epoch == "1904":
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["client", "duration"])
    sheet.append(["Acme", -0.0625])
    sheet.append(["Acme", -1.0625])
    sheet["B2"].number_format = sheet["B3"].number_format = "h:mm"
    path = tmp_path / "corrections.xlsx"
    book.save(path)
    with workbook.opened(path) as stream:
        lines = stream.read().decode().splitlines()
    assert lines[1:] == ["Acme,-1:30:00", "Acme,-25:30:00"]


def test_a_stray_value_far_to_the_right_widens_its_own_row_only(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["client", "number", "issued_on", "amount"])
    for n in range(200):
        sheet.append(["Acme", f"A-{n}", "2026-01-05", 1])
    sheet["XFD1"] = "note"  # column 16,384
    path = tmp_path / "stray.xlsx"
    book.save(path)
    with workbook.opened(path) as stream:
        lines = stream.read().decode().splitlines()
    assert len(lines[0].split(",")) == 16384
    assert {len(line.split(",")) for line in lines[1:]} == {workbook.MAX_PADDED}
    assert read("invoices", path)[1] == []


def test_a_preview_or_a_header_converts_only_the_first_rows(tmp_path):
    rows = [["client", "number", "issued_on", "amount"]] + [["Acme", f"A-{n}", "2026-01-05", 1] for n in range(500)]
    path = xlsx(tmp_path, rows)
    with workbook.opened(path, limit=workbook.PREVIEW_ROWS) as stream:
        assert len(stream.read().splitlines()) == workbook.PREVIEW_ROWS


def test_a_hidden_sheet_is_not_counted_in_the_note(tmp_path, firm):
    ClientFactory(firm=firm, name="Acme Corp")
    book = Workbook()
    lookup = book.active
    lookup.title = "Lookup"
    lookup.append(["rate", 1])
    lookup.sheet_state = "hidden"
    data = book.create_sheet("Invoices")
    data.append(["client", "number", "issued_on", "amount"])
    data.append(["Acme Corp", "A-1", dt.datetime(2026, 1, 5), 10.5])
    book.active = 1
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    result = run_import(firm=firm, by=None, kind="invoices", paths=[path], dry_run=True)
    assert result.ok and not any("sheet" in note for note in result.outcome.notes)


def test_a_password_protected_workbook_says_to_remove_the_password_not_that_it_is_an_old_xls(tmp_path):
    path = tmp_path / "protected.xlsx"  # an OLE container holding EncryptionInfo and EncryptedPackage
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    )
    with pytest.raises(FileUnreadable, match="protected with a password"):
        read("invoices", path)


def test_a_strict_open_xml_workbook_says_how_to_save_it(tmp_path):
    path = xlsx(tmp_path, [["client", "number"], ["Acme", "A-1"]])
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(strict, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(
                    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                )
            target.writestr(item, data)
    with pytest.raises(FileUnreadable, match="Strict Open XML"):
        read("invoices", strict)


# ---- sheets, damage, other formats --------------------------------------------------------------


def test_the_sheet_the_workbook_opens_on_is_read_and_a_note_says_which(tmp_path, firm):
    ClientFactory(firm=firm, name="Acme Corp")
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Total", 999])
    details = book.create_sheet("Invoices")
    details.append(["client", "number", "issued_on", "amount"])
    details.append(["Acme Corp", "A-1", dt.datetime(2026, 1, 5), 10.5])
    book.active = 1
    path = tmp_path / "two.xlsx"
    book.save(path)
    result = run_import(firm=firm, by=None, kind="invoices", paths=[path])
    assert result.ok and Invoice.objects.filter(client__firm=firm, number="A-1").exists()
    assert any("the sheet “Invoices” was read" in note for note in result.outcome.notes)


def test_an_empty_active_sheet_gives_way_to_the_first_sheet_with_values(tmp_path):
    book = Workbook()
    book.active.title = "Empty"
    sheet = book.create_sheet("Data")
    sheet.append(["client", "number", "issued_on", "amount"])
    sheet.append(["Acme", "A-1", "2026-01-05", 1])
    path = tmp_path / "b.xlsx"
    book.save(path)
    records, problems = read("invoices", path)
    assert not problems and [r.number for r in records] == ["A-1"]


def test_a_workbook_without_values_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    with pytest.raises(FileUnreadable, match="no sheet with values"):
        read("invoices", path)


def _with_sheet_xml(tmp_path: Path, xml: bytes) -> Path:
    path = xlsx(tmp_path, [["client", "number"], ["Acme", "A-1"]])
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            target.writestr(item, xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item))
    return hostile


def test_a_workbook_with_xml_entities_is_refused_not_expanded(tmp_path):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(FileUnreadable, match="workbook cannot be read"):
        read("invoices", _with_sheet_xml(tmp_path, bomb))


def test_a_damaged_sheet_is_a_problem_of_the_file_and_nothing_is_written(tmp_path, firm):
    ClientFactory(firm=firm, name="Acme")
    path = _with_sheet_xml(tmp_path, b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>9")
    result = run_import(firm=firm, by=None, kind="invoices", paths=[path], names=["march.xlsx"])
    problem = str(next(iter(result.problems)))
    assert not result.ok and "march.xlsx" in problem and "the workbook cannot be read" in problem
    assert not Invoice.objects.filter(client__firm=firm).exists()


@pytest.mark.parametrize("cut", [30, 200, 600])
def test_a_truncated_workbook_is_a_problem_never_a_crash(tmp_path, firm, cut):
    data = xlsx(tmp_path, [["client", "number", "issued_on", "amount"], ["Acme", "A-1", "2026-01-05", 1]]).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[:cut])
    result = run_import(firm=firm, by=None, kind="invoices", paths=[path])
    assert not result.ok and result.run.state == ImportRun.State.FAILED


def _valid_workbook(stored: bool) -> bytes:
    book = Workbook()
    book.active.append(["client", "number", "issued_on", "amount"])
    book.active.append(["Acme", "A-1", dt.datetime(2026, 1, 5), 10.5])
    raw = io.BytesIO()
    book.save(raw)
    if not stored:
        return raw.getvalue()
    plain = io.BytesIO()  # members stored, not deflated: the damage lands in the XML itself
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(plain, "w", zipfile.ZIP_STORED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item))
    return plain.getvalue()


WORKBOOKS = {True: _valid_workbook(True), False: _valid_workbook(False)}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stored=st.booleans(),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_a_damaged_workbook_is_refused_with_a_reason_never_a_crash(tmp_path, stored, flips, cut):
    """Bytes flipped anywhere (the zip's directory, a deflated stream, the sheet's XML) or the file
    cut short: the workbook is read, or refused with a reason; no other exception escapes."""
    data = bytearray(WORKBOOKS[stored])
    for where, byte in flips:
        data[int(where * len(data))] = byte
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    try:
        read("invoices", path)
    except FileUnreadable as error:
        assert error.reason


def test_a_workbook_needing_a_newer_zip_version_is_refused_as_damaged(tmp_path):
    """zipfile raises NotImplementedError, not BadZipFile, for a member that says it needs a zip
    version it lacks (a damaged byte in the archive's directory): still a reason, not a crash."""
    data = bytearray(WORKBOOKS[False])
    directory = data.index(b"PK\x01\x02")
    data[directory + 6] = 0xFF  # "version needed to extract": 25.5
    path = tmp_path / "newer.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(FileUnreadable, match="the workbook cannot be read"):
        read("invoices", path)


def test_a_workbook_cut_short_is_called_a_damaged_workbook_not_another_format(tmp_path):
    data = xlsx(tmp_path, [["client", "number"], ["Acme", "A-1"]]).read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileUnreadable, match="the workbook cannot be read"):
        read("invoices", path)


def test_w11_dates_a_month_first_spreadsheet_swapped_in_a_day_first_workbook_are_questioned(tmp_path):
    """A UK export opened in US-region Excel and saved as .xlsx: 02/01/2026 became a date, 1 February;
    13/01/2026 stayed text. Read silently, the first would be a month late."""
    rows = [["client", "number", "issued_on", "amount"]]
    rows += [["Acme", "D-1", dt.datetime(2026, 2, 1), 1.0], ["Acme", "D-2", "13/01/2026", 1.0]]
    rows += [["Acme", "D-3", dt.datetime(2026, 3, 1), 1.0], ["Acme", "D-4", "14/01/2026", 1.0]]
    _records, problems = read("invoices", xlsx(tmp_path, rows))
    assert len(problems) == 1 and problems[0].startswith(", line 1, column 'issued_on'")
    assert "swapped their day and month" in problems[0] and "(2 of them)" in problems[0]


def test_one_day_first_date_typed_among_iso_dates_is_a_problem_at_its_line_not_a_swap(tmp_path):
    rows = [["client", "number", "issued_on", "amount"], ["Acme", "D-1", dt.datetime(2026, 1, 5), 1.0]]
    rows += [["Acme", "D-2", "13/01/2026", 1.0], ["Acme", "D-3", dt.datetime(2026, 1, 20), 1.0]]
    records, problems = read("invoices", xlsx(tmp_path, rows))
    assert not problems and [r.issued_on for r in records] == [
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 13),
        dt.date(2026, 1, 20),
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60, "the workbook cannot be read"),  # a damaged .xls
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 60, "the workbook cannot be read"),  # a damaged zip
    ],
)
def test_a_damaged_old_excel_file_or_zip_is_refused_as_unreadable(tmp_path, data, words):
    path = tmp_path / "export.xls"
    path.write_bytes(data)
    with pytest.raises(FileUnreadable, match=re.escape(words)):
        read("invoices", path)


# ---- through the command and the Import page ----------------------------------------------------


def test_the_import_command_reads_a_toggl_excel_export(tmp_path, firm):
    source = SAMPLES / "time/toggl_detailed.csv"
    book = excel_copy(source, tmp_path / "toggl.xlsx", date_format="%Y-%m-%d", durations=("Duration",), times=TIMES)
    call_command("import", "time", str(book), "--firm", firm.slug, "--create-clients")
    from_excel = TimeEntry.objects.filter(client__firm=firm).count()
    assert from_excel > 0
    call_command("import", "time", str(source), "--firm", firm.slug, "--create-clients")
    assert TimeEntry.objects.filter(client__firm=firm).count() == from_excel  # the CSV adds nothing


def test_a_large_workbooks_import_shows_its_progress_through_the_conversion_and_the_reading(tmp_path, firm):
    ClientFactory(firm=firm, name="Acme")
    rows = [["client", "number", "issued_on", "amount"]]
    rows += [["Acme", f"A-{n}", dt.datetime(2026, 1, 1) + dt.timedelta(days=n % 300), 10.0 + n] for n in range(6000)]
    path = xlsx(tmp_path, rows)
    size = path.stat().st_size
    seen: list[int] = []
    result = run_import(
        firm=firm, by=None, kind="invoices", paths=[path], dry_run=True, progress=lambda done, total: seen.append(done)
    )
    assert result.ok and result.run.counts["counts"]["invoices"]["added"] == 6000
    converting = [done for done in seen if 0 < done <= size // 2]
    reading = [done for done in seen if size // 2 < done < size]
    assert len(converting) >= 2 and len(reading) >= 3  # the bar moves in both halves
    assert seen == sorted(seen) and seen[-1] == size


def test_w7_payments_from_a_quickbooks_workbook_then_its_csv_are_not_counted_twice(tmp_path, firm):
    source = SAMPLES / "money/quickbooks_transactions_by_customer.csv"
    book = excel_copy(source, tmp_path / "payments.xlsx", date_format="%m/%d/%Y")
    call_command("import", "invoices", str(source), "--firm", firm.slug, "--create-clients")
    call_command("import", "payments", str(book), "--firm", firm.slug, "--create-clients")
    once = Payment.objects.filter(client__firm=firm).count()
    call_command("import", "payments", str(source), "--firm", firm.slug, "--create-clients")
    assert once > 0 and Payment.objects.filter(client__firm=firm).count() == once


def test_the_import_page_previews_a_workbooks_columns_and_imports_it(client, owner, firm, tmp_path):
    client.force_login(owner.user)
    ClientFactory(firm=firm, name="Acme Corp")
    rows = [["client", "number", "issued_on", "amount"], ["Acme Corp", "X-1", dt.datetime(2026, 2, 1), 1250.0]]
    data = xlsx(tmp_path, rows, formats_by_column={4: "#,##0.00"}).read_bytes()
    response = client.post(
        reverse("imports"), {"kind": "invoices", "files": [SimpleUploadedFile("february.xlsx", data)]}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "X-1" in page and "1250.00" in page and "2026-02-01" in page
    response = client.post(response["Location"], {"format": "", "date_order": ""})
    run = ImportRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert run.error_count == 0 and run.counts["counts"]["invoices"]["added"] == 1
    response = client.post(reverse("import_confirm", kwargs={"pk": run.pk}))
    assert response.status_code == 302
    assert Invoice.objects.get(client__firm=firm, number="X-1").amount == 1250


def test_a_workbook_is_sized_for_the_request_or_the_worker_by_its_unpacked_sheets(tmp_path):
    """The Import page reads small uploads in the request: a zipped workbook of 72,000 rows weighs
    under 2 MB, but its sheet's XML, which is what the reading goes through, weighs several times more."""
    rows = [["client", "number", "issued_on", "amount"]] + [["Acme", f"A-{n}", "2026-01-05", 1] for n in range(3000)]
    path = xlsx(tmp_path, rows)
    assert workbook.read_size(path) > 3 * path.stat().st_size
    plain = tmp_path / "plain.csv"
    plain.write_bytes(b"client,number\r\nAcme,A-1\r\n")
    assert workbook.read_size(plain) == plain.stat().st_size
