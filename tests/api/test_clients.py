"""/api/v1/clients: the same form and rules as the client page, only the token's firm."""

from parting.clients.models import Client
from tests.factories import ClientFactory, ServiceFactory


def test_list_is_paged_and_only_this_firms(api, firm, other_client):
    for n in range(5):
        ClientFactory(firm=firm, name=f"C{n}")
    page = api.get("/clients", limit=2, offset=1).json()
    assert page["count"] == 5 and page["limit"] == 2 and page["offset"] == 1
    assert [c["name"] for c in page["items"]] == ["C1", "C2"]
    assert all(c["id"] != other_client.pk for c in api.get("/clients", limit=200).json()["items"])


def test_a_page_larger_than_the_maximum_is_refused_naming_limit(api, firm):
    response = api.get("/clients", limit=201)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
    assert api.get("/clients", limit=200).status_code == 200


def test_list_filters_by_status(api, firm):
    ClientFactory(firm=firm, name="A")
    ClientFactory(firm=firm, name="B", status=Client.Status.FORMER)
    names = [c["name"] for c in api.get("/clients", status="former").json()["items"]]
    assert names == ["B"]


def test_read_a_client_and_another_firms_is_404(api, firm, other_client):
    acme = ClientFactory(firm=firm, name="Acme")
    assert api.get(f"/clients/{acme.pk}").json()["name"] == "Acme"
    response = api.get(f"/clients/{other_client.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_create_a_client_with_the_firms_services(api, firm):
    service = ServiceFactory(firm=firm, name="Payroll")
    response = api.post("/clients", {"name": "New Co", "services": [service.pk], "payment_terms_days": 30})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["services"] == [service.pk] and body["payment_terms_days"] == 30
    assert Client.objects.get(pk=body["id"]).firm == firm


def test_create_refuses_another_firms_service_naming_the_field(api, firm, other_firm):
    theirs = ServiceFactory(firm=other_firm)
    response = api.post("/clients", {"name": "New Co", "services": [theirs.pk]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["services"]
    assert not Client.objects.filter(name="New Co").exists()


def test_create_refuses_a_duplicate_name(api, firm):
    ClientFactory(firm=firm, name="Acme")
    response = api.post("/clients", {"name": "acme"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


def test_update_changes_only_the_fields_given(api, firm):
    acme = ClientFactory(firm=firm, name="Acme", notice_days=30)
    response = api.patch(f"/clients/{acme.pk}", {"notes": "Prefers calls"})
    assert response.status_code == 200, response.content
    acme.refresh_from_db()
    assert (acme.name, acme.notice_days, acme.notes) == ("Acme", 30, "Prefers calls")


def test_update_of_another_firms_client_is_404(api, other_client):
    assert api.patch(f"/clients/{other_client.pk}", {"notes": "x"}).status_code == 404
    other_client.refresh_from_db()
    assert other_client.notes == ""


def test_contract_ending_before_it_starts_is_refused_on_contract_end(api, firm):
    response = api.post("/clients", {"name": "X", "contract_start": "2026-05-01", "contract_end": "2026-04-30"})
    assert response.status_code == 422
    assert "contract_end" in [e["field"] for e in response.json()["errors"]]
