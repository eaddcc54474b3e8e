"""Invoices and payments from CSV exports: the generic columns (columns.GENERIC) and presets for
QuickBooks Online, Xero, FreshBooks and Stripe (issue 10, §2). What they take feeds W7 (payment
trouble: late payment, chasing, discounts), W8 (terms not respected), W9 (haggling over discounts),
W11 (revenue against trouble) and D10 (paid in full before parting).

Each reader reads a file in two streaming passes: the first scans the date and amount columns so
the order of day and month and the decimal separator are decided for a whole column (never per row;
ReadOptions.date_order / decimal override the scan), the second yields records. Bad rows are
reported to ``problems`` and skipped; a file that cannot be read at all raises FileUnreadable.

Conventions, the same in every format (docs/imports.md, "Invoices and payments"):

- A credit note (Xero ``ACCRECCREDIT`` / "Sales credit note", QuickBooks "Credit Memo", or a
  negative total) is an InvoiceRecord with a negative amount.
- An invoice without a due date falls due on its issue day; one due (or paid) before it is issued is
  refused.
- What an invoice export says was paid fills ``amount_paid`` (from a paid amount, or the total less
  the open balance) and ``paid_on`` when the export has a payment date; a status "Paid" without an
  amount means paid in full; a payment date without an amount means paid in full on that day. Where
  both are given, the total less the open balance wins when larger: credit notes and credit
  balances settle without being "paid".
- A Stripe charge lost in a dispute is taken back: a negative payment on the dispute's day.
- Drafts, voided and deleted invoices and supplier bills are not the client's debts: skipped
  without a problem.
- An invoice's key is its number; a payment's key is the export's payment id, else a hash of its
  content (client, invoice, day, amount, method), numbered when one file holds the same payment
  twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext_lazy

from parting.imports.i18n import gettext as _
from parting.imports.i18n import join, reason_of

from ..columns import GENERIC, KIND_NAMES, MAPPABLE, REQUIRED
from ..problems import FileUnreadable, Problems, Source
from ..records import ClientRef, InvoiceRecord, PaymentRecord, ReadOptions, content_key
from ..text import (
    MAX_HEADER_LINES,
    SAMPLE_BYTES,
    AmountColumn,
    AmountError,
    DateColumn,
    DateError,
    csv_rows,
    currency_in,
    either,
    quoted_records,
    refuse_other_formats,
    sniff_charset,
    sniff_delimiter,
    truthy,
)

HEADER_SEARCH_LINES = 30  # how far below the top a report's real header may be (QuickBooks title lines)


# ---- presets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """How one tool's export names and writes our fields.

    ``columns``: our field → the tool's column names, the first present wins. ``signature``: the
    columns (normalised) whose presence recognises the export. ``date_order``: the order the tool
    always writes, None when it follows the account's region (then the column is scanned).
    ``report``: a report with title lines above the header, customer group rows, "Total for …"
    rows and a footer (QuickBooks). ``line_items``: one row per invoice line, consecutive rows of
    one invoice number are one invoice; ``sum_lines``: its total is the sum of the line totals.
    ``utc_times``: dates are UTC timestamps, counted in the firm's time zone.
    """

    name: str
    kind: str
    label: str  # shown in problems: translated lazily, str() where formatted
    columns: dict[str, tuple[str, ...]]
    signature: tuple[frozenset[str], ...]
    date_order: str | None = None
    report: bool = False
    line_items: bool = False
    sum_lines: bool = False
    utc_times: bool = False


def _norm(name: str) -> str:
    """A column name as matched: case-insensitive, surrounding spaces and Xero's required-field star ignored."""
    return re.sub(r"\s+", " ", name.strip().lstrip("*").strip()).lower()


def _sig(*names: str) -> frozenset[str]:
    return frozenset(_norm(n) for n in names)


_QBO_DATE = ("Date", "Transaction date", "Invoice date", "Txn date")
_QBO_CUSTOMER = ("Customer", "Customer full name", "Customer name", "Name", "Client full name", "Client")

