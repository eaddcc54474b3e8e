"""Issue 10 §1, migrating existing data: what an invoice said was paid becomes a payment row, and an
invoice paid by half with a payment date no longer counts as paid (W7, D10)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("evidence", "0002_payments_and_import_keys")]
AFTER = [("evidence", "0003_payments_from_paid_invoices")]


def as_it_was(executor, node) -> list[tuple[str, str]]:
    """Every app at the migration it had when ``node`` was written (the latest of its ancestors in
    each app): a later migration of another app, say a new column on clients, would otherwise stay
    applied while the models used below know nothing of it."""
    latest = {}
    for app, name in executor.loader.graph.forwards_plan(node):  # in the order they apply
        latest[app] = (app, name)
    return list(latest.values())


@pytest.mark.django_db(transaction=True)
def test_existing_payments_become_rows_and_a_half_paid_invoice_keeps_its_balance():
    executor = MigrationExecutor(connection)
    if BEFORE[0] not in executor.loader.graph.nodes:
        pytest.skip("migrations are turned off (pytest --no-migrations, as make mutate runs the suite)")
    before = as_it_was(executor, BEFORE[0])
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Firm, Client, Invoice = (
        apps.get_model(*m) for m in (("firms", "Firm"), ("clients", "Client"), ("evidence", "Invoice"))
    )
    firm = Firm.objects.create(name="Old data", slug="old-data")
    client = Client.objects.create(firm=firm, name="Acme")
    day = dt.date(2026, 3, 1)
    common = {"firm": firm, "client": client, "issued_on": day, "due_on": day, "currency": "EUR"}
    Invoice.objects.create(number="FULL", amount=100, paid_on=dt.date(2026, 3, 5), amount_paid=100, **common)
    Invoice.objects.create(number="DATE-ONLY", amount=80, paid_on=dt.date(2026, 3, 6), **common)
    Invoice.objects.create(number="HALF", amount=200, paid_on=dt.date(2026, 3, 7), amount_paid=100, **common)
    Invoice.objects.create(number="OPEN", amount=50, **common)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Invoice, Payment = apps.get_model("evidence", "Invoice"), apps.get_model("evidence", "Payment")
    rows = {i.number: (i.paid_on, i.amount_paid) for i in Invoice.objects.filter(firm_id=firm.pk)}
    assert rows == {
        "FULL": (dt.date(2026, 3, 5), Decimal("100")),
        "DATE-ONLY": (dt.date(2026, 3, 6), Decimal("80")),
        "HALF": (None, Decimal("100")),
        "OPEN": (None, Decimal("0")),
    }
    payments = sorted((p.invoice.number, p.paid_on, p.amount) for p in Payment.objects.filter(firm_id=firm.pk))
    assert payments == [
        ("DATE-ONLY", dt.date(2026, 3, 6), Decimal("80")),
        ("FULL", dt.date(2026, 3, 5), Decimal("100")),
        ("HALF", dt.date(2026, 3, 7), Decimal("100")),
    ]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
