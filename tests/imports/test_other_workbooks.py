"""Excel 97–2003 (.xls) and OpenDocument (.ods) sheets read as the CSV export of the same data.

A LibreOffice user who opened an export to look at it saves it as .ods (Calc's own format, its
default); Google Sheets downloads .ods; QuickBooks Desktop, banks and older Excel write .xls. Each is
read with calamine into the same CSV the readers take, with the same records and keys as the CSV
export (issue 10 §2, §5). The .xls samples were saved by xlwt from the CSV samples, typed as the
tools type their cells (tests/imports/excel.py); the .ods copies are written by
tests/imports/opendocument.py as LibreOffice Calc writes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from parting.evidence.models import Invoice
from parting.imports import workbook
from parting.imports.problems import FileUnreadable
from tests.factories import ClientFactory
from tests.imports.opendocument import cell, error_cell, ods, ods_copy, sheet, text_cell
from tests.imports.test_workbooks import SAMPLES, TIMES, read

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "xls", "csv_sample"),
    [
        ("invoices", "money/quickbooks_invoice_list_excel97.xls", "money/quickbooks_invoice_list.csv"),
        ("time", "time/toggl_detailed_excel97.xls", "time/toggl_detailed.csv"),
    ],
)
def test_an_excel_97_workbook_gives_the_records_and_keys_of_the_csv_export(kind, xls, csv_sample):
    """The same records but the currency: QuickBooks' CSV writes `$980.00`, the workbook 980 with a
    dollar format, which calamine does not give (the currency column, the mapping or the firm's says)."""
    from_csv, from_xls = read(kind, SAMPLES / csv_sample), read(kind, SAMPLES / xls)
    assert from_csv[0], "the sample has records"
    assert _without_currency(from_xls) == _without_currency(from_csv)


def _without_currency(read_back):
    records, problems = read_back
    return [dataclasses.replace(r, currency="") if hasattr(r, "currency") else r for r in records], problems


@pytest.mark.parametrize(
    ("kind", "sample", "copy"),
    [
        ("invoices", "money/quickbooks_invoice_list.csv", {"date_format": "%m/%d/%Y", "header_line": 5}),
        ("invoices", "money/xero_invoices.csv", {"date_format": "%d/%m/%Y"}),
        ("time", "time/toggl_detailed.csv", {"date_format": "%Y-%m-%d", "durations": ("Duration",), "times": TIMES}),
        ("time", "time/harvest_detailed.csv", {"date_format": "%Y-%m-%d"}),
        ("time", "time/clockify_detailed_us.csv", {"date_format": "%m/%d/%Y", "times": TIMES}),
        ("clients", "clients/xero_contacts.csv", {}),
    ],
)
def test_an_opendocument_sheet_saved_by_libreoffice_gives_the_records_of_the_csv_export(tmp_path, kind, sample, copy):
    source = SAMPLES / sample
    book = ods_copy(source, tmp_path / (source.stem + ".ods"), **copy)
    from_csv, from_ods = read(kind, source), read(kind, book)
    assert from_csv[0], "the sample has records"
    assert _without_currency(from_ods) == _without_currency(from_csv)


def test_a_payment_without_an_id_keys_on_its_amount_as_the_sheet_holds_it(tmp_path):
    """docs/imports.md: a round amount is 1200 in an .ods or .xls (no number format is read) and
    1200.00 in the CSV export, so a payment without an id keys differently in the two: import one."""
    rows = [[cell(h) for h in ("client", "paid_on", "amount")], [cell("Acme"), cell(dt.date(2026, 2, 1)), cell(1200.0)]]
    rows.append([cell("Acme"), cell(dt.date(2026, 2, 2)), cell(99.5)])
    records, problems = read("payments", ods(tmp_path / "p.ods", [sheet("P", rows)]))
    assert not problems and [str(r.amount) for r in records] == ["1200", "99.5"]


def _converted(path: Path, **kwargs) -> tuple[str, list[str]]:
    notes: list[str] = []
    with workbook.opened(path, notes, **kwargs) as stream:
        return stream.read().decode("utf-8"), notes


def test_w13_an_opendocument_duration_of_a_day_or_more_is_hours(tmp_path):
    rows = [
        [cell("date"), cell("hours"), cell("note")],
        [cell(dt.date(2026, 1, 5)), cell(dt.timedelta(hours=26, minutes=5)), cell("two lines\nof text")],
        [cell(dt.datetime(2026, 1, 6, 9, 15)), cell(1.5, "1,50"), cell(True)],
    ]
    text, _notes = _converted(ods(tmp_path / "t.ods", [sheet("Czas", rows)]))
    assert text.splitlines() == [
        "date,hours,note",
        "2026-01-05,26:05:00,two lines of text",
        "2026-01-06 09:15:00,1.5,TRUE",
    ]


def test_a_sheet_starting_below_and_right_of_a1_keeps_its_row_numbers(tmp_path):
    """A problem's line is the sheet's row: a table that starts at C3 is padded, not moved up."""
    empty = cell(None)
    rows = [[empty] * 4, [empty] * 4]
    rows += [[empty, empty, cell("client"), cell("number")], [empty, empty, cell("Acme"), cell("A-1")]]
    text, _notes = _converted(ods(tmp_path / "t.ods", [sheet("S", rows)]))
    assert text.splitlines() == ["", "", ",,client,number", ",,Acme,A-1"]


def test_only_the_first_rows_are_converted_for_a_preview(tmp_path):
    rows = [[cell("n")]] + [[cell(float(n))] for n in range(1, 500)]
    text, _notes = _converted(ods(tmp_path / "t.ods", [sheet("S", rows)]), limit=10)
    assert text.splitlines() == ["n", *map(str, range(1, 10))]


def test_the_first_visible_sheet_with_values_is_read_and_a_note_says_which(tmp_path):
    hidden = sheet("Old", [[cell("x")]], hidden=True)
    empty = sheet("Empty", [[cell(None)]], tail=False)
    rows = sheet("Invoices", [[cell("client")], [cell("Acme")]])
    other = sheet("Notes", [[cell("remember")]])
    text, notes = _converted(ods(tmp_path / "t.ods", [hidden, empty, rows, other]))
    assert text.splitlines() == ["client", "Acme"]
    assert notes == ["the workbook has 2 sheets with values: the sheet “Invoices” was read"]


def test_a_sheet_without_values_is_refused(tmp_path):
    path = ods(tmp_path / "t.ods", [sheet("Empty", [[cell(None)]])])
    with pytest.raises(FileUnreadable, match="no sheet with values"):
        _converted(path)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_a_damaged_opendocument_or_xls_file_is_refused_with_a_reason_never_a_crash(tmp_path, cut):
    for name in ("money/quickbooks_invoice_list_excel97.xls", "ods"):
        if name == "ods":
            data = ods_copy(SAMPLES / "money/xero_invoices.csv", tmp_path / "x.ods").read_bytes()
        else:
            data = (SAMPLES / name).read_bytes()
        path = tmp_path / "cut"
        path.write_bytes(data[: int(len(data) * cut)])
        with pytest.raises(FileUnreadable):
            read("invoices", path)


def test_an_office_97_file_that_is_no_workbook_is_refused_as_unreadable(tmp_path):
    path = tmp_path / "message.msg"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(FileUnreadable, match="the workbook cannot be read"):
        read("invoices", path)


def test_a_zip_that_is_no_workbook_says_to_unpack_it(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("invoices.csv", "client,number\n")
    with pytest.raises(FileUnreadable, match="unpack it"):
        read("invoices", path)


def test_the_import_command_imports_a_libreoffice_sheet_of_invoices(tmp_path, firm):
    ClientFactory(firm=firm, name="Acme")
    rows = [
        [cell(h) for h in ("client", "number", "issued_on", "due_on", "amount", "currency")],
        [
            cell("Acme"),
            cell(1001.0, "1001"),
            cell(dt.date(2026, 1, 5)),
            cell(dt.date(2026, 2, 4)),
            cell(1200.5, "1 200,50 zł", currency="PLN"),
            cell("PLN"),
        ],
    ]
    path = ods(tmp_path / "faktury.ods", [sheet("Faktury", rows)])
    out = io.StringIO()
    call_command("import", "invoices", str(path), "--firm", firm.name, stdout=out)
    invoice = Invoice.objects.get(firm=firm)
    assert (invoice.number, invoice.issued_on, invoice.amount) == ("1001", dt.date(2026, 1, 5), 1200.5)


def test_the_import_page_previews_a_libreoffice_sheet_and_imports_it(client, owner, firm, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from parting.imports.models import ImportRun

    client.force_login(owner.user)
    ClientFactory(firm=firm, name="Acme Corp")
    rows = [[cell(h) for h in ("client", "number", "issued_on", "amount")]]
    rows.append([cell("Acme Corp"), cell("X-1"), cell(dt.date(2026, 2, 1)), cell(1250.0, "1 250,00")])
    data = ods(tmp_path / "luty.ods", [sheet("Arkusz1", rows)]).read_bytes()
    response = client.post(reverse("imports"), {"kind": "invoices", "files": [SimpleUploadedFile("luty.ods", data)]})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "X-1" in page and "1250" in page and "2026-02-01" in page
    response = client.post(response["Location"], {"format": "", "date_order": ""})
    run = ImportRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert run.error_count == 0 and run.counts["counts"]["invoices"]["added"] == 1
    client.post(reverse("import_confirm", kwargs={"pk": run.pk}))
    assert Invoice.objects.get(client__firm=firm, number="X-1").amount == 1250


def test_text_that_only_looks_like_a_duration_stays_text(tmp_path):
    """Portugal's code, initials: only LibreOffice's whole form PT26H05M00S is a duration."""
    rows = [
        [cell("client"), cell("hours")],
        [cell("PT"), cell("PT1H")],
        [cell("P1DT"), cell(dt.timedelta(hours=26, minutes=5))],
    ]
    text, _notes = _converted(ods(tmp_path / "t.ods", [sheet("S", rows)]))
    assert text.splitlines() == ["client,hours", "PT,PT1H", "P1DT,26:05:00"]


def _repeated_rows(rows: int, columns: int) -> str:
    """A sheet whose second row, ``columns`` numbers wide, is repeated ``rows`` times: a few hundred
    bytes of XML that calamine reads as a grid of rows × columns cells."""
    header = "<table:table-row>" + "".join(cell(f"c{n}") for n in range(columns)) + "</table:table-row>"
    repeated = f'<table:table-row table:number-rows-repeated="{rows}">'
    repeated += "".join(cell(float(n)) for n in range(columns)) + "</table:table-row>"
    return f'<table:table table:name="S" table:style-name="ta1">{header}{repeated}</table:table>'


def _peak_mb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def test_a_tiny_opendocument_file_declaring_a_huge_sheet_is_refused_and_the_server_goes_on(tmp_path, settings):
    """1 KB of .ods whose one row is repeated a million times across 30 columns (1.9 GB as calamine
    reads it): the child that reads it stops at its memory limit, the member is told why and what to
    do, and the process that asked (a web request, the worker) never holds the sheet."""
    settings.WORKBOOK_MEMORY_MB = 256
    path = ods(tmp_path / "bomb.ods", [_repeated_rows(1_000_000, 30)])
    assert path.stat().st_size < 2000
    before = _peak_mb()
    with pytest.raises(FileUnreadable, match=r"too large to read: reading them takes more than 256 MB"):
        _converted(path, limit=workbook.PREVIEW_ROWS)
    assert _peak_mb() - before < 200


def test_a_large_real_sheet_is_read_under_the_memory_limit(tmp_path, settings):
    """The limit is for bombs: 50,000 rows of 10 columns (a year of a team's time entries) read."""
    settings.WORKBOOK_MEMORY_MB = 256
    text, _notes = _converted(ods(tmp_path / "big.ods", [_repeated_rows(50_000, 10)]))
    lines = text.splitlines()
    assert len(lines) == 50_001 and lines[-1] == "0,1,2,3,4,5,6,7,8,9"


def _patched_xls(tmp_path: Path, at: int, record: bytes, fields: bytes) -> Path:
    data = bytearray((SAMPLES / "money/quickbooks_invoice_list_excel97.xls").read_bytes())
    start = data.index(record) + len(record)
    data[start + at : start + at + len(fields)] = fields
    path = tmp_path / "bomb.xls"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("record", "at", "fields"),
    [
        # DIMENSION (0x0200, 14 bytes) claiming rows 0–65,535 and columns 0–255: calamine reserves the grid
        (
            b"\x00\x02\x0e\x00",
            4,
            (65536).to_bytes(4, "little") + (0).to_bytes(2, "little") + (256).to_bytes(2, "little"),
        ),
        # a LABELSST cell (0x00FD, 10 bytes) moved to IV65536: calamine fills the grid up to it
        (b"\xfd\x00\x0a\x00", 0, (65535).to_bytes(2, "little") + (255).to_bytes(2, "little")),
    ],
    ids=["declared-size", "cell-at-IV65536"],
)
def test_an_excel_97_file_with_a_cell_at_its_last_row_and_column_is_refused(tmp_path, settings, record, at, fields):
    settings.WORKBOOK_MEMORY_MB = 256
    path = _patched_xls(tmp_path, at, record, fields)
    with pytest.raises(FileUnreadable, match="too large to read"):
        read("invoices", path)


def test_a_workbook_that_takes_too_long_is_stopped_with_a_reason(tmp_path, settings, monkeypatch):
    settings.WORKBOOK_MEMORY_MB = 8192
    monkeypatch.setattr(workbook, "CHILD_CPU_SECONDS", 1)
    path = ods(tmp_path / "slow.ods", [_repeated_rows(1_000_000, 30)])
    with pytest.raises(FileUnreadable, match="took more than 1 second to read"):
        _converted(path)


def test_the_import_command_refuses_a_workbook_bomb_with_its_reason(tmp_path, firm, settings, capsys):
    settings.WORKBOOK_MEMORY_MB = 256
    path = ods(tmp_path / "bomb.ods", [_repeated_rows(1_000_000, 30)])
    with pytest.raises(SystemExit) as exited:
        call_command("import", "invoices", str(path), "--firm", firm.slug)
    err = capsys.readouterr().err
    assert exited.value.code == 1 and "bomb.ods" in err and "256 MB" in err
    assert not Invoice.objects.filter(firm=firm).exists()


def test_a_time_cell_of_a_day_or_more_in_an_h_mm_format_is_hours_in_an_excel_97_file():
    """calamine gives 26:05 shown as h:mm (not [h]:mm) as 1 January 1900, 02:05 (its serial, 1.087):
    no evidence dates from before March 1900, so it is 26 hours; a real date stays a date."""
    assert workbook._calamine_cell(dt.datetime(1900, 1, 1, 2, 5)) == "26:05:00"
    assert workbook._calamine_cell(dt.date(1900, 1, 1)) == "24:00:00"
    assert workbook._calamine_cell(dt.datetime(1900, 2, 28, 23, 59)) == "1439:59:00"
    assert workbook._calamine_cell(dt.datetime(1900, 3, 1)) == "1900-03-01"
    assert workbook._calamine_cell(dt.datetime(1899, 12, 30, 22, 30)) == "1899-12-30 22:30:00"
    assert workbook._calamine_cell(dt.datetime(2026, 1, 6, 9, 15)) == "2026-01-06 09:15:00"


def test_the_import_page_says_why_a_workbook_bomb_is_refused_and_writes_nothing(
    client, owner, firm, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from parting.imports.models import ImportRun

    settings.WORKBOOK_MEMORY_MB = 256
    client.force_login(owner.user)
    data = ods(tmp_path / "bomb.ods", [_repeated_rows(1_000_000, 30)]).read_bytes()
    response = client.post(reverse("imports"), {"kind": "invoices", "files": [SimpleUploadedFile("bomb.ods", data)]})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and "256 MB" in page.content.decode()
    response = client.post(response["Location"], {"format": "", "date_order": ""})
    run = ImportRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert run.error_count == 1 and "256 MB" in run.errors[0]["reason"]
    assert not Invoice.objects.filter(firm=firm).exists()


def test_an_opendocument_formula_error_is_read_as_the_error_it_shows(tmp_path):
    """calamine reads a LibreOffice error cell (=1/0) as empty; the sheet shows #DIV/0! (or the text a
    translated Calc saved), and so does its CSV: an amount that is an error is a problem at its line,
    as in an .xlsx, never an invoice of nothing."""
    rows = [
        [cell("client"), cell("number"), cell("issued_on"), cell("amount")],
        [cell("Acme"), cell("A-1"), cell(dt.date(2026, 1, 5)), error_cell("#DIV/0!")],
        [cell("Acme"), cell("A-2"), cell(dt.date(2026, 1, 6)), error_cell("#ЗНАЧ!", "of:=[.A1]*2")],
        [cell("Acme"), cell("A-3"), cell(dt.date(2026, 1, 7)), cell(10.0)],
    ]
    path = ods(tmp_path / "errors.ods", [sheet("S", rows)])
    text, _notes = _converted(path)
    assert text.splitlines()[1:] == [
        "Acme,A-1,2026-01-05,#DIV/0!",
        "Acme,A-2,2026-01-06,#ЗНАЧ!",
        "Acme,A-3,2026-01-07,10",
    ]
    records, problems = read("invoices", path)
    assert [r.number for r in records] == ["A-3"]
    assert len(problems) == 2
    assert problems[0].startswith(", line 2, column 'amount'") and "#DIV/0!" in problems[0]
    assert problems[1].startswith(", line 3, column 'amount'") and "#ЗНАЧ!" in problems[1]


def test_opendocument_errors_in_repeated_cells_and_rows_are_put_back_everywhere(tmp_path):
    repeated = (
        '<table:table-row table:number-rows-repeated="3"><table:table-cell office:value-type="string">'
        "<text:p>x</text:p></table:table-cell>" + error_cell("#N/A", repeat=2) + "</table:table-row>"
    )
    other = sheet("Other", [[error_cell("#REF!")]])  # another sheet's errors stay out
    body = '<table:table table:name="S" table:style-name="ta1">'
    body += "<table:table-row>" + cell("a") + cell("b") + cell("c") + "</table:table-row>" + repeated + "</table:table>"
    text, _notes = _converted(ods(tmp_path / "r.ods", [body, other]))
    assert text.splitlines() == ["a,b,c", "x,#N/A,#N/A", "x,#N/A,#N/A", "x,#N/A,#N/A"]


def test_tabs_and_line_breaks_inside_an_opendocument_cell_keep_the_words_apart(tmp_path):
    rows = [[cell("client"), cell("note")], [text_cell("Acme", "\n", "Corp"), text_cell("net", "\t", "30")]]
    text, _notes = _converted(ods(tmp_path / "t.ods", [sheet("S", rows)]))
    assert text.splitlines() == ["client,note", "Acme Corp,net\t30"]


def test_an_excel_97_error_cell_is_read_as_the_error_it_shows():
    """calamine reads an .xls error cell (#DIV/0!, #N/A) as empty; the sheet shows the error, and so
    does its CSV, so an error where an amount or a date belongs is a problem at its line. The sample
    was saved by xlwt: error constants are BoolErr records, as Excel writes them."""
    records, problems = read("invoices", SAMPLES / "money/generic_invoices_error_cells_excel97.xls")
    assert [r.number for r in records] == ["FV/2026/001", "FV/2026/004"]
    assert len(problems) == 2
    assert problems[0].startswith(", line 3, column 'amount'") and "'#DIV/0!' is not an amount" in problems[0]
    assert problems[1].startswith(", line 4, column 'due_on'") and "#N/A" in problems[1]


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _formula(row: int, column: int, result: bytes) -> bytes:
    """A Formula record (MS-XLS 2.4.127): its cell, XF, the saved result (FormulaValue), flags,
    a cache field and a formula of one token (PtgInt 1)."""
    return _record(
        0x0006, struct.pack("<HHH", row, column, 15) + result + b"\x00\x00" + b"\x00" * 4 + b"\x03\x00\x1e\x01\x00"
    )


def test_a_formula_whose_saved_result_is_an_error_is_that_error():
    """What Excel saves for =1/0 in B2: a Formula record whose FormulaValue is an error (type 2, its
    code, 0xFFFF): read as #DIV/0!. A formula with a number result, and the records of another
    sheet and of a chart inside this one, are not errors of this sheet."""
    bof, eof = _record(0x0809, b"\x00\x06\x10\x00" + b"\x00" * 12), _record(0x000A, b"")
    error = b"\x02\x00\x07\x00\x00\x00\xff\xff"
    number = struct.pack("<d", 2.5)
    na = b"\x02\x00\x2a\x00\x00\x00\xff\xff"

    def sheet_records(*cells: bytes) -> bytes:
        return bof + b"".join(cells) + eof

    def bound(name: str, start: int) -> bytes:
        return _record(0x0085, struct.pack("<IBBBB", start, 0, 0, len(name), 0) + name.encode("latin-1"))

    chart = bof + _formula(9, 9, na) + eof  # a substream nested in the sheet
    first = sheet_records(_formula(1, 1, error), _formula(2, 1, number), chart, _formula(3, 0, na))
    second = sheet_records(_formula(0, 0, error))
    globals_length = len(bof) + len(bound("Data", 0)) + len(bound("Other", 0)) + len(eof)
    head = bof + bound("Data", globals_length) + bound("Other", globals_length + len(first)) + eof
    assert len(head) == globals_length
    stream = head + first + second
    assert workbook._biff_errors(stream, "Data") == {(1, 1): "#DIV/0!", (3, 0): "#N/A"}
    assert workbook._biff_errors(stream, "Other") == {(0, 0): "#DIV/0!"}
    assert workbook._biff_errors(stream, "Missing") == {}


@pytest.mark.parametrize(("given", "expected"), [("", []), ("/opt/a::/opt/b", ["/opt/a", "/opt/b"]), (":", [])])
def test_the_reading_child_never_puts_the_current_folder_on_its_path(monkeypatch, given, expected):
    """An empty entry of PYTHONPATH is the current folder: a file named like a module there would be
    imported by the child that reads an upload."""
    monkeypatch.setenv("PYTHONPATH", given)
    path = workbook._child_environment()["PYTHONPATH"].split(os.pathsep)
    assert path == [workbook._SOURCE_ROOT, *expected]