_SPECS: tuple[Preset, ...] = (
    Preset(
        name="quickbooks",
        kind="invoices",
        label=gettext_lazy(
            "QuickBooks Online: a report exported to CSV (Invoice List, Open Invoices, "
            "A/R Aging Detail, Transaction List by Customer)"
        ),
        columns={
            "client": _QBO_CUSTOMER,
            "client_email": ("Email", "Customer email", "Customer e-mail"),
            "number": ("Num", "No.", "Invoice no.", "Invoice #"),
            "issued_on": _QBO_DATE,
            "due_on": ("Due date",),
            "amount": ("Amount", "Total", "Total amount"),
            "amount_due": ("Open balance", "Balance due", "Balance"),
            # With multicurrency on, "Amount" and "Open balance" are in the company's home currency
            # and these in the invoice's own (its "Currency"); "Exchange rate" is home units per one.
            "foreign_amount": ("Foreign amount",),
            "foreign_amount_due": ("Foreign open balance",),
            "currency": ("Currency",),
            "fx_rate": ("Exchange rate",),
            "status": ("Status", "Invoice status", "Payment status"),
            "type": ("Transaction type", "Type"),
        },
        signature=(
            _sig("Transaction type", "Num"),
            _sig("Transaction type", "No."),  # UK and Australian editions write "No."
            _sig("Num", "Open balance"),
            _sig("No.", "Open balance"),
            _sig("Type", "No.", "Customer", "Balance", "Total"),
        ),
        report=True,
    ),
    Preset(
        name="quickbooks",
        kind="payments",
        label=gettext_lazy(
            "QuickBooks Online: payment rows of a report exported to CSV (Transaction List by Customer, "
            "Customer Balance Detail, Invoices and Received Payments)"
        ),
        columns={
            "client": _QBO_CUSTOMER,
            "client_email": ("Email", "Customer email"),
            "id": ("Num", "No.", "Ref no."),
            "paid_on": _QBO_DATE,
            "amount": ("Amount", "Total amount", "Total"),
            "currency": ("Currency",),
            "method": ("Payment method", "Method"),
            "type": ("Transaction type", "Type"),
        },
        signature=(
            _sig("Transaction type", "Num", "Amount"),
            _sig("Transaction type", "No.", "Amount"),  # UK and Australian editions
            _sig("Type", "No.", "Customer", "Balance", "Total"),
        ),
        report=True,
    ),
    Preset(
        name="xero",
        kind="invoices",
        label=gettext_lazy("Xero: Sales → Invoices → Export (one row per invoice line)"),
        columns={
            "client": ("ContactName",),
            "client_email": ("EmailAddress",),
            "number": ("InvoiceNumber",),
            "issued_on": ("InvoiceDate",),
            "due_on": ("DueDate",),
            "amount": ("Total",),
            "amount_paid": ("InvoiceAmountPaid",),
            "amount_due": ("InvoiceAmountDue",),
            "paid_on": ("FullyPaidOnDate",),
            "currency": ("Currency",),
            "status": ("Status",),
            "type": ("Type",),
        },
        signature=(_sig("ContactName", "InvoiceNumber", "InvoiceDate"),),
        line_items=True,
    ),
    Preset(
        name="freshbooks",
        kind="invoices",
        label=gettext_lazy("FreshBooks: Reports → Invoice Details → Export → CSV (one row per invoice line)"),
        columns={
            "client": ("Client Name", "Client", "Organization"),
            "client_email": ("Client Email", "Email"),
            "number": ("Invoice #", "Invoice Number"),
            "issued_on": ("Date Issued", "Issue Date"),
            "due_on": ("Date Due", "Due Date"),
            "paid_on": ("Date Paid",),
            "amount": ("Invoice Total", "Total"),
            "line_total": ("Line Total",),
            "amount_paid": ("Amount Paid", "Paid"),
            "amount_due": ("Outstanding", "Amount Outstanding"),
            "currency": ("Currency",),
            "status": ("Invoice Status", "Status"),
        },
        signature=(
            _sig("Client Name", "Invoice #", "Date Issued"),
            _sig("Client", "Invoice #", "Date Issued"),
            _sig("Organization", "Invoice #", "Date Issued"),
        ),
        line_items=True,
        sum_lines=True,
    ),
    Preset(
        name="freshbooks",
        kind="payments",
        label=gettext_lazy("FreshBooks: Reports → Payments Collected → Export (CSV)"),
        columns={
            "client": ("Client", "Client Name", "Organization"),
            "client_email": ("Client Email", "Email"),
            "invoice_number": ("Invoice #", "Invoice Number", "Invoice/Credit #", "Number"),
            "paid_on": ("Date", "Payment Date", "Date Paid"),
            "amount": ("Amount", "Amount Paid", "Payment Amount"),
            "currency": ("Currency", "Currency Code"),
            "method": ("Method", "Payment Method", "Payment Type"),
            "id": ("Payment ID", "Transaction ID"),
        },
        signature=(
            _sig("Client", "Invoice #", "Method", "Amount"),
            _sig("Client Name", "Invoice #", "Method", "Amount"),
            _sig("Client", "Invoice #", "Payment Method", "Amount"),
            _sig("Client", "Invoice Number", "Method", "Amount"),
            _sig("Payment Date", "Client Name", "Invoice Number", "Amount"),
            _sig("Client Name", "Invoice Number", "Payment Type", "Amount"),
        ),
    ),
    Preset(
        name="stripe",
        kind="invoices",
        label=gettext_lazy("Stripe: Dashboard → Invoices → Export (CSV)"),
        columns={
            "client": ("Customer Name", "Customer Description"),
            "client_email": ("Customer Email",),
            "client_id": ("Customer", "Customer ID"),
            "key": ("id", "Invoice ID"),
            "number": ("Number", "Invoice Number"),
            "issued_on": ("Date (UTC)", "Finalized At (UTC)", "Created (UTC)", "Created date (UTC)"),
            "due_on": ("Due Date (UTC)", "Due Date"),
            "paid_on": ("Paid At (UTC)",),
            "amount": ("Total", "Amount Due"),
            "amount_paid": ("Amount Paid",),
            "amount_due": ("Amount Remaining",),
            "currency": ("Currency",),
            "status": ("Status",),
        },
        signature=(_sig("id", "Amount Due", "Number"), _sig("id", "Amount Due", "Customer")),
        date_order="ymd",
        utc_times=True,
    ),
    Preset(
        name="stripe",
        kind="payments",
        label=gettext_lazy("Stripe: Dashboard → Payments → Export (CSV; one row per charge)"),
        columns={
            "client": ("Customer Name", "Customer Description", "Card Name"),
            "client_email": ("Customer Email",),
            "client_id": ("Customer ID", "Customer"),
            "id": ("id", "Payment ID", "Charge ID"),
            "invoice_number": ("Invoice ID", "Invoice Number"),
            "paid_on": ("Created date (UTC)", "Created (UTC)", "Created"),
            "amount": ("Amount",),
            "refunded": ("Amount Refunded",),
            "currency": ("Currency",),
            "status": ("Status",),
            "captured": ("Captured",),
            "method": ("Payment Source Type", "Card Brand", "Payment Method Type"),
            "disputed": ("Disputed Amount",),
            "dispute_status": ("Dispute Status",),
            "disputed_on": ("Dispute Date (UTC)",),
        },
        signature=(
            _sig("id", "Amount", "Amount Refunded"),
            _sig("id", "Created (UTC)", "Amount", "Captured"),
            _sig("id", "Created date (UTC)", "Amount", "Captured"),  # columns chosen in the export dialog
        ),
        date_order="ymd",
        utc_times=True,
    ),
)

PRESETS: dict[str, str] = {
    "generic": gettext_lazy("Parting's own columns (what `parting export` writes), or any file with a column mapping"),
    "quickbooks": gettext_lazy("QuickBooks Online reports exported to CSV (invoices, credit memos and payments)"),
    "xero": gettext_lazy("Xero sales invoice export (invoices and credit notes; no payments file)"),
    "freshbooks": gettext_lazy("FreshBooks Invoice Details report (invoices) and Payments Collected report (payments)"),
    "stripe": gettext_lazy("Stripe Dashboard exports of invoices and of payments"),
}
"""Format name → what it reads (translated lazily: str() where shown); ``detect`` finds the preset
from a header."""

_BY_KEY = {(p.name, p.kind): p for p in _SPECS}


def detect(header: list[str], kind: str) -> str | None:
    """The preset whose export has this header, for ``kind`` ("invoices" or "payments"); None: generic."""
    names = {_norm(h) for h in header if h}
    for preset in _SPECS:
        if preset.kind == kind and any(sig <= names for sig in preset.signature):
            return preset.name
    return None


def _generic(kind: str) -> Preset:
    columns = {name: (name,) for name in GENERIC[kind]}
    if kind == "invoices":
        columns["key"] = ("id",)  # the invoice's id in the tool it came from (what `parting export` writes)
    # Fields a mapping may name for another tool's export (columns.MAPPABLE); "type" and "status" are
    # read only when mapped, as a column of that name may mean something else and skip every row.
    auto = {"amount_due": ("amount_due", "balance_due"), "refunded": ("refunded", "amount_refunded")}
    for name in MAPPABLE.get(kind, ()):
        columns[name] = auto.get(name, ())
    return Preset(name="generic", kind=kind, label="generic", columns=columns, signature=())


