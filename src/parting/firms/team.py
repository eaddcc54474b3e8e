"""The firm's team, managed in the app (issue 15 §1): invitations, roles, deactivation.

An invitation is a row plus a signed link (``django.core.signing``) carrying the row's id and a random
nonce: a link someone edited fails the signature, a link to a row that has expired, was used or was
revoked is refused by the row. Accepting claims the row with a conditional UPDATE
(``accepted_at IS NULL AND expires_at > now``), so two clicks on one link cannot both join.

Role changes and deactivation run under the firm's lock (its row, FOR NO KEY UPDATE, the lock the
audit chain takes anyway) and re-read the firm's active owners inside it: two owners demoting each
other at the same moment take turns, and the second finds they are now the last owner. Every change
is in the audit log. Nothing here trusts an id from a request beyond the acting member's firm: a
membership of another firm is a 404.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parting.audit.services import audit_record

from .models import Firm, Invitation, Membership

Role = Membership.Role
SALT = "parting.firms.invitation"

INVITED = "member.invited"
JOINED = "member.joined"
ROLE_CHANGED = "member.role_changed"
DEACTIVATED = "member.deactivated"
REACTIVATED = "member.reactivated"
INVITATION_REVOKED = "member.invitation_revoked"
INVITATION_RESENT = "member.invitation_resent"


class TeamError(ValidationError):
    """A team change the rules refuse; the message says which rule and why."""


class InvitationRefused(Exception):
    """An invitation link that cannot be used: ``reason`` is "altered", "expired", "used" or "revoked"."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def _lock_firm(firm_id: int) -> None:
    list(Firm.objects.select_for_update(no_key=True).filter(pk=firm_id).values_list("pk", flat=True))


def _require_owner(by: Membership) -> None:
    if by.role != Role.OWNER or not by.is_active:
        raise TeamError(_("Only the firm's owners can manage its members."))


def _member_of_firm(*, firm_id: int, membership_id: int, lock: bool = False) -> Membership:
    rows = Membership.objects.select_related("user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    membership = rows.filter(pk=membership_id, firm_id=firm_id).first()
    if membership is None:
        raise Http404(_("No such member in this firm."))
    return membership


def _active_owner_ids(firm_id: int) -> set[int]:
    return set(Membership.objects.filter(firm_id=firm_id, role=Role.OWNER, is_active=True).values_list("pk", flat=True))


def _target(membership: Membership) -> str:
    return f"membership:{membership.pk}"


# -- invitations ----------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"id": invitation.pk, "nonce": invitation.nonce}, salt=SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    """The absolute link the e-mail carries (PARTING_BASE_URL: the address members open)."""
    return settings.PARTING_BASE_URL.rstrip("/") + reverse("invite_accept", args=[invitation_token(invitation)])


@dataclass(frozen=True)
class Sent:
    invitation: Invitation
    url: str


def _invitation_new(*, by: Membership, email: str, role: str, language: str, now: dt.datetime) -> Invitation:
    """A new invitation row of ``by``'s firm: a fresh nonce, expiring PARTING_INVITE_DAYS from ``now``."""
    return Invitation.objects.create(
        firm_id=by.firm_id,
        email=email,
        role=role,
        language=language,
        nonce=secrets.token_urlsafe(32),
        invited_by=by.user,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.PARTING_INVITE_DAYS),
    )


def invitation_create(*, by: Membership, email: str, role: str, language: str) -> Sent:
    """Invite ``email`` to ``by``'s firm with ``role``; the e-mail goes out in ``language`` once the
    row is committed. Only owners invite; a person who is already an active member is not invited."""
    _require_owner(by)
    email = get_user_model().objects.normalize_email(email.strip())
    if role not in Role.values:
        raise TeamError(_("%(role)s is not a role: choose owner, partner or staff.") % {"role": role})
    if language not in dict(settings.LANGUAGES):
        raise TeamError(_("%(language)s is not a language Parting speaks.") % {"language": language})
    if Membership.objects.filter(firm_id=by.firm_id, user__email__iexact=email, is_active=True).exists():
        raise TeamError(_("%(email)s is already a member of this firm.") % {"email": email})
    now = timezone.now()
    with transaction.atomic():
        invitation = _invitation_new(by=by, email=email, role=role, language=language, now=now)
        audit_record(
            firm=by.firm,
            actor=by.user,
            action=INVITED,
            target=f"invitation:{invitation.pk}",
            data={"role": role, "language": language, "expires_at": invitation.expires_at.isoformat()},
        )
    url = invitation_url(invitation)
    invitation_message(invitation, url=url).send()
    return Sent(invitation=invitation, url=url)


