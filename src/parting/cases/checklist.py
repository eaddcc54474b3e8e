"""The checklist of a case: generated from the plan and from what the firm holds for the client
(O1–O9, C1, C10, C11), kept in step with the plan, each task with an owner, a due date, a status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Min, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parting.clients.models import AccessGrant, Credential
from parting.evidence.models import TimeEntry

from .models import CaseTask, OffboardingCase, ReferralProvider
from .plan import Plan, plan_compute, plan_get

Anchor = CaseTask.Anchor
MAX_REFERRALS = 3

# Titles are rendered when shown, in the reader's language; ``params`` fill them in.
TITLES = {
    "conversation": gettext_lazy("Tell the client in a call or a meeting; practise the script first (C1, C11)"),
    "letter": gettext_lazy("Send the written follow-up: the letter with the dates and what happens next (C1, O9)"),
    "services": gettext_lazy("Send a high-level list of the services provided: %(services)s (O3)"),
    "referrals": gettext_lazy("Offer referrals to other providers: %(names)s (C10)"),
    "referrals_none": gettext_lazy(
        "Find two or three providers to refer the client to; none in the directory matches (C10)"
    ),
    "files": gettext_lazy("Hand over all the client's files and documents, for them to keep (O4)"),
    "credential": gettext_lazy("Hand back the client's login: %(name)s (O4)"),
    "access": gettext_lazy("Have the client remove our access: %(name)s (O2)"),
    "successor": gettext_lazy("Brief the successor %(name)s on the work done (O7)"),
    "final_invoice": gettext_lazy("Issue the final invoice for work up to the end date: %(amount)s (D10)"),
    "refund": gettext_lazy("Return the prepaid share of work not done as a %(kind)s: %(amount)s (N4)"),
    "billing": gettext_lazy("Stop recurring billing and direct debits"),
    "support": gettext_lazy("Paid support ends (O6)"),
    "cut_contact": gettext_lazy("Cut contact: the client becomes a former client (O8)"),
}


@dataclass
class Planned:
    kind: str
    anchor: str
    offset: int
    key: str = ""
    params: dict = field(default_factory=dict)
    required: bool = True


def task_title(task: CaseTask) -> str:
    """The task's title in the reader's language, made now from its kind and ``params``.

    A generated task stores codes and names, never words of one language: the kind ("access"), the
    system's own name and the level's code ("admin"), an amount as a number with its currency. So the
    checklist an approver writing in Hebrew generated reads in English for an English reader and in
    Polish for a Polish one. A task a member added by hand keeps the words they typed.
    """
    if task.kind == "custom" or task.kind not in TITLES:
        return task.params.get("title", "")
    params = dict(task.params)
    if task.kind == "services":
        params = {"services": services_text(params)}
    if task.kind == "access":
        params = {"name": access_name(params)}
    if task.kind in ("final_invoice", "refund"):
        params["amount"] = _money_text(params)
        params.pop("currency", None)
    if task.kind == "refund":
        params["kind"] = _("credit note") if params.get("kind") == "credit" else _("refund")
    title = str(TITLES[task.kind]) % params if params else str(TITLES[task.kind])
    if task.kind == "files":
        status = handover_status(task.case)
        if status:
            title = f"{title} — {status}"
    return title


def handover_link(case: OffboardingCase) -> dict:
    """O4: the client's handover bundle as the checklist tells it: ``status`` (none, queued, building,
    failed, live, revoked, expired), the ``link`` while it opens and when it ``expires``."""
    from parting.documents.links import bundle_link_url
    from parting.documents.models import Bundle
    from parting.documents.selectors import bundle_current

    bundle = bundle_current(client=case.client)
    if bundle is None:
        return {"status": "none"}
    if bundle.status != Bundle.Status.READY:
        return {"status": bundle.status}
    if bundle.link_live():
        return {"status": "live", "link": bundle_link_url(bundle), "expires": bundle.link_expires_at}
    return {"status": "revoked" if bundle.link_revoked_at else "expired", "expires": bundle.link_expires_at}


def handover_status(case: OffboardingCase) -> str:
    """The handover bundle's state in words, in the reader's language; "" while there is none."""
    from django.utils import formats, timezone

    state = handover_link(case)
    status = state["status"]
    if status == "none":
        return ""
    if status == "live":
        day = formats.date_format(timezone.localtime(state["expires"]).date(), "SHORT_DATE_FORMAT")
        return _("bundle link ready, opens until %(date)s: %(link)s") % {"date": day, "link": state["link"]}
    return str(HANDOVER_STATES[status])


HANDOVER_STATES = {
    "queued": gettext_lazy("the bundle is being built"),
    "building": gettext_lazy("the bundle is being built"),
    "failed": gettext_lazy("the bundle could not be built: build it again"),
    "revoked": gettext_lazy("the bundle's link was revoked: make a new one"),
    "expired": gettext_lazy("the bundle's link has expired: make a new one"),
}


def access_name(params: dict) -> str:
    """O2: the system and the level of access ("Bank portal (Administrator)"), the level named in the
    reader's language."""
    levels = dict(AccessGrant.Level.choices)
    level = params.get("level")
    return f"{params.get('name', '')} ({levels[level]})" if level in levels else params.get("name", "")


