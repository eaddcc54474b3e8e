"""O5 with A1 and O8: a case whose client's data was purged has ended as surely as a closed one. The
partings page still counts what the parting gave back, and evidence that arrives for that former client
after the end is still flagged; a withdrawn case (the client stayed) is neither. Another firm's purged
case is never listed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from parting.cases.models import OffboardingCase
from parting.cases.selectors import former_client_evidence, partings
from parting.clients.models import Client
from tests.factories import (
    ClientFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MembershipFactory,
    TimeEntryFactory,
)

pytestmark = pytest.mark.django_db
State = OffboardingCase.State


@pytest.fixture
def firms(db):
    ours, theirs = FirmFactory(name="Ours"), FirmFactory(name="Theirs")
    return {
        "ours": ours,
        "theirs": theirs,
        "me": MembershipFactory(firm=ours, user__username="me").user,
        "them": MembershipFactory(firm=theirs, user__username="them").user,
    }


def ended_case(firm, by, state, name, ended_on, status=Client.Status.FORMER) -> OffboardingCase:
    client = ClientFactory(firm=firm, name=name, status=status)
    return OffboardingCase.objects.create(firm=firm, client=client, opened_by=by, state=state, ended_on=ended_on)


def test_a1_a_purged_case_still_counts_on_the_partings_page_a_withdrawn_one_does_not(firms, client):
    ours = firms["ours"]
    ended = ours.today() - dt.timedelta(days=10)
    month = ended.replace(day=1)
    closed = ended_case(ours, firms["me"], State.CLOSED, "Closed Co", ended)
    purged = ended_case(ours, firms["me"], State.PURGED, "P-3F09A1C2E4B7", ended - dt.timedelta(days=1))
    ended_case(ours, firms["me"], State.WITHDRAWN, "Stayed Co", ended, status=Client.Status.ACTIVE)
    ended_case(firms["theirs"], firms["them"], State.PURGED, "P-THEIRS00001", ended)
    # Accounting records outlive the purge (O5): the hours and revenue given up are still known.
    TimeEntryFactory(client=purged.client, date=month, hours=Decimal("24"))
    InvoiceFactory(client=purged.client, issued_on=month, amount=Decimal("1200"))
    rows = partings(firm=ours)
    assert [row.case for row in rows] == [closed, purged]
    assert (rows[1].hours_per_month, rows[1].revenue_per_month) == (Decimal("2.0"), Decimal("100.00"))

    client.force_login(firms["me"])
    page = client.get(reverse("partings")).content.decode()
    assert "P-3F09A1C2E4B7" in page and "Closed Co" in page
    assert "Stayed Co" not in page and "P-THEIRS00001" not in page


def test_o8_evidence_after_the_end_of_a_purged_case_is_still_flagged(firms):
    ours = firms["ours"]
    ended = ours.today() - dt.timedelta(days=20)
    purged = ended_case(ours, firms["me"], State.PURGED, "P-3F09A1C2E4B7", ended)
    withdrawn = ended_case(ours, firms["me"], State.WITHDRAWN, "Stayed Co", ended)
    theirs = ended_case(firms["theirs"], firms["them"], State.PURGED, "P-THEIRS00001", ended)
    IncidentFactory(client=purged.client, occurred_on=ended)  # the last day of service: not flagged
    late = IncidentFactory(client=purged.client, occurred_on=ended + dt.timedelta(days=1))
    IncidentFactory(client=withdrawn.client, occurred_on=ended + dt.timedelta(days=1))
    IncidentFactory(client=theirs.client, occurred_on=ended + dt.timedelta(days=1))
    assert [item["row"].pk for item in former_client_evidence(firm=ours)] == [late.pk]
