"""The import log and the column mappings a firm saves (issue 10 §2, §4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

KINDS = (
    ("invoices", _("Invoices")),
    ("payments", _("Payments")),
    ("clients", _("Clients")),
    ("contacts", _("Contacts")),
    ("calendar", _("Calendar (.ics)")),
    ("mail", _("Mail (mbox, .eml, maildir)")),
    ("time", _("Time entries")),
    ("meetings", _("Meetings (CSV)")),
    ("messages", _("Messages (CSV)")),
    ("requests", _("Requests to the client (CSV)")),
    ("incidents", _("Incidents (CSV)")),
    ("archive", _("A Parting export (.zip)")),
)


class ImportRun(models.Model):
    """One import, or one dry run: who, when, which file (name and SHA-256), what it did."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=KINDS)
    format = models.CharField(_("format"), max_length=40, blank=True)
    file_name = models.CharField(_("file"), max_length=300)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_path = models.CharField(max_length=500, blank=True, editable=False)  # the upload, while queued
    options = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent of the file read
    counts = models.JSONField(default=dict, blank=True)  # {kind: {"added": n, "changed": n, "unchanged": n, ...}}
    unmatched = models.JSONField(default=list, blank=True)  # [[name, records], ...]
    errors = models.JSONField(default=list, blank=True)  # [{"file", "line", "column", "reason"}, ...]
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["firm", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class ColumnMapping(models.Model):
    """Which of a file's columns holds which of our fields, saved per firm and kind (and format)."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=KINDS)
    format = models.CharField(_("format"), max_length=40, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict)
    date_order = models.CharField(_("date order"), max_length=3, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "kind", "format"], name="mapping_unique_per_firm_kind_format")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.format}".strip()


class ClientAlias(models.Model):
    """A name as an import writes it, mapped by the user to one of the firm's clients (issue 10 §3)."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    alias = models.CharField(_("name in the file"), max_length=200)  # normalised (matching.normalise_name)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["firm", "alias"], name="alias_unique_per_firm")]

    def __str__(self) -> str:
        return self.alias
