"""Invoices and payments CSV readers (issue 10 §2): the generic columns and the QuickBooks Online,
Xero, FreshBooks and Stripe presets, on sample exports in tests/imports/samples/money/.

What they yield feeds W7 (payment trouble), W8/W9 (discounts, terms), W11 (revenue) and D10 (paid in
full before parting). No database: readers are plain functions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parting.imports.problems import FileUnreadable, Problems
from parting.imports.readers.money import PRESETS, detect, read_invoices, read_payments
from parting.imports.records import ReadOptions

SAMPLES = Path(__file__).parent / "samples" / "money"
D = Decimal


def invoices(name: str, data: bytes | None = None, **options):
    problems = Problems()
    stream = io.BytesIO(data if data is not None else (SAMPLES / name).read_bytes())
    records = list(read_invoices(stream, name, ReadOptions(**options), problems))
    return records, problems


def payments(name: str, data: bytes | None = None, **options):
    problems = Problems()
    stream = io.BytesIO(data if data is not None else (SAMPLES / name).read_bytes())
    records = list(read_payments(stream, name, ReadOptions(**options), problems))
    return records, problems


def by_number(records):
    return {r.number: r for r in records}


def reasons(problems: Problems) -> list[str]:
    return [str(p) for p in problems]


# ---- from a review of real exports (5 December) ---------------------------------------------------


def test_quickbooks_australia_adjustment_note_is_a_credit_note():
    """QuickBooks Online Australia calls a credit memo an "Adjustment Note" and writes "No.": the
    report is recognised, and the note is a credit of -110, not dropped."""
    records, problems = invoices("quickbooks_au_invoice_list_adjustment_note.csv", date_order="dmy")
    assert not problems
    got = by_number(records)
    assert sorted(got) == ["1001", "1002", "1003"]
    assert got["1002"].amount == D("-110.00") and got["1002"].issued_on == dt.date(2026, 1, 20)


def test_quickbooks_delayed_credit_and_charge_post_nothing():
    """Delayed credits and charges are non-posting: they count once an invoice takes them in."""
    records, problems = invoices("quickbooks_transaction_list_delayed_credit.csv")
    assert not problems
    assert [(r.number, r.amount) for r in records] == [("1041", D("1200.00"))]


def test_quickbooks_customer_named_total_keeps_its_invoices():
    """A group row "Total Wine & More" is a customer, not a report's sum (its own total says "Total
    for Total Wine & More", with amounts)."""
    records, problems = invoices("quickbooks_open_invoices_customer_named_total.csv")
    assert not problems
    assert [(r.number, r.client.name) for r in records] == [("1022", "Jeff's Jalopies"), ("1041", "Total Wine & More")]


def test_quickbooks_australia_transaction_list_gives_its_payments_without_a_format():
    records, problems = payments("quickbooks_au_transaction_list_payments.csv", date_order="dmy")
    assert not problems
    assert [(r.client.name, r.paid_on, r.amount) for r in records] == [
        ("Coogee Cafe Pty Ltd", dt.date(2026, 2, 20), D("1100.00"))
    ]


def test_stripe_payments_exported_with_chosen_columns_are_recognised():
    """Stripe's export dialog lets the user pick columns: without "Amount Refunded" the export is
    still Stripe's (id, Created date (UTC), Amount, Captured)."""
    records, problems = payments("stripe_payments_columns_chosen.csv")
    assert not problems
    assert [(r.key, r.amount, r.client.emails) for r in records] == [("ch_TESTR1", D("23.00"), ("z@example.com",))]


def test_quickbooks_aging_buckets_are_never_clients():
    """An A/R Aging Detail groups its rows by how late they are ("91 or more days past due",
    "CURRENT"); when its customer column has a name Parting does not know, the client is missing on
    each row (map the column), never a client named "CURRENT"."""
    records, problems = invoices("quickbooks_ar_aging_detail_unknown_customer_column.csv")
    assert not records
    assert [p.source.line for p in problems] == [7, 8, 11, 12]
    assert all("the client is missing" in p.reason for p in problems)
    records, problems = invoices(
        "quickbooks_ar_aging_detail_unknown_customer_column.csv", mapping={"client": "Donor full name"}
    )
    assert not problems and [r.client.name for r in records] == [
        "TACTICS",
        "ZUMIEZ",
        "Sports Basement",
        "Carter Katz - REP",
    ]


def test_a_customer_whose_name_only_begins_like_an_aging_bucket_is_a_client():
    """ "Current Designs Ltd" and "1 - 30 Days Past Due Ltd" are customers, not buckets."""
    data = (SAMPLES / "quickbooks_open_invoices_customer_named_total.csv").read_text(encoding="utf-8")
    data = data.replace("Total Wine & More", "Current Designs Ltd").replace(
        "Jeff's Jalopies", "1 - 30 Days Past Due Ltd"
    )
    records, problems = invoices("open.csv", data.encode())
    assert not problems
    assert [r.client.name for r in records] == ["1 - 30 Days Past Due Ltd", "Current Designs Ltd"]


# ---- generic columns ------------------------------------------------------------------------------


def test_generic_invoices_read_every_column_the_export_writes():
    records, problems = invoices("generic_invoices.csv")
    assert not problems
    got = by_number(records)
    paid = got["INV-1001"]
    assert (paid.client.name, paid.client.emails) == ("Acme Corp", ("billing@acme.example",))
    assert (paid.issued_on, paid.due_on, paid.amount, paid.currency) == (
        dt.date(2026, 1, 5),
        dt.date(2026, 2, 4),
        D("1200.00"),
        "EUR",
    )
    assert (paid.amount_paid, paid.paid_on, paid.key) == (D("1200.00"), dt.date(2026, 2, 1), "INV-1001")
    haggled = got["INV-1002"]  # W9: a discount asked for and given; W7: reminders sent
    assert (haggled.discount_requested, haggled.discount_given, haggled.reminders_sent) == (True, D("100.00"), 2)
    partial = got["INV-1003"]
    assert (partial.amount_paid, partial.paid_on, partial.disputed, partial.fx_rate) == (
        D("1500.00"),
        None,
        True,
        D("0.92"),
    )


def test_an_invoice_without_a_due_date_falls_due_on_its_issue_day():
    got = by_number(invoices("generic_invoices.csv")[0])
    assert got["INV-1003"].due_on == got["INV-1003"].issued_on == dt.date(2026, 1, 31)


def test_a_negative_total_is_a_credit_note():
    got = by_number(invoices("generic_invoices.csv")[0])
    assert got["CN-0004"].amount == D("-150.00")


def test_a_utf8_bom_does_not_hide_the_first_column():
    records, problems = invoices("generic_invoices_bom.csv")
    assert not problems
    assert [r.client.name for r in records] == ["Acme Corp"]


def test_semicolons_decimal_commas_currency_signs_and_parentheses_for_negatives():
    records, problems = invoices("generic_invoices_semicolon_eu.csv")
    assert not problems
    got = by_number(records)
    assert got["RE-2026-001"].amount == D("1234.50")
    assert got["RE-2026-001"].issued_on == dt.date(2026, 1, 15)  # 15.01.2026: dotted dates are day-first
    assert got["RE-2026-002"].amount == D("12000.00")
    assert got["RE-2026-003"].amount == D("-250.00")
    assert got["RE-2026-003"].client.name == "Café Lumière SARL"


def test_a_cp1250_file_keeps_polish_client_names_and_spaced_thousands():
    records, problems = invoices("generic_invoices_cp1250.csv")
    assert not problems
    assert [r.client.name for r in records] == [
        "Wydawnictwo Źródło Sp. z o.o.",
        "Łódzka Spółdzielnia Mleczarska",
        "Żabka Świętokrzyska S.A.",
    ]
    got = by_number(records)
    assert got["FV/2026/01/007"].amount == D("4920.00")
    assert got["FV/2026/02/012"].amount_paid == D("300.00")


