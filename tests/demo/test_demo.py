"""The demo firm: what someone trying Parting sees, and that it is the same every time.

Loaded as of a fixed day so that dates, windows and scores are reproducible; the scorer's clock is
pinned to the end of that day for the same reason.
"""

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.auth import get_user_model

from parting.cases.models import OffboardingCase
from parting.clients.models import Client, Contact
from parting.demo.builder import DEMO_SLUG, DemoError, demo_load, demo_member_line
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, TimeEntry
from parting.firms.models import Firm, Membership
from parting.signs.catalogue import BY_ID
from parting.signs.scoring import ACTIVE, Scorer
from tests.factories import ClientFactory, FirmFactory, UserFactory

TODAY = dt.date(2026, 11, 22)
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
END_OF_TODAY = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(), WARSAW)
SIGN_IDS = [f"W{n}" for n in range(1, 16)]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # member_add hashes a throwaway password before the demo makes it unusable; keep that cheap here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return demo_load(today=TODAY)


def referral_depth(client_id: int, parent: dict[int, int | None]) -> int:
    depth, seen = 0, {client_id}
    while parent.get(client_id):
        client_id = parent[client_id]
        if client_id in seen:
            break
        seen.add(client_id)
        depth += 1
    return depth


def snapshot(firm: Firm) -> tuple:
    """Everything a user sees of the demo, without database ids or creation stamps."""
    clients = Client.objects.filter(firm=firm)
    return (
        tuple(
            clients.order_by("name").values_list(
                "name",
                "status",
                "assigned_to__username",
                "started_on",
                "contract_start",
                "contract_end",
                "notice_days",
                "payment_terms_days",
                "prepaid_amount",
                "referred_by__name",
                "referral_source",
                "holds_stake",
            )
        ),
        tuple(
            Contact.objects.filter(client__firm=firm)
            .order_by("client__name", "name")
            .values_list("client__name", "name", "email", "phone", "language", "form_of_address", "is_primary")
        ),
        tuple(
            Invoice.objects.filter(firm=firm)
            .order_by("number")
            .values_list(
                "client__name", "number", "issued_on", "due_on", "amount", "currency", "fx_rate", "paid_on", "disputed"
            )
        ),
        tuple(
            Message.objects.filter(firm=firm)
            .order_by("client__name", "sent_at", "direction", "summary")
            .values_list(
                "client__name", "sent_at", "direction", "channel", "to_senior", "negative", "in_reply_to__sent_at"
            )
        ),
        tuple(
            Meeting.objects.filter(firm=firm)
            .order_by("client__name", "starts_at")
            .values_list("client__name", "starts_at", "ends_at", "status", "cancelled_at", "minutes_late")
        ),
        tuple(
            ClientRequest.objects.filter(firm=firm)
            .order_by("client__name", "due_on", "description")
            .values_list("client__name", "description", "requested_on", "due_on", "received_on")
        ),
        tuple(
            Incident.objects.filter(firm=firm)
            .order_by("client__name", "occurred_on", "kind")
            .values_list("client__name", "kind", "occurred_on", "hours_lost", "note")
        ),
        tuple(
            TimeEntry.objects.filter(firm=firm)
            .order_by("client__name", "date", "hours", "note")
            .values_list("client__name", "date", "hours", "billable", "person__username")
        ),
    )


def test_the_demo_firm_has_its_members_clients_languages_and_history(demo):
    firm = demo.firm
    assert demo.created is True
    assert (firm.slug, firm.time_zone, firm.currency, firm.target_hourly_rate) == (
        DEMO_SLUG,
        "Europe/Warsaw",
        "EUR",
        90,
    )
    hours = [(d.weekday, d.starts, d.ends) for d in firm.working_days.all()]
    assert hours == [(day, dt.time(9), dt.time(17)) for day in range(5)]
    services = set(firm.services.values_list("name", flat=True))
    focus = set(firm.focus_services.values_list("name", flat=True))
    assert len(services) >= 6 and focus < services  # some services lie outside the focus, so W12 can show

    # One member per interface language: an English-speaking owner, a partner and three staff, none
    # with a password anyone could know.
    assert [(m.user.username, m.role, m.language) for m in demo.members] == [
        ("owner", "owner", "en"),
        ("partner", "partner", "pl"),
        ("staff", "staff", "ru"),
        ("andreea", "staff", "ro"),
        ("oren", "staff", "he"),
    ]
    assert all(m.user.first_name and m.user.last_name for m in demo.members)
    users = get_user_model().objects.filter(membership__firm=firm)
    assert users.count() == 5
    assert not any(user.has_usable_password() for user in users)

    clients = Client.objects.filter(firm=firm)
    assert clients.count() >= 60
    assert clients.filter(status=Client.Status.FORMER).count() >= 2
    # Statuses follow the cases: one waits for review, one is approved (its letter can be written), one
    # parting is closed (the client is former).
    assert sorted(clients.filter(status=Client.Status.UNDER_REVIEW).values_list("cases__state", flat=True)) == [
        "approved",
        "in_review",
    ]
    assert clients.filter(status=Client.Status.FORMER, cases__state="closed").count() == 1
    assert clients.filter(holds_stake=True).exists()  # D12
    assert clients.exclude(referral_source="").filter(referred_by=None).exists()
    assert not clients.filter(assigned_to=None).exists()
    # Every member looks after clients of their own, so each language's member sees a full page.
    assert set(clients.values_list("assigned_to__username", flat=True)) == {m.user.username for m in demo.members}

    contacts = Contact.objects.filter(client__firm=firm)
    assert set(contacts.values_list("language", flat=True)) == {"en", "ru", "pl", "ro", "he"}
    assert set(contacts.values_list("form_of_address", flat=True)) == {"masculine", "feminine", "neutral"}
    per_client = [c.contacts.count() for c in clients]
    assert min(per_client) >= 1 and max(per_client) <= 2
    assert all(re.fullmatch(r"[a-z0-9.\-]+@[a-z0-9.\-]+\.[a-z]+", e) for e in contacts.values_list("email", flat=True))

    # D6: a referral chain at least three clients deep.
    parent = dict(clients.values_list("id", "referred_by_id"))
    assert max(referral_depth(cid, parent) for cid in parent) >= 3

    # 18 months of history that ends today, so the demo always looks current.
    invoices = Invoice.objects.filter(firm=firm)
    assert invoices.earliest("issued_on").issued_on >= dt.date(2025, 6, 1)
    assert invoices.latest("issued_on").issued_on == dt.date(2026, 11, 2)  # the first working day of November
    numbers = list(invoices.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) and all(re.fullmatch(r"20\d\d-\d{4}", n) for n in numbers)
    messages = Message.objects.filter(firm=firm)
    assert messages.latest("sent_at").sent_at < END_OF_TODAY - dt.timedelta(days=1)
    assert messages.latest("sent_at").sent_at > END_OF_TODAY - dt.timedelta(days=7)
    assert messages.filter(direction="in").exists() and messages.filter(in_reply_to__isnull=False).exists()
    for model in (Meeting, ClientRequest, Incident, TimeEntry):
        assert model.objects.filter(firm=firm).exists()


