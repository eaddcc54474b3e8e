"""Tokens used and revoked at the same moment, from real threads with their own connections, on
SQLite and PostgreSQL (issue 15 §2): two clicks on "revoke" record one revocation, and requests in
the same minute all pass, and "last used" is written once a minute, not on every request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parting.api.models import AccessToken
from parting.api.tokens import token_authenticate, token_create, token_revoke
from parting.audit.models import AuditEntry
from tests.factories import MembershipFactory
from tests.firms.test_team_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _file_database():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("the concurrency tests need a file database (tests/settings.py sets one)")


def test_two_revocations_of_one_token_at_once_record_one():
    member = MembershipFactory()
    token, _secret = token_create(membership=member, name="CI", scope="write")
    results, errors = run_at_once(
        lambda: token_revoke(membership=member, pk=token.pk),
        lambda: token_revoke(membership=member, pk=token.pk),
    )
    assert not errors, errors
    assert sorted(results) == [False, True]
    assert AuditEntry.objects.filter(firm=member.firm, action="api.token_revoked").count() == 1
    assert AccessToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_token_revoked_while_requests_arrive_is_refused_by_every_later_request():
    member = MembershipFactory()
    token, secret = token_create(membership=member, name="CI", scope="write")
    _results, errors = run_at_once(
        lambda: token_revoke(membership=member, pk=token.pk),
        lambda: token_authenticate(secret) is not None,
        lambda: token_authenticate(secret) is not None,
    )
    assert not errors, errors
    assert token_authenticate(secret) is None  # whatever the order was, from now on: refused


def test_requests_at_once_all_pass_mark_the_token_used_and_the_next_in_that_minute_writes_nothing():
    member = MembershipFactory()
    token, secret = token_create(membership=member, name="CI", scope="read")
    stale = timezone.now() - dt.timedelta(hours=1)
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    results, errors = run_at_once(*(lambda: token_authenticate(secret) is not None for _ in range(4)))
    assert not errors and results == [True] * 4, errors
    used = AccessToken.objects.get(pk=token.pk).last_used_at
    assert used > stale
    with CaptureQueriesContext(connection) as queries:  # within the minute: read, no write
        assert token_authenticate(secret) is not None
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert AccessToken.objects.get(pk=token.pk).last_used_at == used