def test_a_column_with_1_31_2026_is_read_month_first():
    got = by_number(invoices("generic_invoices_mdy.csv")[0])
    assert got["US-2"].issued_on == dt.date(2026, 2, 5)
    assert got["US-2"].due_on == dt.date(2026, 3, 7)  # 3/7 decided by the other column of the file


def test_a_column_with_31_01_2026_is_read_day_first():
    got = by_number(invoices("generic_invoices_dmy.csv")[0])
    assert got["UK-2"].issued_on == dt.date(2026, 2, 5)
    assert got["UK-1"].due_on == dt.date(2026, 3, 2)


def test_an_ambiguous_date_column_is_one_problem_that_asks_and_names_the_column():
    records, problems = invoices("generic_invoices_ambiguous.csv")
    assert len(problems) == 1
    (problem,) = problems
    assert problem.column == "issued_on"
    assert "day or the month" in problem.reason and "01/02/2026" in problem.reason
    assert [r.number for r in records] == ["AMB-3"]  # the ISO date needs no answer


@pytest.mark.parametrize(("order", "month"), [("dmy", 2), ("mdy", 1)])
def test_the_users_answer_decides_an_ambiguous_column(order, month):
    records, problems = invoices("generic_invoices_ambiguous.csv", date_order=order)
    assert not problems
    assert by_number(records)["AMB-1"].issued_on == dt.date(2026, month, 2 if order == "mdy" else 1)


def test_a_column_mapping_reads_a_file_with_other_names():
    data = b"Customer;Invoice no;Date;Total\nAcme Corp;X-1;2026-01-02;10,50\n"
    records, problems = invoices(
        "mapped.csv",
        data,
        mapping={"client": "Customer", "number": "Invoice no", "issued_on": "Date", "amount": "Total"},
    )
    assert not problems
    assert (records[0].number, records[0].amount) == ("X-1", D("10.50"))


def test_a_mapped_column_the_file_lacks_is_refused_with_the_files_columns():
    with pytest.raises(FileUnreadable) as caught:
        invoices("generic_invoices.csv", mapping={"amount": "Grand total"})
    assert "'Grand total'" in caught.value.reason and "'client'" in caught.value.reason


def test_missing_required_columns_are_named_with_the_columns_the_file_has():
    with pytest.raises(FileUnreadable) as caught:
        invoices("generic_invoices_missing_columns.csv")
    reason = caught.value.reason
    assert "'number'" in reason and "'issued_on'" in reason and "'amount'" in reason
    assert "'Customer Ref'" in reason and "'Value'" in reason


def test_a_truncated_file_is_refused_at_the_row_it_breaks_in():
    with pytest.raises(FileUnreadable) as caught:
        invoices("generic_invoices_truncated.csv")
    assert "truncated" in caught.value.reason
    assert caught.value.line == 3


def test_a_stray_quote_in_an_unquoted_field_is_not_a_truncation():
    data = b'client,number,issued_on,amount\nPipe 12" Ltd,P-1,2026-01-02,5.00\n'
    records, problems = invoices("inch.csv", data)
    assert not problems
    assert records[0].client.name == 'Pipe 12" Ltd'


@pytest.mark.parametrize(
    ("due", "accepted"),
    [("2026-01-04", False), ("2026-01-05", True), ("2026-01-06", True)],
)
def test_an_invoice_due_before_it_is_issued_is_refused_and_on_the_same_day_accepted(due, accepted):
    data = f"client,number,issued_on,due_on,amount\nAcme,D-1,2026-01-05,{due},10\n".encode()
    records, problems = invoices("due.csv", data)
    assert bool(records) is accepted
    assert bool(problems) is not accepted
    if not accepted:
        assert "before it is issued" in reasons(problems)[0]


@pytest.mark.parametrize(("paid", "accepted"), [("2026-01-04", False), ("2026-01-05", True)])
def test_an_invoice_paid_before_it_is_issued_is_refused(paid, accepted):
    data = f"client,number,issued_on,amount,paid_on\nAcme,P-1,2026-01-05,10,{paid}\n".encode()
    records, problems = invoices("paid.csv", data)
    assert bool(records) is accepted
    assert bool(problems) is not accepted


def test_status_paid_without_an_amount_means_paid_in_full_w7_d10():
    data = b"client,number,issued_on,amount,status\nAcme,S-1,2026-01-05,80.00,Paid\nAcme,S-2,2026-01-05,80.00,open\n"
    got = by_number(invoices("status.csv", data)[0])
    assert (got["S-1"].amount_paid, got["S-1"].paid_on) == (D("80.00"), None)
    assert got["S-2"].amount_paid is None


def test_bad_rows_are_each_reported_and_the_good_rows_still_read():
    data = (
        b"client,number,issued_on,amount,currency\n"
        b"Acme,B-1,2026-01-05,ten,EUR\n"
        b",B-2,2026-01-05,10,EUR\n"
        b"Acme,B-3,2026-02-30,10,EUR\n"
        b"Acme,B-4,2026-01-05,10,euros\n"
        b"Acme,B-5,2026-01-05,10,EUR\n"
    )
    records, problems = invoices("bad.csv", data)
    assert [r.number for r in records] == ["B-5"]
    lines = sorted((p.source.line, p.column) for p in problems)
    assert lines == [(2, "amount"), (3, "client"), (4, "issued_on"), (5, "currency")]


def test_drafts_and_voided_invoices_are_skipped_without_a_problem():
    data = b"client,number,issued_on,amount,status\nAcme,V-1,2026-01-05,10,Voided\nAcme,V-2,2026-01-05,10,draft\n"
    records, problems = invoices("void.csv", data)
    assert records == [] and not problems


# ---- payments --------------------------------------------------------------------------------------


def test_an_invoice_paid_in_two_parts_gives_two_payments_for_one_invoice_w7_d10():
    records, problems = payments("generic_payments_two_parts.csv")
    assert not problems
    parts = [r for r in records if r.invoice_number == "INV-1003"]
    assert [(r.key, r.paid_on, r.amount) for r in parts] == [
        ("PAY-1", dt.date(2026, 2, 20), D("1500.00")),
        ("PAY-2", dt.date(2026, 3, 18), D("1900.50")),
    ]
    assert sum(r.amount for r in parts) == D("3400.50")


def test_a_payment_without_an_id_gets_a_stable_content_key_and_a_refund_is_negative():
    first, _ = payments("generic_payments_two_parts.csv")
    again, _ = payments("generic_payments_two_parts.csv")
    keyed = next(r for r in first if r.invoice_number == "INV-1001")
    assert keyed.key.startswith("sha256:")
    assert [r.key for r in first] == [r.key for r in again]
    assert [r.amount for r in first if r.invoice_number == "CN-0004"] == [D("-150.00")]


def test_the_same_payment_twice_in_one_file_is_two_payments():
    data = b"client,paid_on,amount\nAcme,2026-01-05,50\nAcme,2026-01-05,50\n"
    records, problems = payments("twice.csv", data)
    assert not problems
    assert len({r.key for r in records}) == 2


def test_a_payment_needs_a_client_or_an_invoice_number():
    data = b"client,invoice_number,paid_on,amount\n,,2026-01-05,50\n,INV-1,2026-01-05,50\n"
    records, problems = payments("who.csv", data)
    assert [r.invoice_number for r in records] == ["INV-1"]
    assert [p.source.line for p in problems] == [2]


# ---- QuickBooks Online -----------------------------------------------------------------------------


def test_quickbooks_invoice_list_finds_the_header_below_the_title_lines_and_skips_totals():
    records, problems = invoices("quickbooks_invoice_list.csv")
    assert not problems
    assert [r.number for r in records] == ["1001", "1002", "1003", "1004"]
    assert [r.source.line for r in records] == [6, 7, 8, 9]
    got = by_number(records)
    assert got["1002"].client.name == "Riverside Dental, PC"
    assert (got["1002"].issued_on, got["1002"].amount) == (dt.date(2026, 1, 31), D("3400.50"))
    assert got["1002"].amount_paid == D("1500.00")  # amount less the open balance
    assert got["1001"].amount_paid == D("1200.00")
    assert got["1003"].amount == D("-150.00")  # a Credit Memo
    assert got["1004"].amount == D("980.00")  # "$980.00"


