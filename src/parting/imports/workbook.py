"""Excel workbooks (.xlsx) read as the CSV file their sheet would be saved as.

QuickBooks Online exports its reports and lists to Excel (Export → *Export to Excel*); Toggl Track,
Harvest, Clockify, Xero and FreshBooks offer Excel beside CSV. Rather than asking the member to open
the workbook and save it again as CSV — where Excel rewrites dates in the computer's region and
amounts with its separators — the sheet is turned into UTF-8 CSV here and read by the same readers,
presets and column mappings as a CSV export:

- the sheet read is the one the workbook opens on (its active sheet), else the first worksheet
  with a value; the tools' exports hold one sheet. When others hold values too, a note says which
  was read;
- each row of the sheet is one line of the CSV, so a problem's line is the sheet's row number (a
  line break inside a cell becomes a space; empty rows stay empty lines);
- values are written as the readers read them best: a date cell as ISO ``2026-01-31`` (or
  ``2026-01-31 09:15:00`` with its time), a time cell as ``09:15:00``, a duration cell
  (``[h]:mm:ss``) as ``26:05:00``, a number as its digits with a point (``1200.5``; no float noise
  such as ``0.30000000000000004``), TRUE/FALSE; text as it stands;
- a formula's value is the one the workbook saved with it (exports save them); the number formats
  (a currency sign, thousands separators) are not applied: a workbook's amounts carry no currency,
  so the currency column, the mapping or the firm's currency names it.

The XML inside is parsed through defusedxml (openpyxl uses it when installed), so a workbook with
entity bombs is refused; the CSV written is capped at ``MAX_CSV_BYTES``.

Excel 97–2003 workbooks (.xls: QuickBooks Desktop, banks, older Excel), OpenDocument sheets (.ods:
LibreOffice's own format, Google Sheets' "Download → OpenDocument") and Excel binary workbooks
(.xlsb) are read with calamine (``python-calamine``), a well-kept reader of all three, into the same
CSV. It gives each cell's value and type, not its number format: dates, times and durations are
written as above, numbers as their digits without the currency a format would show, and the sheet
read is the first visible worksheet with values (calamine does not tell which one the file opens on).
calamine reads a sheet whole before the first row, and a few bytes of such a file can declare a grid
of millions of cells: it runs in a child process (``calamine_child``) under a memory and a CPU-time
limit, and what it loses of an OpenDocument cell (a formula's error, tabs and line breaks) is found
again in the sheet's XML.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from parting.imports.i18n import gettext as _
from parting.imports.i18n import ngettext

from .problems import UNPACK_ERRORS, FileUnreadable
from .text import currency_in

# What a damaged or hostile workbook raises while it is opened or its sheet read: the zip's errors,
# openpyxl's (InvalidFileException, KeyError for a missing part, TypeError/AttributeError for parts it
# cannot make sense of), the XML parser's (ParseError is a SyntaxError) and defusedxml's (ValueError).
BROKEN = (*UNPACK_ERRORS, KeyError, TypeError, IndexError, AttributeError, SyntaxError)
MAX_CSV_BYTES = 2 << 30
MAX_PADDED = 512  # columns a row is padded to at most; exports have tens
PREVIEW_ROWS = 100  # rows converted to show a workbook's header and first rows (a report's titles above)  # the CSV written for one sheet: a few hundred MB at most for a real export
_ZIP_MAGIC = b"PK\x03\x04"


_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def workbook_kind(stream: BinaryIO) -> str:
    """What ``stream`` (seekable; left at its start) is: ``"xlsx"`` (an Office Open XML workbook,
    .xlsx or .xlsm, read with openpyxl), ``"calamine"`` (.xls, .ods or .xlsb) or ``""`` (no workbook).
    A damaged ZIP (a workbook cut short in its download) raises FileUnreadable: it is no CSV file."""
    found = workbook_format(stream)
    return "calamine" if found in ("xls", "ods", "xlsb") else found


def workbook_format(stream: BinaryIO) -> str:
    """``"xlsx"``, ``"xls"`` (Excel 97–2003), ``"ods"``, ``"xlsb"`` or ``""``; see ``workbook_kind``."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head == _OLE:
        return "xls"  # an Excel 97–2003 workbook (an encrypted .xlsx was refused before)
    if head[:4] != _ZIP_MAGIC:
        return ""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "mimetype" in names and archive.read("mimetype").strip() == _ODS_MIMETYPE:
                return "ods"
            return ""
    except UNPACK_ERRORS as error:
        raise FileUnreadable(_("the workbook cannot be read (%(error)s)") % {"error": error}) from None
    finally:
        stream.seek(0)


