"""The shared template tags every page uses (issue 11): ``{% money %}`` writes an amount as the page's
language does, with thousands separators ("926122 EUR" was the complaint), and ``{% rule_ref %}``
links a rule id to its entry on the rules help page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from parting.web.templatetags.parting import band_word, money, rule_ref, score_chip

NBSP = "\u00a0"
RLM = "\u200f"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "€926,122.46"),
        ("pl", f"926{NBSP}122,46{NBSP}€"),
        ("ru", f"926{NBSP}122,46{NBSP}€"),
        ("ro", f"926.122,46{NBSP}EUR"),
        ("he", f"{RLM}926,122.46{NBSP}{RLM}€"),
    ],
)
def test_money_groups_thousands_as_the_page_language_does(lang, expected):
    with translation.override(lang):
        assert money(Decimal("926122.46"), "EUR") == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "€926,122"),
        ("pl", f"926{NBSP}122{NBSP}€"),
        ("ru", f"926{NBSP}122{NBSP}€"),
        ("ro", f"926.122{NBSP}EUR"),
        ("he", f"{RLM}926,122{NBSP}{RLM}€"),
    ],
)
def test_money_with_places_0_shows_whole_units_for_headline_figures(lang, expected):
    with translation.override(lang):
        assert money(Decimal("926122.46"), "EUR", 0) == expected


def test_money_with_places_0_rounds_to_the_nearest_unit():
    with translation.override("en"):
        assert money(Decimal("926122.49"), "EUR", 0) == "€926,122"
        assert money(Decimal("926122.51"), "EUR", 0) == "€926,123"


def test_money_keeps_the_currencys_own_decimals_by_default():
    with translation.override("en"):
        assert money(Decimal("1234"), "EUR") == "€1,234.00"
        assert money(Decimal("1234"), "JPY") == "JP¥1,234"


def test_money_below_a_thousand_has_no_separator():
    with translation.override("en"):
        assert money(Decimal("999.99"), "EUR") == "€999.99"
    with translation.override("pl"):
        assert money(Decimal("999.99"), "EUR") == f"999,99{NBSP}€"


def test_money_spaces_a_currency_code_from_the_digits_as_cldr_asks():
    """Babel writes "PLN926,122"; CLDR's currency spacing puts a no-break space between letters and digits."""
    with translation.override("en"):
        assert money(Decimal("926122"), "PLN", 0) == f"PLN{NBSP}926,122"
        assert money(Decimal("926122"), "CHF") == f"CHF{NBSP}926,122.00"
    with translation.override("ro"):
        assert money(Decimal("926122"), "PLN", 0) == f"926.122{NBSP}PLN"


def test_money_of_nothing_is_empty():
    with translation.override("en"):
        assert money(None, "EUR") == ""
        assert money("", "EUR") == ""
        assert money(0, "EUR") == "€0.00"


def test_money_tag_in_a_template_follows_the_active_language():
    template = Template('{% load parting %}{% money amount "EUR" 0 %}|{% money amount "EUR" %}')
    with translation.override("pl"):
        html = template.render(Context({"amount": Decimal("1500.5")}))
    assert html == f"1{NBSP}501{NBSP}€|1{NBSP}500,50{NBSP}€"


def test_rule_ref_links_the_id_to_its_entry_on_the_rules_page(db):
    assert str(rule_ref("O5")) == f'<a class="rule-ref" href="{reverse("rules")}#rule-O5">O5</a>'


def test_rule_ref_escapes_what_it_is_given():
    html = str(rule_ref('"><script>'))
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html


def test_money_rounds_half_up_as_an_invoice_does():
    """Babel alone rounds half to even: 0.5 would go down on one figure and up on the next."""
    with translation.override("en"):
        assert money(Decimal("1500.5"), "EUR", 0) == "€1,501"
        assert money(Decimal("2500.5"), "EUR", 0) == "€2,501"
        assert money(Decimal("0.125"), "EUR") == "€0.13"
        assert money(Decimal("-1500.5"), "EUR", 0) == "-€1,501"


@pytest.mark.parametrize(
    ("score", "band", "word"),
    [
        (70, "band-healthy", "healthy"),
        (69, "band-concerning", "concerning"),
        (30, "band-concerning", "concerning"),
        (29, "band-poor", "poor"),
        (None, "band-none", ""),
    ],
)
def test_score_chip_colours_and_names_the_band_each_side_of_its_limits(score, band, word):
    """The dashboard table's score: 70 and up healthy, 30–69 concerning, below 30 poor (signs.policy)."""
    with translation.override("en"):
        html = score_chip(score)
    assert f'<span class="score {band}">{score}</span>' in html
    assert html.endswith(f'<span class="band-word {band}">{word}</span>')


def test_band_word_is_written_in_the_page_language_for_a_band_or_its_css_class():
    from django.utils.translation import gettext

    with translation.override("pl"):
        expected = gettext("poor")
        assert band_word("poor") == band_word("band-poor") == expected
    assert expected != "poor"
    assert band_word("") == band_word(None) == ""
