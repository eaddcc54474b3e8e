"""The worker runs due jobs once per period, even with several workers (compare-and-set claim)."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from parting.core.jobs import run_due_jobs
from parting.core.models import Job


def sessions(reports: list[str]) -> list[str]:
    """The sessions job's reports (other jobs, such as queued imports, run every few seconds)."""
    return [r for r in reports if r.startswith("clear_expired_sessions")]


def test_expired_sessions_are_cleared_and_the_job_is_not_rerun_before_it_is_due(db):
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="live", session_data="", expire_date=now + dt.timedelta(days=1))
    assert sessions(run_due_jobs(now)) == ["clear_expired_sessions: 1 expired sessions removed"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    # a second worker a moment later finds nothing due
    assert sessions(run_due_jobs(now + dt.timedelta(minutes=5))) == []
    assert Job.objects.get(name="clear_expired_sessions").due_at == now + dt.timedelta(hours=6)


def test_a_job_claimed_by_another_worker_is_skipped(db):
    now = timezone.now()
    run_due_jobs(now)
    job = Job.objects.get(name="clear_expired_sessions")
    stale_due = job.due_at
    Job.objects.filter(pk=job.pk).update(due_at=now)  # due again
    # Another worker claims it first: our compare-and-set on the old value must fail.
    assert Job.objects.filter(pk=job.pk, due_at=now).update(due_at=stale_due) == 1
    assert run_due_jobs(now) == []


def test_worker_command_once_runs_due_jobs_and_exits(db):
    import io

    from django.core.management import call_command

    Session.objects.create(session_key="old", session_data="", expire_date=timezone.now() - dt.timedelta(days=1))
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "clear_expired_sessions: 1 expired sessions removed" in out.getvalue()
    assert "queued import" not in out.getvalue()  # a job with nothing to do says so only with -v 2


def test_worker_command_says_what_idle_jobs_found_only_when_asked(db):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("worker", "--once", "-v", "2", stdout=out)
    assert "run_queued_imports: 0 queued import(s) run" in out.getvalue()