def read_size(path: Path) -> int:
    """The bytes a file's reading goes through: a workbook's sheets unpacked (its XML is several
    times its zipped size, and slower to read than CSV), else the file's size."""
    size = path.stat().st_size
    try:
        with path.open("rb") as stream:
            if stream.read(4) != _ZIP_MAGIC:
                return size
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                sheets = [
                    i.file_size
                    for i in archive.infolist()
                    if i.filename.startswith("xl/worksheets/") or i.filename == "content.xml"  # .ods: its sheets
                ]
    except UNPACK_ERRORS:
        return size
    return max(size, sum(sheets))


def cell_text(value) -> str:
    """A cell's value as a CSV export of it would write it, in the forms the readers take first."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        value = _to_second(value)
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        moment = _to_second(dt.datetime.combine(dt.date(2000, 1, 1), value))
        return "23:59:59" if moment.date() > dt.date(2000, 1, 1) else moment.time().isoformat(timespec="seconds")
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        # 12 significant digits after the point at most: what Excel shows of a computed value, and
        # far below a cent or a second, so that 0.1+0.2 is written 0.3
        text = format(Decimal(repr(round(value, 10))), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, str):
        return value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return str(value)


# A locale or currency tag: [$€-407] (a hexadecimal locale), [$£-en-GB] and [$€-x-euro2] (named
# ones, as current Excel writes them), [$EUR] (a code alone), [$-409] (a locale, no symbol).
_LOCALE_CURRENCY = re.compile(r"\[\$([^\]-]*)(?:-[^\]]*)?\]")
_QUOTED = re.compile(r'"([^"]*)"')
_BRACKETS = re.compile(r"\[[^\]]*\]")  # colours, conditions, locales, elapsed-time units: [Red], [>=100], [h]
_SPACERS = re.compile(r"[_*].")  # _€ (a space as wide as €) and *- (fill with -): nothing of them is shown


def _first_section(number_format: str) -> str:
    """The format of positive numbers: up to the first ``;`` outside quotes."""
    return re.sub(r'("[^"]*")|;.*', lambda m: m.group(1) or "", number_format)


def currency_of(number_format: str | None) -> tuple[str, bool]:
    """The currency a cell's number format shows beside its number, and whether before it:
    ``"$"#,##0.00`` and ``[$€-407] #,##0.00`` → ("$"/"€", True); ``#,##0.00 "zł"`` → ("zł", False);
    ``("", False)`` for a format without one. Only the first section (positive numbers) is read;
    padding (``_€``, a space as wide as €, as German Excel's thousands style writes) shows nothing."""
    if not number_format or number_format == "General":
        return "", False
    section = _first_section(number_format)
    hidden = _QUOTED.sub(
        lambda m: "x" * len(m.group(0)), _LOCALE_CURRENCY.sub(lambda m: "x" * len(m.group(0)), section)
    )
    placeholder = re.search(r"[0#?]", _SPACERS.sub("  ", hidden))
    digits_at = placeholder.start() if placeholder else len(section)
    for found in (*_LOCALE_CURRENCY.finditer(section), *_QUOTED.finditer(section)):
        literal = found.group(1).strip()
        # a unit (`0.00 "h"`, `"Total "0`) is not a currency: only what an amount's text would name
        if literal and (currency_in(f"1{literal}") or currency_in(f"{literal}1")):
            return literal, found.start() < digits_at
    bare = _SPACERS.sub(
        "  ",
        _QUOTED.sub(lambda m: " " * len(m.group(0)), _LOCALE_CURRENCY.sub(lambda m: " " * len(m.group(0)), section)),
    )
    for index, ch in enumerate(bare):
        if unicodedata.category(ch) == "Sc" and currency_in(f"{ch}1"):
            return ch, index < digits_at
    return "", False


def number_text(value, number_format: str | None) -> str:
    """A number cell as its tool's CSV export writes it: its digits, with the currency its format
    shows (``$980``, ``-€150``, ``350 zł``) so that a file without a currency column still says which;
    a whole number shown as a code (``00123``, ``INV-0123``) as it is shown."""
    text = cell_text(value)
    if not number_format or number_format == "General" or not text:
        return text
    decimals, symbol, before, code = _format(number_format)
    if code is not None and text.lstrip("-").isdigit():
        prefix, zeros, suffix = code
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        return f"{sign}{prefix}{digits.zfill(zeros)}{suffix}"
    whole, _point, digits = text.partition(".")
    if len(digits) < decimals:
        text = f"{whole}.{digits.ljust(decimals, '0')}"
    if not symbol:
        return text
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    if before:
        return f"{sign}{symbol}{' ' if symbol[-1].isalpha() or symbol[-1] == '.' else ''}{digits}"
    return f"{sign}{digits} {symbol}"


# A whole number shown as a code: zeros only, with text before or after it ("INV-"0000, 00000, a
# ZIP code's 00000, \#000): what is shown is the code, and the CSV export writes it so.
_CODE = re.compile(r'^((?:"[^"]*"|\\.)*)(0+)((?:"[^"]*"|\\.)*)$')


def _literal(part: str) -> str:
    """The text a format's quoted ("INV-") and escaped (\\#) parts show."""
    return re.sub(r'"([^"]*)"|\\(.)', lambda m: m.group(1) if m.group(1) is not None else m.group(2), part)


@functools.lru_cache(maxsize=512)
def _format(number_format: str) -> tuple[int, str, bool, tuple[str, int, str] | None]:
    """What a number format shows of every number (a sheet has a few formats, its cells many): the
    decimals it always shows — ``1200`` in ``#,##0.00`` is ``1200.00``, as the tool's CSV and Excel's
    "Save as CSV" write it, so that an import of the CSV and one of the workbook key a payment alike;
    digits beyond them are never cut — its currency (``currency_of``), and, for a code such as
    ``"INV-"0000``, its text before, its zeros and its text after."""
    section = _SPACERS.sub("", _BRACKETS.sub("", _first_section(number_format)))
    unquoted = _QUOTED.sub("", section)
    scaled = "%" in unquoted or re.search(r"[eE][+-]", unquoted) is not None  # percent, scientific
    shown = re.search(r"\.(0+)", unquoted)
    code = None
    if (found := _CODE.match(section.strip())) and (len(found.group(2)) > 1 or found.group(1) or found.group(3)):
        code = (_literal(found.group(1)), len(found.group(2)), _literal(found.group(3)))
    symbol, before = currency_of(number_format)
    if code is not None and symbol:
        code = None  # "$"0 is an amount in dollars, not a code
    return (len(shown.group(1)) if shown and not scaled else 0, symbol, before, code)


EXCEL_1900 = dt.datetime(1899, 12, 30)
_ELAPSED = dt.timedelta(days=400)  # a duration, not a day of 1900 or 1904: no evidence dates from then


def _cell(value, number_format: str | None, epoch: dt.datetime = EXCEL_1900) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value, number_format)
    if isinstance(value, dt.datetime) and value < epoch + _ELAPSED and _time_only(number_format):
        return elapsed_text(value, epoch)  # a full date and time shown as h:mm stays a date and time
    return cell_text(value)


