"""The webhooks page (issue 15 §3), for owners and partners: endpoints, their secrets, their last
deliveries, and a test button. Every lookup is scoped to the member's firm: another firm's endpoint
is a 404. The test button queues a ``ping`` that the worker delivers within seconds, by the same
path, signature and retries as real events; the page never waits on a remote server."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parting.firms.access import member_required

from . import services
from .models import EVENTS, Endpoint


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/parting"}),
        help_text=gettext_lazy("Parting sends a signed POST here; redirects are not followed."),
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one event to receive.")},
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


class EndpointEditForm(EndpointForm):
    new_secret = forms.BooleanField(
        label=gettext_lazy("Replace the secret"),
        required=False,
        help_text=gettext_lazy("The old secret stops working at once; update your receiver."),
    )


def _apply_errors(form: forms.Form, error: services.WebhookError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _endpoint(request, pk: int) -> Endpoint:
    return get_object_or_404(Endpoint, firm=request.firm, pk=pk)


@member_required(senior=True)
def webhooks(request):
    """The firm's endpoints, and the form that adds one."""
    form = EndpointForm(request.POST or None, auto_id="webhook-%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = services.endpoint_create(
                firm=request.firm,
                by=request.user,
                url=data["url"],
                events=data["events"],
                description=data["description"],
                active=data["active"],
            )
        except services.WebhookError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Endpoint added. Copy its secret into your receiver."))
            return redirect("webhook_edit", endpoint.pk)
    endpoints = list(Endpoint.objects.filter(firm=request.firm).order_by("pk"))
    for endpoint in endpoints:
        endpoint.recent = services.recent_deliveries(endpoint, limit=5)
        endpoint.event_names = [EVENTS[e] for e in endpoint.events if e in EVENTS]
    return render(
        request,
        "parting/webhooks.html",
        {"endpoints": endpoints, "form": form},
        status=400 if form.errors else 200,
    )


@member_required(senior=True)
def webhook_edit(request, pk: int):
    """One endpoint: its settings and secret, its last deliveries, the test and delete buttons."""
    endpoint = _endpoint(request, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "active": endpoint.active,
    }
    form = EndpointEditForm(request.POST or None, initial=initial, auto_id="webhook-%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.endpoint_update(
                endpoint=endpoint,
                by=request.user,
                url=data["url"],
                events=data["events"],
                description=data["description"],
                active=data["active"],
                new_secret_=data["new_secret"],
            )
        except services.WebhookError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhook_edit", endpoint.pk)
    return render(
        request,
        "parting/webhook_edit.html",
        {"endpoint": endpoint, "form": form, "deliveries": services.recent_deliveries(endpoint)},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required(senior=True)
def webhook_delete(request, pk: int):
    endpoint = _endpoint(request, pk)
    services.endpoint_delete(endpoint=endpoint, by=request.user)
    messages.success(request, _("Endpoint deleted; its waiting deliveries will not be sent."))
    return redirect("webhooks")


@require_POST
@member_required(senior=True)
def webhook_ping(request, pk: int):
    endpoint = _endpoint(request, pk)
    services.endpoint_ping(endpoint=endpoint, by=request.user)
    messages.success(
        request, _("A test event is queued; the worker sends it within seconds. Reload to see the answer.")
    )
    return redirect("webhook_edit", endpoint.pk)