def test_quickbooks_transaction_list_takes_the_customer_from_its_group_rows():
    records, problems = invoices("quickbooks_transactions_by_customer.csv")
    assert not problems
    assert [(r.number, r.client.name, r.amount) for r in records] == [
        ("1001", "Acme Corp", D("1200.00")),
        ("1002", "Riverside Dental, PC", D("3400.50")),
        ("CM-7", "Riverside Dental, PC", D("-200.00")),
    ]


def test_quickbooks_payments_are_the_payment_rows_of_a_transaction_list():
    records, problems = payments("quickbooks_transactions_by_customer.csv")
    assert not problems
    assert [(r.client.name, r.paid_on, r.amount) for r in records] == [
        ("Acme Corp", dt.date(2026, 1, 20), D("1200.00")),
        ("Riverside Dental, PC", dt.date(2026, 2, 15), D("1000.00")),
        ("Riverside Dental, PC", dt.date(2026, 3, 1), D("500.00")),
    ]


# ---- Xero ------------------------------------------------------------------------------------------


def test_xero_line_items_are_one_invoice_and_credit_notes_are_negative():
    records, problems = invoices("xero_invoices.csv")
    assert not problems
    got = by_number(records)
    assert list(got) == ["INV-0041", "INV-0042", "CN-0007"]  # the draft and the voided one skipped
    assert (got["INV-0041"].amount, got["INV-0041"].issued_on) == (D("1440.00"), dt.date(2026, 1, 31))
    assert (got["INV-0041"].amount_paid, got["INV-0041"].paid_on) == (D("1440.00"), None)
    assert got["INV-0042"].amount_paid == D("1000.00")
    assert got["INV-0042"].client.emails == ("office@greenfield.example",)
    assert got["CN-0007"].amount == D("-120.00")


def test_xero_european_export_with_semicolons_decimal_commas_and_a_bom():
    records, problems = invoices("xero_invoices_semicolon_eu.csv")
    assert not problems
    assert [(r.number, r.amount) for r in records] == [("INV-0101", D("1815.00")), ("INV-0102", D("605.00"))]


def test_xero_import_template_stars_and_bills_are_understood():
    data = (
        b"*ContactName,*InvoiceNumber,*InvoiceDate,*DueDate,Total,Type\n"
        b"Acme,INV-1,2026-01-05,2026-02-04,100.00,ACCREC\n"
        b"Acme,CN-1,2026-01-06,2026-01-06,20.00,ACCRECCREDIT\n"
        b"Supplier Ltd,BILL-1,2026-01-07,2026-02-07,55.00,ACCPAY\n"
    )
    records, problems = invoices("template.csv", data)
    assert not problems
    assert [(r.number, r.amount) for r in records] == [("INV-1", D("100.00")), ("CN-1", D("-20.00"))]


# ---- FreshBooks ------------------------------------------------------------------------------------


def test_freshbooks_invoice_details_sums_the_lines_of_an_invoice():
    records, problems = invoices("freshbooks_invoice_details.csv")
    assert not problems
    got = by_number(records)
    assert list(got) == ["0000041", "0000042", "0000043", "0000045"]  # the draft skipped
    paid = got["0000041"]
    assert (paid.amount, paid.amount_paid, paid.paid_on) == (D("1017.00"), D("1017.00"), dt.date(2026, 2, 13))
    assert got["0000042"].disputed is True
    assert got["0000043"].amount_paid is None  # partial: how much is not in the export
    assert got["0000045"].issued_on == dt.date(2026, 2, 27)


# ---- Stripe ----------------------------------------------------------------------------------------


def test_stripe_invoices_in_major_units_keyed_by_their_id():
    records, problems = invoices("stripe_invoices.csv")
    assert not problems
    assert [r.key for r in records] == [
        "in_1QaZ7kLmN8pQr2StUvWx0001",
        "in_1QbB3mLmN8pQr2StUvWx0002",
        "in_1QdD1oLmN8pQr2StUvWx0004",
    ]
    paid = records[0]
    assert (paid.number, paid.amount, paid.currency) == ("8F2C1A7E-0001", D("499.00"), "USD")
    assert (paid.amount_paid, paid.paid_on) == (D("499.00"), dt.date(2026, 2, 27))
    assert paid.client.external_id == "cus_RtY5uIoP1aSdFg"
    assert records[2].due_on == records[2].issued_on  # charged automatically: no due date


def test_stripe_utc_times_count_in_the_firms_time_zone():
    records, _ = invoices("stripe_invoices.csv", time_zone="Europe/Warsaw")
    assert records[0].issued_on == dt.date(2026, 2, 1)  # 2026-01-31 23:30 UTC
    records, _ = invoices("stripe_invoices.csv")
    assert records[0].issued_on == dt.date(2026, 1, 31)


def test_stripe_payments_skip_failed_charges_and_give_refunds_as_negative_payments():
    records, problems = payments("stripe_payments.csv")
    assert not problems
    assert [(r.key, r.amount) for r in records] == [
        ("ch_3QaZ7kLmN8pQr2St0AbC0001", D("499.00")),
        ("ch_3QeE2pLmN8pQr2St0AbC0005", D("1000.00")),
        ("ch_3QeE2pLmN8pQr2St0AbC0005:refund", D("-250.00")),
    ]
    assert records[0].invoice_number == "in_1QaZ7kLmN8pQr2StUvWx0001"
    assert records[0].currency == "USD"


def test_a_stripe_charge_lost_in_a_dispute_is_taken_back_on_the_day_of_the_dispute_w7_d10():
    """Stripe's payments export carries `Disputed Amount`, `Dispute Status` and `Dispute Date (UTC)`:
    a dispute the firm *lost* took the money back (a negative payment on the dispute's day, so the
    invoice is not paid in full for D10); one won, or still open, leaves the payment as it is."""
    records, problems = payments("stripe_payments_disputes.csv", time_zone="Europe/Warsaw")
    assert not problems
    assert [(r.key, r.paid_on, r.amount) for r in records] == [
        ("ch_3RdA1aLmN8pQr2St0DsP0001", dt.date(2026, 2, 2), D("640.00")),
        ("ch_3RdA1aLmN8pQr2St0DsP0001:dispute", dt.date(2026, 3, 20), D("-640.00")),
        ("ch_3RdB2bLmN8pQr2St0DsP0002", dt.date(2026, 2, 3), D("1250.00")),  # won
        ("ch_3RdC3cLmN8pQr2St0DsP0003", dt.date(2026, 4, 2), D("300.00")),  # 23:45 UTC: 2 April in Warsaw
        ("ch_3RdC3cLmN8pQr2St0DsP0003:refund", dt.date(2026, 4, 2), D("-100.00")),
        ("ch_3RdC3cLmN8pQr2St0DsP0003:dispute", dt.date(2026, 4, 18), D("-200.00")),
        ("ch_3RdD4dLmN8pQr2St0DsP0004", dt.date(2026, 4, 5), D("90.00")),  # still open: not yet lost
        ("ch_3RdE5eLmN8pQr2St0DsP0005", dt.date(2026, 4, 6), D("75.00")),
    ]
    assert records[1].invoice_number == "in_1RdA1aLmN8pQr2StUvWx0001"
    assert sum(r.amount for r in records if r.key.startswith("ch_3RdA1a")) == 0


def test_a_lost_dispute_without_an_amount_takes_back_what_the_charge_still_held():
    data = (SAMPLES / "stripe_payments_disputes.csv").read_text().replace(",200.00,lost,", ",,lost,")
    records, problems = payments("stripe.csv", data.encode())
    assert not problems
    assert [r.amount for r in records if r.key == "ch_3RdC3cLmN8pQr2St0DsP0003:dispute"] == [D("-200.00")]