@functools.lru_cache(maxsize=512)
def _time_only(number_format: str | None) -> bool:
    """A format of hours, minutes and seconds, no day, month or year (``h:mm``, ``h:mm:ss``): a value
    of a day or more in it is a duration (26:05), which openpyxl gives as a date in January 1900."""
    if not number_format:
        return False
    plain = _QUOTED.sub("", _BRACKETS.sub("", _first_section(number_format))).lower()
    return ("h" in plain or "s" in plain) and not any(token in plain for token in ("y", "d", "e", "g", "b"))


def elapsed_text(value: dt.datetime, epoch: dt.datetime = EXCEL_1900) -> str:
    """A datetime openpyxl made of a duration of a day or more: its hours, minutes and seconds since
    the workbook's epoch (Excel's 1900 calendar counts a 29 February 1900 that never was: before
    March 1900, a serial counts from 31 December 1899)."""
    if epoch == EXCEL_1900 and _SERIAL_ONE <= value < _BEFORE_1900_03:
        epoch = _SERIAL_ONE  # (a negative duration, -1:30, comes before it and counts from the epoch)
    return cell_text(value - epoch)


def _to_second(moment: dt.datetime) -> dt.datetime:
    """A time Excel stores as a fraction of a day comes back a microsecond off (09:14:59.999998)."""
    rounded = moment.replace(microsecond=0)
    return rounded + dt.timedelta(seconds=1) if moment.microsecond >= 500_000 else rounded


def _sheets(book) -> list:
    return [sheet for sheet in book.worksheets if hasattr(sheet, "iter_rows")]


def _note_sheet_read(notes: list[str] | None, with_values: int, title: str) -> None:
    """Tell which sheet was read when several hold values (the tools' exports have one)."""
    if with_values > 1 and notes is not None:
        notes.append(
            ngettext(
                "the workbook has %(n)d sheet with values: the sheet “%(sheet)s” was read",
                "the workbook has %(n)d sheets with values: the sheet “%(sheet)s” was read",
                with_values,
            )
            % {"n": with_values, "sheet": title}
        )


def _has_values(sheet) -> bool:
    return any(any(cell is not None for cell in row) for row in sheet.iter_rows(values_only=True))


