"""Excel copies of the CSV samples, typed as the tools' "Export to Excel" writes them: dates as date
cells, times of day as time cells, durations as ``[h]:mm:ss`` cells, amounts and hours as numbers
with a number format, everything else as text; a report's title lines merged across the columns.

The tools (QuickBooks Online, Toggl Track, Harvest, Clockify, Xero) write one sheet whose rows are
the rows of their CSV export; only the cells' types differ. A test reads a sample as CSV and as the
workbook built here and expects the same records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from openpyxl import Workbook

_NUMBER = re.compile(r"^\(?-?[$€£]?\s?-?(?:\d{1,3}(?:,\d{3})+|[1-9]\d*|0)(?:\.\d+)?\)?\s*$")
_DURATION = re.compile(r"^(\d+):([0-5]\d):([0-5]\d)$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def _number(text: str) -> float | None:
    if not _NUMBER.match(text):
        return None
    negative = text.strip().startswith("(") or "-" in text
    value = float(re.sub(r"[^\d.]", "", text))
    return -value if negative else value


def typed(text: str, column: str, *, date_format: str | None, durations: set[str], times: set[str], texts: set[str]):
    """The value and number format the tool's Excel export gives the cell ``text`` of ``column``."""
    if not text.strip() or column in texts:
        return text, None
    if column in durations and (m := _DURATION.match(text.strip())):
        hours, minutes, seconds = map(int, m.groups())
        return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds), "[h]:mm:ss"
    if column in times and (m := _CLOCK.match(text.strip())):
        return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)), "hh:mm:ss"
    if date_format:
        try:
            return dt.datetime.strptime(text.strip(), date_format), "mm/dd/yyyy"
        except ValueError:
            pass
    number = _number(text)
    if number is not None:  # QuickBooks shows a dollar sign as its format, not in the value
        if "." not in text:
            return number, "General"  # a count or a number (an invoice's No.) shows no decimals
        return number, '"$"#,##0.00' if "$" in text else "#,##0.00"
    return text, None


def excel_copy(
    source: Path,
    target: Path,
    *,
    date_format: str | None = None,
    durations: tuple[str, ...] = (),
    times: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
    header_line: int = 1,
    sheet: str = "Sheet1",
    encoding: str = "utf-8-sig",
) -> Path:
    """Write ``source`` (a CSV sample) as the one-sheet workbook ``target``; the lines above
    ``header_line`` (a report's titles) are merged across the sheet's width, as QuickBooks does."""
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode(encoding), newline="")))
    book = Workbook()
    ws = book.active
    ws.title = sheet
    header = rows[header_line - 1] if len(rows) >= header_line else []
    width = max(len(header), 1)
    for number, row in enumerate(rows, 1):
        for index, text in enumerate(row):
            column = header[index] if index < len(header) else ""
            if number <= header_line:
                value, fmt = text, None
            else:
                value, fmt = typed(
                    text,
                    column,
                    date_format=date_format,
                    durations=set(durations),
                    times=set(times),
                    texts=set(texts),
                )
            if value == "":
                continue
            cell = ws.cell(row=number, column=index + 1, value=value)
            if fmt:
                cell.number_format = fmt
        if number < header_line and row and row[0] and not any(row[1:]) and width > 1:
            ws.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    book.save(target)
    return target
