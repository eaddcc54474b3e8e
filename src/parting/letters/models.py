"""A case's letter (C1, O9): each text the user saw or wrote is a version, and each sending is kept
with its recipient, time and Message-ID, and the tone findings it was sent with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .phrases import LANGUAGES


class Letter(models.Model):
    """The follow-up letter of a case in one language; its text lives in its versions."""

    case = models.ForeignKey("cases.OffboardingCase", on_delete=models.CASCADE, related_name="letters")
    lang = models.CharField(_("language"), max_length=5, choices=[(code, code) for code in LANGUAGES])
    after_call = models.BooleanField(
        _("follows a call or meeting"),
        default=True,
        help_text=_("C1: tell the client in a call or meeting first; a letter alone is your explicit choice."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("letter")
        constraints = [models.UniqueConstraint(fields=["case", "lang"], name="one_letter_per_case_and_language")]

    def __str__(self) -> str:
        return f"{self.case} [{self.lang}]"

    @property
    def current(self) -> LetterVersion | None:
        return self.versions.order_by("-number").first()


class LetterVersion(models.Model):
    class Source(models.TextChoices):
        GENERATED = "generated", _("Generated from the case")
        EDITED = "edited", _("Edited")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    source = models.CharField(max_length=10, choices=Source.choices)
    # What the case said when this text was written from it (dates, money, referrals): the letter page
    # compares it with the case now and says when the text is out of date (O9).
    facts = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["letter", "number"], name="letter_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.letter} v{self.number}"


class LetterSending(models.Model):
    """One e-mail: to whom, when, its Message-ID, and any tone finding overridden (with the reason).

    Recorded as pending before the mail server is called and marked sent or failed after, so a letter
    that reached the client is never without its record, and a failure is kept too."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("a sending's status", "Sending")
        SENT = "sent", pgettext_lazy("a sending's status", "Sent")
        FAILED = "failed", pgettext_lazy("a sending's status", "Failed")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="sendings")
    version = models.ForeignKey(LetterVersion, on_delete=models.PROTECT, related_name="+")
    to = models.EmailField(_("to"), max_length=254)
    message_id = models.CharField(max_length=300)
    findings = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.letter} → {self.to}"