def _money_text(params: dict) -> str:
    """An amount kept as a number and a currency code, written as the reader's language writes money."""
    from parting.web.templatetags.parting import money

    amount, currency = params.get("amount"), params.get("currency")
    if not currency:  # a task written before amounts were stored as numbers
        return str(amount or "")
    try:
        return money(amount, currency)
    except (ArithmeticError, ValueError):  # decimal.InvalidOperation is an ArithmeticError
        return f"{amount} {currency}"


def services_delivered(case: OffboardingCase) -> dict:
    """O3: what a high-level list says — the services on record for the client, and the hours and the
    months the time entries cover. Never instructions for how the work is done."""
    names = ", ".join(case.client.services.order_by("name").values_list("name", flat=True))
    time = TimeEntry.objects.filter(client=case.client, firm=case.firm).aggregate(
        hours=Sum("hours"), first=Min("date"), last=Max("date")
    )
    if not names and not time["hours"]:
        return {}
    out = {"names": names}
    if time["hours"]:
        out |= {
            "hours": f"{time['hours'].normalize():f}",
            "first": f"{time['first']:%Y-%m}",
            "last": f"{time['last']:%Y-%m}",
        }
    return out


def services_text(params: dict) -> str:
    parts = [params["names"]] if params.get("names") else []
    if params.get("hours"):
        parts.append(_("%(hours)s hours from %(first)s to %(last)s") % params)
    return "; ".join(parts)


@dataclass
class Referral:
    """A provider the letter may name, with why it was chosen — shown to the user beside it (C10)."""

    provider: ReferralProvider
    services: list[str]  # the client's services they offer
    country: str  # the client's country, when the provider lists it among theirs
    language: str  # the contact's language, when the provider lists it

    def __getattr__(self, name):  # a Referral reads as its provider (name, contact) where one was used
        return getattr(self.provider, name)


def referral_matches(case: OffboardingCase) -> list[Referral]:
    """C10: providers who fit the client on all three counts, best first (most services in common):

    1. services — they offer at least one of the client's services (any provider when none is recorded);
    2. country — the client's country is among theirs (a provider listing none, or a client without a
       country, is not ruled out by it, and the reason then says nothing of the country);
    3. language — they speak the primary contact's language (a provider listing none is not ruled out).

    Never by language alone: a UK client is not sent to a Romanian firm because both write English.
    None when the reason is attitude.
    """
    if case.attitude:
        return []
    client = case.client
    offered = {s.pk: s.name for s in client.services.all()}
    contact = client.contacts.order_by("-is_primary", "name").first()
    language = contact.language if contact else ""
    country = (client.country or "").upper()
    matched = []
    for provider in ReferralProvider.objects.filter(firm=case.firm).prefetch_related("services").order_by("name"):
        shared = sorted(offered[s.pk] for s in provider.services.all() if s.pk in offered)
        if offered and not shared:
            continue
        countries = [code.upper() for code in provider.countries or []]
        if country and countries and country not in countries:
            continue
        if language and provider.languages and language not in provider.languages:
            continue
        matched.append(
            Referral(
                provider,
                shared,
                country if country in countries else "",
                language if language in (provider.languages or []) else "",
            )
        )
    matched.sort(key=lambda r: (-len(r.services), not r.country, not r.language, r.provider.name))
    return matched[:MAX_REFERRALS]