def _pending(*, firm_id: int, invitation_id: int) -> Invitation:
    """A pending invitation of the firm; another firm's, or one already answered, is a 404."""
    found = (
        Invitation.objects.select_related("firm")
        .filter(pk=invitation_id, firm_id=firm_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if found is None:
        raise Http404("no such invitation")
    return found


def invitation_revoke(*, by: Membership, invitation_id: int) -> Invitation:
    """Withdraw an invitation not yet accepted: its link stops working at once. A conditional UPDATE
    (not accepted, not revoked), so an acceptance at the same moment and a revocation cannot both
    win; the loser is told, and an accepted invitation is left as it is."""
    _require_owner(by)
    invitation = _pending(firm_id=by.firm_id, invitation_id=invitation_id)
    with transaction.atomic():
        now = timezone.now()
        done = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if not done:
            raise TeamError(_("This invitation was answered a moment ago: nothing to withdraw."))
        audit_record(
            firm=by.firm, actor=by.user, action=INVITATION_REVOKED, target=f"invitation:{invitation.pk}", data={}
        )
    invitation.revoked_at = now
    return invitation


def invitation_resend(*, by: Membership, invitation_id: int) -> Sent:
    """Send a pending invitation again, with a new link and a new expiry; the old link stops working
    (revoked in the same transaction as the new row is made)."""
    _require_owner(by)
    old = _pending(firm_id=by.firm_id, invitation_id=invitation_id)
    now = timezone.now()
    with transaction.atomic():
        done = Invitation.objects.filter(pk=old.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if not done:
            raise TeamError(_("This invitation was answered a moment ago: nothing to send again."))
        invitation = _invitation_new(by=by, email=old.email, role=old.role, language=old.language, now=now)
        audit_record(
            firm=by.firm,
            actor=by.user,
            action=INVITATION_RESENT,
            target=f"invitation:{invitation.pk}",
            data={"replaces": old.pk, "expires_at": invitation.expires_at.isoformat()},
        )
    url = invitation_url(invitation)
    invitation_message(invitation, url=url).send()
    return Sent(invitation=invitation, url=url)


def invitation_message(invitation: Invitation, *, url: str) -> EmailMultiAlternatives:
    """The invitation e-mail, in the language the owner chose for the invitee."""
    with translation.override(invitation.language):
        inviter = invitation.invited_by
        context = {
            "firm": invitation.firm,
            "inviter": (inviter.get_full_name() or inviter.username) if inviter else "",
            "role": invitation.get_role_display(),
            "url": url,
            "days": settings.PARTING_INVITE_DAYS,
            "expires_at": invitation.expires_at,
        }
        # Translators: subject of the e-mail inviting someone to a firm; %(firm)s is the firm's name.
        subject = _("You are invited to join %(firm)s on Parting") % {"firm": invitation.firm.name}
        text = render_to_string("parting/invite_email.txt", context)
    return EmailMultiAlternatives(
        subject=subject.replace("\n", " "),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={"Content-Language": invitation.language},
    )


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names, if it can still be accepted; else ``InvitationRefused``."""
    try:
        payload = signing.loads(token, salt=SALT)
        invitation_id, nonce = int(payload["id"]), str(payload["nonce"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationRefused("altered") from None
    invitation = Invitation.objects.select_related("firm", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise InvitationRefused("altered")
    if invitation.accepted_at is not None:
        raise InvitationRefused("used", invitation)
    if invitation.revoked_at is not None:
        raise InvitationRefused("revoked", invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationRefused("expired", invitation)
    return invitation


def invitation_accept(*, token: str, user) -> Membership:
    """Join the invitation's firm as ``user``: an existing account (signed in, same e-mail) or a new
    one the invitee just set up (unsaved; saved here, in the same transaction as the claim).

    The claim is a conditional UPDATE: only the first of two simultaneous acceptances matches
    ``accepted_at IS NULL``; the other gets ``InvitationRefused("used")`` and writes nothing."""
    invitation = invitation_from_token(token)
    if user.pk is not None and (user.email or "").casefold() != invitation.email.casefold():
        raise TeamError(
            _("This invitation is for %(email)s: sign in with that account to accept it.") % {"email": invitation.email}
        )
    with transaction.atomic():
        now = timezone.now()
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(accepted_at=now)
        if claimed != 1:
            fresh = Invitation.objects.get(pk=invitation.pk)
            reason = "used" if fresh.accepted_at else "revoked" if fresh.revoked_at else "expired"
            raise InvitationRefused(reason, fresh)
        if user.pk is None:
            user.email = invitation.email
            user.save()
        Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
        membership = Membership.objects.filter(user=user, firm_id=invitation.firm_id).first()
        if membership is not None and membership.is_active:
            raise TeamError(_("You are already a member of %(firm)s.") % {"firm": invitation.firm.name})
        if membership is not None:
            # A former member invited back: the invitation's role and language, and active again.
            membership.role, membership.language, membership.is_active = invitation.role, invitation.language, True
            membership.save(update_fields=["role", "language", "is_active"])
        else:
            membership = Membership.objects.create(
                user=user, firm_id=invitation.firm_id, role=invitation.role, language=invitation.language
            )
        audit_record(
            firm=invitation.firm,
            actor=user,
            action=JOINED,
            target=_target(membership),
            data={"invitation": invitation.pk, "role": membership.role},
        )
    return membership


# -- roles and deactivation -------------------------------------------------------------------------


def member_role_change(*, by: Membership, membership_id: int, role: str) -> Membership:
    """Give a member of ``by``'s firm another role. The last active owner keeps the role: a firm
    always has someone who can manage it."""
    if role not in Role.values:
        raise TeamError(_("%(role)s is not a role: choose owner, partner or staff.") % {"role": role})
    with transaction.atomic():
        _lock_firm(by.firm_id)
        _require_owner(Membership.objects.get(pk=by.pk))  # re-read: a demoted owner cannot act
        membership = _member_of_firm(firm_id=by.firm_id, membership_id=membership_id, lock=True)
        if membership.role == role:
            return membership
        if membership.role == Role.OWNER and _active_owner_ids(by.firm_id) == {membership.pk}:
            raise TeamError(
                _("%(name)s is the firm's last owner: make someone else an owner first.") % _named(membership)
            )
        previous = membership.role
        Membership.objects.filter(pk=membership.pk).update(role=role)
        membership.role = role
        audit_record(
            firm=by.firm,
            actor=by.user,
            action=ROLE_CHANGED,
            target=_target(membership),
            data={"from": previous, "to": role},
        )
    return membership


def member_deactivate(*, by: Membership, membership_id: int) -> Membership:
    """Take a member out of the firm (their history stays); the last active owner cannot be."""
    with transaction.atomic():
        _lock_firm(by.firm_id)
        _require_owner(Membership.objects.get(pk=by.pk))
        membership = _member_of_firm(firm_id=by.firm_id, membership_id=membership_id, lock=True)
        if not membership.is_active:
            return membership
        if membership.role == Role.OWNER and _active_owner_ids(by.firm_id) == {membership.pk}:
            raise TeamError(
                _("%(name)s is the firm's last owner and cannot be deactivated: make someone else an owner first.")
                % _named(membership)
            )
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
        membership.is_active = False
        audit_record(firm=by.firm, actor=by.user, action=DEACTIVATED, target=_target(membership), data={})
    return membership


def member_reactivate(*, by: Membership, membership_id: int) -> Membership:
    """Let a deactivated member use the firm again, with the role they had."""
    with transaction.atomic():
        _lock_firm(by.firm_id)
        _require_owner(Membership.objects.get(pk=by.pk))
        membership = _member_of_firm(firm_id=by.firm_id, membership_id=membership_id, lock=True)
        if membership.is_active:
            return membership
        Membership.objects.filter(pk=membership.pk).update(is_active=True)
        membership.is_active = True
        audit_record(
            firm=by.firm, actor=by.user, action=REACTIVATED, target=_target(membership), data={"role": membership.role}
        )
    return membership


def _named(membership: Membership) -> dict:
    return {"name": membership.user.get_full_name() or membership.user.username}


# -- reads ------------------------------------------------------------------------------------------


def active_memberships(user):
    """The firms a person can work in, oldest membership first (the default firm is the first)."""
    return Membership.objects.select_related("firm").filter(user=user, is_active=True).order_by("pk")


def pending_invitations(*, firm: Firm):
    return Invitation.objects.filter(
        firm=firm, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