# ---- opening a file: header, preset, columns ------------------------------------------------------


class _Window(io.RawIOBase):
    """The caller's stream seen from ``start`` on; closing it leaves the caller's stream open (a text
    wrapper closes what it wraps when it is collected)."""

    def __init__(self, base: BinaryIO, start: int = 0):
        self._base, self._start, self._pos = base, start, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        self._base.seek(self._start + self._pos)
        data = self._base.read(len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            self._pos = offset
        elif whence == 1:
            self._pos += offset
        else:
            self._base.seek(0, 2)
            self._pos = self._base.tell() - self._start + offset
        self._pos = max(self._pos, 0)
        return self._pos

    def tell(self) -> int:
        return self._pos


_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# A report's sums, as tools write them in the languages of Parting's firms: "Total", "TOTAL:", "Total for
# Acme", "Total USD", "Grand total", "Subtotal", "Summe", "Gesamt", "Razem", "Suma", "Итого", "Всего",
# "סה\"כ", "Totaal", "Totale".
_TOTAL = re.compile(
    r"^\s*(total\b.*|grand total\b.*|totals?:?|subtotal\b.*|sub-total\b.*|summe\b.*|gesamt\b.*|razem\b.*|suma\b.*"
    r"|итого\b.*|всего\b.*|סה\"כ.*|סך הכל.*|totaal\b.*|totale\b.*|total général.*)$",
    re.IGNORECASE,
)
_TOTAL_FOR = re.compile(r"^\s*total for\s+(.+?)\s*$", re.IGNORECASE)
_FOOTER = re.compile(r"(^(accrual|cash) basis\b)|(\b\d{1,2}:\d{2}\s*(am|pm)\b)", re.IGNORECASE)
_BASIS = re.compile(r"^(accrual|cash) basis\b", re.IGNORECASE)


@dataclass
class _Table:
    """An opened export: its preset, the file's column for each field, and two passes over its rows."""

    stream: BinaryIO
    name: str
    kind: str
    options: ReadOptions
    preset: Preset = field(init=False)
    cols: dict[str, str] = field(init=False, default_factory=dict)
    header: list[str] = field(init=False, default_factory=list)
    header_line: int = field(init=False, default=1)
    delimiter: str = field(init=False, default=",")
    _encoding: str = field(init=False, default="utf-8")
    _offset: int = field(init=False, default=0)
    _skipped_lines: int = field(init=False, default=0)
    _closing: set[str] = field(init=False, default_factory=set)  # groups a "Total for X" row closes
    line_items: bool = field(init=False, default=False)  # consecutive rows of one number are one invoice
    sum_lines: bool = field(init=False, default=False)  # … whose amount is the sum of the rows' amounts

    def open(self) -> None:
        self._find_header()
        self._choose_preset()
        self._resolve_columns()

    # the header may sit below a report's title lines
    def _find_header(self) -> None:
        self.stream.seek(0)
        sample = self.stream.read(SAMPLE_BYTES)
        self.stream.seek(0)
        refuse_other_formats(sample)
        encoding = self.options.encoding or sniff_charset(sample, self.options.language)
        bom = b""
        if encoding.replace("_", "-").lower() in ("utf-16", "utf16"):
            bom, encoding = sample[:2], "utf-16-le" if sample.startswith(b"\xff\xfe") else "utf-16-be"
        elif encoding.replace("_", "-").lower() in ("utf-8-sig", "utf8-sig"):
            bom, encoding = sample[:3] if sample.startswith(b"\xef\xbb\xbf") else b"", "utf-8"
        try:
            text = sample[len(bom) :].decode(encoding, errors="ignore")
        except LookupError:
            raise FileUnreadable(_("unknown character set %(encoding)s") % {"encoding": repr(encoding)}) from None
        self._encoding = encoding
        physical = _PHYSICAL_LINE.findall(text)[: HEADER_SEARCH_LINES + MAX_HEADER_LINES]
        # a header whose quoted names hold line breaks is one line here; its index counts physical lines
        records = [(first, "".join(physical[first : first + n])) for first, n in quoted_records(physical)]
        lines = [line for _first, line in records][:HEADER_SEARCH_LINES]
        wanted = self._header_test()
        prefix = ""
        # No line looks like a header we know (a report whose columns a localised tool renamed): the
        # first wide line below title lines of one cell is the header, so that the problem lists the
        # file's real columns rather than its title.
        fallback: tuple[int, int] | None = None
        titles = True
        for index, line in enumerate(lines):
            if index == len(lines) - 1 and len(lines) > 1 and not line.endswith(("\n", "\r")):
                break  # a line cut by the sample
            if line.strip():
                cells = _cells(line)
                names = {_norm(c) for c in cells if c.strip()}
                if wanted(names):
                    self._offset = len(bom) + len(prefix.encode(encoding, errors="replace"))
                    self._skipped_lines = records[index][0]
                    return
                if titles and len(names) >= 3:
                    if index:
                        fallback = (len(bom) + len(prefix.encode(encoding, errors="replace")), records[index][0])
                    titles = False
                elif len(names) >= 2:
                    titles = False
            prefix += line
        self._offset, self._skipped_lines = fallback or (len(bom), 0)

    def _header_test(self) -> Callable[[set[str]], bool]:
        fmt = (self.options.format or "").strip().lower()
        mapped = {_norm(c) for c in self.options.mapping.values() if c}
        presets = [p for p in _SPECS if p.kind == self.kind and (not fmt or p.name == fmt)]
        required = [_norm(f) for f in REQUIRED[self.kind]]

        def test(names: set[str]) -> bool:
            if len(names) < 2:
                return False
            if any(any(sig <= names for sig in p.signature) for p in presets):
                return True
            if mapped and mapped <= names:
                return True
            return fmt in ("", "generic") and set(required) <= names

        return test

    def check_complete(self) -> None:
        """Refuse a file that ends inside a quoted field (a truncated download): the csv module reads
        such a last field as if it were closed. An odd number of quotes is the cheap sign; a strict
        reading of the file then tells a truncation from a stray quote in an unquoted field."""
        if self._encoding.startswith("utf-16"):
            return
        self.stream.seek(self._offset)
        quotes = 0
        while chunk := self.stream.read(1 << 20):
            quotes += chunk.count(b'"')
        if quotes % 2 == 0:
            return
        window = io.BufferedReader(_Window(self.stream, self._offset))
        text = io.TextIOWrapper(window, encoding=self._encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=self.delimiter, strict=True)
        start = 1
        try:
            while True:
                start = reader.line_num + 1
                next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "end of data" in str(error):
                raise FileUnreadable(
                    _("the file ends inside a quoted field (truncated file?)"), line=start + self._skipped_lines
                ) from None
        finally:
            text.detach()

    def csv(self):
        window = io.BufferedReader(_Window(self.stream, self._offset))
        table = csv_rows(window, encoding=self._encoding)
        return table

    def _choose_preset(self) -> None:
        table = self.csv()
        self.header, self.delimiter = table.header, table.delimiter
        self.header_line = self._skipped_lines + 1
        fmt = (self.options.format or "").strip().lower()
        if fmt in ("", "auto"):
            found = detect(self.header, self.kind)
            self.preset = _BY_KEY[(found, self.kind)] if found else _generic(self.kind)
        elif fmt == "generic":
            self.preset = _generic(self.kind)
        elif (fmt, self.kind) in _BY_KEY:
            self.preset = _BY_KEY[(fmt, self.kind)]
        elif fmt in PRESETS:
            raise FileUnreadable(
                _(
                    "the %(format)s preset reads no %(kind)s file (%(description)s); "
                    "use the generic format with a column mapping"
                )
                % {"format": fmt, "kind": KIND_NAMES[self.kind], "description": PRESETS[fmt]}
            )
        else:
            known = ", ".join(sorted(PRESETS))
            raise FileUnreadable(
                _("unknown format %(format)s; the formats for %(kind)s are: %(known)s")
                % {"format": repr(fmt), "kind": KIND_NAMES[self.kind], "known": known}
            )

    def _resolve_columns(self) -> None:
        by_norm: dict[str, str] = {}
        for h in self.header:
            if h:
                by_norm.setdefault(_norm(h), h)
        for fld, candidates in self.preset.columns.items():
            for candidate in candidates:
                if _norm(candidate) in by_norm:
                    self.cols[fld] = by_norm[_norm(candidate)]
                    break
        unknown_fields = []
        for fld, column in self.options.mapping.items():
            if not column:
                continue
            if fld not in GENERIC[self.kind] and fld not in self.preset.columns:
                unknown_fields.append(fld)
                continue
            if _norm(column) not in by_norm:
                raise FileUnreadable(
                    _("the column %(column)s mapped to %(field)s is not in the file; its columns are: %(columns)s")
                    % {"column": repr(column), "field": repr(fld), "columns": _listing(self.header)},
                    line=self.header_line,
                )
            self.cols[fld] = by_norm[_norm(column)]
        if unknown_fields:
            raise FileUnreadable(
                _("the mapping names fields that %(kind)s do not have: %(unknown)s; the fields are: %(fields)s")
                % {
                    "kind": KIND_NAMES[self.kind],
                    "unknown": ", ".join(sorted(unknown_fields)),
                    "fields": ", ".join(
                        f for f in dict.fromkeys([*GENERIC[self.kind], *self.preset.columns]) if f != "key"
                    ),
                }
            )
        if (
            self.preset.name == "quickbooks"
            and _norm(self.cols.get("amount_due", "")) == "balance"
            and "total before sales tax" not in by_norm
            and "amount_due" not in self.options.mapping
        ):
            # "Balance" is what is still owed only in the Sales transactions list (beside "Total
            # before sales tax"); in a report (Customer Balance Detail) it is a running balance.
            del self.cols["amount_due"]
        self._refuse_the_other_kind(by_norm)
        self.line_items = self.preset.line_items
        self.sum_lines = self.preset.sum_lines and "amount" not in self.cols
        if self.preset.name == "quickbooks" and "product/service" in by_norm:
            # Sales by Customer Detail: a row per product or service sold, each with its own amount.
            self.line_items = self.sum_lines = True
        missing = [f for f in REQUIRED[self.kind] if f not in self.cols]
        if "amount" in missing and self.preset.sum_lines and "line_total" in self.cols:
            missing.remove("amount")
        who = ("client", "client_email", "client_id") + (("invoice_number",) if self.kind == "payments" else ())
        if not self.preset.report and not any(f in self.cols for f in who):
            missing.append("client")
        if missing:
            values = {"columns": join(", ", (self._names_for(f) for f in missing)), "header": _listing(self.header)}
            if self.preset.name == "generic":
                reason = _("required columns are missing: %(columns)s; the file's columns are: %(header)s") % values
            else:
                reason = _(
                    "required columns are missing (%(format)s): %(columns)s; the file's columns are: %(header)s"
                ) % {**values, "format": self.preset.label}
            if self.preset.report:
                # A QuickBooks report shows the columns chosen for it: Open Invoices, customised
                # down to "Open balance", has no invoice total to import.
                hint = _(
                    "in QuickBooks, add them to the report (Customize → Rows/Columns → Change columns), "
                    "run it again and export it"
                )
                reason = join("; ", (reason, hint))
            raise FileUnreadable(reason, line=self.header_line)

    def _refuse_the_other_kind(self, by_norm: dict[str, str]) -> None:
        """An invoices file chosen as payments reads as payments (it has a client, an amount and a
        payment date) and would give one payment per paid invoice: refuse it, and say what it is. A
        payments file chosen as invoices lacks their columns anyway; the problem says what it is."""
        if self.preset.name != "generic" or self.options.mapping:
            return
        if self.kind == "payments" and {"number", "issued_on"} <= set(by_norm) and "invoice_number" not in by_norm:
            raise FileUnreadable(
                _(
                    "this is an invoices file (it has the columns 'number' and 'issued_on'), not a payments file; "
                    "import it as invoices"
                ),
                line=self.header_line,
            )
        if self.kind == "invoices" and {"paid_on", "invoice_number"} <= set(by_norm) and "issued_on" not in by_norm:
            raise FileUnreadable(
                _(
                    "this is a payments file (it has the columns 'invoice_number' and 'paid_on'), not an invoices "
                    "file; import it as payments"
                ),
                line=self.header_line,
            )

    def _names_for(self, fld: str) -> str:
        names = self.preset.columns.get(fld, (fld,))
        if fld == "client" and "client_email" in self.preset.columns:
            names = names + self.preset.columns["client_email"]
        return either(repr(n) for n in names)

    def rows(self) -> Iterator[tuple[int, dict[str, str], str]]:
        """(line, values, group) for data rows, ``values`` being the stripped value of each field the
        file has: a report's group rows, totals and footer are skipped. ``group`` is the label of the
        group row above (a QuickBooks report groups by customer).

        A row's fields are picked by their positions with one ``itemgetter`` and stripped by ``map``:
        no per-column Python code runs for a row, which is most of a large import's reading time."""
        table = self.csv()
        fields = tuple(self.cols)
        get = itemgetter(*(table.header.index(self.cols[f]) for f in fields)) if fields else (lambda _row: ())
        if len(fields) == 1:
            get = (lambda one: lambda row: (one(row),))(get)
        groups: list[str] = []  # the group rows around this row: a customer, its sub-customers
        closing = self._closing  # the groups a "Total for …" closes, learnt in the first pass
        totals: set[str] = set()
        date_field = "issued_on" if "issued_on" in self.cols else "paid_on"
        key_fields = [f for f in ("number", "amount", "line_total") if f in self.cols]
        report = self.preset.report
        skipped = self._skipped_lines
        strip = str.strip
        for line, row in table.lists():
            values = dict(zip(fields, map(strip, get(row)), strict=True))
            day = values.get(date_field, "")
            if day[:1].isdigit() and not report:
                yield line + skipped, values, ""  # a dated row: neither a total nor a group line
                continue
            filled = [v.strip() for v in row if v and v.strip()]
            total = _TOTAL.match(day) if day else (filled and _TOTAL.match(filled[0]))
            if total and report and len(filled) == 1 and not _TOTAL_FOR.match(filled[0]):
                total = None  # a group row alone on its line, a customer named "Total Wine & More": no sums
            if total and not (values.get("number") and values.get("number") != filled[0]):
                closed = _TOTAL_FOR.match(filled[0]) if filled else None
                if closed:
                    label = closed.group(1).strip()
                    totals.add(label)
                    if label in groups:
                        del groups[groups.index(label) :]  # the group and those it nests
                continue  # "Total for …", "TOTAL": the report's sums
            if not day and not any(values.get(f) for f in _WHO_AND_WHICH) and any(values.get(f) for f in _SUMS):
                continue  # an amount alone, no date, client or number: a sum (a total per currency)
            if report and filled and _BASIS.match(filled[0]):
                # QuickBooks' footer, "Accrual basis Tuesday, 31 March 2026 05:01 PM GMT+01:00": unquoted,
                # its commas split it into cells, and a day-first date lands in a column of its own
                continue
            line += skipped
            if report and len(filled) == 1 and not any(values.get(f) for f in key_fields):
                if not _FOOTER.search(filled[0]):
                    # A group row: the customer of the rows below. A sub-customer's group sits inside
                    # its parent's, both closed by their "Total for …": the client is the outermost
                    # group still open. A group no total closes (a report without them) ends where the
                    # next group begins.
                    while groups and groups[-1] not in closing:
                        groups.pop()
                    groups.append(filled[0])
                continue
            yield line, values, groups[0] if groups else ""
        self._closing = totals


_WHO_AND_WHICH = ("client", "client_email", "client_id", "number", "key", "invoice_number", "id")
_SUMS = ("amount", "line_total", "amount_paid", "amount_due")


def _cells(line: str) -> list[str]:
    delimiter = sniff_delimiter(line)
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _listing(header: list[str]) -> str:
    shown = [repr(h) for h in header if h][:40]
    return ", ".join(shown) if shown else _("(none)")


# ---- columns of dates and amounts -----------------------------------------------------------------

_DATE_FIELDS = {"invoices": ("issued_on", "due_on", "paid_on"), "payments": ("paid_on", "disputed_on")}
_AMOUNT_FIELDS = {
    "invoices": (
        "amount",
        "line_total",
        "amount_paid",
        "amount_due",
        "discount_given",
        "fx_rate",
        "foreign_amount",
        "foreign_amount_due",
    ),
    "payments": ("amount", "refunded", "disputed"),
}
_PLAIN = re.compile(r"-?\d{1,9}(\.\d{1,6})?$")
_UTC_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}")
_LOCAL_STAMP = re.compile(r"^(\d{1,2}[./-]\d{1,2}[./-]\d{2,4})[ T,]+(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp][Mm])?$")


