"""Loading records: everything validated, everything written in one transaction, nothing twice.

The loader takes the records of one import (several files possibly), matches each to a client,
compares it with what the firm already holds under the same natural key and adds, changes or leaves
it. It writes in batches inside the caller's transaction; when any problem is known, it stops writing
and the caller rolls the whole import back, so a bad file leaves the database exactly as it was.
A dry run does the same work and rolls back at the end: its counts are exactly what the import
would do.

Natural keys (issue 10 §4): invoice number; payment reference; Message-ID; calendar UID +
RECURRENCE-ID; the export's own id of a time entry, request or incident, else a hash of its content;
a client's export id, else its normalised name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, Max, Q, Sum
from django.db.models.functions import Coalesce

from parting.clients.models import Client, Contact
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.evidence.services import derive_to_senior, settle_invoices, settlement
from parting.firms.models import Membership, Service
from parting.imports.i18n import gettext as _
from parting.imports.i18n import ngettext, recipe

from .matching import (
    PUBLIC_DOMAINS,
    Matcher,
    company_domain,
    domain_of,
    exact,
    normalise_name,
    their_addresses,
    unmatched_label,
)
from .problems import Problems
from .records import ClientRef

BATCH = 2000
# The keys the export gives rows that have none of their own: ``<prefix>-<id>`` (export._Keys).
EXPORT_PREFIX = {
    Payment: "payment",
    Meeting: "meeting",
    Message: "message",
    ClientRequest: "request",
    Incident: "incident",
    TimeEntry: "time",
}
MAX_CHANGES_LISTED = 100
MAX_MATCHES_CACHED = 50_000
LANGUAGES = {"en", "ru", "pl", "ro", "he"}


@dataclass
class Outcome:
    """What an import did (or, in a dry run, would do)."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    per_client: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    unmatched: Counter = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created_clients: list[str] = field(default_factory=list)

    def count(self, kind: str, what: str, client: str = "", n: int = 1) -> None:
        self.counts[kind][what] += n
        if client:
            self.per_client[client][f"{kind} {what}"] += n

    def change(self, text: str) -> None:
        if len(self.changes) < MAX_CHANGES_LISTED:
            self.changes.append(text)

    def as_dict(self) -> dict:
        return {
            "counts": {kind: dict(c) for kind, c in self.counts.items()},
            "per_client": {name: dict(c) for name, c in sorted(self.per_client.items())},
            "unmatched": sorted(([name, n] for name, n in self.unmatched.items()), key=lambda p: (-p[1], p[0])),
            "changes": self.changes,
            "notes": self.notes,
            "created_clients": self.created_clients,
            # how each change and note was said, to say it again in the reader's language (i18n.say)
            "said": {"changes": [recipe(t) for t in self.changes], "notes": [recipe(t) for t in self.notes]},
        }


def _differs(row, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(row, name) != value]


