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
entity bombs is refused; the CSV written is capped at ``MAX_CSV_BYTES``. Old binary workbooks
(.xls) and OpenDocument sheets (.ods) are not read: the reader refuses them with what to do.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .problems import UNPACK_ERRORS, FileUnreadable
from .text import currency_in

# What a damaged or hostile workbook raises while it is opened or its sheet read: the zip's errors,
# openpyxl's (InvalidFileException, KeyError for a missing part, TypeError/AttributeError for parts it
# cannot make sense of), the XML parser's (ParseError is a SyntaxError) and defusedxml's (ValueError).
BROKEN = (*UNPACK_ERRORS, KeyError, TypeError, IndexError, AttributeError, SyntaxError)
MAX_CSV_BYTES = 2 << 30  # the CSV written for one sheet: a few hundred MB at most for a real export
_ZIP_MAGIC = b"PK\x03\x04"


def is_workbook(stream: BinaryIO) -> bool:
    """Whether ``stream`` (seekable; left at its start) is an Office Open XML workbook (.xlsx, .xlsm)."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head != _ZIP_MAGIC:
        return False
    try:
        with zipfile.ZipFile(stream) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except UNPACK_ERRORS:  # a damaged zip: the CSV reader refuses it as one, saying what it is
        return False
    finally:
        stream.seek(0)


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


_LOCALE_CURRENCY = re.compile(r"\[\$([^\]-]*)(?:-[0-9A-Fa-f]+)?\]")
_QUOTED = re.compile(r'"([^"]*)"')


def currency_of(number_format: str | None) -> tuple[str, bool]:
    """The currency a cell's number format shows beside its number, and whether before it:
    ``"$"#,##0.00`` and ``[$€-407] #,##0.00`` → ("$"/"€", True); ``#,##0.00 "zł"`` → ("zł", False);
    ``("", False)`` for a format without one. Only the first section (positive numbers) is read."""
    if not number_format or number_format == "General":
        return "", False
    section = re.sub(r'("[^"]*")|;.*', lambda m: m.group(1) or "", number_format, count=0)
    placeholder = re.search(r"[0#?]", _QUOTED.sub(lambda m: "x" * len(m.group(0)), section))
    digits_at = placeholder.start() if placeholder else len(section)
    for found in (*_LOCALE_CURRENCY.finditer(section), *_QUOTED.finditer(section)):
        literal = found.group(1).strip()
        # a unit (`0.00 "h"`, `"Total "0`) is not a currency: only what an amount's text would name
        if literal and (currency_in(f"1{literal}") or currency_in(f"{literal}1")):
            return literal, found.start() < digits_at
    bare = _QUOTED.sub(lambda m: " " * len(m.group(0)), _LOCALE_CURRENCY.sub(lambda m: " " * len(m.group(0)), section))
    for index, ch in enumerate(bare):
        if unicodedata.category(ch) == "Sc" and currency_in(f"{ch}1"):
            return ch, index < digits_at
    return "", False


def number_text(value, number_format: str | None) -> str:
    """A number cell as its tool's CSV export writes it: its digits, with the currency its format
    shows (``$980``, ``-€150``, ``350 zł``) so that a file without a currency column still says which."""
    text = cell_text(value)
    if not number_format or number_format == "General" or not text:
        return text
    decimals, symbol, before = _format(number_format)
    whole, _point, digits = text.partition(".")
    if len(digits) < decimals:
        text = f"{whole}.{digits.ljust(decimals, '0')}"
    if not symbol:
        return text
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    if before:
        return f"{sign}{symbol}{' ' if symbol[-1].isalpha() else ''}{digits}"
    return f"{sign}{digits} {symbol}"


@functools.lru_cache(maxsize=512)
def _format(number_format: str) -> tuple[int, str, bool]:
    """What a number format shows of every number (a sheet has a few formats, its cells many): the
    decimals it always shows — ``1200`` in ``#,##0.00`` is ``1200.00``, as the tool's CSV and Excel's
    "Save as CSV" write it, so that an import of the CSV and one of the workbook key a payment alike;
    digits beyond them are never cut — and its currency (``currency_of``)."""
    section = _QUOTED.sub("", number_format.split(";", 1)[0])
    shown = re.search(r"\.(0+)", section)
    scaled = "%" in section or "E" in section.upper().replace("[$", "")
    return (len(shown.group(1)) if shown and not scaled else 0, *currency_of(number_format))


def _to_second(moment: dt.datetime) -> dt.datetime:
    """A time Excel stores as a fraction of a day comes back a microsecond off (09:14:59.999998)."""
    rounded = moment.replace(microsecond=0)
    return rounded + dt.timedelta(seconds=1) if moment.microsecond >= 500_000 else rounded


def _sheets(book) -> list:
    return [sheet for sheet in book.worksheets if hasattr(sheet, "iter_rows")]


def _has_values(sheet) -> bool:
    return any(any(cell is not None for cell in row) for row in sheet.iter_rows(values_only=True))


def write_csv(
    stream: BinaryIO, out: BinaryIO, notes: list[str] | None = None, progress: Callable[[float], None] | None = None
) -> None:
    """Write the workbook in ``stream`` as UTF-8 CSV into ``out``: its active sheet, else its first
    worksheet with values. Raises FileUnreadable for a damaged workbook or one without a table.
    ``progress`` is told the share of the sheet's rows written, every 2,000 rows, when the sheet
    declares its size."""
    from openpyxl import load_workbook  # imported when a workbook comes, not with every import
    from openpyxl.utils.exceptions import InvalidFileException

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
        if len(filled) > 1 and notes is not None:
            notes.append(
                ngettext(
                    "the workbook has %(n)d sheet with values: the sheet “%(sheet)s” was read",
                    "the workbook has %(n)d sheets with values: the sheet “%(sheet)s” was read",
                    len(filled),
                )
                % {"n": len(filled), "sheet": sheet.title}
            )
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text, lineterminator="\r\n")
        # Excel's "Save as CSV" writes every row as wide as the sheet: a row whose last cells are
        # empty still has their commas (a reader takes a short row for a file cut short). The
        # sheet's declared width, when it is a plausible one, else the widest row so far.
        width = declared if 0 < (declared := widths.get(sheet.title, 0)) <= 1024 else 0
        rows = heights.get(sheet.title) or 0
        try:
            for number, row in enumerate(sheet.iter_rows(), 1):
                if progress is not None and rows and number % 2000 == 0:
                    progress(min(number / rows, 1.0))
                cells = [
                    number_text(cell.value, cell.number_format)
                    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
                    else cell_text(cell.value)
                    for cell in row
                ]
                while cells and not cells[-1]:
                    cells.pop()
                width = max(width, len(cells))
                writer.writerow(cells + [""] * (width - len(cells)))
                if out.tell() > MAX_CSV_BYTES:
                    raise FileUnreadable(_("the workbook's sheet is too large to read"))
        except BROKEN as error:
            raise FileUnreadable(_("the workbook cannot be read (%(error)s)") % {"error": error}) from None
        finally:
            text.detach()
    finally:
        book.close()


@contextlib.contextmanager
def opened(
    path: Path, notes: list[str] | None = None, progress: Callable[[float], None] | None = None
) -> Iterator[BinaryIO]:
    """The file at ``path`` as the CSV readers read it: itself, or for a workbook its sheet in CSV (a
    temporary file, gone when the block ends)."""
    with path.open("rb") as stream:
        if not is_workbook(stream):
            yield stream
            return
        with tempfile.TemporaryFile() as spool:
            write_csv(stream, spool, notes, progress)
            spool.seek(0)
            yield spool
