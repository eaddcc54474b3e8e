"""The purge page (issue 13 §3, O5) for owners and partners: purges coming up, the warning seven days
before, postponing with a reason, a client's request for erasure, and the deletion certificates.

Every lookup is scoped to the member's firm: another firm's row is a 404."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parting.audit.services import audit_record
from parting.clients.selectors import client_get
from parting.firms.access import member_required

from . import services
from .certificate import certificate_pdf
from .models import PurgeSchedule, Tombstone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PostponeForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Data"))
    to_date = forms.DateField(label=gettext_lazy("New date"), widget=DATE)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Recorded; the audit log keeps its checksum. Do not write the client's name."),
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (row.category, f"{row.get_category_display()} · {row.due_on.isoformat()}") for row in rows
        ]


class ErasureForm(forms.Form):
    requested_on = forms.DateField(label=gettext_lazy("The client asked on"), widget=DATE)
    on = forms.DateField(label=gettext_lazy("Erase their data on"), widget=DATE)
    reason = forms.CharField(
        label=gettext_lazy("How the client asked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("e.g. by e-mail to the office; recorded until the purge."),
    )


def _apply_errors(form: forms.Form, error: services.RetentionError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@member_required(senior=True)
def retention_page(request):
    return render(
        request,
        "parting/retention.html",
        {
            "rows": services.upcoming(request.firm),
            "purged": services.purged_clients(request.firm),
            "warn_days": services.WARN_DAYS,
        },
    )


@member_required(senior=True)
def purge_postpone(request, pk: int):
    """Postpone one of a client's scheduled purges (the category is chosen on the form)."""
    client = client_get(firm=request.firm, pk=pk)
    rows = list(PurgeSchedule.objects.filter(firm=request.firm, client=client, state=PurgeSchedule.State.SCHEDULED))
    if not rows:
        raise Http404(_("No purge of this client is scheduled."))
    initial = {"category": request.GET.get("category", "")}
    form = PostponeForm(request.POST or None, rows=rows, initial=initial, auto_id="postpone-%s")
    if request.method == "POST" and form.is_valid():
        row = next(row for row in rows if row.category == form.cleaned_data["category"])
        try:
            services.postpone(
                schedule=row, by=request.user, to_date=form.cleaned_data["to_date"], reason=form.cleaned_data["reason"]
            )
        except services.RetentionError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The purge is postponed to %(day)s.") % {"day": row.due_on.isoformat()})
            return redirect("retention")
    return render(
        request, "parting/purge_postpone.html", {"client": client, "form": form}, status=400 if form.errors else 200
    )


@member_required(senior=True)
def erasure_request(request, pk: int):
    client = client_get(firm=request.firm, pk=pk)
    form = ErasureForm(request.POST or None, auto_id="erasure-%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request(
                client=client,
                by=request.user,
                on=form.cleaned_data["on"],
                requested_on=form.cleaned_data["requested_on"],
                reason=form.cleaned_data["reason"],
            )
        except services.RetentionError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The erasure is scheduled; it is listed on the purge page."))
            return redirect("retention")
    return render(
        request, "parting/erasure_request.html", {"client": client, "form": form}, status=400 if form.errors else 200
    )


@member_required(senior=True)
def certificate_download(request, pk: int):
    """The client's deletion certificate, rendered again from the tombstone (the same bytes as issued)."""
    client = client_get(firm=request.firm, pk=pk)
    tombstone = get_object_or_404(Tombstone, firm=request.firm, client=client, certificate_at__isnull=False)
    pdf = certificate_pdf(tombstone)
    digest = hashlib.sha256(pdf).hexdigest()
    if digest != tombstone.certificate_sha256:
        # Rendered differently than when issued (e.g. a newer Typst): record the new hash, never hide it.
        Tombstone.objects.filter(pk=tombstone.pk).update(certificate_sha256=digest)
        audit_record(
            firm=request.firm,
            actor=request.user,
            action="retention.certificate",
            target=f"client:{tombstone.client_id}",
            data={"ref": tombstone.reference, "sha256": digest, "reissued": True},
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="deletion-certificate-{tombstone.reference}.pdf"'
    response["X-Content-SHA256"] = digest
    return response
