"""Alerts (issue 12 §3): a client crossing into trouble between two stored scores, and the digest
e-mail that tells owners and partners about them.

- :func:`record_alerts` compares the rows :func:`parting.scores.services.snapshot_firm` is storing
  with the firm's previous scored day (two queries), and inserts every crossing with one bulk insert
  that skips crossings already recorded (a unique constraint per client, kind, subject and day), so
  two workers storing the same day record each crossing once.
- :func:`send_digests` is the worker's job: after ``PARTING_ALERT_DIGEST_HOUR`` on the firm's clock,
  each owner and partner whose choice is daily gets the alerts of the firm's previous day, and on
  Mondays each whose choice is weekly gets those of the previous week (Monday to Sunday). A
  :class:`~parting.scores.models.Digest` row claims the member's period before the e-mail is sent
  (one INSERT that only one worker wins) and is deleted if sending fails, so the period is retried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.clients.models import Client
from parting.firms.models import Firm, Membership
from parting.signs.catalogue import BY_ID
from parting.signs.scoring import dealbreaker_text
from parting.webhooks.services import alerts_emit

from .models import Alert, AlertSettings, Digest, Snapshot

log = logging.getLogger("parting.scores")

# The hour of the firm's day from which the digest of the day (or week) before is sent.
DIGEST_HOUR = getattr(settings, "PARTING_ALERT_DIGEST_HOUR", 7)
# A claim without a sending this old belongs to a worker that died while sending: it may be taken again.
DIGEST_LEASE = dt.timedelta(minutes=15)
SENIOR_ROLES = (Membership.Role.OWNER, Membership.Role.PARTNER)
# A digest lists at most this many alerts and counts the rest: a policy change that turns a sign poor
# for every client makes one readable e-mail, not a thousand lines.
DIGEST_MAX_ITEMS = 100


# -- recording -----------------------------------------------------------------------------------


def rule_key(rule: dict) -> str:
    """A short, stable name for a dealbreaker rule: the same rule, the same key, whatever its order."""
    return hashlib.sha256(json.dumps(rule, sort_keys=True).encode()).hexdigest()[:16]


def _poor_signs(signs: dict) -> set[str]:
    return {sign_id for sign_id, stored in (signs or {}).items() if len(stored) > 1 and stored[1] == "poor"}


def _breakers(dealbreakers: list) -> dict[str, dict]:
    return {rule_key(item.get("rule") or {}): item for item in dealbreakers or []}


def crossings(previous: dict[int, tuple], rows: Iterable[Snapshot], *, firm_id: int, now) -> list[Alert]:
    """What crossed between ``previous`` (client id → (advice, signs, dealbreakers) of the previous
    scored day) and the new ``rows``. A client with no previous score has crossed nothing: its first
    score is not news, and a firm's first scoring would otherwise alert about every client."""
    alerts = []
    for row in rows:
        if row.client_id not in previous:
            continue
        advice, signs, dealbreakers = previous[row.client_id]
        common = {"firm_id": firm_id, "client_id": row.client_id, "day": row.day, "created_at": now}
        for sign_id in sorted(_poor_signs(row.signs) - _poor_signs(signs)):
            value = row.signs[sign_id][0]
            alerts.append(Alert(kind=Alert.Kind.POOR_SIGN, subject=sign_id, detail={"value": value}, **common))
        before = _breakers(dealbreakers)
        for key, item in sorted(_breakers(row.dealbreakers).items()):
            if key not in before:
                detail = {"rule": item.get("rule") or {}, "n": item.get("n"), "text": item.get("text", "")}
                alerts.append(Alert(kind=Alert.Kind.DEALBREAKER, subject=key, detail=detail, **common))
        if row.advice == "consider_parting" and advice != "consider_parting":
            detail = {"score": row.score, "before": advice}
            alerts.append(Alert(kind=Alert.Kind.CONSIDER_PARTING, subject="", detail=detail, **common))
    return alerts


