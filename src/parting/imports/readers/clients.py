"""Clients from a CSV: our generic columns, Xero's contacts export or QuickBooks Online's customer
contact list; contacts from our own contacts CSV (``read_contacts``).

The client list is what the evidence is matched to (issue 10 §3: by e-mail address and domain, by
normalised name), and it carries what the decision needs: language of the letters (C-rules),
services (W12, no longer fits), referral source (D6), client since. docs/imports.md gives the menu
paths and the sources of the format facts below.

- **Generic** (``columns.GENERIC["clients"]``): name, status, email, contact, phone, language,
  domains, services, referral_source, referred_by, client_since, notes. ``email`` may hold several
  addresses separated by ``;``, ``,`` or spaces (the first is the contact's, each further one
  becomes a contact of its own, named by its address); ``domains`` likewise; ``services`` are
  separated by ``;`` or ``|``; ``language`` is a code (en, ru, pl, ro, he) or the language's name in
  English or in the language itself (Polish, polski …); ``client_since`` a date; ``status`` active,
  under_review, offboarding or former (empty: left as it is).
- **Xero**, Contacts → All contacts (or Customers) → Export: ``*ContactName, AccountNumber,
  EmailAddress, FirstName, LastName, PO…/SA… address columns, PhoneNumber, FaxNumber, MobileNumber,
  DDINumber, SkypeName, Bank…, TaxNumber, …, Website, LegalName, …``. The account number is the
  key when it is filled in; FirstName + LastName and EmailAddress become the contact; Website's host
  becomes a domain; the further people (``Person1FirstName, Person1LastName, Person1Email,
  Person1IncludeInEmail(s)`` … up to Person5) become contacts of their own. ContactStatus, where
  present: ARCHIVED → former; anything else leaves the status.
- **QuickBooks Online**, Reports → Customer Contact List → Export (to CSV, or to Excel then saved
  as CSV): title lines, then ``Customer, Phone Numbers, Email, Full Name, Billing Address`` (plus
  the columns the report was customised with). The title lines before the header and the report's
  footer (a date-and-time line) are skipped.

Key: the export's id (AccountNumber; generic ``id`` when mapped), else the normalised name (lower
case, spaces collapsed). A client twice in one file is a problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext_lazy

from parting.imports.i18n import gettext as _
from parting.imports.i18n import ngettext, reason_of

from ..columns import GENERIC, KIND_NAMES, REQUIRED
from ..problems import FileUnreadable, Problems, Source
from ..records import ClientRecord, ContactRecord, ReadOptions
from .generic import (
    MAX_LIST,
    RowProblem,
    Table,
    at_header,
    choice,
    column_key,
    not_an_address,
    read_date,
    read_flag,
    split_emails,
    split_people,
    total_row,
    words,
)

MAX_SERVICE = 120


@dataclass(frozen=True)
class Preset:
    name: str
    label: str  # shown in problems: translated lazily, str() where formatted
    columns: dict[str, tuple[str, ...]]
    statuses: dict[str, str] | None = None  # the export's status words → ours; None: our own words
    # An address book's rows are people: the client is the person's organisation (else the person),
    # and the people of one organisation, on rows of their own, are that client's contacts.
    people: bool = False


STATUSES = {
    "active": "active",
    "under_review": "under_review",
    "review": "under_review",
    "offboarding": "offboarding",
    "former": "former",
    "inactive": "former",
    "archived": "former",
}

XERO_PEOPLE = 5  # Xero's contacts export: up to five more people, Person1FirstName … Person5Email

_QBO_NAMES = ("Customer", "Customer full name", "Customer name", "Display Name", "Display name as")

# Column names people give the generic fields in their own spreadsheets (and FreshBooks' client
# export): read as the field when the file has no column of the field's own name.
SYNONYMS = {
    "name": ("client", "client name", "company", "company name", "organization", "organisation", "customer"),
    "email": ("e-mail", "email address", "e-mail address", "emails", "e-mails", "mail"),
    "contact": ("contact name", "contact person", "full name"),
    "phone": ("phone number", "telephone", "mobile"),
    "domains": ("domain", "website", "web site"),
    "language": ("lang",),
}

GOOGLE_EMAILS = 5  # E-mail 1 - Value … E-mail 5 - Value: more are rare, and each is one more contact address
OUTLOOK_EMAILS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")

PRESETS: dict[str, Preset] = {
    "generic": Preset(
        "generic",
        KIND_NAMES["clients"],
        {f: (f, *SYNONYMS.get(f, ())) for f in GENERIC["clients"]}
        | {
            "id": ("id",),
            "first_name": ("first name", "given name"),
            "last_name": ("last name", "surname", "family name"),
        },
        STATUSES,
    ),
    "google": Preset(
        "google",
        gettext_lazy("Google Contacts (Google CSV)"),
        {
            "organization": ("Organization Name", "Organization 1 - Name"),
            "full_name": ("Name",),
            "first_name": ("First Name", "Given Name"),
            "middle_name": ("Middle Name", "Additional Name"),
            "last_name": ("Last Name", "Family Name"),
            "phone": ("Phone 1 - Value",),
            "website": ("Website 1 - Value",),
            "language": ("Language",),
        }
        | {f"email{n}": (f"E-mail {n} - Value",) for n in range(1, GOOGLE_EMAILS + 1)},
        {},
        people=True,
    ),
    "outlook": Preset(
        "outlook",
        gettext_lazy("Outlook contacts (CSV)"),
        {
            "organization": ("Company",),
            "first_name": ("First Name",),
            "middle_name": ("Middle Name",),
            "last_name": ("Last Name",),
            "phone": ("Business Phone", "Mobile Phone", "Primary Phone", "Company Main Phone", "Home Phone"),
            "website": ("Web Page",),
        }
        | {f"email{n}": (column,) for n, column in enumerate(OUTLOOK_EMAILS, 1)},
        {},
        people=True,
    ),
    "xero": Preset(
        "xero",
        gettext_lazy("Xero contacts"),
        {
            "name": ("ContactName",),
            "id": ("AccountNumber",),
            "email": ("EmailAddress",),
            "first_name": ("FirstName",),
            "last_name": ("LastName",),
            "phone": ("PhoneNumber", "MobileNumber", "DDINumber"),
            "website": ("Website",),
            "status": ("ContactStatus",),
        }
        | {
            f"person{n}_{part}": (f"Person{n}{column}",)
            for n in range(1, XERO_PEOPLE + 1)
            for part, column in (("first_name", "FirstName"), ("last_name", "LastName"), ("email", "Email"))
        },
        {"archived": "former"},
    ),
    "quickbooks": Preset(
        "quickbooks",
        gettext_lazy("QuickBooks Online customer contact list"),
        {
            "name": _QBO_NAMES,
            "email": ("Email", "Email address"),
            "contact": ("Full Name",),
            "phone": ("Phone Numbers", "Phone", "Mobile"),
            "website": ("Website", "Website address"),
            "notes": ("Notes",),
        },
        {},
    ),
}

_QBO_MARKS = {"phone numbers", "full name", "billing address", "email", "phone", "email address"}


def detect(header: list[str]) -> str | None:
    """The preset whose export this header is, or None (the generic columns)."""
    names = {column_key(h) for h in header}
    if "contactname" in names:
        return "xero"
    if "e-mail 1 - value" in names:
        return "google"
    if "e-mail address" in names and names & {"first name", "last name"} and "company" in names:
        return "outlook"
    if names & {column_key(n) for n in _QBO_NAMES} and names & _QBO_MARKS:
        return "quickbooks"
    return None


def _preset(options: ReadOptions, header: list[str]) -> Preset:
    wanted = (options.format or "").strip().casefold()
    if wanted in ("qbo", "quickbooks_online"):
        wanted = "quickbooks"
    if wanted in PRESETS:
        return PRESETS[wanted]
    if wanted:
        raise FileUnreadable(
            _("%(format)s is not a clients format; choose one of %(formats)s")
            % {"format": repr(options.format), "formats": ", ".join(sorted(PRESETS))}
        )
    return PRESETS[detect(header) or "generic"]


# ---- values ----------------------------------------------------------------------------------------

LANGUAGES = {
    "en": ("en", "eng", "english", "angielski", "английский", "engleză", "engleza", "אנגלית"),
    "ru": ("ru", "rus", "russian", "русский", "rosyjski", "rusă", "rusa", "רוסית"),
    "pl": ("pl", "pol", "polish", "polski", "польский", "poloneză", "poloneza", "פולנית"),
    "ro": ("ro", "ron", "rum", "romanian", "română", "romana", "rumuński", "румынский", "רומנית"),
    "he": ("he", "heb", "iw", "hebrew", "עברית", "hebrajski", "иврит", "ebraică", "ebraica"),
}
_LANGUAGE = {word: code for code, words in LANGUAGES.items() for word in words}


def language_code(value: str) -> str:
    """en/ru/pl/ro/he from a code (also en-GB, pl_PL) or a language's name; ValueError otherwise."""
    v = value.strip().casefold()
    if not v:
        return ""
    code = _LANGUAGE.get(v) or _LANGUAGE.get(re.split(r"[-_]", v)[0])
    if not code:
        raise ValueError(
            _("%(value)s is not a language Parting writes letters in (en, ru, pl, ro or he)")
            % {"value": repr(value.strip())}
        )
    return code


