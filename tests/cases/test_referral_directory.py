"""The referral directory takes a provider's countries (C10): typed as ISO 3166 codes, checked, shown by
name in the member's language, and used to keep a client in another country from being referred there."""

import pytest
from django.urls import reverse

from parting.cases.checklist import referral_matches
from parting.cases.forms import ReferralProviderForm
from parting.cases.models import ReferralProvider
from parting.firms.models import Membership
from tests.factories import ContactFactory, ServiceFactory


def form(firm, **data):
    return ReferralProviderForm({"name": "Harbour Books", "contact": "hello@harbour.example", **data}, firm=firm)


def test_a_providers_countries_are_typed_as_iso_codes_in_any_case_and_kept_once(firm):
    typed = form(firm, countries="gb, IE;  gb")
    assert typed.is_valid(), typed.errors
    assert typed.save().countries == ["GB", "IE"]


def test_a_provider_without_countries_works_anywhere(firm):
    typed = form(firm, countries="  ")
    assert typed.is_valid(), typed.errors
    assert typed.save().countries == []


@pytest.mark.parametrize("typed", ["UK", "GB, England", "EU", "XX"])
def test_a_code_that_is_no_country_is_refused_naming_the_field_and_the_code(firm, typed):
    bad = form(firm, countries=typed)
    assert not bad.is_valid()
    message = " ".join(bad.errors["countries"])
    assert message.startswith("Countries they work in:")
    assert f"“{typed.split(', ')[-1].upper()}”" in message
    assert not ReferralProvider.objects.exists()


def test_editing_a_provider_shows_its_countries_as_typed(firm):
    provider = ReferralProvider.objects.create(firm=firm, name="Harbour Books", countries=["GB", "IE"])
    assert 'value="GB, IE"' in str(ReferralProviderForm(instance=provider, firm=firm)["countries"])


@pytest.fixture
def member(team, client):
    client.force_login(team["owner"])
    return team["owner"]


def test_countries_entered_on_the_directory_page_keep_a_client_elsewhere_from_being_referred(
    member, client, approved_case
):
    service = ServiceFactory(firm=approved_case.firm, name="Bookkeeping")
    approved_case.client.services.add(service)
    approved_case.client.country = "PL"
    approved_case.client.save()
    ContactFactory(client=approved_case.client, name="Anna Nowak", language="en")
    response = client.post(
        reverse("referrals"),
        {"name": "Harbour Books", "services": [service.pk], "languages": ["en"], "countries": "gb, ie"},
    )
    assert response.status_code == 302
    assert ReferralProvider.objects.get(name="Harbour Books").countries == ["GB", "IE"]
    assert referral_matches(approved_case) == []  # a Polish client is not sent to a UK firm for its English
    approved_case.client.country = "IE"
    approved_case.client.save()
    assert [match.provider.name for match in referral_matches(approved_case)] == ["Harbour Books"]


def test_a_bad_code_on_the_directory_page_is_shown_beside_the_field_and_nothing_is_saved(member, client):
    response = client.post(reverse("referrals"), {"name": "Harbour Books", "countries": "UK"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Countries they work in: “UK” is not an ISO country code" in page
    assert not ReferralProvider.objects.exists()


@pytest.mark.parametrize(
    ("language", "names"), [("en", "United Kingdom (GB), Ireland (IE)"), ("pl", "Wielka Brytania (GB), Irlandia (IE)")]
)
def test_the_directory_shows_a_providers_countries_by_name_in_the_members_language(
    member, client, firm, language, names
):
    Membership.objects.filter(user=member, firm=firm).update(language=language)
    ReferralProvider.objects.create(firm=firm, name="Harbour Books", countries=["GB", "IE"])
    page = client.get(reverse("referrals")).content.decode()
    assert names in page


def test_the_directory_page_says_referrals_are_matched_by_country_too(member, client):
    page = client.get(reverse("referrals")).content.decode()
    assert "services and languages match" not in page
    assert "work in the client&#x27;s country" in page or "work in the client's country" in page