def previous_scores(firm: Firm, day: dt.date) -> dict[int, tuple]:
    """Each client's score on the firm's last day scored before ``day`` at the time (back-filled
    month-ends are estimates made later, not what anyone was told): two queries."""
    earlier = Snapshot.objects.filter(firm=firm, day__lt=day, backfilled=False)
    last = earlier.aggregate(day=Max("day"))["day"]
    if last is None:
        return {}
    rows = earlier.filter(day=last).values_list("client_id", "advice", "signs", "dealbreakers")
    return {client_id: (advice, signs, breakers) for client_id, advice, signs, breakers in rows}


def record_alerts(firm: Firm, day: dt.date, rows: list[Snapshot], previous: dict[int, tuple], *, now) -> int:
    """Store the crossings of ``rows`` against ``previous`` (see :func:`previous_scores`), former
    clients left out. One bulk insert; a crossing already recorded that day is skipped, so a second
    re-score of the day, or another worker's, adds nothing. Returns the number of crossings found."""
    if not previous:
        return 0
    former = set(Client.objects.filter(firm=firm, status=Client.Status.FORMER).values_list("pk", flat=True))
    found = crossings(previous, (r for r in rows if r.client_id not in former), firm_id=firm.pk, now=now)
    if found:
        Alert.objects.bulk_create(found, ignore_conflicts=True)
        alerts_emit(firm, found)  # issue 15 §3: client.poor, client.consider_parting (keyed: queued once)
    return len(found)


# -- reading -------------------------------------------------------------------------------------


def describe(alert: Alert) -> str:
    """What crossed, in the active language."""
    if alert.kind == Alert.Kind.POOR_SIGN:
        sign = BY_ID.get(alert.subject)
        title = str(sign.title) if sign else alert.subject
        # Translators: a warning sign's id (W7) and title turned poor on the client's stored score.
        return _("%(sign)s %(title)s is now poor") % {"sign": alert.subject, "title": title}
    if alert.kind == Alert.Kind.DEALBREAKER:
        text = dealbreaker_text(alert.detail.get("rule") or {}, alert.detail.get("n")) or alert.detail.get("text", "")
        return _("Dealbreaker: %(text)s") % {"text": text}
    score = alert.detail.get("score")
    if score is None:
        return _("The advice is now “Consider parting”")
    # Translators: the advice on a client changed; %(score)d is the fit score (0–100).
    return _("The advice is now “Consider parting” (fit score %(score)d)") % {"score": score}


def settings_of(membership: Membership) -> AlertSettings:
    found, _created = AlertSettings.objects.get_or_create(membership=membership)
    return found


def recent(firm: Firm, *, limit: int = 20) -> list[Alert]:
    """The firm's newest alerts, each with its client's name: one query."""
    return list(Alert.objects.filter(firm=firm).select_related("client").order_by("-day", "-id")[:limit])


def mark_seen(membership: Membership, up_to: int) -> None:
    """Mark the member's alerts up to ``up_to`` (an alert id) as seen: never past the newest alert of
    their own firm, and never back (one conditional UPDATE, so a slower click cannot undo a newer)."""
    newest = Alert.objects.filter(firm_id=membership.firm_id, id__lte=up_to).aggregate(n=Max("id"))["n"]
    if newest is None:
        return
    settings_of(membership)
    AlertSettings.objects.filter(membership=membership, seen_up_to__lt=newest).update(seen_up_to=newest)


# -- digests -------------------------------------------------------------------------------------


def base_url() -> str:
    return settings.PARTING_BASE_URL.rstrip("/")


def due_periods(firm: Firm, now: dt.datetime) -> dict[str, tuple[dt.date, dt.date]]:
    """The digests of the firm that may be sent at ``now``: frequency → (first day, last day), on the
    firm's clock. None before ``DIGEST_HOUR``; the day before every day; the week before on Mondays."""
    local = now.astimezone(zoneinfo.ZoneInfo(firm.time_zone))
    if local.hour < DIGEST_HOUR:
        return {}
    today = local.date()
    yesterday = today - dt.timedelta(days=1)
    periods = {AlertSettings.Frequency.DAILY: (yesterday, yesterday)}
    if today.weekday() == 0:
        periods[AlertSettings.Frequency.WEEKLY] = (today - dt.timedelta(days=7), yesterday)
    return periods


