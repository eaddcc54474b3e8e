"""The letter's content model: blocks chosen from the case (C5, C6, C9, C10, O1–O9), phrased in the
client's language, and the document every renderer draws — letterhead, date, recipient, subject, the
body the user may edit, signature.

The body is plain text: paragraphs separated by a blank line; a paragraph whose lines all start with
"- " is a list. That is what the user edits, what the tone checker reads and what each renderer lays
out, so an edited letter renders exactly like a generated one.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from parting.cases.checklist import Referral, referral_matches
from parting.cases.models import OffboardingCase
from parting.cases.plan import Plan, plan_compute, plan_get
from parting.clients.models import AccessGrant, Contact, Credential, Engagement
from parting.clients.scripts import language_doubt

from . import fmt
from .phrases import RTL, module, say

BULLET = "- "
FILES_BEFORE_END = 7  # days: the files go out a week before the end date, as the checklist's task (O4)
# Access to these is the firm's standing with a third party (the tax office's register of representatives,
# the bank's mandate): the firm notifies them and withdraws itself, rather than asking the client to.
THIRD_PARTY_KINDS = (AccessGrant.Kind.TAX, AccessGrant.Kind.BANK)


@dataclass
class Paragraph:
    kind: str  # "text" or "list"
    lines: list[str]


def paragraphs(body: str) -> list[Paragraph]:
    """The body as the renderers see it: text paragraphs and lists. Within a block, lines that start
    with "-" form a list and the lines around them are text, so "Until then:" and its items stay together."""
    out: list[Paragraph] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        current: Paragraph | None = None
        for line in (line.strip() for line in block.split("\n")):
            if not line:
                continue
            kind = "list" if line.startswith("-") else "text"
            text = line[1:].strip() if kind == "list" else line
            if current is not None and current.kind == kind:
                if kind == "list":
                    current.lines.append(text)
                else:
                    current.lines[0] += " " + text
            else:
                current = Paragraph(kind, [text])
                out.append(current)
    return out


def direction(text: str, default: str) -> str:
    """The direction of a line standing alone, by its first strong character (Unicode bidi P2, P3):
    a Latin address line in a Hebrew letter is left to right, so "14 Wharf Street" keeps its number first."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return default


LRI, PDI = "\u2066", "\u2069"


def isolate(value: str, lang: str) -> str:
    """A left-to-right value inside a right-to-left sentence, isolated (Unicode bidi LRI … PDI), so
    "Baltic Amber sp. z o.o." keeps its full stop and each name in a list keeps its place."""
    if lang in RTL and value and direction(value, "ltr") == "ltr":  # Latin, or digits alone (a phone number)
        return LRI + value + PDI
    return value


@dataclass
class Document:
    """Everything a renderer needs; every value is plain text, never markup."""

    lang: str
    firm: str
    letterhead: list[str]
    place_date: str
    recipient: list[str]
    subject: str
    body: str
    signature: list[str]
    paper: str = "a4"
    to_email: str = ""
    from_email: str = ""
    issued: dt.date | None = None  # the letter's date (place_date as a date): the attachment's name
    time_zone: str = "UTC"  # the firm's: the e-mail's Date header
    to_name: str = ""  # the contact's name, for the e-mail's To
    from_name: str = ""  # the member who signs, for the e-mail's From
    reference: str = ""  # "Our reference: client no. 42, agreement of 1 March 2024"
    notice: str = ""  # C1: shown above the letter while the call it follows is not recorded; never sent

    @property
    def rtl(self) -> bool:
        return self.lang in RTL

    @property
    def blocks(self) -> list[Paragraph]:
        return paragraphs(self.body)

    def lines(self, values: list[str]) -> list[dict]:
        """Lines that stand alone (letterhead, recipient, signature), each with its own direction."""
        base = "rtl" if self.rtl else "ltr"
        return [{"text": value, "dir": direction(value, base)} for value in values]

    def as_dict(self) -> dict:
        return {
            "lang": self.lang,
            "dir": "rtl" if self.rtl else "ltr",
            "firm": self.lines([self.firm])[0],
            "letterhead": self.lines(self.letterhead),
            "date": self.place_date,
            "recipient": self.lines(self.recipient),
            "subject": self.subject,
            "reference": self.reference,
            "notice": self.notice,
            "blocks": [{"kind": p.kind, "lines": p.lines} for p in self.blocks],
            "signature": self.lines(self.signature),
            "paper": self.paper,
        }


