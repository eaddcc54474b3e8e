"""Dates, amounts and lists as each language writes them (CLDR data through Babel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency

from .phrases import module


def date(value: dt.date, lang: str) -> str:
    """1 December 2026 · 1 декабря 2026 г. · 1 grudnia 2026 · 1 decembrie 2026 · 1 בדצמבר 2026."""
    return format_date(value, "long", locale="en_GB" if lang == "en" else lang)


def money(amount: Decimal, currency: str, lang: str) -> str:
    """€1,234.50 · 1 234,50 € · 1.234,50 EUR — the currency's own number of decimals."""
    return format_currency(amount, currency, locale="en_GB" if lang == "en" else lang)


def items(values: list[str], lang: str) -> str:
    """A, B and C — in the language's own way of listing."""
    own = getattr(module(lang), "join", None)
    if own is not None:
        return own(list(values))
    return format_list(list(values), locale="en_GB" if lang == "en" else lang)
