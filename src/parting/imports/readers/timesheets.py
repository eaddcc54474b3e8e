"""Time entries from time trackers' CSV exports: Toggl Track, Harvest, Clockify, or our generic columns.

Hours worked for a client feed W11 (effective hourly rate: revenue over hours) and W13 (free extra
work, counted from scope-creep incidents, as a share of the hours worked). The billable flag is kept
with each entry; no sign reads it today. docs/imports.md says how to export each format and the
sources of the facts below.

- **Toggl Track**, Reports → Detailed → Export → Download as CSV: ``User, Email, Client, Project,
  Task, Description, Billable, Start date, Start time, End date, End time, Duration, Tags,
  Amount (USD)``; newer exports write ``Member`` for ``User`` and ``Stop date`` / ``Stop time``.
  Dates ISO (2026-01-05) or in the user's date format, times 24- or 12-hour, durations ``hh:mm:ss``
  (or ``1.50 h`` / ``47:24 min`` in the other display formats).
- **Harvest**, Reports → Detailed time → Export → CSV: ``Date, Client, Project, Project Code, Task,
  Notes, Hours, Hours Rounded, Billable?, Invoiced?, Approved?, First Name, Last Name, (Employee Id),
  Roles, (Teams), Employee?, Billable Rate, Billable Amount, Cost Rate, Cost Amount, Currency,
  External Reference URL``; dates ISO, hours decimal (``1.5``) or ``1:30`` with the hh:mm time
  format. ``Hours`` (tracked) is used, not ``Hours Rounded``. Re-saved by Excel: its date format,
  ``;`` and decimal commas where the region uses them.
- **Clockify**, Reports → Detailed → Export → Save as CSV: ``Project, Client, Description, Task,
  User, Group, Email, Tags, Billable, Start Date, Start Time, End Date, End Time, Duration (h),
  Duration (decimal), Billable Rate (USD), Billable Amount (USD)``; dates in the user's own format
  (MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY, YYYY-MM-DD …: decided over the whole file, start and end
  dates together), ``Duration (h)`` as hh:mm:ss, h:mm or h.hh per the workspace's setting,
  ``Duration (decimal)`` as 1.50 (or 1,50). Headers in the user's language: the German, French,
  Spanish and Portuguese sets (``Startdatum`` / ``Date de début`` / ``Fecha de inicio`` / ``Data de
  início``, ``Dauer (dezimal)`` / ``Durée (décimal)`` / ``Duración (decimal)`` / ``Duração
  (decimal)``, billable Ja/Oui/Sí/Sim) are recognised too.
- **Generic** (``columns.GENERIC["time"]``): client, client_email, id, date, hours, billable,
  person, project, note — what ``parting export`` writes.

Rules for every format: a zero duration (a stopped-at-once timer) is skipped without a problem; an
entry over 24 hours is a problem. A tracker's entry without a client (internal time) is yielded
without one, and the loader counts it as skipped; a file in which no entry names a client is one
problem that says to map the project as the client (``--map client=Project``). In our generic
columns an entry without a client is a problem ("no client").
Entries of one person, day and client stay separate records: the key is the export's id where it
has one (generic ``id``), else a hash of person, client, project, start, duration and description;
a second identical row in the same file gets the same hash with ``#2``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.utils.translation import gettext_lazy

from parting.imports.i18n import gettext as _
from parting.imports.i18n import join

from ..columns import GENERIC, REQUIRED
from ..problems import FileUnreadable, Problems, Source
from ..records import ClientRef, ReadOptions, TimeRecord
from ..text import parse_hours
from .generic import (
    MAX_LIST,
    Keys,
    RowProblem,
    Table,
    column_key,
    not_an_address,
    read_date,
    read_flag,
    split_emails,
    words,
)

MAX_HOURS = Decimal("24")
# The word of a closing total line (Clockify in English and German; spreadsheets).
TOTAL_WORDS = {"total", "gesamt", "summe", "razem", "suma", "итого", "всего", 'סה"כ', "סהכ"}


CLOCKIFY_DECIMAL_HOURS = (
    "Duration (decimal)", "Dauer (dezimal)", "Dauer (Dezimalzahl)", "Durée (décimal)", "Duración (decimal)",
    "Duração (decimal)",
)  # fmt: skip


@dataclass(frozen=True)
class Preset:
    """A tool's export: which of its columns hold which of our fields (in order of preference)."""

    name: str
    label: str  # shown in problems: translated lazily, str() where formatted
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...] = ("date", "hours")
    date_order: str | None = None
    signature: tuple[str, ...] = field(default=())  # columns that identify the export