def referrals_for(case: OffboardingCase) -> list[ReferralProvider]:
    """C10: the providers of :func:`referral_matches`, best first."""
    return [match.provider for match in referral_matches(case)]


def checklist_plan(case: OffboardingCase, plan: Plan) -> list[Planned]:
    """Every task the case needs, in the order they are done."""
    client = case.client
    inputs = plan_get(case)
    tasks = [
        Planned("conversation", Anchor.NOTICE, 0),
        Planned("letter", Anchor.NOTICE, 1),
    ]
    if not case.attitude:  # C10: no referral when the real reason is the client's attitude
        providers = referrals_for(case)
        if providers:
            tasks.append(Planned("referrals", Anchor.NOTICE, 1, params={"names": ", ".join(p.name for p in providers)}))
        else:
            tasks.append(Planned("referrals_none", Anchor.NOTICE, 1))
    services = services_delivered(case)
    if services:
        tasks.append(Planned("services", Anchor.NOTICE, 7, params=services))
    tasks.append(Planned("files", Anchor.END, -7))
    for credential in Credential.objects.filter(client=client, handed_back_on__isnull=True):
        tasks.append(Planned("credential", Anchor.END, 0, key=str(credential.pk), params={"name": credential.name}))
    for grant in AccessGrant.objects.filter(client=client, revoked_on__isnull=True):
        tasks.append(
            Planned("access", Anchor.END, 0, key=str(grant.pk), params={"name": grant.name, "level": grant.level})
        )
    if inputs.successor_name:
        name = inputs.successor_name
        if inputs.successor_contact:
            name = f"{name} ({inputs.successor_contact})"
        tasks.append(Planned("successor", Anchor.END, -3, params={"name": name}))
    if plan.final_invoice.value:
        tasks.append(
            Planned(
                "final_invoice",
                Anchor.END,
                0,
                params={"amount": str(plan.final_invoice.value), "currency": plan.currency},
            )
        )
    if plan.refund and plan.refund.value:
        tasks.append(
            Planned(
                "refund",
                Anchor.END,
                0,
                params={"amount": str(plan.refund.value), "currency": plan.currency, "kind": plan.refund_kind},
            )
        )
    tasks.append(Planned("billing", Anchor.END, 0))
    if plan.support:
        tasks.append(Planned("support", Anchor.END, plan.support["days"], required=False))
    tasks.append(Planned("cut_contact", Anchor.END, 0))
    return tasks


def due_on(anchor: str, offset: int, plan: Plan) -> dt.date:
    base = plan.notice_date.value if anchor == Anchor.NOTICE else plan.end_date.value
    return base + dt.timedelta(days=offset)


def checklist_sync(case: OffboardingCase, plan: Plan | None = None) -> list[CaseTask]:
    """Bring the generated tasks in step with the plan: add what is missing, move open tasks to their
    new due dates, drop open tasks no longer needed. Done tasks and the user's own tasks stay."""
    plan = plan or plan_compute(case)
    wanted = checklist_plan(case, plan)
    existing = {(t.kind, t.key): t for t in CaseTask.objects.filter(case=case).exclude(kind="custom")}
    owner = case.client.assigned_to_id or case.opened_by_id
    keep = set()
    # "referrals" and "referrals_none" are one step: keep the row (and its notes) when the match changes.
    for order, item in enumerate(wanted):
        key = (item.kind, item.key)
        if item.kind.startswith("referrals"):
            twin = ("referrals_none" if item.kind == "referrals" else "referrals", "")
            if key not in existing and twin in existing and existing[twin].status == CaseTask.Status.OPEN:
                existing[key] = existing.pop(twin)
                existing[key].kind = item.kind
        keep.add(key)
        due = due_on(item.anchor, item.offset, plan)
        task = existing.get(key)
        if task is None:
            CaseTask.objects.create(
                case=case,
                kind=item.kind,
                key=item.key,
                params=item.params,
                required=item.required,
                owner_id=owner,
                anchor=item.anchor,
                offset_days=item.offset,
                due_on=due,
                order=order,
            )
        elif task.status == CaseTask.Status.OPEN:
            task.params, task.due_on, task.order, task.required = item.params, due, order, item.required
            task.save(update_fields=["kind", "params", "due_on", "order", "required"])
    for key, task in existing.items():
        if key not in keep and task.status == CaseTask.Status.OPEN:
            task.delete()
    return list(CaseTask.objects.filter(case=case))
