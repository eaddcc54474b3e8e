"""The facts the warning signs are computed from. Each row belongs to one client of one firm.

The firm is stored on every row (not only reached through the client) so that every query is
scoped with one indexed column and the scorer's GROUP BY passes never join the clients table.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parting.firms.models import currency_code

money = {"max_digits": 12, "decimal_places": 2}


class Evidence(models.Model):
    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Invoice(Evidence):
    """W7 (late, chased), W9 (discounts asked), W8 (disputed), W11 (revenue).

    What was paid lives in Payment rows. ``amount_paid`` and ``paid_on`` are kept from them by
    ``parting.evidence.services.settle_invoices``: the sum of the payments, and the day they first
    covered the amount due (amount − discount given) — NULL while a balance remains, so an invoice
    paid by half is still unpaid for W7, D10 and the case's money. A credit note is an invoice with
    a negative amount; it is settled on the day it is issued.
    """

    number = models.CharField(_("number"), max_length=60)
    issued_on = models.DateField(_("issued"))
    due_on = models.DateField(_("due"))
    amount = models.DecimalField(_("amount"), **money, help_text=_("Taxes included; negative for a credit note."))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    fx_rate = models.DecimalField(
        _("rate to firm currency"),
        max_digits=12,
        decimal_places=6,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("1 when the invoice is in the firm's currency."),
    )
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    amount_paid = models.DecimalField(_("amount paid"), **money, default=Decimal("0"))
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    discount_requested = models.BooleanField(_("discount requested"), default=False)
    discount_given = models.DecimalField(
        _("discount given"), **money, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    disputed = models.BooleanField(_("disputed"), default=False)
    source_key = models.CharField(
        _("id in the export"), max_length=120, blank=True, editable=False, help_text=_("e.g. Stripe's in_… id")
    )

    class Meta:
        verbose_name = _("invoice")
        ordering = ["-issued_on"]
        indexes = [
            models.Index(fields=["firm", "client", "due_on"]),
            models.Index(fields=["firm", "issued_on"]),
            models.Index(fields=["firm", "source_key"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["firm", "number"], name="invoice_unique_number_per_firm"),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("issued_on")), name="invoice_due_after_issue"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        """What the client still owes on it (negative: paid too much, or a credit note)."""
        return self.amount - self.discount_given - self.amount_paid


class Payment(Evidence):
    """Money received for an invoice (W7, D10, N3): a client may pay in parts; a refund is negative.

    ``reference`` is the payment's id in the export it came from (empty for one logged by hand); the
    same reference is never loaded twice for a firm. ``origin`` tells a payment read from a payments
    export or logged by hand from one an invoice export only summarised ("invoice"): loading the
    payments themselves replaces such a summary. "credit" is the part an invoice export says was
    settled without money (an allocated credit note, the customer's credit balance): no payments
    export lists it, so loading the payments keeps it.
    """

    class Origin(models.TextChoices):
        LOGGED = "logged", _("Logged by hand")
        IMPORTED = "imported", _("Imported")
        INVOICE = "invoice", _("From the invoice's paid amount")
        CREDIT = "credit", _("Settled by a credit note or credit balance")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments", verbose_name=_("invoice"))
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **money, help_text=_("In the invoice's currency; negative for a refund."))
    method = models.CharField(_("method"), max_length=60, blank=True)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.LOGGED)

    class Meta:
        verbose_name = _("payment")
        ordering = ["-paid_on"]
        indexes = [models.Index(fields=["firm", "client", "paid_on"]), models.Index(fields=["invoice", "paid_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "reference"],
                condition=~models.Q(reference=""),
                name="payment_unique_reference_per_firm",
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="payment_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"


class Meeting(Evidence):
    """W4: cancellations at short notice, no-shows, late arrivals."""

    class Status(models.TextChoices):
        HELD = "held", _("Held")
        CANCELLED_BY_CLIENT = "cancelled_by_client", _("Cancelled by the client")
        CANCELLED_BY_US = "cancelled_by_us", _("Cancelled by us")
        NO_SHOW = "no_show", _("Client did not show up")

    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.HELD)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    minutes_late = models.PositiveSmallIntegerField(_("client's minutes late"), default=0)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    source_key = models.CharField(
        _("calendar id"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("UID and RECURRENCE-ID when imported."),
    )

    class Meta:
        verbose_name = _("meeting")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["firm", "client", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "source_key"], condition=~models.Q(source_key=""), name="meeting_unique_source_key"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Message(Evidence):
    """W2 (outside working hours), W3 (addressed to an owner or partner), W10 (negative tone)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone call")
        CHAT = "chat", _("Chat")
        SMS = "sms", _("Text message")
        OTHER = "other", _("Other")

    class Direction(models.TextChoices):
        INBOUND = "in", _("From the client")
        OUTBOUND = "out", _("To the client")

    sent_at = models.DateTimeField(_("sent at"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    to_senior = models.BooleanField(
        _("addressed to an owner or partner"),
        default=False,
        help_text=_("The client went past the assigned staff member (W3)."),
    )
    negative = models.BooleanField(_("negative tone"), default=False)
    # W3 from the addresses of an imported message: the members it was sent to (To and Cc), kept so
    # that ``to_senior`` can be worked out again when the client is given to someone else
    # (evidence.services.derive_to_senior). A message logged by hand says ``to_senior`` itself.
    members_addressed = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("members addressed")
    )
    to_senior_from_addresses = models.BooleanField(default=False, editable=False)
    in_reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies", verbose_name=_("in reply to")
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    source_key = models.CharField(_("Message-ID"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("message")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["firm", "client", "sent_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "source_key"], condition=~models.Q(source_key=""), name="message_unique_source_key"
            ),
        ]

    def __str__(self) -> str:
        return self.summary or f"{self.get_channel_display()} {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M}"


class ClientRequest(Evidence):
    """Something the firm asked the client to deliver (documents, answers, approvals): W1, W14."""

    description = models.CharField(_("what was asked"), max_length=300)
    requested_on = models.DateField(_("requested"))
    due_on = models.DateField(_("due"))
    received_on = models.DateField(_("received"), null=True, blank=True)
    source_key = models.CharField(_("import id"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("request to the client")
        verbose_name_plural = _("requests to the client")
        ordering = ["-due_on"]
        indexes = [models.Index(fields=["firm", "client", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "source_key"], condition=~models.Q(source_key=""), name="request_unique_source_key"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("requested_on")), name="request_due_after_requested"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Incident(Evidence):
    """A logged event: W5 rework, W13 scope creep, W6 expertise challenged, W8, W15, W9."""

    class Kind(models.TextChoices):
        REWORK = "rework", _("Rework after a client error")
        SCOPE_CREEP = "scope_creep", _("Free extra work / scope creep")
        EXPERTISE_CHALLENGED = "expertise_challenged", _("Expertise challenged")
        CONTRACT_IGNORED = "contract_ignored", _("Contract term ignored")
        DISRESPECT = "disrespect", _("Disrespect to staff")
        HAGGLING = "haggling", _("Price haggling")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    hours_lost = models.DecimalField(
        _("hours lost"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    note = models.TextField(_("note"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    source_key = models.CharField(_("import id"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("incident")
        ordering = ["-occurred_on"]
        indexes = [models.Index(fields=["firm", "client", "occurred_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "source_key"], condition=~models.Q(source_key=""), name="incident_unique_source_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class TimeEntry(Evidence):
    """Hours spent on the client: effort for W11 (effective rate) and W13 (share of unbilled extras)."""

    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("24"))],
    )
    billable = models.BooleanField(_("billable"), default=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    source_key = models.CharField(_("import id"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-date"]
        indexes = [models.Index(fields=["firm", "client", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "source_key"], condition=~models.Q(source_key=""), name="time_unique_source_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hours} h"
