"""Our own CSV format for the kinds no outside tool exports: meetings, messages, requests to the
client and incidents — what ``parting export`` writes (issue 10 §6), so an export reads back as it is.

The columns are ``columns.GENERIC[kind]``; ``ReadOptions.mapping`` maps our field names to other
column names. Every row names its client by ``client`` (the name) and/or ``client_email``.

- ``read_meetings`` → MeetingRecord (W4): ``starts_at``, ``ends_at`` and ``cancelled_at`` are ISO 8601
  date-times, e.g. ``2026-03-05T09:00:00+01:00`` (``Z`` for UTC; without an offset they are in the
  firm's time zone, ``ReadOptions.time_zone``); ``status`` is held, cancelled_by_client,
  cancelled_by_us or no_show (empty: held).
- ``read_messages`` → MessageRecord (W2, W3, W10): channel, direction, to_senior and negative as the
  file gives them; ``in_reply_to`` is another row's ``message_id``.
- ``read_requests`` → RequestRecord (W1, W14).
- ``read_incidents`` → IncidentRecord: ``kind`` is rework (W5), scope_creep (W13),
  expertise_challenged (W6), contract_ignored (W8), disrespect (W15), haggling (W9) or other.

This module also holds what the CSV readers of time entries and clients share: finding the columns
(``Table``), e-mail addresses, keys for rows without an id, date-times.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.utils.translation import gettext_lazy

from parting.imports.i18n import gettext as _
from parting.imports.i18n import join, ngettext, reason_of, said

from ..columns import GENERIC, KIND_NAMES, REQUIRED
from ..problems import FileUnreadable, Problems, Source
from ..records import (
    ClientRef,
    IncidentRecord,
    MeetingRecord,
    MeetingStatus,
    MessageRecord,
    ReadOptions,
    RequestRecord,
    content_key,
)
from ..text import (
    MAX_HEADER_LINES,
    DateColumn,
    DateError,
    csv_rows,
    either,
    parse_hours,
    quoted_records,
    sniff_delimiter,
    too_many_values,
    truthy,
)

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
MAX_LIST = 50  # addresses, domains or services in one cell


# ---- columns ---------------------------------------------------------------------------------------


def column_key(name: str) -> str:
    """How column names are compared: case-insensitive, spaces collapsed, Xero's ``*`` (a column
    its import requires) and a stray BOM ignored."""
    return " ".join(name.replace("\ufeff", "").strip().lstrip("*").split()).casefold()


class _Borrowed(io.BufferedIOBase):
    """The caller's stream, from ``start`` on, behind a wrapper whose closing leaves it open.

    ``csv_rows`` wraps the stream in a TextIOWrapper, which closes what it wraps when it is
    collected; a reader reads its file twice (a scan, then the rows), and the caller's stream must
    survive both."""

    def __init__(self, raw: BinaryIO, start: int = 0):
        super().__init__()
        self._raw, self._start = raw, start
        raw.seek(start)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._raw.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._raw.read(size if size and size > 0 else 64 * 1024)

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            return self._raw.seek(self._start + offset) - self._start
        return self._raw.seek(offset, whence) - self._start

    def tell(self) -> int:
        return self._raw.tell() - self._start


def open_csv(stream: BinaryIO, options: ReadOptions, start: int = 0):
    """``text.csv_rows`` over the stream from byte ``start``, leaving the stream open."""
    try:
        return csv_rows(_Borrowed(stream, start), encoding=options.encoding or None, language=options.language)
    except LookupError:
        raise FileUnreadable(
            _("the character set %(encoding)s is unknown") % {"encoding": repr(options.encoding)}
        ) from None


def _listing(header: Iterable[str]) -> str:
    names = [h for h in header if h]
    if not names:
        return _("none")
    shown = ", ".join(repr(h) for h in names[:40])
    if len(names) <= 40:
        return shown
    more = len(names) - 40
    return ngettext("%(columns)s and %(n)d more", "%(columns)s and %(n)d more", more) % {"columns": shown, "n": more}


class Columns:
    """Which of a file's columns hold each of our fields: ``candidates`` gives, per field, the
    column names a preset or the generic format uses, in order of preference; ``mapping`` (from
    ``--map`` or the firm's saved mapping) overrides them. A field whose value is the empty string
    in the mapping is not read at all."""

    def __init__(self, header: list[str], candidates: dict[str, tuple[str, ...]], mapping: dict[str, str]):
        self.header = header
        index: dict[str, str] = {}
        for h in header:
            if h:
                index.setdefault(column_key(h), h)
        self.found: dict[str, list[str]] = {}
        for field, names in candidates.items():
            if field in mapping:
                wanted = mapping[field]
                if not wanted or not wanted.strip():
                    continue
                column = index.get(column_key(wanted))
                if column is None:
                    raise FileUnreadable(
                        _(
                            "the mapping puts %(field)s in the column %(column)s, which the file does not have; "
                            "its columns are: %(columns)s"
                        )
                        % {"field": field, "column": repr(wanted), "columns": _listing(header)}
                    )
                self.found[field] = [column]
                continue
            present = [index[column_key(n)] for n in names if column_key(n) in index]
            if present:
                self.found[field] = list(dict.fromkeys(present))

    def has(self, field: str) -> bool:
        return field in self.found

    def name(self, field: str) -> str:
        """The file's column for ``field`` (its first candidate present), for problems."""
        columns = self.found.get(field)
        return columns[0] if columns else field

    def get(self, row: dict[str, str], field: str) -> str:
        """The first non-empty value among the field's columns, stripped ('' when none)."""
        for column in self.found.get(field, ()):
            value = (row.get(column) or "").strip()
            if value:
                return value
        return ""

    def where(self, row: dict[str, str], field: str) -> str:
        """The column the value of ``field`` came from (for a problem about it)."""
        for column in self.found.get(field, ()):
            if (row.get(column) or "").strip():
                return column
        return self.name(field)

    def require(self, fields: Iterable[str], candidates: dict[str, tuple[str, ...]], what: str) -> None:
        missing = [f for f in fields if not self.has(f)]
        if missing:
            wanted = join(
                "; ",
                (
                    _("%(field)s (a column named %(names)s)")
                    % {"field": f, "names": either(repr(c) for c in candidates.get(f, (f,)))}
                    for f in missing
                ),
            )
            raise FileUnreadable(
                _(
                    "this %(what)s file lacks required columns: %(wanted)s. Its columns are: %(columns)s. "
                    "Rename the columns or map them (--map FIELD=COLUMN)"
                )
                % {"what": what, "wanted": wanted, "columns": _listing(self.header)}
            )

    def require_one(self, fields: tuple[str, ...], what: str) -> None:
        if not any(self.has(f) for f in fields):
            raise FileUnreadable(
                _(
                    "this %(what)s file needs a column naming the client (%(names)s); "
                    "its columns are: %(columns)s. Rename a column or map it (--map client=COLUMN)"
                )
                % {"what": what, "names": either(repr(f) for f in fields), "columns": _listing(self.header)}
            )


class Table:
    """A CSV file read in up to two streaming passes: ``scan`` (dates whose day/month order is
    decided per column), then ``rows``. Memory stays bounded: no pass keeps the rows."""

    def __init__(
        self,
        stream: BinaryIO,
        options: ReadOptions,
        candidates: dict[str, tuple[str, ...]],
        start: int = 0,
        line_offset: int = 0,
    ):
        self.stream, self.options, self.start, self.line_offset = stream, options, start, line_offset
        self.candidates = candidates
        self._csv = open_csv(stream, options, start)
        self.columns = Columns(self._csv.header, candidates, options.mapping)
        self._used = False

    @property
    def header(self) -> list[str]:
        return self._csv.header

    def _pass(
        self, problems: Problems | None = None, name: str = "", skip: Callable[[dict[str, str]], bool] | None = None
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """The rows as ``(line, {column: value})``, without those ``skip`` says are not data (a
        report's totals or footer). A last row with fewer cells than the header is a file cut short
        (``csv`` reads a quoted field cut by the end of the file without a word): it is reported to
        ``problems`` and not yielded."""
        if self._used:
            self._csv = open_csv(self.stream, self.options, self.start)
        self._used = True
        header = self._csv.header
        width = len(header)
        previous: tuple[int, list[str]] | None = None
        for line, cells in self._csv._rows:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and rows of empty cells
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                # its values no longer stand under their columns ("Acme, Inc." unquoted)
                if problems is not None:
                    problems.add(
                        Source(name, line + self.line_offset), too_many_values(len(cells), width, self._csv.delimiter)
                    )
                continue
            if skip and skip(self._row(line, cells, width, header)[1]):
                continue
            if previous is not None:
                yield self._row(*previous, width, header)
            previous = (line, cells)
        if previous is None:
            return
        line, cells = previous
        if len(cells) < width:
            if problems is not None:
                problems.add(
                    Source(name, line + self.line_offset),
                    ngettext(
                        "the file ends in the middle of this row (it has %(cells)d of the %(width)d column): "
                        "is the file cut short?",
                        "the file ends in the middle of this row (it has %(cells)d of the %(width)d columns): "
                        "is the file cut short?",
                        width,
                    )
                    % {"cells": len(cells), "width": width},
                )
            return
        yield self._row(line, cells, width, header)

    def _row(self, line: int, cells: list[str], width: int, header: list[str]) -> tuple[int, dict[str, str]]:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        return line + self.line_offset, dict(zip(header, cells, strict=False))

    def scan_dates(
        self, *groups: tuple[str, ...], skip: Callable[[dict[str, str]], bool] | None = None
    ) -> dict[str, DateColumn]:
        """One DateColumn per group of fields (the fields of a group share a format, e.g. Clockify's
        start and end dates), decided over the whole file. Raises FileUnreadable when a column mixes
        orders or cannot tell them apart and the user did not say (``ReadOptions.date_order``)."""
        dates: dict[str, DateColumn] = {}
        groups = tuple(tuple(f for f in g if self.columns.has(f)) for g in groups)
        groups = tuple(g for g in groups if g)
        if not groups:
            return dates
        for group in groups:
            column = DateColumn(self.columns.name(group[0]), order=self.options.date_order or None)
            for field in group:
                dates[field] = column
        for _line, row in self._pass(skip=skip):
            for group in groups:
                for field in group:
                    dates[field].scan(self.columns.get(row, field))
        for group in groups:
            try:
                dates[group[0]].decide()
            except DateError as error:
                raise FileUnreadable(reason_of(error), column=self.columns.name(group[0])) from None
        return dates

    def rows(
        self, problems: Problems, name: str, skip: Callable[[dict[str, str]], bool] | None = None
    ) -> Iterator[tuple[int, dict[str, str]]]:
        return self._pass(problems, name, skip)


HEAD_BYTES = 64 * 1024
HEAD_LINES = 12


def find_header(stream: BinaryIO) -> tuple[int, int]:
    """Where the header is when report title lines come first (QuickBooks Online's reports put the
    company's name, the report's name and its date above it, one cell a line): the first of the
    first HEAD_LINES lines with two cells or more, as ``(byte offset, lines skipped)``; ``(0, 0)``
    when that is the first line or there is none (a file of one column). UTF-16 files (Excel's
    "Unicode text") are searched in their own encoding; ``wide_encoding`` tells it to the reader."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    wide = _wide(head)
    if wide:
        text = head[2:].decode(wide, "ignore")
        lines = [(line, len(line.encode(wide))) for line in _TEXT_LINE.findall(text)]
        offset = 2
    elif b"\x00" in head[:8192]:
        return 0, 0
    else:
        # \r\n, \n, and \r alone (Excel for Mac's "CSV (Macintosh)"); a legacy charset's bytes are
        # counted as they are
        lines = [(raw.decode("utf-8", "replace"), len(raw)) for raw in _PHYSICAL_LINE.findall(head)]
        offset = 0
    # a header whose quoted names hold line breaks is one record of several lines
    for number, taken in quoted_records([line for line, _size in lines[: HEAD_LINES + MAX_HEADER_LINES]]):
        if number >= HEAD_LINES:
            break
        line = "".join(part for part, _size in lines[number : number + taken])
        size = sum(part_size for _part, part_size in lines[number : number + taken])
        if number + taken == len(lines) and not line.endswith(("\n", "\r")):
            break  # maybe cut by the sample
        text = line.lstrip("\ufeff").rstrip("\r\n")
        try:
            cells = next(csv.reader([text], delimiter=sniff_delimiter(text)), [])
        except csv.Error:
            cells = []
        if sum(1 for c in cells if c.strip()) >= 2:
            return (offset, number) if number else (0, 0)
        offset += size
    return 0, 0


def _wide(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    return ""


def at_header(stream: BinaryIO, options: ReadOptions) -> tuple[int, int, ReadOptions]:
    """``find_header``'s offset and lines skipped, and the options to read from there: a UTF-16
    file read from below its title lines has left its BOM behind, so its encoding is given."""
    start, skipped = find_header(stream)
    if start and not options.encoding:
        stream.seek(0)
        wide = _wide(stream.read(2))
        stream.seek(0)
        if wide:
            options = dataclasses.replace(options, encoding=wide)
    return start, skipped, options


_TEXT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_PHYSICAL_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


_TOTAL_WORD = re.compile(r"^(?:total|totals|grand total|total:|summe|gesamt|razem|suma|итого|всего|סה\"כ)$")


def total_row(row: dict[str, str]) -> bool:
    """A report's total row below the data ('Total', 'TOTAL:', 'Razem', 'Итого' … in its first filled
    cell, and no e-mail address on the row): not a record, and no problem."""
    filled = [v.strip() for v in row.values() if v and v.strip()]
    return bool(filled) and bool(_TOTAL_WORD.match(filled[0].casefold())) and not any("@" in v for v in filled)


# ---- values ----------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
_SPLIT = re.compile(r"[;,\s]+")
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def split_emails(text: str) -> tuple[list[str], list[str]]:
    """E-mail addresses (lower case) in a cell, separated by ``;``, ``,``, spaces or Google Contacts'
    `` ::: ``; and the parts that are not addresses. ``Name <a@b.c>`` (the name quoted or not),
    ``Name (a@b.c)`` and ``mailto:`` are understood."""
    people, bad = split_people(text)
    return [address for _name, address in people], bad


_NAMED = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^<>,;"]*?))\s*<([^<>]*)>')
_PARENTHESISED = re.compile(r"\s*([^(),;<>]*?)\s*\(([^()@\s]+@[^()\s]+)\)")


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def split_people(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``split_emails`` with the name each address is given, where it is (``"Lis, Michał" <m@…>``,
    ``Jan Nowak <jan@…>``, Outlook's ``Jan Nowak (jan@…)``); "" where the address stands alone."""
    found: list[tuple[str, str]] = []
    bad: list[str] = []
    text = BIDI_MARKS.sub("", text).replace(":::", ";")  # right-to-left marks (Hebrew Excel); Google's separator
    text = _PARENTHESISED.sub(lambda m: f' "{_quoted(m.group(1))}" <{m.group(2)}>', text)  # Outlook's Name (a@…)
    pieces: list[tuple[str, str]] = []  # (name, text to split into addresses)
    position = 0
    for match in _NAMED.finditer(text):
        pieces.append(("", text[position : match.start()]))
        quoted, plain, inside = match.group(1), match.group(2), match.group(3)
        name = (quoted.replace('\\"', '"') if quoted is not None else plain or "").strip()
        pieces.append((" ".join(name.split()), inside))
        position = match.end()
    pieces.append(("", text[position:]))
    for person, chunk in pieces:
        for part in _SPLIT.split(chunk):
            part = part.strip().strip("<>'\"").removeprefix("mailto:").strip()
            if not part:
                continue
            if _EMAIL.match(part):
                address = part.lower()
                if address not in (a for _n, a in found):
                    found.append((person, address))
            else:
                bad.append(part)
    return found, bad


class RowProblem(ValueError):
    """A value a row cannot be read with: the reason and the file's column."""

    def __init__(self, reason: str, column: str = ""):
        super().__init__(reason)
        self.reason, self.column = reason, column


def words(text: str) -> str:
    """A name as a cell gives it: runs of spaces made one, and without the direction marks that
    right-to-left text carries in Hebrew exports (U+200F around "גולן יינות בע"מ")."""
    return " ".join(BIDI_MARKS.sub("", text).split())


def client_of(columns: Columns, row: dict[str, str]) -> ClientRef:
    """The client a row of evidence names by ``client`` and/or ``client_email``."""
    name = words(columns.get(row, "client"))
    emails, bad = split_emails(columns.get(row, "client_email"))
    if bad:
        raise RowProblem(not_an_address(bad[0]), columns.where(row, "client_email"))
    if not name and not emails:
        raise RowProblem(
            _("the row names no client (give the client's name or e-mail address)"), columns.name("client")
        )
    return ClientRef(name=name, emails=tuple(emails[:MAX_LIST]))


def not_an_address(value: str) -> str:
    return _("%(value)s is not an e-mail address") % {"value": repr(value)}


def check_date(value: dt.date, column: str) -> dt.date:
    if not EARLIEST <= (value.date() if isinstance(value, dt.datetime) else value) <= LATEST:
        raise RowProblem(_("the date %(date)s is outside the years 1900–2199") % {"date": value.isoformat()}, column)
    return value


MISSING = {
    "requested_on": gettext_lazy("the date of the request is missing"),
    "due_on": gettext_lazy("the due date is missing"),
    "received_on": gettext_lazy("the date received is missing"),
    "occurred_on": gettext_lazy("the date is missing"),
    "date": gettext_lazy("the date is missing"),
    "client_since": gettext_lazy("the date is missing"),
    "starts_at": gettext_lazy("the start is missing"),
    "ends_at": gettext_lazy("the end is missing"),
    "sent_at": gettext_lazy("the time sent is missing"),
    "cancelled_at": gettext_lazy("the time of the cancellation is missing"),
}
"""The problem of a required date or time left empty, per field (translated lazily: str() where used)."""


def _missing(field: str) -> str:
    reason = MISSING.get(field)
    return said(reason) if reason is not None else _("%(field)s is missing") % {"field": field}


def read_date(
    dates: dict[str, DateColumn], columns: Columns, row: dict[str, str], field: str, required: bool = True
) -> dt.date | None:
    value = columns.get(row, field)
    column = columns.where(row, field)
    if not value:
        if required:
            raise RowProblem(_missing(field), column)
        return None
    try:
        return check_date(dates[field].parse(value), column)
    except (DateError, ValueError, OverflowError) as error:
        raise RowProblem(reason_of(error), column) from None


def zone_of(options: ReadOptions) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(options.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise FileUnreadable(_("the time zone %(zone)s is unknown") % {"zone": repr(options.time_zone)}) from None


# A date and a time as a spreadsheet writes them when it saves a file it opened: "05.11.2025 09:00",
# "13/10/2025 09:00", "11/5/2025 9:00 AM", "2025-11-05 9:00:00".
_SPREADSHEET_INSTANT = re.compile(
    r"^(?P<date>[^\sT,]+)[\sT,]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?:(?P<ap>[AaPp])\.?\s*[Mm]\.?)?$"
)


def parse_instant(value: str, zone: dt.tzinfo, column: str, dates: DateColumn | None = None) -> dt.datetime:
    """An ISO 8601 date-time; one without an offset is in ``zone`` (the firm's). With ``dates`` (the
    column scanned as a whole, which decided the order of day and month), also a date and a time as
    a spreadsheet re-saves them (``_SPREADSHEET_INSTANT``), in ``zone``."""
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        when = _spreadsheet_instant(text, dates)
        if when is None:
            raise RowProblem(
                _("%(value)s is not a date and time; write it as 2026-03-05T09:00:00+01:00")
                % {"value": repr(value.strip())},
                column,
            ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    check_date(when, column)
    try:
        when.utcoffset()
        when.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise RowProblem(_("%(value)s is out of range") % {"value": repr(value.strip())}, column) from None
    return when


def _spreadsheet_instant(text: str, dates: DateColumn | None) -> dt.datetime | None:
    m = _SPREADSHEET_INSTANT.match(text)
    if m is None or dates is None:
        return None
    try:
        day = dates.parse(m.group("date"))
    except (DateError, ValueError):
        return None
    hour, minute, second = int(m.group("h")), int(m.group("m")), int(m.group("s") or 0)
    if m.group("ap"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group("ap").lower() == "p" else 0)
    try:
        return dt.datetime(day.year, day.month, day.day, hour, minute, second)
    except ValueError:
        return None


def read_instant(
    columns: Columns,
    row: dict[str, str],
    field: str,
    zone: dt.tzinfo,
    required: bool = True,
    dates: dict[str, DateColumn] | None = None,
) -> dt.datetime | None:
    value = columns.get(row, field)
    column = columns.where(row, field)
    if not value:
        if required:
            raise RowProblem(_missing(field), column)
        return None
    return parse_instant(value, zone, column, (dates or {}).get(field))


def read_flag(columns: Columns, row: dict[str, str], field: str, default: bool | None) -> bool | None:
    """A yes/no cell; ``default`` when it is empty; a problem when it says neither."""
    value = columns.get(row, field)
    if not value:
        return default
    flag = truthy(value)
    if flag is None:
        raise RowProblem(_("%(value)s is neither yes nor no") % {"value": repr(value)}, columns.where(row, field))
    return flag


def choice(value: str) -> str:
    """A value of a fixed list as people write it: lower case, spaces and hyphens as underscores,
    American 'canceled' as 'cancelled'."""
    v = re.sub(r"[\s\-]+", "_", value.strip().casefold()).replace("canceled", "cancelled")
    return v


class Keys:
    """Natural keys for the rows of one file. A row's own id (``own``) must not repeat; a row
    without one gets ``content_key`` of its content, and a second identical row in the same file
    gets that key with ``#2`` (and so on), so that two real entries that look alike stay two
    records while loading the same file again still adds nothing. Keeps one entry per distinct key
    (a few dozen bytes each)."""

    def __init__(self) -> None:
        self._count: dict[str, int] = {}
        self._line: dict[str, int] = {}

    def own(self, key: str, line: int, column: str) -> str:
        first = self._line.setdefault("id:" + key, line)
        if first != line:
            raise RowProblem(
                _("the id %(id)s was already used on line %(line)d") % {"id": repr(key), "line": first}, column
            )
        return key

    def content(self, *parts: object) -> str:
        base = content_key(*parts)
        n = self._count.get(base, 0) + 1
        self._count[base] = n
        return base if n == 1 else f"{base}#{n}"


def candidates_of(kind: str) -> dict[str, tuple[str, ...]]:
    return {field: (field,) for field in GENERIC[kind]}


def _evidence_table(stream: BinaryIO, options: ReadOptions, kind: str) -> Table:
    candidates = candidates_of(kind)
    start, skipped, options = at_header(stream, options)  # a title line someone added in a spreadsheet
    table = Table(stream, options, candidates, start=start, line_offset=skipped)
    what = KIND_NAMES[kind]
    table.columns.require(REQUIRED[kind], candidates, what)
    table.columns.require_one(("client", "client_email"), what)
    return table


def _rows(table: Table, name: str, problems: Problems, build: Callable[[int, dict[str, str]], object]) -> Iterator:
    for line, row in table.rows(problems, name, skip=total_row):
        try:
            record = build(line, row)
        except RowProblem as problem:
            problems.add(Source(name, line), problem.reason, column=problem.column)
            continue
        if record is not None:
            yield record


# ---- meetings (W4) ---------------------------------------------------------------------------------

_MEETING_STATUS = {
    "held": MeetingStatus.HELD,
    "cancelled_by_client": MeetingStatus.CANCELLED_BY_CLIENT,
    "cancelled_by_the_client": MeetingStatus.CANCELLED_BY_CLIENT,
    "cancelled_by_us": MeetingStatus.CANCELLED_BY_US,
    "no_show": MeetingStatus.NO_SHOW,
    "noshow": MeetingStatus.NO_SHOW,
    "client_did_not_show_up": MeetingStatus.NO_SHOW,
}
# The same values as people write them in the languages Parting's letters speak (a sheet kept in
# Polish, Russian, Romanian or Hebrew), read through ``choice`` (lower case, spaces as underscores).
_MEETING_STATUS_WORDS = {
    MeetingStatus.HELD: (
        "odbyte", "odbyta", "odbyło_się", "odbyla_sie", "состоялась", "состоялось", "проведена", "проведено",
        "ținută", "tinuta", "a_avut_loc", "desfășurată", "התקיימה", "התקיים",
    ),
    MeetingStatus.CANCELLED_BY_CLIENT: (
        "odwołane_przez_klienta", "odwołana_przez_klienta", "anulowane_przez_klienta", "отменена_клиентом",
        "отменено_клиентом", "anulată_de_client", "anulat_de_client", "anulata_de_client", "בוטלה_על_ידי_הלקוח",
        "בוטל_על_ידי_הלקוח",
    ),
    MeetingStatus.CANCELLED_BY_US: (
        "odwołane_przez_nas", "odwołana_przez_nas", "anulowane_przez_nas", "отменена_нами", "отменено_нами",
        "anulată_de_noi", "anulat_de_noi", "anulata_de_noi", "בוטלה_על_ידינו", "בוטל_על_ידינו",
    ),
    MeetingStatus.NO_SHOW: (
        "nieobecność", "nieobecnosc", "klient_się_nie_pojawił", "klient_nie_przyszedł", "неявка",
        "клиент_не_пришёл", "клиент_не_пришел", "neprezentare", "clientul_nu_a_venit", "לא_הגיע",
        "הלקוח_לא_הגיע", "אי_הופעה",
    ),
}  # fmt: skip
_MEETING_STATUS.update({word: status for status, words in _MEETING_STATUS_WORDS.items() for word in words})
MAX_MINUTES_LATE = 32767


def read_meetings(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[MeetingRecord]:
    """Meetings from our CSV (W4: short-notice cancellations, no-shows, late arrivals)."""
    table = _evidence_table(stream, options, "meetings")
    columns, zone, keys = table.columns, zone_of(options), Keys()
    dates = table.scan_dates(("starts_at", "ends_at", "cancelled_at"), skip=total_row)

    def build(line: int, row: dict[str, str]) -> MeetingRecord:
        client = client_of(columns, row)
        starts_at = read_instant(columns, row, "starts_at", zone, dates=dates)
        ends_at = read_instant(columns, row, "ends_at", zone, dates=dates)
        if ends_at <= starts_at:
            raise RowProblem(_("the meeting ends before it starts"), columns.name("ends_at"))
        raw = columns.get(row, "status")
        status = _MEETING_STATUS.get(choice(raw)) if raw else MeetingStatus.HELD
        if status is None:
            raise RowProblem(
                _("%(value)s is not a meeting status (held, cancelled_by_client, cancelled_by_us or no_show)")
                % {"value": repr(raw)},
                columns.name("status"),
            )
        cancelled_at = read_instant(columns, row, "cancelled_at", zone, required=False, dates=dates)
        late = columns.get(row, "minutes_late")
        minutes = 0
        if late:
            try:
                number = Decimal(late.replace(",", "."))
                if number != number.to_integral_value() or not 0 <= number <= MAX_MINUTES_LATE:
                    raise InvalidOperation
                minutes = int(number)
            except (InvalidOperation, ValueError):
                raise RowProblem(
                    _("%(value)s is not a number of minutes (0 to %(max)d)")
                    % {"value": repr(late), "max": MAX_MINUTES_LATE},
                    columns.name("minutes_late"),
                ) from None
        subject = columns.get(row, "subject")
        uid = columns.get(row, "uid")
        if uid:
            key = keys.own(uid, line, columns.name("uid"))
        else:
            key = keys.content(client.label(), starts_at.isoformat(), ends_at.isoformat(), subject)
        return MeetingRecord(
            source=Source(name, line),
            client=client,
            key=key,
            starts_at=starts_at,
            ends_at=ends_at,
            subject=subject,
            status=status,
            cancelled_at=cancelled_at,
            minutes_late=minutes,
        )

    yield from _rows(table, name, problems, build)


# ---- messages (W2, W3, W10) ------------------------------------------------------------------------

_CHANNELS = {
    "email": "email",
    "e_mail": "email",
    "mail": "email",
    "phone": "phone",
    "phone_call": "phone",
    "call": "phone",
    "chat": "chat",
    "sms": "sms",
    "text": "sms",
    "text_message": "sms",
    "other": "other",
}
_DIRECTIONS = {
    "in": "in",
    "inbound": "in",
    "incoming": "in",
    "received": "in",
    "from_the_client": "in",
    "from_client": "in",
    "out": "out",
    "outbound": "out",
    "outgoing": "out",
    "sent": "out",
    "to_the_client": "out",
    "to_client": "out",
}


_CHANNEL_WORDS = {
    "email": ("poczta", "почта", "электронная_почта", "имейл", "емейл", "אימייל", "מייל", 'דוא"ל', "דואל"),
    "phone": ("telefon", "rozmowa", "rozmowa_telefoniczna", "телефон", "звонок", "apel", "apel_telefonic", "טלפון", "שיחה"),
    "chat": ("czat", "чат", "צ'אט", "whatsapp", "telegram", "slack", "teams", "messenger", "signal", "viber"),
    "sms": ("смс", "эсэмэс", "מסרון", "הודעת_טקסט"),
    "other": ("inne", "inny", "другое", "другой", "altul", "altele", "אחר"),
}  # fmt: skip
_CHANNELS.update({word: channel for channel, words in _CHANNEL_WORDS.items() for word in words})
_DIRECTION_WORDS = {
    "in": (
        "przychodząca", "przychodzące", "przychodzacy", "od_klienta", "входящее", "входящий", "входящая",
        "от_клиента", "primit", "primită", "primita", "de_la_client", "נכנס", "נכנסת", "מהלקוח",
    ),
    "out": (
        "wychodząca", "wychodzące", "wychodzacy", "do_klienta", "исходящее", "исходящий", "исходящая",
        "клиенту", "trimis", "trimisă", "trimisa", "către_client", "catre_client", "יוצא", "יוצאת", "ללקוח",
    ),
}  # fmt: skip
_DIRECTIONS.update({word: direction for direction, words in _DIRECTION_WORDS.items() for word in words})


def message_id(value: str) -> str:
    return value.strip().strip("<>").strip()


def read_messages(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[MessageRecord]:
    """Messages from our CSV: when (W2), addressed to an owner or partner (W3), negative (W10)."""
    table = _evidence_table(stream, options, "messages")
    columns, zone, keys = table.columns, zone_of(options), Keys()
    dates = table.scan_dates(("sent_at",), skip=total_row)

    def build(line: int, row: dict[str, str]) -> MessageRecord:
        client = client_of(columns, row)
        sent_at = read_instant(columns, row, "sent_at", zone, dates=dates)
        raw = columns.get(row, "channel")
        channel = _CHANNELS.get(choice(raw)) if raw else "email"
        if channel is None:
            raise RowProblem(
                _("%(value)s is not a channel (email, phone, chat, sms or other)") % {"value": repr(raw)},
                columns.name("channel"),
            )
        raw = columns.get(row, "direction")
        direction = _DIRECTIONS.get(choice(raw)) if raw else ""
        if direction is None:
            raise RowProblem(
                _("%(value)s is not a direction (in: from the client, out: to the client)") % {"value": repr(raw)},
                columns.name("direction"),
            )
        to_senior = read_flag(columns, row, "to_senior", None)
        negative = read_flag(columns, row, "negative", False)
        summary = columns.get(row, "summary")
        own = message_id(columns.get(row, "message_id"))
        if own:
            key = keys.own(own, line, columns.name("message_id"))
        else:
            key = keys.content(client.label(), sent_at.isoformat(), channel, direction, summary)
        return MessageRecord(
            source=Source(name, line),
            key=key,
            sent_at=sent_at,
            sender=client.emails[0] if direction == "in" and client.emails else "",
            subject=summary,
            in_reply_to=message_id(columns.get(row, "in_reply_to")),
            negative=bool(negative),
            client=client,
            channel=channel,
            direction=direction,
            to_senior=to_senior,
        )

    yield from _rows(table, name, problems, build)


# ---- requests to the client (W1, W14) --------------------------------------------------------------


def read_requests(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[RequestRecord]:
    """What the firm asked the client to deliver, when it was due and when it came (W1, W14)."""
    table = _evidence_table(stream, options, "requests")
    columns, keys = table.columns, Keys()
    dates = table.scan_dates(("requested_on",), ("due_on",), ("received_on",), skip=total_row)

    def build(line: int, row: dict[str, str]) -> RequestRecord:
        client = client_of(columns, row)
        description = " ".join(columns.get(row, "description").split())
        if not description:
            raise RowProblem(_("the description of what was asked is missing"), columns.name("description"))
        requested_on = read_date(dates, columns, row, "requested_on")
        due_on = read_date(dates, columns, row, "due_on")
        if due_on < requested_on:
            raise RowProblem(_("the request falls due before it was made"), columns.name("due_on"))
        received_on = read_date(dates, columns, row, "received_on", required=False)
        own = columns.get(row, "id")
        if own:
            key = keys.own(own, line, columns.name("id"))
        else:
            key = keys.content(client.label(), description, requested_on, due_on)
        return RequestRecord(
            source=Source(name, line),
            client=client,
            description=description,
            requested_on=requested_on,
            due_on=due_on,
            key=key,
            received_on=received_on,
        )

    yield from _rows(table, name, problems, build)


# ---- incidents (W5, W6, W8, W9, W13, W15) ----------------------------------------------------------

INCIDENT_KINDS = (
    "rework",
    "scope_creep",
    "expertise_challenged",
    "contract_ignored",
    "disrespect",
    "haggling",
    "other",
)
_INCIDENT_WORDS = {
    "rework": ("poprawki", "przeróbka", "переделка", "доработка", "refacere", "עבודה_חוזרת", "תיקונים"),
    "scope_creep": (
        "rozszerzanie_zakresu", "rozrost_zakresu", "расширение_объёма", "расширение_объема", "extinderea_scopului",
        "הרחבת_היקף",
    ),
    "expertise_challenged": (
        "podważanie_kompetencji", "сомнение_в_компетенции", "оспаривание_экспертизы", "contestarea_expertizei",
        "ערעור_על_המומחיות",
    ),
    "contract_ignored": (
        "ignorowanie_umowy", "нарушение_договора", "игнорирование_договора", "ignorarea_contractului",
        "התעלמות_מהחוזה",
    ),
    "disrespect": ("brak_szacunku", "неуважение", "lipsă_de_respect", "lipsa_de_respect", "חוסר_כבוד"),
    "haggling": ("targowanie_się", "targowanie", "торг", "negociere", "tocmeală", "tocmeala", "מיקוח"),
    "other": ("inne", "другое", "altele", "אחר"),
}  # fmt: skip
_INCIDENT_KIND = {word: kind for kind, words in _INCIDENT_WORDS.items() for word in words}
MAX_HOURS_LOST = Decimal("99999.99")


def read_incidents(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[IncidentRecord]:
    """Logged incidents: rework (W5), expertise challenged (W6), contract ignored (W8), haggling (W9),
    scope creep (W13), disrespect to staff (W15)."""
    table = _evidence_table(stream, options, "incidents")
    columns, keys = table.columns, Keys()
    dates = table.scan_dates(("occurred_on",), skip=total_row)

    def build(line: int, row: dict[str, str]) -> IncidentRecord:
        client = client_of(columns, row)
        raw = columns.get(row, "kind")
        kind = choice(raw)
        kind = _INCIDENT_KIND.get(kind, kind)
        if kind not in INCIDENT_KINDS:
            kinds = ", ".join(INCIDENT_KINDS)
            if raw:
                reason = _("%(value)s is not one of %(kinds)s") % {"value": repr(raw), "kinds": kinds}
            else:
                reason = _("the kind is missing; it must be one of %(kinds)s") % {"kinds": kinds}
            raise RowProblem(reason, columns.name("kind"))
        occurred_on = read_date(dates, columns, row, "occurred_on")
        hours = columns.get(row, "hours_lost")
        hours_lost = Decimal("0")
        if hours:
            try:
                hours_lost = parse_hours(hours)
            except ValueError:
                raise RowProblem(
                    _("%(value)s is not a number of hours") % {"value": repr(hours)}, columns.name("hours_lost")
                ) from None
            if hours_lost > MAX_HOURS_LOST:
                raise RowProblem(_("%(value)s hours is too many") % {"value": repr(hours)}, columns.name("hours_lost"))
        note = columns.get(row, "note")
        own = columns.get(row, "id")
        if own:
            key = keys.own(own, line, columns.name("id"))
        else:
            key = keys.content(client.label(), kind, occurred_on, hours_lost, note)
        return IncidentRecord(
            source=Source(name, line),
            client=client,
            incident_kind=kind,
            occurred_on=occurred_on,
            key=key,
            hours_lost=hours_lost,
            note=note,
        )

    yield from _rows(table, name, problems, build)


READERS = {
    "meetings": read_meetings,
    "messages": read_messages,
    "requests": read_requests,
    "incidents": read_incidents,
}
"""The readers of this module by kind (as ``columns.GENERIC`` and ``imports.models.KINDS`` name them)."""
