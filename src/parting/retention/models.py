"""Retention and purge (issue 13 §3, §4; DOMAIN.md O5): when each category of a client's data goes,
what a purge left behind, and the files still to be removed from storage.

A client's schedule is one row per category. A row is *scheduled* until the worker purges it, then
*purged*; the row itself stays, with the day it went and how many rows of each kind went with it.
The :class:`Tombstone` is what is left of the client: a random reference, dates and counts — never a
name. Entries in the audit log name the client by ``client:<id>`` and the tombstone's reference.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_reference() -> str:
    """A pseudonymous reference for a purged client: random, so it says nothing about who they were."""
    return "P-" + secrets.token_hex(6).upper()


class Tombstone(models.Model):
    """What remains of a client after the purge: nothing that names them (O5).

    Created when the client's purge is first scheduled, so the reference the audit log uses exists
    from the start; filled in as each category goes. ``lang`` is the language the certificate is
    written in (the primary contact's, read before the contacts went)."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="tombstone")
    reference = models.CharField(_("reference"), max_length=20, unique=True, default=new_reference)
    lang = models.CharField(max_length=5, default="en")
    ended_on = models.DateField(_("service ended on"), null=True, blank=True)
    personal_purged_at = models.DateTimeField(null=True, blank=True)
    accounting_purged_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # {category: {what: n}}
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    certificate_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("purged client")

    def __str__(self) -> str:
        return self.reference


class PurgeSchedule(models.Model):
    class Category(models.TextChoices):
        PERSONAL = "personal", _("Personal data")
        PROVIDED = "provided", _("Documents provided by the client")
        WORK = "work", _("Our work product")
        ACCOUNTING = "accounting", _("Accounting records")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("a purge's state", "Scheduled")
        PURGED = "purged", _("Purged")

    class Origin(models.TextChoices):
        CASE = "case", _("The case's deletion date")
        REQUEST = "request", _("The client's request for erasure")

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="purge_schedule")
    case = models.ForeignKey(
        "cases.OffboardingCase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("data"), max_length=20, choices=Category.choices)
    due_on = models.DateField(_("purge on"))
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.CASE)
    requested_on = models.DateField(_("request received on"), null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    warned_on = models.DateField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled purge")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"]), models.Index(fields=["firm", "state", "due_on"])]
        constraints = [models.UniqueConstraint(fields=["client", "category"], name="purge_once_per_client_category")]

    def __str__(self) -> str:
        return f"client:{self.client_id} {self.category} on {self.due_on}"


class Postponement(models.Model):
    """Append-only: a purge moved later, by whom and why. The reason is blanked when the client's
    personal data is purged (it may name them); the dates stay."""

    schedule = models.ForeignKey(PurgeSchedule, on_delete=models.CASCADE, related_name="postponements")
    from_date = models.DateField()
    to_date = models.DateField()
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_date} → {self.to_date}"


class PendingFileDeletion(models.Model):
    """A stored file whose row a purge deleted: removed after the purge commits, and retried by the
    worker until the storage confirms it is gone. The name is a generated path, never a client's."""

    storage = models.CharField(max_length=40, default="documents")
    name = models.CharField(max_length=255)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
