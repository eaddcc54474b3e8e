"""Clients, their contacts and contract terms, and the access the firm holds to their systems."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = settings.LANGUAGES


class ClientFacing(models.Model):
    """A row whose name enters the client's letter: beside the internal ``name`` the firm types for
    itself, ``client_names`` holds what the client reads, per letter language ({"pl": "Deklaracja VAT
    za listopad"}). One JSON field rather than a table of translations: there are five languages, the
    letter reads them with the row (no query per label) and the letter page fills one in place."""

    client_names = models.JSONField(
        _("name for the client, per language"),
        default=dict,
        blank=True,
        help_text=_("How the client's letter names it, in each language the letter may be written in."),
    )

    class Meta:
        abstract = True

    def name_for(self, lang: str) -> str:
        """The name the client reads in ``lang``: the client-facing one when given, else the internal name."""
        return (self.client_names or {}).get(lang, "").strip() or self.name


class Client(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        UNDER_REVIEW = "under_review", _("Under review")
        OFFBOARDING = "offboarding", _("Offboarding")
        FORMER = "former", _("Former")

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_clients",
        verbose_name=_("assigned staff member"),
    )
    started_on = models.DateField(_("client since"), null=True, blank=True)
    services = models.ManyToManyField("firms.Service", blank=True, related_name="clients", verbose_name=_("services"))

    # Contract terms (N1–N4): notice, fixed or open-ended term, payment terms, prepaid amount.
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(
        _("contract end"), null=True, blank=True, help_text=_("Leave empty for an open-ended contract.")
    )
    notice_days = models.PositiveIntegerField(_("notice (days)"), null=True, blank=True)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=14)
    prepaid_amount = models.DecimalField(
        _("amount prepaid"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    # Referral influence (D6): who brought this client to the firm.
    referred_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by client"),
    )
    referral_source = models.CharField(_("referral source"), max_length=200, blank=True)

    holds_stake = models.BooleanField(
        _("holds a stake in the firm"),
        default=False,
        help_text=_("D12: if the client owns part of your firm, seek professional advice before parting."),
    )
    notes = models.TextField(_("notes"), blank=True)
    number = models.CharField(
        _("client number"), max_length=40, blank=True, help_text=_("Your own reference; the letter's reference line.")
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO code, e.g. PL: referrals are matched to firms that work there."),
    )
    email_domains = models.CharField(
        _("e-mail domains"),
        max_length=300,
        blank=True,
        help_text=_(
            "The client's own domains, separated by spaces (e.g. acme.pl): imported mail and calendars are matched by them."
        ),
    )
    source_key = models.CharField(_("import id"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        ordering = ["name"]
        indexes = [models.Index(fields=["firm", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="client_unique_name_per_firm"),
            models.CheckConstraint(
                condition=models.Q(contract_end__isnull=True)
                | models.Q(contract_start__isnull=True)
                | models.Q(contract_end__gte=models.F("contract_start")),
                name="client_contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_fixed_term(self) -> bool:
        return self.contract_end is not None


class Contact(models.Model):
    class Address(models.TextChoices):
        """How letters address the contact: the gendered forms ru, pl, ro and he need, or neutral."""

        MASCULINE = "masculine", _("Formal, masculine (Mr …)")
        FEMININE = "feminine", _("Formal, feminine (Ms …)")
        NEUTRAL = "neutral", _("Formal, neutral")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES, default="en")
    form_of_address = models.CharField(
        _("form of address"), max_length=10, choices=Address.choices, default=Address.NEUTRAL
    )
    honorific = models.CharField(_("title"), max_length=40, blank=True, help_text=_("Optional, e.g. Dr."))
    is_primary = models.BooleanField(_("primary contact"), default=True)
    # The name as written in another script, for a letter in a language that writes in it: a Cyrillic or
    # Hebrew name in Latin letters ("Igor Sokolov"), and a Latin name in Cyrillic or Hebrew ("Игорь Баран").
    name_latin = models.CharField(
        _("name in Latin letters"), max_length=200, blank=True, help_text=_("For letters in en, pl and ro.")
    )
    name_cyrillic = models.CharField(
        _("name in Cyrillic letters"), max_length=200, blank=True, help_text=_("For letters in Russian.")
    )
    name_hebrew = models.CharField(
        _("name in Hebrew letters"), max_length=200, blank=True, help_text=_("For letters in Hebrew.")
    )

    class Meta:
        verbose_name = _("contact")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, lang: str) -> str:
        """The name as a letter in ``lang`` writes it: the name itself when it is in the letter's script,
        else its form in that script when one is given, else "" (the letter page warns, and the letter
        falls back to the name as typed)."""
        from .scripts import CYRILLIC, HEBREW, LATIN, SCRIPT_OF_LANGUAGE, fits_script

        if fits_script(self.name, lang):
            return self.name
        form = {LATIN: self.name_latin, CYRILLIC: self.name_cyrillic, HEBREW: self.name_hebrew}
        return form.get(SCRIPT_OF_LANGUAGE.get(lang, ""), "").strip()


class AccessGrant(ClientFacing):
    """Access the firm holds to one of the client's systems; each is revoked when parting (O2)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        PAYROLL = "payroll", _("Payroll")
        ACCOUNTING = "accounting", _("Accounting software")
        TAX = "tax", _("Tax authority portal")
        EMAIL = "email", _("E-mail")
        STORAGE = "storage", _("File storage")
        CODE = "code", _("Code repository")
        HOSTING = "hosting", _("Hosting or domain")
        SOCIAL = "social", _("Social media")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        VIEW = "view", _("View only")
        EDIT = "edit", _("Edit")
        ADMIN = "admin", _("Administrator")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="access_grants")
    name = models.CharField(_("system"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.VIEW)
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True, help_text=_("Internal: never in a letter."))

    class Meta:
        verbose_name = _("access grant")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()})"


class Engagement(ClientFacing):
    """Current work for the client with a due date: parting waits for it to finish (N2)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="engagements")
    name = models.CharField(_("work"), max_length=200)
    service = models.ForeignKey(
        "firms.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("service")
    )
    due_on = models.DateField(_("due"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("current work")
        verbose_name_plural = _("current work")
        ordering = ["due_on", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.due_on})"


class Credential(ClientFacing):
    """A login that belongs to the client and that the firm keeps for them, handed back at the end (O4).

    Only its name is stored, never the secret itself.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(
        _("login"), max_length=200, help_text=_("Its name only, e.g. “Domain registrar”; never the password.")
    )
    handed_back_on = models.DateField(_("handed back on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True, help_text=_("Internal: never in a letter."))

    class Meta:
        verbose_name = _("client's login we keep")
        verbose_name_plural = _("client's logins we keep")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
