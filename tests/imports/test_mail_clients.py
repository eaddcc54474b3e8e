"""Who a message's client is when the firm does not know its sender yet (issue 10 §3).

A mail header names a person ("Anna" <anna@…>), not a client: two people called Anna are two
clients, everyone writing from one organisation's domain is one, and a sender's display name never
hands mail from a new address to a client whose addresses the firm already knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from parting.clients.models import Client, Contact
from parting.evidence.models import Message
from parting.imports.matching import Matcher, parse_label, unmatched_label
from parting.imports.records import ClientRef
from parting.imports.services import run_import
from parting.imports.worker import _precreate, apply_mappings
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def message(n: int, sender: str, to: str = "me@studio.example", day: int = 2) -> str:
    return (
        f"From MAILER-DAEMON Mon Mar  {day}09:00:00 2026\n"
        f"From: {sender}\nTo: {to}\nSubject: Question {n}\n"
        f"Date: Mon, {day} Mar 2026 09:{n:02d}:00 +0100\nMessage-ID: <m{n}@example>\n\nHello,\nthanks.\n\n"
    )


@pytest.fixture
def studio(firm):
    MembershipFactory(firm=firm, user__email="me@studio.example")
    return firm


def mails(client) -> int:
    return Message.objects.filter(client=client).count()


def mbox(tmp_path: Path, *senders: str) -> Path:
    path = tmp_path / "inbox.mbox"
    path.write_text("".join(message(n, s) for n, s in enumerate(senders, 1)), encoding="utf-8")
    return path


def test_two_senders_called_anna_on_gmail_are_two_unmatched_clients_not_one(studio, tmp_path):
    path = mbox(tmp_path, "Anna <anna.k@gmail.com>", "Anna <anna.w@gmail.com>", "Anna <anna.k@gmail.com>")
    result = run_import(firm=studio, by=None, kind="mail", paths=[path], dry_run=True)
    assert result.run.unmatched == [["Anna <anna.k@gmail.com>", 2], ["Anna <anna.w@gmail.com>", 1]]


def test_creating_clients_from_mail_makes_one_client_per_person_on_a_public_provider(studio, tmp_path):
    path = mbox(tmp_path, "Anna <anna.k@gmail.com>", "Anna <anna.w@gmail.com>", "Anna <anna.k@gmail.com>")
    run_import(firm=studio, by=None, kind="mail", paths=[path], create_clients=True)
    counts = {
        c.name: (c.email_domains, list(c.contacts.values_list("email", flat=True)), mails(c))
        for c in Client.objects.filter(firm=studio)
    }
    assert counts == {"Anna": ("", ["anna.k@gmail.com"], 2), "Anna (2)": ("", ["anna.w@gmail.com"], 1)}


def test_everyone_writing_from_one_organisations_domain_is_one_client(studio, tmp_path):
    path = mbox(
        tmp_path, "Anna Nowak <anna@acme.example>", "Jan Kowalski <jan@acme.example>", "Ola <ola@initech.example>"
    )
    dry = run_import(firm=studio, by=None, kind="mail", paths=[path], dry_run=True)
    assert dry.run.unmatched == [["@acme.example", 2], ["@initech.example", 1]]
    run_import(firm=studio, by=None, kind="mail", paths=[path], create_clients=True)
    acme = Client.objects.get(firm=studio, name="acme.example")
    assert acme.email_domains == "acme.example"
    assert mails(acme) == 2
    assert list(acme.contacts.values_list("name", "email")) == [("Anna Nowak", "anna@acme.example")]


def test_a_display_name_does_not_hand_mail_from_a_new_address_to_a_client_with_known_addresses(studio, tmp_path):
    anna = ClientFactory(firm=studio, name="Anna")
    Contact.objects.create(client=anna, name="Anna", email="anna.k@gmail.com")
    path = mbox(tmp_path, "Anna <anna.w@gmail.com>", "Anna <anna.k@gmail.com>")
    result = run_import(firm=studio, by=None, kind="mail", paths=[path])
    assert result.run.unmatched == [["Anna <anna.w@gmail.com>", 1]]
    assert list(Message.objects.filter(firm=studio).values_list("client__name", "source_key")) == [
        ("Anna", "m2@example")
    ]


def test_a_display_name_still_finds_a_client_typed_in_without_any_address(studio, tmp_path):
    jan = ClientFactory(firm=studio, name="Jan Nowak")
    result = run_import(firm=studio, by=None, kind="mail", paths=[mbox(tmp_path, "Jan Nowak <jan.nowak@gmail.com>")])
    assert result.run.unmatched == []
    assert Message.objects.get(firm=studio).client == jan


def test_a_client_name_from_a_file_still_matches_a_client_whatever_its_addresses():
    """Only mail names people: an invoice's customer name is the client's name (the non-person path)."""
    firm = FirmFactory()
    acme = ClientFactory(firm=firm, name="Acme")
    Contact.objects.create(client=acme, name="Jan", email="jan@acme.example")
    matcher = Matcher(firm)
    assert matcher.match(ClientRef(name="Acme", emails=("billing@acme-invoices.example",))) == acme.id
    assert matcher.match(ClientRef(name="Acme", emails=("billing@acme-invoices.example",), person=True)) is None


@pytest.mark.parametrize(
    ("ref", "label"),
    [
        (ClientRef(name="Globex Ltd", emails=("x@gmail.com",)), "Globex Ltd"),
        (ClientRef(name="Anna", emails=("anna@gmail.com",), person=True), "Anna <anna@gmail.com>"),
        (ClientRef(emails=("anna@gmail.com",)), "anna@gmail.com"),
        (ClientRef(name="Anna", emails=("anna@Acme.example",), person=True), "@acme.example"),
        (ClientRef(emails=("me@studio.example", "jan@acme.example")), "@acme.example"),  # the firm's own skipped
    ],
)
def test_the_unmatched_list_names_a_client_by_name_organisation_or_person(ref, label):
    assert unmatched_label(ref, own_domains={"studio.example"}) == label


@pytest.mark.parametrize(
    ("label", "parsed"),
    [
        ("@acme.example", ("", "", "acme.example")),
        ("Anna Nowak <Anna@Gmail.com>", ("Anna Nowak", "anna@gmail.com", "")),
        ("anna@gmail.com", ("", "anna@gmail.com", "")),
        ("Acme <Holding>", ("Acme <Holding>", "", "")),  # not an address: a client's name
        ("@ home", ("@ home", "", "")),
    ],
)
def test_an_unmatched_label_reads_back_as_what_it_names(label, parsed):
    assert parse_label(label) == parsed


def test_mapping_an_organisation_to_a_client_adds_its_domain_and_later_mail_finds_it(studio, tmp_path):
    acme = ClientFactory(firm=studio, name="Acme", email_domains="acme.pl")
    apply_mappings(studio, {"@acme.example": acme, "Ola <ola@gmail.com>": acme})
    acme.refresh_from_db()
    assert acme.email_domains == "acme.pl acme.example"
    assert list(acme.contacts.values_list("name", "email")) == [("Ola", "ola@gmail.com")]
    path = mbox(tmp_path, "Jan <jan@acme.example>", "Ola <ola@gmail.com>")
    assert run_import(firm=studio, by=None, kind="mail", paths=[path]).run.unmatched == []
    assert mails(acme) == 2


def test_mapping_never_touches_another_firms_client(studio):
    other = ClientFactory(firm=FirmFactory(), name="Other")
    with pytest.raises(ValueError):
        apply_mappings(studio, {"@acme.example": other})
    other.refresh_from_db()
    assert other.email_domains == ""


def test_creating_the_clients_the_member_chose_finds_their_mail(studio, tmp_path):
    path = mbox(tmp_path, "Jan <jan@acme.example>", "Anna <anna@gmail.com>", "Ola <ola@acme.example>")
    _precreate(studio, ["@acme.example", "Anna <anna@gmail.com>"])
    result = run_import(firm=studio, by=None, kind="mail", paths=[path])
    assert result.run.unmatched == []
    assert {c.name: mails(c) for c in Client.objects.filter(firm=studio)} == {"acme.example": 2, "Anna": 1}
