import pytest
from django.core.cache import cache

from parting.api.tokens import token_create
from tests.factories import ClientFactory, FirmFactory, MembershipFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Throttling counts in the cache: every test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


class Api:
    """The test client with a token in the Authorization header, and JSON in and out."""

    def __init__(self, client, secret: str):
        self.client, self.secret = client, secret

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params, **self._headers())

    def post(self, path, data=None):
        return self.client.post("/api/v1" + path, data or {}, content_type="application/json", **self._headers())

    def patch(self, path, data=None):
        return self.client.patch("/api/v1" + path, data or {}, content_type="application/json", **self._headers())

    def delete(self, path):
        return self.client.delete("/api/v1" + path, **self._headers())


@pytest.fixture
def member(firm):
    return MembershipFactory(firm=firm, user__username="olga")


@pytest.fixture
def api(client, member):
    _token, secret = token_create(membership=member, name="script", scope="write")
    return Api(client, secret)


@pytest.fixture
def reader(client, member):
    _token, secret = token_create(membership=member, name="report", scope="read")
    return Api(client, secret)


@pytest.fixture
def other_firm(db):
    return FirmFactory(name="Other firm")


@pytest.fixture
def other_client(other_firm):
    return ClientFactory(firm=other_firm, name="Not yours")
