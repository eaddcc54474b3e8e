"""Stored scores (issue 12): what each client's score was on each day, and each firm's re-score state.

A snapshot is written for every client of a firm in one pass (:func:`parting.scores.services.snapshot_firm`),
so "the latest snapshot of a firm" is the set of rows of the firm's latest scored day: pages read
them with one indexed query instead of re-scoring the firm on every request.
"""

from __future__ import annotations

from django.db import models


class ScoreState(models.Model):
    """One row per firm: when its scores were last computed and whether a re-score is waiting.

    ``requested_at`` is set (one UPDATE) whenever the firm's evidence or policy changes; the worker
    re-scores a firm once its latest request is a few seconds old (debounce) and clears the request
    only if no newer one came in meanwhile. ``claimed_at`` is the claim: a conditional UPDATE lets one
    worker (or page) score the firm while the others leave it.
    """

    firm = models.OneToOneField("firms.Firm", on_delete=models.CASCADE, related_name="score_state")
    requested_at = models.DateTimeField(null=True, blank=True)
    backfill_requested = models.BooleanField(default=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    scored_day = models.DateField(null=True, blank=True)
    policy_version = models.CharField(max_length=16, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"score state of firm {self.firm_id}"


class Snapshot(models.Model):
    """One client's score on one day (the firm's date), as computed then, under the policy then.

    ``signs`` maps a sign id to ``[value, band, subscore, percentile, weight]``; ``components`` keeps the
    non-zero counts the explanations are written from, so a page explains a stored score in the
    reader's language without reading the evidence. ``score`` is null when there was not enough
    evidence. ``backfilled`` marks a past month-end computed later from the records as they stood
    then and the policy of the day the back-fill ran: an estimate, shown as such.
    """

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    computed_at = models.DateTimeField()
    policy_version = models.CharField(max_length=16)
    score = models.PositiveSmallIntegerField(null=True)
    advice = models.CharField(max_length=20)
    lead = models.JSONField(null=True)
    dealbreakers = models.JSONField(default=list)
    signs = models.JSONField(default=dict)
    components = models.JSONField(default=dict)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    revenue_share = models.FloatField(default=0)
    hours = models.FloatField(default=0)
    effective_rate = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    referred = models.JSONField(default=list)
    referred_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    backfilled = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="snapshot_once_per_client_day")]
        indexes = [
            # The latest snapshot of a firm: its rows on its latest day, ranked by score.
            models.Index(fields=["firm", "day", "score"], name="snapshot_firm_day_score"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} on {self.day}: {self.score}"