class Loader:
    """Feed it records (``add``), then ``finish``; problems go to ``problems``."""

    def __init__(self, firm, *, by=None, create_clients: bool = False, problems: Problems | None = None):
        self.firm = firm
        self.by = by
        self.create_clients = create_clients
        self.problems = problems if problems is not None else Problems()
        self.outcome = Outcome()
        self.matcher = Matcher(firm)
        self.matches: dict[ClientRef, int | None] = {}  # the matcher's answers, until it learns a client
        self.names = dict(Client.objects.filter(firm=firm).values_list("id", "name"))
        self.taken = set(self.names.values())  # kept with ``names``: a set per new client was quadratic
        self.pending: dict[str, list] = defaultdict(list)
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.touched_invoices: set[int] = set()
        self.had_invoices: bool | None = None  # whether the firm had invoices before this import
        self.replies: dict[str, str] = {}  # message key → the key it replies to
        self.referrals: list[tuple[int, str]] = []
        self.client_rows: set[int] = set()  # clients a row of a clients file matched or created
        members = Membership.objects.filter(firm=firm).select_related("user")
        self.senior = {
            m.user.email.lower(): m.user_id
            for m in members
            if m.user.email and m.role in (Membership.Role.OWNER, Membership.Role.PARTNER)
        }
        self.member_by_email = {m.user.email.lower(): m.user_id for m in members if m.user.email}
        # The firm's own domains: its members' addresses, but never a public provider's (a freelancer on gmail.com).
        self.own_domains = {domain_of(e) for e in self.member_by_email} - PUBLIC_DOMAINS
        self.member_by_name = {m.user.get_full_name().casefold(): m.user_id for m in members if m.user.get_full_name()}
        self.member_by_name.update({m.user.username.casefold(): m.user_id for m in members})
        self.assigned = dict(Client.objects.filter(firm=firm).values_list("id", "assigned_to_id"))
        self.reassigned: set[int] = set()  # existing clients a clients file gave to another member
        self.unrated: Counter[str] = Counter()  # invoices in another currency that came without a rate
        self.strangers: Counter[str] = Counter()  # people of time entries who are not the firm's members
        self.shortened = 0  # time entries whose project and note were longer than a note holds
        self.strange_keepers: dict[str, list[str]] = {}  # who looks after clients, not a member → clients
        self.languages_unkept: dict[int, tuple[str, str]] = {}  # client → (name, language) with no contact

    # -- feeding -------------------------------------------------------------------------------

    def add(self, record) -> None:
        kind = record.kind
        key = f"{kind}:{record.number}" if kind == "invoice" else f"{kind}:{record.key}"
        contacts_only = (
            kind == "client"
            and record.contacts
            and not (record.domains or record.services or record.status or record.notes or record.referral_source)
        )
        if key in self.seen[kind] and not contacts_only:
            if kind in ("invoice", "payment", "client"):
                self.problems.add(record.source, _twice(kind, record))
            else:
                self.outcome.count(_plural(kind), "duplicates in the file")
            return
        self.seen[kind].add(key)
        if kind == "client":
            self._client(record)
            return
        if kind == "meeting" and record.all_day:
            self.outcome.count("meetings", "all-day events skipped")
            return
        if kind == "meeting" and record.ends_at <= record.starts_at:
            # a point in time (DTEND equal to DTSTART, or DTSTART alone: RFC 5545 §3.6.1): a reminder
            # or a deadline marker, not a meeting anyone attended
            self.outcome.count("meetings", "skipped (no length)")
            return
        self.pending[kind].append(record)
        if len(self.pending[kind]) >= BATCH:
            self.flush(kind)

    def flush(self, kind: str | None = None) -> None:
        for k in [kind] if kind else list(self.pending):
            batch, self.pending[k] = self.pending[k], []
            if batch and not self.problems:
                getattr(self, f"_{k}s")(batch)  # _invoices, _payments, _meetings, … _times

    def finish(self) -> Outcome:
        self.flush()
        if self.problems:
            return self.outcome
        self._link_referrals()
        self._link_replies()
        settle_invoices(self.touched_invoices)
        if self.reassigned:  # W3: mail already in, read again for the member now looking after the client
            derive_to_senior(firm=self.firm, client_ids=self.reassigned)
        for keeper, clients in sorted(self.strange_keepers.items()):
            shown = _some(clients)
            self.outcome.notes.append(
                ngettext(
                    "%(member)s, who looks after %(n)d client (%(clients)s), is not a member of the firm: "
                    "left as it is",
                    "%(member)s, who looks after %(n)d clients (%(clients)s), is not a member of the firm: "
                    "left as it is",
                    len(clients),
                )
                % {"member": repr(keeper), "n": len(clients), "clients": shown}
            )
        if self.languages_unkept:
            with_contacts = set(
                Contact.objects.filter(client_id__in=list(self.languages_unkept)).values_list("client_id", flat=True)
            )
            for client_id, (name, language) in self.languages_unkept.items():
                if client_id not in with_contacts:
                    self.outcome.notes.append(
                        _("%(client)s: the language %(language)s is kept with a contact, and the row gives none")
                        % {"client": name, "language": language}
                    )
        if self.strangers:
            shown = _some(sorted(self.strangers, key=lambda p: (-self.strangers[p], p)))
            n = sum(self.strangers.values())
            self.outcome.notes.append(
                ngettext(
                    "%(n)d time entry is by people who are not members of the firm (%(people)s): kept without a "
                    "person; invite them, with the same name or e-mail address, to have their hours counted as theirs",
                    "%(n)d time entries are by people who are not members of the firm (%(people)s): kept without a "
                    "person; invite them, with the same name or e-mail address, to have their hours counted as theirs",
                    n,
                )
                % {"n": n, "people": shown}
            )
        if self.shortened:
            self.outcome.notes.append(
                ngettext(
                    "%(n)d time entry had a project and note longer than %(max)d characters: shortened",
                    "%(n)d time entries had a project and note longer than %(max)d characters: shortened",
                    self.shortened,
                )
                % {"n": self.shortened, "max": NOTE_MAX}
            )
        for code, n in sorted(self.unrated.items()):
            self.outcome.notes.append(
                ngettext(
                    "%(n)d invoice in %(currency)s came without an exchange rate to %(firm)s: its revenue counts "
                    "one to one until a rate is given (an fx_rate column, or the invoice's page)",
                    "%(n)d invoices in %(currency)s came without an exchange rate to %(firm)s: their revenue counts "
                    "one to one until a rate is given (an fx_rate column, or the invoice's page)",
                    n,
                )
                % {"n": n, "currency": code, "firm": self.firm.currency}
            )
        return self.outcome

    # -- clients -------------------------------------------------------------------------------

    def _client_for(self, ref: ClientRef, kind: str) -> int | None:
        client_id = self._match(ref)
        if client_id is None and ref:
            label = unmatched_label(ref, self.own_domains, self.member_by_email)
            if self.create_clients and (ref.name or ref.emails):  # an export's id alone names no one
                client_id = self._create_client(ref)
            else:
                self.outcome.unmatched[label] += 1
                self.outcome.count(kind, "skipped (no such client)")
        elif client_id is None:
            self.outcome.count(kind, "skipped (no client named)")
        return client_id

    def _match(self, ref: ClientRef) -> int | None:
        """``matcher.match``, asked once per distinct reference: a file names the same client on many
        rows, and normalising a name is the costly part of matching."""
        try:
            return self.matches[ref]
        except KeyError:
            if len(self.matches) >= MAX_MATCHES_CACHED:
                self.matches.clear()
            found = self.matches[ref] = self.matcher.match(ref)
            return found

    def _learn(self, client_id: int, **how) -> None:
        """Tell the matcher a new way to name a client; earlier answers may no longer hold."""
        self.matcher.add(client_id, **how)
        self.matches.clear()

    def _create_client(self, ref: ClientRef) -> int:
        theirs = their_addresses(ref, self.own_domains, self.member_by_email)
        domain = "" if (ref.name and not ref.person) or not theirs else company_domain(theirs[0], self.own_domains)
        # A client named in a file keeps its name. One known only from mail is its organisation,
        # named by its domain, which then takes in everyone writing from it; or, from a public
        # provider (gmail.com never becomes a client's domain), the person.
        name = self._free_name(domain or (ref.name if ref.name else (theirs or ref.emails)[0]))
        client = Client.objects.create(firm=self.firm, name=name[:200], email_domains=domain)
        for i, email in enumerate(theirs):
            person = ref.name if (i == 0 and ref.name) else email
            Contact.objects.create(client=client, name=person[:200], email=email[:254])
        self._learn(
            client.id,
            name="" if domain else ref.name,
            emails=theirs,
            domains=[domain] if domain else (),
            key=ref.external_id,
        )
        self.names[client.id] = client.name
        self.taken.add(client.name)
        self.assigned[client.id] = None
        self.outcome.created_clients.append(client.name)
        self.outcome.count("clients", "added", client.name)
        return client.id

    def _free_name(self, name: str) -> str:
        taken = self.taken
        if name not in taken:
            return name
        n = 2
        while f"{name} ({n})" in taken:
            n += 1
        return f"{name} ({n})"

    def _client(self, record) -> None:
        """A row of a clients file: the client with its key or its very name, else the one whose name
        is the same without legal forms — unless another row of this import already took that one
        ("Acme" and "Acme Ltd" on two rows of one file are two clients)."""
        client_id = self.matcher.by_key.get(record.key) if record.key else None
        if client_id is None:
            same = self.matcher.by_exact.get(exact(record.name), set())
            named = same or self.matcher.by_name.get(normalise_name(record.name), set())
            client_id = next(iter(named)) if len(named) == 1 else None
            if client_id is not None and not same and client_id in self.client_rows:
                client_id = None
        if client_id is None:
            # a contact's address the firm already knows names its client ("ООО «Нева Софтвер»" in a
            # Russian export is the client the firm calls "Neva Software"): never a second client
            # with the same address, which would leave the address matching neither afterwards
            owners = set().union(
                *(self.matcher.by_email.get(c.email.lower(), set()) for c in record.contacts if c.email)
            )
            owners -= self.client_rows
            client_id = next(iter(owners)) if len(owners) == 1 else None
        if client_id is not None:
            self.client_rows.add(client_id)
        values = {}
        if record.status in (Client.Status.ACTIVE, Client.Status.FORMER):
            values["status"] = record.status
        if record.referral_source:
            values["referral_source"] = record.referral_source[:200]
        if record.started_on:
            values["started_on"] = record.started_on
        if record.notes:
            values["notes"] = record.notes
        domains = {d.lower() for d in record.domains}
        public = sorted(domains & PUBLIC_DOMAINS)
        if public:
            # gmail.com as a client's domain would give the client everyone's mail from gmail.com
            self.outcome.notes.append(
                _("%(client)s: %(domains)s is a public mail provider's, never a client's domain: left out")
                % {"client": record.name, "domains": ", ".join(public)}
            )
            domains -= set(public)
        if domains:
            values["email_domains"] = " ".join(sorted(domains))[:300]
        if record.assigned_to:
            member = self.member_by_email.get(record.assigned_to.lower()) or self.member_by_name.get(
                record.assigned_to.casefold()
            )
            if member is None:  # e.g. an export read into another firm: its members are not these
                self.strange_keepers.setdefault(record.assigned_to, []).append(record.name)
            else:
                values["assigned_to_id"] = member
        if client_id is None and record.contacts_file and not self.create_clients:
            # a contact of a client Parting does not know: listed with the unmatched names, and
            # created only when the user chooses to (--create-clients), as for any other record
            self.outcome.unmatched[record.name] += 1
            self.outcome.count("contacts", "skipped (no such client)")
            return
        if client_id is None:
            if self.problems:
                return
            name = record.name.strip()[:200]
            if name in self.taken:
                self.problems.add(
                    record.source, _("another client is already called %(name)s") % {"name": repr(name)}, "name"
                )
                return
            client = Client.objects.create(firm=self.firm, name=name, source_key=record.key[:200], **values)
            client_id = client.id
            self.client_rows.add(client_id)
            self.names[client_id] = name
            self.taken.add(name)
            self.assigned[client_id] = values.get("assigned_to_id")
            self.outcome.count("clients", "added", name)
        else:
            client = Client.objects.get(pk=client_id, firm=self.firm)
            differs = _differs(client, values)
            if differs and not self.problems:
                Client.objects.filter(pk=client_id, firm=self.firm).update(**values)
                if "assigned_to_id" in differs:
                    self.reassigned.add(client_id)
                self.assigned[client_id] = values.get("assigned_to_id", self.assigned.get(client_id))
                self.outcome.count("clients", "changed", client.name)
                self.outcome.change(
                    _("client %(name)s: %(fields)s") % {"name": client.name, "fields": ", ".join(differs)}
                )
            elif not record.contacts_file:  # a contacts file's row says nothing of the client itself
                self.outcome.count("clients", "unchanged", client.name)
        self._learn(client_id, name=record.name, domains=record.domains, key=record.key)
        if self.problems:
            return
        people = list(Contact.objects.filter(client_id=client_id).order_by("-is_primary", "pk"))
        existing = {(c.email.lower(), c.name.casefold()) for c in people}
        emails = {e for e, _n in existing if e}
        if record.language in LANGUAGES and not record.contacts and not people:
            # said at the end, if the client still has no contact then (an archive's contacts.csv
            # comes after its clients.csv and gives them)
            self.languages_unkept[client_id] = (self.names.get(client_id, record.name), record.language)
        known = {c.email.lower(): c for c in people if c.email}
        for contact in record.contacts:
            email = contact.email.lower()
            if email and email in emails:
                if not self._correct_contact(known[email], contact, record, client_id) and record.contacts_file:
                    self.outcome.count("contacts", "unchanged", self.names.get(client_id, record.name))
                continue
            if not email and (email, contact.name.casefold()) in existing:
                if record.contacts_file:
                    self.outcome.count("contacts", "unchanged", self.names.get(client_id, record.name))
                continue
            # the row's language, else the language the client's people already write in
            language = next(
                (code for code in (contact.language, record.language) if code in LANGUAGES),
                people[0].language if people else "en",
            )
            Contact.objects.create(
                client_id=client_id,
                name=(contact.name or contact.email)[:200],
                email=email,
                phone=contact.phone[:40],
                language=language,
                form_of_address=contact.form_of_address or Contact.Address.NEUTRAL,
                honorific=contact.honorific[:40],
                is_primary=(not existing) if contact.is_primary is None else contact.is_primary,
            )
            existing.add((email, contact.name.casefold()))
            self.outcome.count("contacts", "added", self.names[client_id])
            if email:
                others = self.matcher.by_email.get(email, set()) - {client_id}
                if others:
                    self.outcome.notes.append(
                        _("%(address)s is an address of %(clients)s too: mail from it matches none of them")
                        % {
                            "address": email,
                            "clients": ", ".join(sorted([self.names.get(c, "?") for c in others])),
                        }
                    )
                self._learn(client_id, emails=[email])
        if record.services:
            services = []
            for name in record.services:
                service, _created = Service.objects.get_or_create(firm=self.firm, name=name.strip()[:120])
                services.append(service)
            Client.objects.get(pk=client_id).services.add(*services)
        if record.referred_by:
            self.referrals.append((client_id, record.referred_by))

    def _correct_contact(self, person: Contact, contact, record, client_id: int) -> bool:
        """A contact the client has, as the file gives it again: what the file says of it and differs
        is written (a corrected name, phone, language …). A name the reader only stood in with (the
        client's, or the address) is no correction, nor is an empty cell. Whether anything differed."""
        values = {}
        if contact.named and contact.name and contact.name[:200] != person.name:
            values["name"] = contact.name[:200]
        if contact.phone and contact.phone[:40] != person.phone:
            values["phone"] = contact.phone[:40]
        language = next((code for code in (contact.language, record.language) if code in LANGUAGES), "")
        if language and language != person.language:
            values["language"] = language
        if contact.form_of_address and contact.form_of_address != person.form_of_address:
            values["form_of_address"] = contact.form_of_address
        if contact.honorific and contact.honorific[:40] != person.honorific:
            values["honorific"] = contact.honorific[:40]
        if contact.is_primary is not None and contact.is_primary != person.is_primary:
            values["is_primary"] = contact.is_primary
        if not values:
            return False
        if self.problems:
            return True
        Contact.objects.filter(pk=person.pk, client_id=client_id).update(**values)
        for field_name, value in values.items():
            setattr(person, field_name, value)
        client_name = self.names.get(client_id, record.name)
        self.outcome.count("contacts", "changed", client_name)
        self.outcome.change(
            _("contact %(address)s of %(client)s: %(fields)s")
            % {"address": person.email, "client": client_name, "fields": ", ".join(values)}
        )
        return True

    def _link_referrals(self) -> None:
        for client_id, name in self.referrals:
            referrer = self.matcher.match(ClientRef(name=name))
            if referrer and referrer != client_id:
                Client.objects.filter(pk=client_id, firm=self.firm).update(referred_by_id=referrer)
            else:
                self.outcome.notes.append(
                    _("%(client)s: referred by %(name)s, who is not a client")
                    % {"client": self.names.get(client_id), "name": repr(name)}
                )

    # -- evidence ------------------------------------------------------------------------------

    def _resolve(self, batch, kind: str) -> list[tuple[object, int]]:
        out = []
        for record in batch:
            client_id = self._client_for(record.client, kind)
            if client_id is not None:
                out.append((record, client_id))
        return out

    def _claim_logged(self, model, field: str, wanted: list[tuple[str, int]]) -> dict:
        """Rows logged by hand (no key of their own) that this firm's export named ``<prefix>-<id>``
        (``export._Keys``): importing the export back into the same firm finds them, not a new row
        each. A row is claimed only if it is this firm's, still has no key, and belongs to the client
        the file names; it then keeps the key, so the next import finds it directly."""
        prefix = EXPORT_PREFIX[model]
        by_pk: dict[int, tuple[str, int]] = {}
        for key, client_id in wanted:
            head, _dash, pk = key.rpartition("-")
            if head == prefix and pk.isdigit() and len(pk) < 19:
                by_pk[int(pk)] = (key, client_id)
        if not by_pk:
            return {}
        claimed = {}
        for row in model.objects.filter(firm=self.firm, pk__in=list(by_pk), **{field: ""}):
            key, client_id = by_pk[row.pk]
            if row.client_id == client_id:
                setattr(row, field, key)
                claimed[key] = row
        return claimed

    def _upsert(self, kind: str, model, rows: list[tuple[str, int, dict]], label) -> list:
        """Add or change rows of ``model`` keyed by ``source_key``; returns the saved instances."""
        keys = [key for key, _c, _v in rows]
        existing = {row.source_key: row for row in model.objects.filter(firm=self.firm, source_key__in=keys)}
        claimed = self._claim_logged(model, "source_key", [(k, c) for k, c, _v in rows if k not in existing])
        existing.update(claimed)
        new, changed, saved = [], list(claimed.values()), []
        fields = {"source_key"} if claimed else set()
        for key, client_id, values in rows:
            values = {"client_id": client_id, **values}
            row = existing.get(key)
            client = self.names.get(client_id, "")
            if row is None:
                new.append(model(firm=self.firm, source_key=key, **values))
                self.outcome.count(kind, "added", client)
                continue
            differs = _differs(row, values)
            if differs:
                for name in differs:
                    setattr(row, name, values[name])
                fields.update(differs)
                if key not in claimed:
                    changed.append(row)
                self.outcome.count(kind, "changed", client)
                self.outcome.change(f"{label(row)}: {', '.join(differs)}")
            else:
                self.outcome.count(kind, "unchanged", client)
            saved.append(row)
        if new:
            saved += model.objects.bulk_create(new, batch_size=500)
        if changed:
            model.objects.bulk_update(changed, sorted(fields), batch_size=500)
        return saved

    def _invoices(self, batch) -> None:
        """Invoices keyed by their number. New ones are written with one INSERT per batch (executemany),
        already settled (``settlement`` of the payment the export says was made, or a credit note on
        its issue day), with that payment, so they are never read back; changed ones go through the
        ORM and are settled at the end."""
        resolved = self._resolve(batch, "invoices")
        if self.had_invoices is None:
            self.had_invoices = Invoice.objects.filter(firm=self.firm).exists()
        existing = {}
        if self.had_invoices:  # else every number is new: the import's own are told apart by ``add``
            numbers = [r.number for r, _c in resolved]
            existing = {i.number: i for i in Invoice.objects.filter(firm=self.firm, number__in=numbers)}
        firm_id, currency = self.firm.pk, self.firm.currency
        new, new_payments, changed, fields, summaries = [], [], [], set(), []
        count = self.outcome.count
        for record, client_id in resolved:
            code = (record.currency or currency).upper()[:3]
            if record.fx_rate is None and code != currency.upper():
                self.unrated[code] += 1
            values = {
                "client_id": client_id,
                "issued_on": record.issued_on,
                "due_on": record.due_on,
                "amount": record.amount,
                "currency": code,
                "fx_rate": record.fx_rate if record.fx_rate is not None else ONE,
                "discount_given": record.discount_given,
                "discount_requested": record.discount_requested,
                "disputed": record.disputed,
                "source_key": record.key[:120] if record.key and record.key != record.number else "",
            }
            if record.reminders_sent is not None:
                values["reminders_sent"] = record.reminders_sent
            client = self.names.get(client_id, "")
            row = existing.get(record.number)
            if row is None:
                due = record.amount - record.discount_given
                paid = ()
                if record.amount_paid is not None or record.paid_on is not None:
                    amount = record.amount_paid if record.amount_paid is not None else due
                    day = record.paid_on or record.due_on
                    for origin, part in _parts(amount, record.credited):
                        paid += ((day, part),)
                        new_payments.append((firm_id, client_id, firm_id, record.number, day, part, origin))
                amount_paid, paid_on = settlement(due, record.issued_on, paid)
                v = values
                new.append(
                    (
                        firm_id, client_id, record.number, v["issued_on"], v["due_on"], v["amount"], v["currency"],
                        v["fx_rate"], paid_on, amount_paid, v.get("reminders_sent", 0), v["discount_requested"],
                        v["discount_given"], v["disputed"], v["source_key"],
                    )
                )  # fmt: skip
                count("invoices", "added", client)
                continue
            differs = _differs(row, values)
            if differs:
                for name in differs:
                    setattr(row, name, values[name])
                fields.update(differs)
                changed.append(row)
                count("invoices", "changed", client)
                self.outcome.change(
                    _("invoice %(number)s: %(fields)s") % {"number": row.number, "fields": ", ".join(differs)}
                )
            else:
                count("invoices", "unchanged", client)
            if record.amount_paid is not None or record.paid_on is not None:
                summaries.append((row, record))
        if new:
            _insert(Invoice, INVOICE_COLUMNS, new)
        if new_payments:
            _insert_summary_payments(new_payments)
        if changed:
            Invoice.objects.bulk_update(changed, sorted(fields), batch_size=500)
            self.touched_invoices.update(row.pk for row in changed)
        if summaries:
            self.touched_invoices.update(self._summary_payments(summaries))

    def _summary_payments(self, summaries) -> set[int]:
        """An invoice export that says what was paid, without the payments: one payment stands for it,
        unless payments of its own (logged or imported) are there; those are more exact. The part the
        export says was settled without money (``credited``) is a payment of its own, kept whatever
        other payments there are: no payments export lists it. Returns the invoices whose payments
        changed here (to be settled again)."""
        ids = [row.pk for row, _r in summaries]
        summary = (Payment.Origin.INVOICE, Payment.Origin.CREDIT)
        precise = set(
            Payment.objects.filter(invoice_id__in=ids).exclude(origin__in=summary).values_list("invoice_id", flat=True)
        )
        current = defaultdict(list)
        for payment in Payment.objects.filter(invoice_id__in=ids, origin__in=summary):
            current[(payment.invoice_id, payment.origin)].append(payment)
        stale, new, touched = [], [], set()
        for row, record in summaries:
            due = row.amount - row.discount_given
            amount = record.amount_paid if record.amount_paid is not None else due
            day = record.paid_on or row.due_on
            wanted = dict(_parts(amount, record.credited))
            for origin in summary:
                if origin == Payment.Origin.INVOICE and row.pk in precise:
                    continue  # the payments themselves are there
                have = current.get((row.pk, origin), [])
                part = wanted.get(origin)
                if part is None and not have:
                    continue
                if part is not None and len(have) == 1 and have[0].amount == part and have[0].paid_on == day:
                    continue
                touched.add(row.pk)
                stale += [p.pk for p in have]
                if part is not None:
                    new.append(
                        Payment(
                            firm=self.firm,
                            client_id=row.client_id,
                            invoice_id=row.pk,
                            paid_on=day,
                            amount=part,
                            origin=origin,
                        )
                    )
        Payment.objects.filter(pk__in=stale).delete()
        Payment.objects.bulk_create(new, batch_size=500)
        return touched

    def _payments(self, batch) -> None:
        """Payments keyed by their reference; an invoice named by its number or by its id in the export
        (Stripe's in_…). A payment that names no invoice (QuickBooks' payments list) goes to the
        invoice whose summary payment (what an invoice export said was paid) has its amount, the one
        dated nearest; else it is applied to the client's open invoices, oldest due first, split
        where it covers several. Either way it replaces the summary of the invoices it lands on, as a
        payment that names its invoice does: the invoice export and the payments export of the same
        QuickBooks company never count one payment twice."""
        numbers = {r.invoice_number for r in batch if r.invoice_number}
        invoices = {}
        for number, key, pk, client_id in (
            Invoice.objects.filter(firm=self.firm)
            .filter(Q(number__in=numbers) | Q(source_key__in=numbers))
            .values_list("number", "source_key", "pk", "client_id")
        ):
            invoices[number] = invoices[key or number] = (pk, client_id)
        rows, no_invoice, named = [], Counter(), set()
        unnamed_refunds = 0
        allocated: dict[int, Decimal] = defaultdict(Decimal)  # applied earlier in this batch, not yet written
        known = set(
            Payment.objects.filter(firm=self.firm, reference__in=[r.key[:110] for r in batch]).values_list(
                "reference", flat=True
            )
        )
        for record in batch:
            values = {
                "paid_on": record.paid_on,
                "method": record.method[:60],
                "origin": Payment.Origin.IMPORTED,
            }
            found = invoices.get(record.invoice_number) if record.invoice_number else None
            if found is not None:
                invoice_id, client_id = found
                named.add(invoice_id)
                rows.append(
                    (record.key[:120], client_id, {**values, "invoice_id": invoice_id, "amount": record.amount})
                )
                continue
            if record.invoice_number:
                no_invoice[record.invoice_number] += 1
                self.outcome.count("payments", "skipped (no such invoice)")
                continue
            if record.amount <= 0:
                unnamed_refunds += 1  # a refund must say what it gives back
                self.outcome.count("payments", "skipped (no such invoice)")
                continue
            client_id = self._client_for(record.client, "payments")
            if client_id is None:
                continue
            key = record.key[:110]
            if key in known:  # applied by an earlier import: the same file twice changes nothing
                self.outcome.count("payments", "unchanged", self.names.get(client_id, ""))
                continue
            parts = self._apply(client_id, record.amount, record.paid_on, allocated, named)
            if not parts:
                self.outcome.notes.append(
                    _("a payment of %(amount)s from %(client)s on %(date)s finds no open invoice: skipped")
                    % {"amount": record.amount, "client": self.names.get(client_id), "date": record.paid_on}
                )
                self.outcome.count("payments", "skipped (no open invoice)")
                continue
            for n, (invoice_id, amount) in enumerate(parts, 1):
                reference = key if n == 1 else f"{key}/{n}"
                rows.append((reference, client_id, {**values, "invoice_id": invoice_id, "amount": amount}))
        for number, n in no_invoice.items():
            self.outcome.notes.append(
                ngettext(
                    "%(n)d payment for invoice %(number)s, which is not in Parting: skipped",
                    "%(n)d payments for invoice %(number)s, which is not in Parting: skipped",
                    n,
                )
                % {"n": n, "number": number}
            )
        if unnamed_refunds:
            self.outcome.notes.append(
                ngettext(
                    "%(n)d refund that names no invoice: skipped",
                    "%(n)d refunds that name no invoice: skipped",
                    unnamed_refunds,
                )
                % {"n": unnamed_refunds}
            )
        if not rows:
            return
        keys = [k for k, _c, _v in rows]
        existing = {p.reference: p for p in Payment.objects.filter(firm=self.firm, reference__in=keys)}
        claimed = self._claim_logged(Payment, "reference", [(k, c) for k, c, _v in rows if k not in existing])
        existing.update(claimed)
        new, changed, fields = [], [], set()
        if claimed:
            fields.add("reference")
            changed += claimed.values()
        for key, client_id, values in rows:
            client = self.names.get(client_id, "")
            row = existing.get(key)
            if row is None:
                new.append(Payment(firm=self.firm, client_id=client_id, reference=key, **values))
                self.outcome.count("payments", "added", client)
            else:
                differs = _differs(row, values)
                if differs:
                    self.touched_invoices.add(row.invoice_id)  # moved from another invoice
                    for name in differs:
                        setattr(row, name, values[name])
                    fields.update(differs)
                    if key not in claimed:
                        changed.append(row)
                    self.outcome.count("payments", "changed", client)
                    self.outcome.change(
                        _("payment %(reference)s: %(fields)s") % {"reference": key, "fields": ", ".join(differs)}
                    )
                else:
                    self.outcome.count("payments", "unchanged", client)
            self.touched_invoices.add(values["invoice_id"])
        # Payments replace what an invoice export said was paid on the invoices they land on.
        Payment.objects.filter(invoice_id__in=named, origin=Payment.Origin.INVOICE).delete()
        Payment.objects.bulk_create(new, batch_size=500)
        if changed:
            Payment.objects.bulk_update(changed, sorted(fields), batch_size=500)
        settle_invoices({v["invoice_id"] for _k, _c, v in rows})  # what is open decides where the next goes

    def _apply(
        self, client_id: int, amount: Decimal, day, allocated: dict[int, Decimal], replaced: set[int]
    ) -> list[tuple[int, Decimal]]:
        """Where a payment that names no invoice goes (see ``_payments``): ``[(invoice, part)]``.

        First the invoice, issued by ``day``, whose summary payment is this amount, dated nearest to
        ``day``: the payment the invoice export summarised. Else the client's open invoices issued by
        ``day``, oldest due first, counting as unpaid what a summary said of an invoice already in
        ``replaced``; what is left after the last goes to it (an overpayment shows as a negative
        balance). The invoices it lands on join ``replaced``, whose summaries the caller deletes."""
        invoices = list(
            Invoice.objects.filter(firm=self.firm, client_id=client_id, issued_on__lte=day)
            .annotate(
                summary=Coalesce(
                    Sum("payments__amount", filter=Q(payments__origin=Payment.Origin.INVOICE)),
                    Decimal(0),
                    output_field=DecimalField(),
                ),
                summary_on=Max("payments__paid_on", filter=Q(payments__origin=Payment.Origin.INVOICE)),
            )
            .order_by("due_on", "number")
            .values_list("pk", "amount", "discount_given", "amount_paid", "summary", "summary_on")
        )
        same = [
            (abs((summary_on - day).days), n, pk)
            for n, (pk, _total, _discount, _paid, summary, summary_on) in enumerate(invoices)
            if pk not in replaced and summary == amount and summary_on is not None
        ]
        if same:
            pk = min(same)[2]
            replaced.add(pk)
            allocated[pk] += amount
            return [(pk, amount)]
        parts, left = [], amount
        for pk, total, discount, paid, summary, _summary_on in invoices:
            if pk in replaced:
                paid -= summary  # its summary goes: the payments themselves are arriving
            owed = total - discount - paid - allocated[pk]
            if owed <= 0:
                continue
            share = min(owed, left)
            parts.append((pk, share))
            allocated[pk] += share
            replaced.add(pk)
            left -= share
            if left <= 0:
                break
        if left > 0 and parts:
            pk, share = parts[-1]
            parts[-1] = (pk, share + left)
            allocated[pk] += left
        return parts

    def _meetings(self, batch) -> None:
        rows = [
            (
                r.key[:300],
                client_id,
                {
                    "starts_at": r.starts_at,
                    "ends_at": r.ends_at,
                    "status": r.status,
                    "cancelled_at": r.cancelled_at if r.status.startswith("cancelled") else None,
                    "minutes_late": r.minutes_late,
                    "subject": r.subject[:200],
                },
            )
            for r, client_id in self._resolve(batch, "meetings")
        ]
        self._upsert(
            "meetings", Meeting, rows, lambda m: _("meeting %(subject)s") % {"subject": m.subject or m.starts_at}
        )

    def _messages(self, batch) -> None:
        rows = []
        addressed: dict[str, set[int]] = {}  # message key → the members it was sent to (W3, again later)
        for r, client_id in self._resolve(batch, "messages"):
            direction = r.direction or (
                Message.Direction.OUTBOUND
                if r.sender in self.member_by_email or domain_of(r.sender) in self.own_domains
                else Message.Direction.INBOUND
            )
            to_senior = r.to_senior
            if to_senior is None:
                assigned = self.assigned.get(client_id)
                seniors = {self.senior[a] for a in (*r.to, *r.cc) if a in self.senior}
                to_senior = direction == Message.Direction.INBOUND and bool(seniors - {assigned})
                members = {self.member_by_email[a] for a in (*r.to, *r.cc) if a in self.member_by_email}
                addressed[r.key[:300]] = members
            values = {
                "sent_at": r.sent_at,
                "channel": r.channel or Message.Channel.EMAIL,
                "direction": direction,
                "to_senior": to_senior,
                "to_senior_from_addresses": r.to_senior is None,
                "negative": r.negative,
                "summary": r.subject[:300],
            }
            rows.append((r.key[:300], client_id, values))
            if r.in_reply_to:
                self.replies[r.key[:300]] = r.in_reply_to[:300]
        saved = self._upsert("messages", Message, rows, lambda m: _("message %(key)s") % {"key": m.source_key})
        self._address(saved, addressed)

    def _address(self, saved, addressed: dict[str, set[int]]) -> None:
        """Keep the members each message was sent to, for W3 worked out again after a reassignment."""
        through = Message.members_addressed.through
        ids = [m.pk for m in saved if m.source_key in addressed]
        if not ids:
            return
        through.objects.filter(message_id__in=ids).delete()
        through.objects.bulk_create(
            [
                through(message_id=m.pk, user_id=user_id)
                for m in saved
                if m.source_key in addressed
                for user_id in sorted(addressed[m.source_key])
            ],
            batch_size=1000,
        )

    def _link_replies(self) -> None:
        """Threads (Message-ID / In-Reply-To) link a reply to what it answers, set-based per batch."""
        items = list(self.replies.items())
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            keys = {k for pair in chunk for k in pair}
            ids = dict(Message.objects.filter(firm=self.firm, source_key__in=keys).values_list("source_key", "id"))
            updates = []
            for key, parent in chunk:
                if key in ids and parent in ids:
                    updates.append(Message(pk=ids[key], in_reply_to_id=ids[parent]))
            Message.objects.bulk_update(updates, ["in_reply_to"], batch_size=500)

    def _requests(self, batch) -> None:
        rows = [
            (
                r.key[:300],
                client_id,
                {
                    "description": r.description[:300],
                    "requested_on": r.requested_on,
                    "due_on": r.due_on,
                    "received_on": r.received_on,
                },
            )
            for r, client_id in self._resolve(batch, "requests")
        ]
        self._upsert(
            "requests", ClientRequest, rows, lambda q: _("request %(description)s") % {"description": q.description}
        )

    def _incidents(self, batch) -> None:
        rows = [
            (
                r.key[:300],
                client_id,
                {"kind": r.incident_kind, "occurred_on": r.occurred_on, "hours_lost": r.hours_lost, "note": r.note},
            )
            for r, client_id in self._resolve(batch, "incidents")
        ]
        self._upsert(
            "incidents",
            Incident,
            rows,
            lambda i: _("incident %(date)s %(kind)s") % {"date": i.occurred_on, "kind": i.kind},
        )

    def _times(self, batch) -> None:
        rows = []
        for r, client_id in self._resolve(batch, "time entries"):
            person = self.member_by_email.get(r.person.lower()) or self.member_by_name.get(r.person.casefold())
            if person is None and r.person:
                self.strangers[r.person] += 1
            note = " · ".join(p for p in (r.project, r.note) if p)
            if len(note) > NOTE_MAX:
                note, self.shortened = note[: NOTE_MAX - 1] + "…", self.shortened + 1
            rows.append(
                (
                    r.key[:300],
                    client_id,
                    {"date": r.date, "hours": r.hours, "billable": r.billable, "person_id": person, "note": note},
                )
            )
        self._upsert(
            "time entries",
            TimeEntry,
            rows,
            lambda t: _("time entry %(date)s %(hours)s h") % {"date": t.date, "hours": t.hours},
        )