PRESETS: dict[str, Preset] = {
    "toggl": Preset(
        name="toggl",
        label=gettext_lazy("Toggl Track (detailed report)"),
        columns={
            "client": ("Client",),
            "person": ("Email", "User", "Member"),
            "project": ("Project",),
            "task": ("Task",),
            "note": ("Description",),
            "billable": ("Billable",),
            "date": ("Start date",),
            "start_time": ("Start time",),
            "end_date": ("End date", "Stop date"),
            "hours": ("Duration",),
        },
        signature=("Start date", "Start time", "Duration", "Description"),
    ),
    "harvest": Preset(
        name="harvest",
        label=gettext_lazy("Harvest (detailed time report)"),
        columns={
            "client": ("Client",),
            "first_name": ("First Name",),
            "last_name": ("Last Name",),
            "project": ("Project",),
            "task": ("Task",),
            "note": ("Notes",),
            "billable": ("Billable?", "Billable"),
            "date": ("Date",),
            "hours": ("Hours",),
        },
        signature=("Date", "Hours", "Billable?"),
    ),
    "clockify": Preset(
        name="clockify",
        label=gettext_lazy("Clockify (detailed report)"),
        # Clockify writes the headers in the user's language: English, German, French, Spanish,
        # Portuguese (Brazil; Portugal's "Data final", "Utilizador").
        columns={
            "client": ("Client", "Kunde", "Cliente"),
            "person": (
                "Email",
                "E-Mail",
                "Correo electrónico",
                "Correo",
                "User",
                "Benutzer",
                "Utilisateur",
                "Usuario",
                "Usuário",
                "Utilizador",
                "Do utilizador",
            ),
            "project": ("Project", "Projekt", "Projet", "Proyecto", "Projeto"),
            "task": ("Task", "Aufgabe", "Tâche", "Tarea", "Tarefa"),
            "note": ("Description", "Beschreibung", "Descripción", "Descrição"),
            "billable": ("Billable", "Abrechenbar", "Facturable", "Faturável"),
            "date": ("Start Date", "Startdatum", "Date de début", "Fecha de inicio", "Data de início"),
            "start_time": ("Start Time", "Startzeit", "Heure de début", "Hora de inicio", "Hora de início"),
            "end_date": (
                "End Date",
                "Enddatum",
                "Date de fin",
                "Fecha de finalización",
                "Data de término",
                "Data final",
            ),
            "hours": (
                *CLOCKIFY_DECIMAL_HOURS,
                "Duration (h)",
                "Dauer (h)",
                "Durée (h)",
                "Duración (h)",
                "Duração (h)",
            ),
        },
        signature=("Start Date", "Duration (h)"),
    ),
    "generic": Preset(
        name="generic",
        label=gettext_lazy("Parting's own columns"),
        columns={f: (f,) for f in GENERIC["time"]},
        required=REQUIRED["time"],
    ),
}


def detect(header: list[str]) -> str | None:
    """The preset whose export this header is, or None (then the generic columns are tried)."""
    names = {column_key(h) for h in header}
    if {"start date", "duration (h)"} <= names or {"start date", "duration (decimal)"} <= names:
        return "clockify"
    columns = PRESETS["clockify"].columns
    if names & {column_key(n) for n in columns["date"]} and names & {column_key(n) for n in columns["hours"]}:
        return "clockify"  # the start date and a duration column, in one of Clockify's languages
    if {"start date", "start time", "duration"} <= names and ({"description", "user", "email"} & names):
        return "toggl"
    if {"date", "hours"} <= names and ({"billable?", "hours rounded", "first name", "project code"} & names):
        return "harvest"
    return None


def _preset(options: ReadOptions, header: list[str]) -> Preset:
    wanted = (options.format or "").strip().casefold()
    if wanted in PRESETS:
        return PRESETS[wanted]
    if wanted:
        raise FileUnreadable(
            _("%(format)s is not a time tracking format; choose one of %(formats)s")
            % {"format": repr(options.format), "formats": ", ".join(sorted(PRESETS))}
        )
    return PRESETS[detect(header) or "generic"]


