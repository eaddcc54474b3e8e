"""Each event is queued by its real trigger, in the trigger's transaction (issue 15 §3): approving a
case through the service, sending its letter, purging a client, storing a score that crosses into
poor or into "consider parting". A change that rolls back queues nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from parting.cases.services import case_notify, case_review
from parting.letters.services import letter_generate, letter_send
from parting.retention import services as retention
from parting.retention.models import Tombstone
from parting.scores import alerts
from parting.scores.models import Snapshot
from parting.webhooks.models import Delivery
from tests.conftest import submitted_case
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


def queued(event: str) -> list[dict]:
    return [json.loads(body)["data"] for body in Delivery.objects.filter(event=event).values_list("body", flat=True)]


def test_approving_a_case_through_the_service_queues_one_case_approved(firm, endpoint, team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    case_review(case=case, by=team["partner"], decision="approve")
    assert case.state == "approved"
    assert queued("case.approved") == [{"case": case.pk, "client": client.pk}]
    assert Delivery.objects.count() == 1


def test_an_objection_approves_nothing_and_queues_nothing(firm, endpoint, team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    case_review(case=case, by=team["partner"], decision="object")
    assert not Delivery.objects.exists()


def test_an_approval_that_rolls_back_sends_nothing(firm, endpoint, team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        case_review(case=case, by=team["partner"], decision="approve")
        assert Delivery.objects.count() == 1  # queued in the approval's own transaction…
        raise Undone
    assert not Delivery.objects.exists()  # …and gone with it


def test_sending_the_letter_queues_letter_sent_without_the_clients_address(
    firm, endpoint, team, approved_case, mailoutbox
):
    staff = team["staff"]
    letter = letter_generate(case=approved_case, by=staff)
    case_notify(case=approved_case, by=staff, on=firm.today())
    sending = letter_send(letter=letter, by=staff, to="zofia@trouble.example", override_reason="tested")
    assert len(mailoutbox) == 1
    [data] = queued("letter.sent")
    assert data == {
        "letter": letter.pk,
        "case": approved_case.pk,
        "client": approved_case.client_id,
        "lang": letter.lang,
        "version": sending.version.number,
        "message_id": sending.message_id,
    }
    assert "zofia" not in Delivery.objects.get(event="letter.sent").body


def test_a_purge_queues_purge_done_with_the_tombstone_reference_and_no_personal_data(firm, endpoint, team):
    client = ClientFactory(firm=firm, name="Kasia Nowak Studio")
    ContactFactory(client=client, name="Kasia Nowak", email="kasia@nowak.example")
    retention.erasure_request(
        client=client, by=team["owner"], on=firm.today(), requested_on=firm.today(), reason="Asked by e-mail"
    )
    assert not Delivery.objects.filter(event="purge.done").exists()  # scheduled is not done
    [purged] = retention.purge_due()
    [data] = queued("purge.done")
    reference = Tombstone.objects.get(client=client).reference
    assert data["client"] == client.pk and data["reference"] == reference == purged.reference
    assert data["categories"] and set(data["categories"]) <= {"personal", "provided", "work", "accounting"}
    body = Delivery.objects.get(event="purge.done").body
    assert "Kasia" not in body and "nowak" not in body.lower()
    assert retention.purge_due() == []  # nothing more purged, nothing more queued
    assert Delivery.objects.filter(event="purge.done").count() == 1


def snap(client, day, *, bands=None, advice="keep", score=80) -> Snapshot:
    return Snapshot(
        firm_id=client.firm_id,
        client=client,
        day=day,
        computed_at=timezone.now(),
        policy_version="test",
        score=score,
        advice=advice,
        signs={sign: [1.0, band, 50, 50, 1] for sign, band in (bands or {}).items()},
    )


def test_storing_a_score_that_crosses_into_poor_and_consider_parting_queues_each_once(firm, endpoint):
    client = ClientFactory(firm=firm, name="Acme")
    today = firm.today()
    yesterday = today - dt.timedelta(days=1)
    snap(client, yesterday, bands={"W7": "concerning"}).save()
    rows = [snap(client, today, bands={"W7": "poor", "W4": "concerning"}, advice="consider_parting", score=31)]
    previous = alerts.previous_scores(firm, today)
    alerts.record_alerts(firm, today, rows, previous, now=timezone.now())
    assert queued("client.poor") == [{"client": client.pk, "sign": "W7", "value": 1.0, "day": today.isoformat()}]
    assert queued("client.consider_parting") == [{"client": client.pk, "score": 31, "day": today.isoformat()}]
    # The same day stored again (a second re-score, another worker): nothing new is queued.
    alerts.record_alerts(firm, today, rows, previous, now=timezone.now())
    assert Delivery.objects.count() == 2


def test_a_sign_that_stays_concerning_queues_nothing(firm, endpoint):
    client = ClientFactory(firm=firm, name="Acme")
    today = firm.today()
    previous = {client.pk: ("keep", {"W7": [1.0, "healthy"]}, [])}
    alerts.record_alerts(firm, today, [snap(client, today, bands={"W7": "concerning"})], previous, now=timezone.now())
    assert not Delivery.objects.exists()
