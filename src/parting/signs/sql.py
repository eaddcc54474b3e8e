"""Set-based aggregation of the evidence into per-client components (GROUP BY client).

One query per evidence table, each returning additive components (counts and sums) for every client
of the firm at once, optionally split by calendar month for trends. The SQL is written once; the
few expressions SQLite and PostgreSQL spell differently come from :class:`Dialect`. Nothing from a
user is spliced into the SQL: values travel as parameters, and identifiers are constants.

Times of day are judged in the firm's time zone (W2) without relying on the database's own time-zone
tables: the UTC-offset periods of the firm's zone (DST included) are computed in Python and joined
as a small VALUES table, so SQLite and PostgreSQL give identical answers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import sqlite3
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

INCIDENT_COLUMNS = {
    "rework": ("rework_n", "rework_hours"),
    "scope_creep": ("scope_n", "scope_hours"),
    "expertise_challenged": ("distrust_n", None),
    "contract_ignored": ("contract_n", None),
    "disrespect": ("disrespect_n", None),
    "haggling": ("haggle_n", None),
}

COMPONENTS = (
    "inv_due",
    "inv_late",
    "inv_days_late",
    "inv_unpaid_overdue",
    "inv_reminders",
    "inv_discount_requested",
    "inv_disputed",
    "revenue",
    "req_due",
    "req_late",
    "req_days_late",
    "req_missing",
    "msg_in",
    "msg_after_hours",
    "msg_day_off",
    "msg_to_senior",
    "msg_negative",
    "mtg",
    "mtg_short_cancel",
    "mtg_no_show",
    "mtg_late",
    "mtg_late_minutes",
    "hours",
    "billable_hours",
    *[column for pair in INCIDENT_COLUMNS.values() for column in pair if column],
)

LATE_MINUTES = 10  # W4: arriving this many minutes late or more counts as late.
SHORT_NOTICE_SECONDS = 24 * 3600  # W4: a cancellation with less notice is "last minute".

FAR_PAST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


class Dialect:
    """The expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def materialized(self) -> str:
        """``MATERIALIZED`` for a CTE whose computed column is read several times: SQLite otherwise
        flattens the CTE into the outer query and evaluates the expression (``julianday()`` of a text
        timestamp) once per reference. Not on PostgreSQL, nor on an SQLite older than 3.35 that lacks
        the word; the answer is the same either way."""
        if self.pg:
            return ""
        return "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""

    def ts_value(self, value: dt.datetime):
        # Django stores SQLite datetimes as naive UTC text; compare like with like.
        if self.pg:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")

    def days(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def seconds(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"

    def month_of_date(self, column: str) -> str:
        if self.pg:
            return f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)"
        return f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%%m', {column}) AS INTEGER) - 1)"

    def epoch_seconds(self, column: str) -> str:
        """Whole seconds since 1970-01-01 UTC of a stored timestamp."""
        if self.pg:
            return f"CAST(floor(date_part('epoch', {column})) AS bigint)"
        # julianday() is a double: the half millisecond keeps 06:59:59.99999… from reading 06:59:58.
        return f"CAST((julianday({column}) - 2440587.5) * 86400 + 0.0005 AS INTEGER)"

    def month_of_epoch(self, seconds: str) -> str:
        if self.pg:
            return self.month_of_date(f"(to_timestamp({seconds}) AT TIME ZONE 'UTC')")
        return (
            f"(CAST(strftime('%%Y', {seconds}, 'unixepoch') AS INTEGER) * 12"
            f" + CAST(strftime('%%m', {seconds}, 'unixepoch') AS INTEGER) - 1)"
        )


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def month_key(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_start(key: int) -> dt.date:
    return dt.date(key // 12, key % 12 + 1, 1)


def offset_periods(tz: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """UTC periods [from, to) of constant UTC offset for ``tz`` that cover [start, end]."""
    marks: list[dt.datetime] = []
    step = dt.timedelta(hours=6)
    cursor = start - dt.timedelta(days=1)
    last = cursor.astimezone(tz).utcoffset()
    while cursor < end + dt.timedelta(days=1):
        nxt = cursor + step
        offset = nxt.astimezone(tz).utcoffset()
        if offset != last:
            low, high = cursor, nxt  # find the transition to the second by bisection
            while high - low > dt.timedelta(seconds=1):
                mid = low + (high - low) / 2
                if mid.astimezone(tz).utcoffset() == last:
                    low = mid
                else:
                    high = mid
            marks.append(high.replace(microsecond=0))
            last = offset
        cursor = nxt
    bounds = [FAR_PAST, *marks, FAR_FUTURE]
    periods = []
    first_offset = (start - dt.timedelta(days=1)).astimezone(tz).utcoffset()
    for index, (low, high) in enumerate(itertools.pairwise(bounds)):
        offset = first_offset if index == 0 else low.astimezone(tz).utcoffset()
        periods.append((low, high, int(offset.total_seconds())))
    return periods


@dataclass(frozen=True)
class Scope:
    """What to aggregate: one firm, dates [start, end], optionally some clients, by month or not."""

    firm_id: int
    time_zone: str
    start: dt.date  # first day of the window (inclusive)
    end: dt.date  # last day of the window (inclusive): "as of"
    now: dt.datetime  # upper bound for timestamps (exclusive)
    by_month: bool = False
    client_ids: Sequence[int] | None = None

    def _get_tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    tz = property(_get_tz)

    def start_ts(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), self.tz).astimezone(dt.UTC)


class Params(dict):
    """Named query parameters: ``add`` returns the placeholder, so order can never drift."""

    def __init__(self, dialect: Dialect):
        super().__init__()
        self.d = dialect

    def add(self, value, kind: str = "") -> str:
        name = f"p{len(self)}"
        if kind == "ts":
            self[name] = self.d.ts_value(value)
            return f"CAST(%({name})s AS timestamptz)" if self.d.pg else f"%({name})s"
        self[name] = value
        if kind == "date" and self.d.pg:
            return f"CAST(%({name})s AS date)"
        return f"%({name})s"


class Aggregator:
    def __init__(self, scope: Scope, working_hours: Iterable[tuple[int, str, str]]):
        self.scope = scope
        self.d = Dialect(connection.vendor)
        self.working_hours = list(working_hours)
        self.rows: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: dict.fromkeys(COMPONENTS, 0.0))
        # Set by :meth:`columns`: the clients asked for, and one list per component in their order.
        self._ids: list[int] | None = None
        self._columns: dict[str, list[float]] = {}

    # -- helpers --------------------------------------------------------------------------------

    def _params(self) -> tuple[Params, str, str, str]:
        p = Params(self.d)
        s = self.scope
        return p, p.add(s.firm_id), p.add(s.start, "date"), p.add(s.end, "date")

    def _client_filter(self, alias: str, p: Params) -> str:
        if not self.scope.client_ids:
            return ""
        marks = ", ".join(p.add(int(client_id)) for client_id in self.scope.client_ids)
        return f" AND {alias}.client_id IN ({marks})"

    def _run(self, sql: str, params: Params, names: Sequence[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, dict(params))
            if self._ids is not None:
                self._fill_columns(cursor.fetchall(), names)
                return
            rows = self.rows
            by_month = self.scope.by_month
            # Each pass fills its own components, once per (client, month): assignment, not a sum.
            for row in cursor.fetchall():
                rows[(row[0], row[1] if by_month else 0)].update(
                    zip(names, [float(value or 0) for value in row[2:]], strict=True)
                )

    def _fill_columns(self, fetched: list[tuple], names: Sequence[str]) -> None:
        """One pass's rows into the columns, a column at a time, each value converted as in :meth:`_run`:
        ``float(value or 0)``, which is ``float(value) + 0.0`` where no value is NULL (the ``+ 0.0``
        turns a -0.0 into the 0.0 that ``value or 0`` gives). Clients not asked for are left out."""
        if not fetched:
            return
        transposed = list(zip(*fetched, strict=True))
        client_ids = transposed[0]
        ids = self._ids
        for name, values in zip(names, transposed[2:], strict=True):
            try:
                converted = list(map(operator.add, map(float, values), itertools.repeat(0.0)))
            except TypeError:  # a NULL sum; not looked for first: comparing Decimals with None is slow
                if not any(value is None for value in values):
                    raise  # another error: not hidden behind the slow path, which would give the same
                converted = [float(value or 0) for value in values]
            by_client = dict(zip(client_ids, converted, strict=True))
            self._columns[name] = list(map(by_client.get, ids, itertools.repeat(0.0)))

    def columns(self, client_ids: Sequence[int]) -> dict[str, list[float]]:
        """Every component for the given clients as columns: ``columns[name][k]`` is the value for
        ``client_ids[k]`` (0.0 without rows). The same passes and numbers as :meth:`run`, without a
        dict per client; for the firm-wide pass (``by_month`` off)."""
        if self.scope.by_month:
            raise ValueError("columns() is for the firm-wide pass, not by month")
        self._ids = list(client_ids)
        self._columns = {name: [0.0] * len(self._ids) for name in COMPONENTS}
        try:
            self.run()
        finally:
            self._ids = None
        columns, self._columns = self._columns, {}
        return columns

    def _group(self, month_expr: str) -> tuple[str, str]:
        if self.scope.by_month:
            return f"{month_expr} AS month", "GROUP BY client_id, month"
        return "0 AS month", "GROUP BY client_id"

    # -- the passes -----------------------------------------------------------------------------

    def invoices(self) -> None:
        """W7, W8, W9 by due date; an unpaid invoice is late by the days up to the window's end."""
        d = self.d
        p, firm, start, end = self._params()
        late = f"(i.paid_on > i.due_on OR (i.paid_on IS NULL AND i.due_on < {end}))"
        month, group = self._group(d.month_of_date("i.due_on"))
        sql = f"""
            SELECT i.client_id, {month},
                   COUNT(*),
                   SUM(CASE WHEN {late} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {late} THEN {d.days(f"COALESCE(i.paid_on, {end})", "i.due_on")} ELSE 0 END),
                   SUM(CASE WHEN i.paid_on IS NULL AND i.due_on < {end} THEN 1 ELSE 0 END),
                   SUM(i.reminders_sent),
                   SUM(CASE WHEN i.discount_requested THEN 1 ELSE 0 END),
                   SUM(CASE WHEN i.disputed THEN 1 ELSE 0 END)
              FROM evidence_invoice i
             WHERE i.firm_id = {firm} AND i.due_on >= {start} AND i.due_on <= {end}"""
        sql += self._client_filter("i", p) + f" {group}"
        self._run(
            sql,
            p,
            (
                "inv_due",
                "inv_late",
                "inv_days_late",
                "inv_unpaid_overdue",
                "inv_reminders",
                "inv_discount_requested",
                "inv_disputed",
            ),
        )

    def revenue(self) -> None:
        """W11 and value (D5): invoiced amounts by issue date, in the firm's currency."""
        p, firm, start, end = self._params()
        month, group = self._group(self.d.month_of_date("i.issued_on"))
        sql = f"""
            SELECT i.client_id, {month}, SUM(i.amount * i.fx_rate)
              FROM evidence_invoice i
             WHERE i.firm_id = {firm} AND i.issued_on >= {start} AND i.issued_on <= {end}"""
        sql += self._client_filter("i", p) + f" {group}"
        self._run(sql, p, ("revenue",))

    def requests(self) -> None:
        """W1 and W14: what the client was asked to deliver, by due date."""
        d = self.d
        p, firm, start, end = self._params()
        late = f"(r.received_on > r.due_on OR (r.received_on IS NULL AND r.due_on < {end}))"
        month, group = self._group(d.month_of_date("r.due_on"))
        sql = f"""
            SELECT r.client_id, {month},
                   COUNT(*),
                   SUM(CASE WHEN {late} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {late} THEN {d.days(f"COALESCE(r.received_on, {end})", "r.due_on")} ELSE 0 END),
                   SUM(CASE WHEN r.received_on IS NULL AND r.due_on < {end} THEN 1 ELSE 0 END)
              FROM evidence_clientrequest r
             WHERE r.firm_id = {firm} AND r.due_on >= {start} AND r.due_on <= {end}"""
        sql += self._client_filter("r", p) + f" {group}"
        self._run(sql, p, ("req_due", "req_late", "req_days_late", "req_missing"))

    def messages(self) -> None:
        """W2 (outside working hours, in the firm's time zone), W3, W10: inbound messages only.

        The local time is whole seconds since the epoch plus the UTC offset of the period the message
        falls in (a CASE over the zone's offset periods); weekday and minute of the day follow by
        integer arithmetic, identical on both databases (1970-01-01 was a Thursday: weekday 3).
        """
        d, s = self.d, self.scope
        p = Params(d)
        if self.working_hours:
            rows = ", ".join(
                f"({p.add(weekday)}, {p.add(minutes(starts))}, {p.add(minutes(ends))})"
                for weekday, starts, ends in self.working_hours
            )
            ctes = f"w(wd, starts, ends) AS (VALUES {rows}),"
            hours_join = "LEFT JOIN w ON w.wd = y.wd"
            after = "(w.wd IS NULL OR y.mi < w.starts OR y.mi >= w.ends)"
            day_off = "(w.wd IS NULL)"
        else:
            ctes, hours_join, after, day_off = "", "", "(1 = 0)", "(1 = 0)"
        month, group = self._group(d.month_of_epoch("y.ls"))
        firm, low, high = p.add(s.firm_id), p.add(s.start_ts(), "ts"), p.add(s.now, "ts")
        clients = self._client_filter("m", p)
        sql = f"""
            WITH {ctes}
            x AS {d.materialized()}(
                SELECT m.client_id, m.to_senior, m.negative, {self._local_seconds("m.sent_at", p)} AS ls
                  FROM evidence_message m
                 WHERE m.firm_id = {firm} AND m.direction = 'in'
                   AND m.sent_at >= {low} AND m.sent_at < {high}{clients}
            ),
            y AS (SELECT client_id, to_senior, negative, ls, (ls / 86400 + 3) %% 7 AS wd, (ls %% 86400) / 60 AS mi FROM x)
            SELECT y.client_id, {month},
                   COUNT(*),
                   SUM(CASE WHEN {after} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {day_off} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN y.to_senior THEN 1 ELSE 0 END),
                   SUM(CASE WHEN y.negative THEN 1 ELSE 0 END)
              FROM y {hours_join}
             {group}"""
        self._run(sql, p, ("msg_in", "msg_after_hours", "msg_day_off", "msg_to_senior", "msg_negative"))

    def _local_seconds(self, column: str, p: Params) -> str:
        """Seconds since the epoch on the firm's wall clock: UTC seconds plus the offset of their period."""
        s = self.scope
        periods = offset_periods(s.tz, s.start_ts(), s.now)
        cases = " ".join(f"WHEN {column} < {p.add(high, 'ts')} THEN {p.add(off)}" for _low, high, off in periods[:-1])
        last = p.add(periods[-1][2])
        # One period (no clock change in range): a CASE with no WHEN is not valid SQL.
        return f"({self.d.epoch_seconds(column)} + {f'CASE {cases} ELSE {last} END' if cases else last})"

    def meetings(self) -> None:
        """W4: meetings the client booked with us; cancellations by us don't count against them."""
        d, s = self.d, self.scope
        p = Params(d)
        firm, low, high = p.add(s.firm_id), p.add(s.start_ts(), "ts"), p.add(s.now, "ts")
        short = (
            f"(g.status = 'cancelled_by_client' AND g.cancelled_at IS NOT NULL AND "
            f"{d.seconds('g.starts_at', 'g.cancelled_at')} < {SHORT_NOTICE_SECONDS})"
        )
        late = f"(g.status = 'held' AND g.minutes_late >= {LATE_MINUTES})"
        # The trend's month is the one on the firm's wall clock, as for messages.
        month, group = self._group(d.month_of_epoch(self._local_seconds("g.starts_at", p)) if s.by_month else "0")
        sql = f"""
            SELECT g.client_id, {month},
                   COUNT(*),
                   SUM(CASE WHEN {short} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN g.status = 'no_show' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {late} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {late} THEN g.minutes_late ELSE 0 END)
              FROM evidence_meeting g
             WHERE g.firm_id = {firm} AND g.status <> 'cancelled_by_us'
               AND g.starts_at >= {low} AND g.starts_at < {high}"""
        sql += self._client_filter("g", p) + f" {group}"
        self._run(sql, p, ("mtg", "mtg_short_cancel", "mtg_no_show", "mtg_late", "mtg_late_minutes"))

    def incidents(self) -> None:
        """W5, W6, W8, W9, W13, W15: counts (and hours lost) per kind."""
        p, firm, start, end = self._params()
        columns, names = [], []
        for kind, (count_name, hours_name) in INCIDENT_COLUMNS.items():
            columns.append(f"SUM(CASE WHEN n.kind = '{kind}' THEN 1 ELSE 0 END)")
            names.append(count_name)
            if hours_name:
                columns.append(f"SUM(CASE WHEN n.kind = '{kind}' THEN n.hours_lost ELSE 0 END)")
                names.append(hours_name)
        month, group = self._group(self.d.month_of_date("n.occurred_on"))
        sql = f"""
            SELECT n.client_id, {month}, {", ".join(columns)}
              FROM evidence_incident n
             WHERE n.firm_id = {firm} AND n.occurred_on >= {start} AND n.occurred_on <= {end}"""
        sql += self._client_filter("n", p) + f" {group}"
        self._run(sql, p, names)

    def time_entries(self) -> None:
        """W11 and W13: effort."""
        p, firm, start, end = self._params()
        month, group = self._group(self.d.month_of_date("t.date"))
        sql = f"""
            SELECT t.client_id, {month}, SUM(t.hours), SUM(CASE WHEN t.billable THEN t.hours ELSE 0 END)
              FROM evidence_timeentry t
             WHERE t.firm_id = {firm} AND t.date >= {start} AND t.date <= {end}"""
        sql += self._client_filter("t", p) + f" {group}"
        self._run(sql, p, ("hours", "billable_hours"))

    def run(self) -> dict[tuple[int, int], dict[str, float]]:
        self.invoices()
        self.revenue()
        self.requests()
        self.messages()
        self.meetings()
        self.incidents()
        self.time_entries()
        return self.rows
