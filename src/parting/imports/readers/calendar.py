"""iCalendar (.ics) files: Google Calendar, Outlook / Exchange, Apple Calendar and any RFC 5545 export.

``read`` yields one ``MeetingRecord`` per occurrence of each event, for W4 (cancellations at short
notice, no-shows, late arrivals). docs/imports.md, "Calendars", is the user's
account of every rule below.

How a file is read:

1. The text is split into its components by scanning the lines (``BEGIN:`` / ``END:``), so that every
   event is known by the line it begins on, a broken event is reported with that line and the others
   are still read, and a file cut short still gives the events before the cut. icalendar parses each
   event on its own; time zones (VTIMEZONE) first.
2. The events sharing a UID (a series and its RECURRENCE-ID overrides) are expanded together by
   recurring-ical-events, with their EXDATE, RDATE and overrides — no RRULE code of ours. An
   occurrence removed by EXDATE is not a meeting at all; a cancelled occurrence (an override with
   STATUS:CANCELLED) is one, cancelled.
3. Expansion runs from the series' first start to one year after today
   (``django.utils.timezone.now()``), a year at a time, and stops after ``MAX_OCCURRENCES`` occurrences
   of one series, so a rule without UNTIL or COUNT never runs forever.
4. Each occurrence gets a status, the time its cancellation was made where the file tells it, the
   client's addresses and a key (UID, plus the RECURRENCE-ID in UTC for a recurring event's
   occurrences) that stays the same when the calendar is exported again.

Time zones Exchange and Office 365 write as Outlook's display names ("(UTC+01:00) Amsterdam, …", often
unquoted with colons) or as tzone://Microsoft/Utc are quoted and mapped to IANA zones before icalendar
reads them (``_quote_tzid``, ``_zone_aliases``); a .zip (Google Calendar's export) is read .ics by .ics.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import io
import re
import zipfile
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import icalendar
import recurring_ical_events
from django.utils import timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from parting.imports.i18n import gettext as _
from parting.imports.i18n import ngettext

from ..problems import UNPACK_ERRORS, FileUnreadable, Problems, Source
from ..records import ClientRef, MeetingRecord, MeetingStatus, ReadOptions, content_key
from ..text import MAX_LINE, SAMPLE_BYTES, line_too_long, open_text, sniff_charset

MAX_OCCURRENCES = 10_000  # of one series inside the window; more is reported, not read
MAX_LOGICAL_LINE = 1 << 20  # an unfolded property longer than 1 MiB is refused
MAX_KEY = 300  # evidence.Meeting.source_key's length
MAX_SUBJECT = 200  # evidence.Meeting.subject's length
FUTURE = dt.timedelta(days=365)  # occurrences up to a year from today are read
CHUNK = dt.timedelta(days=366)  # occurrences are computed a year at a time
MARGIN = dt.timedelta(days=1)
PAST = dt.timedelta(days=20 * 365)  # a series that starts longer ago than this is read from then (see _read_series)
MAX_OLD_OCCURRENCES = 100_000  # … unless its rule gives more occurrences than this since its start
LATE_EDIT = dt.timedelta(days=1)  # a change made this long after the start is not the cancellation

STATUS_PROPERTY = "X-PARTING-STATUS"
LATE_PROPERTY = "X-PARTING-MINUTES-LATE"

# The properties this reader uses: a value icalendar cannot parse in one of them is a problem and the
# event is not read; errors in any other property (vendors' X- properties, LOCATION …) do not matter.
_USED = {
    "UID",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "STATUS",
    "SUMMARY",
    "DESCRIPTION",
    "ORGANIZER",
    "ATTENDEE",
    "LAST-MODIFIED",
    "DTSTAMP",
    "CREATED",
    "SEQUENCE",
    STATUS_PROPERTY,
    LATE_PROPERTY,
}
# When the event was changed: a value that cannot be read leaves the time of a cancellation unknown
# (it is then never a short-notice one) rather than losing the meeting.
_CHANGE_STAMPS = {"LAST-MODIFIED", "DTSTAMP", "CREATED", "SEQUENCE"}
# Properties an event has at most once (RFC 5545 §3.6.1); twice, the event is not read.
_SINGLE = _USED - {"RDATE", "EXDATE", "ATTENDEE", "RRULE"}

# Addresses that stand for a calendar or a room, never for a person: Google's resource and group
# calendars, and the organizer Google writes for imported events.
_SERVICE_DOMAIN = re.compile(r"(^|\.)calendar\.google\.com$")
_NOT_PEOPLE = {"ROOM", "RESOURCE"}

# A past occurrence whose SUMMARY or DESCRIPTION carries one of these is a no-show (W4). Matched
# on whole words, case-insensitively, after ё → е and ’ → '. A heuristic: docs/imports.md lists them.
NO_SHOW_PHRASES = (
    # en
    "no-show",
    "no show",
    "noshow",
    "did not show",
    "didn't show",
    "did not turn up",
    "didn't turn up",
    "did not attend",
    "didn't attend",
    "client absent",
    # ru
    "не пришел",
    "не пришла",
    "не пришли",
    "не явился",
    "не явилась",
    "не явились",
    "неявка",
    # pl
    "nie przyszedł",
    "nie przyszła",
    "nie przyszli",
    "nie stawił się",
    "nie stawiła się",
    "nie stawili się",
    "niestawiennictwo",
    # ro
    "neprezentare",
    "nu s-a prezentat",
    "nu s-au prezentat",
    "nu a venit",
    "nu au venit",
    # he (a prefix ו / ש / כש may be attached: "שלא הגיע")
    "לא הגיע",
    "לא הגיעה",
    "לא הגיעו",
    "לא הופיע",
    "לא הופיעה",
    "לא הופיעו",
    "אי הופעה",
    "אי-הופעה",
)
_NO_SHOW = re.compile(
    r"(?<![\w-])(?:כש|ו|ש)?(?:" + "|".join(re.escape(p) for p in NO_SHOW_PHRASES) + r")(?![\w-])",
    re.IGNORECASE,
)
# Outlook writes this before the subject of a meeting its organizer cancelled, in the attendees' calendars,
# in the language of the organizer's Outlook (en, pl, ru, ro, he, de, fr).
_OUTLOOK_CANCELLED = re.compile(
    r"^\s*(canceled|cancelled|anulowano|anulowane|отменено|отменена|anulat|anulată|בוטל|abgesagt|annulé"
    r"|cancelado|cancelada)\s*:",
    re.IGNORECASE,
)

_NAME = re.compile(r"^([A-Za-z0-9-]+)([;:])")

_STATUS_WORDS = {
    "held": MeetingStatus.HELD,
    "cancelled_by_client": MeetingStatus.CANCELLED_BY_CLIENT,
    "canceled_by_client": MeetingStatus.CANCELLED_BY_CLIENT,
    "cancelled_by_us": MeetingStatus.CANCELLED_BY_US,
    "canceled_by_us": MeetingStatus.CANCELLED_BY_US,
    "no_show": MeetingStatus.NO_SHOW,
    "noshow": MeetingStatus.NO_SHOW,
}


# ---------------------------------------------------------------------------------------------------
# 1. The file's structure, line by line


@dataclass
class _Chunk:
    """One VEVENT or VTIMEZONE as its logical (unfolded) lines, with where each begins in the file."""

    kind: str
    line: int
    lines: list[str] = field(default_factory=list)
    props: dict[str, int] = field(default_factory=dict)  # property name → line of its first occurrence
    uid: str = ""
    dtstamp: str = ""
    broken: bool = False


@dataclass
class _Calendar:
    chunks: list[_Chunk] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)  # X-WR-TIMEZONE, X-WR-CALNAME …


_FOLD_MARK = re.compile(rb"(?:\r\n|\n|\r)[ \t]")
_LINE_END = re.compile(rb"\r\n|\n|\r")
READ_SIZE = 64 * 1024


def _charset(stream: BinaryIO, encoding: str | None) -> str:
    """The file's charset: the one given, else sniffed from its first bytes with the folds taken out
    (a fold inside a UTF-8 character would otherwise make valid UTF-8 look like another charset)."""
    if encoding:
        return encoding
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    return sniff_charset(_FOLD_MARK.sub(b"", sample))


def _physical_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """The file's lines as bytes, numbered from 1, without their line ends (CRLF, LF or a lone CR)."""
    number = 0
    carry = b""
    while True:
        block = stream.read(READ_SIZE)
        data = carry + block
        if not block:
            if data.endswith(b"\r"):
                data = data[:-1]  # the file's last line end, a lone CR
            if data:
                yield number + 1, data
            return
        start = 0
        for match in _LINE_END.finditer(data):
            if match.group() == b"\r" and match.end() == len(data):
                break  # a CR at the end of the block may be the first half of a CRLF
            number += 1
            if match.start() - start > MAX_LINE:
                raise FileUnreadable(line_too_long(MAX_LINE), line=number)
            yield number, data[start : match.start()]
            start = match.end()
        carry = data[start:]
        if len(carry) > MAX_LINE:
            raise FileUnreadable(line_too_long(MAX_LINE), line=number + 1)


