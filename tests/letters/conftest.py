"""A case ready for its letter: approved, a primary contact, a referral provider that matches the
client's service and language, access to revoke, a login to hand back, current work and a prepaid sum."""

import datetime as dt
from decimal import Decimal

import pytest

from parting.cases.models import OffboardingCase, ReferralProvider
from parting.cases.services import case_review
from parting.clients.models import Credential, Engagement
from tests.conftest import submitted_case
from tests.factories import AccessGrantFactory, ContactFactory, ServiceFactory


def prepare(client, *, lang="en", address="feminine", name="Anna Kowalska"):
    firm = client.firm
    bookkeeping = ServiceFactory(firm=firm, name="Bookkeeping")
    client.services.add(bookkeeping)
    ContactFactory(client=client, name=name, language=lang, form_of_address=address, email="anna@example.com")
    provider = ReferralProvider.objects.create(
        firm=firm, name="Harbour Books", contact="hello@harbour.example", languages=[lang]
    )
    provider.services.add(bookkeeping)
    AccessGrantFactory(client=client, name="Xero Payroll")
    AccessGrantFactory(client=client, name="Starling Business")
    Credential.objects.create(client=client, name="HMRC gateway")
    Engagement.objects.create(client=client, name="Annual accounts 2026", due_on=firm.today() + dt.timedelta(days=5))


@pytest.fixture
def letter_case(team, client_in_trouble) -> OffboardingCase:
    client, incident = client_in_trouble
    prepare(client)
    case = submitted_case(client, team["staff"], incident, outward_reason=OffboardingCase.OutwardReason.CAPACITY)
    return case_review(case=case, by=team["partner"], decision="approve")


def with_prepaid(case, amount="1200.00"):
    client = case.client
    client.prepaid_amount = Decimal(amount)
    client.contract_start = case.firm.today() - dt.timedelta(days=180)
    client.contract_end = case.firm.today() + dt.timedelta(days=180)
    client.save()
    return case
