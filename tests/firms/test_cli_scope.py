"""The command line for a person in several firms (issue 15 §1): ``--user`` alone is refused when it
could mean two firms, ``--firm SLUG`` says which; a deactivated membership gives no firm; and
``parting firm add-member`` adds an existing account to a second firm."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parting.core.cli_scope import firm_for
from parting.firms.models import Membership
from tests.factories import FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat():
    first = MembershipFactory(user__username="pat", firm__slug="first")
    MembershipFactory(user=first.user, firm__slug="second", staff=True)
    return first.user


def test_a_user_in_two_firms_must_name_the_firm(pat):
    with pytest.raises(CommandError, match="several firms: say which with --firm"):
        firm_for("pat")


def test_the_named_firm_is_the_one_acted_in(pat):
    firm, membership = firm_for("pat", "second")
    assert firm.slug == "second" and membership.role == Membership.Role.STAFF


def test_a_firm_the_user_is_not_in_is_refused(pat):
    FirmFactory(slug="third")
    with pytest.raises(CommandError, match="not a member of the firm 'third'"):
        firm_for("pat", "third")


def test_a_deactivated_membership_gives_no_firm(pat):
    Membership.objects.filter(user=pat, firm__slug="second").update(is_active=False)
    assert firm_for("pat")[0].slug == "first"  # one active firm left: no --firm needed
    with pytest.raises(CommandError, match="not a member"):
        firm_for("pat", "second")


def test_the_score_command_takes_firm(pat):
    out = io.StringIO()
    call_command("score", "--user", "pat", "--firm", "second", "--json", stdout=out)
    assert out.getvalue().strip().startswith("[")


def test_add_member_adds_an_existing_account_to_a_second_firm():
    first = MembershipFactory(user__username="kim", firm__slug="first")
    FirmFactory(slug="second")
    out = io.StringIO()
    call_command("firm", "add-member", "--firm", "second", "--username", "kim", "--role", "partner", stdout=out)
    assert "with the password they already have" in out.getvalue()
    assert Membership.objects.get(user=first.user, firm__slug="second").role == Membership.Role.PARTNER
    with pytest.raises(CommandError, match="already a member"):
        call_command("firm", "add-member", "--firm", "second", "--username", "kim", stdout=io.StringIO())