_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def domain_of(value: str) -> str:
    """A domain as people write it (``@acme.pl``, ``https://www.acme.pl/``) → ``acme.pl``; ValueError
    when it is not a domain name."""
    v = value.strip().casefold()
    v = re.sub(r"^[a-z][a-z0-9+.-]*://", "", v)
    v = v.split("/", 1)[0].split("?", 1)[0].lstrip("@").rstrip(".")
    v = v.rsplit("@", 1)[-1].split(":", 1)[0]
    v = v.removeprefix("www.")
    try:
        ascii_name = v.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        raise ValueError(_not_a_domain(value)) from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(_not_a_domain(value))
    if labels[-1].isdigit():
        raise ValueError(_("%(value)s is an IP address, not a domain name") % {"value": repr(value.strip())})
    return v


def _not_a_domain(value: str) -> str:
    return _("%(value)s is not a domain name") % {"value": repr(value.strip())}


def website_domain(value: str) -> str:
    """A website's host, when the address is the site itself (not a page on someone else's site)."""
    v = value.strip()
    if not v:
        return ""
    rest = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", v)
    if "/" in rest.rstrip("/"):
        return ""
    try:
        return domain_of(v)
    except ValueError:
        return ""


def normalised_name(name: str) -> str:
    """A client's key when the export gives no id: its name without case, accents or punctuation,
    so "Acme S.R.L." and "ACME SRL" on two rows of one file are the same client twice — a problem —
    rather than two clients no later file could tell apart. Legal forms stay: "Acme" and "Acme Ltd"
    may be two clients of one firm (an export of such a firm must read back)."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]+", "", text).split()) or " ".join(name.split()).casefold()


_QBO_FOOTER = re.compile(
    r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day,\s*(?:\w+\.? \d{1,2},|\d{1,2}\.? \w+\.?,?)\s*\d{4}\b"
)


def _footer(row: dict[str, str]) -> bool:
    """A report's last lines, in any preset: a total row ('Total', 'TOTAL:', 'Razem' …, alone in its
    first filled cell and no e-mail address on the row), or the time a QuickBooks report was run
    ('Monday, October 6, 2026 04:33 AM GMT-07:00' in the US, 'Monday, 6 October 2026 …' elsewhere)."""
    values = [(v or "").strip() for v in row.values()]
    filled = [v for v in values if v]
    if not filled:
        return False
    if total_row(row):
        return True
    return bool(_QBO_FOOTER.match(", ".join(filled).casefold()))


def _phone(value: str) -> str:
    """QuickBooks lists numbers as 'Phone: 555-0100 Mobile: 555-0101': the first one."""
    v = re.sub(r"^(?:phone|mobile|main|work|home|fax|other)\s*:\s*", "", value.strip(), flags=re.I)
    return re.split(r"\s+(?:phone|mobile|main|work|home|fax|other)\s*:", v, flags=re.I)[0].strip()


# ---- clients ---------------------------------------------------------------------------------------


def read(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[ClientRecord]:
    """Clients from a generic, Xero or QuickBooks Online CSV."""
    start, skipped, options = at_header(stream, options)
    probe = Table(stream, options, {}, start=start, line_offset=skipped)
    preset = _preset(options, probe.header)
    candidates = dict(preset.columns)
    for extra in options.mapping:
        candidates.setdefault(extra, (extra,))
    table = Table(stream, options, candidates, start=start, line_offset=skipped)
    columns = table.columns
    if preset.people:
        _require_someone(columns, preset.label)
    else:
        columns.require(REQUIRED["clients"], candidates, preset.label)
    skip = _footer
    dates = table.scan_dates(("client_since",), skip=skip)
    seen: dict[str, int] = {}  # a client's key → its first line (and "\x00" + key → that row's content)

    for line, row in table.rows(problems, name, skip=skip):
        try:
            if preset.people:
                record = _person(columns, name, line, row, seen)
            else:
                record = _client(preset, columns, dates, name, line, row, seen)
        except RowProblem as problem:
            problems.add(Source(name, line), problem.reason, column=problem.column)
            continue
        if record is not None:
            yield record


def _client(
    preset: Preset, columns, dates, file: str, line: int, row: dict[str, str], seen: dict[str, int]
) -> ClientRecord | None:
    name = words(columns.get(row, "name"))
    if not name:
        # A customer without a name (common in Stripe, whose customers may be only an address) is
        # named after its first address; a row with neither names no one.
        addresses, _bad = split_emails(columns.get(row, "email")) if columns.has("email") else ([], [])
        if not addresses:
            raise RowProblem(_("the client's name is missing"), columns.name("name"))
        name = addresses[0]
    sub = ""
    if preset.name == "quickbooks" and ":" in name and name.split(":", 1)[0].strip():
        # "Parent:Job": a sub-customer or job of a QuickBooks customer (a colon cannot be part of a
        # customer's own name). The client is the parent; the row's people are its contacts.
        name, sub = (" ".join(part.split()) for part in name.split(":", 1))
    own = columns.get(row, "id")
    key = own or normalised_name(name)
    first = seen.setdefault(key, line)
    if first != line and sub:
        return _contacts_only(columns, row, file, line, name, key, sub)
    content = hash(tuple((column, (value or "").strip()) for column, value in row.items()))
    if first == line:
        seen[f"\x00{key}"] = content
    elif seen.get(f"\x00{key}") == content:
        return None  # the very same row again (a copy-paste, a list exported twice): nothing new
    else:
        if own:
            reason = _("the id %(id)s already appears on line %(line)d") % {"id": repr(own), "line": first}
        else:
            reason = _(
                "the client %(name)s already appears on line %(line)d; a client list has one row a client (for one "
                "row a person, import the file as contacts, or as Google Contacts or Outlook if it is one)"
            ) % {"name": repr(name), "line": first}
        raise RowProblem(reason, columns.where(row, "id" if own else "name"))

    try:
        language = language_code(columns.get(row, "language"))
    except ValueError as error:
        raise RowProblem(reason_of(error), columns.name("language")) from None

    people, bad = split_people(columns.get(row, "email"))
    if bad:
        raise RowProblem(not_an_address(bad[0]), columns.where(row, "email"))
    emails = [address for _person, address in people]
    if len(emails) > MAX_LIST:
        raise RowProblem(
            ngettext(
                "more than %(n)d e-mail address in one cell", "more than %(n)d e-mail addresses in one cell", MAX_LIST
            )
            % {"n": MAX_LIST},
            columns.where(row, "email"),
        )
    contact_name = " ".join(
        (columns.get(row, "contact") or f"{columns.get(row, 'first_name')} {columns.get(row, 'last_name')}").split()
    )
    phone = _phone(columns.get(row, "phone"))
    contacts: list[ContactRecord] = []
    if emails or contact_name or phone:
        given = contact_name or (people[0][0] if people else "")
        contacts.append(
            ContactRecord(
                name=given or name,
                email=emails[0] if emails else "",
                phone=phone,
                language=language,
                named=bool(given),
            )
        )
        contacts.extend(
            ContactRecord(name=person or address, email=address, language=language, named=bool(person))
            for person, address in people[1:]
        )
    contacts.extend(_more_people(columns, row, language, {e.casefold() for e in emails}))

    domains: list[str] = []
    raw_domains = columns.get(row, "domains")
    for part in re.split(r"[;,\s]+", raw_domains):
        if not part:
            continue
        try:
            domain = domain_of(part)
        except ValueError as error:
            raise RowProblem(reason_of(error), columns.where(row, "domains")) from None
        if domain not in domains:
            domains.append(domain)
    site = website_domain(columns.get(row, "website"))
    if site and site not in domains:
        domains.append(site)
    if len(domains) > MAX_LIST:
        raise RowProblem(
            ngettext("more than %(n)d domain in one cell", "more than %(n)d domains in one cell", MAX_LIST)
            % {"n": MAX_LIST},
            columns.where(row, "domains"),
        )

    services: list[str] = []
    for part in re.split(r"[;|]", columns.get(row, "services")):
        service = " ".join(part.split())
        if not service:
            continue
        if len(service) > MAX_SERVICE:
            raise RowProblem(
                ngettext(
                    "a service name is longer than %(n)d character",
                    "a service name is longer than %(n)d characters",
                    MAX_SERVICE,
                )
                % {"n": MAX_SERVICE},
                columns.name("services"),
            )
        if service.casefold() not in (s.casefold() for s in services):
            services.append(service)
    if len(services) > MAX_LIST:
        raise RowProblem(
            ngettext("more than %(n)d service in one cell", "more than %(n)d services in one cell", MAX_LIST)
            % {"n": MAX_LIST},
            columns.name("services"),
        )

    raw_status = columns.get(row, "status")
    status = ""
    if raw_status:
        statuses = preset.statuses if preset.statuses is not None else STATUSES
        status = statuses.get(choice(raw_status), None if statuses is STATUSES else "")
        if status is None:
            raise RowProblem(
                _("%(value)s is not a client status (active, under_review, offboarding or former)")
                % {"value": repr(raw_status)},
                columns.name("status"),
            )

    return ClientRecord(
        source=Source(file, line),
        name=name,
        key=key,
        contacts=tuple(contacts),
        domains=tuple(domains),
        language=language,
        services=tuple(services),
        referral_source=columns.get(row, "referral_source"),
        referred_by=" ".join(columns.get(row, "referred_by").split()),
        started_on=read_date(dates, columns, row, "client_since", required=False),
        notes=columns.get(row, "notes"),
        status=status,
        assigned_to=columns.get(row, "assigned_to"),
    )


def _require_someone(columns, what: str) -> None:
    """An address book's file must name people or organisations somehow."""
    if not any(columns.has(f) for f in ("organization", "full_name", "first_name", "last_name", "email1")):
        raise FileUnreadable(
            _(
                "this %(what)s file has no column naming a person, an organisation or an e-mail address; "
                "its columns are: %(columns)s"
            )
            % {"what": what, "columns": ", ".join(repr(h) for h in columns.header if h)}
        )


