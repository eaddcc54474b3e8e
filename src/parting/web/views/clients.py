"""Client pages: the breakdown of signs, the evidence behind them, and forms to keep records."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from parting.cases.selectors import open_case_for
from parting.clients.forms import AccessGrantFormSet, ClientForm, ContactFormSet, CredentialFormSet, EngagementFormSet
from parting.clients.models import Client
from parting.clients.selectors import TIMELINE_KINDS, client_get, client_timeline_page, payment_delays
from parting.evidence.forms import KINDS
from parting.evidence.services import evidence_audit, settle_invoices
from parting.firms.access import member_required
from parting.firms.models import Service
from parting.scores.selectors import client_score, client_trend, rows_of, stored
from parting.scores.selectors import status as score_status
from parting.scores.services import ensure_scored, request_rescore, snapshots_relabel
from parting.signs.catalogue import BY_ID
from parting.signs.evidence import sign_evidence
from parting.signs.policy import policy_for
from parting.signs.scoring import RECOMMENDATIONS, window


class TimelineFilter(forms.Form):
    """The client page's timeline filter, read from the query string (a plain GET form, no script).

    ``from`` and ``to`` are Python words, so those fields are added in ``__init__``. Dates are kept
    between 1900 and 2199: far enough for any evidence, and no arithmetic on them can overflow.
    """

    EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
    MAX_PAGE = 100_000

    kind = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of evidence"),
        required=False,
        choices=[(kind, KINDS[kind][1]) for kind in TIMELINE_KINDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every kind."),
    )
    page = forms.IntegerField(label=gettext_lazy("Page"), required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "timeline-%s")
        super().__init__(*args, **kwargs)
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(
            label=pgettext_lazy("start of a date range", "From"), required=False, widget=date
        )
        self.fields["to"] = forms.DateField(
            label=pgettext_lazy("end of a date range", "To"), required=False, widget=date
        )

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            day = data.get(name)
            if day and not self.EARLIEST <= day <= self.LATEST:
                self.add_error(name, gettext_lazy("Choose a date between 1900 and 2199."))
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", gettext_lazy("The end of the range is before its start."))
        return data


def _timeline(request, client: Client) -> dict:
    """The timeline's page, its filter form and the query strings of the newer and older pages.

    A filter that does not validate is not applied: the page says why and shows the newest evidence.
    """
    form = TimelineFilter(request.GET if request.GET else None)
    chosen: dict = {}
    page = 1
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        chosen = {"kinds": data["kind"], "start": data["from"], "end": data["to"]}
        page = data["page"] or 1
    for name in form.errors:
        if name in form.fields:  # the message above the form names the field; the field points at it
            form.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "timeline-errors"})
    timeline = client_timeline_page(client=client, page=page, **chosen)

    def query(number: int) -> str:
        params = request.GET.copy() if form.is_bound and not form.errors else QueryDict(mutable=True)
        params["page"] = str(number)
        return params.urlencode()

    return {
        "timeline": timeline,
        "timeline_form": form,
        "timeline_filtered": any(chosen.values()),
        "timeline_newer": query(page - 1) if timeline.has_newer else "",
        "timeline_older": query(page + 1) if timeline.has_older else "",
    }


def _stored_score(request, client: Client):
    """The client's latest stored score (issue 12 §2): the page does not re-score the firm."""
    state = ensure_scored(request.firm)
    result = client_score(state, client.id)
    if result is None:  # added since the firm was last scored: scored with it on the next pass
        request_rescore(request.firm)
    return state, result


@member_required
def client_detail(request, pk: int):
    client = client_get(firm=request.firm, pk=pk)
    state, result = _stored_score(request, client)
    trend = client_trend(state, client.id) if result else {"monthly": [], "weekly": []}
    referred = []
    if result and result.referred:
        rows = rows_of(state, result.referred)  # by the (client, day) index, not the firm's whole day
        referred = stored(rows[pk] for pk in result.referred if pk in rows)
    delays = payment_delays(client=client, today=request.firm.today())
    context = {
        "client": client,
        "result": result,
        **score_status(state),
        "recommendation": RECOMMENDATIONS[result.recommendation] if result else "",
        "referred": referred,
        "charts": {
            "trend": {
                "labels": [
                    f"{day:%Y-%m} ({_('back-filled')})" if backfilled else f"{day:%Y-%m}"
                    for day, _s, backfilled in trend["monthly"]
                ],
                "scores": [score for _d, score, _b in trend["monthly"]],
                "label": _("Fit score"),
            },
            "delays": {"points": delays, "label": _("Days late")},
        },
        # The charts' numbers as tables, their text alternative; a back-filled point says so.
        "trend_rows": trend["monthly"],
        "weekly_rows": trend["weekly"],
        "delay_rows": [{"due": dt.date.fromisoformat(p["x"]), "days": p["y"], "unpaid": p["unpaid"]} for p in delays],
        "kinds": KINDS,
        "contacts": client.contacts.all(),
        "grants": client.access_grants.all(),
        "open_case": open_case_for(client),
        **_timeline(request, client),
    }
    return render(request, "parting/client_detail.html", context)


@member_required
def client_sign(request, pk: int, sign_id: str):
    client = client_get(firm=request.firm, pk=pk)
    sign = BY_ID.get(sign_id)
    if sign is None:
        raise Http404(_("No such sign."))
    state, result = _stored_score(request, client)
    # The evidence rows listed are those of the window the stored score read.
    as_of = state.scored_day or request.firm.today()
    start, end = window(as_of, policy_for(request.firm).window_months)
    sections = [(kind, KINDS[kind][1], rows) for kind, rows in sign_evidence(client, sign_id, start, end)]
    applied = result.sign(sign_id) if result else None
    return render(
        request,
        "parting/client_sign.html",
        {
            "client": client,
            "sign": sign,
            "result": applied,
            **score_status(state),
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
            snapshots_relabel([saved.pk])  # the table's name and status, before the re-score
            request_rescore(request.firm)  # status, services and referrals change scores
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
            evidence_audit(
                firm=request.firm,
                actor=request.user,
                action="changed" if instance else "created",
                row=row,
                kind=kind,
                fields=form.changed_data,
            )
            request_rescore(request.firm)
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
            evidence_audit(firm=request.firm, actor=request.user, action="deleted", row=instance, kind=kind)
            instance.delete()
            _settle(kind, instance)
            request_rescore(request.firm)
        messages.success(request, _("%(kind)s deleted.") % {"kind": label})
        return redirect("client_detail", pk=client.pk)
    return render(request, "parting/evidence_delete.html", {"client": client, "label": label, "instance": instance})