def test_xero_credit_notes_allocated_to_invoices_leave_nothing_owed_d10():
    """Xero's `InvoiceAmountPaid` counts payments only; a credit note allocated to an invoice lowers
    `InvoiceAmountDue` instead (and the invoice may be *Paid* with nothing paid). What is still owed
    is what the export says is due: the client of INV-0101 owes nothing, INV-0102 owes 100.00."""
    records, problems = invoices("xero_invoices_credit_notes_allocated.csv")
    assert not problems
    got = {r.number: (r.amount, r.amount_paid) for r in records}
    assert got == {
        "INV-0101": (D("600.00"), D("600.00")),  # settled by CN-0007
        "CN-0007": (D("-600.00"), D("-600.00")),  # fully allocated
        "INV-0102": (D("1200.00"), D("1100.00")),  # 800 paid + 300 credited: 100 owed
        "CN-0008": (D("-300.00"), D("-300.00")),
        "CN-0009": (D("-120.00"), None),  # credit not yet used
        "INV-0103": (D("480.00"), None),
    }
    owed = {r.number: r.amount - (r.amount_paid or 0) for r in records}
    assert owed["INV-0101"] + owed["CN-0007"] == 0
    assert owed["INV-0102"] == D("100.00")
    assert by_number(records)["INV-0102"].client.name == 'Redland "Corner" Café Ltd'


def test_stripe_invoices_paid_partly_by_customer_credit_or_a_credit_note_owe_only_amount_remaining():
    """Stripe applies the customer's credit balance and pre-payment credit notes before charging: an
    invoice is *paid* with `Amount Paid` below its `Total`, or with nothing paid at all. What it
    still owes is `Amount Remaining`."""
    records, problems = invoices("stripe_invoices_customer_credit.csv")
    assert not problems
    got = {r.number: (r.amount, r.amount_paid) for r in records}
    assert got == {
        "5B1D7C2A-0031": (D("200.00"), D("200.00")),  # 150 charged, 50 from the credit balance
        "5B1D7C2A-0032": (D("30.00"), D("30.00")),  # all from the credit balance
        "5B1D7C2A-0033": (D("400.00"), D("100.00")),  # credit note of 100 before payment, 300 owed
        "5B1D7C2A-0034": (D("500.00"), None),
    }
    assert by_number(records)["5B1D7C2A-0032"].paid_on == dt.date(2026, 3, 15)
    # The part settled without money, kept apart: a payments export will not list it.
    credited = {r.number: r.credited for r in records}
    assert credited == {
        "5B1D7C2A-0031": D("50.00"),
        "5B1D7C2A-0032": D("30.00"),
        "5B1D7C2A-0033": D("100.00"),
        "5B1D7C2A-0034": D("0"),
    }


def test_quickbooks_sub_customers_and_jobs_are_invoices_of_their_parent_customer():
    """QuickBooks names a sub-customer or job by its full name, `Parent:Job` (a customer's own name
    may not hold a colon), and a report grouped by customer nests a sub-customer's group, closed by
    its own `Total for …`, inside its parent's. The client is the parent customer either way, never
    a job that matches no client."""
    records, problems = invoices("quickbooks_open_invoices_sub_customers.csv", date_order="mdy")
    assert not problems
    assert [(r.number, r.client.name, r.amount) for r in records] == [
        ("1036", "Freeman Sporting Goods", D("477.50")),
        ("1028", "Freeman Sporting Goods", D("81.00")),
        ("1038", "Freeman Sporting Goods", D("1250.00")),
        ("1022", "Jeff's Jalopies", D("81.00")),
        ("1040", "Jeff's Jalopies", D("-20.00")),
    ]
    records, problems = invoices("quickbooks_invoice_list_sub_customers.csv")
    assert not problems
    assert [(r.number, r.client.name, r.amount_paid) for r in records] == [
        ("1036", "Freeman Sporting Goods", None),
        ("1028", "Freeman Sporting Goods", D("81.00")),
        ("1029", "Amy's Bird Sanctuary", None),
    ]


def test_a_quickbooks_open_invoices_report_customised_without_its_amount_column_says_how_to_add_it():
    """Open Invoices shows the columns chosen for it; with only "Open balance" left there is no
    invoice total (what the client was billed, W11), and the open balance alone would import each
    invoice as its unpaid rest. Refused with the missing column, the header line and the menu that
    puts it back; nothing is read."""
    with pytest.raises(FileUnreadable) as caught:
        invoices("quickbooks_open_invoices_without_amount.csv", date_order="mdy")
    assert caught.value.line == 5
    assert "'Amount' or 'Total' or 'Total amount'" in caught.value.reason
    assert "Customize → Rows/Columns → Change columns" in caught.value.reason


def test_quickbooks_payments_of_a_parent_and_of_its_sub_customers_are_the_parents():
    """In a Transaction List by Customer the parent's own rows come first, then each sub-customer's
    group inside it: every payment there is the parent customer's, and the next customer's group
    starts a new client."""
    records, problems = payments("quickbooks_transaction_list_sub_customers.csv", date_order="mdy")
    assert not problems
    assert [(r.client.name, r.paid_on, r.amount) for r in records] == [
        ("Freeman Sporting Goods", dt.date(2026, 1, 3), D("50.00")),
        ("Freeman Sporting Goods", dt.date(2026, 1, 25), D("477.50")),
        ("Freeman Sporting Goods", dt.date(2026, 1, 28), D("81.00")),
        ("Jeff's Jalopies", dt.date(2026, 1, 22), D("81.00")),
    ]
    records, problems = invoices("quickbooks_transaction_list_sub_customers.csv", date_order="mdy")
    assert not problems
    assert [(r.number, r.client.name) for r in records] == [
        ("1036", "Freeman Sporting Goods"),
        ("1028", "Freeman Sporting Goods"),
    ]


def test_a_report_without_totals_per_customer_takes_each_group_row_as_the_next_customer():
    data = (
        "Invoice List\n\n,Date,Transaction type,Num,Due date,Amount,Open balance\n"
        "Acme Corp,,,,,,\n,01/05/2026,Invoice,1,02/04/2026,100.00,0.00\n"
        "Beta Ltd,,,,,,\n,01/13/2026,Invoice,2,02/12/2026,200.00,200.00\n"
    )
    records, problems = invoices("report.csv", data.encode(), format="quickbooks")
    assert not problems
    assert [(r.number, r.client.name) for r in records] == [("1", "Acme Corp"), ("2", "Beta Ltd")]


# ---- presets and detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "kind", "preset"),
    [
        ("generic_invoices.csv", "invoices", None),
        ("xero_invoices.csv", "invoices", "xero"),
        ("freshbooks_invoice_details.csv", "invoices", "freshbooks"),
        ("stripe_invoices.csv", "invoices", "stripe"),
        ("stripe_payments.csv", "payments", "stripe"),
        ("generic_payments_two_parts.csv", "payments", None),
    ],
)
def test_detect_recognises_each_export_from_its_header(sample, kind, preset):
    header = (SAMPLES / sample).read_text("utf-8-sig").splitlines()[0].split(",")
    assert detect(header, kind) == preset


def test_detect_recognises_a_quickbooks_report_header():
    header = ["", "Date", "Transaction type", "Num", "Posting", "Memo/Description", "Account", "Split", "Amount"]
    assert detect(header, "invoices") == "quickbooks"
    assert detect(header, "payments") == "quickbooks"


def test_presets_describe_every_format():
    assert set(PRESETS) == {"generic", "quickbooks", "xero", "freshbooks", "stripe"}


def test_a_preset_without_a_payments_export_says_so():
    with pytest.raises(FileUnreadable) as caught:
        payments("xero_invoices.csv", format="xero")
    assert "no payments file" in caught.value.reason


def test_an_unknown_format_is_refused_with_the_known_ones():
    with pytest.raises(FileUnreadable) as caught:
        invoices("generic_invoices.csv", format="sage")
    assert "quickbooks" in caught.value.reason


def test_reading_a_file_twice_from_the_same_stream_leaves_it_open():
    stream = io.BytesIO((SAMPLES / "generic_invoices.csv").read_bytes())
    first = list(read_invoices(stream, "a.csv", ReadOptions(), Problems()))
    second = list(read_invoices(stream, "a.csv", ReadOptions(), Problems()))
    assert [r.key for r in first] == [r.key for r in second]


