import datetime as dt

import pytest
from django.utils import timezone

from parting.cases.services import case_open, case_reason_add, case_review, case_submit
from parting.evidence.models import Incident
from tests.factories import ClientFactory, FirmFactory, IncidentFactory, InvoiceFactory, MembershipFactory

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


@pytest.fixture
def team(firm):
    return {
        "owner": MembershipFactory(firm=firm).user,
        "partner": MembershipFactory(firm=firm, partner=True).user,
        "staff": MembershipFactory(firm=firm, staff=True).user,
    }


@pytest.fixture
def client_in_trouble(firm):
    """Three invoices paid late over weeks (W7) and a disrespect incident (W15): a pattern, not one incident."""
    client = ClientFactory(firm=firm, name="Trouble Ltd")
    today = timezone.localdate()
    for n in range(3):
        InvoiceFactory(
            client=client,
            issued_on=today - dt.timedelta(days=80),
            due_on=today - dt.timedelta(days=60 - n),
            paid_on=today - dt.timedelta(days=10),
            amount_paid=1000,
        )
    incident = IncidentFactory(client=client, kind=Incident.Kind.DISRESPECT, occurred_on=today - dt.timedelta(days=5))
    return client, incident


def submitted_case(client, by, incident, **kwargs):
    case = case_open(client=client, by=by, **kwargs)
    case_reason_add(case=case, by=by, sign_id="W7")
    case_reason_add(case=case, by=by, sign_id="W15")
    case_reason_add(case=case, by=by, text="Shouted at Ana on the phone", evidence=[("incident", incident.pk)])
    return case_submit(case=case, by=by)


@pytest.fixture
def approved_case(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    return case_review(case=case, by=team["partner"], decision="approve")