def _person(columns, file: str, line: int, row: dict[str, str], seen: dict[str, int]) -> ClientRecord | None:
    """A row of an address book (Google Contacts, Outlook): a person and maybe their organisation.
    The client is the organisation, else the person (a freelancer's clients are often people); the
    person, with every address of the row, is its contact. A later row of the same organisation adds
    its person as one more contact of that client."""
    person = words(columns.get(row, "full_name")) or " ".join(
        words(
            f"{columns.get(row, 'first_name')} {columns.get(row, 'middle_name')} {columns.get(row, 'last_name')}"
        ).split()
    )
    organization = words(columns.get(row, "organization"))
    people: list[tuple[str, str]] = []
    for n in range(1, GOOGLE_EMAILS + 1):
        field = f"email{n}"
        if not columns.has(field):
            continue
        found, bad = split_people(columns.get(row, field))
        if bad:
            raise RowProblem(not_an_address(bad[0]), columns.where(row, field))
        people.extend(p for p in found if p[1] not in (a for _n, a in people))
    emails = [address for _name, address in people][:MAX_LIST]
    name = organization or person or (emails[0] if emails else "")
    if not name:
        return None  # an empty card: nobody to import
    try:
        language = language_code(columns.get(row, "language"))
    except ValueError:
        language = ""  # an address book's language is the person's, not always one Parting writes in
    phone = _phone(columns.get(row, "phone"))
    contacts = []
    if person or emails or phone:
        contacts.append(
            ContactRecord(
                name=person or emails[0] if (person or emails) else name,
                email=emails[0] if emails else "",
                phone=phone,
                language=language,
                named=bool(person),
            )
        )
        contacts.extend(
            ContactRecord(name=person or a, email=a, language=language, named=bool(person)) for a in emails[1:]
        )
    key = normalised_name(name)
    first = seen.setdefault(key, line)
    if first != line:
        return (
            ClientRecord(source=Source(file, line), name=name, key=key, contacts=tuple(contacts)) if contacts else None
        )
    site = website_domain(columns.get(row, "website"))
    return ClientRecord(
        source=Source(file, line),
        name=name,
        key=key,
        contacts=tuple(contacts),
        domains=(site,) if site else (),  # a public provider's is left out by the loader, with a note
        language=language,
    )


