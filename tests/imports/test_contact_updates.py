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


SAMPLES = Path(__file__).parent / "samples" / "clients"


def people_of(firm) -> dict[str, list[tuple[str, str]]]:
    return {
        client.name: sorted(client.contacts.values_list("name", "email"))
        for client in firm.clients.prefetch_related("contacts").order_by("name")
    }


def test_a_google_contacts_export_gives_organisations_with_their_people_and_people_without_one(firm):
    """Google Contacts' rows are people: those of one organisation are that client's contacts, a person
    without one is a client of their own (a freelancer's client), and an empty card is nobody."""
    result = run_import(firm=firm, by=None, kind="clients", paths=[SAMPLES / "google_contacts.csv"])
    assert result.ok, [str(p) for p in result.problems]
    assert people_of(firm) == {
        "Acme Sp. z o.o.": [
            ("Anna Nowak", "anna.n@gmail.com"),
            ("Anna Nowak", "anna.nowak@acme-pl.example"),
            ("Piotr Kowalski", "piotr@acme-pl.example"),
        ],
        "Bright Ideas SRL": [
            ("contact@brightideas.example", "contact@brightideas.example"),
            ("office@brightideas.example", "office@brightideas.example"),
        ],
        "Ion Popescu": [("Ion Popescu", "ion.popescu@gmail.com")],
        'גולן יינות בע"מ': [("Dana Levi", "dana@golan-wines.example")],
    }
    assert firm.clients.get(name="Acme Sp. z o.o.").email_domains == "acme-pl.example"  # its website
    again = run_import(firm=firm, by=None, kind="clients", paths=[SAMPLES / "google_contacts.csv"])
    assert again.ok and set(again.run.counts["counts"]) == {"clients"}  # nothing added or changed


def test_google_contacts_legacy_layout_keeps_the_letter_language_and_finds_an_existing_client(firm):
    neva = ClientFactory(firm=firm, name="Нева Софтвер")
    result = run_import(firm=firm, by=None, kind="clients", paths=[SAMPLES / "google_contacts_legacy.csv"])
    assert result.ok, [str(p) for p in result.problems]
    assert dict(neva.contacts.values_list("email", "language")) == {
        "anna@neva-soft.example": "ru",
        "s.petrov@neva-soft.example": "ru",  # no language of his own: the client's people's
        "petrov.s@mail.ru": "ru",
    }
    assert firm.clients.get(name="Mihai Ionescu").contacts.get().language == "ro"


def test_an_outlook_contacts_export_in_windows_1250(firm):
    result = run_import(firm=firm, by=None, kind="clients", paths=[SAMPLES / "outlook_contacts_cp1250.csv"])
    assert result.ok, [str(p) for p in result.problems]
    assert people_of(firm) == {
        "Jan Zieliński": [("Jan Zieliński", "jan.zielinski@wp.pl")],
        "Trzy Kropki Sp. z o.o.": [
            ("Michał Lis", "michal.lis@trzy-kropki.example"),
            ("Zofia Wróbel", "z.wrobel@o2.pl"),
            ("Zofia Wróbel", "zofia@trzy-kropki.example"),
        ],
    }
    assert firm.clients.get(name="Jan Zieliński").email_domains == ""  # wp.pl names no organisation


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("Client name,E-mail address,Contact person", "Acme,anna@acme.pl,Anna Nowak"),
        ("Company Name,First Name,Last Name,Email Address", "Acme,Anna,Nowak,anna@acme.pl"),
        ("Organization,Mail", "Acme,anna@acme.pl"),
    ],
)
def test_a_spreadsheets_own_names_for_the_client_and_address_columns_are_read(firm, tmp_path, header, row):
    path = write(tmp_path, f"{header}\n{row}\n")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert result.ok, [str(p) for p in result.problems]
    contacts = list(firm.clients.get(name="Acme").contacts.values_list("name", "email"))
    assert contacts == [("Anna Nowak" if "Anna" in row else "Acme", "anna@acme.pl")]


def test_a_file_given_as_google_contacts_that_names_nobody_is_refused_with_its_columns(firm, tmp_path):
    path = write(tmp_path, "Labels,Birthday\nClients,1990-01-01\n")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path], options={"format": "google"})
    assert not result.ok and not firm.clients.exists()
    assert any("no column naming a person" in str(p) and "'Labels'" in str(p) for p in result.problems)


def test_the_very_same_client_row_twice_is_read_once_but_a_different_one_is_a_problem(firm, tmp_path):
    row = "Acme,anna@acme.pl,Anna Nowak\n"
    path = write(tmp_path, "name,email,contact\n" + row + row)
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert result.ok and firm.clients.get().name == "Acme"
    path = write(tmp_path, "name,email,contact\n" + row + "Acme,jan@acme.pl,Jan Lis\n")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert [
        (p.source.line, "already appears on line 2" in p.reason, "as contacts" in p.reason) for p in result.problems
    ] == [(3, True, True)]


def test_a_public_mail_providers_domain_never_becomes_a_clients_domain_and_the_summary_says_so(firm, tmp_path):
    path = write(tmp_path, "name,email,domains\nSolo Dev,solo@gmail.com,gmail.com; solo-dev.example\n")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert result.ok
    assert firm.clients.get(name="Solo Dev").email_domains == "solo-dev.example"
    assert any("gmail.com is a public mail provider's" in note for note in result.run.counts["notes"])
