"""The deterministic demo firm: Northwind Advisory, an accounting practice in Warsaw.

``demo_load()`` builds one firm with five members (one per interface language), 65 clients and 18 months of evidence ending on
``today``, so that every page of Parting has something true to show. Everything comes from fixed
seeds: the same ``today`` gives the same rows, byte for byte (apart from database ids and
``created_at`` stamps). Dates are relative to ``today`` so the demo always looks current.

Most clients are healthy. The others are archetypes, one per warning sign of DOMAIN.md, each
strong enough that its sign is "poor" under the catalogue's default thresholds:

============================  ==========================  =======================================
archetype                     signs poor as of today      advice the scorer should give
============================  ==========================  =======================================
healthy                       none                        keep
slow_documents                W1 (W14 concerning)         talk first
night_owl                     W2                          talk first: expectations only (D2)
owner_only (holds a stake)    W3                          talk first: expectations only (D2, D12)
no_show                       W4                          talk first
error_prone                   W5                          talk first
second_guesser                W6, W13                     talk first: expectations only (D2)
late_payer (under review)     W7 + invoice > 90 days due  consider parting: dealbreaker (D7)
contract_breaker              W8                          talk first
haggler (referred two)        W9                          talk first; referral influence (D6)
complainer                    W10                         talk first
tiny_account                  W11                         talk first
off_focus                     W12                         talk first
scope_creeper                 W13                         talk first: expectations only (D2)
unreliable                    W14                         talk first
abusive                       W15, W10, W3 + 2 incidents  consider parting: dealbreaker (D7)
always_on                     W2, W3                      talk first: expectations only (D2)
nightmare                     W4, W7, W8, W9, W10, W11    consider parting: fit score
drifting                      W1, W7, W8, W11, W14        consider parting: fit score
============================  ==========================  =======================================

Four former clients and clients who joined during the 18 months (some through a referral chain
four clients long, D6) complete the picture. Contacts write in English, Russian, Polish, Romanian
and Hebrew, with masculine, feminine and neutral forms of address for the letters.

No member gets a password here: they are made unusable, and ``parting demo`` sets and prints
fresh ones. Parting never ships a default password.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from parting.clients.models import AccessGrant, Client, Contact
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.firms.models import Firm, Membership, Service
from parting.firms.services import firm_create, member_add
from parting.signs.policy import policy_for
from parting.signs.scoring import window
from parting.signs.sql import month_key, month_start

from .cases import demo_offboarding

DEMO_SLUG = "demo"
SEED = "parting-demo-2026"  # one fixed seed; each client draws from its own stream derived from it
HISTORY_MONTHS = 18
TIME_ZONE = "Europe/Warsaw"
WARSAW = zoneinfo.ZoneInfo(TIME_ZONE)
OPENS, CLOSES = dt.time(9), dt.time(17)
CENT = Decimal("0.01")


def _payments(invoices) -> list[Payment]:
    """The payments behind each paid invoice: one, or two when it was paid more than three weeks late
    (half first, the rest on the day it was settled) — clients who pay late often pay in parts."""
    rows = []
    for invoice in invoices:
        if invoice.paid_on is None:
            continue
        common = {"firm_id": invoice.firm_id, "client_id": invoice.client_id, "invoice": invoice, "method": "transfer"}
        total = invoice.amount_paid
        if (invoice.paid_on - invoice.due_on).days > 21:
            first = _money(total / 2)
            rows.append(Payment(paid_on=invoice.due_on + dt.timedelta(days=7), amount=first, **common))
            total -= first
        rows.append(Payment(paid_on=invoice.paid_on, amount=total, **common))
    return rows


class DemoError(Exception):
    """The demo cannot be built, e.g. a username it needs belongs to someone else."""


@dataclass
class DemoResult:
    firm: Firm
    created: bool  # False: the demo firm was already there and nothing was changed
    members: list[Membership]


# --- the firm --------------------------------------------------------------------------------------

FIRM_NAME = "Northwind Advisory"
LETTERHEAD = "14 Wharf Street, Leeds LS2 7EQ, United Kingdom\n+44 113 496 0521 · office@northwind-advisory.example\nRegistered in England and Wales, company no. 09876543"
SERVICES = ("Bookkeeping", "Payroll", "Tax returns", "Annual accounts", "Business advisory", "Web & IT support")
# The firm has narrowed to accounting work; advisory and IT support are what W12 (no longer fits) sees.
FOCUS = ("Bookkeeping", "Payroll", "Tax returns", "Annual accounts")
OUTSIDE = ("Business advisory", "Web & IT support")

# (username, role, first name, last name, interface language): one member per language Parting
# speaks, so each language can be tried by logging in as its member. The first member of a role is
# the one the demo's cases are opened and reviewed by (demo/cases.py); staff share the clients a
# profile gives to staff.
MEMBERS = (
    ("owner", Membership.Role.OWNER, "Eleanor", "Whitfield", "en"),
    ("partner", Membership.Role.PARTNER, "Katarzyna", "Zielińska", "pl"),
    ("staff", Membership.Role.STAFF, "Anastasia", "Morozova", "ru"),
    ("andreea", Membership.Role.STAFF, "Andreea", "Dobre", "ro"),
    ("oren", Membership.Role.STAFF, "Oren", "Harel", "he"),
)
MAIL_DOMAIN = "northwind-advisory.eu"


# --- how clients behave ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """How one kind of client behaves over 18 months.

    The defaults are a healthy client: every share and count sits inside the healthy band of the
    catalogue's default thresholds (a late invoice in twelve is 8 %, W7 turns concerning at 20 %),
    so the demo also shows that a little noise is not a warning sign. Shares are applied exactly,
    separately inside the scoring window and before it, so an archetype shows the share it asks for.
    """

    fee: tuple[int, int] = (400, 2200)  # monthly fee in EUR
    rate: tuple[int, int] = (105, 140)  # EUR earned per hour worked; W11 compares it with the target of 90
    services: str = "focus"  # "focus": only what the firm now focuses on; "outside": W12
    late_payments: float = 0.08  # W7: share of invoices paid after the due date
    late_payment_days: tuple[int, int] = (2, 6)
    overdue_days: int = 0  # one invoice still unpaid at least this long after its due date (D7 at > 90)
    discount_requests: int = 0  # W9: invoices in the window on which a discount was asked
    haggling: int = 0  # W9: haggling incidents in the window
    disputed: int = 0  # W8: disputed invoices in the window
    contract_ignored: int = 0  # W8: incidents in the window
    late_documents: float = 0.08  # W1, W14: share of requested items delivered after their due date
    late_document_days: tuple[int, int] = (1, 3)
    messages: tuple[int, int] = (2, 5)  # messages from the client per month
    after_hours: float = 0.04  # W2: share of the client's messages outside 09:00–17:00 Mon–Fri, Warsaw
    to_senior: float = 0.03  # W3: share sent to the owner or partner past the assigned member
    negative: float = 0.03  # W10: share of negative messages
    meetings: float = 0.45  # meetings per month
    meeting_trouble: float = 0.0  # W4: share cancelled at short notice, missed, or joined late
    rework: int = 0  # W5: rework incidents in the window
    distrust: int = 0  # W6: advice challenged, incidents in the window
    free_extras: float = 0.0  # W13: unbilled extra work as a share of all the hours spent
    disrespect: int = 0  # W15: incidents within the last six months (two is the D7 dealbreaker)
    assign: str = ""  # role of the assigned member; "" lets the seed choose
    noise: bool = True  # occasional harmless extras (one rework, one discount asked) like real clients


PROFILES: dict[str, Profile] = {
    "healthy": Profile(),
    # W1: few items late, but very late: about a third, two to four weeks after the due date.
    "slow_documents": Profile(late_documents=0.35, late_document_days=(14, 25)),
    # W2: half the messages at night or at the weekend. D2: expectations, talk first.
    "night_owl": Profile(after_hours=0.5, messages=(4, 8)),
    # W3: writes to the owner or partner past the assigned staff member. D2.
    "owner_only": Profile(to_senior=0.45, messages=(3, 6), assign="staff"),
    # W4: half of the meetings cancelled late, missed or joined late.
    "no_show": Profile(meetings=2.0, meeting_trouble=0.5),
    # W5: repeated errors the firm has to put right; the hours are logged too.
    "error_prone": Profile(rework=5, rate=(120, 140), noise=False),
    # W6 and W13: second-guesses the advice and asks for free extras. D2.
    "second_guesser": Profile(distrust=4, free_extras=0.2, rate=(125, 140)),
    # W7 and the D7 dealbreaker: pays late as a rule, one invoice unpaid for four months.
    "late_payer": Profile(late_payments=0.7, late_payment_days=(15, 45), overdue_days=115),
    # W8: ignored the contract twice and disputed an invoice.
    "contract_breaker": Profile(contract_ignored=2, disputed=1),
    # W9: asks for a discount on invoice after invoice.
    "haggler": Profile(discount_requests=4, haggling=2, rate=(115, 135), noise=False),
    # W10: two messages in five are complaints.
    "complainer": Profile(negative=0.4, messages=(3, 6)),
    # W11: a tiny account that takes far more time than it pays for.
    "tiny_account": Profile(fee=(90, 140), rate=(35, 50), noise=False),
    # W12: buys only the services the firm has moved away from.
    "off_focus": Profile(services="outside"),
    # W13: a quarter of the time spent is free extra work. D2.
    "scope_creeper": Profile(free_extras=0.25, rate=(130, 140)),
    # W14: most of what the work depends on arrives a day or three late.
    "unreliable": Profile(late_documents=0.7, late_document_days=(1, 3)),
    # W15 (two incidents within six months: dealbreaker), W10, W3.
    "abusive": Profile(disrespect=2, negative=0.3, to_senior=0.35, assign="staff"),
    # W2 and W3 together: the client who wants the owner at ten at night. D2.
    "always_on": Profile(after_hours=0.45, to_senior=0.4, messages=(4, 7), assign="staff"),
    # W4, W7, W8, W9, W10, W11: no single dealbreaker, but a fit score far below 45.
    "nightmare": Profile(
        late_payments=0.75,
        late_payment_days=(20, 50),
        meetings=1.5,
        meeting_trouble=0.6,
        negative=0.5,
        disputed=2,
        contract_ignored=2,
        discount_requests=4,
        haggling=2,
        rate=(35, 42),
        noise=False,
    ),
    # W1, W7, W8, W11, W14: the relationship wearing thin on every side.
    "drifting": Profile(
        late_documents=0.8,
        late_document_days=(8, 20),
        late_payments=0.75,
        late_payment_days=(15, 40),
        contract_ignored=3,
        rate=(35, 45),
        noise=False,
    ),
}


# --- the clients -----------------------------------------------------------------------------------

M, F, N = Contact.Address.MASCULINE, Contact.Address.FEMININE, Contact.Address.NEUTRAL


@dataclass(frozen=True)
class Person:
    name: str
    address: str  # form of address: M, F or N
    language: str
    mailbox: str  # the part before the @
    honorific: str = ""


@dataclass(frozen=True)
class Spec:
    name: str
    country: str  # ISO 3166 code: which banks, software and phone numbers are realistic
    domain: str  # the client's mail domain
    profile: str
    contacts: tuple[Person, ...]
    since: int = 0  # joined this many months ago (on the 1st); 0: a client of several years
    ended: int = 0  # former client: the contract ended this many months ago
    fixed_term: bool = False
    referred_by: str = ""  # name of the client who brought them (D6)
    holds_stake: bool = False  # D12
    notes: str = ""


def spec(name, country, domain, profile, *contacts, **extras) -> Spec:
    return Spec(name, country, domain, profile, tuple(Person(*c) for c in contacts), **extras)


CLIENTS: tuple[Spec, ...] = (
    # Poland
    spec(
        "Kowalski i Synowie sp. z o.o.",
        "PL",
        "kowalskiisynowie.pl",
        "healthy",
        ("Marek Kowalski", M, "pl", "marek.kowalski"),
        ("Agnieszka Kowalska", F, "pl", "agnieszka.kowalska"),
    ),
    spec(
        "Piekarnia Złoty Kłos",
        "PL",
        "zlotyklos.pl",
        "healthy",
        ("Tomasz Wójcik", M, "pl", "tomasz.wojcik"),
        referred_by="Kowalski i Synowie sp. z o.o.",
    ),
    spec(
        "Krakowska Palarnia Kawy",
        "PL",
        "palarniakrakowska.pl",
        "healthy",
        ("Magdalena Nowicka", F, "pl", "magdalena"),
        since=7,
        referred_by="Piekarnia Złoty Kłos",
    ),
    spec(
        "Wiśniewska Architektura",
        "PL",
        "wisniewska-architektura.pl",
        "healthy",
        ("Joanna Wiśniewska", F, "pl", "joanna"),
        fixed_term=True,
    ),
    spec(
        "Mazur Logistyka sp. z o.o.",
        "PL",
        "mazurlogistyka.pl",
        "late_payer",
        ("Krzysztof Mazur", M, "pl", "k.mazur"),
        ("Dział księgowości", N, "pl", "ksiegowosc"),
        notes="The invoice from the summer is still unpaid; a partner is chasing it before anything else.",
    ),
    spec(
        "Gabinet Stomatologiczny dr Ewa Lewandowska",
        "PL",
        "lewandowska-dent.pl",
        "healthy",
        ("Ewa Lewandowska", F, "pl", "ewa.lewandowska", "dr"),
    ),
    spec("Zielony Ogród Catering", "PL", "zielonyogrod.com.pl", "healthy", ("Paweł Zieliński", M, "pl", "pawel")),
    spec("Nowak Studio Graficzne", "PL", "nowakstudio.pl", "healthy", ("Karolina Nowak", F, "pl", "karolina")),
    spec("Kamiński Elektro s.c.", "PL", "kaminski-elektro.pl", "healthy", ("Rafał Kamiński", M, "pl", "biuro")),
    spec("Piotr Grabowski IT", "PL", "gmail.com", "healthy", ("Piotr Grabowski", M, "pl", "piotr.grabowski.it")),
    spec(
        "Wolski i Partnerzy Kancelaria Radcowska",
        "PL",
        "wolski-kancelaria.pl",
        "healthy",
        ("Adam Wolski", M, "pl", "adam.wolski"),
        ("Sekretariat", N, "pl", "sekretariat"),
        fixed_term=True,
    ),
    spec("Szymańska Fizjoterapia", "PL", "szymanska-fizjo.pl", "healthy", ("Monika Szymańska", F, "pl", "monika")),
    spec(
        "Baltic Amber Trade sp. z o.o.",
        "PL",
        "balticamber.pl",
        "drifting",
        ("Grzegorz Baran", M, "pl", "g.baran"),
        ("Emily Baran", F, "en", "emily.baran"),
    ),
    spec(
        "Jabłońska Tłumaczenia",
        "PL",
        "wp.pl",
        "tiny_account",
        ("Aleksandra Jabłońska", F, "pl", "jablonska.tlumaczenia"),
    ),
    spec(
        "Dąbrowski Budownictwo sp. z o.o.",
        "PL",
        "dabrowski-bud.pl",
        "slow_documents",
        ("Jan Dąbrowski", M, "pl", "jan.dabrowski"),
    ),
    spec(
        "Pracownia Ceramiki Glina", "PL", "glina-ceramika.pl", "healthy", ("Zofia Pawlak", F, "pl", "zofia"), since=11
    ),
    spec("Lis Auto Serwis", "PL", "lisautoserwis.pl", "error_prone", ("Michał Lis", M, "pl", "serwis")),
    spec("Zając Fotografia", "PL", "zajacfoto.pl", "healthy", ("Natalia Zając", F, "pl", "natalia"), ended=5),
    # Russian-speaking clients in Poland, Estonia and Cyprus
    spec(
        "Volga Trade sp. z o.o.",
        "PL",
        "volgatrade.pl",
        "healthy",
        ("Дмитрий Волков", M, "ru", "dmitry.volkov"),
        ("Бухгалтерия", N, "ru", "buh"),
        referred_by="Sokolov Engineering OÜ",
    ),
    spec(
        "Sokolov Engineering OÜ",
        "EE",
        "sokolov-eng.ee",
        "abusive",
        ("Игорь Соколов", M, "ru", "igor"),
        notes="Shouted at the staff member twice this year; see the incidents.",
    ),
    spec(
        "Irina Petrova Translations",
        "PL",
        "gmail.com",
        "healthy",
        ("Ирина Петрова", F, "ru", "irina.petrova.translate"),
    ),
    spec(
        "Smirnov Dental Clinic sp. z o.o.",
        "PL",
        "smirnovdental.pl",
        "healthy",
        ("Андрей Смирнов", M, "ru", "a.smirnov"),
        ("Ольга Смирнова", F, "ru", "o.smirnova"),
        fixed_term=True,
    ),
    spec(
        "Neva Software sp. z o.o.",
        "PL",
        "nevasoft.pl",
        "healthy",
        ("Алексей Кузнецов", M, "ru", "alexey"),
        ("Marta Kaczmarek", F, "pl", "marta.kaczmarek"),
    ),
    spec(
        "Kovalenko Yacht Charter Ltd",
        "CY",
        "kovalenko-charter.com.cy",
        "complainer",
        ("Наталья Коваленко", F, "ru", "natalia"),
    ),
    spec("Orlov & Fedorov Media", "PL", "orlovfedorov.com", "no_show", ("Павел Орлов", M, "ru", "pavel.orlov")),
    spec("Lebedeva Art Gallery", "PL", "lebedeva.gallery", "healthy", ("Екатерина Лебедева", F, "ru", "katerina")),
    spec(
        "Ателье Анны Зайцевой",
        "PL",
        "atelier-zaitseva.pl",
        "healthy",
        ("Анна Зайцева", F, "ru", "anna"),
        since=13,
    ),
    spec("Morozov Fitness Club", "PL", "morozovfit.pl", "healthy", ("Сергей Морозов", M, "ru", "sergey"), ended=9),
    # Romania
    spec("Popescu Logistic SRL", "RO", "popescu-logistic.ro", "healthy", ("Andrei Popescu", M, "ro", "andrei.popescu")),
    spec(
        "Stoica Software SRL",
        "RO",
        "stoicasoft.ro",
        "healthy",
        ("Cristina Stoica", F, "ro", "cristina"),
        ("Bogdan Stoica", M, "en", "bogdan"),
        since=15,
        referred_by="Popescu Logistic SRL",
    ),
    spec(
        "Marinescu Dental Clinic SRL",
        "RO",
        "marinescudental.ro",
        "healthy",
        ("Alexandra Marinescu", F, "ro", "alexandra", "dr."),
        since=12,
        referred_by="Stoica Software SRL",
    ),
    spec(
        "Carpați Wood Design SRL",
        "RO",
        "carpatiwood.ro",
        "healthy",
        ("Mihai Ionescu", M, "ro", "mihai"),
        ("Elena Ionescu", F, "ro", "elena"),
    ),
    spec(
        "Dumitrescu & Asociații",
        "RO",
        "dumitrescu-asociatii.ro",
        "healthy",
        ("Ioana Dumitrescu", F, "ro", "ioana.dumitrescu"),
        fixed_term=True,
    ),
    spec("Cafeneaua Veche SRL", "RO", "cafeneauaveche.ro", "healthy", ("Radu Stan", M, "ro", "radu")),
    spec(
        "Vlad Constantinescu PFA", "RO", "yahoo.ro", "healthy", ("Vlad Constantinescu", M, "ro", "vlad.constantinescu")
    ),
    spec(
        "Dunărea Agro SRL",
        "RO",
        "dunarea-agro.ro",
        "unreliable",
        ("Gheorghe Munteanu", M, "ro", "gheorghe"),
        ("Contabilitate", N, "ro", "contabilitate"),
    ),
    spec(
        "Georgescu Design Interior",
        "RO",
        "georgescu-design.ro",
        "healthy",
        ("Luminița Georgescu", F, "ro", "luminita"),
        ended=4,
    ),
    spec(
        "Transilvania Tours SRL",
        "RO",
        "transilvaniatours.ro",
        "contract_breaker",
        ("Sorin Pop", M, "ro", "sorin.pop"),
        fixed_term=True,
    ),
    # Israel
    spec(
        "Mizrahi Import Export Ltd",
        "IL",
        "mizrahi-import.co.il",
        "haggler",
        ("משה מזרחי", M, "he", "moshe"),
        notes="Brought us Shapira Dental and the Peretz law office (D6).",
    ),
    spec(
        "Shapira Dental Ltd",
        "IL",
        "shapira-dental.co.il",
        "healthy",
        ("יעל שפירא", F, "he", "yael", "ד״ר"),
        referred_by="Mizrahi Import Export Ltd",
    ),
    spec(
        "Peretz Law Office",
        "IL",
        "peretz-law.co.il",
        "healthy",
        ("מיכל פרץ", F, "he", "michal"),
        since=14,
        referred_by="Mizrahi Import Export Ltd",
    ),
    spec(
        "מאפיית כהן בע״מ",
        "IL",
        "cohen-bakery.co.il",
        "healthy",
        ("אבי כהן", M, "he", "avi"),
        ("הנהלת חשבונות", N, "he", "office"),
    ),
    spec(
        "Negev Solar Ltd",
        "IL",
        "negevsolar.co.il",
        "scope_creeper",
        ("Noa Friedman", F, "en", "noa"),
        ("רון אלון", M, "he", "ron"),
    ),
    spec("Ben-David Architects", "IL", "bendavid-arch.co.il", "healthy", ("תמר בן דוד", F, "he", "tamar")),
    spec("Levi Cyber Labs Ltd", "IL", "levicyber.io", "night_owl", ("Eitan Levi", M, "en", "eitan")),
    spec("Golan Wines Ltd", "IL", "golanwines.co.il", "always_on", ("עמית גולן", M, "he", "amit")),
    spec("Katz Digital Marketing", "IL", "katzdigital.co.il", "healthy", ("דנה כץ", F, "he", "dana"), fixed_term=True),
    spec("Rosenberg Physiotherapy", "IL", "rosenberg-physio.co.il", "healthy", ("Shira Rosenberg", F, "en", "shira")),
    # English-speaking countries
    spec(
        "Harbour & Finch Ltd",
        "GB",
        "harbourfinch.co.uk",
        "healthy",
        ("James Whitaker", M, "en", "james.whitaker"),
        ("Emily Clarke", F, "en", "emily.clarke"),
    ),
    spec(
        "Thornton Bakery",
        "GB",
        "thorntonbakery.co.uk",
        "healthy",
        ("Sarah Thornton", F, "en", "sarah"),
        since=16,
        referred_by="Harbour & Finch Ltd",
    ),
    spec(
        "Wren Yoga Studio",
        "GB",
        "wrenyoga.co.uk",
        "healthy",
        ("Hannah Wren", F, "en", "hannah"),
        since=10,
        referred_by="Thornton Bakery",
    ),
    spec(
        "Kiwi Code Ltd",
        "NZ",
        "kiwicode.co.nz",
        "healthy",
        ("Aroha Williams", F, "en", "aroha"),
        since=5,
        referred_by="Wren Yoga Studio",
    ),
    spec("Maple Leaf Outfitters Inc.", "CA", "mapleleafoutfitters.ca", "healthy", ("Ryan MacDonald", M, "en", "ryan")),
    spec(
        "O'Sullivan Consulting", "IE", "osullivanconsulting.ie", "healthy", ("Siobhan O'Sullivan", F, "en", "siobhan")
    ),
    spec("Bluegum Analytics Pty Ltd", "AU", "bluegum-analytics.com.au", "healthy", ("Liam Nguyen", M, "en", "liam")),
    spec(
        "Redwood Creative LLC",
        "US",
        "redwoodcreative.com",
        "off_focus",
        ("Michael Brooks", M, "en", "michael"),
        ("Accounts payable", N, "en", "accounts"),
        notes="Web hosting and IT support from the years before the firm moved to accounting only.",
    ),
    spec(
        "Pemberton Legal LLP",
        "GB",
        "pembertonlegal.co.uk",
        "second_guesser",
        ("Oliver Pemberton", M, "en", "oliver.pemberton"),
    ),
    spec(
        "Greenway Energy Solutions Ltd",
        "GB",
        "greenway-energy.co.uk",
        "healthy",
        ("Daniel Hughes", M, "en", "d.hughes"),
        fixed_term=True,
    ),
    spec(
        "Hartley Capital Partners LLP",
        "GB",
        "hartleycapital.co.uk",
        "owner_only",
        ("Victoria Hartley", F, "en", "victoria"),
        holds_stake=True,
        notes="Owns 10% of Northwind Advisory: seek professional advice before any decision (D12).",
    ),
    spec(
        "Northbridge Dental Group",
        "US",
        "northbridgedental.com",
        "healthy",
        ("Robert Chen", M, "en", "rchen", "Dr"),
        since=9,
        referred_by="Hartley Capital Partners LLP",
    ),
    spec("Sullivan & Reyes Architects", "US", "sullivanreyes.com", "healthy", ("Maria Reyes", F, "en", "maria")),
    spec(
        "Atlas Freight Forwarding Ltd",
        "GB",
        "atlasfreight.co.uk",
        "nightmare",
        ("Gareth Evans", M, "en", "gareth.evans"),
        ("Accounts team", N, "en", "accounts"),
    ),
    spec("Baxter & Hale Events", "GB", "baxterhale.co.uk", "healthy", ("Chloe Baxter", F, "en", "chloe"), ended=7),
    spec(
        "Clearwater Software Inc.",
        "US",
        "clearwatersoft.com",
        "healthy",
        ("Jason Miller", M, "en", "jason"),
        ("Finance team", N, "en", "finance"),
    ),
    spec("Alder & Moss Gardens", "IE", "aldermoss.ie", "healthy", ("Ciarán Byrne", M, "en", "ciaran"), since=3),
)

# Free-text referral sources for the clients nobody referred (D6 looks at both): some heard of the
# firm anywhere, some through their community in Warsaw.
REFERRAL_SOURCES = (
    "LinkedIn",
    "Google search",
    "Recommended by their lawyer",
    "Conference stand, Warsaw Business Expo",
    "Webinar on Polish VAT for foreign companies",
    "",
)
COMMUNITY = {
    "PL": "Warsaw Chamber of Commerce",
    "RO": "Romanian Business Club Warsaw",
    "IL": "Polish-Israeli Chamber of Commerce",
    "GB": "British Polish Chamber of Commerce",
    "IE": "Irish Business Network Poland",
    "US": "American Chamber of Commerce in Poland",
    "CA": "Canada Poland Chamber of Commerce",
}

# Systems a client gives the firm access to (O2), by the client's country.
SYSTEMS: dict[str, dict[str, tuple[str, ...]]] = {
    "PL": {
        "bank": ("mBank CompanyNet", "PKO BP iPKO biznes", "ING Business", "Santander Biznes"),
        "accounting": ("Comarch ERP Optima", "Symfonia", "wFirma", "inFakt"),
        "payroll": ("enova365 Kadry i Płace", "Comarch ERP Optima Płace"),
        "tax": ("e-Urząd Skarbowy",),
    },
    "RO": {
        "bank": ("Banca Transilvania BT Go", "BCR Business 24", "ING Office Banking"),
        "accounting": ("SmartBill", "Saga C"),
        "payroll": ("REGES-ONLINE",),
        "tax": ("ANAF SPV",),
    },
    "IL": {
        "bank": ("Bank Leumi Digital", "Bank Hapoalim Business", "Discount Bank Online"),
        "accounting": ("Rivhit", "Hashavshevet", "Priority"),
        "payroll": ("Hilan",),
        "tax": ("Israel Tax Authority online services",),
    },
    "GB": {
        "bank": ("Barclays Business", "Starling Business", "Tide"),
        "accounting": ("Xero", "QuickBooks Online", "Sage Business Cloud"),
        "payroll": ("BrightPay", "Xero Payroll"),
        "tax": ("HMRC online services",),
    },
    "US": {
        "bank": ("Chase Business Online", "Bank of America Business Advantage"),
        "accounting": ("QuickBooks Online", "Xero"),
        "payroll": ("Gusto", "ADP Workforce Now"),
        "tax": ("IRS e-Services",),
    },
    "EE": {
        "bank": ("LHV Business", "Swedbank Business"),
        "accounting": ("Merit Aktiva",),
        "payroll": ("Merit Palk",),
        "tax": ("e-MTA",),
    },
    "CY": {
        "bank": ("Bank of Cyprus 1bank", "Hellenic Bank Business"),
        "accounting": ("Xero",),
        "payroll": ("Social Insurance Services portal",),
        "tax": ("Tax For All (TFA)",),
    },
}
REGION = {"IE": "GB", "AU": "GB", "NZ": "GB", "CA": "US"}
TAX_PORTAL = {"IE": "ROS (Revenue Online Service)", "AU": "ATO Online services", "NZ": "myIR", "CA": "CRA My Business"}
PHONE = {
    "PL": ("+48", "5##-###-###"),
    "RO": ("+40", "7##-###-###"),
    "IL": ("+972", "5#-###-####"),
    "GB": ("+44", "7### ######"),
    "IE": ("+353", "8# ### ####"),
    "US": ("+1", "###-555-0###"),
    "CA": ("+1", "###-555-0###"),
    "AU": ("+61", "4## ### ###"),
    "NZ": ("+64", "2# ### ####"),
    "EE": ("+372", "5### ####"),
    "CY": ("+357", "99 ######"),
}

# Month names for descriptions; not strftime("%B"), which follows the process locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# What the summaries say, so the evidence lists read like a real inbox.
TOPICS_IN = (
    "Question about VAT on an invoice from Germany",
    "Sends the purchase invoices",
    "Asks when the payroll will be ready",
    "New employee starts next month",
    "Asks for a copy of last year's tax return",
    "Change of the company's bank account",
    "Question about a company car",
    "Asks whether a laptop can be expensed",
    "Sends the signed contract with a supplier",
    "Question about the social-security contribution",
)
TOPICS_NEGATIVE = (
    "Complains that the monthly fee is too high",
    "Unhappy that the report came the day it was due",
    "Says the last tax return was a mess",
    "Complains about having to send documents again",
    "Angry about a bank fee and blames the firm",
    "Says the firm never answers on time",
)
TOPICS_OUT = (
    "Answers the question with the figures",
    "Confirms receipt of the documents",
    "Explains the VAT treatment",
    "Confirms the meeting time",
    "Sends the payroll for approval",
    "Asks for the missing invoice",
)
WORK_NOTES = {
    "Bookkeeping": "Monthly bookkeeping",
    "Payroll": "Payroll run",
    "Tax returns": "VAT and income tax returns",
    "Annual accounts": "Year-end closing",
    "Business advisory": "Advisory: preparing the board figures",
    "Web & IT support": "Server updates and helpdesk",
}
MEETING_SUBJECTS = (
    "Monthly review",
    "Quarterly figures",
    "Year-end planning",
    "Payroll changes",
    "Tax return walkthrough",
    "Budget for next year",
)
INCIDENT_NOTES = {
    Incident.Kind.REWORK: (
        "Sent the wrong bank statement again; bookings redone",
        "Invoice entered twice by the client in the shared folder",
        "Payroll hours reported for the wrong month; payroll rerun",
    ),
    Incident.Kind.SCOPE_CREEP: (
        "Asked for a cash-flow forecast as part of the monthly fee",
        "Asked us to prepare a bank loan application for free",
        "Wanted a weekend call to walk the investors through the figures",
    ),
    Incident.Kind.EXPERTISE_CHALLENGED: (
        "Insisted on a deduction after we explained it is not allowed",
        "Asked a friend to re-check our VAT return and forwarded his comments",
        "Refused the depreciation schedule we proposed",
    ),
    Incident.Kind.CONTRACT_IGNORED: (
        "Paid half of the quarterly fee and asked to spread the rest",
        "Sent the payroll data two days before payday, against the five days agreed",
        "Asked for work outside the contract to be done at the contract price",
    ),
    Incident.Kind.DISRESPECT: (
        "Shouted at the staff member on the phone and hung up",
        "Insulting e-mail to the staff member, copied to the partner",
    ),
    Incident.Kind.HAGGLING: (
        "Asked for 20% off the annual accounts fee",
        "Compared our fee with a freelancer's and asked us to match it",
    ),
}


# --- the public function ---------------------------------------------------------------------------


def demo_load(*, reset: bool = False, today: dt.date | None = None) -> DemoResult:
    """Build the demo firm once; with ``reset`` delete it (and its users) and build it again.

    Everything happens in one transaction: a failure leaves the database as it was.
    """
    today = today or timezone.now().astimezone(zoneinfo.ZoneInfo(TIME_ZONE)).date()  # the demo firm's today
    with transaction.atomic():
        existing = Firm.objects.filter(slug=DEMO_SLUG).first()
        if existing is not None:
            if not reset:
                return DemoResult(existing, False, _members_of(existing))
            _delete(existing)
        firm = _Builder(today).build()
        demo_offboarding(firm, today)
        return DemoResult(firm, True, _members_of(firm))


def _members_of(firm: Firm) -> list[Membership]:
    """The demo's members in the order of ``MEMBERS`` (owner, partner, then staff)."""
    order = {username: index for index, (username, *_rest) in enumerate(MEMBERS)}
    members = Membership.objects.filter(firm=firm).select_related("user")
    return sorted(members, key=lambda m: (order.get(m.user.username, len(order)), m.user.username))