def _contacts_only(
    columns, row: dict[str, str], file: str, line: int, name: str, key: str, sub: str
) -> ClientRecord | None:
    """A QuickBooks sub-customer's row below its parent's: the people and addresses of the row, as
    contacts of the parent (the loader adds them to the client already read)."""
    emails, bad = split_emails(columns.get(row, "email"))
    if bad:
        raise RowProblem(not_an_address(bad[0]), columns.where(row, "email"))
    person = words(columns.get(row, "contact"))
    phone = _phone(columns.get(row, "phone"))
    if not (emails or person or phone):
        return None  # nothing to add to the parent
    contacts = [ContactRecord(name=person or sub, email=emails[0] if emails else "", phone=phone, named=bool(person))]
    contacts += [ContactRecord(name=address, email=address, named=False) for address in emails[1:MAX_LIST]]
    return ClientRecord(source=Source(file, line), name=name, key=key, contacts=tuple(contacts))


def _more_people(columns, row: dict[str, str], language: str, known: set[str]) -> Iterator[ContactRecord]:
    """The further people of a Xero contact (``Person1FirstName, Person1LastName, Person1Email`` …
    up to 5): each a contact of the client, so that mail and meetings from them are matched too."""
    for n in range(1, XERO_PEOPLE + 1):
        if not columns.has(f"person{n}_email") and not columns.has(f"person{n}_first_name"):
            continue
        emails, bad = split_emails(columns.get(row, f"person{n}_email"))
        if bad:
            raise RowProblem(not_an_address(bad[0]), columns.where(row, f"person{n}_email"))
        person = " ".join(
            f"{columns.get(row, f'person{n}_first_name')} {columns.get(row, f'person{n}_last_name')}".split()
        )
        address = emails[0] if emails else ""
        if address.casefold() in known or not (address or person):
            continue
        if address:
            known.add(address.casefold())
        yield ContactRecord(name=person or address, email=address, language=language, named=bool(person))


