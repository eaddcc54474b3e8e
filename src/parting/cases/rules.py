"""The pure rules a plan is computed from: notice and end dates (N1–N4), refunds by work done (N4),
rounding per currency, deletion dates (O5). No database here, so each rule is tested on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONDAY_TO_FRIDAY = frozenset(range(5))

# ISO 4217 minor units where they are not 2. Everything else rounds to cents.
MINOR_UNITS = {
    "BHD": 3,
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "RWF": 0,
    "TND": 3,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}
HUNDRED = Decimal("100")


def minor_units(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's smallest unit (cents for EUR, whole yen for JPY, fils for KWD)."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def add_days(start: dt.date, days: int, *, working_weekdays: Iterable[int] | None = None) -> dt.date:
    """``days`` after ``start``: calendar days, or, given the firm's working weekdays, only those count.

    A business-day period ends on a working day: 10 working days from a Friday is the second Friday after.
    """
    if working_weekdays is None:
        return start + dt.timedelta(days=days)
    weekdays = frozenset(working_weekdays) or MONDAY_TO_FRIDAY
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() in weekdays:
            left -= 1
    return day


@dataclass(frozen=True)
class Work:
    """A piece of current work the end date waits for (N2)."""

    name: str
    due_on: dt.date


@dataclass(frozen=True)
class EndDate:
    date: dt.date
    rule: str  # the DOMAIN.md rule id
    why: str  # a key of parting.cases.plan.WHY, filled with ``values``
    values: dict


def end_date(
    *,
    notice_date: dt.date,
    contract_notice_days: int | None,
    policy_notice_days: int,
    working_weekdays: Iterable[int] | None,
    open_work: Iterable[Work] = (),
    contract_end: dt.date | None = None,
    honour_fixed_term: bool = True,
) -> EndDate:
    """The last day of service, and the rule that decided it.

    1. Notice: the contract's notice period if it sets one (N1), else the policy's default (N2).
    2. Current work due later is finished first: the end moves to the last due date (N2).
    3. A fixed-term contract that runs past that date is honoured to its end (N3), or, if the user
       chooses, ended early with a refund by work done (N4). A contract that expires before the
       notice would run out ends when it expires: nothing is owed after it.
    """
    days = contract_notice_days if contract_notice_days is not None else policy_notice_days
    business = working_weekdays is not None
    values = {"days": days, "from": notice_date}
    if contract_notice_days is not None:
        result = EndDate(add_days(notice_date, days, working_weekdays=working_weekdays), "N1", "contract", values)
    else:
        result = EndDate(add_days(notice_date, days, working_weekdays=working_weekdays), "N2", "policy", values)
    if business:
        result = EndDate(result.date, result.rule, result.why + "_business", values)
    if contract_end is not None and notice_date <= contract_end < result.date:
        return EndDate(contract_end, "N3", "expires", {"contract_end": contract_end})
    later = [work for work in open_work if work.due_on > result.date]
    if later:
        last = max(later, key=lambda work: (work.due_on, work.name))
        result = EndDate(last.due_on, "N2", "work", {"name": last.name, "due": last.due_on, "count": len(later)})
    if contract_end is not None and contract_end > result.date and honour_fixed_term:
        result = EndDate(contract_end, "N3", "honour", {"contract_end": contract_end})
    return result


def term_elapsed_percent(start: dt.date | None, end: dt.date | None, on: dt.date) -> Decimal | None:
    """The share of a fixed term [start, end] elapsed by ``on``, 0–100, or None without both dates."""
    if start is None or end is None:
        return None
    total = (end - start).days
    if total <= 0:
        return HUNDRED
    done = min(max((on - start).days, 0), total)
    return (HUNDRED * done / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Refund:
    prepaid: Decimal
    work_done_percent: Decimal
    refund: Decimal  # returned to the client (or credited)
    retained: Decimal  # kept for the work done

    def _get_formula(self) -> str:
        return f"{self.prepaid} × (100% − {self.work_done_percent.normalize():f}%) = {self.refund}"

    formula = property(_get_formula)


def refund_by_work_done(prepaid: Decimal, work_done_percent: Decimal, currency: str) -> Refund:
    """N4: return the prepaid share of the work not done, rounded to the currency's unit.

    The refund is rounded and the retained part is what is left, so the two always add up to what
    was prepaid; the percentage is clamped to 0–100, so the refund is never negative nor more than
    was prepaid. With no work done the whole prepaid amount is returned, even when it is not a whole
    number of the currency's unit (e.g. 1000.40 JPY).
    """
    if prepaid < 0:
        raise ValueError("prepaid amount cannot be negative")
    done = min(max(Decimal("0"), work_done_percent), HUNDRED)  # max() keeps 0, never -0
    refund = prepaid if done == 0 else round_money(prepaid * (HUNDRED - done) / HUNDRED, currency)
    refund = min(max(refund, Decimal("0")), prepaid)
    return Refund(prepaid=prepaid, work_done_percent=done, refund=refund, retained=prepaid - refund)


def deletion_date(end: dt.date, retention_days: int) -> dt.date:
    """O5: the day all copies of the client's records are deleted, as told to the client."""
    return end + dt.timedelta(days=retention_days)


def accounting_retention_until(end: dt.date, years: int) -> dt.date:
    """Accounting records are kept ``years`` full years after the end of the year the service ended."""
    return dt.date(end.year + years, 12, 31)
