"""Periodic jobs and the claim that makes running them safe with several workers.

A job row holds when it is next due. A worker claims it by moving ``due_at`` forward with a
conditional UPDATE (``WHERE due_at = <what I read>``): exactly one worker wins; the others see 0 rows
updated and move on. Jobs are idempotent, so a crash after the claim only delays the work.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import Job

log = logging.getLogger("parting.worker")


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    run: Callable[[], str]


def clear_expired_sessions() -> str:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} expired sessions removed"


def run_queued_imports() -> str:
    from parting.imports.worker import run_queued_imports as run

    return run(limit=1)


def clear_stale_uploads() -> str:
    from parting.imports.worker import clear_stale_uploads as clear

    return clear()


def rescore_firms() -> str:
    from parting.scores.services import run_due_rescores

    return run_due_rescores()


def build_queued_bundles() -> str:
    from parting.documents.bundle import run_queued_bundles

    return run_queued_bundles(limit=1)


def run_retention() -> str:
    from parting.retention.services import run_retention as run

    return run()


def deliver_webhooks() -> str:
    from parting.webhooks.delivery import run_webhooks

    return run_webhooks()


def send_alert_digests() -> str:
    from parting.scores.alerts import send_digests

    return send_digests()


JOBS: tuple[Periodic, ...] = (
    Periodic("clear_expired_sessions", dt.timedelta(hours=6), clear_expired_sessions),
    # Imports too large for a request (issue 10 §7): one per pass, claimed queued → running.
    Periodic("run_queued_imports", dt.timedelta(seconds=2), run_queued_imports),
    Periodic("clear_stale_uploads", dt.timedelta(hours=1), clear_stale_uploads),
    # Stored scores (issue 12): firms whose evidence or policy changed (debounced), and each firm once a
    # day; every firm is claimed by a conditional UPDATE of its score state, so no two workers score it.
    Periodic("rescore_firms", dt.timedelta(seconds=2), rescore_firms),
    # Alert digests (issue 12 §3): each member's period is claimed by a unique row before sending.
    Periodic("send_alert_digests", dt.timedelta(minutes=5), send_alert_digests),
    # Retention (issue 13 §3, O5): warn 7 days ahead, purge what is due (rows claimed, SKIP LOCKED on
    # PostgreSQL), retry stored files a purge could not remove yet.
    Periodic("run_retention", dt.timedelta(minutes=10), run_retention),
    # Handover bundles too large for a request (issue 13 §2): one per pass, claimed queued → building.
    Periodic("build_queued_bundles", dt.timedelta(seconds=5), build_queued_bundles),
    # Webhooks (issue 15 §3): due deliveries, each claimed by a conditional UPDATE (SKIP LOCKED on PostgreSQL).
    Periodic("deliver_webhooks", dt.timedelta(seconds=5), deliver_webhooks),
)


def run_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Run every job that is due and that this worker manages to claim; returns what each reported."""
    now = now or timezone.now()
    reports = []
    for job in JOBS:
        row, _ = Job.objects.get_or_create(name=job.name, defaults={"due_at": now})
        if row.due_at > now:
            continue
        claimed = Job.objects.filter(pk=row.pk, due_at=row.due_at).update(due_at=now + job.every) == 1
        if not claimed:
            continue  # another worker took it
        try:
            report = job.run()
            Job.objects.filter(pk=row.pk).update(last_run_at=now, last_error="")
            log.debug("%s: %s", job.name, report)
            reports.append(f"{job.name}: {report}")
        except Exception as error:  # a failing job must not stop the others; it is retried when next due
            log.exception("%s failed", job.name)
            Job.objects.filter(pk=row.pk).update(last_error=str(error)[:2000])
            reports.append(f"{job.name}: failed: {error}")
    return reports
