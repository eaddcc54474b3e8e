"""An append-only, keyed hash chain of every consequential action, per firm.

Each entry stores the hash of the firm's previous entry and its own hash over its contents and that
previous hash; changing, inserting or deleting a row breaks the chain at that point, which
:func:`parting.audit.services.audit_check` reports. Entries written since issue 13 (``scheme`` 2)
are hashed with HMAC-SHA256 under a key kept outside the database (``parting.audit.keys``), so
someone who can only write to the database cannot recompute the chain after an edit; older entries
(``scheme`` 1) keep their plain SHA-256 and are checked as they were written.

Who acted is kept as it was at the time (``actor_ref``, ``actor_name``) and that is what the hash
covers: ``actor`` is only a link, emptied when the member's user is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    class Scheme(models.IntegerChoices):
        SHA256 = 1, "sha256"  # before issue 13: anyone with the rows can recompute it
        HMAC_SHA256 = 2, "hmac-sha256"  # keyed with the audit key file

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    # A link for reading, not part of the proof: SET_NULL when the user is deleted.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_ref = models.BigIntegerField(null=True)  # the actor's user id as recorded; never emptied
    actor_name = models.CharField(max_length=300, blank=True)  # the actor's name as written then
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=120)  # e.g. "case:12", "client:7": ids, never a client's name
    data = models.JSONField(default=dict)
    at = models.DateTimeField()
    scheme = models.PositiveSmallIntegerField(choices=Scheme.choices)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["firm", "id"]), models.Index(fields=["firm", "action", "id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"
