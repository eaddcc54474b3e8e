"""The letter page says why each referral was chosen (C10) with the country and the language named in
the reader's language, not as codes."""

import pytest
from django.urls import reverse

from parting.cases.models import ReferralProvider
from parting.clients.models import Contact
from parting.firms.models import Membership


@pytest.mark.parametrize(("reader", "country", "language"), [("en", "Poland", "Polish"), ("pl", "Polska", "polski")])
def test_the_referral_panel_names_country_and_language_in_the_readers_language(
    letter_case, team, client, reader, country, language
):
    letter_case.client.country = "PL"
    letter_case.client.save()
    Contact.objects.filter(client=letter_case.client).update(language="pl")
    ReferralProvider.objects.filter(firm=letter_case.firm).update(countries=["PL"], languages=["pl"])
    Membership.objects.filter(user=team["staff"], firm=letter_case.firm).update(language=reader)
    client.force_login(team["staff"])
    page = client.get(reverse("case_letter", args=[letter_case.pk]) + "?lang=pl").content.decode()
    panel = page[page.index('id="referrals"') :]
    panel = panel[: panel.index("</section>")]
    assert country in panel and f"({language})" in panel
    assert "PL," not in panel and "(pl)" not in panel
