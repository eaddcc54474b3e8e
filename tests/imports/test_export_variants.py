"""Exports as users get them that an independent check against each tool's documented formats found
misread (issue 10): a QuickBooks invoice list and payments list of one company, a French Excel re-save
whose only 8-bit bytes are no-break spaces, localised TRUE/FALSE, a QuickBooks UK report footer, a
FreshBooks payments export titled differently, and QuickBooks' multicurrency columns."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from parting.evidence.models import Invoice, Payment
from parting.imports.problems import Problems
from parting.imports.readers.money import detect, read_invoices, read_payments
from parting.imports.records import ReadOptions
from parting.imports.services import run_import
from parting.imports.text import sniff_charset

SAMPLES = Path(__file__).parent / "samples" / "money"
D = Decimal


def read(reader, name: str, **options):
    problems = Problems()
    records = list(reader(io.BytesIO((SAMPLES / name).read_bytes()), name, ReadOptions(**options), problems))
    return records, problems


# -- QuickBooks: the invoice list, then the payments of the same company ---------------------------


@pytest.mark.django_db
def test_w7_quickbooks_payments_without_an_invoice_number_replace_what_the_invoice_list_said_was_paid(firm):
    """The invoice list says what each invoice had been paid (Amount less Open balance); the payments
    list (Transaction List by Customer) has the payments themselves but names no invoice. Each payment
    takes the place of the summary with its amount, so nothing is counted twice and none is lost."""
    invoices = run_import(
        firm=firm, by=None, kind="invoices", create_clients=True, options={"date_order": "mdy"},
        paths=[SAMPLES / "quickbooks_invoice_list_then_payments.csv"],
    )  # fmt: skip
    assert not invoices.problems
    paid = dict(Invoice.objects.filter(firm=firm).values_list("number", "amount_paid"))
    assert paid["1041"] == D("1200.00") and paid["1042"] == D("1450.00")
    payments = run_import(
        firm=firm, by=None, kind="payments", options={"date_order": "mdy"},
        paths=[SAMPLES / "quickbooks_transaction_list_payments_without_invoice.csv"],
    )  # fmt: skip
    assert not payments.problems
    rows = {
        (p.invoice.number, p.origin, str(p.paid_on), p.amount)
        for p in Payment.objects.filter(firm=firm, invoice__number__in=["1041", "1042"]).select_related("invoice")
    }
    assert rows == {
        ("1041", "imported", "2026-02-03", D("1200.00")),  # the day it was paid, not the due date
        ("1042", "imported", "2026-02-20", D("1450.00")),  # the part payment, once
    }
    paid = dict(Invoice.objects.filter(firm=firm).values_list("number", "amount_paid"))
    assert paid["1041"] == D("1200.00") and paid["1042"] == D("1450.00")
    assert "1 refund that names no invoice: skipped" in payments.run.counts["notes"]


@pytest.mark.django_db
def test_w7_a_payment_naming_no_invoice_still_goes_to_the_oldest_open_invoice_when_no_summary_has_its_amount(
    firm, tmp_path
):
    """No summary of 700: the payment is applied oldest due first, as before, and the summary of the
    invoice it lands on goes (the payments themselves are arriving)."""
    run_import(
        firm=firm, by=None, kind="invoices", create_clients=True, options={"date_order": "mdy"},
        paths=[SAMPLES / "quickbooks_invoice_list_then_payments.csv"],
    )  # fmt: skip
    path = tmp_path / "payments.csv"
    path.write_text("client,paid_on,amount,id\nHarbour & Finch Ltd,2026-02-20,700.00,P-1\n", encoding="utf-8")
    result = run_import(firm=firm, by=None, kind="payments", paths=[path])
    assert not result.problems
    payments = list(Payment.objects.filter(firm=firm, invoice__number="1042").values_list("origin", "amount"))
    assert payments == [("imported", D("700.00"))]


# -- charsets and spreadsheets' own words -----------------------------------------------------------


def test_a_french_excel_resave_whose_only_8_bit_bytes_are_no_break_spaces_is_cp1252():
    """French Excel writes "1 440,00" with a no-break space (byte A0 in cp1252) between the thousands;
    DOS cp866 reads that byte as a Cyrillic "а", which made every amount over 999 "1а440,00"."""
    data = (SAMPLES / "xero_invoices_excel_fr_nbsp_cp1252.csv").read_bytes()
    assert sniff_charset(data) == "cp1252"
    records, problems = read(read_invoices, "xero_invoices_excel_fr_nbsp_cp1252.csv")
    assert not problems
    assert {r.number: r.amount for r in records}["INV-0101"] == D("1440.00")


def test_a_stripe_export_resaved_by_german_excel_skips_the_charges_it_says_were_not_captured():
    """Excel writes TRUE and FALSE in its own language when it saves (WAHR, FALSCH): an uncaptured
    charge is money never received, and a failed one too."""
    records, problems = read(read_payments, "stripe_payments_excel_de_wahr_falsch.csv")
    assert not problems
    keys = {r.key for r in records}
    assert "ch_1QUncap" not in keys and "ch_1QDddd" not in keys
    assert {"ch_1QAaaa", "ch_1QBbbb", "ch_1QGggg"} <= keys


def test_a_captured_cell_that_says_neither_yes_nor_no_is_a_problem_not_money_received():
    header = "id,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer Email,Captured\n"
    data = header + "ch_1,2026-01-31 10:00:00,100.00,0.00,eur,Paid,a@b.example,maybe\n"
    problems = Problems()
    records = list(read_payments(io.BytesIO(data.encode()), "p.csv", ReadOptions(), problems))
    assert records == []
    assert [(p.source.line, p.column, p.reason) for p in problems] == [(2, "Captured", "'maybe' is neither yes nor no")]


@pytest.mark.parametrize(
    ("word", "captured"),
    [
        *[("WAHR", True), ("FALSCH", False), ("VRAI", True), ("FAUX", False), ("PRAWDA", True), ("FAŁSZ", False)],
        *[("ADEVĂRAT", True), ("FALS", False), ("ИСТИНА", True), ("ЛОЖЬ", False), ("TRUE", True), ("false", False)],
    ],
)
def test_excels_true_and_false_in_the_languages_it_writes_them(word, captured):
    header = "id,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer Email,Captured\n"
    data = header + f"ch_1,2026-01-31 10:00:00,100.00,0.00,eur,Paid,a@b.example,{word}\n"
    problems = Problems()
    records = list(read_payments(io.BytesIO(data.encode()), "p.csv", ReadOptions(), problems))
    assert not problems
    assert bool(records) is captured


# -- QuickBooks reports ------------------------------------------------------------------------------


def test_a_quickbooks_uk_report_footer_with_a_day_first_date_is_not_a_row():
    """ "Accrual basis Tuesday, 31 March 2026 05:01 PM GMT+01:00", unquoted: its comma puts the date in
    a column of its own, where it looked like a dated row with no number, customer or amount."""
    records, problems = read(read_invoices, "quickbooks_ar_aging_detail_uk_footer.csv", date_order="dmy")
    assert not problems
    assert [(r.number, r.amount) for r in records] == [
        ("2001", D("1800.00")),
        ("2002", D("2400.00")),
        ("2003", D("-300.00")),
        ("2004", D("950.00")),
    ]


def test_quickbooks_multicurrency_invoices_are_read_in_their_own_currency_with_the_rate_to_the_home_one():
    """With multicurrency on, "Amount" and "Open balance" are in the home currency and "Foreign
    amount" and "Foreign open balance" in the invoice's; "Exchange rate" is home units per one."""
    records, problems = read(read_invoices, "quickbooks_invoice_list_multicurrency.csv", date_order="dmy")
    assert not problems
    got = {r.number: (r.amount, r.currency, r.fx_rate, r.amount_paid) for r in records}
    assert got["3001"] == (D("1000.00"), "USD", D("0.79"), D("1000.00"))
    assert got["3002"] == (D("2000.00"), "GBP", D("1.00"), None)
    assert got["3003"][:3] == (D("1500.00"), "EUR", D("0.85"))
    assert got["3003"][3] == D("750.00")  # 1,500.00 less its foreign open balance