def _logical_lines(stream: BinaryIO, encoding: str | None, problems: Problems, name: str):
    """Unfolded lines (RFC 5545 §3.1: a line beginning with a space or tab continues the one before)
    with the number of the physical line each begins on. Blank lines are dropped.

    Lines are unfolded as bytes and decoded afterwards: RFC 5545 §3.1 warns that simple writers fold
    inside a UTF-8 character (75 octets, not 75 characters), and the character must come back whole."""
    charset = _charset(stream, encoding)
    if codecs.lookup(charset).name.startswith("utf-16"):
        yield from _logical_text_lines(stream, charset, problems, name)
        return
    decoder = codecs.lookup(charset).name
    if decoder in ("utf-8", "utf-8-sig"):
        decoder = "utf-8"
        if stream.read(3) != codecs.BOM_UTF8:
            stream.seek(0)

    def text(start: int, data: bytearray) -> str:
        try:
            return bytes(data).decode(decoder)
        except UnicodeDecodeError as error:
            raise FileUnreadable(
                _("the text is not valid in its character set (%(error)s); save the file as UTF-8")
                % {"error": error.reason},
                line=start,
            ) from None

    pending: bytearray | None = None
    start = 0
    too_long = False
    for number, line in _physical_lines(stream):
        if line[:1] in (b" ", b"\t") and pending is not None:
            if too_long:
                continue
            if len(pending) + len(line) > MAX_LOGICAL_LINE:
                _report_long(problems, name, start)
                too_long = True
                continue
            pending += line[1:]
            continue
        if pending is not None and not too_long:
            yield start, text(start, pending)
        pending, start, too_long = None, number, False
        if line.strip():
            pending = bytearray(line)
    if pending is not None and not too_long:
        yield start, text(start, pending)


def _report_long(problems: Problems, name: str, start: int) -> None:
    problems.add(
        Source(name, start),
        ngettext(
            "the property is longer than %(n)d character",
            "the property is longer than %(n)d characters",
            MAX_LOGICAL_LINE,
        )
        % {"n": MAX_LOGICAL_LINE},
    )


def _logical_text_lines(stream: BinaryIO, charset: str, problems: Problems, name: str):
    """The same for a UTF-16 file (a byte-order mark says so), whose characters no fold can split."""
    text = open_text(stream, charset)
    pending: str | None = None
    start = number = 0
    too_long = False
    while True:
        try:
            line = text.readline(MAX_LINE + 1)
        except UnicodeDecodeError as error:
            raise FileUnreadable(
                _("the text is not valid in its character set (%(error)s); save the file as UTF-8")
                % {"error": error.reason},
                line=number + 1,
            ) from None
        if not line:
            break
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            raise FileUnreadable(line_too_long(MAX_LINE), line=number + 1)
        number += 1
        line = line.rstrip("\r\n")
        if line[:1] in (" ", "\t") and pending is not None:
            if too_long:
                continue
            if len(pending) + len(line) > MAX_LOGICAL_LINE:
                _report_long(problems, name, start)
                too_long = True
                continue
            pending += line[1:]
            continue
        if pending is not None and not too_long:
            yield start, pending
        pending, start, too_long = None, number, False
        if line.strip():
            pending = line
    if pending is not None and not too_long:
        yield start, pending


_DATE_PROPERTIES = {"DTSTART", "DTEND", "DUE", "EXDATE", "RDATE", "RECURRENCE-ID"}


