"""/api/v1/cases/{id}/letters: the letter written from the case and rendered in each format."""

import pytest

from parting.api.tokens import token_create
from parting.firms.models import Membership
from tests.api.conftest import Api


@pytest.fixture
def partner_api(client, team):
    _t, secret = token_create(membership=Membership.objects.get(user=team["partner"]), name="t", scope="write")
    return Api(client, secret)


def test_write_the_letter_then_download_it_in_every_format(partner_api, approved_case):
    written = partner_api.post(f"/cases/{approved_case.pk}/letters/pl")
    assert written.status_code == 200, written.content
    assert written.json()["lang"] == "pl" and written.json()["version"] == 1
    assert partner_api.get(f"/cases/{approved_case.pk}/letters/pl").json()["subject"] == written.json()["subject"]
    pdf = partner_api.get(f"/cases/{approved_case.pk}/letters/pl/file", format="pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = partner_api.get(f"/cases/{approved_case.pk}/letters/pl/file", format="docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    eml = partner_api.get(f"/cases/{approved_case.pk}/letters/pl/file", format="eml")
    assert eml.status_code == 200 and b"Subject:" in eml.content


def test_a_letter_not_written_yet_is_404(partner_api, approved_case):
    assert partner_api.get(f"/cases/{approved_case.pk}/letters/en").status_code == 404
    assert partner_api.get(f"/cases/{approved_case.pk}/letters/en/file").status_code == 404


def test_an_unknown_language_or_format_is_422(partner_api, approved_case):
    assert partner_api.post(f"/cases/{approved_case.pk}/letters/de").status_code == 422
    partner_api.post(f"/cases/{approved_case.pk}/letters/en")
    assert partner_api.get(f"/cases/{approved_case.pk}/letters/en/file", format="odt").status_code == 422


def test_a_withdrawn_case_gets_no_letter_409(client, team, client_in_trouble):
    from parting.cases.services import case_open, case_withdraw

    case = case_open(client=client_in_trouble[0], by=team["staff"])
    case_withdraw(case=case, by=team["staff"], note="kept")
    _t, secret = token_create(membership=Membership.objects.get(user=team["staff"]), name="t", scope="write")
    response = Api(client, secret).post(f"/cases/{case.pk}/letters/en")
    assert response.status_code == 409


def test_another_firms_case_letter_is_404(partner_api, other_client):
    from parting.cases.services import case_open
    from tests.factories import MembershipFactory

    theirs = case_open(client=other_client, by=MembershipFactory(firm=other_client.firm).user,
                       against_advice="A pattern")  # fmt: skip
    assert partner_api.post(f"/cases/{theirs.pk}/letters/en").status_code == 404
    assert partner_api.get(f"/cases/{theirs.pk}/letters/en/file").status_code == 404