# ---- any bytes: records, problems or FileUnreadable, nothing else ---------------------------------

_VALID = [p.read_bytes() for p in sorted(SAMPLES.iterdir())]


def _read_all(data: bytes) -> None:
    for reader in (read_invoices, read_payments):
        for fmt in ("", "quickbooks", "stripe"):
            with contextlib.suppress(FileUnreadable):
                list(reader(io.BytesIO(data), "fuzz.csv", ReadOptions(format=fmt), Problems()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_give_problems_or_file_unreadable_never_a_traceback(data):
    _read_all(data)


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(_VALID)))
    for _ in range(draw(st.integers(1, 8))):
        choice = draw(st.integers(0, 3))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if choice == 0 and data:
            del data[pos : pos + draw(st.integers(1, 20))]
        elif choice == 1:
            data[pos:pos] = draw(st.sampled_from([b'"', b",", b";", b"\n", b"\x00", b"\xff", b"-", b"(", b"31/"]))
        elif choice == 2 and data:
            data[pos] = draw(st.integers(0, 255))
        else:
            data = data[:pos]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_valid_files_give_problems_or_file_unreadable_never_a_traceback(data):
    _read_all(data)


# ---- real exports as users bring them: re-saved, localised, cut and summed (issue 10 §2, §5) -------


def test_quickbooks_report_resaved_by_a_european_excel_in_cp1252_w7_w11():
    """QuickBooks Online (Ireland) Invoice List opened in Excel and saved as CSV on Windows: cp1252
    with € signs, `;`, decimal commas and thousands dots, `No.`/`Customer` headers, day-first dates,
    a memo over two lines, parentheses for the credit memo, two empty columns at the end, TOTAL and
    a footer without am/pm."""
    records, problems = invoices("quickbooks_invoice_list_excel_eu_cp1252.csv")
    assert not problems
    assert [(r.number, r.source.line) for r in records] == [("2041", 6), ("2042", 8), ("2043", 9), ("2044", 10)]
    got = by_number(records)
    assert got["2041"].client.name == "Ó Briain Veterinary"
    assert (got["2041"].issued_on, got["2041"].amount, got["2041"].amount_paid) == (
        dt.date(2026, 1, 14),
        D("1845.00"),
        D("1845.00"),
    )
    assert (got["2042"].client.name, got["2042"].amount_paid) == ("Café Ruá Teoranta", D("1230.00"))  # paid in part
    assert got["2043"].amount == D("-246.00")  # "(246,00 €)" on a Credit Memo
    assert (got["2044"].amount, got["2044"].amount_paid) == (D("12300.50"), None)


def test_a_localised_report_header_is_named_in_the_problem_and_a_mapping_reads_it():
    """A QuickBooks report whose columns a French edition named: no preset knows them, so the problem
    lists the report's real columns (not its title line) at the header's line; the mapping reads it."""
    english = (SAMPLES / "quickbooks_invoice_list.csv").read_text()
    french = english.replace(
        "Date,Transaction type,Num,Name,Memo/Description,Due date,Amount,Open balance",
        "Date,Type de transaction,N°,Nom,Mémo/Description,Date d'échéance,Montant,Solde ouvert",
    ).encode()
    with pytest.raises(FileUnreadable) as caught:
        invoices("rapport.csv", french)
    assert caught.value.line == 5
    assert "'Solde ouvert'" in caught.value.reason and "Northwind" not in caught.value.reason
    mapping = {"number": "N°", "client": "Nom", "due_on": "Date d'échéance", "amount": "Montant"}
    records, problems = invoices("rapport.csv", french, format="quickbooks", mapping=mapping)
    assert not problems
    assert [(r.number, r.amount) for r in records] == [
        ("1001", D("1200.00")),
        ("1002", D("3400.50")),
        ("1003", D("-150.00")),
        ("1004", D("980.00")),
    ]


@pytest.mark.parametrize("total", ["Total", "TOTAL:", "Grand Total", "Total EUR", "Summe", "Razem", "Итого"])
def test_a_total_row_below_the_invoices_is_skipped_without_a_problem(total):
    data = f"client,number,issued_on,amount\nAcme,1,2026-01-02,10.00\nAcme,2,2026-01-03,20.00\n{total},,,30.00\n"
    records, problems = invoices("summed.csv", data.encode())
    assert not problems
    assert [r.number for r in records] == ["1", "2"]


def test_a_client_whose_name_starts_with_total_is_still_an_invoice_or_a_problem():
    data = b"client,number,issued_on,amount\nTotal Energies SA,T-1,2026-01-02,10.00\nTotal Energies SA,T-2,,10.00\n"
    records, problems = invoices("total.csv", data)
    assert [r.client.name for r in records] == ["Total Energies SA"]
    assert [(p.source.line, p.column) for p in problems] == [(3, "issued_on")]


def test_an_amount_alone_on_a_row_is_a_sum_not_a_payment():
    data = b"client,paid_on,amount\nAcme,2026-01-05,50.00\n,,50.00\n"
    records, problems = payments("sum.csv", data)
    assert not problems
    assert [r.amount for r in records] == [D("50.00")]


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("1/31/2026 23:30", dt.date(2026, 2, 1)),
        ("1/31/2026 11:30 PM", dt.date(2026, 2, 1)),
        ("1/31/2026 21:30", dt.date(2026, 1, 31)),
    ],
)
def test_stripe_utc_times_a_spreadsheet_rewrote_still_count_in_the_firms_zone(written, day):
    """Stripe's UTC timestamps re-saved by a US Excel ("1/31/2026 23:30"): still UTC, so 23:30 on
    31 January is 1 February in Warsaw, 21:30 is not."""
    original = (SAMPLES / "stripe_invoices.csv").read_text()
    resaved = original.replace("2026-01-31 23:30", written).replace("2026-02-28 10:00", "2/28/2026 10:00")
    records, problems = invoices("stripe.csv", resaved.encode(), time_zone="Europe/Warsaw")
    assert not problems
    assert records[0].issued_on == day


def test_stripe_unified_payments_export_refunds_partial_and_full_failed_skipped():
    """The newer Payments export (`Created date (UTC)` with seconds, `py_…` ids, `Status` Paid /
    Partially refunded / Refunded / Failed, `Captured`): each refund is a negative payment, a failed
    charge is none, a guest payment is matched by its e-mail address."""
    records, problems = payments("stripe_unified_payments.csv")
    assert not problems
    assert [(r.key, r.paid_on, r.amount) for r in records] == [
        ("py_3RaA1bCdEfGh0001", dt.date(2026, 2, 27), D("499.00")),
        ("py_3RbB2cDeFgHi0002", dt.date(2026, 3, 5), D("1000.00")),
        ("py_3RbB2cDeFgHi0002:refund", dt.date(2026, 3, 5), D("-250.00")),
        ("py_3RcC3dEfGhIj0003", dt.date(2026, 3, 6), D("80.00")),
        ("py_3RcC3dEfGhIj0003:refund", dt.date(2026, 3, 6), D("-80.00")),
        ("py_3ReE5fGhIjKl0005", dt.date(2026, 3, 11), D("120.00")),
    ]
    assert records[0].invoice_number == "in_1RaA1bCdEfGh0001"
    assert (records[0].client.external_id, records[0].currency) == ("cus_Sx1AbCdEfGh", "EUR")
    assert records[-1].client.emails == ("ana@ruiz.example",) and not records[-1].client.name


def test_stripe_unified_payments_late_evening_utc_is_the_next_day_in_warsaw():
    records, _ = payments("stripe_unified_payments.csv", time_zone="Europe/Warsaw")
    assert records[-1].paid_on == dt.date(2026, 3, 12)  # 23:30 UTC on 11 March


