"""The demo firm's offboarding side: a referral directory (C10), current work (N2), the clients'
logins the firm keeps (O4), one case waiting for review and one parting already closed (A1).

Every case is built through the same service functions a member uses, so the demo shows exactly
what the rules produce, transitions and audit log included.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from parting.cases.models import CaseTask, OffboardingCase, ReferralProvider
from parting.cases.services import (
    case_checks_answer,
    case_close,
    case_notify,
    case_open,
    case_reason_add,
    case_review,
    case_submit,
    case_wind_down,
    plan_update,
    task_update,
)
from parting.clients.forms import LETTER_LANGUAGES
from parting.clients.models import AccessGrant, Client, Contact, Credential, Engagement
from parting.evidence.models import ClientRequest, Invoice, Message
from parting.firms.models import Firm, Membership, Service

# (name, services, languages, region, countries, contact, notes): matched to a client by services, country
# and language together (C10), so a UK client is never sent to the Romanian or the Israeli firm.
PROVIDERS = (
    ("Kancelaria Podatkowa Wiśniewski", ("Tax returns", "Annual accounts"), ("pl", "en"), "Poland", ("PL",), "biuro@wisniewski-podatki.pl", "Strong on VAT for e-commerce."),
    ("Biuro Rachunkowe Lewandowska", ("Bookkeeping", "Payroll"), ("pl",), "Poland", ("PL",), "+48 22 555 01 77", "Small clients welcome."),
    ("Contabilitate Popescu SRL", ("Bookkeeping", "Payroll", "Annual accounts"), ("ro", "en"), "Romania", ("RO",), "office@popescu-contabil.ro", ""),
    ("Бухгалтерия Орлова", ("Bookkeeping", "Tax returns", "Annual accounts"), ("ru", "en"), "Baltics", ("EE", "LV", "LT"), "orlova@buh-orlova.ee", "Works with Estonian and Latvian companies."),
    ("Shapira & Co. CPA", ("Bookkeeping", "Tax returns", "Payroll"), ("he", "en"), "Israel", ("IL",), "office@shapira-cpa.co.il", ""),
    ("Harbour Street Accountants", ("Bookkeeping", "Payroll", "Tax returns", "Annual accounts"), ("en",), "UK and Ireland", ("GB", "IE"), "hello@harbourstreet.example", "Prefers clients with a clear scope."),
)  # fmt: skip

# What the client reads, per letter language, beside the name the firm uses internally (issue 14 §2).
CLIENT_NAMES = {
    "Payroll for December": {"en": "Payroll for December", "pl": "Lista płac za grudzień", "ro": "Salarizarea pentru luna decembrie", "ru": "Расчёт заработной платы за декабрь", "he": "חישוב השכר לחודש דצמבר"},
    "Annual accounts 2026": {"en": "Annual accounts 2026", "pl": "Sprawozdanie finansowe za 2026 rok", "ro": "Situațiile financiare anuale pe 2026", "ru": "Годовая отчётность за 2026 год", "he": "הדוחות הכספיים השנתיים לשנת 2026"},
    "VAT return for November": {"en": "VAT return for November", "pl": "Deklaracja VAT za listopad", "ro": "Decontul de TVA pentru luna noiembrie", "ru": "Декларация по НДС за ноябрь", "he": "דוח מע\"מ לחודש נובמבר"},
    "Payroll bureau portal": {"en": "Payroll bureau portal", "pl": "Portal biura płacowego", "ro": "Portalul biroului de salarizare", "ru": "Портал расчётного бюро", "he": "פורטל לשכת השכר"},
    "e-MTA representative account": {"en": "e-MTA tax portal account", "pl": "Konto w portalu podatkowym e-MTA", "ro": "Contul din portalul fiscal e-MTA", "ru": "Учётная запись в налоговом портале e-MTA", "he": "החשבון בפורטל המס e-MTA"},
    "Domain registrar account for zajacfoto.pl": {"en": "Domain registrar account for zajacfoto.pl", "pl": "Konto u rejestratora domeny zajacfoto.pl", "ro": "Contul la registratorul domeniului zajacfoto.pl", "ru": "Учётная запись у регистратора домена zajacfoto.pl", "he": "החשבון אצל רשם הדומיין zajacfoto.pl"},
    # Systems described in words rather than named (builder.SYSTEMS and its extras)
    "HMRC online services": {"en": "HMRC online services", "pl": "Usługi online HMRC", "ro": "Serviciile online HMRC", "ru": "Онлайн-сервисы HMRC", "he": "השירותים המקוונים של HMRC"},
    "Israel Tax Authority online services": {"en": "Israel Tax Authority online services", "pl": "Usługi online izraelskiego urzędu skarbowego", "ro": "Serviciile online ale Autorității Fiscale din Israel", "ru": "Онлайн-сервисы Налогового управления Израиля", "he": "השירותים המקוונים של רשות המסים"},
    "Social Insurance Services portal": {"en": "Social Insurance Services portal", "pl": "Portal cypryjskich ubezpieczeń społecznych", "ro": "Portalul Serviciilor de Asigurări Sociale", "ru": "Портал службы социального страхования", "he": "פורטל שירותי הביטוח הלאומי של קפריסין"},
    "ATO Online services": {"en": "ATO Online services", "pl": "Usługi online ATO", "ro": "Serviciile online ATO", "ru": "Онлайн-сервисы ATO", "he": "השירותים המקוונים של ATO"},
    "Google Drive: board papers": {"en": "Google Drive: board papers", "pl": "Google Drive: dokumenty zarządu", "ro": "Google Drive: documentele consiliului de administrație", "ru": "Google Drive: документы совета директоров", "he": "Google Drive: מסמכי הדירקטוריון"},
    "Cloudflare (DNS and domain)": {"en": "Cloudflare (DNS and domain)", "pl": "Cloudflare (DNS i domena)", "ro": "Cloudflare (DNS și domeniu)", "ru": "Cloudflare (DNS и домен)", "he": "Cloudflare (DNS ודומיין)"},
    "GitHub organisation": {"en": "GitHub organisation", "pl": "Organizacja w serwisie GitHub", "ro": "Organizația GitHub", "ru": "Организация на GitHub", "he": "הארגון ב-GitHub"},
}  # fmt: skip
# A system's own name, the same in every language: the client knows it by it ("iPKO biznes" is PKO BP's product).
OWN_NAMES = ("PKO BP iPKO biznes", "enova365 Kadry i Płace", "Comarch ERP Optima Płace", "Banca Transilvania BT Go")

# (client, work, service, days from today until due)
WORK = (
    ("Atlas Freight Forwarding Ltd", "Payroll for December", "Payroll", 24),
    ("Sokolov Engineering OÜ", "Annual accounts 2026", "Annual accounts", 75),
    ("Baltic Amber Trade sp. z o.o.", "VAT return for November", "Tax returns", 18),
)
# (client, the login's name, the firm's internal note — never in a letter)
LOGINS = (
    ("Atlas Freight Forwarding Ltd", "Payroll bureau portal", "admin account we set up for them"),
    ("Sokolov Engineering OÜ", "e-MTA representative account", "we are registered as representative"),
    ("Zając Fotografia", "Domain registrar account for zajacfoto.pl", ""),
)
# Contacts' names as letters in other scripts write them: (Latin, Cyrillic, Hebrew); the name's own is "".
NAME_FORMS = {
    "Grzegorz Baran": ("", "Гжегож Баран", "גז'גוז' בארן"),
    "Emily Baran": ("", "Эмили Баран", "אמילי בארן"),
    "Игорь Соколов": ("Igor Sokolov", "", "איגור סוקולוב"),
    "Natalia Zając": ("", "Наталья Заёнц", "נטליה זאיונץ"),
    "Gareth Evans": ("", "Гарет Эванс", "גארת' אוונס"),
}

CASE_STAFF, CASE_PARTNER = "staff", "partner"  # the user names (builder.MEMBERS) who open and review the cases
IN_REVIEW = "Sokolov Engineering OÜ"  # waits for the partner: the review page has something to show
CLOSED = "Zając Fotografia"  # already parted: the partings page has something to show
APPROVED = "Baltic Amber Trade sp. z o.o."  # approved, not yet told: the call script and the letter (in Polish)


def demo_offboarding(firm: Firm, today: dt.date) -> None:
    services = {s.name: s for s in Service.objects.filter(firm=firm)}
    for name, offered, languages, region, countries, contact, notes in PROVIDERS:
        provider = ReferralProvider.objects.create(
            firm=firm,
            name=name,
            languages=list(languages),
            region=region,
            countries=list(countries),
            contact=contact,
            notes=notes,
        )
        provider.services.set([services[s] for s in offered])
    clients = {c.name: c for c in Client.objects.filter(firm=firm)}
    for client, work, service, days in WORK:
        Engagement.objects.create(
            client=clients[client],
            name=work,
            client_names=CLIENT_NAMES[work],
            service=services[service],
            due_on=today + dt.timedelta(days=days),
        )
    for client, login, note in LOGINS:
        Credential.objects.create(client=clients[client], name=login, notes=note, client_names=CLIENT_NAMES[login])
    for grant in AccessGrant.objects.filter(client__firm=firm, name__in=[*CLIENT_NAMES, *OWN_NAMES]):
        grant.client_names = CLIENT_NAMES.get(grant.name) or {lang: grant.name for lang in LETTER_LANGUAGES}
        grant.save(update_fields=["client_names"])
    for name, (latin, cyrillic, hebrew) in NAME_FORMS.items():
        Contact.objects.filter(client__firm=firm, name=name).update(
            name_latin=latin, name_cyrillic=cyrillic, name_hebrew=hebrew
        )

    # The first staff member and the partner of the demo's member list (builder.MEMBERS): with three
    # staff, "the" staff member is named, not left to the order the database returns them in.
    users = {m.user.username: m.user for m in Membership.objects.filter(firm=firm).select_related("user")}
    staff, partner = users[CASE_STAFF], users[CASE_PARTNER]
    _in_review(clients[IN_REVIEW], staff, today)
    _closed(clients[CLOSED], staff, partner)
    _approved(clients[APPROVED], staff, partner, today)


def _approved(client: Client, staff, partner, today: dt.date) -> None:
    """Approved by the partner: the next step is the call, then the letter in the client's language."""
    case = case_open(client=client, by=staff, outward_reason=OffboardingCase.OutwardReason.CAPACITY)
    for sign in ("W7", "W1", "W14"):
        case_reason_add(case=case, by=staff, sign_id=sign)
    case_checks_answer(
        case=case,
        by=staff,
        expectations_managed_on=today - dt.timedelta(days=60),
        expectations_note="Agreed a document calendar with Mr Baran; the November documents still came late.",
        confirmed_not_one_incident=True,
    )
    case_submit(case=case, by=staff)
    case_review(case=case, by=partner, decision="approve", comment="Agreed. Tell them before the VAT deadline.")