@dataclass
class Context:
    """The facts of the case, formatted for the letter's language."""

    lang: str
    address: str
    values: dict
    work: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)
    credentials: list[str] = field(default_factory=list)
    referrals: list[tuple[str, str]] = field(default_factory=list)
    final_invoice: str = ""  # the phrase: "final_invoice" (an amount set by hand) or "final_invoice_estimate"
    refund: str = ""  # "refund" or "credit" when money goes back (N4)
    successor: bool = False
    support: bool = False
    attitude: bool = False
    titled: bool = False
    told: bool = False  # C1: the case records that the client was told (the call happened)
    unpaid: list[str] = field(default_factory=list)  # D10: invoices still due, each with amount and date
    deadlines: list[str] = field(default_factory=list)  # open work due after the end date
    third_parties: list[str] = field(default_factory=list)  # tax office, bank: we notify them ourselves
    handler: str = ""  # who answers practical questions during the handover
    matches: list[Referral] = field(default_factory=list)  # the referrals with why each was chosen
    labels: list[dict] = field(default_factory=list)  # every label the firm typed that the letter says
    name_missing: bool = False  # the contact's name is not in the letter's script and no form is given

    def say(self, key: str, **extra) -> str:
        return say(self.lang, key, self.address, **(self.values | extra))


def primary_contact(case: OffboardingCase) -> Contact | None:
    return case.client.contacts.order_by("-is_primary", "name").first()


def sender_name(user) -> str:
    """The member's full name, as the signature and the e-mail's From give it — never their user name,
    which names an account ("owner") and means nothing to a client: without a full name the letter is
    signed by the firm alone."""
    return (user.get_full_name() or "").strip() if user else ""