def demo_member_line(membership: Membership, password: str) -> str:
    """What ``parting demo`` prints for one member: role, user name, one-time password and the
    language the member's pages are in (each language has its member)."""
    return (
        f"  {membership.get_role_display():<8} user: {membership.user.username:<10} "
        f"password: {password}  ({membership.get_language_display()})"
    )


def _delete(firm: Firm) -> None:
    """Remove the demo firm and the users who belong to it, and nothing else."""
    user_ids = list(Membership.objects.filter(firm=firm).values_list("user_id", flat=True))
    # The evidence first, one DELETE per table: left to the cascade from the firm, Django would load
    # every row into memory. Replies point at messages, so Django would load those anyway; once the
    # links are cut, a plain DELETE is safe, unless some other table has since come to point at them.
    for model in (TimeEntry, Incident, ClientRequest, Meeting, Invoice):
        model.objects.filter(firm=firm).delete()
    Message.objects.filter(in_reply_to__firm=firm).update(in_reply_to=None)
    if any(rel.related_model is not Message for rel in Message._meta.related_objects):
        Message.objects.filter(firm=firm).delete()
    else:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Message._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE firm_id = %s", [firm.id])
    firm.delete()
    get_user_model().objects.filter(id__in=user_ids).delete()


# --- building --------------------------------------------------------------------------------------


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _quarter_hours(value: float) -> Decimal:
    return Decimal(max(1, round(value * 4))) / 4