def _in_review(client: Client, staff, today: dt.date) -> None:
    """The real reason is the client's attitude to staff (W15): the letter will offer good wishes, no referral."""
    case = case_open(client=client, by=staff, outward_reason=OffboardingCase.OutwardReason.TIME, attitude=True)
    for sign in ("W15", "W3", "W10"):
        case_reason_add(case=case, by=staff, sign_id=sign)
    case_checks_answer(
        case=case,
        by=staff,
        expectations_managed_on=today - dt.timedelta(days=45),
        expectations_note="Call with Mr Sokolov: Anastasia is his contact for day-to-day work, partners join the "
        "quarterly review. He agreed, then kept calling the partners directly.",
    )
    case_submit(case=case, by=staff)


def _closed(client: Client, staff, partner) -> None:
    """A parting carried out from decision to closing, on the dates it happened."""
    end = client.contract_end
    notice = end - dt.timedelta(days=30)
    # The builder made the client former already; the case is what ended it, so it opens on an active client.
    Client.objects.filter(pk=client.pk).update(status=Client.Status.ACTIVE)
    client.refresh_from_db()
    case = case_open(
        client=client,
        by=staff,
        outward_reason=OffboardingCase.OutwardReason.FOCUS,
        against_advice="Photography is outside the services we focus on now (W12).",
    )
    late_invoice = Invoice.objects.filter(client=client, paid_on__gt=F("due_on")).order_by("-due_on").first()
    negative = list(Message.objects.filter(client=client, negative=True).order_by("sent_at")[:2])
    late_request = ClientRequest.objects.filter(client=client, received_on__gt=F("due_on")).order_by("-due_on").first()
    reasons = (
        ("Paid the spring invoice late, after two reminders.", [("invoice", late_invoice)]),
        ("Conversations turned negative about routine work.", [("message", m) for m in negative]),
        ("Documents for the annual accounts arrived after the deadline.", [("request", late_request)]),
    )
    for text, rows in reasons:
        case_reason_add(case=case, by=staff, text=text, evidence=[(kind, row.pk) for kind, row in rows if row])
    case_checks_answer(case=case, by=staff, confirmed_not_one_incident=True)
    case_submit(case=case, by=staff)
    case_review(case=case, by=partner, decision="approve", comment="Agreed: photography is outside our focus now.")
    plan_update(case=case, by=staff, notice_date=notice, successor_name="Biuro Rachunkowe Lewandowska")
    case_notify(case=case, by=staff, on=notice)
    for task in case.tasks.filter(kind__in=["conversation", "letter"]):
        task_update(task=task, by=staff, status=CaseTask.Status.DONE, today=notice)
    case_wind_down(case=case, by=staff)
    for task in case.tasks.filter(status=CaseTask.Status.OPEN):
        task_update(task=task, by=staff, status=CaseTask.Status.DONE, today=end)
    case_close(case=case, by=staff, today=end + dt.timedelta(days=1))
