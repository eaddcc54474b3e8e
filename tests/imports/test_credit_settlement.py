"""An invoice settled partly without money (the customer's credit balance, an allocated credit note)
stays settled when the firm imports the payments too (issue 10 §1, D10, W7): the payments export
lists only the money, so the credited part is a payment of its own that loading the payments keeps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from parting.evidence.models import Invoice, Payment
from parting.imports.services import run_import
from tests.factories import ClientFactory

SAMPLES = Path(__file__).parent / "samples" / "money"
STRIPE_PAYMENT = (
    "id,Description,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Description,"
    "Customer Email,Captured,Invoice ID,Payment Source Type\r\n"
    "ch_3SaA1aKqW9xYz0Cr0001,Subscription update,2026-03-01 01:05,150.00,0.00,eur,Paid,cus_TbK4mNoPqRsT,"
    '"Kite, Surf & Co",finance@kite-surf.example,true,in_1SaA1aKqW9xYz0CrBa0001,card\r\n'
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kite(firm):
    return ClientFactory(firm=firm, name="Kite, Surf & Co")


def invoice(number: str) -> Invoice:
    return Invoice.objects.get(number=number)


def test_stripe_invoices_then_their_payments_leave_the_credit_settled_part_settled(firm, kite, tmp_path):
    result = run_import(firm=firm, by=None, kind="invoices", paths=[SAMPLES / "stripe_invoices_customer_credit.csv"])
    assert not result.problems
    first = invoice("5B1D7C2A-0031")
    assert (first.amount_paid, first.paid_on) == (Decimal("200.00"), dt.date(2026, 3, 1))
    origins = sorted(Payment.objects.filter(invoice=first).values_list("origin", "amount"))
    assert origins == [("credit", Decimal("50.00")), ("invoice", Decimal("150.00"))]

    payments = tmp_path / "unified_payments.csv"
    payments.write_bytes(STRIPE_PAYMENT.encode())
    result = run_import(firm=firm, by=None, kind="payments", paths=[payments])
    assert not result.problems
    first = invoice("5B1D7C2A-0031")
    origins = sorted(Payment.objects.filter(invoice=first).values_list("origin", "amount"))
    assert origins == [("credit", Decimal("50.00")), ("imported", Decimal("150.00"))]
    assert first.amount_paid == Decimal("200.00") and first.paid_on is not None  # nothing owed (D10)
    # Paid by credit alone, and the one with a credit note still owes what Stripe says it owes.
    assert invoice("5B1D7C2A-0032").paid_on == dt.date(2026, 3, 15)
    third = invoice("5B1D7C2A-0033")
    assert (third.amount_paid, third.paid_on) == (Decimal("100.00"), None)


def test_the_same_invoices_again_add_no_second_credit(firm, kite):
    path = SAMPLES / "stripe_invoices_customer_credit.csv"
    run_import(firm=firm, by=None, kind="invoices", paths=[path])
    before = sorted(Payment.objects.values_list("invoice__number", "origin", "amount"))
    run_import(firm=firm, by=None, kind="invoices", paths=[path])
    assert sorted(Payment.objects.values_list("invoice__number", "origin", "amount")) == before