# -- FreshBooks --------------------------------------------------------------------------------------


def test_a_freshbooks_payments_export_titled_payment_date_client_name_payment_type_is_recognised():
    header = ["Payment Date", "Client Name", "Invoice Number", "Payment Type", "Notes", "Amount", "Currency"]
    assert detect(header, "payments") == "freshbooks"
    records, problems = read(read_payments, "freshbooks_payments_collected_variant.csv")
    assert not problems
    assert [(r.invoice_number, r.amount, r.currency, r.method) for r in records] == [
        ("0000101", D("1017.00"), "USD", "VISA"),
        ("0000102", D("400.00"), "AUD", "Cheque"),
    ]


# -- currencies without a rate -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "note"),
    [
        ("A-1,Acme,2026-01-05,2026-02-04,100.00,USD,\nA-2,Acme,2026-01-06,2026-02-05,50.00,USD,\n", 2),
        ("A-1,Acme,2026-01-05,2026-02-04,100.00,USD,0.92\n", 0),  # the export gives the rate
        ("A-1,Acme,2026-01-05,2026-02-04,100.00,EUR,\n", 0),  # the firm's own currency
    ],
)
def test_w11_invoices_in_another_currency_without_a_rate_are_counted_one_to_one_and_the_import_says_so(
    firm, tmp_path, rows, note
):
    """Xero, Stripe and FreshBooks exports give the invoice's currency but no rate to the firm's:
    revenue (W11) then counts them one to one, which the summary must say rather than hide."""
    from tests.factories import ClientFactory

    ClientFactory(firm=firm, name="Acme")
    path = tmp_path / "invoices.csv"
    path.write_text("number,client,issued_on,due_on,amount,currency,fx_rate\n" + rows, encoding="utf-8")
    result = run_import(firm=firm, by=None, kind="invoices", paths=[path])
    assert not result.problems
    notes = [n for n in result.run.counts.get("notes", []) if "exchange rate" in n]
    expected = (
        [f"{note} invoices in USD came without an exchange rate to EUR: their revenue counts one to one until a "
         "rate is given (an fx_rate column, or the invoice's page)"]
        if note else []
    )  # fmt: skip
    assert notes == expected


