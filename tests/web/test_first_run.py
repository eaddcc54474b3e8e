"""The first-run path of a new firm (issue 11): working hours and target rate, then clients (imported or
typed), then evidence; each step done on the firm's own data, and the path gone once all are done."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parting.audit.services import audit_record
from parting.firms.models import Membership, WorkingDay
from parting.firms.services import firm_create
from parting.web.first_run import SETTINGS_SAVED, first_run
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MembershipFactory,
    MessageFactory,
    TimeEntryFactory,
)

pytestmark = pytest.mark.django_db

EVIDENCE = {
    "invoice": lambda client: InvoiceFactory(client=client, payments=False),
    "meeting": lambda client: MeetingFactory(client=client),
    "message": lambda client: MessageFactory(client=client),
    "request": lambda client: ClientRequestFactory(client=client),
    "incident": lambda client: IncidentFactory(client=client),
    "time": lambda client: TimeEntryFactory(client=client),
}


@pytest.fixture
def new_firm(db):
    """A firm as `parting firm create` makes it: default hours and rate, no clients, no evidence."""
    return firm_create(name="Fresh Start", time_zone="Europe/Warsaw")


def state(firm) -> dict[str, bool] | None:
    run = first_run(firm)
    return None if run is None else {step.key: step.done for step in run.steps}


def test_a_new_firm_has_every_step_open_in_order(new_firm):
    run = first_run(new_firm)
    assert [(step.key, step.done) for step in run.steps] == [
        ("settings", False),
        ("clients", False),
        ("evidence", False),
    ]
    assert (run.done_count, run.total) == (0, 3)
    assert run.first_client_id is None
    assert (run.target_hourly_rate, run.currency) == (Decimal("80.00"), "EUR")


@pytest.mark.parametrize(
    ("rate", "done"), [(Decimal("80.00"), False), (Decimal("80.01"), True), (Decimal("79.99"), True)]
)
def test_the_settings_step_is_done_once_the_target_rate_is_the_firms_own(new_firm, rate, done):
    new_firm.target_hourly_rate = rate
    new_firm.save()
    assert state(new_firm)["settings"] is done


@pytest.mark.parametrize(
    ("change", "done"),
    [
        (lambda firm: None, False),
        (lambda firm: WorkingDay.objects.filter(firm=firm, weekday=0).update(ends=dt.time(17, 30)), True),
        (lambda firm: WorkingDay.objects.filter(firm=firm, weekday=4).delete(), True),  # Fridays off
        (lambda firm: WorkingDay.objects.create(firm=firm, weekday=5, starts=dt.time(9), ends=dt.time(13)), True),
    ],
)
def test_the_settings_step_is_done_once_the_working_hours_are_the_firms_own(new_firm, change, done):
    change(new_firm)
    assert state(new_firm)["settings"] is done


def test_saving_the_firm_settings_with_the_default_values_also_finishes_the_step(new_firm):
    owner = MembershipFactory(firm=new_firm).user
    other = FirmFactory()
    audit_record(firm=other, actor=None, action=SETTINGS_SAVED, target=f"firm:{other.pk}")
    assert state(new_firm)["settings"] is False  # another firm's save does not count
    audit_record(firm=new_firm, actor=owner, action="case.opened", target="case:1")
    assert state(new_firm)["settings"] is False  # nor does some other entry of this firm
    audit_record(firm=new_firm, actor=owner, action=SETTINGS_SAVED, target=f"firm:{new_firm.pk}")
    assert state(new_firm)["settings"] is True


def test_the_clients_step_counts_only_this_firms_clients(new_firm):
    ClientFactory(name="Someone else's")  # another firm
    assert state(new_firm)["clients"] is False
    acme = ClientFactory(firm=new_firm, name="Acme")
    ClientFactory(firm=new_firm, name="Zeta")
    run = first_run(new_firm)
    assert run.step("clients").done is True
    assert run.first_client_id == acme.pk  # the first by name: where to log evidence by hand


@pytest.mark.parametrize("kind", sorted(EVIDENCE))  # a payment always comes with its invoice
def test_the_evidence_step_is_done_by_any_kind_of_evidence(new_firm, kind):
    acme = ClientFactory(firm=new_firm)
    assert state(new_firm)["evidence"] is False
    EVIDENCE[kind](acme)
    assert state(new_firm)["evidence"] is True


def test_another_firms_evidence_does_not_finish_the_step(new_firm):
    theirs = ClientFactory()
    for make in EVIDENCE.values():
        make(theirs)
    ClientFactory(firm=new_firm)
    assert state(new_firm)["evidence"] is False


def test_with_every_step_done_the_path_is_gone(new_firm):
    new_firm.target_hourly_rate = Decimal("95")
    new_firm.save()
    acme = ClientFactory(firm=new_firm)
    assert state(new_firm) == {"settings": True, "clients": True, "evidence": False}
    IncidentFactory(client=acme)
    assert first_run(new_firm) is None


def test_the_path_costs_two_queries_however_big_the_firm(new_firm):
    for n in range(5):
        TimeEntryFactory(client=ClientFactory(firm=new_firm, name=f"Client {n}"))
    with CaptureQueriesContext(connection) as queries:
        first_run(new_firm)
    assert len(queries) <= 2


def render(run, role=Membership.Role.OWNER) -> str:
    membership = MembershipFactory.build(role=role)
    return re.sub(
        r"\s+", " ", render_to_string("parting/_first_run.html", {"first_run": run, "membership": membership})
    )


def test_the_path_is_an_ordered_list_that_says_in_words_what_is_done(new_firm):
    acme = ClientFactory(firm=new_firm, name="Acme")
    html = render(first_run(new_firm))
    assert "<ol" in html and html.count('<li class="step') == 3
    assert "1 of 3 steps done." in html
    settings, clients, evidence = re.findall(r'<li class="step [^"]+" id="first-run-(\w+)">(.*?)</li>', html)
    assert settings[0] == "settings" and "To do:" in settings[1] and reverse("firm_settings") in settings[1]
    assert "€80.00" in settings[1] and "#rule-W2" in settings[1] and "#rule-W11" in settings[1]
    assert clients[0] == "clients" and "Done:" in clients[1]
    assert reverse("imports") in clients[1] and reverse("client_create") in clients[1]
    assert evidence[0] == "evidence" and "To do:" in evidence[1] and reverse("imports") in evidence[1]
    assert reverse("client_detail", args=[acme.pk]) in evidence[1]  # where to log evidence by hand


def test_staff_are_told_who_sets_the_hours_instead_of_a_link_they_cannot_open(new_firm):
    html = render(first_run(new_firm), role=Membership.Role.STAFF)
    assert reverse("firm_settings") not in html
    assert "An owner or partner sets them in the firm settings." in html
    assert "once you have a client" in html  # no client yet: no client page to link to


def test_nothing_is_rendered_once_the_path_is_done():
    assert render(None).strip() == ""


def test_a_new_firms_dashboard_shows_the_getting_started_path_until_it_is_done(client, new_firm):
    """The dashboard of a firm with nothing in it leads to the steps, not only "No clients match."."""
    owner = MembershipFactory(firm=new_firm, role=Membership.Role.OWNER)
    client.force_login(owner.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Getting started" in page
    assert reverse("imports") in page and reverse("firm_settings") in page
    new_firm.target_hourly_rate = Decimal("95")
    new_firm.save()
    acme = ClientFactory(firm=new_firm)
    InvoiceFactory(firm=new_firm, client=acme)
    assert "Getting started" not in client.get(reverse("dashboard")).content.decode()
