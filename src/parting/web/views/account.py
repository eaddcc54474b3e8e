from __future__ import annotations

from django import forms
from django.conf import settings
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from parting.firms.access import member_required


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


@require_POST
@member_required
def language_set(request):
    """Each member's language is theirs, kept on the membership, not in a cookie."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        request.membership.language = form.cleaned_data["language"]
        request.membership.save(update_fields=["language"])
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "dashboard"
    return redirect(target)
