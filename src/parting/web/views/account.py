from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parting.firms.access import member_required
from parting.firms.models import Membership
from parting.scores.alerts import settings_of
from parting.scores.models import AlertSettings


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


def safe_local_url(request, target: str) -> str | None:
    """``target`` when it is a path on this site (``/…``) that is safe to redirect to, else None."""
    if not target.startswith("/") or target.startswith("//") or target.startswith("/\\"):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


@require_POST
@member_required
def language_set(request):
    """Each member's language is theirs, kept on the membership, not in a cookie."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        request.membership.language = form.cleaned_data["language"]
        request.membership.save(update_fields=["language"])
    target = safe_local_url(request, request.POST.get("next", ""))
    return redirect(target or "dashboard")


class AlertDigestForm(forms.ModelForm):
    class Meta:
        model = AlertSettings
        fields = ["frequency"]


@member_required
def account_page(request):
    """The member's own settings: how often the alert digest e-mail comes (owners and partners get
    one; issue 12 §3), with links to the language and password. The choice is the member's alone:
    the row is looked up by their own membership, never by an id from the request."""
    alert_settings = settings_of(request.membership)
    form = AlertDigestForm(instance=alert_settings)
    if request.method == "POST" and request.membership.is_senior:
        form = AlertDigestForm(request.POST, instance=alert_settings)
        if form.is_valid():
            AlertSettings.objects.filter(pk=alert_settings.pk).update(frequency=form.cleaned_data["frequency"])
            messages.success(request, _("Your alert digest choice is saved."))
            return redirect("account")
    context = {"form": form, "gets_digests": request.membership.is_senior, "has_email": bool(request.user.email)}
    return render(request, "parting/account.html", context)


class MemberPasswordResetForm(PasswordResetForm):
    """Django's reset form, writing each member's e-mail in the language they chose."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # A person in several firms has a language in each; the reset mail uses their first firm's.
        memberships = Membership.objects.filter(user=context["user"], is_active=True).order_by("pk")
        membership = memberships.only("language").first()
        language = membership.language if membership else translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


def account_locked(request, original_response=None, credentials=None):
    """The page a login refused by django-axes gets (AXES_LOCKOUT_CALLABLE): 429, never a 500."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "parting/account_locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
