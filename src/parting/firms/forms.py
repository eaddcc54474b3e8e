from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from babel.dates import get_timezone_location
from babel.numbers import get_currency_name, get_territory_currencies
from django import forms
from django.conf import settings
from django.forms import inlineformset_factory
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from parting.core import limits
from parting.core.requests import DB_INT_MAX, HiddenErrorsShown, OwnRowsFormSet, row_formfield

from .models import Firm, Membership, Service, WorkingDay

# The areas of the IANA time zone names, as the time zone list groups them. Other names in the database
# (US/Eastern, Etc/GMT+2, Poland …) are old aliases of these and are left out of the list.
TIME_ZONE_AREAS = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}


def _babel_locale() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def _time_zone_choices(locale: str) -> tuple:
    groups: dict[str, list[tuple[str, str]]] = {area: [] for area in TIME_ZONE_AREAS}
    for name in zoneinfo.available_timezones():
        area = name.split("/", 1)[0]
        if area in groups and "/" in name:
            city = get_timezone_location(name, locale=locale, return_city=True)
            groups[area].append((name, f"{city} ({name})"))
    by_area = tuple(
        (str(TIME_ZONE_AREAS[area]), tuple(sorted(zones, key=lambda zone: zone[1].casefold())))
        for area, zones in groups.items()
        if zones
    )
    return (("UTC", "UTC"), *by_area)


def time_zone_choices() -> tuple:
    """The time zones to choose from, grouped by area, each as the city in the reader's language and
    its IANA name ("Warszawa (Europe/Warsaw)"), sorted by city; UTC first."""
    return _time_zone_choices(_babel_locale())


@functools.lru_cache(maxsize=1)
def _currencies_in_use(year: int) -> frozenset[str]:
    from babel import Locale

    today = dt.date(year, 1, 1)
    return frozenset(
        code for territory in Locale("en").territories for code in get_territory_currencies(territory, today)
    )


@functools.lru_cache(maxsize=len(settings.LANGUAGES))
def _currency_choices(locale: str, year: int) -> tuple:
    return tuple(
        (code, f"{code} — {get_currency_name(code, locale=locale)}") for code in sorted(_currencies_in_use(year))
    )


def currency_choices() -> tuple:
    """The ISO 4217 currencies some country uses today (CLDR, through Babel), by code, each with its
    name in the reader's language ("PLN — złoty polski")."""
    return _currency_choices(_babel_locale(), dt.date.today().year)


def _with_current(choices: tuple, current: str, valid) -> tuple:
    """``choices``, plus the firm's current value when it is valid but not listed (an alias such as
    US/Eastern, set from the command line), so saving the page does not refuse what is already there."""
    listed = set()
    for value, label in choices:
        if isinstance(label, tuple):  # a group: (area, ((value, label), …))
            listed.update(member for member, _label in label)
        else:
            listed.add(value)
    if not current or current in listed or not valid(current):
        return choices
    return ((current, current), *choices)


class FirmForm(forms.ModelForm):
    new_services = forms.CharField(
        label=_("Add services"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, e.g. Payroll."),
    )

    class Meta:
        model = Firm
        fields = [
            "name",
            "time_zone",
            "currency",
            "target_hourly_rate",
            "focus_services",
            "letterhead",
            "email",
            "paper",
        ]
        widgets = {"focus_services": forms.CheckboxSelectMultiple}
        formfield_callback = row_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_lengths(self, {"letterhead": limits.LETTERHEAD, "new_services": limits.NEW_SERVICES})
        self.fields["focus_services"].queryset = Service.objects.filter(firm=self.instance)
        # Chosen from lists of valid values, not typed: "Europe/Warsaw" and "PLN" cannot be misspelt.
        zone, currency = self.instance.time_zone, self.instance.currency
        self.fields["time_zone"] = forms.ChoiceField(
            label=self.fields["time_zone"].label,
            choices=lambda: _with_current(time_zone_choices(), zone, zoneinfo.available_timezones().__contains__),
            help_text=_("Working hours (W2) and every date and time are read on this clock."),
            error_messages={"invalid_choice": _("%(value)s is not a known time zone, e.g. Europe/Warsaw.")},
        )
        self.fields["currency"] = forms.ChoiceField(
            label=self.fields["currency"].label,
            choices=lambda: _with_current(currency_choices(), currency, lambda code: len(code) == 3 and code.isupper()),
            help_text=_("The currency of the firm's target rate and of its headline figures."),
            error_messages={"invalid_choice": _("Use a three-letter ISO 4217 code such as EUR.")},
        )

    def clean_new_services(self):
        names = [line.strip() for line in self.cleaned_data["new_services"].splitlines() if line.strip()]
        for name in names:
            if len(name) > 120:
                raise forms.ValidationError(_("“%(name)s…” is longer than 120 characters.") % {"name": name[:30]})
        return names

    def save(self, commit=True):
        firm = super().save(commit)
        for name in self.cleaned_data["new_services"]:
            Service.objects.get_or_create(firm=firm, name=name)
        return firm


class WorkingDayForm(HiddenErrorsShown, forms.ModelForm):
    class Meta:
        model = WorkingDay
        fields = ["weekday", "starts", "ends"]
        widgets = {"starts": forms.TimeInput(attrs={"type": "time"}), "ends": forms.TimeInput(attrs={"type": "time"})}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if isinstance(starts, dt.time) and isinstance(ends, dt.time) and ends <= starts:
            self.add_error("ends", _("The working day must end after it starts."))
        return data


WorkingDayFormSet = inlineformset_factory(
    Firm,
    WorkingDay,
    form=WorkingDayForm,
    formset=OwnRowsFormSet,
    extra=2,
    max_num=7,
    absolute_max=7,
    validate_max=True,
    can_delete=True,
)


class InvitationForm(forms.Form):
    """An owner invites someone by e-mail, with a role and the language of the e-mail (issue 15 §1)."""

    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.STAFF)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        help_text=_("The e-mail is written in it, and it becomes the new member's language in Parting."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class FirmSwitchForm(forms.Form):
    firm = forms.IntegerField(min_value=1, max_value=DB_INT_MAX)
