import datetime as dt

import pytest

from tests.factories import ClientFactory, FirmFactory, MembershipFactory

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def firm(db):
    return FirmFactory()


@pytest.fixture
def client_row(firm):
    return ClientFactory(firm=firm, name="Acme")


@pytest.fixture
def owner(firm):
    return MembershipFactory(firm=firm, user__username="olga")