@dataclass
class _Columns:
    """The date and amount columns of a file, scanned then decided; what could not be decided is
    reported once per column and its rows are skipped without a second problem."""

    table: _Table
    problems: Problems
    dates: dict[str, DateColumn] = field(default_factory=dict)
    amounts: dict[str, AmountColumn] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)  # columns none of whose dates can be trusted

    def __post_init__(self) -> None:
        t = self.table
        order = t.options.date_order or (t.preset.date_order if t.preset.date_order in ("dmy", "mdy") else None)
        for f in _DATE_FIELDS[t.kind]:
            if f in t.cols:
                self.dates[f] = DateColumn(t.cols[f], order=order)
        for f in _AMOUNT_FIELDS[t.kind]:
            if f in t.cols:
                self.amounts[f] = AmountColumn(t.cols[f], decimal=t.options.decimal)

    def scan(self, chunk: int = 4_000) -> None:
        """Show every value of the date and amount columns to their column. Rows are taken in chunks
        and each column counts its distinct values (C-speed ``Counter``): an export repeats the same
        few hundred dates, so each is looked at once, with its count."""
        columns = [(f, c) for f, c in self.dates.items()] + [(f, c) for f, c in self.amounts.items()]
        if not columns:
            return
        rows = (values for _line, values, _group in self.table.rows())
        while batch := list(islice(rows, chunk)):
            for f, column in columns:
                for value, count in Counter(map(itemgetter(f), batch)).items():
                    column.scan(value, count)

    def decide(self) -> None:
        source = Source(self.table.name, self.table.header_line)
        undecided = []
        decided: set[str] = set()
        for f, column in self.dates.items():
            try:
                column.decide()
            except DateError as error:
                undecided.append((f, column, error))
                if column.rewritten:
                    decided.add("mdy")  # its slashed dates are month-first
                continue
            if column.day_first or column.month_first:
                decided.add(column.order or "")
        for f, column, error in undecided:
            if len(decided) == 1 and not (column.day_first and column.month_first) and not column.rewritten:
                column.order = next(iter(decided))  # exports write every date of a file one way
                try:
                    column.decide()  # dotted dates in a file whose others are month-first: rewritten
                    continue
                except DateError as again:
                    error = again
            self.broken.add(f)
            if column.rewritten:
                self.refused.add(f)
            self.problems.add(source, reason_of(error), column=column.name)
        if "mdy" in decided:
            for f, column in self.dates.items():
                if column.dotted and f not in self.broken:
                    # its own dates all dotted, the file's others month-first: the same rewriting
                    column.order = "mdy"
                    try:
                        column.decide()
                    except DateError as error:
                        self.broken.add(f)
                        self.refused.add(f)
                        self.problems.add(source, reason_of(error), column=column.name)
        seps = {c.decimal for c in self.amounts.values() if c.decimal}
        seps |= {s for c in self.amounts.values() for s, n in c.votes.items() if n and not c.votes[_other(s)]}
        hint = next(iter(seps)) if len(seps) == 1 else ("," if self.table.delimiter == ";" else ".")
        for f, column in self.amounts.items():
            try:
                column.decide(hint)
            except AmountError as error:
                self.problems.add(source, reason_of(error), column=column.name)
                self.broken.add(f)
                column.decimal = "." if column.votes["."] >= column.votes[","] else ","

    def date(self, f: str, value: str, errors: list[tuple[str, str]]) -> dt.date | None:
        """The date in ``value`` (None when empty); a bad one is appended to ``errors`` (with no reason
        when its column was already reported as undecided)."""
        value = value.strip()
        if not value or f not in self.dates:
            return None
        if f in self.refused:
            errors.append((self.dates[f].name, ""))  # reported once, at the header
            return None
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return dt.date.fromisoformat(value)  # ISO, the common case, at C speed
            except ValueError:
                pass
        column = self.dates[f]
        if self.table.preset.utc_times and _UTC_STAMP.match(value):
            day = _utc_day(value, self.table.options.time_zone)
            if day is not None:
                return day
        try:
            if self.table.preset.utc_times and (stamp := _LOCAL_STAMP.match(value)):
                # A UTC time a spreadsheet re-wrote in its region's format ("1/31/2026 23:30"): the
                # date as the column reads it, then the time, counted in the firm's zone.
                day = column.parse(stamp.group(1))
                hour, minute = int(stamp.group(2)), int(stamp.group(3))
                meridiem = (stamp.group(4) or "").lower()
                if meridiem and 1 <= hour <= 12:
                    hour = hour % 12 + (12 if meridiem == "pm" else 0)
                if hour < 24 and minute < 60:
                    return _utc_day(f"{day.isoformat()} {hour:02d}:{minute:02d}", self.table.options.time_zone) or day
                return day
            return column.parse(value)
        except DateError as error:
            errors.append((column.name, "" if f in self.broken else reason_of(error)))
            return None

    def amount(self, f: str, value: str, errors: list[tuple[str, str]]) -> Decimal | None:
        value = value.strip()
        if not value or f not in self.amounts:
            return None
        column = self.amounts[f]
        if f in self.broken and column.shows(value) not in (None, column.decimal):
            errors.append((column.name, ""))  # a column of mixed separators, reported once: not guessed
            return None
        if column.decimal == "." and _PLAIN.match(value):
            return Decimal(value)  # "1234.50": nothing to clean
        try:
            return column.parse(value)
        except AmountError as error:
            errors.append((column.name, reason_of(error)))
            return None