def test_scoring_the_demo_shows_every_sign_and_every_kind_of_advice(demo):
    results = Scorer(demo.firm, as_of=TODAY, now=END_OF_TODAY).score()
    active = [r for r in results if r.status in ACTIVE]

    # For each warning sign at least one active client is poor on it, explained with numbers.
    missing = [
        sign_id
        for sign_id in SIGN_IDS
        if not any(r.sign(sign_id).band == "poor" and re.search(r"\d", r.sign(sign_id).explanation) for r in active)
    ]
    assert missing == []

    advice = {r.recommendation for r in results}
    assert advice == {"keep", "talk_first", "consider_parting"}
    keep = [r for r in active if r.recommendation == "keep"]
    assert len(keep) > len(active) / 2  # most clients are fine
    assert all(r.score >= 70 for r in keep)

    # D7: both written-down dealbreakers are hit by someone.
    rules = {d.rule["type"] for r in results for d in r.dealbreakers}
    assert rules == {"incidents", "overdue_invoice"}
    assert all(r.recommendation == "consider_parting" for r in results if r.dealbreakers)
    # … and at least one client is to be let go on the fit score alone.
    assert any(r.recommendation == "consider_parting" and not r.dealbreakers for r in results)

    # D2: some clients are only about expectations, where talking first may fix things.
    expectations_only = [
        r
        for r in active
        if r.recommendation == "talk_first"
        and (troubled := [s for s in r.signs if s.band in ("poor", "concerning")])
        and all(BY_ID[s.id].about_expectations for s in troubled)
    ]
    assert len(expectations_only) >= 2


def test_loading_again_changes_nothing_and_reset_rebuilds_the_same_data(db):
    other = FirmFactory(slug="other")
    ClientFactory(firm=other, name="Someone else's client")
    first = demo_load(today=TODAY)
    before = snapshot(first.firm)
    users = set(get_user_model().objects.values_list("id", flat=True))

    again = demo_load(today=TODAY)
    assert again.created is False
    assert again.firm.pk == first.firm.pk
    assert [m.pk for m in again.members] == [m.pk for m in first.members]
    assert snapshot(again.firm) == before
    assert set(get_user_model().objects.values_list("id", flat=True)) == users

    rebuilt = demo_load(today=TODAY, reset=True)
    assert rebuilt.created is True
    assert rebuilt.firm.pk != first.firm.pk
    assert Firm.objects.filter(slug=DEMO_SLUG).count() == 1
    assert Membership.objects.count() == 5  # the old demo users went with the old firm
    assert not get_user_model().objects.filter(id__in=[m.user_id for m in first.members]).exists()
    # The same day gives the same demo, down to every amount and timestamp.
    assert snapshot(rebuilt.firm) == before
    # Nothing outside the demo was touched.
    assert Client.objects.filter(firm=other).count() == 1


@pytest.mark.parametrize("taken", ["staff", "oren"])
def test_a_username_taken_outside_the_demo_stops_the_load_and_writes_nothing(db, taken):
    UserFactory(username=taken)
    with pytest.raises(DemoError, match=taken):
        demo_load(today=TODAY)
    assert not Firm.objects.filter(slug=DEMO_SLUG).exists()
    assert get_user_model().objects.count() == 1


def test_the_demo_cases_are_opened_by_the_first_staff_member_and_reviewed_by_the_partner(demo):
    """With three staff, "the" staff member of the demo's cases is named, not whoever the database
    returns first: the case notes speak of Anastasia."""
    cases = OffboardingCase.objects.filter(client__firm=demo.firm)
    assert cases.exists()
    assert set(cases.values_list("opened_by__username", flat=True)) == {"staff"}


def test_what_parting_demo_prints_names_each_members_language(demo):
    lines = [demo_member_line(m, "pw-" + m.user.username) for m in demo.members]
    assert lines[0].split() == ["Owner", "user:", "owner", "password:", "pw-owner", "(English)"]
    assert [line.split()[-1] for line in lines] == ["(English)", "(Polish)", "(Russian)", "(Romanian)", "(Hebrew)"]
    assert all(f"user: {m.user.username} " in line for m, line in zip(demo.members, lines, strict=True))
