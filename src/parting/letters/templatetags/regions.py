"""``{% load regions %}``: ``{{ code|country_name }}`` and ``{{ code|language_name }}`` in the reader's
language (see :mod:`parting.letters.regions`)."""

from __future__ import annotations

from django import template

from parting.letters import regions

register = template.Library()


@register.filter
def country_name(code) -> str:
    return regions.country_name(str(code or ""))


@register.filter
def language_name(code) -> str:
    return regions.language_name(str(code or ""))


@register.filter
def country_names(codes) -> str:
    """A provider's countries: "United Kingdom (GB), Ireland (IE)" — the code beside the name, as it is typed."""
    return ", ".join(f"{regions.country_name(str(code))} ({str(code).upper()})" for code in codes or [])