# -- clients and contacts --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clients_row_whose_address_the_firm_knows_is_that_client_not_a_second_one(firm, tmp_path):
    """A Russian export names "ООО «Нева Софтвер»" the client the firm calls "Neva Software": its
    contact's address says who it is. A second client with the same address would leave the address
    matching neither, and every later message from it unmatched."""
    from parting.clients.models import Client, Contact

    neva = Client.objects.create(firm=firm, name="Neva Software")
    Contact.objects.create(client=neva, name="Alexey", email="alexey@nevasoft.example")
    path = tmp_path / "clients.csv"
    path.write_text("name,email\nООО «Нева Софтвер»,alexey@nevasoft.example\n", encoding="utf-8")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert not result.problems
    assert list(Client.objects.filter(firm=firm).values_list("name", flat=True)) == ["Neva Software"]


@pytest.mark.django_db
def test_two_rows_of_one_file_giving_one_address_to_two_clients_say_so(firm, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("name,email\nSame Mail One,shared@mail.example\nSame Mail Two,shared@mail.example\n")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert not result.problems
    assert (
        "shared@mail.example is an address of Same Mail One too: mail from it matches none of them"
        in result.run.counts["notes"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("second", "problem"), [("ACME SRL", True), ("Acme", False)])
def test_one_client_written_twice_with_other_case_or_punctuation_is_a_problem_two_legal_forms_are_not(
    firm, tmp_path, second, problem
):
    """ "Acme S.R.L." and "ACME SRL" are one client written twice; "Acme S.R.L." and "Acme" may be two
    clients of one firm (an export of such a firm must import back)."""
    path = tmp_path / "clients.csv"
    path.write_text(f"name\nAcme S.R.L.\n{second}\n", encoding="utf-8")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    reasons = [(p.source.line, p.reason.split(";")[0]) for p in result.problems]
    assert reasons == ([(3, f"the client '{second}' already appears on line 2")] if problem else [])


@pytest.mark.parametrize(
    ("cell", "addresses"),
    [
        ('"Lis, Michał" <michal@lis.example>, biuro@lis.example', ["michal@lis.example", "biuro@lis.example"]),
        ("Jan Nowak (jan@nowak.example)", ["jan@nowak.example"]),
        ("\u200eamit@golan.example\u200e", ["amit@golan.example"]),
    ],
)
def test_addresses_as_mail_programs_and_right_to_left_spreadsheets_write_them(cell, addresses):
    from parting.imports.readers.generic import split_emails

    assert split_emails(cell) == (addresses, [])


@pytest.mark.django_db
def test_a_hebrew_clients_file_with_direction_marks_is_read_as_hebrew_and_the_marks_dropped(firm):
    """Hebrew Excel writes U+200E/U+200F around right-to-left names and addresses (bytes FD and FE in
    cp1255): they read as "§" and "ў" in ISO-8859-5, which won until they counted as neutral."""
    from parting.clients.models import Client, Contact

    data = (SAMPLES.parent / "clients" / "excel_he_rtl_marks_cp1255.csv").read_bytes()
    assert sniff_charset(data, "he") == "cp1255" and sniff_charset(data) == "cp1255"
    result = run_import(
        firm=firm, by=None, kind="clients", create_clients=True,
        paths=[SAMPLES.parent / "clients" / "excel_he_rtl_marks_cp1255.csv"],
    )  # fmt: skip
    assert not result.problems
    assert 'גולן יינות בע"מ' in set(Client.objects.filter(firm=firm).values_list("name", flat=True))
    assert Contact.objects.filter(client__firm=firm, email="amit@golanwines.co.il").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("create", [False, True])
def test_a_contacts_file_adds_a_client_it_names_only_when_asked_to(firm, tmp_path, create):
    from parting.clients.models import Client

    path = tmp_path / "contacts.csv"
    path.write_text("client,name,email\nUnknown Co,Nobody,nobody@unknown.example\n", encoding="utf-8")
    result = run_import(firm=firm, by=None, kind="contacts", paths=[path], create_clients=create)
    assert not result.problems
    assert Client.objects.filter(firm=firm, name="Unknown Co").exists() is create
    if not create:
        assert result.run.unmatched == [["Unknown Co", 1]] or result.run.unmatched == [("Unknown Co", 1)]


# -- date-times a spreadsheet re-saved ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "ends", "options", "local"),
    [
        ("05.11.2025 09:00", "05.11.2025 10:00", {}, (2025, 11, 5, 9, 0)),  # Polish Excel
        ("13/10/2025 09:00", "13/10/2025 10:30", {}, (2025, 10, 13, 9, 0)),  # Hebrew or British Excel
        ("11/5/2025 9:00 AM", "11/5/2025 10:00 AM", {"date_order": "mdy"}, (2025, 11, 5, 9, 0)),  # US Excel
        ("11/5/2025 1:15 PM", "11/5/2025 2:00 PM", {"date_order": "mdy"}, (2025, 11, 5, 13, 15)),
        ("2025-11-05 9:00:00", "2025-11-05 10:00:00", {}, (2025, 11, 5, 9, 0)),
    ],
)
def test_w4_meeting_times_a_spreadsheet_re_saved_are_read_in_the_firms_zone(starts, ends, options, local):
    """Excel rewrites "2025-11-05T09:00" in its region's own form when it saves a file it opened; the
    column's order of day and month is decided over the whole column, as for dates."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from parting.imports.readers.generic import read_meetings

    data = f"client,starts_at,ends_at,status\nAcme,{starts},{ends},held\n".encode()
    problems = Problems()
    records = list(
        read_meetings(io.BytesIO(data), "m.csv", ReadOptions(time_zone="Europe/Warsaw", **options), problems)
    )
    assert not problems
    assert records[0].starts_at == dt.datetime(*local, tzinfo=ZoneInfo("Europe/Warsaw"))


def test_w2_message_times_that_cannot_tell_day_from_month_ask_which_comes_first():
    from parting.imports.problems import FileUnreadable
    from parting.imports.readers.generic import read_messages

    data = b"client,sent_at,direction\nAcme,11/5/2025 9:00,in\nAcme,12/5/2025 21:30,in\n"
    with pytest.raises(FileUnreadable) as caught:
        list(read_messages(io.BytesIO(data), "m.csv", ReadOptions(), Problems()))
    assert "say which (day-first or month-first)" in caught.value.reason
    records = list(read_messages(io.BytesIO(data), "m.csv", ReadOptions(date_order="dmy"), Problems()))
    assert [(r.sent_at.month, r.sent_at.day, r.sent_at.hour) for r in records] == [(5, 11, 9), (5, 12, 21)]


@pytest.mark.django_db
def test_a_contact_added_without_a_language_writes_in_the_language_of_the_clients_people(firm, tmp_path):
    """A QuickBooks contact list has no language column: a new contact of a Polish client is Polish,
    not English (the letter to them is chosen by it)."""
    from parting.clients.models import Client, Contact

    mazur = Client.objects.create(firm=firm, name="Mazur Logistyka")
    Contact.objects.create(client=mazur, name="Anna Mazur", email="anna@mazur.example", language="pl", is_primary=True)
    path = tmp_path / "clients.csv"
    path.write_text("name,email,contact\nMazur Logistyka,piotr@mazur.example,Piotr Zieliński\n", encoding="utf-8")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert not result.problems
    assert Contact.objects.get(email="piotr@mazur.example").language == "pl"


@pytest.mark.django_db
def test_a_clients_row_with_a_language_and_no_contact_says_where_the_language_went(firm, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("name,language\nLang A,he\n", encoding="utf-8")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert not result.problems
    assert "Lang A: the language he is kept with a contact, and the row gives none" in result.run.counts["notes"]


@pytest.mark.django_db
def test_a_language_whose_contact_comes_in_a_later_file_of_the_import_is_not_noted_as_unkept(firm, tmp_path):
    """An archive's clients.csv gives the language, its contacts.csv the people: the note was a false
    alarm for every client of a restored firm."""
    clients = tmp_path / "clients.csv"
    clients.write_text("name,language\nLang A,he\nLang B,pl\n", encoding="utf-8")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("client,name,email,language\nLang A,Dana,dana@a.example,he\n", encoding="utf-8")
    result = run_import(firm=firm, by=None, kind="clients", paths=[clients])
    assert sum("is kept with a contact" in n for n in result.run.counts["notes"]) == 2
    from parting.clients.models import Client, Contact

    Client.objects.filter(firm=firm).delete()
    from parting.imports.loader import Loader
    from parting.imports.problems import Problems
    from parting.imports.readers.clients import read, read_contacts
    from parting.imports.records import ReadOptions

    loader = Loader(firm, problems=Problems(), create_clients=True)
    for reader, path in ((read, clients), (read_contacts, contacts)):
        with path.open("rb") as stream:
            for record in reader(stream, path.name, ReadOptions(), Problems()):
                loader.add(record)
        loader.flush()
    loader_notes = loader.finish().notes
    assert [n for n in loader_notes if "is kept with a contact" in n] == [
        "Lang B: the language pl is kept with a contact, and the row gives none"
    ]
    assert Contact.objects.get(email="dana@a.example").client.name == "Lang A"


@pytest.mark.django_db
def test_one_note_per_keeper_who_is_not_a_member_not_one_per_client(firm, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text(
        "name,assigned_to\nA,ghost@old.example\nB,ghost@old.example\nC,other@old.example\n", encoding="utf-8"
    )
    notes = run_import(firm=firm, by=None, kind="clients", paths=[path]).run.counts["notes"]
    assert [n for n in notes if "is not a member" in n] == [
        "'ghost@old.example', who looks after 2 clients (A, B), is not a member of the firm: left as it is",
        "'other@old.example', who looks after 1 client (C), is not a member of the firm: left as it is",
    ]


@pytest.mark.parametrize(("n", "shown"), [(5, "A1, A2, A3, A4, A5"), (6, "A1, A2, A3, A4, A5 …")])
def test_a_note_names_five_people_and_marks_that_there_are_more(n, shown):
    from parting.imports.loader import _some

    assert _some([f"A{i}" for i in range(1, n + 1)]) == shown
