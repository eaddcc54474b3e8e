"""Cells of the dashboard's client table, written in Python: a page of 50 rows looped over each row's
top signs and dealbreakers in the template, about a hundred variable look-ups a row, and that loop
was most of the table's time (bench/pages.py). The HTML is the same as the template wrote."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from parting.web.templatetags.parting import band_class, band_word, rule_ref

register = template.Library()


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