def _other(sep: str) -> str:
    return "," if sep == "." else "."


def _utc_day(value: str, zone: str) -> dt.date | None:
    """The day in the firm's zone of a UTC timestamp as Stripe writes it ("2026-01-31 23:30")."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" UTC", ""))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        zone_info = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone_info = ZoneInfo("UTC")
    try:
        return moment.astimezone(zone_info).date()
    except (OverflowError, ValueError):
        return moment.date()


# ---- shared row helpers ---------------------------------------------------------------------------

_EMAIL = re.compile(r"[^\s,;<>\"']+@[^\s,;<>\"']+\.[^\s,;<>\"']+")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_SKIP_STATUS = {"draft", "void", "voided", "deleted", "submitted", "awaiting approval", "cancelled", "canceled"}
_PAID_STATUS = {"paid", "auto-paid", "autopaid", "paid in full", "closed"}


# The group lines of QuickBooks' A/R Aging Detail: how late the rows are, never a customer.
_AGING_GROUP = re.compile(r"^\s*(current|\d+\s*-\s*\d+ days past due|\d+ or more days past due)\s*$", re.IGNORECASE)


def _client(table: _Table, row: dict[str, str], group: str) -> ClientRef:
    if group and _AGING_GROUP.match(group):
        group = ""  # a report whose customer column Parting does not know: the client is missing
    name = row.get("client", "") or group
    if table.preset.name == "quickbooks" and ":" in name:
        # QuickBooks names a sub-customer or job by its full name, "Parent:Job" (a colon cannot be part
        # of a customer's own name): the client is the parent customer.
        name = name.split(":", 1)[0].strip() or name
    return _client_ref(name, row.get("client_email", ""), row.get("client_id", ""))


@functools.lru_cache(maxsize=8192)
def _client_ref(name: str, email: str, external_id: str) -> ClientRef:
    """One ClientRef per way a file names a client (a file names the same clients on many rows)."""
    emails = tuple(dict.fromkeys(m.lower() for m in _EMAIL.findall(email)))
    return ClientRef(name=name, emails=emails, external_id=external_id)


def _currency(table: _Table, row: dict[str, str], errors: list[tuple[str, str]], amount: str = "") -> str:
    """The row's currency column; else the currency its amount's own text names (``£1,200.00``,
    ``350,00 zł``); else the firm's."""
    value = row.get("currency", "")
    if not value:
        if not amount or (amount[0].isdigit() and amount[-1].isdigit()):
            return table.options.currency  # "1234.50": no sign to read (most rows of a large file)
        return currency_in(amount, table.options.currency) or table.options.currency
    if _CURRENCY.match(value):
        return value.upper()
    errors.append(
        (
            table.cols["currency"],
            _("%(value)s is not a three-letter currency code (such as EUR)") % {"value": repr(value)},
        )
    )
    return ""


