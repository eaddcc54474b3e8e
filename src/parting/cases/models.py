"""The offboarding case: the decision to part with a client, its reasons, its review, its states."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OffboardingCase(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        NOTIFIED = "notified", _("Client notified")
        WINDING_DOWN = "winding_down", _("Winding down")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # O5: the client's personal data was purged on the deletion date (parting.retention).
        PURGED = "purged", _("Purged")

    class OutwardReason(models.TextChoices):
        """What the client will hear (C6): general and positive, never blame."""

        CAPACITY = "capacity", _("Capacity / growth")
        FOCUS = "focus", _("Niche focus / new direction")
        TIME = "time", _("Cannot give the time their expectations need")
        FIT = "fit", _("Not a fit for our work")
        GENERAL = "general", _("General")

    class Outcome(models.TextChoices):
        PARTED = "parted", _("Parted")
        KEPT = "kept", _("Kept the client")
        TAKEN_OVER = "taken_over", _("A partner took the client over")

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="cases")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="cases")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    outward_reason = models.CharField(
        _("reason the client will hear"), max_length=20, choices=OutwardReason.choices, default=OutwardReason.GENERAL
    )
    attitude = models.BooleanField(
        _("the real reason is the client's attitude"),
        default=False,
        help_text=_("C10: then no referrals, only good wishes."),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    # D1: what the signs advised when the case was opened, and — when they advised keeping the
    # client — the opener's own words for opening it anyway.
    advice_at_open = models.CharField(_("advice when opened"), max_length=20, blank=True)
    against_advice = models.TextField(_("why open a case against the advice"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    # Decision checks answered by the user (D2, D3).
    expectations_managed_on = models.DateField(_("expectations discussed on"), null=True, blank=True)
    expectations_note = models.TextField(
        _("how the expectations were managed"),
        blank=True,
        help_text=_("D2: what you told the client you can and will do, and what came of it."),
    )
    confirmed_not_one_incident = models.BooleanField(
        _("this is more than one bad incident"),
        default=False,
        help_text=_("D3: confirm when the evidence alone does not show a pattern over weeks."),
    )

    # Set when the client is told (N1, O5, O9): the plan as told, which later changes do not rewrite.
    notified_on = models.DateField(_("client notified on"), null=True, blank=True)
    plan_told = models.JSONField(default=dict, blank=True)
    ended_on = models.DateField(_("service ended on"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offboarding case")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["firm", "state"])]
        constraints = [
            # One case under way per client, enforced by the database as well as by case_open.
            models.UniqueConstraint(
                fields=["client"],
                condition=~models.Q(state__in=["closed", "withdrawn", "purged"]),
                name="one_open_case_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.client}"


class CaseReason(models.Model):
    """One documented reason (D8): a sign with its evidence frozen when added, or a written reason."""

    case = models.ForeignKey(OffboardingCase, on_delete=models.CASCADE, related_name="reasons")
    sign_id = models.CharField(_("sign"), max_length=4, blank=True)
    text = models.TextField(_("reason"), blank=True)
    snapshot = models.JSONField(default=dict, blank=True)  # sign value, band, explanation, evidence rows
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.sign_id or self.text[:60]


class CaseReview(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        OBJECT = "object", _("Object")

    case = models.ForeignKey(OffboardingCase, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer}"


class CaseTransition(models.Model):
    """Append-only: every change of state, who made it and why."""

    case = models.ForeignKey(OffboardingCase, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=OffboardingCase.State.choices)
    to_state = models.CharField(max_length=20, choices=OffboardingCase.State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class CasePlan(models.Model):
    """What the user chose for the plan; every date and amount is computed from these and the rules
    (see :mod:`parting.cases.plan`). ``overrides`` holds computed values changed by hand, each with
    its reason: ``{"end_date": {"value": "2026-12-31", "reason": "…", "by": "olga", "at": "…"}}``."""

    class FixedTerm(models.TextChoices):
        HONOUR = "honour", _("Honour the contract to its end (N3)")
        END_EARLY = "end_early", _("End early and refund by work done (N4)")

    class RefundKind(models.TextChoices):
        REFUND = "refund", _("Refund")
        CREDIT = "credit", _("Credit note")

    case = models.OneToOneField(OffboardingCase, on_delete=models.CASCADE, related_name="plan")
    notice_date = models.DateField(
        _("notice date"), null=True, blank=True, help_text=_("When the client is told. Empty: today.")
    )
    fixed_term = models.CharField(
        _("fixed-term contract"), max_length=10, choices=FixedTerm.choices, default=FixedTerm.HONOUR
    )
    work_done_percent = models.DecimalField(
        _("work done (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("N4: share of the prepaid work done by the end date. Empty: the share of the term elapsed."),
    )
    refund_kind = models.CharField(
        _("return prepaid money as"), max_length=10, choices=RefundKind.choices, default=RefundKind.REFUND
    )
    support_days = models.PositiveSmallIntegerField(
        _("paid support after the end (days)"), default=0, help_text=_("O6: 0 for none.")
    )
    support_fee = models.DecimalField(
        _("fee for that support"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    successor_name = models.CharField(_("successor"), max_length=200, blank=True, help_text=_("O7: optional."))
    successor_contact = models.CharField(_("successor's contact"), max_length=200, blank=True)
    handover_note = models.TextField(_("handover note"), blank=True)
    overrides = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Plan of {self.case}"


class PlanChange(models.Model):
    """Append-only: a computed date or amount changed by hand, with the reason (and what it replaced)."""

    case = models.ForeignKey(OffboardingCase, on_delete=models.CASCADE, related_name="plan_changes")
    field = models.CharField(max_length=30)
    computed = models.CharField(max_length=40, blank=True)
    value = models.CharField(max_length=40, blank=True)  # empty: back to the computed value
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.computed} → {self.value or self.computed}"


class InvoiceWriteOff(models.Model):
    """D10: an unpaid invoice the firm gives up on, with the reason, so the case can move on."""

    case = models.ForeignKey(OffboardingCase, on_delete=models.CASCADE, related_name="write_offs")
    invoice = models.ForeignKey("evidence.Invoice", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "invoice"], name="write_off_once_per_invoice")]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.reason[:60]}"


class CaseTask(models.Model):
    """One step of the checklist (O1–O9, C1, C10, C11), generated from the plan and what the firm holds.

    Generated tasks are keyed by ``(kind, key)`` (e.g. ``("access", "12")`` for access grant 12) so that
    regenerating after a plan change adds, moves or drops tasks without duplicating them.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("a task's status", "Open")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Not needed")

    class Anchor(models.TextChoices):
        NOTICE = "notice", _("notice date")
        END = "end", _("end date")

    case = models.ForeignKey(OffboardingCase, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True)
    # What the title is made of when read (checklist.task_title): names and codes, never one language's
    # words — e.g. {"name": "Bank portal", "level": "admin"}; a member's own task: {"title": "…"}.
    params = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(_("required"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    anchor = models.CharField(max_length=10, choices=Anchor.choices, default=Anchor.END)
    offset_days = models.SmallIntegerField(default=0)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(_("notes"), blank=True)
    done_on = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Counts the changes members make (status, notes, owner): the checklist form sends back the version
    # it showed, so a task someone else changed meanwhile is not overwritten unseen.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "key"], name="task_once_per_case_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class ReferralProvider(models.Model):
    """Another provider the firm refers clients to (C10): matched by services, languages and region."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="referral_providers")
    name = models.CharField(_("name"), max_length=200)
    services = models.ManyToManyField(
        "firms.Service", blank=True, related_name="+", verbose_name=_("services they offer")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    countries = models.JSONField(
        _("countries they work in"),
        default=list,
        blank=True,
        help_text=_("ISO codes, e.g. GB, IE: a client in another country is not referred to them."),
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("referral provider")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["firm", "name"], name="provider_unique_name_per_firm")]

    def __str__(self) -> str:
        return self.name