def write_csv(
    stream: BinaryIO,
    out: BinaryIO,
    notes: list[str] | None = None,
    progress: Callable[[float], None] | None = None,
    limit: int | None = None,
) -> None:
    """Write the workbook in ``stream`` as UTF-8 CSV into ``out``: its active sheet, else its first
    worksheet with values. Raises FileUnreadable for a damaged workbook or one without a table.
    ``progress`` is told the share of the sheet's rows written, every 2,000 rows, when the sheet
    declares its size. ``limit``: only the first rows (a preview, the header), not the whole sheet."""
    from openpyxl import load_workbook  # imported when a workbook comes, not with every import
    from openpyxl.utils.exceptions import InvalidFileException

    _refuse_strict(stream)
    try:
        book = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except (*BROKEN, InvalidFileException) as error:
        raise FileUnreadable(_("the workbook cannot be read (%(error)s)") % {"error": error}) from None
    try:
        sheets = _sheets(book)
        active = book.active if book.active in sheets else None
        widths = {sheet.title: sheet.max_column or 0 for sheet in sheets}
        heights = {sheet.title: sheet.max_row or 0 for sheet in sheets}
        for sheet in sheets:
            sheet.reset_dimensions()  # some writers declare A1 as the sheet's size: read every cell
        try:
            filled = [sheet for sheet in sheets if _has_values(sheet)]
        except BROKEN as error:
            raise FileUnreadable(_("the workbook cannot be read (%(error)s)") % {"error": error}) from None
        if not filled:
            raise FileUnreadable(_("the workbook has no sheet with values"))
        sheet = active if active in filled else filled[0]
        shown = [other for other in filled if other is sheet or getattr(other, "sheet_state", "visible") == "visible"]
        _note_sheet_read(notes, len(shown), sheet.title)
        epoch = getattr(book, "epoch", EXCEL_1900)
        # the sheet's declared width, when it is a plausible one, else the widest row so far
        declared = widths.get(sheet.title, 0)
        written = _Rows(out, declared if 0 < declared <= 1024 else 0)
        rows = heights.get(sheet.title) or 0
        try:
            for number, row in enumerate(sheet.iter_rows(max_row=limit), 1):
                if progress is not None and rows and number % 2000 == 0:
                    progress(min(number / rows, 1.0))
                written.write([_cell(cell.value, cell.number_format, epoch) for cell in row])
        except Refused as refused:
            raise _refusal(refused) from None
        except BROKEN as error:
            raise FileUnreadable(_("the workbook cannot be read (%(error)s)") % {"error": error}) from None
        finally:
            written.close()
    finally:
        book.close()


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .xlsx keeps in its OLE container


def _refuse_protected(stream: BinaryIO) -> None:
    """An .xlsx with a password to open (or a sensitivity label that encrypts it) is an OLE container
    holding the encrypted workbook, which starts like an Excel 97–2003 file: say what it is."""
    stream.seek(0)
    head = stream.read(1 << 20)
    stream.seek(0)
    if head.startswith(_OLE) and _ENCRYPTED in head:
        raise FileUnreadable(
            _(
                "this workbook is protected with a password (or encrypted by a sensitivity label); open it, "
                "remove the password (File → Info → Protect Workbook) and save it, then import that file"
            ),
            line=1,
        )


def _refuse_strict(stream: BinaryIO) -> None:
    """A workbook saved as "Strict Open XML Spreadsheet" uses other XML names, which openpyxl does not
    read (it would find no sheet): say how to save it."""
    try:
        with zipfile.ZipFile(stream) as archive, archive.open("xl/workbook.xml") as part:
            strict = b"purl.oclc.org/ooxml/spreadsheetml/main" in part.read(4096)
    except (*UNPACK_ERRORS, KeyError):
        strict = False
    finally:
        stream.seek(0)
    if strict:
        raise FileUnreadable(
            _(
                "this workbook is saved as Strict Open XML, which is not read; open it and save it as "
                "Excel Workbook (.xlsx), then import that file"
            )
        )


# A duration cell of an OpenDocument sheet, as calamine gives it: ISO 8601 (PT26H05M00S, P1DT2H…).
# Only the whole form LibreOffice writes: "PT" or "PT1H" typed as text (Portugal, initials) stays text.
_ISO_DURATION = re.compile(r"(-)?P(?:(\d+)D)?T(\d+)H(\d+)M(\d+(?:\.\d+)?)S")
# calamine gives a time cell of a day or more in an ``h:mm`` format (no brackets: Excel stores 26:05
# as 1 January 1900, 02:05) as that date: no evidence dates from before March 1900, so such a date
# is the duration it shows. (Excel's 1900 calendar counts a 29 February 1900 that never was: before
# March 1900, a serial counts from 31 December 1899.)
_BEFORE_1900_03 = dt.datetime(1900, 3, 1)
_SERIAL_ONE = dt.datetime(1899, 12, 31)