# Translated when a row needs them, not for every row (a gettext call per row was a tenth of a
# large import's time).
_NO_INVOICE_DATE = gettext_lazy("the invoice date is missing")
_NO_PAYMENT_DATE = gettext_lazy("the payment date is missing")


def _required_date(
    table: _Table, columns: _Columns, row: dict[str, str], f: str, missing, errors: list[tuple[str, str]]
) -> dt.date | None:
    value = row.get(f, "")
    if not value:
        errors.append((table.cols.get(f, ""), str(missing)))
        return None
    return columns.date(f, value, errors)


def _required_amount(
    table: _Table, columns: _Columns, row: dict[str, str], f: str, errors: list[tuple[str, str]]
) -> Decimal | None:
    value = row.get(f, "")
    if not value:
        errors.append((table.cols.get(f, ""), _("the amount is missing")))
        return None
    return columns.amount(f, value, errors)


def _report(problems: Problems, name: str, line: int, errors: list[tuple[str, str]]) -> None:
    for column, reason in errors:
        if reason:
            problems.add(Source(name, line), reason, column=column)


def _open(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems, kind: str) -> tuple[_Table, _Columns]:
    table = _Table(stream, name, kind, options)
    table.open()
    columns = _Columns(table, problems)
    columns.scan()
    table.check_complete()
    columns.decide()
    return table, columns


