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