def read(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[TimeRecord]:
    """Time entries from a Toggl Track, Harvest, Clockify or generic CSV (W11, W13)."""
    probe = Table(stream, options, {})
    preset = _preset(options, probe.header)
    candidates = dict(preset.columns)
    for extra in options.mapping:  # --map may name fields the preset lacks (e.g. client_email, id)
        candidates.setdefault(extra, (extra,))
    table = Table(stream, options, candidates)
    columns = table.columns
    if preset.name == "generic" and not options.mapping and not columns.has("date"):
        _refuse_a_summary(table.header)
    try:
        columns.require(preset.required, candidates, preset.label)
    except FileUnreadable as error:
        if preset.name != "generic":
            raise
        # most often a tracker's export in another language (Clockify translates its headers)
        hint = _(
            "If this is a Toggl Track, Harvest or Clockify export whose column names are in another language, "
            "name its format too (--format clockify, or the format on the Import page) and map the columns; "
            "or switch the tool to English before exporting."
        )
        raise FileUnreadable(
            join(" ", (error.reason, hint)),
            line=error.line,
            column=error.column,
        ) from None
    if not (columns.has("client") or columns.has("client_email")):
        raise FileUnreadable(
            _(
                "this %(what)s file has no client column; its columns are: %(columns)s. "
                "Map one (--map client=Project uses the project as the client)"
            )
            % {"what": preset.label, "columns": ", ".join(repr(h) for h in table.header if h)}
        )
    if options.date_order is None and preset.date_order:
        table.options = dataclasses.replace(options, date_order=preset.date_order)

    def total_row(row: dict[str, str]) -> bool:
        # Clockify and some spreadsheets end with a "Total" line that has no date, or the word where
        # the date would be (column A, where one types it above a SUM in Excel).
        day = columns.get(row, "date").strip().casefold()
        if day:
            return day.rstrip(":") in TOTAL_WORDS
        return any((v or "").strip().casefold() in TOTAL_WORDS for v in row.values())

    dates = table.scan_dates(("date", "end_date"), skip=total_row)
    keys = Keys()
    named = unnamed = 0

    for line, row in table.rows(problems, name, skip=total_row):
        try:
            record = _record(preset, columns, dates, keys, name, line, row)
        except RowProblem as problem:
            problems.add(Source(name, line), problem.reason, column=problem.column)
            continue
        if record is not None:
            if record.client:
                named += 1
            else:
                unnamed += 1
            yield record
    if unnamed and not named:
        # Not one entry names a client: the projects are likely named after the clients.
        problems.add(Source(name, 1), str(_NO_CLIENT_AT_ALL), column=columns.name("client"))


# Columns of hours added up, as the trackers' summary and weekly reports name them (Toggl's summary:
# Duration; Clockify's summary: Time (h), Time (decimal); weekly reports: Total (h), Total …).
_SUMMED = {"duration", "time (h)", "time (decimal)", "total (h)", "total (decimal)", "zeit (h)", "zeit (dezimal)"}


def _refuse_a_summary(header: list[str]) -> None:
    """A summary or weekly report (hours added up per client, project or week, no day per entry)
    cannot be read as time entries, nor mapped into them: say what to export instead."""
    names = {column_key(h) for h in header if h}
    if names & _SUMMED:
        raise FileUnreadable(
            _(
                "this looks like a summary or weekly report (hours added up, no day for each entry; its "
                "columns are: %(columns)s). Export the detailed report instead: Toggl Track: Reports → "
                "Detailed → Export → CSV; Clockify: Reports → Detailed → Export → CSV; Harvest: Reports → "
                "Detailed time → Export → CSV. If each row is one entry with its day in a column of another name, "
                "map it: --map date=COLUMN"
            )
            % {"columns": ", ".join(repr(h) for h in header if h)}
        )


_HOURS_UNIT = re.compile(r"([\d.,:]+)\s*(?:h|hr|hrs|hour|hours|godz\.?|ч\.?|Std\.?)", re.IGNORECASE)
_MINUTES_UNIT = re.compile(r"(\d{1,5})(?::([0-5]\d))?\s*(?:min|mins|minutes|m)\.?", re.IGNORECASE)
_SECONDS_UNIT = re.compile(r"(\d{1,5})\s*(?:sec|secs|seconds|s)\.?", re.IGNORECASE)


def _duration(raw: str) -> tuple[Decimal, bool]:
    """Hours (to the hundredth) of a duration as trackers write it — ``1:30:00``, ``01:30``, ``1.5``,
    ``1,50``, and with a unit as Toggl's "classic" and "decimal" display formats give it
    (``47:06 min``: minutes and seconds; ``34 sec`` under a minute; ``1.50 h``) — and whether it is above 24 hours before
    rounding (24:00:01 is, 23:59:59 is not). Raises ValueError."""
    text = raw.strip()
    if seconds_only := _SECONDS_UNIT.fullmatch(text):  # Toggl's classic format under a minute: "34 sec"
        seconds = int(seconds_only.group(1))
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01")), seconds > 24 * 3600
    minutes = _MINUTES_UNIT.fullmatch(text)
    if minutes:
        seconds = int(minutes.group(1)) * 60 + int(minutes.group(2) or 0)
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01")), seconds > 24 * 3600
    unit = _HOURS_UNIT.fullmatch(text)
    if unit:
        text = unit.group(1)
    clock = _TIME_OF_DAY.fullmatch(text)
    if clock:
        # A duration a US-region spreadsheet re-saved as a time of day: 1:30:00 AM is 1 h 30 min,
        # 12:45:00 AM is 45 min, 1:15:00 PM is 13 h 15 min.
        hour = int(clock.group(1)) % 12 + (12 if clock.group(4).lower() == "p" else 0)
        text = f"{hour}:{clock.group(2)}:{clock.group(3) or '00'}"
    hours = parse_hours(text)
    if ":" in text:
        parts = [int(p) for p in text.split(":")]
        seconds = parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)
        return hours, seconds > 24 * 3600
    return hours, Decimal(text.replace(",", ".")) > MAX_HOURS


