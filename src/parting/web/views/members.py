"""The firm's team in the app (issue 15 §1): the members page (owners manage, partners and staff read),
the invitation link an invitee opens without an account, and the firm switcher of the top bar.
The rules live in ``parting.firms.team``; these views only call it and say what happened."""

from __future__ import annotations

import smtplib

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parting.firms import team
from parting.firms.access import member_required
from parting.firms.forms import FirmSwitchForm, InvitationForm, RoleForm
from parting.firms.middleware import SESSION_FIRM
from parting.firms.models import Membership

from .account import safe_local_url


def _is_owner(request) -> bool:
    return request.membership.role == Membership.Role.OWNER


def _members_page(request, *, invite_form=None, status=200):
    members = (
        Membership.objects.filter(firm=request.firm).select_related("user").order_by("-is_active", "user__username")
    )
    context = {
        "members": members,
        "manages": _is_owner(request),
        "invite_form": invite_form or InvitationForm(initial={"language": request.membership.language}),
        "invitations": team.pending_invitations(firm=request.firm).select_related("invited_by"),
        "roles": Membership.Role.choices,
    }
    return render(request, "parting/members.html", context, status=status)


@member_required
def members(request):
    """Everyone in the firm sees who is in it; only owners see the controls."""
    return _members_page(request)


@require_POST
@member_required
def member_invite(request):
    if not _is_owner(request):
        messages.error(request, _("Only the firm's owners can manage its members."))
        return redirect("members")
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _members_page(request, invite_form=form, status=400)
    try:
        sent = team.invitation_create(by=request.membership, **form.cleaned_data)
    except team.TeamError as error:
        form.add_error("email", error.messages[0])
        return _members_page(request, invite_form=form, status=400)
    except (smtplib.SMTPException, OSError):
        messages.error(
            request,
            _("The invitation is saved, but the e-mail to %(email)s could not be sent: check the mail settings.")
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("members")
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": sent.invitation.email})
    return redirect("members")


def _member_change(request, pk: int, change):
    if not _is_owner(request):
        messages.error(request, _("Only the firm's owners can manage its members."))
        return redirect("members")
    try:
        membership = change(pk)
    except team.TeamError as error:
        messages.error(request, error.messages[0])
    else:
        name = membership.user.get_full_name() or membership.user.username
        messages.success(request, _("%(name)s: saved.") % {"name": name})
    return redirect("members")


@require_POST
@member_required
def member_role(request, pk: int):
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role: owner, partner or staff."))
        return redirect("members")
    return _member_change(
        request, pk, lambda pk: team.member_role_change(by=request.membership, membership_id=pk, **form.cleaned_data)
    )


@require_POST
@member_required
def member_deactivate(request, pk: int):
    return _member_change(request, pk, lambda pk: team.member_deactivate(by=request.membership, membership_id=pk))


@require_POST
@member_required
def member_reactivate(request, pk: int):
    return _member_change(request, pk, lambda pk: team.member_reactivate(by=request.membership, membership_id=pk))


def _invitation_change(request, pk: int, change, done: str):
    if not _is_owner(request):
        messages.error(request, _("Only the firm's owners can manage its members."))
        return redirect("members")
    try:
        invitation = change(pk)
    except team.TeamError as error:
        messages.error(request, error.messages[0])
    except (smtplib.SMTPException, OSError):
        messages.error(
            request, _("The new invitation is saved, but its e-mail could not be sent: check the mail settings.")
        )
    else:
        messages.success(request, done % {"email": invitation.email})
    return redirect("members")


@require_POST
@member_required
def invitation_revoke(request, pk: int):
    return _invitation_change(
        request,
        pk,
        lambda pk: team.invitation_revoke(by=request.membership, invitation_id=pk),
        _("The invitation to %(email)s is withdrawn: its link no longer works."),
    )


@require_POST
@member_required
def invitation_resend(request, pk: int):
    return _invitation_change(
        request,
        pk,
        lambda pk: team.invitation_resend(by=request.membership, invitation_id=pk).invitation,
        _("Invitation sent again to %(email)s, with a new link; the old one no longer works."),
    )


@require_POST
@member_required
def firm_switch(request):
    """Work in another of the person's firms; only a firm they are an active member of is kept."""
    form = FirmSwitchForm(request.POST)
    if form.is_valid() and team.active_memberships(request.user).filter(firm_id=form.cleaned_data["firm"]).exists():
        request.session[SESSION_FIRM] = form.cleaned_data["firm"]
    else:
        messages.error(request, _("You are not a member of that firm."))
    # Back to the dashboard, not the page the switch came from: that page may show the other firm's row.
    return redirect("dashboard")


class InviteeForm(UserCreationForm):
    """The invitee chooses a user name and a password (Django's password validators judge it)."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "first_name", "last_name")


REFUSED = {
    "altered": lambda: _("This invitation link is not valid: it may have been copied incompletely."),
    "expired": lambda: _("This invitation has expired. Ask the firm's owner to invite you again."),
    "used": lambda: _("This invitation has already been used. Log in, or ask the firm's owner for a new one."),
    "revoked": lambda: _("This invitation was withdrawn by the firm. Ask its owner if you think this is a mistake."),
}


def _refused(request, reason: str):
    return render(
        request,
        "parting/invite_refused.html",
        {"message": REFUSED[reason]()},
        status=410 if reason != "altered" else 404,
    )


def invite_accept(request, token: str):
    """The invitee's page (no login needed; the signed, single-use link is the key). Someone new sets
    a user name and password; someone who already has an account with that e-mail signs in and joins."""
    try:
        invitation = team.invitation_from_token(token)
    except team.InvitationRefused as refused:
        return _refused(request, refused.reason)
    has_account = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    signed_in = request.user.is_authenticated
    form = None
    if not signed_in and not has_account:
        form = InviteeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        user = (
            request.user if signed_in else (form.save(commit=False) if form is not None and form.is_valid() else None)
        )
        if user is not None:
            try:
                membership = team.invitation_accept(token=token, user=user)
            except team.InvitationRefused as refused:
                return _refused(request, refused.reason)
            except team.TeamError as error:
                messages.error(request, error.messages[0])
            except IntegrityError:
                form.add_error("username", _("A user with that user name already exists."))
            else:
                if signed_in:
                    request.session[SESSION_FIRM] = membership.firm_id
                    messages.success(request, _("You joined %(firm)s.") % {"firm": membership.firm.name})
                    return redirect("dashboard")
                messages.success(request, _("Your account is ready: log in with the user name and password you chose."))
                return redirect(reverse("login") + "?next=" + reverse("dashboard"))
    context = {
        "invitation": invitation,
        "form": form,
        "has_account": has_account,
        "wrong_account": signed_in and (request.user.email or "").casefold() != invitation.email.casefold(),
        "login_url": reverse("login") + "?next=" + (safe_local_url(request, request.path) or "/"),
    }
    return render(
        request, "parting/invite_accept.html", context, status=400 if form is not None and form.errors else 200
    )
