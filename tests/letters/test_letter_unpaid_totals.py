"""D10: unpaid invoices are totalled in their own currency — one total per currency when there are
several — never converted into the firm's currency: a client billed in PLN reads PLN."""

import datetime as dt
from decimal import Decimal

import pytest

from parting.letters import content, fmt
from tests.factories import InvoiceFactory

ISOLATES = str.maketrans("", "", "\u2066\u2069")


def body(case, lang, by):
    return content.letter_compose(case, lang, sender=by)[1].translate(ISOLATES)


def unpaid(case, number, amount, currency, *, days_ago, fx_rate="1"):
    client = case.client
    return InvoiceFactory(
        firm=client.firm,
        client=client,
        number=number,
        issued_on=case.firm.today() - dt.timedelta(days=days_ago),
        amount=Decimal(amount),
        currency=currency,
        fx_rate=Decimal(fx_rate),
    )


@pytest.mark.parametrize("lang", ["en", "pl", "he"])
def test_invoices_billed_in_zloty_are_totalled_in_zloty_not_in_the_firms_euros(letter_case, team, lang):
    assert letter_case.firm.currency == "EUR"
    unpaid(letter_case, "2026-0674", "2016.00", "PLN", days_ago=30, fx_rate="0.23")
    unpaid(letter_case, "2026-0675", "500.00", "PLN", days_ago=20, fx_rate="0.23")
    text = body(letter_case, lang, team["staff"])
    total = fmt.money(Decimal("2516.00"), "PLN", lang).translate(ISOLATES)
    converted = fmt.money(Decimal("578.68"), "EUR", lang).translate(ISOLATES)
    assert total in text
    assert converted not in text and "€" not in text


@pytest.mark.parametrize("lang", ["en", "ru", "pl", "ro", "he"])
def test_invoices_in_two_currencies_get_one_total_each_never_a_converted_sum(letter_case, team, lang):
    unpaid(letter_case, "2026-0674", "2016.00", "PLN", days_ago=30, fx_rate="0.23")
    unpaid(letter_case, "2026-0680", "300.00", "EUR", days_ago=25)
    unpaid(letter_case, "2026-0681", "200.00", "PLN", days_ago=20, fx_rate="0.23")
    text = body(letter_case, lang, team["staff"])
    totals = fmt.items(
        [fmt.money(Decimal("2216.00"), "PLN", lang), fmt.money(Decimal("300.00"), "EUR", lang)], lang
    ).translate(ISOLATES)
    assert totals in text  # "PLN 2,216.00 and €300.00" as the language lists them
    mixed = Decimal("2216.00") * Decimal("0.23") + Decimal("300.00")
    assert fmt.money(mixed.quantize(Decimal("0.01")), "EUR", lang).translate(ISOLATES) not in text
