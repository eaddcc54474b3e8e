"""Outgoing webhooks (issue 15 §3): a firm's endpoints and the deliveries queued for them.

A delivery row is written in the transaction of the change it reports (:func:`~.services.emit`), so a
change that rolls back sends nothing; the worker claims due rows by a conditional UPDATE and posts
them (``delivery.py``). The body is fixed when the row is written: every retry sends the same bytes
under the same id, signed afresh with the attempt's timestamp.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What an endpoint may subscribe to; ``ping`` is only ever sent by the page's test button.
EVENTS = {
    "client.poor": _("A client's warning sign turned poor"),
    "client.consider_parting": _("A client's advice moved to “Consider parting”"),
    "case.approved": _("A case was approved"),
    "letter.sent": _("A letter was sent"),
    "purge.done": _("A client's data was purged"),
}
PING = "ping"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    """A random signing secret (256 bits), prefixed so that it is recognisable in a config file."""
    return SECRET_PREFIX + secrets.token_hex(32)


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(12)


class Endpoint(models.Model):
    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("Description"), max_length=200, blank=True)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    events = models.JSONField(default=list)
    active = models.BooleanField(_("Active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    # Two workers storing the same day's scores report a crossing once: one row per endpoint and key.
    key = models.CharField(max_length=200)
    event = models.CharField(max_length=40)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "key"], name="webhook_delivery_once_per_key")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"
