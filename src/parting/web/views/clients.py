"""Client pages: the breakdown of signs, the evidence behind them, and forms to keep records."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parting.cases.selectors import open_case_for
from parting.clients.forms import AccessGrantFormSet, ClientForm, ContactFormSet, CredentialFormSet, EngagementFormSet
from parting.clients.models import Client
from parting.clients.selectors import client_get, client_timeline, payment_delays
from parting.evidence.forms import KINDS
from parting.evidence.services import settle_invoices
from parting.firms.access import member_required
from parting.firms.models import Service
from parting.signs.catalogue import BY_ID
from parting.signs.evidence import sign_evidence
from parting.signs.scoring import RECOMMENDATIONS, Scorer, window


@member_required
def client_detail(request, pk: int):
    client = client_get(firm=request.firm, pk=pk)
    scorer = Scorer(request.firm)
    # One firm-wide pass gives this client's percentiles and the clients who came through them (D6).
    scored = {r.client_id: r for r in scorer.score()}
    result = scored[client.id]
    scorer.add_trend([result])
    context = {
        "client": client,
        "result": result,
        "recommendation": RECOMMENDATIONS[result.recommendation],
        "referred": [scored[cid] for cid in result.referred if cid in scored],
        "timeline": client_timeline(client=client),
        "charts": {
            "trend": {
                "labels": [m for m, _s in result.trend],
                "scores": [s for _m, s in result.trend],
                "label": _("Fit score"),
            },
            "delays": {"points": payment_delays(client=client, today=scorer.as_of), "label": _("Days late")},
        },
        "kinds": KINDS,
        "contacts": client.contacts.all(),
        "grants": client.access_grants.all(),
        "open_case": open_case_for(client),
    }
    return render(request, "parting/client_detail.html", context)


@member_required
def client_sign(request, pk: int, sign_id: str):
    client = client_get(firm=request.firm, pk=pk)
    sign = BY_ID.get(sign_id)
    if sign is None:
        raise Http404(_("No such sign."))
    scorer = Scorer(request.firm)
    result = scorer.score(client_ids=[client.id])[0]
    start, end = window(scorer.as_of, scorer.policy.window_months)
    sections = [(kind, KINDS[kind][1], rows) for kind, rows in sign_evidence(client, sign_id, start, end)]
    applied = next((s for s in result.signs if s.id == sign_id), None)
    return render(
        request,
        "parting/client_sign.html",
        {
            "client": client,
            "sign": sign,
            "result": applied,
            "sections": sections,
            "start": start,
            "end": end,
        },
    )


def _client_form(request, client: Client | None):
    form = ClientForm(request.POST or None, instance=client, firm=request.firm)
    contacts = ContactFormSet(request.POST or None, instance=form.instance, prefix="contacts")
    grants = AccessGrantFormSet(request.POST or None, instance=form.instance, prefix="grants")
    work = EngagementFormSet(request.POST or None, instance=form.instance, prefix="work")
    for row in work.forms:
        row.fields["service"].queryset = Service.objects.filter(firm=request.firm)
    logins = CredentialFormSet(request.POST or None, instance=form.instance, prefix="logins")
    formsets = (contacts, grants, work, logins)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        with transaction.atomic():  # the client and everything listed with it are saved whole or not at all
            saved = form.save()
            for formset in formsets:
                formset.instance = saved
                formset.save()
        messages.success(request, _("Saved %(name)s.") % {"name": saved.name})
        return redirect("client_detail", pk=saved.pk)
    return render(
        request,
        "parting/client_form.html",
        {"form": form, "contacts": contacts, "grants": grants, "work": work, "logins": logins, "client": client},
    )


@member_required
def client_create(request):
    return _client_form(request, None)


@member_required
def client_edit(request, pk: int):
    return _client_form(request, client_get(firm=request.firm, pk=pk))


def _settle(kind: str, row, before: int | None = None) -> None:
    """A payment changed, or an invoice's amount: its invoice's balance follows (issue 10 §1)."""
    if kind == "payment":
        settle_invoices([i for i in (row.invoice_id, before) if i])
    elif kind == "invoice" and row.pk:
        settle_invoices([row.pk])


def _evidence_form(kind: str):
    if kind not in KINDS:
        raise Http404(_("No such kind of evidence."))
    return KINDS[kind]


@member_required
def evidence_log(request, pk: int, kind: str, item: int | None = None):
    client = client_get(firm=request.firm, pk=pk)
    form_class, label = _evidence_form(kind)
    instance = None
    if item is not None:
        instance = get_object_or_404(form_class._meta.model, pk=item, client=client, firm=request.firm)
    before = getattr(instance, "invoice_id", None)  # a payment moved to another invoice settles both
    form = form_class(request.POST or None, instance=instance, client=client)
    if request.method == "POST" and form.is_valid():
        row = form.save(commit=False)
        if kind == "incident" and row.logged_by_id is None:
            row.logged_by = request.user
        with transaction.atomic():
            row.save()
            _settle(kind, row, before)
        messages.success(request, _("%(kind)s saved.") % {"kind": label})
        if client.status == Client.Status.FORMER:
            messages.warning(
                request,
                _(
                    "%(client)s is a former client: you owe them nothing more (O8). This record is flagged on the dashboard."
                )
                % {"client": client.name},
            )
        return redirect("client_detail", pk=client.pk)
    return render(
        request,
        "parting/evidence_form.html",
        {"client": client, "form": form, "label": label, "kind": kind, "instance": instance},
    )


@member_required
def evidence_delete(request, pk: int, kind: str, item: int):
    client = client_get(firm=request.firm, pk=pk)
    form_class, label = _evidence_form(kind)
    instance = get_object_or_404(form_class._meta.model, pk=item, client=client, firm=request.firm)
    if request.method == "POST":
        with transaction.atomic():
            instance.delete()
            _settle(kind, instance)
        messages.success(request, _("%(kind)s deleted.") % {"kind": label})
        return redirect("client_detail", pk=client.pk)
    return render(request, "parting/evidence_delete.html", {"client": client, "label": label, "instance": instance})
