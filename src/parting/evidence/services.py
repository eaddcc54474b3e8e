"""Writes to evidence that keep derived columns true."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, OuterRef

from .models import Invoice, Message, Payment

ZERO = Decimal("0")
BATCH = 2000


def settlement(due: Decimal, issued_on, payments: Iterable[tuple]) -> tuple[Decimal, object]:
    """``(amount_paid, paid_on)`` of an invoice with ``due`` (amount − discount given) from its
    payments, ``(paid_on, amount)`` in the order of their day (see ``settle_invoices``). The loader
    uses it to write a new invoice already settled, without reading it back."""
    total, settled = ZERO, None
    for paid_on, amount in payments:
        total += amount
        if settled is None and total >= due:
            settled = paid_on
        elif settled is not None and total < due:
            settled = None  # a refund reopened it
    if due <= 0:
        settled = issued_on if total >= due else None
    elif total < due:
        settled = None
    return total, settled


def settle_invoices(invoice_ids: Iterable[int]) -> int:
    """Recompute ``amount_paid`` and ``paid_on`` of these invoices from their payments (issue 10 §1).

    ``amount_paid`` is the sum of the payments (refunds negative); ``paid_on`` the day the running
    sum first covered the amount due (amount − discount given) — NULL when the payments do not
    cover it in the end, so a half-paid invoice stays unpaid for W7 and D10. A credit note (nothing
    due) is settled on the day it is issued. Two queries per batch of invoices and one bulk UPDATE,
    never a query per invoice. Returns how many invoices changed.
    """
    ids = sorted(set(invoice_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        payments: dict[int, list[tuple]] = defaultdict(list)
        for invoice_id, paid_on, amount in (
            Payment.objects.filter(invoice_id__in=chunk)
            .order_by("paid_on", "pk")
            .values_list("invoice_id", "paid_on", "amount")
        ):
            payments[invoice_id].append((paid_on, amount))
        updates = []
        for invoice in Invoice.objects.filter(pk__in=chunk).only(
            "pk", "amount", "discount_given", "issued_on", "amount_paid", "paid_on"
        ):
            total, settled = settlement(
                invoice.amount - invoice.discount_given, invoice.issued_on, payments.get(invoice.pk, ())
            )
            if (invoice.amount_paid, invoice.paid_on) != (total, settled):
                invoice.amount_paid, invoice.paid_on = total, settled
                updates.append(invoice)
        Invoice.objects.bulk_update(updates, ["amount_paid", "paid_on"], batch_size=500)
        changed += len(updates)
    return changed


def derive_to_senior(*, firm, client_ids: Iterable[int]) -> int:
    """W3 again for the imported messages of ``client_ids``, after their clients were given to
    someone else: a message from the client went past the assigned member when it was addressed to
    an owner or a partner (as they are now) who is not the member looking after the client. Only
    messages whose flag was worked out from their addresses change; one logged by hand keeps what
    the person who logged it said. Set-based: one UPDATE per member clients are assigned to (and one
    for clients with nobody), never one per message. Returns the number of messages updated."""
    from parting.clients.models import Client
    from parting.firms.models import Membership

    ids = set(client_ids)
    if not ids:
        return 0
    seniors = Membership.objects.filter(firm=firm, role__in=(Membership.Role.OWNER, Membership.Role.PARTNER)).values(
        "user_id"
    )
    addressed = Message.members_addressed.through.objects.filter(message_id=OuterRef("pk"), user_id__in=seniors)
    by_member: dict[int | None, list[int]] = defaultdict(list)
    for client_id, member in Client.objects.filter(firm=firm, pk__in=ids).values_list("id", "assigned_to_id"):
        by_member[member].append(client_id)
    updated = 0
    for member, clients in by_member.items():
        past = addressed.exclude(user_id=member) if member is not None else addressed
        messages = Message.objects.filter(firm=firm, client_id__in=clients, to_senior_from_addresses=True)
        updated += messages.exclude(direction=Message.Direction.INBOUND).update(to_senior=False)
        inbound = messages.filter(direction=Message.Direction.INBOUND)
        updated += inbound.filter(Exists(past)).update(to_senior=True)
        updated += inbound.exclude(Exists(past)).update(to_senior=False)
    return updated


EVIDENCE_AUDIT_ACTIONS = ("created", "changed", "deleted")


def evidence_audit(*, firm, actor, action: str, row, kind: str, fields: Iterable[str] = ()) -> None:
    """Record that a member created, changed or deleted a piece of evidence (issue 13 §5).

    ``row`` is a saved Invoice, Payment, Meeting, Message, ClientRequest, Incident or TimeEntry;
    ``kind`` the word the evidence pages use for it (``invoice``, ``request`` …). Call inside the
    transaction that writes ``row``, and for a deletion before ``row.delete()`` while
    it still has its id. The entry names the row and its client by id only, and a change by the names
    of the fields changed, not their values: evidence holds clients' personal data, which a purge
    removes, while the audit log is kept.
    """
    from parting.audit.services import audit_record  # evidence's own imports stay within evidence

    if action not in EVIDENCE_AUDIT_ACTIONS:
        raise ValueError(f"evidence_audit: action {action!r} is not one of {EVIDENCE_AUDIT_ACTIONS}")
    if row.firm_id != firm.pk or row.pk is None:
        raise ValueError("evidence_audit: the row must be a saved row of this firm")
    data: dict = {"client": row.client_id, "kind": kind}
    if action == "changed":
        data["fields"] = sorted(fields)
    audit_record(firm=firm, actor=actor, action=f"evidence.{action}", target=f"{kind}:{row.pk}", data=data)