def _quote_tzid(line: str) -> str:
    """A date property's line with its TZID parameter in quotes when the zone's name holds a colon or
    a comma: Exchange and Office 365 write their display names unquoted
    (``DTSTART;TZID=(UTC-05:00) Eastern Time (US & Canada):20260302T090000``), which no parser can split.
    The date's value never holds a colon, so the name runs to the line's last colon (or to the next
    parameter)."""
    match = _NAME.match(line)
    if not match or match.group(2) != ";" or match.group(1).upper() not in _DATE_PROPERTIES:
        return line
    at = line.upper().find(";TZID=")
    if at < 0 or line[at + 6 : at + 7] == '"':
        return line
    start = at + 6
    last_colon = line.rfind(":")
    if last_colon <= start:
        return line
    semicolon = line.find(";", start)
    end = last_colon if semicolon < 0 or semicolon > last_colon else semicolon
    value = line[start:end]
    if not (":" in value or "," in value) or '"' in value:
        return line
    return f'{line[:start]}"{value}"{line[end:]}'


_CAL_ADDRESS = re.compile(r":(?=(?:mailto|urn|invalid):)", re.IGNORECASE)
_PARAMETER = re.compile(r";(?=[A-Za-z0-9-]+=)")


def _drop_common_name(line: str) -> str:
    """An ORGANIZER or ATTENDEE line without its CN (the person's name, which this reader does not use).
    Names are where exports break the syntax — quotes inside (``CN=Jan "Kuba" Nowak``), a colon left
    unquoted (``CN=ACME: Board``) — and icalendar then refuses the whole event."""
    match = _NAME.match(line)
    if not match or match.group(2) != ";" or match.group(1).upper() not in ("ORGANIZER", "ATTENDEE"):
        return line
    if ";CN=" not in line.upper():
        return line
    found = [m.start() for m in _CAL_ADDRESS.finditer(line)]
    if not found:
        return line
    head, value = line[: found[-1]], line[found[-1] :]
    params = _PARAMETER.split(head)
    return ";".join([params[0], *(p for p in params[1:] if not p.upper().startswith("CN="))]) + value