def _workdays(key: int, first: dt.date, last: dt.date) -> list[dt.date]:
    """Monday–Friday days of month ``key`` between ``first`` and ``last``."""
    return [day for day in _month_workdays(key) if first <= day <= last]


@functools.cache
def _month_workdays(key: int) -> tuple[dt.date, ...]:
    first = month_start(key)
    days = (first + dt.timedelta(days=n) for n in range((month_start(key + 1) - first).days))
    return tuple(day for day in days if day.weekday() < 5)


def _first_workday(key: int) -> dt.date:
    day = month_start(key)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _add_months(day: dt.date, months: int) -> dt.date:
    key = month_key(day) + months
    last = (month_start(key + 1) - dt.timedelta(days=1)).day
    return month_start(key).replace(day=min(day.day, last))


def _utc(day: dt.date, minutes: int) -> dt.datetime:
    """``minutes`` after midnight, Warsaw wall clock, as an aware UTC datetime."""
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), WARSAW)
    return local.astimezone(dt.UTC)


def _mark(rng: random.Random, keys: list[dt.date], share: float, since: dt.date, today: dt.date) -> set[int]:
    """Indices of exactly ``round(share × n)`` of the items, chosen at random.

    The items in the scoring window and those before it are counted separately, so the share the
    scorer sees (over the window) is the share the profile asks for, not whatever a coin would give.
    Items dated today or later are never chosen: they cannot be late yet.
    """
    inside = [i for i, key in enumerate(keys) if since <= key < today]
    before = [i for i, key in enumerate(keys) if key < since]
    chosen: set[int] = set()
    for group in (inside, before):
        chosen.update(rng.sample(group, min(len(group), round(share * len(group)))))
    return chosen


