"""Normalised records: what every reader yields, whatever the tool that wrote the file.

A record names its client as the file does (``ClientRef``: a name, e-mail addresses, the export's
own id); the matcher (parting.imports.matching) finds the firm's client. Dates are ``date``s,
instants are aware ``datetime``s (UTC or with their zone), money is ``Decimal`` in the record's
currency. Each record carries ``key``: its natural key in the source (invoice number, payment id,
Message-ID, UID + RECURRENCE-ID, the export's own id, else a hash of its content), which makes
loading the same file twice add nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from .problems import Source


def content_key(*parts: object) -> str:
    """A stable key for a record whose source gives it no id: a SHA-256 of its content."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class ClientRef:
    """How a record names its client: any of a name, e-mail addresses (lower case), an external id."""

    name: str = ""
    emails: tuple[str, ...] = ()
    external_id: str = ""
    # True where ``name`` is a person's display name from a mail header ("Anna" <anna@…>), not a
    # client's name: it then names a client only that has no known address (see Matcher.match)
    person: bool = False

    def __bool__(self) -> bool:
        return bool(self.name or self.emails or self.external_id)

    def label(self) -> str:
        return self.name or (self.emails[0] if self.emails else self.external_id)


@dataclass(frozen=True, slots=True)
class ContactRecord:
    name: str
    email: str = ""
    phone: str = ""
    language: str = ""
    form_of_address: str = ""  # masculine / feminine / neutral; "" leaves the default
    honorific: str = ""
    is_primary: bool | None = None  # None: the first contact of a client is its primary one
    named: bool = True  # False where ``name`` only stands in (the client's name, the address): not a correction


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """A row of a clients CSV."""

    source: Source
    name: str
    key: str
    contacts: tuple[ContactRecord, ...] = ()
    domains: tuple[str, ...] = ()
    language: str = ""
    services: tuple[str, ...] = ()
    referral_source: str = ""
    referred_by: str = ""
    started_on: dt.date | None = None
    notes: str = ""
    status: str = ""  # "active" / "former"; "" leaves it as it is (new clients: active)
    assigned_to: str = ""  # the member who looks after the client: e-mail address or user name
    contacts_file: bool = False  # a row of a contacts file: it adds a contact, never a client of its own
    kind = "client"


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    """An invoice, or a credit note (``amount`` negative).

    ``amount`` is the total the client was asked to pay, taxes included. When the export tells what
    was paid but has no payment rows (``amount_paid``, ``paid_on``), the loader records one payment
    for it, which a later payments import replaces. ``credited`` is the part of ``amount_paid`` the
    export says was settled without money (an allocated credit note, the customer's credit balance):
    recorded as a payment of its own that a payments import does not replace, since no payments
    export lists it.
    """

    source: Source
    client: ClientRef
    number: str
    issued_on: dt.date
    due_on: dt.date
    amount: Decimal
    currency: str = ""
    amount_paid: Decimal | None = None
    paid_on: dt.date | None = None
    credited: Decimal = Decimal("0")
    status: str = ""  # the export's own status word, kept for the dry run's report
    disputed: bool = False
    discount_requested: bool = False
    discount_given: Decimal = Decimal("0")
    reminders_sent: int | None = None
    fx_rate: Decimal | None = None  # to the firm's currency; None: 1 when in the firm's currency
    key: str = ""
    kind = "invoice"


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """Money received against an invoice (negative: a refund). ``key`` is the export's payment id."""

    source: Source
    client: ClientRef
    paid_on: dt.date
    amount: Decimal
    key: str
    invoice_number: str = ""
    currency: str = ""
    method: str = ""
    kind = "payment"


class MeetingStatus:
    HELD = "held"
    CANCELLED_BY_CLIENT = "cancelled_by_client"
    CANCELLED_BY_US = "cancelled_by_us"
    NO_SHOW = "no_show"


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """One occurrence of a calendar event with the client.

    ``key`` is the UID plus the occurrence's RECURRENCE-ID (its original start). ``status``: one of
    MeetingStatus. ``cancelled_at`` is when the cancellation was made, where the file tells it
    (LAST-MODIFIED / DTSTAMP of the cancelled version): W4 counts short-notice cancellations.
    ``organizer`` and ``attendees`` are lower-case e-mail addresses; ``declined`` those whose
    PARTSTAT is DECLINED.
    """

    source: Source
    client: ClientRef
    key: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    subject: str = ""
    status: str = MeetingStatus.HELD
    cancelled_at: dt.datetime | None = None
    organizer: str = ""
    attendees: tuple[str, ...] = ()
    declined: tuple[str, ...] = ()
    all_day: bool = False
    minutes_late: int = 0
    kind = "meeting"


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One e-mail. Addresses are lower case. ``negative`` is the tone heuristic's verdict (W10) and
    ``summary`` the subject (bodies are not kept: docs/imports.md says what is)."""

    source: Source
    key: str  # the Message-ID without angle brackets, else a content hash
    sent_at: dt.datetime
    sender: str
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    negative: bool = False
    language: str = ""
    client: ClientRef = field(default_factory=ClientRef)
    channel: str = "email"  # generic CSV only: email / phone / chat / sms / other
    direction: str = ""  # "in" / "out"; "" lets the loader decide from the addresses
    to_senior: bool | None = None  # None lets the loader decide from the addresses (W3)
    kind = "message"


@dataclass(frozen=True, slots=True)
class TimeRecord:
    """Hours worked for a client on one day."""

    source: Source
    client: ClientRef
    date: dt.date
    hours: Decimal
    key: str
    billable: bool = True
    person: str = ""  # the name or e-mail address the tracker gives
    project: str = ""
    note: str = ""
    kind = "time"


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """Something the firm asked the client to deliver (W1, W14): generic CSV and exports only."""

    source: Source
    client: ClientRef
    description: str
    requested_on: dt.date
    due_on: dt.date
    key: str
    received_on: dt.date | None = None
    kind = "request"


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """A logged incident (W5, W6, W8, W9, W13, W15): generic CSV and exports only."""

    source: Source
    client: ClientRef
    incident_kind: str
    occurred_on: dt.date
    key: str
    hours_lost: Decimal = Decimal("0")
    note: str = ""
    kind = "incident"


@dataclass(frozen=True)
class ReadOptions:
    """What the user (or the loader, from the firm) tells a reader.

    ``format``: a preset's name ("quickbooks", "xero", "freshbooks", "stripe", "toggl", "harvest",
    "clockify", …); "" lets the reader detect it from the header, else read the generic columns.
    ``mapping``: our field → the file's column, from ``--map`` or the mapping saved for the firm.
    ``date_order``: "dmy" or "mdy" when the user said. ``decimal``: "." or ",". ``encoding``: forces
    a charset. ``currency``: the firm's, for rows that give none. ``time_zone``: the firm's, for
    times written without a zone. ``own_addresses`` / ``own_domains``: the firm's members' e-mail
    addresses and the firm's domains (lower case), to tell the firm's side from the client's.
    ``language``: that of the member who imports (their tools wrote the file): it settles a legacy
    charset the bytes alone leave open.
    """

    format: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    currency: str = "EUR"
    time_zone: str = "UTC"
    own_addresses: frozenset[str] = frozenset()
    own_domains: frozenset[str] = frozenset()
    language: str = ""