def _calamine_cell(value) -> str:
    if isinstance(value, str):
        if value.startswith(("PT", "-PT", "P")) and (found := _ISO_DURATION.fullmatch(value)):
            sign, days, hours, minutes, seconds = found.groups()
            span = dt.timedelta(
                days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0)
            )
            return cell_text(-span if sign else span)
        return cell_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date) and _SERIAL_ONE <= _as_moment(value) < _BEFORE_1900_03:
        return cell_text(_as_moment(value) - _SERIAL_ONE)
    return cell_text(value)


def _as_moment(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time(0))


class Refused(Exception):
    """Why the sheet cannot be read, as a code (the child that reads a workbook has no translations):
    ``password``, ``broken`` (``detail`` says how), ``empty``, ``too_large`` (its CSV), ``memory``,
    ``time`` (the child's limits), ``stopped`` (the child ended otherwise; ``detail``)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code, self.detail = code, detail


def _refusal(refused: Refused, memory_mb: int = 0) -> FileUnreadable:
    """What the member is told of a refusal, in their language."""
    if refused.code == "password":
        return FileUnreadable(
            _(
                "this workbook is protected with a password; open it, remove the password and save it, "
                "then import that file"
            ),
            line=1,
        )
    if refused.code == "empty":
        return FileUnreadable(_("the workbook has no sheet with values"))
    if refused.code == "too_large":
        return FileUnreadable(_("the workbook's sheet is too large to read"))
    if refused.code == "memory":
        return FileUnreadable(
            _(
                "the workbook's sheets are too large to read: reading them takes more than %(mb)d MB "
                "(PARTING_WORKBOOK_MEMORY_MB); save the sheet as .xlsx or CSV and import that file"
            )
            % {"mb": memory_mb}
        )
    if refused.code == "time":
        return FileUnreadable(
            ngettext(
                "the workbook took more than %(seconds)d second to read; save the sheet as CSV and import that file",
                "the workbook took more than %(seconds)d seconds to read; save the sheet as CSV and import that file",
                CHILD_CPU_SECONDS,
            )
            % {"seconds": CHILD_CPU_SECONDS}
        )
    return FileUnreadable(_("the workbook cannot be read (%(error)s)") % {"error": refused.detail[:200]})


def _guarded(call):
    """``call()``, with anything calamine raises (its errors, or a panic of its Rust code, which
    reaches Python as a BaseException; not an interrupt) as Refused."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, GeneratorExit, Refused, MemoryError):
        raise
    except BaseException as error:
        if type(error).__name__ == "PasswordError":
            raise Refused("password") from None
        raise Refused("broken", str(error)) from None


class _Rows:
    """The CSV a sheet is written as: each row a line, as wide as the widest row so far (Excel's
    "Save as CSV" writes every row as wide as the sheet: a reader takes a short row for a file cut
    short), at most ``MAX_PADDED`` wide (a stray note in column XFD widens its own row only)."""

    def __init__(self, out: BinaryIO, width: int = 0) -> None:
        self.out, self.width = out, width
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.writer(self.text, lineterminator="\r\n")

    def write(self, cells: list[str]) -> None:
        while cells and not cells[-1]:
            cells.pop()
        self.width = max(self.width, min(len(cells), MAX_PADDED))
        self.writer.writerow(cells + [""] * (self.width - len(cells)))
        if self.out.tell() > MAX_CSV_BYTES:
            raise Refused("too_large")

    def close(self) -> None:
        self.text.detach()


