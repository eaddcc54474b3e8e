"""Which of the firm's clients a record belongs to (issue 10 §3).

In this order: a name the firm mapped to a client before (ClientAlias), the export's own client id,
an e-mail address of one of the client's contacts, the client's own e-mail domains (never a public
mail provider's), then the normalised name — case, accents, punctuation and legal suffixes (Ltd,
GmbH, Sp. z o.o., SRL, OÜ, ООО, בע"מ …) do not count. A reference that fits two clients matches
none and is listed as unmatched, like one that fits no client: the user chooses to create the client
or skip its records. The firm's clients are read once (three queries), never per record.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from parting.clients.models import Client, Contact

from .domains import PUBLIC_DOMAINS
from .models import ClientAlias
from .records import ClientRef

# Legal forms, as the tokens they leave once punctuation is gone; removed where they end or begin a name.
LEGAL_FORMS = tuple(
    tuple(form.split())
    for form in (
        "ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation", "co", "company", "plc",
        "gmbh", "mbh", "ag", "kg", "gmbh co kg", "ug", "ev", "bv", "nv", "sa", "sas", "sarl", "sl", "spa", "srl",
        "s r l", "s a", "sc", "s c", "scs", "snc", "pfa", "ii", "if", "sp z o o", "spzoo", "sp z oo", "sp j", "sp k",
        "s k a", "ska", "sp p", "oy", "oyj", "ab", "as", "aps", "ou", "oü", "uab", "sia", "kft", "zrt", "doo", "d o o",
        "ооо", "ао", "зао", "оао", "пао", "ип", "нко", "тов", "пп", "בע מ", "בעמ", "חברת",
    )
)  # fmt: skip


def normalise_name(name: str) -> str:
    """A name as the matcher compares it: 'ACME Sp. z o.o.' and 'Acme' are the same client."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("״", '"').replace("׳", "'")
    tokens = re.sub(r"[^\w]+", " ", text).split()
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for form in LEGAL_FORMS:
            n = len(form)
            if len(tokens) > n and tuple(tokens[-n:]) == form:
                tokens, changed = tokens[:-n], True
            elif len(tokens) > n and tuple(tokens[:n]) == form:
                tokens, changed = tokens[n:], True
    return " ".join(tokens)


def exact(name: str) -> str:
    """A name as written, but for case and runs of spaces: "Acme Ltd" and "Acme" stay apart here."""
    return " ".join(name.casefold().split())


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def company_domain(address: str, own_domains=frozenset()) -> str:
    """The domain of ``address`` where it names an organisation: not a public mail provider's, not
    the firm's own; else ""."""
    domain = domain_of(address)
    return "" if domain in PUBLIC_DOMAINS or domain in own_domains else domain


def their_addresses(ref: ClientRef, own_domains=frozenset(), own_addresses=frozenset()) -> list[str]:
    """``ref``'s addresses that are the client's side: not a member's, not of the firm's own domains."""
    return [e for e in ref.emails if e.lower() not in own_addresses and domain_of(e) not in own_domains]


def unmatched_label(ref: ClientRef, own_domains=frozenset(), own_addresses=frozenset()) -> str:
    """How the list of unmatched clients names the client of ``ref``, one line per client to create,
    skip or map. A client's name, as a file gives it; for mail and calendar, whose names are people's,
    the sender's organisation ("@acme.com": everyone writing from it, one client) or, from a public
    provider, the person ("Anna Nowak <anna@gmail.com>"): two people called Anna are two lines."""
    if ref.name and not ref.person:
        return ref.name
    theirs = their_addresses(ref, own_domains, own_addresses)
    if not theirs:
        return ref.label()
    domain = company_domain(theirs[0], own_domains)
    if domain:
        return "@" + domain
    return f"{ref.name} <{theirs[0]}>" if ref.name else theirs[0]


def parse_label(label: str) -> tuple[str, str, str]:
    """``unmatched_label`` read back: (name, address, domain), one or two of them empty."""
    label = label.strip()
    if label.startswith("@") and " " not in label and "." in label and "@" not in label[1:]:
        return "", "", label[1:].lower()
    if label.endswith(">") and " <" in label:
        name, _sep, address = label[:-1].rpartition(" <")
        if "@" in address and " " not in address:
            return name.strip(), address.lower(), ""
    if "@" in label and " " not in label:
        return "", label.lower(), ""
    return label, "", ""


class Matcher:
    """The firm's clients indexed by every way a record may name them."""

    def __init__(self, firm):
        self.firm = firm
        self.by_alias: dict[str, int] = {}
        self.by_key: dict[str, int] = {}
        self.by_email: dict[str, set[int]] = defaultdict(set)
        self.by_domain: dict[str, set[int]] = defaultdict(set)
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.by_exact: dict[str, set[int]] = defaultdict(set)
        for alias, client_id in ClientAlias.objects.filter(firm=firm).values_list("alias", "client_id"):
            self.by_alias[alias] = client_id
        for client_id, name, domains, key in Client.objects.filter(firm=firm).values_list(
            "id", "name", "email_domains", "source_key"
        ):
            self.add(client_id, name=name, domains=domains.split(), key=key)
        self.addressed: set[int] = set()  # clients with at least one known contact address
        for client_id, email in (
            Contact.objects.filter(client__firm=firm).exclude(email="").values_list("client_id", "email")
        ):
            self.by_email[email.lower()].add(client_id)
            self.addressed.add(client_id)

    def add(self, client_id: int, *, name: str = "", emails=(), domains=(), key: str = "") -> None:
        if name:
            self.by_name[normalise_name(name)].add(client_id)
            self.by_exact[exact(name)].add(client_id)
        if key:
            self.by_key[key] = client_id
        for email in emails:
            self.by_email[email.lower()].add(client_id)
            self.addressed.add(client_id)
        for domain in domains:
            domain = domain.lower().strip()
            if domain and domain not in PUBLIC_DOMAINS:
                self.by_domain[domain].add(client_id)

    def match(self, ref: ClientRef) -> int | None:
        """The one client ``ref`` names, or None (no client, or more than one)."""
        if ref.name:
            alias = self.by_alias.get(normalise_name(ref.name))
            if alias:
                return alias
        if ref.external_id and ref.external_id in self.by_key:
            return self.by_key[ref.external_id]
        found: set[int] = set()
        for email in ref.emails:
            found |= self.by_email.get(email.lower(), set())
        if len(found) == 1:
            return next(iter(found))
        if not found:
            for email in ref.emails:
                found |= self.by_domain.get(domain_of(email), set())
            if len(found) == 1:
                return next(iter(found))
        if ref.name:
            if ref.person and ref.emails and not found:
                return self._person(ref.name)
            same = self.by_exact.get(exact(ref.name), set())
            if len(same) == 1 and (not found or same <= found):
                return next(iter(same))
            named = self.by_name.get(normalise_name(ref.name), set())
            if len(named) == 1 and (not found or named <= found):
                return next(iter(named))
        return None

    def _person(self, name: str) -> int | None:
        """A sender's display name from an address no client has: the client of that very name, if
        the firm knows none of its addresses ("Jan Nowak", typed in by hand, writing from gmail).
        A client whose addresses are known is not someone writing from a new one: two people called
        "Anna" are two people, and the member is asked rather than told."""
        named = self.by_exact.get(exact(name)) or self.by_name.get(normalise_name(name), set())
        if len(named) != 1 or named & self.addressed:
            return None
        return next(iter(named))
