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
from parting.clients.models import Client, Credential, Engagement
from parting.evidence.models import ClientRequest, Invoice, Message
from parting.firms.models import Firm, Membership, Service

# (name, services, languages, region, contact, notes)
PROVIDERS = (
    ("Kancelaria Podatkowa Wiśniewski", ("Tax returns", "Annual accounts"), ("pl", "en"), "Poland", "biuro@wisniewski-podatki.pl", "Strong on VAT for e-commerce."),
    ("Biuro Rachunkowe Lewandowska", ("Bookkeeping", "Payroll"), ("pl",), "Poland", "+48 22 555 01 77", "Small clients welcome."),
    ("Contabilitate Popescu SRL", ("Bookkeeping", "Payroll", "Annual accounts"), ("ro", "en"), "Romania", "office@popescu-contabil.ro", ""),
    ("Бухгалтерия Орлова", ("Bookkeeping", "Tax returns", "Annual accounts"), ("ru", "en"), "Baltics", "orlova@buh-orlova.ee", "Works with Estonian and Latvian companies."),
    ("Shapira & Co. CPA", ("Bookkeeping", "Tax returns", "Payroll"), ("he", "en"), "Israel", "office@shapira-cpa.co.il", ""),
    ("Harbour Street Accountants", ("Bookkeeping", "Payroll", "Tax returns", "Annual accounts"), ("en",), "UK and Ireland", "hello@harbourstreet.example", "Prefers clients with a clear scope."),
)  # fmt: skip

# (client, work, service, days from today until due)
WORK = (
    ("Atlas Freight Forwarding Ltd", "Payroll for December", "Payroll", 24),
    ("Sokolov Engineering OÜ", "Annual accounts 2026", "Annual accounts", 75),
    ("Baltic Amber Trade sp. z o.o.", "VAT return for November", "Tax returns", 18),
)
LOGINS = (
    ("Atlas Freight Forwarding Ltd", "Payroll bureau portal (admin account we set up for them)"),
    ("Sokolov Engineering OÜ", "e-MTA tax portal representative account"),
    ("Zając Fotografia", "Domain registrar account for zajacfoto.pl"),
)

CASE_STAFF, CASE_PARTNER = "staff", "partner"  # the user names (builder.MEMBERS) who open and review the cases
IN_REVIEW = "Sokolov Engineering OÜ"  # waits for the partner: the review page has something to show
CLOSED = "Zając Fotografia"  # already parted: the partings page has something to show
APPROVED = "Baltic Amber Trade sp. z o.o."  # approved, not yet told: the call script and the letter (in Polish)


def demo_offboarding(firm: Firm, today: dt.date) -> None:
    services = {s.name: s for s in Service.objects.filter(firm=firm)}
    for name, offered, languages, region, contact, notes in PROVIDERS:
        provider = ReferralProvider.objects.create(
            firm=firm, name=name, languages=list(languages), region=region, contact=contact, notes=notes
        )
        provider.services.set([services[s] for s in offered])
    clients = {c.name: c for c in Client.objects.filter(firm=firm)}
    for client, work, service, days in WORK:
        Engagement.objects.create(
            client=clients[client], name=work, service=services[service], due_on=today + dt.timedelta(days=days)
        )
    for client, login in LOGINS:
        Credential.objects.create(client=clients[client], name=login)

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