def calamine_csv(stream: BinaryIO, out: BinaryIO, tell: Callable[..., None], limit: int | None = None) -> None:
    """The first visible worksheet with values of the .xls, .ods or .xlsb workbook in ``stream``, as
    CSV into ``out``, each of its rows one line (a sheet whose first value is right of column A is
    padded, so that columns and line numbers are the sheet's). ``tell(sheets=n, name=…)`` and
    ``tell(progress=share)`` report; Refused says why not. Run in a child process (``write_csv_calamine``)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    book = _guarded(lambda: CalamineWorkbook.from_filelike(stream))
    try:
        metadata = _guarded(lambda: book.sheets_metadata)
        sheets = [m.name for m in metadata if m.typ == SheetTypeEnum.WorkSheet]
        visible = [
            m.name for m in metadata if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
        ]
        chosen, filled = None, 0
        for name in visible or sheets:
            sheet = _guarded(lambda name=name: book.get_sheet_by_name(name))
            if sheet.height and _guarded(lambda sheet=sheet: any(_has_value_rows(sheet))):
                filled += 1
                chosen = chosen or sheet
        if chosen is None:
            raise Refused("empty")
        tell(sheets=filled, name=chosen.name)
        # calamine (0.9) gives a sheet's rows from its first row on, but each row from the column of
        # its first value (``start``): the columns are padded back (tests/imports/test_other_workbooks.py
        # holds this to the version pinned in pyproject.toml)
        left = (chosen.start or (0, 0))[1]
        height = chosen.height or 0
        rows = _Rows(out)
        try:
            lost = _lost(stream, chosen.name)
        except MemoryError:
            raise
        except Exception:  # calamine read the file: its values stand, errors put back or not
            lost = {}

        def write_rows() -> None:
            for number, row in enumerate(chosen.iter_rows(), 1):
                if limit is not None and number > limit:
                    break
                if height and number % 2000 == 0:
                    tell(progress=min(number / height, 1.0))
                cells = [""] * left + [_calamine_cell(value) for value in row]
                if lost:
                    _put_back(cells, number - 1, lost)
                rows.write(cells)

        try:
            _guarded(write_rows)
        finally:
            rows.close()
    finally:
        book.close()


def _lost(stream: BinaryIO, sheet_name: str) -> dict[tuple[int, int], str]:
    """The cells of the sheet read whose value calamine loses (an .ods's or .xls's; an .xlsb's are
    not read again), by their 0-based (row, column)."""
    found = workbook_format(stream)
    if found == "xls":
        return _xls_lost(stream, sheet_name)
    return _ods_lost(stream, sheet_name) if found == "ods" else {}


def _put_back(cells: list[str], row: int, lost: dict[tuple[int, int], str]) -> None:
    """The row's cells whose value calamine lost, as the sheet shows them."""
    for column in range(len(cells)):
        if (text := lost.get((row, column))) is not None:
            cells[column] = cell_text(text)


def _has_value_rows(sheet) -> Iterator[bool]:
    for row in sheet.iter_rows():
        yield any(value not in ("", None) for value in row)


# What calamine loses of an OpenDocument cell, found in content.xml: the error a formula gave
# (LibreOffice writes ``calcext:value-type="error"``, ``office:string-value=""`` and the error's text,
# ``#DIV/0!`` or its translation, in ``<text:p>``; calamine reads ""), and tabs and line breaks inside
# a paragraph (``<text:tab/>``, ``<text:line-break/>``; calamine joins the words around them).
_OD_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OD_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OD_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_OD_ERROR = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
_OD_CELLS = (_OD_TABLE + "table-cell", _OD_TABLE + "covered-table-cell")
_OD_LOST = (b'value-type="error"', b":tab/", b":tab ", b":tab>", b":line-break")  # bytes.find: fast


def _ods_lost(stream: BinaryIO, sheet_name: str) -> dict[tuple[int, int], str]:
    """The cells of the sheet ``sheet_name`` of the OpenDocument file in ``stream`` whose value
    calamine loses, by their 0-based (row, column): their text as LibreOffice shows it. The XML is read
    once for the markers and, only when one is there, once more through defusedxml, a row at a time."""
    from defusedxml.ElementTree import iterparse

    with zipfile.ZipFile(stream) as archive, archive.open("content.xml") as part:
        tail = b""
        while chunk := part.read(1 << 20):
            window = tail + chunk
            if any(marker in window for marker in _OD_LOST):
                break
            tail = chunk[-64:]
        else:
            return {}
    lost: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(stream) as archive, archive.open("content.xml") as part:
        stack: list = []
        inside = False  # in the sheet read
        row = column = 0
        found: dict[int, str] = {}  # the row's cells calamine loses, by column
        for event, element in iterparse(part, events=("start", "end"), forbid_dtd=True):
            tag = element.tag
            if event == "start":
                stack.append(element)
                if tag == _OD_TABLE + "table":
                    inside, row = element.get(_OD_TABLE + "name") == sheet_name, 0
                elif tag == _OD_TABLE + "table-row":
                    column, found = 0, {}
                continue
            stack.pop()
            if inside and tag in _OD_CELLS:
                repeat = _od_count(element.get(_OD_TABLE + "number-columns-repeated"))
                if _od_loses(element):
                    text = _od_cell_text(element)
                    found.update((column + step, text) for step in range(repeat))
                column += repeat
            elif tag == _OD_TABLE + "table-row":
                repeat = _od_count(element.get(_OD_TABLE + "number-rows-repeated"))
                if inside:
                    lost.update(
                        ((row + step, at), text) for step in range(repeat if found else 0) for at, text in found.items()
                    )
                    row += repeat
                if stack:
                    stack[-1].clear()  # a row is forgotten once read (its sheet's name was read at its start)
            elif tag == _OD_TABLE + "table":
                inside = False
    return lost


def _od_count(value: str | None, most: int = 1 << 20) -> int:
    """A repeat or space count as written, 1 if it is none; never more than ``most``."""
    try:
        return min(max(int(value or 1), 1), most)
    except ValueError:
        return 1


