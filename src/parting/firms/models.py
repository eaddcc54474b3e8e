"""The firm, its members and its policy. Every other row in Parting belongs to exactly one firm."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone, e.g. Europe/Warsaw."), params={"value": value})


currency_code = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code such as EUR."))


class Firm(models.Model):
    class Paper(models.TextChoices):
        A4 = "a4", _("A4")
        LETTER = "us-letter", _("US Letter")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    currency = models.CharField(_("currency"), max_length=3, default="EUR", validators=[currency_code])
    target_hourly_rate = models.DecimalField(
        _("target hourly rate"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("80.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    focus_services = models.ManyToManyField(
        "firms.Service",
        blank=True,
        related_name="+",
        verbose_name=_("services the firm now focuses on"),
        help_text=_("Clients outside these services count toward W12 (no longer fits)."),
    )
    letterhead = models.TextField(
        _("letterhead"),
        blank=True,
        help_text=_("Address, phone, e-mail, registration number: the lines under the firm's name on letters."),
    )
    email = models.EmailField(_("e-mail for letters"), blank=True, help_text=_("Letters are sent from it."))
    paper = models.CharField(_("paper size"), max_length=10, choices=Paper.choices, default=Paper.A4)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("firm")

    def __str__(self) -> str:
        return self.name

    def today(self) -> dt.date:
        """Today on the firm's wall clock: dates in plans and checklists are the firm's dates."""
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.time_zone)).date()


class Service(models.Model):
    """A kind of work the firm offers (bookkeeping, payroll, web design …)."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("service")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["firm", "name"], name="service_unique_name_per_firm")]

    def __str__(self) -> str:
        return self.name


class WorkingDay(models.Model):
    """The firm's working hours on one weekday, in the firm's time zone (W2). No row: a day off."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="working_days")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("working day")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "weekday"], name="working_day_once_per_weekday"),
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")), name="working_day_starts_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        PARTNER = "partner", _("Partner")
        STAFF = "staff", _("Staff")

    # A person may belong to several firms, with a role in each (issue 15). The reverse name stays
    # "membership" so that ``membership__firm=firm`` lookups read as before: one row per firm.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="en")
    # A deactivated member keeps their history (cases, evidence, the audit log name them) but cannot
    # use the firm: FirmMiddleware does not pick an inactive membership.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        constraints = [models.UniqueConstraint(fields=["user", "firm"], name="one_membership_per_user_and_firm")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.firm})"

    @classmethod
    def active(cls, user, firm_id: int) -> Membership | None:
        """``user``'s membership of the firm, when it is active: the one lookup every authorization
        check starts from (a deactivated member, a member of another firm and no user at all get None)."""
        if user is None or not getattr(user, "pk", None):
            return None
        return cls.objects.filter(user=user, firm_id=firm_id, is_active=True).first()

    @property
    def is_senior(self) -> bool:
        """Owners and partners: the people a W3 client insists on talking to."""
        return self.role in {self.Role.OWNER, self.Role.PARTNER}


class Policy(models.Model):
    """How a firm scores its clients (W1–W15) and what it will not accept (D7).

    ``signs`` maps a sign id to overrides of the catalogue's defaults
    (``{"W7": {"weight": 3, "concerning": 20, "poor": 50, "enabled": true}}``); ``dealbreakers``
    is a list of rules, see :mod:`parting.signs.dealbreakers`. Defaults and reasoning: docs/scoring.md.
    """

    firm = models.OneToOneField(Firm, on_delete=models.CASCADE, related_name="policy")
    window_months = models.PositiveSmallIntegerField(
        _("window (months)"),
        default=12,
        validators=[MinValueValidator(1)],
        help_text=_("Signs read the evidence of the current month and this many months before it, minus one."),
    )
    signs = models.JSONField(_("sign settings"), default=dict, blank=True)
    dealbreakers = models.JSONField(_("dealbreakers"), default=list, blank=True)
    talk_below = models.PositiveSmallIntegerField(_("talk first below score"), default=70)
    part_below = models.PositiveSmallIntegerField(_("consider parting below score"), default=45)
    case_approvals = models.PositiveSmallIntegerField(
        _("approvals a case needs"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("D4: owners or partners other than the person who opened the case."),
    )
    cooling_off_hours = models.PositiveSmallIntegerField(
        _("cooling-off for a firm of one (hours)"),
        default=48,
        help_text=_("D3: with no one else to review, the owner approves their own case only after this long."),
    )
    # Notice, retention and records (N1, N2, O5): the defaults a case's plan is computed from.
    notice_days = models.PositiveSmallIntegerField(
        _("default notice (days)"),
        default=14,
        help_text=_("N1, N2: used when the client's contract sets no notice; about two weeks is usually enough."),
    )
    notice_business_days = models.BooleanField(
        _("count notice in working days"),
        default=False,
        help_text=_("Count only the firm's working days; otherwise calendar days."),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("keep client records after the end (days)"),
        default=30,
        help_text=_("O5: the client is told that all copies of their records are deleted this long after the end."),
    )
    accounting_retention_years = models.PositiveSmallIntegerField(
        _("keep accounting records (years)"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("The period the law requires, counted from the end of the year in which the service ended."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return f"Policy of {self.firm}"


class Invitation(models.Model):
    """An owner's invitation to join the firm, sent by e-mail as a signed link (firms/team.py).

    Single use: ``accepted_at`` is set by a conditional UPDATE, so two clicks cannot both accept.
    The link carries the row's id and ``nonce``; the row, not the link, says when it expires."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.STAFF)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="en")
    nonce = models.CharField(max_length=43)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()}, {self.firm})"
