"""The offboarding case: the decision to part with a client, its reasons, its review, its states."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OffboardingCase(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        NOTIFIED = "notified", _("Client notified")
        WINDING_DOWN = "winding_down", _("Winding down")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

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
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offboarding case")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["firm", "state"])]

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
