"""The generic CSV columns of each kind of record: what the generic readers take without a mapping
and what ``parting export`` writes, so that an export imports back as it is (issue 10, §6).

Every reader also accepts these names case-insensitively; a saved mapping or ``--map FIELD=COLUMN``
maps our field names (the keys here) to other column names.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# fmt: off
GENERIC: dict[str, tuple[str, ...]] = {
    "clients": (
        "name", "status", "email", "contact", "phone", "language", "domains", "services",
        "referral_source", "referred_by", "client_since", "notes", "assigned_to",
    ),
    "contacts": ("client", "name", "email", "phone", "language", "form_of_address", "honorific", "is_primary"),
    "invoices": (
        "client", "client_email", "number", "issued_on", "due_on", "amount", "currency", "fx_rate",
        "amount_paid", "paid_on", "status", "discount_requested", "discount_given", "reminders_sent", "disputed",
        "id",
    ),
    "payments": ("client", "client_email", "id", "invoice_number", "paid_on", "amount", "currency", "method"),
    "meetings": (
        "client", "client_email", "uid", "starts_at", "ends_at", "status", "cancelled_at", "minutes_late", "subject",
    ),
    "messages": (
        "client", "client_email", "message_id", "sent_at", "channel", "direction", "to_senior", "negative",
        "in_reply_to", "summary",
    ),
    "requests": ("client", "client_email", "id", "description", "requested_on", "due_on", "received_on"),
    "incidents": ("client", "client_email", "id", "kind", "occurred_on", "hours_lost", "note"),
    "time": ("client", "client_email", "id", "date", "hours", "billable", "person", "project", "note"),
}
# fmt: on

MAPPABLE: dict[str, tuple[str, ...]] = {
    "invoices": ("amount_due", "type"),
    "payments": ("refunded", "status"),
}
"""Fields a mapping may name beyond the generic columns, for other tools' exports (``parting export``
does not write them): what an invoice still owes and the kind of a row (invoice, credit note, estimate
…); what was refunded on a payment's row and its status (failed, pending … are skipped)."""


def mappable(kind: str) -> tuple[str, ...]:
    """Every field a mapping may name for ``kind``: the generic columns, then the extra ones."""
    return GENERIC.get(kind, ()) + MAPPABLE.get(kind, ())


REQUIRED: dict[str, tuple[str, ...]] = {
    "clients": ("name",),
    "contacts": ("client", "name"),
    "invoices": ("number", "issued_on", "amount"),
    "payments": ("paid_on", "amount"),
    "meetings": ("starts_at", "ends_at"),
    "messages": ("sent_at",),
    "requests": ("description", "requested_on", "due_on"),
    "incidents": ("kind", "occurred_on"),
    "time": ("date", "hours"),
}
"""Fields a row cannot do without (records of evidence also need a client, by name or e-mail)."""

KIND_NAMES = {
    "clients": gettext_lazy("clients"),
    "contacts": gettext_lazy("contacts"),
    "invoices": gettext_lazy("invoices"),
    "payments": gettext_lazy("payments"),
    "meetings": gettext_lazy("meetings"),
    "messages": gettext_lazy("messages"),
    "requests": gettext_lazy("requests"),
    "incidents": gettext_lazy("incidents"),
    "time": gettext_lazy("time entries"),
}
"""Each kind as the problems name it ("this meetings file lacks …"): translated lazily, str() where formatted."""
