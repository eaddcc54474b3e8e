"""Delivery (issue 15 §3): signed so that the documented check accepts it, retried with backoff,
then failed; redirects refused; the status, answer and error kept on the delivery."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from parting.webhooks import delivery
from parting.webhooks.models import Delivery, Endpoint
from parting.webhooks.services import emit

from .conftest import documented_check

T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def test_a_delivered_event_is_signed_so_the_documented_check_accepts_it(firm, endpoint, receiver):
    emit(firm, "case.approved", {"case": 42, "client": 7})
    assert delivery.deliver_due() == {"delivered": 1}
    [got] = receiver.received
    assert got.verified
    row = Delivery.objects.get()
    assert got.headers["Parting-Webhook-Id"] == row.message_id
    assert got.headers["Content-Type"] == "application/json"
    assert json.loads(got.body) == {
        "id": row.message_id,
        "type": "case.approved",
        "created_at": row.created_at.isoformat(),
        "firm": firm.pk,
        "data": {"case": 42, "client": 7},
    }
    assert (row.state, row.attempts, row.last_status, row.last_response) == ("delivered", 1, 200, "ok")
    assert row.delivered_at is not None


def test_the_documented_check_refuses_a_wrong_secret_a_changed_body_and_an_old_timestamp(firm, endpoint, receiver):
    check = documented_check()
    emit(firm, "case.approved", {"case": 42, "client": 7})
    delivery.deliver_due()
    [got] = receiver.received
    assert check(endpoint.secret, got.headers, got.body)
    assert not check(endpoint.secret + "x", got.headers, got.body)
    assert not check(endpoint.secret, got.headers, got.body.replace(b"42", b"43"))
    stamp = int(got.headers["Parting-Webhook-Timestamp"])
    with time_machine.travel(dt.datetime.fromtimestamp(stamp + 299, dt.UTC), tick=False):
        assert check(endpoint.secret, got.headers, got.body)  # within five minutes
    with time_machine.travel(dt.datetime.fromtimestamp(stamp + 301, dt.UTC), tick=False):
        assert not check(endpoint.secret, got.headers, got.body)  # a replay, later


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body():
    # Independent of the code under test: the value Python's hmac gives for a known input.
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_k", b"msg_1.1796284800.{}", hashlib.sha256).hexdigest()
    assert delivery.signature("whsec_k", "msg_1", 1796284800, "{}") == "v1=" + expected


def test_a_failing_receiver_is_retried_after_1_then_5_minutes_then_marked_failed(settings, firm, endpoint, receiver):
    settings.PARTING_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.status, receiver.answer = 500, b"database down " * 500
    with time_machine.travel(T0, tick=False) as clock:
        emit(firm, "case.approved", {"case": 1, "client": 2})
        assert delivery.deliver_due() == {"pending": 1}
        row = Delivery.objects.get()
        assert (row.state, row.attempts, row.last_status) == ("pending", 1, 500)
        assert row.last_error == "HTTP 500"
        assert row.last_response.startswith("database down") and len(row.last_response) == delivery.RESPONSE_KEEP
        assert row.next_attempt_at == T0 + dt.timedelta(minutes=1)

        clock.move_to(T0 + dt.timedelta(seconds=59))
        assert delivery.deliver_due() == {}  # not yet due
        clock.move_to(T0 + dt.timedelta(minutes=1))
        assert delivery.deliver_due() == {"pending": 1}
        row.refresh_from_db()
        assert row.attempts == 2
        assert row.next_attempt_at == T0 + dt.timedelta(minutes=6)

        clock.move_to(T0 + dt.timedelta(minutes=6) - dt.timedelta(seconds=1))
        assert delivery.deliver_due() == {}
        clock.move_to(T0 + dt.timedelta(minutes=6))
        assert delivery.deliver_due() == {"failed": 1}  # the third attempt was the last
        clock.move_to(T0 + dt.timedelta(days=2))
        assert delivery.deliver_due() == {}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status) == ("failed", 3, 500)
    assert len(receiver.received) == 3
    assert len(set(receiver.ids())) == 1  # the same event id on every attempt, so receivers can skip repeats
    assert all(r.verified for r in receiver.received)  # each attempt signed with its own timestamp


def test_a_receiver_that_recovers_gets_the_event_on_the_retry(firm, endpoint, receiver):
    receiver.status = 503
    with time_machine.travel(T0, tick=False) as clock:
        emit(firm, "case.approved", {"case": 1, "client": 2})
        delivery.deliver_due()
        receiver.status = 204
        clock.move_to(T0 + dt.timedelta(minutes=1))
        assert delivery.deliver_due() == {"delivered": 1}
    row = Delivery.objects.get()
    assert (row.state, row.attempts, row.last_status, row.last_error) == ("delivered", 2, 204, "")


def test_backoff_grows_1_5_30_minutes_2_hours_then_12_hours():
    waits = [delivery.backoff(n) for n in range(1, 8)]
    minutes = [int(w.total_seconds() // 60) for w in waits]
    assert minutes == [1, 5, 30, 120, 720, 720, 720]


def test_a_redirect_is_refused_not_followed(firm, endpoint, receiver):
    receiver.status, receiver.location = 302, receiver.url + "/elsewhere"
    emit(firm, "case.approved", {"case": 1, "client": 2})
    assert delivery.deliver_due() == {"pending": 1}
    assert [r.path for r in receiver.received] == ["/hooks/parting"]  # never the new address
    row = Delivery.objects.get()
    assert row.last_status == 302
    assert "redirect" in row.last_error and "refused" in row.last_error


def test_a_receiver_that_is_not_listening_is_an_error_kept_on_the_delivery(firm, endpoint, receiver):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Endpoint.objects.filter(pk=endpoint.pk).update(url=f"http://127.0.0.1:{port}/")
    emit(firm, "case.approved", {"case": 1, "client": 2})
    assert delivery.deliver_due() == {"pending": 1}
    row = Delivery.objects.get()
    assert row.last_status is None and row.last_error  # e.g. "[Errno 111] Connection refused"


def test_an_inactive_endpoint_gets_no_new_event_and_its_waiting_ones_wait(firm, endpoint, receiver):
    emit(firm, "case.approved", {"case": 1, "client": 2})
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert emit(firm, "case.approved", {"case": 3, "client": 4}) == 0
    assert delivery.deliver_due() == {}
    Endpoint.objects.filter(pk=endpoint.pk).update(active=True)
    assert delivery.deliver_due() == {"delivered": 1}


def test_an_endpoint_gets_only_the_events_it_wants(firm, endpoint, receiver):
    Endpoint.objects.filter(pk=endpoint.pk).update(events=["letter.sent"])
    assert emit(firm, "case.approved", {"case": 1, "client": 2}) == 0
    assert emit(firm, "letter.sent", {"letter": 1, "case": 1, "client": 2}) == 1


def test_another_firms_event_never_reaches_this_firms_endpoint(firm, endpoint, receiver):
    from tests.factories import FirmFactory

    assert emit(FirmFactory(), "case.approved", {"case": 1, "client": 2}) == 0
    assert not Delivery.objects.exists()


def test_an_unknown_event_name_is_refused():
    with pytest.raises(ValueError, match="unknown webhook event"):
        emit(None, "case.aproved", {})


def test_a_delivery_left_sending_by_a_worker_that_died_is_sent_again_after_the_lease_not_before(
    firm, endpoint, receiver
):
    with time_machine.travel(T0, tick=False) as clock:
        emit(firm, "case.approved", {"case": 1, "client": 2})
        assert delivery.claim(T0, limit=10)  # claimed, then the worker died before sending
        clock.move_to(T0 + delivery.LEASE - dt.timedelta(seconds=1))
        assert delivery.deliver_due() == {}  # it may still be sending
        clock.move_to(T0 + delivery.LEASE + dt.timedelta(seconds=1))
        assert delivery.deliver_due() == {"delivered": 1}
    assert len(receiver.received) == 1
    assert Delivery.objects.get().attempts == 2  # the lost claim counts as an attempt


def test_a_late_worker_whose_claim_was_taken_over_records_nothing(firm, endpoint, receiver):
    emit(firm, "case.approved", {"case": 1, "client": 2})
    first = timezone.now()
    [pk] = delivery.claim(first, limit=10)
    later = first + delivery.LEASE + dt.timedelta(seconds=1)
    assert delivery.claim(later, limit=10) == [pk]  # another worker took it over
    receiver.status = 500
    delivery.deliver(pk, first)  # the first worker wakes up: its failure is not recorded
    row = Delivery.objects.get()
    assert (row.state, row.claimed_at, row.last_status) == ("sending", later, None)


def test_parting_worker_delivers_due_webhooks_among_its_jobs(firm, endpoint, receiver):
    from parting.core import jobs

    emit(firm, "case.approved", {"case": 1, "client": 2})
    reports = jobs.run_due_jobs()
    assert "deliver_webhooks: 1 delivered" in reports
    assert len(receiver.received) == 1 and receiver.received[0].verified


# -- the server's own network ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.20", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 - an address checked, not bound
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::5", False),
        ("::ffff:127.0.0.1", False),  # IPv4 loopback written as IPv6
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_count_as_public(address, public):
    assert delivery._public(address) is public


def test_a_receiver_on_the_servers_own_network_is_refused_unless_allowed(settings, firm, endpoint, receiver):
    """The receiver listens on 127.0.0.1: with private addresses not allowed (the default) nothing
    reaches it, and the delivery says why and what setting would allow it."""
    settings.PARTING_WEBHOOK_ALLOW_PRIVATE = False
    with time_machine.travel(T0, tick=False):
        emit(firm, "case.approved", {"case": 1, "client": 2})
        assert delivery.deliver_due() == {"pending": 1}
    row = Delivery.objects.get()
    assert row.last_status is None and "PARTING_WEBHOOK_ALLOW_PRIVATE" in row.last_error
    assert receiver.received == []
    settings.PARTING_WEBHOOK_ALLOW_PRIVATE = True
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        assert delivery.deliver_due() == {"delivered": 1}
    assert len(receiver.received) == 1