def _od_loses(cell) -> bool:
    if cell.get(_OD_ERROR) == "error":
        return True
    return any(node.tag in (_OD_TEXT + "tab", _OD_TEXT + "line-break") for node in cell.iter())


def _od_cell_text(cell) -> str:
    """A cell's text as shown: its paragraphs one a line, ``<text:s text:c="n"/>`` n spaces, a tab a
    tab, a line break a line break; notes (``office:annotation``) are not its text."""

    def text_of(node) -> str:
        parts = [node.text or ""]
        for child in node:
            if child.tag == _OD_TEXT + "tab":
                parts.append("\t")
            elif child.tag == _OD_TEXT + "line-break":
                parts.append("\n")
            elif child.tag == _OD_TEXT + "s":
                parts.append(" " * _od_count(child.get(_OD_TEXT + "c"), 1000))
            elif child.tag != _OD_OFFICE + "annotation":
                parts.append(text_of(child))
            parts.append(child.tail or "")
        return "".join(parts)

    return "\n".join(text_of(p) for p in cell if p.tag == _OD_TEXT + "p")


# What calamine loses of an Excel 97–2003 cell: an error (python-calamine gives it as ""). In the
# workbook's BIFF8 records (MS-XLS 2.4.24 BoolErr, 2.4.127 Formula with an error result, 2.5.97.2
# FormulaValue): a BoolErr record holding an error, or a formula whose saved result is one. A
# workbook without either byte pattern anywhere is not walked (most are not).
_XLS_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_BOOLERR_HEADER = b"\x05\x02\x08\x00"
_FORMULA_ERROR = re.compile(rb"\x06\x00.{8}\x02.{5}\xff\xff", re.DOTALL)


def _xls_lost(stream: BinaryIO, sheet_name: str) -> dict[tuple[int, int], str]:
    """The error cells of the sheet ``sheet_name`` of the Excel 97–2003 workbook in ``stream``, by
    their 0-based (row, column): the error as Excel writes it (``#DIV/0!``)."""
    import olefile

    stream.seek(0)
    with olefile.OleFileIO(stream) as container:
        if not container.exists("Workbook"):
            return {}  # Excel 5/95 ("Book"): not read again
        data = container.openstream("Workbook").read()
    if _BOOLERR_HEADER not in data and not _FORMULA_ERROR.search(data):
        return {}
    return _biff_errors(data, sheet_name)


def _biff_errors(data: bytes, sheet_name: str) -> dict[tuple[int, int], str]:
    """Walk the BIFF8 records of a Workbook stream: the globals' BoundSheet8 records say where each
    sheet's records begin (its BOF); the sheet's BoolErr and Formula records give its error cells.
    A chart or other substream nested in the sheet (a BOF inside it) is passed over."""
    starts: dict[str, int] = {}
    worksheets: list[int] = []
    position, size = 0, len(data)
    while position + 4 <= size:
        kind, length = struct.unpack_from("<HH", data, position)
        body = position + 4
        if kind == 0x0085 and length >= 8:  # BoundSheet8: lbPlyPos, hsState, dt, then the name
            start, sheet_type, count, wide = struct.unpack_from("<IxBBB", data, body)
            raw = data[body + 8 : body + 8 + count * (2 if wide & 1 else 1)]
            starts[raw.decode("utf-16-le" if wide & 1 else "latin-1", "replace")] = start
            if sheet_type == 0:
                worksheets.append(start)
        elif kind == 0x000A:  # EOF: the end of the globals
            break
        position = body + length
    start = starts.get(sheet_name, worksheets[0] if len(worksheets) == 1 else None)
    if start is None:
        return {}
    lost: dict[tuple[int, int], str] = {}
    depth, position = 0, start
    while position + 4 <= size:
        kind, length = struct.unpack_from("<HH", data, position)
        body = position + 4
        if kind == 0x0809:  # BOF: the sheet's own, or one nested in it
            depth += 1
        elif kind == 0x000A:
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1 and kind == 0x0205 and length >= 8 and data[body + 7] == 1:
            row, column = struct.unpack_from("<HH", data, body)
            lost[row, column] = _XLS_ERRORS.get(data[body + 6], "#N/A")
        elif (
            depth == 1
            and kind == 0x0006
            and length >= 20
            and data[body + 6] == 2
            and data[body + 12 : body + 14] == b"\xff\xff"
        ):
            row, column = struct.unpack_from("<HH", data, body)
            lost[row, column] = _XLS_ERRORS.get(data[body + 8], "#N/A")
        position = body + length
    return lost


