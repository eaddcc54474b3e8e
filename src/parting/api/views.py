"""The tokens page (/account/tokens/): a member makes and revokes their own access tokens for the API.

A new token's secret is shown once, on the page that answers the POST that made it, and never again:
only its SHA-256 is stored (tokens.py).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parting.firms.access import member_required

from .models import AccessToken
from .tokens import token_create
from .tokens import token_revoke as revoke


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=AccessToken.Scope.choices)
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Empty: the token works until you revoke it."),
    )

    def __init__(self, *args, firm, **kwargs):
        super().__init__(*args, **kwargs)
        self.firm = firm

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day and not self.firm.today() < day <= dt.date(2199, 12, 31):
            raise forms.ValidationError(_("Choose a day after today."))
        return day


@member_required
def tokens_page(request):
    """The member's tokens in this firm, and the form that makes one."""
    form = TokenForm(request.POST or None, firm=request.firm)
    secret = ""
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["expires_on"]
        # A token dated to expire on a day works until the end of that day on the firm's clock.
        expires = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time())) if day else None
        _token, secret = token_create(
            membership=request.membership,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=expires,
        )
        form = TokenForm(firm=request.firm)
    tokens = AccessToken.objects.filter(membership=request.membership)
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "secret": secret, "now": timezone.now()})


@require_POST
@member_required
def token_revoke(request, pk: int):
    if revoke(membership=request.membership, pk=pk):
        messages.success(request, _("Token revoked: it no longer works."))
    else:
        messages.info(request, _("That token was already revoked."))
    return redirect("api_tokens")