def _claim(membership: Membership, frequency: str, start: dt.date, now: dt.datetime) -> Digest | None:
    """Take the member's period: an INSERT only one worker wins, or a claim left by a dead worker."""
    try:
        with transaction.atomic():
            return Digest.objects.create(membership=membership, frequency=frequency, period_start=start, claimed_at=now)
    except IntegrityError:
        pass
    stale = Digest.objects.filter(
        membership=membership,
        frequency=frequency,
        period_start=start,
        sent_at__isnull=True,
        claimed_at__lt=now - DIGEST_LEASE,
    )
    row = stale.first()
    if row is None or not stale.filter(pk=row.pk, claimed_at=row.claimed_at).update(claimed_at=now):
        return None
    row.claimed_at = now
    return row


def render_digest(membership: Membership, alerts: list[Alert], start: dt.date, end: dt.date) -> EmailMultiAlternatives:
    """The digest e-mail in the member's language: the subject, a plain-text body, and HTML."""
    with translation.override(membership.language):
        items = [
            {
                "alert": alert,
                "client": alert.client.name,
                "text": describe(alert),
                "url": base_url() + reverse("client_detail", args=[alert.client_id]),
            }
            for alert in alerts[:DIGEST_MAX_ITEMS]
        ]
        context = {
            "more": len(alerts) - len(items),
            "firm": membership.firm,
            "member": membership.user,
            "items": items,
            "start": start,
            "end": end,
            "language": membership.language,
            "bidi": translation.get_language_bidi(),
            "dashboard_url": base_url() + reverse("dashboard"),
            "account_url": base_url() + reverse("account"),
        }
        # Translators: subject of the alert digest e-mail; %(firm)s is the firm's name.
        subject = ngettext(
            "%(count)d client alert at %(firm)s",
            "%(count)d client alerts at %(firm)s",
            len(alerts),
        ) % {"count": len(alerts), "firm": membership.firm.name}
        text = render_to_string("parting/email/alert_digest.txt", context)
        html = render_to_string("parting/email/alert_digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " "),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[membership.user.email],
        headers={"Content-Language": membership.language},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_digests(*, now: dt.datetime | None = None) -> str:
    """The worker's job: every due digest with at least one alert, once per member and period.

    Per firm: one query for its alerts of the due periods, one for its owners and partners with their
    choice. A member whose period has no alert gets nothing; staff never get a digest.
    """
    now = now or timezone.now()
    sent = failed = 0
    for firm in Firm.objects.all():
        periods = due_periods(firm, now)
        if not periods:
            continue
        first = min(start for start, _end in periods.values())
        last = max(end for _start, end in periods.values())
        alerts = list(
            Alert.objects.filter(firm=firm, day__gte=first, day__lte=last)
            .select_related("client")
            .order_by("day", "client__name", "id")
        )
        if not alerts:
            continue
        members = (
            Membership.objects.filter(firm=firm, role__in=SENIOR_ROLES, is_active=True, user__is_active=True)
            .exclude(user__email="")
            .filter(
                Q(alert_settings__isnull=True) | Q(alert_settings__frequency__in=list(periods)),
            )
            .select_related("user", "firm", "alert_settings")
        )
        for membership in members:
            settings_row = getattr(membership, "alert_settings", None)
            frequency = settings_row.frequency if settings_row else AlertSettings.Frequency.DAILY
            if frequency not in periods:
                continue
            start, end = periods[frequency]
            own = [a for a in alerts if start <= a.day <= end]
            if not own:
                continue
            claim = _claim(membership, frequency, start, now)
            if claim is None:
                continue  # another worker sends it, or it was sent
            try:
                render_digest(membership, own, start, end).send()
            except Exception:
                Digest.objects.filter(pk=claim.pk, sent_at__isnull=True).delete()  # retried next pass
                log.exception("alert digest for membership %s failed", membership.pk)
                failed += 1
                continue
            Digest.objects.filter(pk=claim.pk).update(sent_at=now, alerts=len(own))
            sent += 1
    report = f"{sent} alert digests sent"
    return f"{report}, {failed} failed" if failed else report
