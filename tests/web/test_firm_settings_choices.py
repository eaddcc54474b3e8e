"""Firm settings (issue 11): the time zone and the currency are chosen from lists of valid values in
the member's language, not typed; a value from outside the list is refused on the field, a value from
it is saved. The time zone is the clock W2 reads working hours on."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from parting.firms.forms import currency_choices, time_zone_choices
from tests.factories import FirmFactory, MembershipFactory


@pytest.fixture
def owner(client, db):
    membership = MembershipFactory(firm=FirmFactory(name="Quiet Firm", time_zone="Europe/Warsaw", currency="EUR"))
    client.force_login(membership.user)
    return membership


def settings_data(firm, **changes) -> dict:
    data = {
        "name": firm.name,
        "time_zone": firm.time_zone,
        "currency": firm.currency,
        "target_hourly_rate": str(firm.target_hourly_rate),
        "paper": firm.paper,
        "days-TOTAL_FORMS": "0",
        "days-INITIAL_FORMS": "0",
    }
    return data | changes


def select_html(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', html, flags=re.DOTALL)
    assert match, f"no <select> for {name}"
    return match.group(0)


def option_label(select: str, value: str) -> str:
    match = re.search(rf'<option value="{re.escape(value)}"[^>]*>([^<]*)</option>', select)
    assert match, f"no option {value}"
    return match.group(1)


def set_language(membership, language):
    membership.language = language
    membership.save(update_fields=["language"])


def test_the_time_zone_and_currency_are_lists_with_the_firms_values_selected(client, owner):
    html = client.get(reverse("firm_settings")).content.decode()
    zones, currencies = select_html(html, "time_zone"), select_html(html, "currency")
    assert re.search(r'<option value="Europe/Warsaw" selected>', zones)
    assert re.search(r'<option value="EUR" selected>', currencies)
    assert '<optgroup label="Europe">' in zones
    assert option_label(zones, "Europe/Warsaw") == "Warsaw (Europe/Warsaw)"
    assert option_label(currencies, "PLN") == "PLN — Polish Zloty"


@pytest.mark.parametrize(
    ("language", "warsaw", "pln"),
    [
        ("pl", "Warszawa (Europe/Warsaw)", "PLN — złoty polski"),
        ("ru", "Варшава (Europe/Warsaw)", "PLN — польский злотый"),
        ("ro", "Varșovia (Europe/Warsaw)", "PLN — zlot"),
        ("he", "ורשה (Europe/Warsaw)", "PLN — זלוטי פולני"),
    ],
)
def test_choice_labels_follow_the_members_language(client, owner, language, warsaw, pln):
    set_language(owner, language)
    html = client.get(reverse("firm_settings")).content.decode()
    assert option_label(select_html(html, "time_zone"), "Europe/Warsaw") == warsaw
    assert option_label(select_html(html, "currency"), "PLN") == pln


def test_time_zones_are_every_canonical_zone_once_sorted_by_city_with_utc_first(db):
    import zoneinfo

    choices = time_zone_choices()
    assert choices[0] == ("UTC", "UTC")
    listed = [value for _area, zones in choices[1:] for value, _label in zones]
    assert len(listed) == len(set(listed))
    assert set(listed) <= zoneinfo.available_timezones()
    assert {"Europe/Warsaw", "Europe/Bucharest", "Europe/Moscow", "Asia/Jerusalem", "America/New_York"} <= set(listed)
    assert not {"US/Eastern", "Poland", "Etc/GMT+2"} & set(listed)  # aliases are left out
    for _area, zones in choices[1:]:
        labels = [label.casefold() for _value, label in zones]
        assert labels == sorted(labels)


def test_currencies_are_those_in_use_today_by_code(db):
    codes = [code for code, _label in currency_choices()]
    assert codes == sorted(codes)
    assert {"EUR", "USD", "PLN", "RON", "RUB", "ILS", "GBP", "JPY"} <= set(codes)
    assert not {"DEM", "FRF", "ROL"} & set(codes)  # replaced by the euro and the new leu


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/warsaw", "US/Eastern", ""])
def test_a_time_zone_not_in_the_list_is_refused_on_the_field(client, owner, zone):
    response = client.post(reverse("firm_settings"), settings_data(owner.firm, time_zone=zone))
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    owner.firm.refresh_from_db()
    assert owner.firm.time_zone == "Europe/Warsaw"


@pytest.mark.parametrize("currency", ["eur", "XYZ", "DEM", "EURO", ""])
def test_a_currency_not_in_the_list_is_refused_on_the_field(client, owner, currency):
    response = client.post(reverse("firm_settings"), settings_data(owner.firm, currency=currency))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "currency" in errors and "time_zone" not in errors
    owner.firm.refresh_from_db()
    assert owner.firm.currency == "EUR"


def test_the_refusal_names_the_field_on_the_page(client, owner):
    response = client.post(reverse("firm_settings"), settings_data(owner.firm, time_zone="Mars/Olympus"))
    assert "Mars/Olympus is not a known time zone, e.g. Europe/Warsaw." in response.content.decode()


def test_a_time_zone_and_currency_from_the_lists_are_saved(client, owner):
    data = settings_data(owner.firm, time_zone="America/Argentina/Buenos_Aires", currency="RON")
    response = client.post(reverse("firm_settings"), data)
    assert response.status_code == 302
    owner.firm.refresh_from_db()
    assert (owner.firm.time_zone, owner.firm.currency) == ("America/Argentina/Buenos_Aires", "RON")


def test_utc_is_a_choice(client, owner):
    assert client.post(reverse("firm_settings"), settings_data(owner.firm, time_zone="UTC")).status_code == 302
    owner.firm.refresh_from_db()
    assert owner.firm.time_zone == "UTC"


def test_a_firm_with_an_alias_set_from_the_command_line_can_still_save_its_settings(client, owner):
    """`parting firm create --time-zone US/Eastern` is valid; the page lists it for that firm only."""
    firm = owner.firm
    firm.time_zone = "US/Eastern"
    firm.save(update_fields=["time_zone"])
    html = client.get(reverse("firm_settings")).content.decode()
    assert re.search(r'<option value="US/Eastern" selected>', select_html(html, "time_zone"))
    response = client.post(reverse("firm_settings"), settings_data(firm, name="Renamed"))
    assert response.status_code == 302
    firm.refresh_from_db()
    assert (firm.name, firm.time_zone) == ("Renamed", "US/Eastern")
    other = MembershipFactory(firm=FirmFactory(time_zone="Europe/Warsaw"))
    client.force_login(other.user)
    assert 'value="US/Eastern"' not in client.get(reverse("firm_settings")).content.decode()


def test_saving_the_settings_is_in_the_audit_log_and_finishes_the_first_run_step(client, owner):
    """Saved settings are logged with the fields that changed; the first-run path then counts its
    settings step as done, even for a firm whose hours and rate are the defaults."""
    from parting.audit.models import AuditEntry
    from parting.web.first_run import SETTINGS_SAVED, first_run

    def settings_step_done():
        path = first_run(owner.firm)
        return path is None or path.steps[0].done

    owner.firm.target_hourly_rate = 80
    owner.firm.save()
    assert not settings_step_done()
    refused = client.post(reverse("firm_settings"), settings_data(owner.firm, currency="EURO"))
    assert refused.status_code == 200
    assert not AuditEntry.objects.filter(firm=owner.firm, action=SETTINGS_SAVED).exists()
    assert client.post(reverse("firm_settings"), settings_data(owner.firm, currency="RON")).status_code == 302
    entry = AuditEntry.objects.get(firm=owner.firm, action=SETTINGS_SAVED)
    assert entry.data == {"changed": ["currency"]}
    assert settings_step_done()
