"""/api/v1/cases: the case services behind the API refuse what they refuse on the pages (D8, D4)."""

import pytest

from parting.api.tokens import token_create
from parting.cases.models import OffboardingCase
from parting.cases.services import case_open
from parting.firms.models import Membership
from tests.api.conftest import Api
from tests.conftest import submitted_case


@pytest.fixture
def as_member(client):
    def make(user, scope="write"):
        _t, secret = token_create(membership=Membership.objects.get(user=user), name="t", scope=scope)
        return Api(client, secret)

    return make


def test_open_a_case_and_add_three_reasons_then_submit(as_member, team, client_in_trouble):
    client, incident = client_in_trouble
    api = as_member(team["staff"])
    opened = api.post(f"/clients/{client.pk}/case", {"outward_reason": "capacity"})
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    assert opened.json()["state"] == "draft"
    # D8: fewer than three reasons are refused by the service, as on the page.
    assert api.post(f"/cases/{case_id}/reasons", {"sign_id": "W7"}).status_code == 201
    refused = api.post(f"/cases/{case_id}/advance", {})
    assert refused.status_code == 409 and "D8" in refused.json()["detail"]
    assert api.post(f"/cases/{case_id}/reasons", {"sign_id": "W15"}).status_code == 201
    body = {"text": "Shouted at Ana", "evidence": [{"kind": "incident", "id": incident.pk}]}
    assert api.post(f"/cases/{case_id}/reasons", body).status_code == 201
    moved = api.post(f"/cases/{case_id}/advance", {})
    assert moved.status_code == 200, moved.content
    assert moved.json()["state"] == "in_review"


def test_a_reason_pointing_at_another_firms_evidence_is_refused(as_member, team, client_in_trouble, other_client):
    from tests.factories import IncidentFactory

    client, _incident = client_in_trouble
    theirs = IncidentFactory(client=other_client)
    case = case_open(client=client, by=team["staff"])
    response = as_member(team["staff"]).post(
        f"/cases/{case.pk}/reasons", {"text": "x", "evidence": [{"kind": "incident", "id": theirs.pk}]}
    )
    assert response.status_code == 409
    assert not case.reasons.exists()


def test_staff_cannot_approve_and_a_partner_can(as_member, team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    refused = as_member(team["staff"]).post(f"/cases/{case.pk}/review", {"decision": "approve"})
    assert refused.status_code == 409
    approved = as_member(team["partner"]).post(f"/cases/{case.pk}/review", {"decision": "approve"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"


def test_a_read_only_token_cannot_review(as_member, team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    response = as_member(team["partner"], scope="read").post(f"/cases/{case.pk}/review", {"decision": "approve"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == OffboardingCase.State.IN_REVIEW


def test_read_and_list_cases_and_another_firms_is_404(as_member, team, client_in_trouble, other_client):
    from tests.factories import MembershipFactory

    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    theirs = case_open(client=other_client, by=MembershipFactory(firm=other_client.firm).user,
                       against_advice="A pattern of late payments")  # fmt: skip
    api = as_member(team["owner"])
    read = api.get(f"/cases/{case.pk}").json()
    assert len(read["reasons"]) == 3 and read["transitions"][-1]["to_state"] == "in_review"
    assert [c["id"] for c in api.get("/cases").json()["items"]] == [case.pk]
    assert api.get("/cases", state="draft").json()["count"] == 0
    assert api.get(f"/cases/{theirs.pk}").status_code == 404
    assert api.post(f"/cases/{theirs.pk}/reasons", {"sign_id": "W7"}).status_code == 404
    assert api.post(f"/cases/{theirs.pk}/advance", {}).status_code == 404
    assert api.post(f"/cases/{theirs.pk}/review", {"decision": "object"}).status_code == 404
    assert api.post(f"/clients/{other_client.pk}/case", {}).status_code == 404


def test_cases_filter_by_the_day_opened(as_member, team, client_in_trouble):
    client, _incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    today = case.firm.today()
    api = as_member(team["owner"])
    assert api.get("/cases", **{"from": today.isoformat()}).json()["count"] == 1
    assert api.get("/cases", **{"to": (today.replace(day=1) if today.day > 1 else today).isoformat()}).json()[
        "count"
    ] == (1 if today.day == 1 else 0)


def test_withdraw_a_case(as_member, team, client_in_trouble):
    client, _incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    response = as_member(team["staff"]).post(f"/cases/{case.pk}/withdraw", {"note": "Talked it through"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "withdrawn"