@dataclass
class _Rows:
    """Everything to bulk-insert, collected client by client."""

    contacts: list[Contact] = field(default_factory=list)
    grants: list[AccessGrant] = field(default_factory=list)
    services: list = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    replies: list[tuple[Message, int]] = field(default_factory=list)  # (reply, index of the message)
    requests: list[ClientRequest] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    time: list[TimeEntry] = field(default_factory=list)


class _Builder:
    def __init__(self, today: dt.date):
        self.today = today
        self.yesterday = today - dt.timedelta(days=1)  # timestamps stop before today: none in the future
        self.first_key = month_key(today) - HISTORY_MONTHS + 1
        self.history_start = month_start(self.first_key)
        self.rows = _Rows()
        self.fees: dict[str, int] = {}  # each client's monthly fee in EUR

    # -- firm, members, services ----------------------------------------------------------------

    def build(self) -> Firm:
        self.firm = firm_create(
            name=FIRM_NAME,
            slug=DEMO_SLUG,
            time_zone=TIME_ZONE,
            currency="EUR",
            target_hourly_rate=Decimal("90.00"),
            working_hours=[(weekday, OPENS, CLOSES) for weekday in range(5)],
            letterhead=LETTERHEAD,
            email="office@northwind-advisory.example",
        )
        # The scoring window (W1–W15 read the current month and the eleven before it by default).
        self.window_start, _end = window(self.today, policy_for(self.firm).window_months)
        self.services = {
            s.name: s for s in Service.objects.bulk_create(Service(firm=self.firm, name=name) for name in SERVICES)
        }
        self.firm.focus_services.set([self.services[name] for name in FOCUS])
        self.members = self._members()
        clients = self._clients()
        self.clients = [client for _spec, client in clients]
        for spec_, client in clients:
            _ClientHistory(self, spec_, client).build()
        self._insert()
        return self.firm

    def _members(self) -> dict[str, list]:
        """The members by role, each role's in the order of ``MEMBERS``."""
        User = get_user_model()
        taken = list(User.objects.filter(username__in=[m[0] for m in MEMBERS]).values_list("username", flat=True))
        if taken:
            raise DemoError(f"The demo needs the usernames {', '.join(taken)}, which already exist outside it.")
        users: dict[str, list] = {}
        self.roles = {}
        for username, role, first, last, language in MEMBERS:
            membership, _password = member_add(
                firm=self.firm,
                username=username,
                role=role,
                email=f"{username}@{MAIL_DOMAIN}",
                first_name=first,
                last_name=last,
                language=language,
                usable_password=False,  # `parting demo` sets and prints fresh ones at every start
            )
            users.setdefault(role, []).append(membership.user)
            self.roles[membership.user.id] = role
        return users

    # -- clients ---------------------------------------------------------------------------------

    def _clients(self) -> list[tuple[Spec, Client]]:
        pairs = [(s, self._client(s, random.Random(f"{SEED}/client/{s.name}"))) for s in CLIENTS]
        Client.objects.bulk_create([client for _s, client in pairs])
        by_name = {client.name: client for _s, client in pairs}
        referred = []
        for s, client in pairs:
            if s.referred_by:
                client.referred_by = by_name[s.referred_by]
                referred.append(client)
        Client.objects.bulk_update(referred, ["referred_by"])
        return pairs

    def _client(self, s: Spec, rng: random.Random) -> Client:
        profile = PROFILES[s.profile]
        if s.since:
            started = month_start(month_key(self.today) - s.since)
        else:
            started = self.today - dt.timedelta(days=rng.randint(2 * 365, 8 * 365))
        ended = month_start(month_key(self.today) - s.ended + 1) - dt.timedelta(days=1) if s.ended else None
        contract_start = started
        contract_end = ended
        if s.fixed_term and not ended:
            # A yearly contract, renewed on its anniversary: the current term runs past today.
            years = (month_key(self.today) - month_key(started)) // 12
            if _add_months(started, 12 * years) > self.today:
                years -= 1
            contract_start = _add_months(started, 12 * max(0, years))
            contract_end = _add_months(contract_start, 12) - dt.timedelta(days=1)
        role = profile.assign or rng.choice(("staff", "staff", "staff", "partner", "partner", "owner"))
        fee = rng.randrange(profile.fee[0], profile.fee[1] + 1, 10 if profile.fee[1] < 400 else 50)
        status = Client.Status.FORMER if ended else Client.Status.ACTIVE  # cases set the rest (demo/cases.py)
        client = Client(
            firm=self.firm,
            name=s.name,
            country=s.country,
            status=status,
            assigned_to=self._member(role, s.name),
            started_on=started,
            contract_start=contract_start,
            contract_end=contract_end,
            notice_days=rng.choice((14, 30, 30, 30, 60, 90)),
            payment_terms_days=rng.choice((7, 14, 14, 14, 21, 30)),
            prepaid_amount=Decimal(fee * 3) if rng.random() < 0.15 else Decimal("0"),
            referral_source="" if s.referred_by else rng.choice((*REFERRAL_SOURCES, COMMUNITY.get(s.country, ""))),
            holds_stake=s.holds_stake,
            notes=s.notes,
        )
        self.fees[s.name] = fee
        return client

    def _member(self, role: str, client_name: str):
        """The member of ``role`` who looks after a client. Among several (the staff), a stream of its
        own picks one, so the client's other draws, and with them its evidence, stay as they were."""
        people = self.members[role]
        return people[0] if len(people) == 1 else random.Random(f"{SEED}/member/{client_name}").choice(people)

    # -- insert ----------------------------------------------------------------------------------

    def _insert(self) -> None:
        r = self.rows
        Contact.objects.bulk_create(r.contacts)
        AccessGrant.objects.bulk_create(r.grants)
        Client.services.through.objects.bulk_create(r.services)
        # Invoice numbers run per year in issue order, like a real ledger: 2026-0001, 2026-0002 …
        counters: dict[int, int] = {}
        names = {client.id: client.name for client in self.clients}
        for invoice in sorted(r.invoices, key=lambda i: (i.issued_on, names[i.client_id])):
            counters[invoice.issued_on.year] = counters.get(invoice.issued_on.year, 0) + 1
            invoice.number = f"{invoice.issued_on.year}-{counters[invoice.issued_on.year]:04d}"
        Invoice.objects.bulk_create(r.invoices, batch_size=500)
        Payment.objects.bulk_create(_payments(r.invoices), batch_size=500)
        Meeting.objects.bulk_create(r.meetings, batch_size=500)
        Message.objects.bulk_create(r.messages, batch_size=500)
        for reply, index in r.replies:
            reply.in_reply_to_id = r.messages[index].pk  # set by bulk_create on PostgreSQL and SQLite ≥ 3.35
        Message.objects.bulk_create([reply for reply, _index in r.replies], batch_size=500)
        ClientRequest.objects.bulk_create(r.requests, batch_size=500)
        Incident.objects.bulk_create(r.incidents, batch_size=500)
        TimeEntry.objects.bulk_create(r.time, batch_size=500)