# The child that reads an .xls, .ods or .xlsb workbook stops after this many seconds of CPU time (a
# real export of the largest sheet takes seconds).
CHILD_CPU_SECONDS = 300
_DIED_OF = {-signal.SIGXCPU: "time", -signal.SIGKILL: "memory", -signal.SIGABRT: "memory"}


def write_csv_calamine(
    stream: BinaryIO,
    out: BinaryIO,
    notes: list[str] | None = None,
    progress: Callable[[float], None] | None = None,
    limit: int | None = None,
) -> None:
    """``write_csv`` for an .xls, .ods or .xlsb workbook: ``calamine_csv`` run in a child process
    (``python -m parting.imports.calamine_child``) under an address-space and a CPU-time limit.

    calamine reads a sheet whole, as a grid from its first value to its last, before the first row
    (.ods and .xls: every sheet, when the workbook is opened), and the file says in a few bytes how
    large that grid is: one row of an .ods repeated a million times across 30 columns is 1 KB of file
    and 1.9 GB of memory; a value at IV65536 of an .xls, 1.1 GB; at XFD1048576 of an .xlsb, more than
    a machine has, and Rust aborts the process that asked. In a child the limit makes that a clear
    refusal, and the web server or worker that asked goes on."""
    from django.conf import settings

    memory_mb = getattr(settings, "WORKBOOK_MEMORY_MB", 1024)
    with _fileno(stream, "rb") as source, _fileno(out, "wb") as sink, tempfile.TemporaryFile() as said:
        read_end, write_end = os.pipe()
        try:
            child = subprocess.Popen(  # noqa: S603 - this interpreter and our module, no shell, no user text
                [
                    sys.executable,
                    "-m",
                    "parting.imports.calamine_child",
                    str(limit or 0),
                    str(memory_mb),
                    str(CHILD_CPU_SECONDS),
                    str(write_end),
                ],
                stdin=source,
                stdout=sink,
                stderr=said,
                pass_fds=(write_end,),
                env=_child_environment(),
            )
        finally:
            os.close(write_end)
        refused, done = None, False
        try:
            with os.fdopen(read_end, encoding="utf-8") as channel:
                for line in channel:
                    message = json.loads(line)
                    if "progress" in message and progress is not None:
                        progress(float(message["progress"]))
                    elif "sheets" in message:
                        _note_sheet_read(notes, int(message["sheets"]), str(message["name"]))
                    elif "refused" in message:
                        refused = Refused(str(message["refused"]), str(message.get("detail", "")))
                    elif "done" in message:
                        done = True
            child.wait()
        finally:
            if child.poll() is None:  # interrupted: the child does not outlive its reader
                child.kill()
                child.wait()
        if refused is None and not (done and child.returncode == 0):
            said.seek(0)
            detail = said.read()[-2000:].decode("utf-8", "replace")
            code = _DIED_OF.get(child.returncode, "stopped")
            if "memory allocation" in detail or "MemoryError" in detail:
                code = "memory"
            refused = Refused(code, detail.strip().splitlines()[-1] if detail.strip() else f"exit {child.returncode}")
        if refused is not None:
            raise _refusal(refused, memory_mb)
        if sink is not out:
            sink.seek(0)
            shutil.copyfileobj(sink, out)


_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the parting package


def _child_environment() -> dict[str, str]:
    """This process's environment, with the folder that holds ``parting`` first on the child's path
    (an empty entry would put the current folder on it: none is added)."""
    paths = [_SOURCE_ROOT, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}


@contextlib.contextmanager
def _fileno(stream: BinaryIO, mode: str) -> Iterator[BinaryIO]:
    """``stream`` if it is a file with a descriptor (a child can be given it), else a temporary file
    holding (``rb``) or taking (``wb``) its bytes."""
    try:
        stream.fileno()
        yield stream
        return
    except (AttributeError, OSError, io.UnsupportedOperation):
        pass
    with tempfile.TemporaryFile() as spare:
        if mode == "rb":
            position = stream.tell()
            shutil.copyfileobj(stream, spare)
            stream.seek(position)
            spare.seek(0)
        yield spare


@contextlib.contextmanager
def opened(
    path: Path,
    notes: list[str] | None = None,
    progress: Callable[[float], None] | None = None,
    limit: int | None = None,
) -> Iterator[BinaryIO]:
    """The file at ``path`` as the CSV readers read it: itself, or for a workbook its sheet in CSV (a
    temporary file, gone when the block ends; only its first ``limit`` rows for a preview)."""
    with path.open("rb") as stream:
        _refuse_protected(stream)
        kind = workbook_kind(stream)
        if not kind:
            yield stream
            return
        with tempfile.TemporaryFile() as spool:
            (write_csv if kind == "xlsx" else write_csv_calamine)(stream, spool, notes, progress, limit)
            spool.seek(0)
            yield spool
