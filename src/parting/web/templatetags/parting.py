from __future__ import annotations

import copy
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

register = template.Library()

# The band words, as _band.html writes them; a filter, because a table of 50 rows would otherwise
# render the include hundreds of times (bench/pages.py).
BAND_WORDS = {
    "healthy": gettext_lazy("healthy"),
    "concerning": gettext_lazy("concerning"),
    "poor": gettext_lazy("poor"),
}

CURRENCY_SPACING = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")

BAND_CLASS = {"healthy": "band-healthy", "concerning": "band-concerning", "poor": "band-poor"}


@register.simple_tag
def sparkline(trend, width=96, height=24):
    """An inline SVG of a client's monthly fit score (0–100); no script needed.

    ``trend`` holds (month, score) or (month, score, back-filled) points: a back-filled point (a past
    month-end computed later, an estimate; issue 12 §3) is drawn as a hollow circle and the label
    says how many there are.
    """
    points = [(item[1], len(item) > 2 and bool(item[2])) for item in trend or []]
    if len(points) < 2:
        return ""
    step = width / (len(points) - 1)
    # Numbers only below, written with f-strings: format_html per point took most of a 50-row table's
    # sparklines (bench/pages.py); the one text, the label, is escaped.
    xy = [(f"{i * step:.1f}", f"{height - score / 100 * height:.1f}") for i, (score, _b) in enumerate(points)]
    line = " ".join(f"{x},{y}" for x, y in xy)
    marks = "".join(
        f'<circle class="backfilled" cx="{x}" cy="{y}" r="2" fill="none" stroke="currentColor"/>'
        for (x, y), (_s, backfilled) in zip(xy, points, strict=True)
        if backfilled
    )
    label = f"{points[0][0]} → {points[-1][0]}"
    estimated = sum(backfilled for _s, backfilled in points)
    if estimated:
        label = f"{label} ({backfilled_label(estimated)})"
    return mark_safe(  # noqa: S308 - numbers, and the label escaped
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}"><polyline fill="none" stroke="currentColor" stroke-width="1.5" '
        f'points="{line}"/>{marks}</svg>'
    )


def backfilled_label(n: int) -> str:
    return f"{gettext('back-filled')}: {n}"


@register.filter
def band_class(band):
    return BAND_CLASS.get(band or "", "band-none")


@register.filter
def score_band(score):
    if score is None:
        return "band-none"
    from parting.signs.policy import HEALTHY_SCORE, POOR_SCORE

    return "band-healthy" if score >= HEALTHY_SCORE else "band-concerning" if score >= POOR_SCORE else "band-poor"


@register.filter
def band_word(band):
    """ "healthy", "concerning" or "poor" in the reader's language, for a band or its CSS class."""
    word = BAND_WORDS.get((band or "").removeprefix("band-"))
    return str(word) if word is not None else ""


@register.simple_tag
def score_chip(score):
    """A fit score with its band word, coloured by band (what _score.html renders, as one tag)."""
    band = score_band(score)
    return format_html(
        '<span class="score {}">{}</span><span class="band-word {}">{}</span>', band, score, band, band_word(band)
    )


@register.filter
def number(value, digits=1):
    if value is None:
        return "—"
    rounded = round(float(value), int(digits))
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.{int(digits)}f}"


@register.filter
def client_status(code):
    from parting.clients.models import Client

    return dict(Client.Status.choices).get(code, code)


@register.filter
def verbose_name(row):
    return row._meta.verbose_name


@register.filter
def evidence_kind(kind):
    """The name of a kind of evidence ("invoice", "incident" …) in the reader's language."""
    from parting.cases.services import EVIDENCE_MODELS

    model = EVIDENCE_MODELS.get(kind)
    return model._meta.verbose_name if model else kind


@register.filter
def bdi(value):
    """A name isolated from the sentence around it (``<bdi>``), so "Baltic Amber sp. z o.o." keeps its
    full stop in a Hebrew heading. Escaped like any value; safe to pass into blocktranslate."""
    return format_html("<bdi>{}</bdi>", value)


@register.simple_tag
def rule_ref(code):
    """A rule id (W3, D4, O5 …) as a link to its entry on the rules help page (docs/rules.md)."""
    code = str(code)
    return format_html('<a class="rule-ref" href="{}#rule-{}">{}</a>', _rules_url(get_script_prefix()), code, code)


@lru_cache(maxsize=8)
def _rules_url(prefix: str) -> str:
    # One reverse() per script prefix: a table cites a rule on every sign of every row.
    return reverse("rules")


@lru_cache(maxsize=256)
def _currency_pattern(locale_name: str, currency: str, places: int | None):
    """The Babel locale and the currency pattern for a page's language, currency and decimals, parsed
    once: Locale.parse and the CLDR look-ups were half of what a money figure cost."""
    from babel import Locale
    from babel.numbers import get_currency_precision

    locale = Locale.parse(locale_name)
    digits = get_currency_precision(currency) if places is None else places
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return locale, pattern, Decimal(1).scaleb(-digits)


@register.simple_tag
def money(amount, currency, places=None):
    """An amount as the page's language writes it, with the currency: "€926,122.00" in English,
    "926 122,00 €" in Polish (CLDR through Babel, as in the letters). ``places=0`` rounds to whole
    units, for headline figures. Empty for a missing amount."""
    if amount is None or amount == "":
        return ""
    lang = (get_language() or "en").split("-")[0]
    locale, pattern, step = _currency_pattern("en_GB" if lang == "en" else lang, currency, _places(places))
    # Half up, as an invoice rounds (Babel alone rounds half to even: 1,500.50 would show as 1,500).
    value = Decimal(str(amount)).quantize(step, rounding=ROUND_HALF_UP)
    text = pattern.apply(value, locale, currency=currency, currency_digits=False)
    # CLDR's currency spacing, which Babel leaves out: a code made of letters next to a digit gets a
    # no-break space ("PLN 926,122", not "PLN926,122").
    return CURRENCY_SPACING.sub("\u00a0", text)


def _places(places) -> int | None:
    return None if places is None else int(places)
