"""Files kept for a client (issue 13 §1): what the client gave us, what we made, our accounting records.

The row holds what a member sees (the name as uploaded, cleaned), what was checked (size, content
type, SHA-256) and where the file is: a generated name in the "documents" storage, under the firm's
and the client's ids with a random part, so a member's file name is never a path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .storage import documents_storage


class Document(models.Model):
    class Category(models.TextChoices):
        PROVIDED = "provided", _("Provided by the client")
        WORK = "work", _("Our work product")
        ACCOUNTING = "accounting", _("Our accounting records")

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="documents")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), storage=documents_storage, max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("document")
        ordering = ["category", "-uploaded_at", "-id"]
        indexes = [models.Index(fields=["firm", "client", "category"])]

    def __str__(self) -> str:
        return self.name


class Bundle(models.Model):
    """One handover bundle of a client (issue 13 §2, O3, O4, O7): a ZIP in the "documents" storage with
    every document, the invoices and payments, the two handover PDFs, a README and a manifest; and
    the one link that shares it without an account (``documents/links.py``).

    ``status`` moves queued → building → ready (or failed) only by conditional UPDATEs
    (``documents/bundle.py``): two workers never build the same bundle. The link is the bundle's id and
    ``link_nonce`` signed with the secret key; revoking clears the nonce's validity (``link_revoked_at``),
    a new link draws a new nonce, so an old link stays refused."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Origin(models.TextChoices):
        HANDOVER = "handover", _("Handover at the end of a case")
        REQUEST = "request", _("The client asked for their data")

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="bundles")
    case = models.ForeignKey(
        "cases.OffboardingCase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # A data-subject request (issue 13 §3, GDPR Art. 15/20) is the same bundle with no case: the day the
    # client asked and how, kept on the row (which a purge removes) and by its hash in the audit log.
    origin = models.CharField(_("made for"), max_length=10, choices=Origin.choices, default=Origin.HANDOVER)
    requested_on = models.DateField(_("the client asked on"), null=True, blank=True)
    request_note = models.TextField(_("how the client asked"), blank=True)
    lang = models.CharField(_("language"), max_length=5)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)
    file = models.FileField(_("file"), storage=documents_storage, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    link_nonce = models.CharField(max_length=64, blank=True)
    link_expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    link_revoked_at = models.DateTimeField(_("link revoked"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    last_downloaded_at = models.DateTimeField(_("last downloaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("handover bundle")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["firm", "client"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"bundle {self.pk}"

    def link_live(self, now=None) -> bool:
        """Whether the link opens now: built, not revoked, not expired."""
        now = now or timezone.now()
        return (
            self.status == self.Status.READY
            and bool(self.link_nonce)
            and self.link_revoked_at is None
            and self.link_expires_at is not None
            and now < self.link_expires_at
        )
