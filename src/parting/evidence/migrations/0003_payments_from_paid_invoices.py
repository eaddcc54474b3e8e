"""Issue 10 §1: what an invoice said was paid becomes a payment row, and paid_on becomes the day the
invoice was paid in full. An invoice with a payment date counted as paid even when half of it was:
after this migration it keeps its balance and counts as unpaid (W7, D10).

- paid_on set, amount_paid 0 → one payment of the amount due (amount − discount) on paid_on: the
  old form's way of saying "paid";
- amount_paid > 0 → one payment of amount_paid, on paid_on, else on the due date (the day is unknown);
- then paid_on is kept only where the payment covers the amount due.
"""

from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    Invoice = apps.get_model("evidence", "Invoice")
    Payment = apps.get_model("evidence", "Payment")
    batch = []
    for invoice in Invoice.objects.filter(amount_paid__gt=0) | Invoice.objects.filter(paid_on__isnull=False):
        due = invoice.amount - invoice.discount_given
        amount = invoice.amount_paid if invoice.amount_paid > 0 else due
        if amount <= 0:
            continue
        batch.append(
            Payment(
                firm_id=invoice.firm_id,
                client_id=invoice.client_id,
                invoice_id=invoice.pk,
                paid_on=invoice.paid_on or invoice.due_on,
                amount=amount,
                origin="invoice",
            )
        )
        invoice.amount_paid = amount
        if amount < due:
            invoice.paid_on = None
        invoice.save(update_fields=["amount_paid", "paid_on"])
    Payment.objects.bulk_create(batch, batch_size=1000)


def backwards(apps, schema_editor):
    Invoice = apps.get_model("evidence", "Invoice")
    Payment = apps.get_model("evidence", "Payment")
    for invoice in Invoice.objects.filter(amount_paid__gt=0, paid_on__isnull=True):
        last = Payment.objects.filter(invoice_id=invoice.pk).order_by("-paid_on").first()
        if last:
            invoice.paid_on = last.paid_on
            invoice.save(update_fields=["paid_on"])
    Payment.objects.all().delete()
    Invoice.objects.filter(amount__lt=Decimal("0")).update(amount=Decimal("0"))


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_payments_and_import_keys")]
    operations = [migrations.RunPython(forwards, backwards)]
