"""Making, revoking and checking personal access tokens (issue 15 §2).

A token is ``prt_`` + 8 characters of prefix + 40 of secret, all from ``secrets``; only its SHA-256
is kept. A request's token is found by its prefix (an indexed lookup that reveals nothing) and then
compared by digest with ``hmac.compare_digest``, so the time a comparison takes says nothing about
how much of a guess was right. ``last_used_at`` is written at most once a minute, by a conditional
UPDATE, so a busy script does not turn every read into a write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import string

from django.db import transaction
from django.utils import timezone

from parting.audit.services import audit_record
from parting.firms.models import Membership

from .models import AccessToken

TOKEN_START = "prt_"  # noqa: S105 (the mark every token starts with, not a secret)
PREFIX_LENGTH = 8
SECRET_LENGTH = 40
ALPHABET = string.ascii_letters + string.digits
LAST_USED_EVERY = dt.timedelta(minutes=1)


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, membership: Membership, name: str, scope: str, expires_at: dt.datetime | None = None
) -> tuple[AccessToken, str]:
    """A new token for ``membership``; returns the row and the secret, which is never shown again."""
    if scope not in AccessToken.Scope.values:
        raise ValueError(f"token_create: scope {scope!r} is not one of {AccessToken.Scope.values}")
    prefix = _random(PREFIX_LENGTH)
    while AccessToken.objects.filter(prefix=prefix).exists():  # 62⁸ prefixes: a clash is a curiosity
        prefix = _random(PREFIX_LENGTH)
    secret = f"{TOKEN_START}{prefix}{_random(SECRET_LENGTH)}"
    token = AccessToken.objects.create(
        membership=membership, name=name.strip(), prefix=prefix, digest=_digest(secret), scope=scope,
        expires_at=expires_at,
    )  # fmt: skip
    audit_record(
        firm=membership.firm,
        actor=membership.user,
        action="api.token_created",
        target=f"token:{token.pk}",
        data={"scope": scope, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return token, secret


def token_revoke(*, membership: Membership, pk: int) -> bool:
    """Revoke the member's own token ``pk`` (conditional UPDATE: revoking twice records once).
    Returns False when there was nothing to revoke; another member's token is not found."""
    with transaction.atomic():
        done = AccessToken.objects.filter(pk=pk, membership=membership, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if done:
            audit_record(firm=membership.firm, actor=membership.user, action="api.token_revoked", target=f"token:{pk}")
    return bool(done)


def _membership_active(membership: Membership) -> bool:
    """A deactivated member's tokens stop working with them (a user switched off, or — once members
    are managed in the app — a membership marked inactive)."""
    return membership.user.is_active and getattr(membership, "is_active", True)


def token_authenticate(secret: str, *, now: dt.datetime | None = None) -> AccessToken | None:
    """The usable token ``secret`` names, with its membership, user and firm loaded; else None
    (unknown, revoked, expired, or its member deactivated)."""
    if not secret.startswith(TOKEN_START) or len(secret) != len(TOKEN_START) + PREFIX_LENGTH + SECRET_LENGTH:
        return None
    prefix = secret[len(TOKEN_START) : len(TOKEN_START) + PREFIX_LENGTH]
    token = AccessToken.objects.select_related("membership__user", "membership__firm").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = now or timezone.now()
    if not token.is_usable(now) or not _membership_active(token.membership):
        return None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY:
        # Conditional: of many requests in the same minute, one writes.
        stale = dict(last_used_at__isnull=True) if token.last_used_at is None else {"last_used_at": token.last_used_at}
        AccessToken.objects.filter(pk=token.pk, **stale).update(last_used_at=now)
    return token