def test_freshbooks_payments_collected_an_invoice_paid_in_two_parts_w7_d10():
    """FreshBooks' Payments Collected report: title lines, `Date, Client, Invoice #, Method,
    Description, Amount, Currency`, `$` and an asterisk (paid from a credit), the total per currency
    at the bottom, no newline after it."""
    records, problems = payments("freshbooks_payments_collected.csv")
    assert not problems
    assert [(r.invoice_number, r.paid_on, r.amount, r.method) for r in records] == [
        ("0000041", dt.date(2026, 2, 13), D("1017.00"), "Credit Card"),
        ("0000043", dt.date(2026, 2, 20), D("150.00"), "Check"),
        ("0000043", dt.date(2026, 3, 18), D("150.00"), "Bank Transfer"),
        ("0000045", dt.date(2026, 3, 20), D("60.00"), "Credit"),
    ]
    assert records[3].client.name == "Cedar & Stone, Inc."
    assert {r.currency for r in records} == {"CAD"}
    assert len({r.key for r in records}) == 4
    assert detect(["Date", "Client", "Invoice #", "Method", "Description", "Amount", "Currency"], "payments") == (
        "freshbooks"
    )


def test_freshbooks_invoice_details_with_a_client_column_is_recognised():
    header = ["Client", "Invoice #", "Date Issued", "Invoice Status", "Date Paid", "Line Total", "Currency"]
    assert detect(header, "invoices") == "freshbooks"


def _variants(data: bytes) -> dict[str, bytes]:
    """What happens to an export between the tool and Parting: line endings, a BOM, a title line, a
    last line without newline, a total row, empty trailing columns."""
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    body = text.rstrip("\n")
    import csv

    header = next(r for r in csv.reader(io.StringIO(text), delimiter=sep) if sum(1 for c in r if c.strip()) >= 3)
    where = next((i for i, c in enumerate(header) if c.strip().lower() in ("amount", "total", "line total")), 1)
    total = sep.join(["Total"] + [""] * (where - 1) + ["9999.00"])
    return {
        "crlf": text.replace("\n", "\r\n").encode(),
        "cr": text.replace("\n", "\r").encode(),
        "no final newline": body.encode(),
        "bom": b"\xef\xbb\xbf" + text.encode(),
        "title line": ("Exported from the accounts on 1 April 2026\n" + text).encode(),
        "total row": (body + "\n" + total + "\n").encode(),
        "empty columns": "\n".join(line + sep + sep if line else line for line in text.split("\n")).encode(),
    }


_PRESET_SAMPLES = [
    ("quickbooks_invoice_list.csv", invoices),
    ("quickbooks_sales_transactions.csv", invoices),
    ("quickbooks_sales_transactions.csv", payments),
    ("quickbooks_transactions_by_customer.csv", payments),
    ("xero_invoices.csv", invoices),
    ("xero_invoices_nz_four_decimals.csv", invoices),
    ("freshbooks_invoice_details.csv", invoices),
    ("freshbooks_payments_collected.csv", payments),
    ("stripe_invoices.csv", invoices),
    ("stripe_unified_payments.csv", payments),
    ("generic_invoices.csv", invoices),
    ("generic_payments_two_parts.csv", payments),
]


@pytest.mark.parametrize(("sample", "read"), _PRESET_SAMPLES)
def test_every_export_reads_the_same_after_what_happens_to_files_on_the_way(sample, read):
    expected, problems = read(sample)
    assert not problems
    for variant, data in _variants((SAMPLES / sample).read_bytes()).items():
        records, problems = read(sample, data)
        assert not problems, (variant, reasons(problems))
        assert [(r.key, r.amount) for r in records] == [(r.key, r.amount) for r in expected], variant


@pytest.mark.parametrize(("sample", "read"), _PRESET_SAMPLES)
def test_every_export_saved_by_excel_on_windows_with_euro_signs_reads_the_same(sample, read):
    """cp1252, `;`, decimal commas, and € before the amounts: what Excel on a European Windows writes."""
    import csv

    expected, _ = read(sample)
    text = (SAMPLES / sample).read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))

    def european(cell: str) -> str:
        import re

        if re.fullmatch(r"\*?-?\$?[\d,]*\.\d\d", cell.strip()):
            number = (
                cell.strip().replace("*", "").replace("$", "").replace(",", " ").replace(".", ",").replace(" ", ".")
            )
            return f"{number} €"
        return cell

    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([[european(c) for c in r] for r in rows])
    records, problems = read(sample, out.getvalue().encode("cp1252", errors="replace"))
    assert not problems, reasons(problems)
    in_cp1252 = [r.client.name.encode("cp1252", errors="replace").decode("cp1252") for r in expected]
    assert [(r.key, r.amount, r.client.name) for r in records] == [
        (r.key, r.amount, name) for r, name in zip(expected, in_cp1252, strict=True)
    ]


@pytest.mark.parametrize(
    "line",
    ["Café Lumière;L-1;31.01.2026;1.234,50 €", "Acme;L-1;31.01.2026;1.234,50 €", "Ó Briain;L-1;31.01.2026;€ 1.234,50"],
)
def test_a_cp1252_file_whose_only_other_letters_are_euro_signs_is_not_read_as_cyrillic(line):
    """Excel on Windows writes € as byte 0x80, which Cyrillic and DOS charsets read as a letter (А, Ђ,
    Ć, Ä): the file must still be read as the Windows charset it is."""
    data = f"client;number;issued_on;amount\r\n{line}\r\n".encode("cp1252")
    records, problems = invoices("eu.csv", data)
    assert not problems
    assert (records[0].client.name, records[0].amount) == (line.split(";")[0], D("1234.50"))


def test_quickbooks_sales_transactions_list_invoices_part_paid_credit_memo_and_the_rest_skipped():
    """Sales → All sales → Export to Excel, saved as CSV: `Date, Type, No., Customer, Memo, Due date,
    Balance, Total before sales tax, Sales tax, Total, Status`; payments, estimates, sales receipts
    and the voided invoice are not invoices; what is paid is the total less the balance."""
    records, problems = invoices("quickbooks_sales_transactions.csv")
    assert not problems
    assert [(r.number, r.amount, r.amount_paid) for r in records] == [
        ("1107", D("1500.00"), D("1500.00")),
        ("1108", D("2500.00"), D("1250.00")),  # partially paid
        ("1109", D("-75.00"), None),  # a credit memo not yet applied
        ("1111", D("640.00"), None),  # overdue
    ]
    assert records[1].client.name == "Greene, Ortiz & Pratt LLP"
    assert (records[1].issued_on, records[1].due_on) == (dt.date(2026, 4, 7), dt.date(2026, 5, 7))


def test_quickbooks_sales_transactions_list_payments_are_its_payment_rows():
    records, problems = payments("quickbooks_sales_transactions.csv")
    assert not problems
    assert [(r.client.name, r.paid_on, r.amount) for r in records] == [
        ("Harbor View Dental", dt.date(2026, 4, 3), D("1500.00")),
        ("Greene, Ortiz & Pratt LLP", dt.date(2026, 4, 21), D("1250.00")),
    ]


def test_a_running_balance_in_a_quickbooks_report_is_not_what_the_invoice_still_owes():
    """Customer Balance Detail's `Balance` adds up the rows; only the Sales list's `Balance` (beside
    `Total before sales tax`) is an invoice's own balance."""
    data = (
        b"Date,Transaction type,Num,Customer,Due date,Amount,Balance\n"
        b"01/15/2026,Invoice,1,Acme,02/14/2026,100.00,100.00\n"
        b"01/16/2026,Invoice,2,Acme,02/15/2026,50.00,150.00\n"
    )
    records, problems = invoices("balance_detail.csv", data)
    assert not problems
    assert [(r.number, r.amount_paid) for r in records] == [("1", None), ("2", None)]


# ---- the wrong file: a reason the user can act on, at its line ------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x00" * 40, "unpack it"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n",
            "calendar",
        ),
    ],
)
def test_a_zip_a_pdf_or_a_calendar_is_refused_saying_what_it_is(data, words):
    for read in (invoices, payments):
        with pytest.raises(FileUnreadable) as caught:
            read("export.csv", data)
        assert words in caught.value.reason and caught.value.line == 1