def _some(names: list[str], shown: int = 5) -> str:
    """The first few of ``names`` for a note, and "…" when there are more."""
    return ", ".join(names[:shown]) + (" …" if len(names) > shown else "")


def _twice(kind: str, record) -> str:
    """The problem of an invoice, payment or client that appears twice in one import."""
    if kind == "invoice":
        return _("the invoice %(number)s appears twice in this import") % {"number": record.number}
    if kind == "payment":
        return _("the payment %(key)s appears twice in this import") % {"key": repr(record.key)}
    return _("the client %(name)s appears twice in this import") % {"name": repr(record.name)}


NOTE_MAX = TimeEntry._meta.get_field("note").max_length or 300
ONE = Decimal("1")
# fmt: off
INVOICE_COLUMNS = (
    "firm_id", "client_id", "number", "issued_on", "due_on", "amount", "currency", "fx_rate", "paid_on",
    "amount_paid", "reminders_sent", "discount_requested", "discount_given", "disputed", "source_key",
)
# fmt: on


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """``rows`` into ``model``'s table with one executemany: Python values as the ORM would pass them
    (the backends adapt dates, Decimals and booleans), without building a model instance per row."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _parts(amount: Decimal, credited: Decimal) -> list[tuple[str, Decimal]]:
    """What an invoice export says was settled, as the payments the loader records: the money
    (origin "invoice", replaced by a payments import) and the part settled without money (origin
    "credit": a credit note or credit balance, kept). Nothing for a zero amount."""
    credit = min(credited, amount) if credited > 0 and amount > 0 else Decimal(0)
    money = amount - credit
    parts = [(Payment.Origin.INVOICE.value, money)] if money else []
    if credit:
        parts.append((Payment.Origin.CREDIT.value, credit))
    return parts


def _insert_summary_payments(rows: list[tuple]) -> None:
    """The payments an invoice export says were made, for invoices just written: rows of (firm, client,
    firm, invoice number, day, amount, origin); the invoice's id is found by its number (a unique index)."""
    quote = connection.ops.quote_name
    invoice, payment = quote(Invoice._meta.db_table), quote(Payment._meta.db_table)
    sql = (
        f"INSERT INTO {payment} (firm_id, client_id, invoice_id, paid_on, amount, method, reference, origin) "
        f"VALUES (%s, %s, (SELECT id FROM {invoice} WHERE firm_id = %s AND number = %s), %s, %s, '', '', %s)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _plural(kind: str) -> str:
    return {"time": "time entries", "invoice": "invoices", "payment": "payments"}.get(kind, f"{kind}s")
