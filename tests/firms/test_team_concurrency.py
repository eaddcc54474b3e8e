"""Team changes at the same moment, from real threads with their own connections, on SQLite and
PostgreSQL (issue 15 §1): two owners demoting each other leave one owner, and two clicks on one
invitation link make one member."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from parting.audit.models import AuditEntry
from parting.firms import team
from parting.firms.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
Role = Membership.Role


@pytest.fixture(autouse=True)
def _file_database():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("the concurrency tests need a file database (tests/settings.py sets one)")


def run_at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = []
    errors: list = []

    def work(call):
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    first = MembershipFactory(user__username="ada")
    second = MembershipFactory(firm=first.firm, user__username="bob")
    results, errors = run_at_once(
        lambda: team.member_role_change(by=first, membership_id=second.pk, role=Role.STAFF),
        lambda: team.member_role_change(by=second, membership_id=first.pk, role=Role.STAFF),
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], team.TeamError), errors
    owners = Membership.objects.filter(firm=first.firm, role=Role.OWNER, is_active=True)
    assert owners.count() == 1
    assert AuditEntry.objects.filter(firm=first.firm, action=team.ROLE_CHANGED).count() == 1


def test_two_owners_deactivating_each_other_at_once_leave_one_active_owner():
    first = MembershipFactory(user__username="ada")
    second = MembershipFactory(firm=first.firm, user__username="bob")
    results, errors = run_at_once(
        lambda: team.member_deactivate(by=first, membership_id=second.pk),
        lambda: team.member_deactivate(by=second, membership_id=first.pk),
    )
    assert len(results) == 1 and len(errors) == 1, errors
    assert Membership.objects.filter(firm=first.firm, role=Role.OWNER, is_active=True).count() == 1


def test_two_clicks_on_one_invitation_make_one_member():
    owner = MembershipFactory()
    sent = team.invitation_create(by=owner, email="new@example.com", role=Role.STAFF, language="en")
    token = sent.url.rstrip("/").rsplit("/", 1)[-1]

    def accept(username):
        user = get_user_model()(username=username)
        user.set_password("a long and unguessable phrase")
        return team.invitation_accept(token=token, user=user)

    results, errors = run_at_once(lambda: accept("nina"), lambda: accept("nina2"))
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], team.InvitationRefused), errors
    assert errors[0].reason == "used"
    assert Membership.objects.filter(firm=owner.firm).count() == 2
    assert get_user_model().objects.filter(email="new@example.com").count() == 1
    assert AuditEntry.objects.filter(firm=owner.firm, action=team.JOINED).count() == 1