def test_an_invoices_file_chosen_as_payments_is_refused_not_read_as_one_payment_per_paid_invoice():
    with pytest.raises(FileUnreadable) as caught:
        payments("generic_invoices.csv")
    assert "invoices file" in caught.value.reason and caught.value.line == 1


def test_a_payments_file_chosen_as_invoices_says_it_is_a_payments_file():
    with pytest.raises(FileUnreadable) as caught:
        invoices("generic_payments_two_parts.csv")
    assert "payments file" in caught.value.reason


def test_a_bad_value_is_reported_with_file_line_column_and_reason():
    data = "\ufeffDate;Transaction type;No.;Customer;Due date;Amount;Open balance\r\n".encode()
    data += (
        "31/01/2026;Invoice;7;Acme;02/03/2026;12,50 €;0\r\n31/01/2026;Invoice;8;Acme;31/02/2026;1O,00;0\r\n".encode()
    )
    records, problems = invoices("acme.csv", data)
    assert [r.number for r in records] == ["7"]
    assert sorted(str(p) for p in problems) == [
        "acme.csv, line 3, column 'Amount': '1O,00' is not an amount",
        "acme.csv, line 3, column 'Due date': '31/02/2026' is not a date",
    ]


@pytest.mark.parametrize(
    ("decimal", "written", "amount"),
    [
        (".", "-$1,500.00", D("-1500.00")),
        (".", "($150.00)", D("-150.00")),
        (".", "*$150.00", D("150.00")),
        (".", "US$ 12.00", D("12.00")),
        (".", "1,234.50 руб.", D("1234.50")),
        (".", "350.00 ₪", D("350.00")),
        (".", "1'234.50", D("1234.50")),
        (".", "10-", D("-10")),
        (",", "1 234,50 zł", D("1234.50")),
        (",", "(1.000,00 €)", D("-1000.00")),
        (",", "-€ 99,00", D("-99.00")),
        (",", "12,50 lei", D("12.50")),
    ],
)
def test_amounts_with_currency_signs_words_and_negatives_as_exports_write_them(decimal, written, amount):
    from parting.imports.text import AmountColumn

    assert AmountColumn("Amount", decimal=decimal).parse(written) == amount


@pytest.mark.parametrize("written", ["1O,00", "1O.00", "10.0O", "(10.00", "12%", "N/A", "$", "1.2.3"])
def test_a_letter_inside_an_amount_is_not_read_as_a_smaller_amount(written):
    """'1O,00' typed with a letter O must be a problem, not 1,00."""
    from parting.imports.text import AmountColumn, AmountError

    with pytest.raises(AmountError):
        AmountColumn("Amount", decimal="," if "," in written else ".").parse(written)


def test_xero_export_with_four_decimals_multiline_cells_and_no_final_newline_w7_w11():
    """Xero (New Zealand) writes amounts with four decimals (2300.0000), dates day first, addresses
    and descriptions that hold line breaks; a part-paid invoice keeps what is still due, a credit note
    is negative, a voided invoice is skipped."""
    records, problems = invoices("xero_invoices_nz_four_decimals.csv")
    assert not problems
    assert [(r.number, r.amount, r.amount_paid, r.currency) for r in records] == [
        ("INV-0310", D("2300.0000"), D("1150.0000"), "NZD"),
        ("CN-0311", D("-115.0000"), None, "NZD"),
        ("INV-0313", D("460.0000"), D("460.0000"), "NZD"),
    ]
    assert (records[0].issued_on, records[0].due_on) == (dt.date(2026, 2, 3), dt.date(2026, 3, 20))
    assert records[0].client.name == "Kōwhai Landscapes Ltd"
    assert [r.source.line for r in records] == [2, 7, 10]  # the two rows of INV-0310 span lines 2–6


def test_quickbooks_sales_by_customer_detail_adds_an_invoices_product_lines_up_w11():
    """Sales by Customer Detail lists one row per product or service sold: consecutive rows of one
    invoice number are one invoice whose amount is their sum; its running Balance is not a balance due."""
    records, problems = invoices("quickbooks_sales_by_customer_detail.csv")
    assert not problems
    assert [(r.number, r.client.name, r.amount, r.amount_paid) for r in records] == [
        ("3101", "Bayview Dental Clinic", D("1050.00"), None),
        ("3107", "Bayview Dental Clinic", D("750.00"), None),
        ("3110", "Bayview Dental Clinic", D("-100.00"), None),
        ("3115", "Pine, Oak & Birch Realty", D("1400.00"), None),
    ]
    assert records[0].source.line == 7


