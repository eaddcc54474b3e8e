from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

BAND_CLASS = {"healthy": "band-healthy", "concerning": "band-concerning", "poor": "band-poor"}


@register.simple_tag
def sparkline(trend, width=96, height=24):
    """An inline SVG of a client's monthly fit score (0–100); no script needed."""
    scores = [score for _month, score in trend or []]
    if len(scores) < 2:
        return ""
    step = width / (len(scores) - 1)
    points = " ".join(f"{i * step:.1f},{height - score / 100 * height:.1f}" for i, score in enumerate(scores))
    label = " → ".join(str(s) for s in (scores[0], scores[-1]))
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{}"/></svg>',
        width,
        height,
        width,
        height,
        label,
        points,
    )


@register.filter
def band_class(band):
    return BAND_CLASS.get(band or "", "band-none")


@register.filter
def score_band(score):
    if score is None:
        return "band-none"
    return "band-healthy" if score >= 70 else "band-concerning" if score >= 30 else "band-poor"


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