# ---- contacts --------------------------------------------------------------------------------------

FORMS_OF_ADDRESS = ("masculine", "feminine", "neutral")


def read_contacts(stream: BinaryIO, name: str, options: ReadOptions, problems: Problems) -> Iterator[ClientRecord]:
    """Contacts from our contacts CSV (``columns.GENERIC["contacts"]``, what ``parting export`` writes):
    one ClientRecord per row, carrying the client's name, the client's key (its normalised name, as
    a clients file without ids gives it) and that row's one contact. The loader adds the contact to
    the client; several rows of one client give several records with the same key.

    ``form_of_address`` (masculine, feminine or neutral), ``honorific`` and ``is_primary`` are kept
    on the contact, so an export imports back as it was."""
    candidates = {f: (f,) for f in GENERIC["contacts"]}
    for extra in options.mapping:
        candidates.setdefault(extra, (extra,))
    table = Table(stream, options, candidates)
    columns = table.columns
    columns.require(REQUIRED["contacts"], candidates, KIND_NAMES["contacts"])

    for line, row in table.rows(problems, name):
        try:
            client = words(columns.get(row, "client"))
            if not client:
                raise RowProblem(_("the client's name is missing"), columns.name("client"))
            person = words(columns.get(row, "name"))
            if not person:
                raise RowProblem(_("the contact's name is missing"), columns.name("name"))
            emails, bad = split_emails(columns.get(row, "email"))
            if bad:
                raise RowProblem(not_an_address(bad[0]), columns.name("email"))
            if len(emails) > 1:
                raise RowProblem(
                    _("a contact has one e-mail address; give each address its own row"), columns.name("email")
                )
            try:
                language = language_code(columns.get(row, "language"))
            except ValueError as error:
                raise RowProblem(reason_of(error), columns.name("language")) from None
            form = columns.get(row, "form_of_address")
            if form and choice(form) not in FORMS_OF_ADDRESS:
                raise RowProblem(
                    _("%(value)s is not a form of address (masculine, feminine or neutral)") % {"value": repr(form)},
                    columns.name("form_of_address"),
                )
            primary = read_flag(columns, row, "is_primary", None)
        except RowProblem as problem:
            problems.add(Source(name, line), problem.reason, column=problem.column)
            continue
        yield ClientRecord(
            source=Source(name, line),
            name=client,
            key=normalised_name(client),
            contacts_file=True,
            contacts=(
                ContactRecord(
                    name=person,
                    email=emails[0] if emails else "",
                    phone=columns.get(row, "phone"),
                    language=language,
                    form_of_address=choice(form) if form else "",
                    honorific=columns.get(row, "honorific").strip(),
                    is_primary=primary,
                ),
            ),
        )