_TIME_OF_DAY = re.compile(r"(1[0-2]|0?[1-9]):([0-5]\d)(?::([0-5]\d))?\s*([AaPp])\.?\s*[Mm]\.?")

_CLOCK = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)(?:[:.]([0-5]\d))?\s*(?:([AaPp])\.?\s*[Mm]\.?)?")


def _clock(text: str) -> str:
    """A start time as the key of an entry without an id takes it: "9:00:00 AM", "09:00" and "09:00:00"
    are one time (24-hour, with seconds), however the tracker's profile or a spreadsheet wrote it, so a
    file saved again by Excel or exported under another time format finds the entries it loaded
    before. Text that is no time of day is kept as it is."""
    m = _CLOCK.fullmatch(text.strip())
    if not m:
        return text.strip()
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if m.group(4):
        if not 1 <= hour <= 12:
            return text.strip()
        hour = hour % 12 + (12 if m.group(4) in "Pp" else 0)
    return f"{hour:02d}:{minute:02d}:{second:02d}"


_NO_CLIENT_AT_ALL = gettext_lazy(
    "no entry of this file names a client: if your projects are named after your clients, read the project "
    "as the client (--map client=Project)"
)


def _billable(columns, row: dict[str, str]) -> bool:
    """Clockify's yes/no in German, French, Spanish, Portuguese: words ``text.truthy`` knows."""
    return bool(read_flag(columns, row, "billable", True))


def _record(preset, columns, dates, keys: Keys, name: str, line: int, row: dict[str, str]) -> TimeRecord | None:
    raw = columns.get(row, "hours")
    if not raw:
        raise RowProblem(_("the duration is missing"), columns.where(row, "hours"))
    try:
        hours, over_a_day = _duration(raw)
    except ValueError:
        raise RowProblem(
            _("%(value)s is not a duration (write 1:30:00, 1:30 or 1.5)") % {"value": repr(raw)},
            columns.where(row, "hours"),
        ) from None
    if hours == 0:
        return None  # a timer stopped at once: nothing worked
    if hours > MAX_HOURS or over_a_day:
        raise RowProblem(
            _("%(value)s is more than 24 hours in one entry") % {"value": raw}, columns.where(row, "hours")
        )
    date = read_date(dates, columns, row, "date")
    client_name = words(columns.get(row, "client"))
    emails, bad = split_emails(columns.get(row, "client_email"))
    if bad:
        raise RowProblem(not_an_address(bad[0]), columns.where(row, "client_email"))
    if not client_name and not emails and preset.name == "generic":
        raise RowProblem(
            _(
                "no client: the entry names no client (map the project as the client with --map client=Project "
                "if your projects are named after clients)"
            ),
            columns.name("client"),
        )
    # A tracker's entry without a client (internal time: Toggl and Clockify allow projects without
    # one) is yielded without a client: the loader counts it as skipped, the rest of the file loads.
    billable = _billable(columns, row)
    if columns.has("first_name") or columns.has("last_name"):
        person = " ".join(f"{columns.get(row, 'first_name')} {columns.get(row, 'last_name')}".split())
    else:
        person = columns.get(row, "person")
    project = " ".join(columns.get(row, "project").split())
    note = columns.get(row, "note") or columns.get(row, "task")
    own = columns.get(row, "id")
    if own:
        key = keys.own(own, line, columns.where(row, "id"))
    else:
        start = f"{date.isoformat()} {_clock(columns.get(row, 'start_time'))}".strip()
        key = keys.content(person, client_name or ",".join(emails), project, start, hours, note)
    return TimeRecord(
        source=Source(name, line),
        client=ClientRef(name=client_name, emails=tuple(emails[:MAX_LIST])),
        date=date,
        hours=hours,
        key=key,
        billable=bool(billable),
        person=person,
        project=project,
        note=note,
    )
