"""Cells of the dashboard's client table, written in Python: a page of 50 rows looped over each row's
top signs and dealbreakers in the template, about a hundred variable look-ups a row, and that loop
was most of the table's time (bench/pages.py). The HTML is the same as the template wrote."""

from __future__ import annotations

import hashlib

from django import template
from django.core.cache import caches
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from parting.web.templatetags.parting import band_class, band_word, rule_ref

register = template.Library()

ROW_SECONDS = 24 * 3600  # a day: a firm is scored at least daily, which gives its rows new content


@register.simple_tag
def client_row(result, currency):
    """One row of the dashboard's client table, rendered once per content and language (issue 12 §2).

    A row shows nothing but its stored score (the snapshot row), its trend, the firm's currency and the
    reader's language, and changes only when one of these does; the cache key is all of them, so a row
    is never served for content it was not rendered from, and a re-score, a renamed client or another
    language renders afresh. Rendering 50 rows through the template engine was most of the dashboard's
    time at a large firm (bench/pages.py)."""
    row = result.row
    key = (
        get_language(),
        currency,
        get_script_prefix(),
        row.pk,
        row.client_id,
        row.name,
        row.status,
        row.score,
        row.advice,
        str(row.revenue),
        row.revenue_share,
        str(row.effective_rate),
        row.signs,
        row.components,
        row.dealbreakers,
        [list(point) for point in result.trend],
    )
    digest = "row:" + hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
    cache = caches["rows"]
    html = cache.get(digest)
    if html is None:
        html = get_template("parting/_client_row.html").render({"r": result, "currency": currency})
        cache.set(digest, html, ROW_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped every value


@register.simple_tag
def sign_chips(result):
    """A stored score's top signs (at most three), each a chip that opens on its explanation and rule."""
    chips = [
        f'<details class="explain chip {band_class(s.band)}"><summary>{escape(s.id)} {escape(s.title)} · '
        f"{escape(band_word(s.band))}</summary><p>{escape(s.explanation)} ({rule_ref(s.id)})</p></details> "
        for s in result.top_signs
    ]
    return mark_safe("".join(chips) or '<span class="muted">—</span>')  # noqa: S308 - every value escaped


@register.simple_tag
def dealbreaker_flags(result):
    """A stored score's dealbreakers (D7), each a flag that opens on what the client did."""
    word = escape(gettext("dealbreaker"))
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<details class="explain"><summary class="flag">{word}</summary><p>{escape(d.text)}</p></details>'
            for d in result.dealbreakers
        )
    )