def unpaid_total(rows, lang: str) -> str:
    """What the unpaid invoices come to, in their own currency: "PLN 2,016.00" — or one sum per currency,
    listed as the language lists ("PLN 2,016.00 and €500.00"), in the order the invoices fall due. Never
    converted into the firm's currency: the client reads the amounts the invoices say (D10)."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        currency = row.invoice.currency
        totals[currency] = totals.get(currency, Decimal(0)) + row.open_amount
    return fmt.items([fmt.money(amount, currency, lang) for currency, amount in totals.items()], lang)


def handover_contact(member, firm, lang: str) -> str:
    """Whom the client asks during the handover: the member's full name and e-mail address. A member
    without a full name is never named by their login ("owner" means nothing to a client, and is an
    account's name): the firm's name stands in, with the member's e-mail address, else the firm's."""
    full_name = (member.get_full_name() or "").strip()
    email = (member.email or "").strip()
    if full_name:
        who = full_name
    else:
        who, email = firm.name, email or (firm.email or "").strip()
    return isolate(who, lang) + (f" ({isolate(email, lang)})" if email else "")


def bundle_values(case: OffboardingCase, lang: str) -> dict:
    """O4: the link to the client's handover bundle and the last day it opens, for a template to print
    ("bundle_link", "bundle_expires"); both empty while no bundle's link opens."""
    from parting.documents.links import bundle_link_url
    from parting.documents.selectors import bundle_current

    bundle = bundle_current(client=case.client)
    if bundle is None or not bundle.link_live():
        return {"bundle_link": "", "bundle_expires": ""}
    zone = zoneinfo.ZoneInfo(case.firm.time_zone)
    return {
        "bundle_link": isolate(bundle_link_url(bundle), lang),
        "bundle_expires": fmt.date(bundle.link_expires_at.astimezone(zone).date(), lang),
    }


def case_context(case: OffboardingCase, lang: str, *, sender, plan: Plan | None = None) -> Context:
    plan = plan or plan_compute(case)
    client, firm = case.client, case.firm
    contact = primary_contact(case)
    name = (contact.name_in(lang) or contact.name) if contact else client.name
    words = name.split() or [name]
    end = plan.end_date.value
    files_by = max(end - dt.timedelta(days=FILES_BEFORE_END), plan.notice_date.value)
    inputs = plan_get(case)
    values = {
        "firm": firm.name,
        "client": client.name,
        "name": name,
        "contact": name,
        "first_name": words[0],
        "surname": words[-1],
        "title": contact.honorific if contact else "",
        "sender": sender_name(sender),
        "notice_date": fmt.date(plan.notice_date.value, lang),
        "end_date": fmt.date(end, lang),
        "deletion_date": fmt.date(plan.deletion_date.value, lang),
        "accounting_until": fmt.date(plan.accounting_until.value, lang),
        "files_by": fmt.date(files_by, lang),
        "successor": inputs.successor_name,
        **bundle_values(case, lang),
    }
    context = Context(
        lang=lang,
        address=contact.form_of_address if contact else Contact.Address.NEUTRAL,
        values=values,
        attitude=case.attitude,
        titled=bool(contact and contact.honorific),
        told=case.notified_on is not None,
        name_missing=bool(contact) and not contact.name_in(lang),
    )
    for key in ("firm", "client", "name", "contact", "first_name", "surname", "title", "sender", "successor"):
        values[key] = isolate(values[key], lang)

    # What the firm typed enters the letter by its client-facing name in the letter's language (never
    # its internal notes); each label is kept for the letter page's check of its language.
    def label(kind: str, row) -> str:
        text = row.name_for(lang)
        own = bool((row.client_names or {}).get(lang, "").strip())
        context.labels.append(
            {
                "kind": kind,
                "pk": row.pk,
                "internal": row.name,
                "text": text,
                "doubt": "" if own else language_doubt(text, lang),
            }
        )
        return text

    for engagement in Engagement.objects.filter(client=client, completed_on__isnull=True).order_by("due_on", "name"):
        if engagement.due_on <= end:
            context.work.append(label("engagement", engagement))  # N2: finished before the end
        else:  # falls due after the end: the client must see to it with the next adviser
            context.deadlines.append(
                say(
                    lang,
                    "deadline_item",
                    work=isolate(label("engagement", engagement), lang),
                    date=fmt.date(engagement.due_on, lang),
                )
            )
    for grant in AccessGrant.objects.filter(client=client, revoked_on__isnull=True).order_by("name"):
        (context.third_parties if grant.kind in THIRD_PARTY_KINDS else context.access).append(label("grant", grant))
    context.credentials = [
        label("credential", row)
        for row in Credential.objects.filter(client=client, handed_back_on__isnull=True).order_by("name")
    ]
    if not case.attitude:  # C10: no referral when the real reason is the client's attitude
        context.matches = referral_matches(case)
        context.referrals = [
            (isolate(m.provider.name, lang), isolate(m.provider.contact, lang)) for m in context.matches
        ]
    context.work, context.access, context.credentials, context.third_parties = (
        [isolate(item, lang) for item in items]
        for items in (context.work, context.access, context.credentials, context.third_parties)
    )
    # D10: what is still due, by invoice, when the balance is not settled.
    outstanding = sorted(plan.outstanding, key=lambda row: (row.invoice.due_on, row.invoice.number))
    context.unpaid = [
        say(
            lang,
            "unpaid_item",
            number=isolate(row.invoice.number, lang),
            amount=fmt.money(row.open_amount, row.invoice.currency, lang),
            date=fmt.date(row.invoice.due_on, lang),
        )
        for row in outstanding
    ]
    if outstanding:
        values["total"] = unpaid_total(outstanding, lang)
    values["unpaid"] = fmt.items(context.unpaid, lang)
    values["deadlines"] = fmt.items(context.deadlines, lang)
    values["parties"] = fmt.items(context.third_parties, lang)
    handler = client.assigned_to or sender
    if handler is not None:
        context.handler = handover_contact(handler, firm, lang)
        values["handler"] = context.handler
    values["work"] = fmt.items(context.work, lang)
    values["access"] = fmt.items(context.access, lang)
    values["credentials"] = fmt.items(context.credentials, lang)
    if plan.final_invoice.value:
        # Projected from the hours logged and the recent pace unless set by hand: the letter says "estimate".
        context.final_invoice = "final_invoice" if plan.final_invoice.overridden else "final_invoice_estimate"
        values["final_amount"] = fmt.money(plan.final_invoice.value, plan.currency, lang)
    if plan.refund and plan.refund.value:
        context.refund = "credit" if plan.refund_kind == "credit" else "refund"
        values["refund_amount"] = fmt.money(plan.refund.value, plan.currency, lang)
    context.successor = bool(inputs.successor_name)
    if plan.support and plan.support["fee"]:  # O6: paid support, offered with its fee
        context.support = True
        values["support_until"] = fmt.date(plan.support["until"], lang)
        values["support_fee"] = fmt.money(plan.support["fee"], plan.currency, lang)
    return context


def compose(context: Context, *, after_call: bool = True) -> tuple[str, str]:
    """The subject and body of the letter, block by block, in the order a reader needs them."""
    c = context
    blocks = [
        c.say("salutation_titled") if c.titled else c.say("salutation"),
        # C1: "Further to our conversation" only once the case records it; before that the letter claims
        # none (and the page and the download say it is not to be sent yet).
        c.say("decision_after_call" if after_call and c.told else "decision_letter_only"),  # C5, O1
        c.say("reason_" + c.values.get("reason", "general")),  # C6
    ]
    steps = []  # O1–O7, O9: what happens next
    if c.work:
        steps.append(c.say("work", count=len(c.work)))  # N2
    if c.deadlines:
        steps.append(c.say("deadlines", count=len(c.deadlines)))  # nothing falls between two firms
    if c.unpaid:
        steps.append(c.say("unpaid", count=len(c.unpaid)))  # D10, O9: what is still due, in writing
    if c.final_invoice:
        steps.append(c.say(c.final_invoice, amount=c.values["final_amount"]))  # D10
    if c.refund:
        steps.append(c.say(c.refund, amount=c.values["refund_amount"]))  # N4
    steps.append(c.say("files"))  # O4
    steps.append(c.say("deletion"))  # O5
    if c.third_parties:
        steps.append(c.say("third_parties", count=len(c.third_parties)))  # O2: we withdraw ourselves
    if c.access:
        steps.append(c.say("access", count=len(c.access)))  # O2
    if c.credentials:
        steps.append(c.say("credentials", count=len(c.credentials)))  # O4
    if c.successor:
        steps.append(c.say("successor"))  # O7
    if c.support:
        steps.append(c.say("support"))  # O6
    if c.handler:
        steps.append(c.say("handover_contact"))  # a named person for practical questions
    blocks.append(c.say("next_intro") + "\n" + "\n".join(BULLET + step for step in steps))
    if len(c.referrals) == 1:  # C10: one firm is named in the sentence
        name, contact = c.referrals[0]
        referral = c.say("referral_inline", name=name, contact=contact) if contact else name
        blocks.append(c.say("referrals", count=1, referral=referral))
    elif c.referrals:
        items = [
            c.say("referral_item", name=name, contact=contact) if contact else name for name, contact in c.referrals
        ]
        blocks.append(c.say("referrals", count=len(items)) + "\n" + "\n".join(BULLET + item for item in items))
    blocks.append(c.say("thanks"))  # C9: thanks first, the good wishes last
    if not c.referrals:
        blocks.append(c.say("good_wishes"))
    blocks.append(c.say("closing"))
    return c.say("subject"), "\n\n".join(blocks)


@dataclass
class Draft:
    subject: str
    body: str
    facts: dict  # what the text says of the case, but for the final invoice's estimate (see below)


def letter_draft(case: OffboardingCase, lang: str, *, sender, after_call: bool = True) -> Draft:
    """The letter composed from the case now, with the facts it states. The final invoice is left out
    of the facts: it is an estimate that grows with every hour logged, not a change of decision."""
    context = case_context(case, lang, sender=sender)
    context.values["reason"] = case.outward_reason
    subject, body = compose(context, after_call=after_call)
    # The bundle's link is not a fact of the decision either: a new link must not mark the letter outdated.
    facts = {
        key: value
        for key, value in context.values.items()
        if key not in ("final_amount", "sender", "bundle_link", "bundle_expires")
    }
    facts |= {
        "work": context.work,
        "access": context.access,
        "credentials": context.credentials,
        "referrals": [list(pair) for pair in context.referrals],
        "refund": context.refund,
        "support": context.support,
        "attitude": context.attitude,
        "after_call": after_call,
        "told": context.told,
        "unpaid": context.unpaid,
        "deadlines": context.deadlines,
        "third_parties": context.third_parties,
    }
    return Draft(subject, body, facts)


def letter_compose(case: OffboardingCase, lang: str, *, sender, after_call: bool = True) -> tuple[str, str]:
    draft = letter_draft(case, lang, sender=sender, after_call=after_call)
    return draft.subject, draft.body


_CONTROL = {code: None for code in range(32) if chr(code) not in "\t\n"} | {0x0B: "\n", 0x0C: "\n", 0x7F: None}


def clean(text: str) -> str:
    """Text without control characters: Word's soft line break (\\x0b) becomes a new line, the rest
    goes. They would break DOCX (XML cannot hold them) and mail headers."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)


def reference_line(case: OffboardingCase, lang: str) -> str:
    """ "Our reference: client no. 42, agreement of 1 March 2024" — the firm's client number (its id
    when none is recorded) and the agreement the services run under."""
    client = case.client
    number = isolate(client.number.strip() or str(client.pk), lang)
    if client.contract_start:
        return say(
            lang, "reference_agreement", client_number=number, agreement_date=fmt.date(client.contract_start, lang)
        )
    return say(lang, "reference", client_number=number)


def document(
    case: OffboardingCase,
    lang: str,
    *,
    subject: str,
    body: str,
    sender,
    today: dt.date | None = None,
    after_call: bool = True,
) -> Document:
    """The letter as every renderer draws it: the firm's letterhead, today's date, the recipient, the
    (possibly edited) subject and body, and the signature of the member who sends it."""
    firm, client = case.firm, case.client
    contact = primary_contact(case)
    name = (contact.name_in(lang) or contact.name) if contact else ""
    recipient = [clean(line) for line in (name, client.name) if line]
    prefix = getattr(module(lang), "RECIPIENT_PREFIX", "")  # Hebrew letters open the address with «לכבוד»
    if prefix:
        recipient.insert(0, prefix)
    issued = today or firm.today()
    return Document(
        lang=lang,
        firm=clean(firm.name),
        letterhead=[clean(line).strip() for line in firm.letterhead.splitlines() if line.strip()],
        place_date=say(lang, "dateline", date=fmt.date(issued, lang)),
        recipient=recipient,
        subject=clean(subject).replace("\n", " ").replace("\t", " ").strip(),  # a header: one line
        body=clean(body),
        signature=[clean(line) for line in (sender_name(sender), firm.name) if line],
        paper=firm.paper,
        to_email=contact.email if contact else "",
        from_email=firm.email,
        issued=issued,
        time_zone=firm.time_zone,
        to_name=clean(name).strip(),
        from_name=clean(sender_name(sender)),
        reference=reference_line(case, lang),
        notice=say(lang, "not_told") if after_call and case.notified_on is None else "",
    )