class _ClientHistory:
    """18 months of one client's evidence, drawn from the client's own random stream."""

    def __init__(self, builder: _Builder, s: Spec, client: Client):
        self.b, self.s, self.client = builder, s, client
        self.p = PROFILES[s.profile]
        self.rng = random.Random(f"{SEED}/history/{s.name}")
        self.today = builder.today
        self.first = max(builder.history_start, client.started_on)
        self.last = client.contract_end if client.status == Client.Status.FORMER else builder.yesterday
        self.since = builder.window_start
        self.rate = self.rng.uniform(*self.p.rate)
        self.user = client.assigned_to
        self.hours_by_month: dict[int, float] = {}

    def evidence(self, model, **fields):
        # Ids rather than objects: building 14,000 rows through the FK descriptors costs a third more.
        return model(firm_id=self.b.firm.id, client_id=self.client.id, **fields)

    def build(self) -> None:
        self.contacts()
        self.names = names = self.services()
        self.grants(names)
        self.invoices_and_time()
        self.requests(names)
        self.messages()
        self.meetings()
        self.incidents()

    def _months(self) -> range:
        return range(month_key(self.first), month_key(self.last) + 1)

    def _day(self, first: dt.date, last: dt.date) -> dt.date:
        """A working day in [first, last] (or ``last`` if there is none)."""
        span = (last - first).days
        for _attempt in range(10):
            day = first + dt.timedelta(days=self.rng.randint(0, max(0, span)))
            if day.weekday() < 5:
                return day
        return last

    # -- who and what ----------------------------------------------------------------------------

    def contacts(self) -> None:
        code, pattern = PHONE[self.s.country]
        for index, person in enumerate(self.s.contacts):
            number = "".join(str(self.rng.randint(0, 9)) if ch == "#" else ch for ch in pattern)
            self.b.rows.contacts.append(
                Contact(
                    client_id=self.client.id,
                    name=person.name,
                    email=f"{person.mailbox}@{self.s.domain}",
                    phone=f"{code} {number}",
                    language=person.language,
                    form_of_address=person.address,
                    honorific=person.honorific,
                    is_primary=index == 0,
                )
            )

    def services(self) -> list[str]:
        if self.p.services == "outside":
            names = list(OUTSIDE)
        else:
            names = ["Bookkeeping"] if self.rng.random() < 0.85 else []
            names += [n for n in FOCUS[1:] if self.rng.random() < 0.45]
            names = names or ["Payroll"]
            if self.p.noise and len(names) >= 2 and self.rng.random() < 0.15:
                # Advisory work from before the firm narrowed its focus: W12 concerning, not poor.
                names.append("Business advisory")
        through = Client.services.through
        self.b.rows.services.extend(through(client_id=self.client.id, service_id=self.b.services[n].id) for n in names)
        return names

    def grants(self, names: list[str]) -> None:
        """Access the firm holds (O2); a former client's was revoked on the last day."""
        systems = SYSTEMS[REGION.get(self.s.country, self.s.country)]
        revoked = self.client.contract_end if self.client.status == Client.Status.FORMER else None
        wanted = []
        if "Bookkeeping" in names:
            wanted.append((self.rng.choice(systems["bank"]), AccessGrant.Kind.BANK, AccessGrant.Level.VIEW))
            wanted.append((self.rng.choice(systems["accounting"]), AccessGrant.Kind.ACCOUNTING, AccessGrant.Level.EDIT))
        if "Payroll" in names:
            wanted.append((self.rng.choice(systems["payroll"]), AccessGrant.Kind.PAYROLL, AccessGrant.Level.EDIT))
        if "Tax returns" in names:
            tax = TAX_PORTAL.get(self.s.country) or systems["tax"][0]
            wanted.append((tax, AccessGrant.Kind.TAX, AccessGrant.Level.EDIT))
        if "Web & IT support" in names:
            wanted.append(("Cloudflare (DNS and domain)", AccessGrant.Kind.HOSTING, AccessGrant.Level.ADMIN))
            wanted.append(("GitHub organisation", AccessGrant.Kind.CODE, AccessGrant.Level.EDIT))
        if "Business advisory" in names:
            wanted.append(("Google Drive: board papers", AccessGrant.Kind.STORAGE, AccessGrant.Level.VIEW))
        for name, kind, level in wanted:
            self.b.rows.grants.append(
                AccessGrant(
                    client_id=self.client.id,
                    name=name,
                    kind=kind,
                    level=level,
                    granted_on=self.client.contract_start,
                    revoked_on=revoked,
                    notes="No payment authority" if kind == AccessGrant.Kind.BANK else "",
                )
            )

    # -- money and time (W7, W8, W9, W11, W13) ---------------------------------------------------

    def invoices_and_time(self) -> None:
        """One invoice a month for the month before, and the hours behind it."""
        fee, rng = self.b.fees[self.client.name], self.rng
        pln = self.s.country == "PL" and fee < 1000 and rng.random() < 0.5  # small Polish clients pay in złoty
        invoices = []
        for key in self._months():
            days = _workdays(key, self.first, self.last)
            if not days:
                continue
            amount = fee * rng.uniform(0.95, 1.12)
            # Hours that earn the profile's rate; the current month only so far.
            share = len(days) / len(_month_workdays(key))
            self.hours_by_month[key] = hours = amount / self.rate * share
            self.time_entries(days, hours)
            issued = _first_workday(key + 1)
            if issued > self.today:
                continue  # this month's work is invoiced next month
            fx = Decimal("1")
            if pln:
                fx = Decimal(str(round(rng.uniform(0.228, 0.238), 4)))
                amount = float(round(Decimal(str(amount)) / fx))
            invoice = self.evidence(
                Invoice,
                issued_on=issued,
                due_on=issued + dt.timedelta(days=self.client.payment_terms_days),
                amount=_money(amount),
                currency="PLN" if pln else "EUR",
                fx_rate=fx,
            )
            invoices.append(invoice)
        self.pay(invoices)
        self.b.rows.invoices.extend(invoices)

    def time_entries(self, days: list[dt.date], hours: float) -> None:
        notes = [WORK_NOTES[name] for name in self.names] + ["Client queries"]
        pieces = min(len(days), self.rng.randint(2, 5))
        for day in sorted(self.rng.sample(days, pieces)):
            self.b.rows.time.append(
                self.evidence(
                    TimeEntry,
                    date=day,
                    hours=_quarter_hours(hours / pieces),
                    person_id=self.user.id,
                    note=self.rng.choice(notes),
                )
            )

    def pay(self, invoices: list[Invoice]) -> None:
        p, rng, today = self.p, self.rng, self.today
        dues = [i.due_on for i in invoices]
        late = _mark(rng, dues, p.late_payments, self.since, today)
        overdue = None
        if p.overdue_days:
            # D7: the latest invoice that is by now at least ``overdue_days`` past its due date.
            limit = today - dt.timedelta(days=p.overdue_days)
            overdue = max((i for i, due in enumerate(dues) if due <= limit), key=lambda i: dues[i], default=None)
        in_window = [i for i, due in enumerate(dues) if self.since <= due < today]
        discounts = set(rng.sample(in_window, min(len(in_window), p.discount_requests)))
        if p.noise and in_window and rng.random() < 0.2:
            discounts.add(rng.choice(in_window))  # one request now and then is just business
        disputed = set(rng.sample(in_window, min(len(in_window), p.disputed)))
        for index, invoice in enumerate(invoices):
            if index == overdue:
                paid = None
                invoice.reminders_sent = 4
            elif index in late:
                days_late = rng.randint(*p.late_payment_days)
                paid = invoice.due_on + dt.timedelta(days=days_late)
                invoice.reminders_sent = (days_late > 7) + (days_late > 20) + (days_late > 35)
            else:
                paid = max(invoice.issued_on, invoice.due_on - dt.timedelta(days=rng.randint(0, 6)))
            if index in discounts:
                invoice.discount_requested = True
                if rng.random() < 0.5:
                    invoice.discount_given = _money(invoice.amount * Decimal("0.05"))
            invoice.disputed = index in disputed
            if paid is not None and paid <= today:
                invoice.paid_on = paid
                invoice.amount_paid = invoice.amount - invoice.discount_given

    # -- what the client owes us (W1, W14) ------------------------------------------------------

    def requests(self, names: list[str]) -> None:
        p, rng, today = self.p, self.rng, self.today
        what = "Bank statements and purchase invoices" if "Bookkeeping" in names else "Documents"
        if names == ["Payroll"]:
            what = "Hours and absences for the payroll"
        if self.p.services == "outside":
            what = "Approval of the monthly IT support report"
        items = []
        for key in self._months():
            requested = _first_workday(key + 1)
            if requested > today:
                continue  # this month's documents are asked for next month
            month = f"{MONTHS[key % 12]} {key // 12}"
            items.append((f"{what} for {month}", requested, month_start(key + 1) + dt.timedelta(days=9)))
            if month_start(key).month == 2 and "Annual accounts" in names:
                items.append(("Signed inventory list and year-end balances", requested, requested + dt.timedelta(28)))
        late = _mark(rng, [due for _d, _r, due in items], p.late_documents, self.since, today)
        for index, (description, requested, due) in enumerate(items):
            if index in late:
                received = due + dt.timedelta(days=rng.randint(*p.late_document_days))
            else:
                received = max(requested, due - dt.timedelta(days=rng.randint(0, 7)))
            self.b.rows.requests.append(
                self.evidence(
                    ClientRequest,
                    description=description,
                    requested_on=requested,
                    due_on=due,
                    received_on=received if received <= today else None,
                )
            )

    # -- messages (W2, W3, W10) ------------------------------------------------------------------

    def messages(self) -> None:
        p, rng = self.p, self.rng
        sent: list[dt.datetime] = []
        for key in self._months():
            days = _workdays(key, self.first, self.last)
            if not days:
                continue
            count = max(1, round(rng.randint(*p.messages) * len(days) / len(_month_workdays(key))))
            sent.extend(_utc(rng.choice(days), rng.randint(9 * 60, 16 * 60 + 45)) for _n in range(count))
        sent.sort()
        local_days = [s.astimezone(WARSAW).date() for s in sent]
        after = _mark(rng, local_days, p.after_hours, self.since, self.today)
        # W3 is going past the assigned member; a client looked after by a partner already has one.
        to_senior = p.to_senior if self.b.roles[self.user.id] == Membership.Role.STAFF else 0.0
        senior = _mark(rng, local_days, to_senior, self.since, self.today)
        negative = _mark(rng, local_days, p.negative, self.since, self.today)
        channels = (Message.Channel.EMAIL,) * 6 + (Message.Channel.PHONE, Message.Channel.CHAT)
        for index, at in enumerate(sent):
            day = local_days[index]
            if index in after:
                at = self._after_hours(day)
            bad = index in negative
            message = self.evidence(
                Message,
                sent_at=at,
                channel=rng.choice(channels),
                direction=Message.Direction.INBOUND,
                to_senior=index in senior,
                negative=bad,
                summary=rng.choice(TOPICS_NEGATIVE if bad else TOPICS_IN),
            )
            position = len(self.b.rows.messages)
            self.b.rows.messages.append(message)
            if rng.random() < 0.85:
                self._reply(message, position)

    def _after_hours(self, day: dt.date) -> dt.datetime:
        """Late evening, early morning, or the weekend nearest the day (W2)."""
        choice = self.rng.random()
        if choice < 0.5:
            return _utc(day, self.rng.randint(18 * 60, 22 * 60 + 45))
        if choice < 0.7:
            return _utc(day, self.rng.randint(6 * 60 + 30, 8 * 60 + 30))
        saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
        if saturday > self.last:
            saturday -= dt.timedelta(days=7)
        if saturday < self.first:
            return _utc(day, self.rng.randint(18 * 60, 22 * 60 + 45))
        return _utc(saturday, self.rng.randint(10 * 60, 21 * 60))

    def _reply(self, message: Message, position: int) -> None:
        """Our answer, in working hours: the same afternoon or the next working morning."""
        local = message.sent_at.astimezone(WARSAW)
        day, minutes = local.date(), local.hour * 60 + local.minute
        if day.weekday() < 5 and 9 * 60 <= minutes < 15 * 60:
            at = _utc(day, minutes + self.rng.randint(20, 120))
        else:
            day += dt.timedelta(days=1)
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            at = _utc(day, self.rng.randint(9 * 60 + 15, 11 * 60 + 30))
        if at.astimezone(WARSAW).date() > self.last:
            return
        reply = self.evidence(
            Message,
            sent_at=at,
            channel=Message.Channel.EMAIL,
            direction=Message.Direction.OUTBOUND,
            summary=self.rng.choice(TOPICS_OUT),
        )
        self.b.rows.replies.append((reply, position))

    # -- meetings (W4) ---------------------------------------------------------------------------

    def meetings(self) -> None:
        p, rng = self.p, self.rng
        starts: list[dt.datetime] = []
        for key in self._months():
            days = _workdays(key, self.first, self.last)
            expected = p.meetings * len(days) / 21
            count = int(expected) + (rng.random() < expected - int(expected))
            for _n in range(min(count, len(days))):
                starts.append(_utc(rng.choice(days), rng.choice((9, 10, 11, 13, 14, 15)) * 60))
        starts.sort()
        trouble = sorted(
            _mark(rng, [s.astimezone(WARSAW).date() for s in starts], p.meeting_trouble, self.since, self.today)
        )
        kinds = {index: ("short", "no_show", "late")[n % 3] for n, index in enumerate(trouble)}
        for index, at in enumerate(starts):
            kind = kinds.get(index)
            meeting = self.evidence(
                Meeting,
                starts_at=at,
                ends_at=at + dt.timedelta(minutes=rng.choice((30, 60, 60, 90))),
                subject=rng.choice(MEETING_SUBJECTS),
                minutes_late=rng.choice((0, 0, 0, 2, 5)),  # a few minutes is not late (W4 counts 10+)
            )
            if kind == "short":
                meeting.status = Meeting.Status.CANCELLED_BY_CLIENT
                meeting.cancelled_at = at - dt.timedelta(hours=rng.randint(1, 20))
                meeting.minutes_late = 0
            elif kind == "no_show":
                meeting.status = Meeting.Status.NO_SHOW
                meeting.minutes_late = 0
            elif kind == "late":
                meeting.minutes_late = rng.randint(15, 40)
            elif rng.random() < 0.08:
                # Rescheduled in good time, by either side: not a warning sign.
                meeting.status = rng.choice((Meeting.Status.CANCELLED_BY_CLIENT, Meeting.Status.CANCELLED_BY_US))
                meeting.cancelled_at = at - dt.timedelta(days=rng.randint(2, 6))
                meeting.minutes_late = 0
            self.b.rows.meetings.append(meeting)

    # -- incidents (W5, W6, W8, W9, W13, W15) ----------------------------------------------------

    def incidents(self) -> None:
        p, rng = self.p, self.rng
        window_first = max(self.since, self.first)
        planned: list[tuple[str, int, dt.date, dt.date]] = [
            (Incident.Kind.REWORK, p.rework, window_first, self.last),
            (Incident.Kind.EXPERTISE_CHALLENGED, p.distrust, window_first, self.last),
            (Incident.Kind.CONTRACT_IGNORED, p.contract_ignored, window_first, self.last),
            (Incident.Kind.HAGGLING, p.haggling, window_first, self.last),
            # D7 counts disrespect within six months; keep both well inside them.
            (Incident.Kind.DISRESPECT, p.disrespect, max(self.first, self.today - dt.timedelta(days=150)), self.last),
        ]
        if p.noise and rng.random() < 0.25:
            planned.append((Incident.Kind.REWORK, 1, self.first, self.last))  # one slip is not a pattern
        for kind, count, first, last in planned:
            for _n in range(count):
                day = self._day(first, last)
                hours = rng.choice((1.0, 1.5, 2.0, 3.0)) if kind == Incident.Kind.REWORK else 0.0
                self._incident(kind, day, hours)
        if p.free_extras:
            self._free_extras(window_first)

    def _free_extras(self, first: dt.date) -> None:
        """W13: unbilled extra work, ``free_extras`` of all the hours spent in the window."""
        base = sum(h for key, h in self.hours_by_month.items() if month_start(key) >= self.since)
        extra = base * self.p.free_extras / (1 - self.p.free_extras)
        count = max(self.rng.randint(4, 6), math.ceil(extra / 6))  # nobody gives away more than 6 hours at once
        for _n in range(count):
            self._incident(Incident.Kind.SCOPE_CREEP, self._day(first, self.last), extra / count)

    def _incident(self, kind: str, day: dt.date, hours: float) -> None:
        hours_lost = _quarter_hours(hours) if hours else Decimal("0")
        note = self.rng.choice(INCIDENT_NOTES[kind])
        self.b.rows.incidents.append(
            self.evidence(
                Incident,
                kind=kind,
                occurred_on=day,
                hours_lost=hours_lost,
                note=note,
                logged_by_id=self.user.id,
            )
        )
        if hours:
            # The hours really were spent: they count toward the effort (W11, W13), unbilled.
            self.b.rows.time.append(
                self.evidence(
                    TimeEntry,
                    date=day,
                    hours=hours_lost,
                    billable=False,
                    person_id=self.user.id,
                    note=f"Unbilled: {note[0].lower()}{note[1:]}",
                )
            )
