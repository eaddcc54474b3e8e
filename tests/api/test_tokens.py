"""Access tokens: who may call the API, with what, and what the tokens page does (issue 15 §2)."""

import datetime as dt

import pytest
from django.utils import timezone

from parting.api.models import AccessToken
from parting.api.tokens import token_authenticate, token_create, token_revoke
from parting.audit.models import AuditEntry
from tests.factories import ClientFactory


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme")


def test_the_token_is_stored_only_as_its_sha256(member):
    token, secret = token_create(membership=member, name="n", scope="read")
    assert secret.startswith("prt_") and len(secret) == 52
    row = AccessToken.objects.get(pk=token.pk)
    assert secret not in (row.digest, row.prefix) and len(row.digest) == 64
    assert token_authenticate(secret).pk == token.pk


def test_a_token_with_one_character_changed_is_refused(member):
    _token, secret = token_create(membership=member, name="n", scope="read")
    wrong = secret[:-1] + ("a" if secret[-1] != "a" else "b")
    assert token_authenticate(wrong) is None


def test_no_token_is_401_as_problem_details(client, acme):
    response = client.get("/api/v1/clients")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_a_revoked_token_is_401(api, member, acme):
    assert api.get("/clients").status_code == 200
    token = AccessToken.objects.get(membership=member, scope="write")
    assert token_revoke(membership=member, pk=token.pk)
    assert api.get("/clients").status_code == 401


def test_an_expired_token_is_401_and_one_about_to_expire_works(client, member, acme):
    from tests.api.conftest import Api

    now = timezone.now()
    _t, dead = token_create(membership=member, name="old", scope="read", expires_at=now - dt.timedelta(seconds=1))
    _t, alive = token_create(membership=member, name="new", scope="read", expires_at=now + dt.timedelta(minutes=5))
    assert Api(client, dead).get("/clients").status_code == 401
    assert Api(client, alive).get("/clients").status_code == 200


def test_a_deactivated_members_token_is_401(api, member, acme):
    member.user.is_active = False
    member.user.save()
    assert api.get("/clients").status_code == 401


def test_a_deactivated_membership_token_is_401(api, member, acme):
    if not hasattr(member, "is_active"):
        pytest.skip("memberships are not deactivated on their own yet")
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    assert api.get("/clients").status_code == 401


def test_a_read_only_token_cannot_write(reader, acme):
    response = reader.post("/clients", {"name": "New"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not acme.firm.clients.filter(name="New").exists()


def test_last_used_is_written_at_most_once_a_minute(api, member, acme):
    token = AccessToken.objects.get(membership=member, scope="write")
    assert token.last_used_at is None
    api.get("/clients")
    first = AccessToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    api.get("/clients")
    assert AccessToken.objects.get(pk=token.pk).last_used_at == first
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(seconds=61))
    api.get("/clients")
    assert AccessToken.objects.get(pk=token.pk).last_used_at > first - dt.timedelta(seconds=1)


def test_tokens_page_shows_the_secret_once_and_audits(client, member):
    client.force_login(member.user)
    response = client.post("/account/tokens/", {"name": "nightly", "scope": "write"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("prt_") and secret in response.content.decode()
    page = client.get("/account/tokens/")
    assert secret not in page.content.decode() and "nightly" in page.content.decode()
    token = AccessToken.objects.get(membership=member)
    assert AuditEntry.objects.filter(action="api.token_created", target=f"token:{token.pk}").exists()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert AccessToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEntry.objects.filter(action="api.token_revoked", target=f"token:{token.pk}").count() == 1


def test_a_member_cannot_revoke_another_members_token(client, member, firm):
    from tests.factories import MembershipFactory

    other = MembershipFactory(firm=firm)
    token, _secret = token_create(membership=other, name="theirs", scope="read")
    client.force_login(member.user)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert AccessToken.objects.get(pk=token.pk).revoked_at is None


def test_tokens_page_refuses_an_expiry_today(client, member, firm):
    client.force_login(member.user)
    response = client.post("/account/tokens/", {"name": "n", "scope": "read", "expires_on": firm.today().isoformat()})
    assert response.context["form"].errors["expires_on"]
    assert not AccessToken.objects.exists()


def test_session_calls_need_csrf_and_token_calls_do_not(member, api, acme):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member.user)
    assert browser.get("/api/v1/clients").status_code == 200
    response = browser.post("/api/v1/clients", {"name": "Forged"}, content_type="application/json")
    assert response.status_code == 403
    assert api.post("/clients", {"name": "Scripted"}).status_code == 201


def test_docs_and_schema_are_for_members(client, member):
    assert client.get("/api/docs").status_code == 302
    assert client.get("/api/openapi.json").status_code == 302
    client.force_login(member.user)
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Parting API"


def test_too_many_requests_is_429_with_retry_after(api, acme, settings):
    settings.PARTING_API_RATE = "3/min"
    for _ in range(3):
        assert api.get("/clients").status_code == 200
    response = api.get("/clients")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1