# ---- invoices --------------------------------------------------------------------------------------


@dataclass
class _Invoice:
    line: int
    client: ClientRef
    number: str
    issued_on: dt.date | None
    due_on: dt.date | None
    paid_on: dt.date | None
    amount: Decimal | None
    amount_paid: Decimal | None
    amount_due: Decimal | None
    currency: str
    status: str
    credit: bool
    fx_rate: Decimal | None = None
    disputed: bool = False
    discount_requested: bool = False
    discount_given: Decimal = Decimal("0")
    reminders_sent: int | None = None
    key: str = ""
    bad: bool = False


def _transaction(kind_value: str) -> str:
    """'invoice', 'credit', or 'other' (a bill, a payment, a journal entry…) from a type column."""
    t = kind_value.strip().lower()
    if not t:
        return "invoice"
    if t.startswith(("accpay", "bill", "purchase", "supplier", "vendor", "expense", "delayed")):
        return "other"  # QuickBooks' Delayed Charge and Delayed Credit post nothing until an invoice takes them
    if t.startswith("adjustment note"):
        return "credit"  # QuickBooks Online Australia's name for a credit memo
    if "credit" in t:
        return "credit"
    if "invoice" in t or t in ("accrec", "statement charge"):
        return "invoice"
    return "other"


def read_invoices(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[InvoiceRecord]:
    """Invoices and credit notes of an invoice export (see the module's docstring)."""
    table, columns = _open(stream, name, options, problems, "invoices")
    pending: _Invoice | None = None
    for line, row, group in table.rows():
        parsed = _parse_invoice(table, columns, problems, line, row, group)
        if parsed is None:
            continue
        if pending is not None and table.line_items and parsed.number == pending.number and parsed.number:
            summed = table.sum_lines
            if summed and parsed.amount is not None and pending.amount is not None:
                pending.amount += parsed.amount
            pending.bad = pending.bad or parsed.bad
            continue
        if pending is not None:
            record = _finish_invoice(table, problems, pending)
            if record is not None:
                yield record
        pending = parsed
    if pending is not None:
        record = _finish_invoice(table, problems, pending)
        if record is not None:
            yield record


def _parse_invoice(
    table: _Table, columns: _Columns, problems: Problems, line: int, row: dict[str, str], group: str
) -> _Invoice | None:
    transaction = _transaction(row.get("type", ""))
    if transaction == "other":
        return None
    status = row.get("status", "").lower()
    if status in _SKIP_STATUS:
        return None
    errors: list[tuple[str, str]] = []
    number = row.get("number", "") or row.get("key", "")
    if not number:
        errors.append((table.cols.get("number", ""), _("the invoice number is missing")))
    client = _client(table, row, group)
    if not client:
        errors.append((table.cols.get("client", table.cols.get("client_email", "")), _("the client is missing")))
    issued_on = _required_date(table, columns, row, "issued_on", _NO_INVOICE_DATE, errors)
    due_on = columns.date("due_on", row.get("due_on", ""), errors)
    paid_on = columns.date("paid_on", row.get("paid_on", ""), errors)
    amount_field = "amount" if "amount" in table.cols else "line_total"
    due_field = "amount_due"
    if row.get("foreign_amount"):  # in the invoice's currency, where the home currency's is beside it
        amount_field, due_field = "foreign_amount", "foreign_amount_due"
    amount = _required_amount(table, columns, row, amount_field, errors)
    amount_paid = columns.amount("amount_paid", row.get("amount_paid", ""), errors)
    amount_due = columns.amount(due_field, row.get(due_field, ""), errors)
    fx_rate = columns.amount("fx_rate", row.get("fx_rate", ""), errors)
    if amount_field == "foreign_amount" and amount_due is None and row.get("amount_due") and fx_rate:
        # only the home currency's open balance: in the invoice's currency at the invoice's rate
        home_due = columns.amount("amount_due", row["amount_due"], errors)
        if home_due is not None:
            amount_due = (home_due / fx_rate).quantize(Decimal("0.01"))
    discount_given = columns.amount("discount_given", row.get("discount_given", ""), errors)
    currency = _currency(table, row, errors, row.get(amount_field, ""))
    reminders: int | None = None
    raw_reminders = row.get("reminders_sent", "")
    if raw_reminders:
        if raw_reminders.isdigit() and len(raw_reminders) < 6:
            reminders = int(raw_reminders)
        else:
            errors.append(
                (
                    table.cols["reminders_sent"],
                    _("%(value)s is not a number of reminders") % {"value": repr(raw_reminders)},
                )
            )
    flags = {}
    for f in ("disputed", "discount_requested"):
        raw = row.get(f, "")
        flag = truthy(raw) if raw else False
        if flag is None:
            errors.append((table.cols[f], _("%(value)s is neither yes nor no") % {"value": repr(raw)}))
        flags[f] = bool(flag)
    if errors:
        _report(problems, table.name, line, errors)
        if number and table.line_items:
            return _Invoice(line, client, number, None, None, None, None, None, None, "", status, False, bad=True)
        return None
    return _Invoice(
        line=line,
        client=client,
        number=number,
        issued_on=issued_on,
        due_on=due_on,
        paid_on=paid_on,
        amount=amount,
        amount_paid=amount_paid,
        amount_due=amount_due,
        currency=currency,
        status=status,
        credit=transaction == "credit",
        fx_rate=fx_rate,
        disputed=flags["disputed"] or status == "disputed",
        discount_requested=flags["discount_requested"],
        discount_given=discount_given or Decimal("0"),
        reminders_sent=reminders,
        key=row.get("key", ""),
    )


def _finish_invoice(table: _Table, problems: Problems, inv: _Invoice) -> InvoiceRecord | None:
    if inv.bad or inv.issued_on is None or inv.amount is None:
        return None
    source = Source(table.name, inv.line)
    amount = inv.amount
    credit = inv.credit or amount < 0
    if credit:
        amount = -abs(amount)
    due_on = inv.due_on or inv.issued_on  # no due date: due on the day it is issued
    if due_on < inv.issued_on:
        problems.add(
            source,
            _("the invoice falls due (%(due)s) before it is issued (%(issued)s)")
            % {"due": due_on.isoformat(), "issued": inv.issued_on.isoformat()},
            column=table.cols.get("due_on", ""),
        )
        return None
    if inv.paid_on is not None and inv.paid_on < inv.issued_on:
        problems.add(
            source,
            _("the invoice is paid (%(paid)s) before it is issued (%(issued)s)")
            % {"paid": inv.paid_on.isoformat(), "issued": inv.issued_on.isoformat()},
            column=table.cols.get("paid_on", ""),
        )
        return None
    paid = inv.amount_paid
    credited = Decimal(0)
    if inv.amount_due is not None:
        # What the export says is still owed decides: a part settled by a credit note, the
        # customer's credit balance or an overpayment is not in the amount paid (Xero's
        # InvoiceAmountPaid, Stripe's Amount Paid) but no longer owed either.
        settled = max(abs(amount) - abs(inv.amount_due), Decimal(0))
        if paid is None:
            paid = settled
        elif settled > abs(paid):
            if not credit:
                credited = settled - abs(paid)  # settled without money: kept apart from the payments
            paid = settled
    if paid is None and (inv.status in _PAID_STATUS or inv.paid_on is not None) and inv.status != "partial":
        paid = abs(amount)  # "Paid" (or a payment date) without an amount: paid in full
    paid_on = inv.paid_on if inv.status != "partial" or inv.amount_paid is not None else None
    if paid is not None:
        paid = -abs(paid) if credit else paid
        if paid == 0:
            paid = None
            paid_on = None
    return InvoiceRecord(
        source=source,
        client=inv.client,
        number=inv.number,
        issued_on=inv.issued_on,
        due_on=due_on,
        amount=amount,
        currency=inv.currency or table.options.currency,
        amount_paid=paid,
        paid_on=paid_on if paid is not None else None,
        credited=credited if paid is not None else Decimal(0),
        status=inv.status,
        disputed=inv.disputed,
        discount_requested=inv.discount_requested,
        discount_given=inv.discount_given,
        reminders_sent=inv.reminders_sent,
        fx_rate=inv.fx_rate,
        key=inv.key or inv.number,
    )


# ---- payments --------------------------------------------------------------------------------------

_FAILED_PAYMENT = {
    "failed",
    "pending",
    "blocked",
    "canceled",
    "cancelled",
    "incomplete",
    "uncaptured",
    "requires_payment_method",
    "expired",
    "void",
    "voided",
    "deleted",
}


# Stripe's dispute statuses (the API's words, as the payments export writes them) whose money is gone.
_LOST_DISPUTE = {"lost"}


def read_payments(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[PaymentRecord]:
    """Payments received (refunds as negative amounts) of a payments export (see the module's docstring)."""
    table, columns = _open(stream, name, options, problems, "payments")
    seen: dict[str, int] = {}
    for line, row, group in table.rows():
        yield from _parse_payment(table, columns, problems, line, row, group, seen)


def _parse_payment(
    table: _Table,
    columns: _Columns,
    problems: Problems,
    line: int,
    row: dict[str, str],
    group: str,
    seen: dict[str, int],
) -> Iterator[PaymentRecord]:
    kind = row.get("type", "").lower()
    refund = False
    if kind:
        if "refund" in kind:
            refund = True
        elif "payment" not in kind:
            return  # an invoice, credit memo, journal entry… in a transaction list
    status = row.get("status", "").lower()
    captured = truthy(row.get("captured", "") or "yes")
    if status in _FAILED_PAYMENT or captured is False:
        return
    errors: list[tuple[str, str]] = []
    if captured is None:  # neither yes nor no: never counted as money received on a guess
        errors.append((table.cols["captured"], _("%(value)s is neither yes nor no") % {"value": repr(row["captured"])}))
    client = _client(table, row, group)
    invoice_number = row.get("invoice_number", "")
    if not client and not invoice_number:
        errors.append((table.cols.get("client", table.cols.get("client_email", "")), _("the client is missing")))
    paid_on = _required_date(table, columns, row, "paid_on", _NO_PAYMENT_DATE, errors)
    amount = _required_amount(table, columns, row, "amount", errors)
    refunded = columns.amount("refunded", row.get("refunded", ""), errors)
    lost: Decimal | None = None
    lost_on: dt.date | None = None
    if row.get("dispute_status", "").lower() in _LOST_DISPUTE:
        # A chargeback the firm lost: the bank took the money back, on the day of the dispute.
        lost = columns.amount("disputed", row.get("disputed", ""), errors)
        lost_on = columns.date("disputed_on", row.get("disputed_on", ""), errors)
    currency = _currency(table, row, errors, row.get("amount", ""))
    if errors or paid_on is None or amount is None:
        _report(problems, table.name, line, errors)
        return
    if table.preset.name == "quickbooks":
        amount = -abs(amount) if refund else abs(amount)  # reports sign payments either way
    method = row.get("method", "")
    own_id = row.get("id", "")
    if own_id and table.preset.name != "quickbooks":
        key = own_id
    else:
        # keyed with the currency column, or the firm's, as before a sign in the amount named one:
        # payments imported before then keep their key (read again, their currency is corrected)
        keyed = row.get("currency", "").upper() or table.options.currency
        key = content_key("payment", client.label().lower(), invoice_number, paid_on, amount, keyed, own_id)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
    source = Source(table.name, line)
    if amount != 0:
        yield PaymentRecord(
            source=source,
            client=client,
            paid_on=paid_on,
            amount=amount,
            key=key,
            invoice_number=invoice_number,
            currency=currency or table.options.currency,
            method=method,
        )
    if refunded:
        yield PaymentRecord(
            source=source,
            client=client,
            paid_on=paid_on,  # the export gives no refund date: the day of the charge
            amount=-abs(refunded),
            key=f"{key}:refund",
            invoice_number=invoice_number,
            currency=currency or table.options.currency,
            method=method,
        )
    if lost is None and row.get("dispute_status", "").lower() in _LOST_DISPUTE:
        lost = amount - abs(refunded or 0)  # no disputed amount written: what the charge still held
    if lost:
        yield PaymentRecord(
            source=source,
            client=client,
            paid_on=max(lost_on or paid_on, paid_on),
            amount=-abs(lost),
            key=f"{key}:dispute",
            invoice_number=invoice_number,
            currency=currency or table.options.currency,
            method=method,
        )


READERS = {"invoices": read_invoices, "payments": read_payments}