@pytest.mark.parametrize(
    ("sample", "read"),
    [(s, r) for s, r in _PRESET_SAMPLES if not s.startswith("quickbooks") and "payments_collected" not in s],
)
def test_columns_in_another_order_and_extra_columns_read_the_same(sample, read):
    """A user who reordered the columns or added their own (with quoted, multi-line notes) before
    saving: the columns are found by their names."""
    import csv
    import random

    expected, _ = read(sample)
    rows = list(csv.reader(io.StringIO((SAMPLES / sample).read_text("utf-8-sig"))))
    order = list(range(len(rows[0])))
    random.Random(sample).shuffle(order)
    moved = [[row[i] if i < len(row) else "" for i in order] for row in rows]
    moved[0] += ["Our notes", "Checked"]
    for row in moved[1:]:
        row += ['Called twice,\n"no answer"', "yes"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(moved)
    records, problems = read(sample, out.getvalue().encode())
    assert not problems, reasons(problems)
    assert [(r.key, r.amount, r.client) for r in records] == [(r.key, r.amount, r.client) for r in expected]


@pytest.mark.parametrize(
    "written", ["31 Jan 2026", "31-Jan-2026", "31-Jan-26", "31 January 2026", "Jan 31, 2026", "2026-01-31"]
)
def test_dates_with_month_names_as_xero_writes_them_and_excel_rewrites_them(written):
    """Xero writes `31 Jan 2026` in some exports; Excel, recognising it, saves it back as `31-Jan-26`."""
    data = f'client,number,issued_on,amount\nAcme,N-1,"{written}",10.00\n'.encode()
    records, problems = invoices("named.csv", data)
    assert not problems
    assert records[0].issued_on == dt.date(2026, 1, 31)


def test_a_mapping_reads_another_tools_export_with_its_balance_and_row_types():
    """An export of a tool without a preset (here a Wave-like invoice list): mapped by the user, its
    balance due gives what was paid, its row type tells credit notes and skips estimates."""
    data = (
        b"Invoice Number;Customer;Invoice Date;Total;Amount Due;Kind\r\n"
        b"W-1;Acme;2026-01-05;1.000,00;400,00;Invoice\r\n"
        b"W-2;Acme;2026-01-06;150,00;150,00;Credit note\r\n"
        b"W-3;Acme;2026-01-07;99,00;99,00;Estimate\r\n"
    )
    mapping = {
        "number": "Invoice Number",
        "client": "Customer",
        "issued_on": "Invoice Date",
        "amount": "Total",
        "amount_due": "Amount Due",
        "type": "Kind",
    }
    records, problems = invoices("wave.csv", data, mapping=mapping)
    assert not problems
    assert [(r.number, r.amount, r.amount_paid) for r in records] == [
        ("W-1", D("1000.00"), D("600.00")),
        ("W-2", D("-150.00"), None),
    ]


def test_a_type_column_of_another_meaning_is_not_read_without_a_mapping():
    data = b"client,number,issued_on,amount,type\nAcme,T-1,2026-01-05,10.00,consulting\n"
    records, problems = invoices("typed.csv", data)
    assert not problems and [r.number for r in records] == ["T-1"]


def test_a_payment_mapping_reads_refunds_and_skips_failed_payments():
    data = b"Who,When,Paid,Refunded,State\nAcme,2026-01-05,50.00,20.00,succeeded\nAcme,2026-01-06,70.00,0,failed\n"
    mapping = {"client": "Who", "paid_on": "When", "amount": "Paid", "refunded": "Refunded", "status": "State"}
    records, problems = payments("pay.csv", data, mapping=mapping)
    assert not problems
    assert [r.amount for r in records] == [D("50.00"), D("-20.00")]


def test_a_mapping_naming_a_field_payments_lack_lists_the_fields_they_have():
    with pytest.raises(FileUnreadable) as caught:
        payments("generic_payments_two_parts.csv", mapping={"due_on": "method"})
    assert "due_on" in caught.value.reason and "refunded" in caught.value.reason


@pytest.mark.parametrize(("sample", "read"), _PRESET_SAMPLES)
def test_excel_unicode_text_utf16_tab_separated_reads_the_same(sample, read):
    """Excel's "Unicode Text" save: UTF-16 with a BOM, tabs between the cells."""
    import csv

    rows = list(csv.reader(io.StringIO((SAMPLES / sample).read_text("utf-8-sig"))))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    records, problems = read(sample, out.getvalue().encode("utf-16"))
    expected, _ = read(sample)
    assert not problems, reasons(problems)
    assert [(r.key, r.amount, r.client, r.source.line) for r in records] == [
        (r.key, r.amount, r.client, r.source.line) for r in expected
    ]


def test_us_dates_a_european_spreadsheet_rewrote_are_one_problem_not_swapped_months():
    """A US QuickBooks report opened in Excel set to a European region: the dates it could read
    (01/05/2026) became 01.05.2026 — the 1st of May — while 01/31/2026 stayed text. Reading on would
    swap day and month without a word: the column is one problem that says what happened."""
    data = (
        b"Date,Transaction type,Num,Name,Due date,Amount,Open balance\r\n"
        b"01/31/2026,Invoice,1,Acme,03/02/2026,100.00,0.00\r\n"
        b"05.01.2026,Invoice,2,Acme,04.02.2026,200.00,0.00\r\n"
    )
    records, problems = invoices("resaved.csv", data)
    assert records == []
    assert {p.column for p in problems} == {"Date", "Due date"}
    assert all("spreadsheet" in p.reason and p.source.line == 1 for p in problems)


def test_a_due_date_column_all_dotted_beside_month_first_invoice_dates_is_the_same_problem():
    data = (
        b"client,number,issued_on,due_on,amount\r\n"
        b"Acme,1,01/31/2026,03.02.2026,100.00\r\n"
        b"Acme,2,01/20/2026,04.02.2026,100.00\r\n"
    )
    records, problems = invoices("resaved.csv", data)
    assert records == [] and [p.column for p in problems] == ["due_on"]


def test_dotted_dates_beside_day_first_slashes_are_read():
    data = b"client,number,issued_on,due_on,amount\r\nAcme,1,31/01/2026,03.02.2026,100.00\r\n"
    records, problems = invoices("eu.csv", data)
    assert not problems and records[0].due_on == dt.date(2026, 2, 3)


def test_a_column_mixing_decimal_points_and_commas_is_one_problem_and_no_amount_is_guessed():
    data = (
        b"client;number;issued_on;amount\nAcme;1;2026-01-05;150,00\nAcme;2;2026-01-05;150.00\nAcme;3;2026-01-05;99,50\n"
    )
    records, problems = invoices("mixed.csv", data)
    assert [str(p) for p in problems] == [
        "mixed.csv, line 1, column 'amount': the column mixes decimal points and decimal commas "
        "(1 value with a point, 2 with a comma); correct the file"
    ]
    assert [(r.number, r.amount) for r in records] == [("1", D("150.00")), ("3", D("99.50"))]


@pytest.mark.parametrize(
    ("written", "home", "currency"),
    [
        ("£1,200.00", "EUR", "GBP"),
        ("1 234,50 zł", "EUR", "PLN"),
        ("12,50 lei", "EUR", "RON"),
        ("1,234.50 руб.", "EUR", "RUB"),
        ("350.00 ₪", "EUR", "ILS"),
        ('350 ש"ח', "EUR", "ILS"),
        ("(1.000,00 €)", "PLN", "EUR"),
        ("EUR 10", "PLN", "EUR"),
        ("10.00 usd", "EUR", "USD"),
        ("US$ 12.00", "CAD", "USD"),
        ("-$1,500.00", "EUR", "USD"),  # a dollar, to a firm in euros, is the US one
        ("*$150.00", "CAD", "CAD"),  # to a Canadian firm, its own
        ("10 kr", "SEK", "SEK"),
        ("10 kr", "EUR", ""),  # Swedish, Norwegian, Danish or Icelandic: the amount cannot say
        ("100", "EUR", ""),
        ("100 ABC", "EUR", ""),  # three letters that are no currency's code
    ],
)
def test_the_currency_an_amount_names_by_its_sign_word_or_code(written, home, currency):
    from parting.imports.text import currency_in

    assert currency_in(written, home) == currency


def test_invoices_and_payments_without_a_currency_column_take_the_currency_their_amounts_name():
    """A British client's invoices written "£1,200.00" in a firm that bills in euros are in pounds
    (they counted as 1,200 euros); a row whose amount names none is in the firm's currency."""
    data = (
        b"client,number,issued_on,amount\r\n"
        b'Tower Ltd,T-1,2026-01-05,"\xc2\xa31,200.00"\r\n'
        b"Tower Ltd,T-2,2026-02-05,\xe2\x82\xac300.00\r\n"
        b"Tower Ltd,T-3,2026-03-05,80.00\r\n"
    )
    records, problems = invoices("tower.csv", data, currency="EUR")
    assert not problems
    assert [(r.number, r.amount, r.currency) for r in records] == [
        ("T-1", D("1200.00"), "GBP"),
        ("T-2", D("300.00"), "EUR"),
        ("T-3", D("80.00"), "EUR"),
    ]
    paid = b"client,invoice_number,paid_on,amount,currency\r\nTower Ltd,T-1,2026-01-20,\xc2\xa3600.00,\r\nTower Ltd,T-1,2026-01-21,600.00,GBP\r\n"
    records, problems = payments("paid.csv", paid, currency="EUR")
    assert not problems
    assert [r.currency for r in records] == ["GBP", "GBP"]


def test_an_amount_with_an_unquoted_thousands_comma_is_refused_with_its_line_not_read_as_one():
    """ "1,200.00" without quotes in a comma-separated file is two values, 1 and 200.00: the row then
    has more values than the header has columns, and the amount was read as 1."""
    data = b"client,number,issued_on,amount\r\nTower Ltd,T-1,2026-01-05,80.00\r\nTower Ltd,T-2,2026-02-05,1,200.00\r\n"
    with pytest.raises(FileUnreadable) as refused:
        invoices("tower.csv", data)
    assert refused.value.line == 3
    assert "5 values but the header has 4 columns" in refused.value.reason and "','" in refused.value.reason


def test_empty_cells_past_the_last_column_are_no_extra_values():
    data = b"client,number,issued_on,amount\r\nTower Ltd,T-1,2026-01-05,80.00,,\r\nTower Ltd,T-2,2026-02-05,12.00, \r\n"
    records, problems = invoices("tower.csv", data)
    assert not problems and [r.amount for r in records] == [D("80.00"), D("12.00")]


def test_a_column_name_typed_with_a_line_break_reads_under_its_name_in_one_line():
    data = b'Customer,"Invoice\nNo",Date,Total\r\nAcme Corp,A-1,2026-01-05,100.00\r\nAcme Corp,A-2,2026-01-06,oops\r\n'
    mapping = {"client": "Customer", "number": "Invoice No", "issued_on": "Date", "amount": "Total"}
    records, problems = invoices("own.csv", data, mapping=mapping)
    assert [r.number for r in records] == ["A-1"]
    assert reasons(problems) == ["own.csv, line 4, column 'Total': 'oops' is not an amount"]


def test_a_stray_quote_in_a_title_line_does_not_hide_the_header_below():
    data = b'Acme "Q1 report\r\nclient,number,issued_on,amount\r\nAcme Corp,A-1,2026-01-05,100.00\r\n'
    records, problems = invoices("report.csv", data)
    assert [r.number for r in records] == ["A-1"] and not problems