def _scan(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> _Calendar:
    """The calendar's properties and its VEVENT and VTIMEZONE components, each with its line.

    A line that is not NAME:value is reported and left out (the event is read without it); an event
    whose BEGIN / END lines do not pair up, or that the file ends inside, is reported and not read.
    """
    calendar = _Calendar()
    stack: list[tuple[str, int]] = []  # open components: name, line
    chunk: _Chunk | None = None
    seen_calendar = False
    trailing_reported = False
    last_line = 0

    def drop(event: str, zone: str) -> None:
        """Report the open component as not read: ``event`` says why for an event, ``zone`` for a time zone."""
        nonlocal chunk
        if chunk is not None:
            problems.add(Source(name, chunk.line), event if chunk.kind == "VEVENT" else zone)
        chunk = None

    def trailing(number: int) -> None:
        nonlocal trailing_reported
        if not trailing_reported:
            problems.add(Source(name, number), _("this text comes after END:VCALENDAR and is not read"))
            trailing_reported = True

    for number, line in _logical_lines(stream, options.encoding, problems, name):
        last_line = number
        line = _drop_common_name(_quote_tzid(line))
        match = _NAME.match(line)
        if not seen_calendar:
            if match and line.upper().replace(" ", "") == "BEGIN:VCALENDAR":
                seen_calendar = True
                stack.append(("VCALENDAR", number))
                continue
            shown = line[:60] + ("…" if len(line) > 60 else "")
            raise FileUnreadable(
                _("this is not an iCalendar (.ics) file: it should begin with BEGIN:VCALENDAR, not %(line)s")
                % {"line": repr(shown)},
                line=number,
            )
        if not match:
            if stack:
                problems.add(
                    Source(name, number),
                    _("this line is not an iCalendar property (NAME:value); the file may be damaged"),
                )
            else:
                trailing(number)
            continue
        prop = match.group(1).upper()
        value = _split_params(line)[1][1:].strip()
        if prop == "BEGIN":
            component = value.upper()
            if not stack:
                if component == "VCALENDAR":  # calendars one after the other in one file
                    stack.append(("VCALENDAR", number))
                else:
                    trailing(number)
                continue
            if component in ("VCALENDAR", "VEVENT", "VTIMEZONE") and len(stack) > 1:
                # A new component begins while another is open: the open one lacks its END line.
                where = {"component": component, "line": number}
                drop(
                    _("this event has no END line (BEGIN:%(component)s at line %(line)d comes first); it was not read")
                    % where,
                    _(
                        "this time zone (VTIMEZONE) has no END line (BEGIN:%(component)s at line %(line)d comes "
                        "first); it was not read"
                    )
                    % where,
                )
                del stack[1:]
            if component == "VCALENDAR":
                continue  # already inside one
            stack.append((component, number))
            if len(stack) == 2 and component in ("VEVENT", "VTIMEZONE"):
                chunk = _Chunk(component, number, [line])
            elif chunk is not None:
                chunk.lines.append(line)
            continue
        if prop == "END":
            component = value.upper()
            if component not in (n for n, _ in stack):
                problems.add(
                    Source(name, number),
                    _("END:%(component)s has no BEGIN:%(component)s before it") % {"component": component},
                )
                continue
            while stack[-1][0] != component:
                unclosed, unclosed_line = stack.pop()
                if chunk is not None:
                    problems.add(
                        Source(name, unclosed_line),
                        _("BEGIN:%(component)s has no END:%(component)s") % {"component": unclosed},
                    )
                    chunk.broken = True
            stack.pop()
            if chunk is not None:
                chunk.lines.append(line)
                if len(stack) < 2:
                    if chunk.broken:
                        drop(
                            _("this event is damaged (its BEGIN and END lines do not pair up); it was not read"),
                            _(
                                "this time zone (VTIMEZONE) is damaged (its BEGIN and END lines do not pair up); "
                                "it was not read"
                            ),
                        )
                    else:
                        calendar.chunks.append(chunk)
                        chunk = None
            continue
        if not stack:
            trailing(number)
        elif len(stack) == 1:
            calendar.properties.setdefault(prop, value)
        elif chunk is not None:
            chunk.lines.append(line)
            if len(stack) == 2:
                chunk.props.setdefault(prop, number)
                if prop == "UID" and not chunk.uid:
                    chunk.uid = value
                elif prop == "DTSTAMP" and not chunk.dtstamp:
                    chunk.dtstamp = value
    if not seen_calendar:
        raise FileUnreadable(_("the file is empty"))
    if chunk is not None:
        drop(
            _("the file ends inside this event (it may have been cut short); it was not read"),
            _("the file ends inside this time zone (VTIMEZONE) (it may have been cut short); it was not read"),
        )
    elif stack:
        problems.add(Source(name, last_line), _("the file ends without END:VCALENDAR: it may have been cut short"))
    return calendar


# ---------------------------------------------------------------------------------------------------
# 2. Time zones


def _known_zone(tzid: str) -> bool:
    """Whether icalendar resolves ``tzid`` by its name (an IANA or Windows zone name) rather than by a
    VTIMEZONE of the file."""
    cleaned = tzid.strip("/")
    if cleaned in WINDOWS_TO_OLSON:
        return True
    candidates = [cleaned]
    if tzid.startswith("/"):
        parts = cleaned.split("/")
        candidates += ["/".join(parts[i:]) for i in range(1, len(parts))]
    return any(_zone(c) is not None for c in candidates)


def _zone(key: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return None


def _private_tzids(calendar: _Calendar) -> dict[str, str]:
    """The file's own time zones (VTIMEZONEs with a name that is not an IANA or Windows zone, such as
    Outlook's "Customized Time Zone") renamed after their definition.

    icalendar keeps the zones it builds from VTIMEZONEs in one cache for the whole process, by name:
    two files defining "Customized Time Zone" differently would otherwise share the first one's rules.
    """
    renamed = {}
    for chunk in calendar.chunks:
        if chunk.kind != "VTIMEZONE":
            continue
        tzid = next((line.split(":", 1)[1] for line in chunk.lines if line.upper().startswith("TZID:")), "").strip()
        if tzid and tzid not in renamed and not _known_zone(tzid):
            digest = hashlib.sha256("\n".join(chunk.lines).encode()).hexdigest()[:12]
            renamed[tzid] = f"{tzid} [{digest}]"
    return renamed


# Names Exchange and Outlook write for UTC that are neither IANA nor Windows zone ids.
_UTC_NAMES = {
    "utc",
    "z",
    "gmt",
    "etc/utc",
    "etc/gmt",
    "tzone://microsoft/utc",
    "coordinated universal time",
    "(utc) coordinated universal time",
    "(utc+00:00) coordinated universal time",
}
# Outlook's display names, "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", used as TZID by
# Exchange 2010 / Office 365 and older Outlook versions, sometimes without a VTIMEZONE.
_DISPLAY_NAME = re.compile(r"^\(\s*(?:UTC|GMT)\s*(?:([+-])(\d{1,2}):?(\d{2}))?\s*\)\s*(.*)$", re.IGNORECASE)
_DISPLAY_REGIONS = {
    "eastern time (us & canada)": "America/New_York",
    "central time (us & canada)": "America/Chicago",
    "mountain time (us & canada)": "America/Denver",
    "pacific time (us & canada)": "America/Los_Angeles",
    "coordinated universal time": "UTC",
    "greenwich mean time": "Europe/London",
}


@functools.cache
def _cities() -> dict[str, tuple[str, ...]]:
    """IANA zones by their city part, lower case ("warsaw" → Europe/Warsaw); built once."""
    cities: dict[str, list[str]] = {}
    for key in sorted(zoneinfo.available_timezones()):
        if "/" in key and not key.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            cities.setdefault(key.rsplit("/", 1)[1].replace("_", " ").casefold(), []).append(key)
    return {city: tuple(keys) for city, keys in cities.items()}


def _city_zones(city: str) -> tuple[str, ...]:
    """IANA zones whose city part is ``city`` ("Warsaw", "St. Petersburg" → …)."""
    return _cities().get(" ".join(city.replace(".", " ").split()).casefold(), ())


def _standard_minutes(zone: zoneinfo.ZoneInfo) -> int:
    """The zone's standard offset in 2026 (daylight saving only adds to it) in minutes."""
    offsets = [zone.utcoffset(dt.datetime(2026, month, 15)) for month in (1, 7)]
    return int(min(o for o in offsets if o is not None).total_seconds() // 60)


def _alias_zone(tzid: str) -> str | None:
    """The IANA zone a TZID that is neither IANA nor a Windows id stands for: UTC under Microsoft's
    names, or an Outlook display name whose offset and one of whose cities give the zone."""
    text = " ".join(tzid.strip().strip('"').split())
    if text.casefold() in _UTC_NAMES:
        return "UTC"
    match = _DISPLAY_NAME.match(text)
    if not match:
        return None
    sign, hours, minutes, places = match.groups()
    offset = (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1) if sign else 0
    places = places.strip()
    if places.casefold() in _DISPLAY_REGIONS:
        return _DISPLAY_REGIONS[places.casefold()]
    for place in re.split(r"[,:;/]", places):
        for key in _city_zones(place):
            zone = _zone(key)
            if zone is not None and _standard_minutes(zone) == offset:
                return key
    return None


def _zone_aliases(calendar: _Calendar, defined: dict[str, str]) -> dict[str, str]:
    """TZIDs the events use that neither name a known zone nor have a VTIMEZONE in the file, mapped to
    the IANA zone they stand for where ``_alias_zone`` can tell (else their times stay floating)."""
    own = {
        line.split(":", 1)[1].strip()
        for chunk in calendar.chunks
        if chunk.kind == "VTIMEZONE"
        for line in chunk.lines
        if line.upper().startswith("TZID:")
    }
    aliases: dict[str, str] = {}
    for chunk in calendar.chunks:
        if chunk.kind != "VEVENT":
            continue
        for line in chunk.lines:
            head = _split_params(line)[0]
            for match in _TZID_PARAM.finditer(head):
                tzid = match.group(1).strip('"')
                if tzid in aliases or tzid in defined or tzid in own or _known_zone(tzid):
                    continue
                alias = _alias_zone(tzid)
                if alias is not None:
                    aliases[tzid] = alias
    return aliases


_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)


def _split_params(line: str) -> tuple[str, str]:
    """A content line's name and parameters, and the rest from the colon that ends them (outside quotes)."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:i], line[i:]
    return line, ""


def _rename_tzids(lines: list[str], renamed: dict[str, str]) -> list[str]:
    """The lines with the file's own time zones renamed (see ``_private_tzids``)."""
    if not renamed:
        return lines

    def param(match: re.Match) -> str:
        tzid = match.group(1).strip('"')
        return f';TZID="{renamed[tzid]}"' if tzid in renamed else match.group(0)

    out = []
    for line in lines:
        head, rest = _split_params(line)
        if head.upper() == "TZID" and rest[1:].strip() in renamed:
            out.append("TZID:" + renamed[rest[1:].strip()])
        elif ";" in head:
            out.append(_TZID_PARAM.sub(param, head) + rest)
        else:
            out.append(line)
    return out


# ---------------------------------------------------------------------------------------------------
# 3. Reading the events


@dataclass
class _Event:
    chunk: _Chunk
    component: object  # icalendar.Event
    rid: str = ""  # the RECURRENCE-ID as a UTC ISO text, "" for a master


@dataclass
class _Context:
    name: str
    options: ReadOptions
    problems: Problems
    now: dt.datetime
    floating: dt.tzinfo
    export_stamps: frozenset[str]
    own_addresses: frozenset[str]
    seen_keys: set[str] = field(default_factory=set)


ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_MEMBERS = 200  # .ics files read from one archive
MAX_ZIP_BYTES = 100 << 20  # their total size once unpacked (each is read whole)


def read(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[MeetingRecord]:
    """The meetings of an .ics file, one record per occurrence (see the module's docstring); or of
    every .ics file in a .zip (Google Calendar's Export gives one, a calendar per file)."""
    head = stream.read(4)
    stream.seek(0)
    if head == ZIP_MAGIC:
        yield from _read_zip(stream, name, options, problems)
        return
    yield from _read_calendar(stream, name, options, problems)


def _read_zip(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[MeetingRecord]:
    """Each .ics member of an archive, named ``archive.zip/member.ics`` in problems and sources. A
    member that is not a calendar is one problem; the others are read."""
    try:
        archive = zipfile.ZipFile(stream)
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".ics")]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise FileUnreadable(_("the .zip archive cannot be opened (%(error)s)") % {"error": error}) from None
    if not members:
        raise FileUnreadable(_("the .zip archive holds no calendar (.ics) file"))
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
        raise FileUnreadable(
            _(
                "the .zip archive holds more than %(files)d calendars or %(megabytes)d MB; unpack it and import the files"
            )
            % {"files": MAX_ZIP_MEMBERS, "megabytes": MAX_ZIP_BYTES >> 20}
        )
    for member in members:
        label = f"{name}/{member.filename}"
        try:
            with archive.open(member) as inner:
                data = io.BytesIO(inner.read(member.file_size + 1)[: member.file_size])
            yield from _read_calendar(data, label, options, problems)
        except FileUnreadable as error:
            problems.add(Source(label, error.line), error.reason, error.column)
        except UNPACK_ERRORS as error:
            problems.add(Source(label), _("the file cannot be unpacked (%(error)s)") % {"error": error})


def _read_calendar(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[MeetingRecord]:
    calendar = _scan(stream, name, options, problems)
    now = timezone.now()
    x_wr_zone = _zone(calendar.properties.get("X-WR-TIMEZONE", "").strip())
    floating = x_wr_zone or _zone(options.time_zone) or dt.UTC

    # DTSTAMP is when the file was written for a whole export (Google writes the export's time in every
    # event): a value shared by two events or more, and by at least half of them, says nothing of a change.
    events = [c for c in calendar.chunks if c.kind == "VEVENT"]
    counts: dict[str, int] = {}
    for chunk in events:
        if chunk.dtstamp:
            counts[chunk.dtstamp] = counts.get(chunk.dtstamp, 0) + 1
    export_stamps = frozenset(s for s, n in counts.items() if n >= 2 and n * 2 >= len(events))

    own = set(options.own_addresses)
    owner = calendar.properties.get("X-WR-CALNAME", "").strip().lower()
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", owner):
        own.add(owner)  # Google names a user's own calendar after its address

    ctx = _Context(name, options, problems, now, floating, export_stamps, frozenset(own))
    renamed = _private_tzids(calendar)
    renamed.update(_zone_aliases(calendar, renamed))
    for chunk in calendar.chunks:
        if chunk.kind == "VTIMEZONE":
            try:
                icalendar.Timezone.from_ical("\r\n".join(_rename_tzids(chunk.lines, renamed)))
            except Exception as error:  # any bytes must give problems, not tracebacks
                problems.add(
                    Source(name, chunk.line),
                    _("this time zone (VTIMEZONE) cannot be read: %(error)s") % {"error": error},
                )

    groups: dict[str, list[_Chunk]] = {}
    for chunk in events:
        uid = chunk.uid or f"\x00line {chunk.line}"  # no UID: an event of its own
        groups.setdefault(uid, []).append(chunk)
    has_x_wr = x_wr_zone is not None
    for uid, chunks in groups.items():
        try:
            yield from _read_series(uid, chunks, renamed, has_x_wr, calendar, ctx)
        except Exception as error:  # a library's failure on odd input is a problem, not a crash
            problems.add(Source(name, chunks[0].line), _("this event cannot be read: %(error)s") % {"error": error})


def _read_series(uid, chunks, renamed, has_x_wr, calendar, ctx: _Context) -> Iterator[MeetingRecord]:
    name, problems = ctx.name, ctx.problems
    parsed: list[_Event] = []
    for chunk in chunks:
        try:
            component = icalendar.Event.from_ical("\r\n".join(_rename_tzids(chunk.lines, renamed)))
        except Exception as error:
            problems.add(Source(name, chunk.line), _("this event cannot be read: %(error)s") % {"error": error})
            continue
        event = _check(chunk, component, ctx)
        if event is not None:
            parsed.append(event)
    if not parsed:
        return
    # The same occurrence twice (a re-sent copy): the higher SEQUENCE, then the later change, wins (RFC 5545 §3.8.7.4).
    best: dict[str, _Event] = {}
    for event in parsed:
        kept = best.get(event.rid)
        if kept is None or _version(event.component) > _version(kept.component):
            best[event.rid] = event
    parsed = list(best.values())
    master = best.get("")
    overrides = {e.rid: e for e in parsed if e.rid}
    series = bool(overrides) or (
        master is not None and (master.component.get("RRULE") or master.component.get("RDATE"))
    )
    real_uid = "" if uid.startswith("\x00") else uid
    if not real_uid:
        first = parsed[0].component
        real_uid = content_key("ics", str(first.get("SUMMARY", "")), first.get("DTSTART").to_ical().decode())

    cal = icalendar.Calendar()
    if has_x_wr:
        cal.add("X-WR-TIMEZONE", calendar.properties["X-WR-TIMEZONE"].strip())
    for event in parsed:
        cal.add_component(event.component)
    window_start = min(_utc(e.component.get("DTSTART").dt, ctx.floating) for e in parsed) - dt.timedelta(days=1)
    window_end = ctx.now + FUTURE
    master_line = master.chunk.line if master is not None else parsed[0].chunk.line
    line = master.chunk.props.get("RRULE", master_line) if master is not None else master_line
    if series and window_start < ctx.now - PAST:
        # A series begun long ago. An all-day one is never a meeting (Outlook adds a yearly one for
        # each contact's birthday to every calendar it exports): passed over. A timed one is read
        # from 20 years back. But recurring-ical-events expands every query from the series' first
        # occurrence, so a rule that would give too many occurrences since then (a daily rule from
        # the year 1, a typo or a hostile file, would take hours) is refused.
        first = (master or parsed[0]).component.get("DTSTART").dt
        if not isinstance(first, dt.datetime):
            return
        if _occurrences_since(master, window_start, ctx.now) > MAX_OLD_OCCURRENCES:
            start_chunk = (master or parsed[0]).chunk
            problems.add(
                Source(name, start_chunk.props.get("DTSTART", start_chunk.line)),
                _("this repeating event starts on %(date)s and repeats too often since then: it was not read")
                % {"date": first.date().isoformat()},
                column="DTSTART",
            )
            return
        window_start = ctx.now - PAST
    occurrences = _occurrences(cal, window_start, window_end, ctx.floating, problems, Source(name, line))
    for count, occurrence in enumerate(occurrences, start=1):
        if count > MAX_OCCURRENCES:
            problems.add(
                Source(name, line),
                ngettext(
                    "this event repeats more than %(n)d time before %(date)s; only the first were read",
                    "this event repeats more than %(n)d times before %(date)s; only the first were read",
                    MAX_OCCURRENCES,
                )
                % {"n": MAX_OCCURRENCES, "date": window_end.date().isoformat()},
                column="RRULE",
            )
            return
        record = _record(occurrence, real_uid, series, master, overrides, ctx)
        if record is not None:
            yield record


# Occurrences per year of each frequency (RFC 5545 FREQ), for ``_occurrences_since``.
_PER_YEAR = {
    "YEARLY": 1,
    "MONTHLY": 12,
    "WEEKLY": 53,
    "DAILY": 366,
    "HOURLY": 366 * 24,
    "MINUTELY": 366 * 24 * 60,
    "SECONDLY": 366 * 24 * 3600,
}


def _occurrences_since(master: _Event | None, start: dt.datetime, now: dt.datetime) -> float:
    """How many occurrences a series' rule gives from ``start`` to ``now``, at most (an estimate from
    its FREQ, INTERVAL, BY… lists and COUNT; a series without a rule only has its overrides)."""
    rule = master.component.get("RRULE") if master is not None else None
    if rule is None:
        return 0
    rule = rule[0] if isinstance(rule, list) else rule
    freq = str((rule.get("FREQ") or ["YEARLY"])[0]).upper()
    per_year = _PER_YEAR.get(freq, 1)
    for part in ("BYDAY", "BYMONTHDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "BYMONTH", "BYYEARDAY"):
        per_year *= max(1, len(rule.get(part) or ()))
    interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
    estimate = per_year / interval * max(1.0, (now - start).days / 365)
    count = rule.get("COUNT")
    return min(estimate, int(count[0])) if count else estimate


def _occurrences(cal, start: dt.datetime, end: dt.datetime, floating: dt.tzinfo, problems: Problems, where: Source):
    """The occurrences starting from ``start`` to ``end`` (included), in order, a year at a time.

    recurring-ical-events computes each query from the series' first occurrence, so many small queries
    (its ``after``) cost the square of a long series; a year at a time keeps both time and memory small.
    """
    try:
        query = recurring_ical_events.of(cal)
        low = start
        while low <= end:
            high = min(low + CHUNK, end + dt.timedelta(seconds=1))
            found = []
            # A day's margin each side: recurring-ical-events compares times without a zone as if they
            # were in the bounds' zone (UTC), this reader in the calendar's; the start read here decides.
            for occurrence in query.between(low - MARGIN, high + MARGIN):
                at = _utc(occurrence.get("DTSTART").dt, floating)
                if low <= at < high:
                    found.append((at, occurrence))
            found.sort(key=lambda pair: pair[0])
            yield from (occurrence for _, occurrence in found)
            low = high
    except Exception as error:  # recurring-ical-events / dateutil on a rule they cannot expand
        problems.add(
            where, _("the event's repetition cannot be worked out: %(error)s") % {"error": error}, column="RRULE"
        )


def _check(chunk: _Chunk, component, ctx: _Context) -> _Event | None:
    """The event if it can give meetings; else its problems are reported and None returned."""
    name, problems = ctx.name, ctx.problems
    fatal = False
    for prop, message in getattr(component, "errors", ()):
        prop = (prop or "").upper()
        if prop in _CHANGE_STAMPS:
            component.pop(prop, None)  # unreadable: as if absent (recurring-ical-events compares them)
            continue
        if prop and prop not in _USED:
            continue
        line = chunk.props.get(prop, chunk.line)
        if prop:
            reason = _("%(property)s cannot be read: %(error)s") % {"property": prop, "error": message}
        else:
            reason = _("a line cannot be read: %(error)s") % {"error": message}
        problems.add(Source(name, line), reason, column=prop)
        fatal = True
    if fatal:
        return None
    for prop in _SINGLE:
        if isinstance(component.get(prop), list):
            line = chunk.props.get(prop, chunk.line)
            problems.add(
                Source(name, line),
                _("%(property)s appears more than once in this event; it was not read") % {"property": prop},
                prop,
            )
            fatal = True
    if fatal:
        return None
    rules = component.get("RRULE")
    for rule in rules if isinstance(rules, list) else [] if rules is None else [rules]:
        line = chunk.props.get("RRULE", chunk.line)
        freq = [str(f).upper() for f in rule.get("FREQ", [])] if isinstance(rule, dict) else []
        if not freq:
            problems.add(Source(name, line), _("the RRULE does not say how often the event repeats (FREQ)"), "RRULE")
            return None
        if freq[0] in ("SECONDLY", "MINUTELY"):
            if freq[0] == "SECONDLY":
                reason = _(
                    "the event repeats every second (RRULE FREQ=%(freq)s); a meeting can repeat at most every hour"
                )
            else:
                reason = _(
                    "the event repeats every minute (RRULE FREQ=%(freq)s); a meeting can repeat at most every hour"
                )
            problems.add(Source(name, line), reason % {"freq": freq[0]}, "RRULE")
            return None
    start_prop = component.get("DTSTART")
    if start_prop is None or not hasattr(start_prop, "dt"):
        problems.add(Source(name, chunk.line), _("the event has no start (DTSTART)"), column="DTSTART")
        return None
    start = start_prop.dt
    if not isinstance(start, dt.date):
        problems.add(
            Source(name, chunk.props.get("DTSTART", chunk.line)), _("DTSTART is not a date or time"), "DTSTART"
        )
        return None
    end_prop = component.get("DTEND")
    if end_prop is not None:
        end = getattr(end_prop, "dt", None)
        line = chunk.props.get("DTEND", chunk.line)
        if not isinstance(end, dt.date) or isinstance(end, dt.datetime) != isinstance(start, dt.datetime):
            problems.add(Source(name, line), _("DTEND must be a date when DTSTART is one, else a time"), "DTEND")
            return None
        if _utc(end, ctx.floating) < _utc(start, ctx.floating):
            problems.add(Source(name, line), _("the event ends (DTEND) before it starts (DTSTART)"), "DTEND")
            return None
    duration = component.get("DURATION")
    if (
        duration is not None
        and isinstance(getattr(duration, "dt", None), dt.timedelta)
        and duration.dt < dt.timedelta(0)
    ):
        problems.add(
            Source(name, chunk.props.get("DURATION", chunk.line)), _("the event's DURATION is negative"), "DURATION"
        )
        return None
    rid = ""
    rid_prop = component.get("RECURRENCE-ID")
    if rid_prop is not None:
        rid = _stamp(rid_prop.dt, ctx.floating)
    status = component.get(STATUS_PROPERTY)
    if status is not None and _status_word(str(status)) is None:
        problems.add(
            Source(name, chunk.props.get(STATUS_PROPERTY, chunk.line)),
            _("%(property)s must be one of held, cancelled_by_client, cancelled_by_us, no_show (not %(value)s)")
            % {"property": STATUS_PROPERTY, "value": repr(str(status))},
            STATUS_PROPERTY,
        )
        return None
    late = component.get(LATE_PROPERTY)
    if late is not None and _minutes(late) is None:
        problems.add(
            Source(name, chunk.props.get(LATE_PROPERTY, chunk.line)),
            _("%(property)s must be a whole number of minutes from 0 to 1440 (not %(value)s)")
            % {"property": LATE_PROPERTY, "value": repr(str(late))},
            LATE_PROPERTY,
        )
        return None
    return _Event(chunk, component, rid)


def _version(component) -> tuple[int, dt.datetime]:
    changed = _instant(component.get("LAST-MODIFIED")) or _instant(component.get("DTSTAMP"))
    return (_sequence(component), changed or dt.datetime.min.replace(tzinfo=dt.UTC))


def _sequence(component) -> int:
    try:
        return int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _status_word(value: str) -> str | None:
    return _STATUS_WORDS.get(re.sub(r"[\s-]+", "_", value.strip().lower()))


def _minutes(value) -> int | None:
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    return minutes if 0 <= minutes <= 1440 else None


# ---------------------------------------------------------------------------------------------------
# 4. One occurrence → one record


def _utc(value: dt.date, floating: dt.tzinfo) -> dt.datetime:
    """An instant in UTC: a date is its local midnight, a time without a zone is read in ``floating``."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=floating)
    return value.astimezone(dt.UTC)


def _stamp(value: dt.date, floating: dt.tzinfo) -> str:
    """A RECURRENCE-ID (or an occurrence's start) as the text of its key: UTC ISO, or the date."""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    return _utc(value, floating).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instant(prop) -> dt.datetime | None:
    try:
        value = prop.dt
    except Exception:  # absent, or a value icalendar could not parse (reported by _check)
        return None
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=dt.UTC)  # RFC 5545: LAST-MODIFIED, DTSTAMP and CREATED are UTC
    return value.astimezone(dt.UTC)


def _address(value) -> str:
    """A lower-case address from a CAL-ADDRESS value ("mailto:", any casing), "" when there is none."""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    return text if re.fullmatch(r"[^@\s]+@[^@\s]+", text) else ""


def _person_address(prop) -> str:
    """The address of an ORGANIZER or ATTENDEE: its mailto: value, else its EMAIL parameter (Apple Calendar
    writes "urn:uuid:…" as the value for people of its own server and the address in EMAIL, RFC 7986)."""
    address = _address(prop)
    if not address:
        params = getattr(prop, "params", {}) or {}
        email = params.get("EMAIL")
        if email:
            address = _address(email)
    return address


def _people(component) -> tuple[str, list[tuple[str, str]]]:
    """The organizer's address and each person attending (address, PARTSTAT); rooms and Google's
    calendar addresses left out."""
    organizer = component.get("ORGANIZER")
    organizer = _person_address(organizer) if organizer is not None else ""
    if organizer and _SERVICE_DOMAIN.search(organizer.rsplit("@", 1)[1]):
        organizer = ""
    attendees = component.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    people = []
    for attendee in attendees:
        params = getattr(attendee, "params", {}) or {}
        if str(params.get("CUTYPE", "INDIVIDUAL")).upper() in _NOT_PEOPLE:
            continue
        address = _person_address(attendee)
        if not address or _SERVICE_DOMAIN.search(address.rsplit("@", 1)[1]):
            continue
        if address not in (a for a, _ in people):
            people.append((address, str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()))
    return organizer, people


def _is_own(address: str, ctx: _Context) -> bool:
    domain = address.rsplit("@", 1)[1]
    return address in ctx.own_addresses or any(domain == d or domain.endswith("." + d) for d in ctx.options.own_domains)


def _change_time(component, ctx: _Context) -> dt.datetime | None:
    """When the event was last changed, where the file tells it: LAST-MODIFIED; else DTSTAMP when the
    event was changed after it was created (SEQUENCE > 0, DTSTAMP after CREATED) and DTSTAMP is not the
    export's time (see ``read``)."""
    changed = _instant(component.get("LAST-MODIFIED"))
    if changed is not None:
        return changed
    stamp_prop = component.get("DTSTAMP")
    stamp = _instant(stamp_prop)
    if stamp is None or _sequence(component) <= 0:
        return None
    if stamp_prop.to_ical().decode() in ctx.export_stamps:
        return None
    created = _instant(component.get("CREATED"))
    if created is not None and stamp <= created:
        return None
    return stamp


def _record(occurrence, uid, series, master, overrides, ctx: _Context) -> MeetingRecord | None:
    start = occurrence.get("DTSTART").dt
    # Exchange may write an all-day event as midnight-to-midnight times and say so in its own property.
    all_day = not isinstance(start, dt.datetime) or (
        str(occurrence.get("X-MICROSOFT-CDO-ALLDAYEVENT", "")).strip().upper() == "TRUE"
    )
    starts_at = _utc(start, ctx.floating)
    end_prop = occurrence.get("DTEND")
    duration = occurrence.get("DURATION")
    if end_prop is not None:
        ends_at = _utc(end_prop.dt, ctx.floating)
    elif duration is not None and isinstance(getattr(duration, "dt", None), dt.timedelta):
        ends_at = _utc(start + duration.dt, ctx.floating)
    else:
        ends_at = starts_at + (dt.timedelta(days=1) if all_day else dt.timedelta(0))
    ends_at = max(ends_at, starts_at)

    rid_prop = occurrence.get("RECURRENCE-ID")
    rid = _stamp(_original_start(rid_prop, start, overrides, ctx), ctx.floating) if rid_prop is not None else ""
    rid = rid or _stamp(start, ctx.floating)
    override = overrides.get(rid)
    source_event = override or master
    line = source_event.chunk.line if source_event is not None else 0
    key = f"{uid}|{rid}" if series else uid
    if len(key) > MAX_KEY:
        key = content_key("ics-key", key)
    if key in ctx.seen_keys:
        return None
    ctx.seen_keys.add(key)

    subject = " ".join(str(occurrence.get("SUMMARY", "")).split())
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1] + "…"
    description = str(occurrence.get("DESCRIPTION", ""))
    organizer, people = _people(occurrence)
    client_emails = [a for a in dict.fromkeys([organizer] + [a for a, _ in people]) if a and not _is_own(a, ctx)]
    client_people = [(a, s) for a, s in people if not _is_own(a, ctx)]
    own_people = [(a, s) for a, s in people if _is_own(a, ctx)]
    declined = tuple(a for a, s in people if s == "DECLINED")

    status, cancelled_at = _status(
        occurrence, organizer, client_people, own_people, subject, description, starts_at, ctx
    )
    minutes_late = 0
    late = occurrence.get(LATE_PROPERTY)
    if late is not None and status == MeetingStatus.HELD:
        minutes_late = _minutes(late) or 0
    if cancelled_at is not None and cancelled_at > ctx.now:
        cancelled_at = None  # a clock gone wrong
    if cancelled_at is not None:
        if override is None and series and starts_at <= cancelled_at and occurrence.get(STATUS_PROPERTY) is None:
            # A series cancelled (or declined) as a whole: its occurrences before that moment took place.
            status, cancelled_at = MeetingStatus.HELD, None
        elif cancelled_at > starts_at + LATE_EDIT:
            cancelled_at = None  # a later edit, not the moment of cancelling
    return MeetingRecord(
        source=Source(ctx.name, line),
        client=ClientRef(emails=tuple(client_emails)),
        key=key,
        starts_at=starts_at,
        ends_at=ends_at,
        subject=subject,
        status=status,
        cancelled_at=cancelled_at,
        organizer=organizer,
        attendees=tuple(a for a, _ in people),
        declined=declined,
        all_day=all_day,
        minutes_late=minutes_late,
    )


def _original_start(rid_prop, start: dt.date, overrides: dict, ctx: _Context) -> dt.date:
    """The occurrence's original start. An override with ``RECURRENCE-ID;RANGE=THISANDFUTURE`` (Apple and
    Outlook write it when "this and all following" meetings are moved) gives every later occurrence its
    own RECURRENCE-ID: they would share one key and all but the first be lost; each later occurrence's
    original start is the override's shifted by as much as the occurrence is after the override's start."""
    value = rid_prop.dt
    params = getattr(rid_prop, "params", {}) or {}
    if str(params.get("RANGE", "")).upper() != "THISANDFUTURE":
        return value
    override = overrides.get(_stamp(value, ctx.floating))
    moved = override.component.get("DTSTART") if override is not None else None
    if moved is None or type(moved.dt) is not type(start) or type(value) is not type(start):
        return value
    try:
        return value + (start - moved.dt)
    except TypeError:  # an aware time against a floating one
        return value


def _status(occurrence, organizer, client_people, own_people, subject, description, starts_at, ctx):
    """The occurrence's status and, for a cancellation, when it was made (W4). In this order:

    1. X-PARTING-STATUS, when the firm wrote it in its calendar.
    2. STATUS:CANCELLED (or Outlook's "Canceled:" subject): by the client when the organizer is the
       client's, or when every client attendee had declined; else by us (the firm organised it, or no
       one is named: without a sign that the client cancelled, it does not count against them).
    3. Every client attendee DECLINED: cancelled by the client.
    4. Every one of the firm's attendees DECLINED: cancelled by us.
    5. A past occurrence whose SUMMARY or DESCRIPTION marks a no-show: no_show.
    6. Otherwise held.
    """
    explicit = occurrence.get(STATUS_PROPERTY)
    if explicit is not None:
        status = _status_word(str(explicit)) or MeetingStatus.HELD
        cancelled = status in (MeetingStatus.CANCELLED_BY_CLIENT, MeetingStatus.CANCELLED_BY_US)
        return status, _change_time(occurrence, ctx) if cancelled else None
    client_declined = bool(client_people) and all(s == "DECLINED" for _, s in client_people)
    own_declined = bool(own_people) and all(s == "DECLINED" for _, s in own_people)
    cancelled = str(occurrence.get("STATUS", "")).strip().upper() == "CANCELLED" or bool(
        _OUTLOOK_CANCELLED.match(subject)
    )
    if cancelled:
        by_client = (organizer and not _is_own(organizer, ctx)) or client_declined
        status = MeetingStatus.CANCELLED_BY_CLIENT if by_client else MeetingStatus.CANCELLED_BY_US
        return status, _change_time(occurrence, ctx)
    if client_declined:
        return MeetingStatus.CANCELLED_BY_CLIENT, _change_time(occurrence, ctx)
    if own_declined:
        return MeetingStatus.CANCELLED_BY_US, _change_time(occurrence, ctx)
    if starts_at < ctx.now and _NO_SHOW.search(_fold(subject + "\n" + description)):
        return MeetingStatus.NO_SHOW, None
    return MeetingStatus.HELD, None


def _fold(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е").replace("\u2019", "'").replace("\u2010", "-")
