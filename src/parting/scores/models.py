"""Stored scores (issue 12): what each client's score was on each day, and each firm's re-score state.

A snapshot is written for every client of a firm in one pass (:func:`parting.scores.services.snapshot_firm`),
so "the latest snapshot of a firm" is the set of rows of the firm's latest scored day: pages read
them with one indexed query instead of re-scoring the firm on every request.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # What the dashboard's table shows and sorts by, kept on the row so that a page of the table is read
    # from this table alone, in the order of an index (bench/pages.py): the client's name and status
    # (as the scorer read them; kept up to date by scores.services.snapshots_relabel), the name
    # lower-cased for sorting, and the score with "not enough evidence" ranked as 100.
    name = models.CharField(max_length=200, blank=True)
    name_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, blank=True)
    rank = models.PositiveSmallIntegerField(default=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="snapshot_once_per_client_day")]
        indexes = [
            # The latest snapshot of a firm: its rows on its latest day, ranked by score.
            models.Index(fields=["firm", "day", "score"], name="snapshot_firm_day_score"),
            # The dashboard table's default order (lowest score first, then name) and its reverse, so
            # a page of 50 rows is the next 50 entries of an index rather than a sort of the firm.
            models.Index(fields=["firm", "day", "rank", "name_key"], name="snapshot_table_by_score"),
            models.Index(fields=["firm", "day", "-rank", "name_key"], name="snapshot_table_by_score_desc"),
            models.Index(fields=["firm", "day", "name_key"], name="snapshot_table_by_name"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} on {self.day}: {self.score}"


class FirmSummary(models.Model):
    """What the dashboard shows of a firm's scored day, computed when that day's snapshots are written
    (issue 12 §2): the dashboard reads this row instead of aggregating 10,000 snapshot rows.

    Written in the same transaction as the day's snapshots, one upsert on (firm, day), so it is
    rewritten whenever they are. Every figure counts the firm's current clients (not former ones) as
    they stood when scored:

    * ``counts``: clients per advice (keep, talk first, consider parting, not enough evidence);
    * ``distribution``: clients with a score per tenth of the score (0–9, …, 90–100);
    * ``shortlist``: the ids of the first ``SHORTLIST`` clients advised to part, lowest score first;
    * ``effort_points`` / ``effort_bins``: the revenue-against-effort chart and its table;
    * ``total_revenue``: the revenue of the window.

    A row exists for every stored day of a firm, back-filled days too: the trend's days are read
    from here (one small query) rather than from the snapshot table's distinct days.
    """

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    computed_at = models.DateTimeField(null=True)
    complete = models.BooleanField(default=True)  # False: a day stored before summaries existed
    counts = models.JSONField(default=dict)
    distribution = models.JSONField(default=list)
    shortlist = models.JSONField(default=list)
    effort_points = models.JSONField(default=list)
    effort_bins = models.JSONField(default=list)
    total_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["firm", "day"], name="summary_once_per_firm_day")]

    def __str__(self) -> str:
        return f"summary of firm {self.firm_id} on {self.day}"


class Alert(models.Model):
    """A client crossed into trouble between two stored scores (issue 12 §3): a sign turned poor, a
    dealbreaker (D7) appeared, or the advice moved to "consider parting".

    Written by :func:`parting.scores.alerts.record_alerts` when a firm's scores are stored, compared
    with the firm's previous scored day. ``subject`` names what crossed (the sign id, a key of the
    dealbreaker rule, or nothing for the advice); the unique constraint makes the same crossing of the
    same client on the same day one row, however many workers store that day's scores.
    """

    class Kind(models.TextChoices):
        POOR_SIGN = "poor_sign", _("A sign turned poor")
        DEALBREAKER = "dealbreaker", _("A dealbreaker")
        CONSIDER_PARTING = "consider_parting", _("Advice moved to consider parting")

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="alerts")
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "subject", "day"], name="alert_once_per_client_day"),
        ]
        indexes = [models.Index(fields=["firm", "day"], name="alert_firm_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} of {self.client_id} on {self.day}"


class AlertSettings(models.Model):
    """A member's choices about alerts, kept here rather than on the membership: how often the digest
    e-mail comes (owners and partners only), and the newest alert they marked as seen."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly, on Mondays")
        OFF = "off", _("Never")

    membership = models.OneToOneField("firms.Membership", on_delete=models.CASCADE, related_name="alert_settings")
    frequency = models.CharField(
        _("alert digest e-mail"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    seen_up_to = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"alert settings of {self.membership_id}"


class Digest(models.Model):
    """One member's digest of one period: the row is the claim (unique per member and period), taken
    before the e-mail is sent and deleted again if sending fails, so every period is sent once."""

    membership = models.ForeignKey("firms.Membership", on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=10)
    period_start = models.DateField()
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    alerts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "frequency", "period_start"], name="digest_once_per_member_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest of {self.membership_id} from {self.period_start}"
