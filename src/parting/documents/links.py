"""The link that shares a handover bundle with the client, no account needed (issue 13 §2, O4).

Why signed and not a random token stored hashed: the letter and the checklist print the link again
whenever they are written (the letter can be regenerated weeks later), so it must be reproducible from
the row; a token kept only as a hash could be shown once. The link carries the bundle's id and a random
``link_nonce``, signed with the secret key under a salt of its own (``django.core.signing``): an altered
link fails the signature. What decides whether it opens is the row, read at every request: the bundle
is ready, the nonce is still the bundle's (a new link draws a new one, so an older link stays refused),
the link was not revoked and ``link_expires_at`` (``BUNDLE_LINK_DAYS`` after it was made) has not
passed. Every download is counted on the row (``F() + 1``) and logged as ``bundle.downloaded`` with the
bundle's id and the count only: nothing about who downloaded it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from parting.audit.services import audit_record

from .bundle import bundle_require_manager
from .models import Bundle

SALT = "parting.documents.bundle-link"


class Refusal:
    INVALID = "invalid"  # altered, unknown, or a bundle that is gone
    REVOKED = "revoked"  # revoked, or replaced by a newer link
    EXPIRED = "expired"
    NOT_READY = "not_ready"


@dataclass(frozen=True)
class Opened:
    bundle: Bundle | None
    refusal: str = ""


def bundle_token(bundle: Bundle) -> str:
    return signing.Signer(salt=SALT).sign_object({"b": bundle.pk, "n": bundle.link_nonce})


def bundle_link_path(bundle: Bundle) -> str:
    return reverse("bundle_link", args=[bundle_token(bundle)])


def bundle_link_url(bundle: Bundle) -> str:
    """The link as the client gets it, absolute: ``PARTING_BASE_URL`` (the address Parting is reached
    at) and the path, the same in the letter (written without a request) and on the case page."""
    return settings.PARTING_BASE_URL + bundle_link_path(bundle)


def bundle_open(token: str, *, now: dt.datetime | None = None) -> Opened:
    """The bundle ``token`` opens, or why it does not."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
        pk, nonce = int(payload["b"]), str(payload["n"])
    except (signing.BadSignature, TypeError, KeyError, ValueError):
        return Opened(None, Refusal.INVALID)
    bundle = Bundle.objects.select_related("firm", "client").filter(pk=pk).first()
    if bundle is None or not nonce:
        return Opened(None, Refusal.INVALID)
    if bundle.status != Bundle.Status.READY:
        return Opened(bundle, Refusal.NOT_READY)
    if bundle.link_revoked_at is not None or not secrets.compare_digest(nonce, bundle.link_nonce):
        return Opened(bundle, Refusal.REVOKED)
    if bundle.link_expires_at is None or (now or timezone.now()) >= bundle.link_expires_at:
        return Opened(bundle, Refusal.EXPIRED)
    return Opened(bundle)


def bundle_downloaded(*, bundle: Bundle) -> int:
    """Count and log one download; returns the count. No personal data: no address, no browser."""
    with transaction.atomic():
        Bundle.objects.filter(pk=bundle.pk).update(downloads=F("downloads") + 1, last_downloaded_at=timezone.now())
        count = Bundle.objects.filter(pk=bundle.pk).values_list("downloads", flat=True).get()
        audit_record(
            firm=bundle.firm,
            actor=None,
            action="bundle.downloaded",
            target=f"client:{bundle.client_id}",
            data={"bundle": bundle.pk, "download": count},
        )
    return count


def bundle_link_revoke(*, bundle: Bundle, by) -> bool:
    """Refuse the link from now on; False if it was already revoked (recorded once)."""
    bundle_require_manager(by, bundle.client, bundle.case)
    with transaction.atomic():
        done = (
            Bundle.objects.filter(pk=bundle.pk, firm_id=bundle.firm_id, link_revoked_at__isnull=True).update(
                link_revoked_at=timezone.now()
            )
            == 1
        )
        if done:
            audit_record(
                firm=bundle.firm,
                actor=by,
                action="bundle.link_revoked",
                target=f"client:{bundle.client_id}",
                data={"bundle": bundle.pk},
            )
    return done


def bundle_link_renew(*, bundle: Bundle, by) -> Bundle:
    """A new link for a ready bundle, open for ``BUNDLE_LINK_DAYS`` from now; every earlier link of it
    is refused from now on (the nonce changes). A bundle that is not ready is left as it is."""
    bundle_require_manager(by, bundle.client, bundle.case)
    now = timezone.now()
    with transaction.atomic():
        renewed = Bundle.objects.filter(pk=bundle.pk, firm_id=bundle.firm_id, status=Bundle.Status.READY).update(
            link_nonce=secrets.token_urlsafe(16),
            link_expires_at=now + dt.timedelta(days=settings.BUNDLE_LINK_DAYS),
            link_revoked_at=None,
        )
        if renewed:
            audit_record(
                firm=bundle.firm,
                actor=by,
                action="bundle.link_renewed",
                target=f"client:{bundle.client_id}",
                data={"bundle": bundle.pk},
            )
    bundle.refresh_from_db()
    return bundle
