"""A clients or contacts file read again corrects the people Parting already has (issue 10 §4: "a
corrected file updates what changed and says so"), and names each person as the file does."""

from __future__ import annotations

from pathlib import Path

import pytest

from parting.clients.models import Contact
from parting.imports.readers.generic import split_people
from parting.imports.services import run_import
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, text: str, name: str = "clients.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def acme(firm):
    acme = ClientFactory(firm=firm, name="Acme Sp. z o.o.")
    Contact.objects.create(
        client=acme, name="Anna Nowak", email="anna@acme.pl", phone="+48 22 111 22 33", language="en"
    )
    return acme


def test_a_clients_file_corrects_a_known_contacts_name_phone_and_language_and_says_so(firm, acme, tmp_path):
    path = write(
        tmp_path, "name,email,contact,phone,language\nAcme Sp. z o.o.,anna@acme.pl,Anna Kowalska,+48 600 000 001,pl\n"
    )
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert result.ok
    anna = Contact.objects.get(client=acme, email="anna@acme.pl")
    assert (anna.name, anna.phone, anna.language) == ("Anna Kowalska", "+48 600 000 001", "pl")
    assert result.run.counts["counts"]["contacts"] == {"changed": 1}
    assert any(
        "anna@acme.pl" in change and "name, phone, language" in change for change in result.run.counts["changes"]
    )
    again = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert "contacts" not in again.run.counts["counts"]  # read again: nothing to correct


def test_a_name_the_file_does_not_give_never_renames_a_known_contact(firm, acme, tmp_path):
    """Without a contact column, the reader names a new contact after the client: no correction."""
    path = write(tmp_path, "name,email\nAcme Sp. z o.o.,anna@acme.pl; Biuro <biuro@acme.pl>\n")
    run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert dict(Contact.objects.filter(client=acme).values_list("email", "name")) == {
        "anna@acme.pl": "Anna Nowak",
        "biuro@acme.pl": "Biuro",  # the name the cell gives the address
    }


def test_a_contacts_file_corrects_the_language_letters_are_written_in(firm, acme, tmp_path):
    path = write(tmp_path, "client,name,email,language\nAcme,Anna Nowak,anna@acme.pl,polski\n", "contacts.csv")
    result = run_import(firm=firm, by=None, kind="contacts", paths=[path])
    assert result.ok and result.run.unmatched == []
    assert Contact.objects.get(client=acme, email="anna@acme.pl").language == "pl"


@pytest.mark.parametrize("written", ["Acme", "ACME SP Z O O", "Acme Sp. z o. o."])
def test_a_contacts_file_finds_its_client_whatever_the_legal_form_is_written_like(firm, acme, tmp_path, written):
    path = write(tmp_path, f"client,name,email\n{written},Jan Lis,jan@acme.pl\n", "contacts.csv")
    result = run_import(firm=firm, by=None, kind="contacts", paths=[path])
    assert result.run.unmatched == []
    assert Contact.objects.filter(client=acme, email="jan@acme.pl", name="Jan Lis").exists()


@pytest.mark.parametrize(
    ("cell", "people"),
    [
        (
            '"Lis, Michał" <michal@trzy.pl>, Biuro <biuro@trzy.pl>',
            [("Lis, Michał", "michal@trzy.pl"), ("Biuro", "biuro@trzy.pl")],
        ),
        ("a@x.example ::: B@Y.example", [("", "a@x.example"), ("", "b@y.example")]),  # Google Contacts' separator
        ("Jan Nowak (jan@x.pl); ola@y.pl", [("Jan Nowak", "jan@x.pl"), ("", "ola@y.pl")]),  # Outlook's
        ('"Jan \\"Kuba\\" Nowak" <j@x.pl>', [('Jan "Kuba" Nowak', "j@x.pl")]),
    ],
)
def test_addresses_in_a_cell_keep_the_names_they_are_given(cell, people):
    assert split_people(cell) == (people, [])
