"""Writing stored scores: a whole firm in one pass, on request (debounced) and once a day (issue 12 §1, §3).

- :func:`request_rescore` marks a firm's scores out of date: one UPDATE, called where evidence, the
  policy or the firm's settings change (and after an import, which also asks for a back-fill).
- :func:`snapshot_firm` scores the firm once with the :class:`~parting.signs.scoring.Scorer` and
  writes every client's row with one bulk upsert on (client, day), in a transaction.
- :func:`backfill_firm` computes the month-ends of the past year that have no stored score, as of
  those dates, one scoring pass per month, marked ``backfilled``.
- :func:`run_due_rescores` is the worker's job: it picks the firms whose latest request is older than
  the debounce (so an import of 100,000 rows causes one re-score) or whose latest score is from an
  earlier day than the firm's today, claims each with a conditional UPDATE, and re-scores it once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import logging
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone, translation

from parting.clients.models import Client
from parting.firms.models import Firm
from parting.signs.policy import EffectivePolicy
from parting.signs.scoring import ClientScore, Scorer

from .alerts import previous_scores, record_alerts
from .models import FirmSummary, ScoreState, Snapshot
from .summary import SUMMARY_FIELDS, Item, summarize

log = logging.getLogger("parting.scores")

# Seconds a firm's latest re-score request must be old before the worker re-scores it: the rows of one
# import or a burst of edits arrive within it, and cause one re-score, not one each.
DEBOUNCE_SECONDS = getattr(settings, "PARTING_SCORE_DEBOUNCE_SECONDS", 5)
# A firm with at most this many clients is re-scored in the request that finds its scores out of date
# (a few hundred clients score in well under a second); a larger one waits for the worker.
SYNC_CLIENTS = getattr(settings, "PARTING_SCORE_SYNC_CLIENTS", 300)
# A claim older than this is taken to belong to a worker that died while scoring.
CLAIM_LEASE = dt.timedelta(minutes=15)
# History: every day for two weeks, then the last score of each week for 18 weeks, then each month's.
KEEP_DAILY_DAYS = 14
KEEP_WEEKLY_WEEKS = 18
BACKFILL_MONTHS = 12

FIELDS = (
    "firm",
    "computed_at",
    "policy_version",
    "score",
    "advice",
    "lead",
    "dealbreakers",
    "signs",
    "components",
    "revenue",
    "revenue_share",
    "hours",
    "effective_rate",
    "referred",
    "referred_revenue",
    "backfilled",
    "name",
    "name_key",
    "status",
    "rank",
)


def policy_version(policy: EffectivePolicy) -> str:
    """A short hash of everything in the policy that changes a score: equal policies, equal versions."""
    data = {
        "window": policy.window_months,
        "signs": [[s.sign.id, s.weight, s.concerning, s.poor, s.enabled] for s in policy.signs],
        "dealbreakers": list(policy.dealbreakers),
        "talk": policy.talk_below,
        "part": policy.part_below,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def firm_today(firm: Firm, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(firm.time_zone)).date()


# -- requests ------------------------------------------------------------------------------------


def snapshots_relabel(client_ids: Iterable[int]) -> None:
    """A client's stored rows carry its name and status for the dashboard's table (so the table
    neither joins the clients nor sorts the firm): the services that rename a client or change its
    status call this in their transaction, and the table shows the change at once, not after the
    re-score it asked for. One UPDATE per client, for the few clients a step changes; a row already
    right is not written. (An explicit call, not a signal: DESIGN.md keeps business logic out of
    signals, and the case steps change the status with ``update()``, which sends none.)"""
    for pk, name, status in Client.objects.filter(pk__in=list(client_ids)).values_list("pk", "name", "status"):
        Snapshot.objects.filter(client_id=pk).exclude(name=name, status=status).update(
            name=name, name_key=name.lower(), status=status
        )


def request_rescore(firm: Firm | int, *, backfill: bool = False) -> None:
    """Mark the firm's stored scores out of date: one UPDATE (an INSERT the first time)."""
    firm_id = firm if isinstance(firm, int) else firm.pk
    now = timezone.now()
    changes: dict = {"requested_at": now}
    if backfill:
        changes["backfill_requested"] = True
    if ScoreState.objects.filter(firm_id=firm_id).update(**changes):
        return
    try:
        with transaction.atomic():
            ScoreState.objects.create(firm_id=firm_id, requested_at=now, backfill_requested=True)
    except IntegrityError:  # another request created it a moment ago
        ScoreState.objects.filter(firm_id=firm_id).update(**changes)


def state_of(firm: Firm) -> ScoreState:
    state, _created = ScoreState.objects.get_or_create(firm=firm)
    return state


# -- writing -------------------------------------------------------------------------------------


def _dealbreakers(result: ClientScore) -> list[dict]:
    """The rules a client broke, with the number each one names (incidents counted, days overdue), so
    a page writes the text again in its reader's language."""
    return [{"rule": b.rule, "n": b.n, "text": b.text} for b in result.dealbreakers]


def _row(firm: Firm, result: ClientScore, *, day, now, version: str, backfilled: bool) -> Snapshot:
    return Snapshot(
        firm=firm,
        client_id=result.client_id,
        day=day,
        computed_at=now,
        policy_version=version,
        score=result.score if result.enough_evidence else None,
        advice=result.recommendation,
        lead=list(result.lead) if result.lead else None,
        dealbreakers=_dealbreakers(result),
        signs={s.id: [s.value, s.band, s.subscore, s.percentile, s.weight] for s in result.signs},
        components={name: value for name, value in result.components.items() if value},
        revenue=result.revenue,
        revenue_share=round(result.revenue_share, 3),
        hours=round(result.hours, 2),
        effective_rate=result.effective_rate,
        referred=list(result.referred),
        referred_revenue=result.referred_revenue,
        backfilled=backfilled,
        name=result.name,
        name_key=result.name.lower(),
        status=result.status,
        rank=result.score if result.enough_evidence else 100,
    )


def summary_row(firm_id: int, day: dt.date, now: dt.datetime, rows: list[Snapshot]) -> FirmSummary:
    """The dashboard's figures of the day (see :mod:`parting.scores.summary`), from the rows written."""
    items = (Item(r.client_id, r.name, r.name_key, r.status, r.score, r.advice, r.revenue, r.hours) for r in rows)
    return FirmSummary(firm_id=firm_id, day=day, computed_at=now, complete=True, **summarize(items))


def store_day(firm: Firm, day: dt.date, now: dt.datetime, rows: list[Snapshot]) -> None:
    """Write a day's snapshots and the firm's summary of it: one bulk upsert per table, in the caller's
    transaction, so the dashboard's figures are rewritten whenever the scores they count are."""
    Snapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["client", "day"],
        update_fields=[f for f in FIELDS if f != "firm"],
    )
    FirmSummary.objects.bulk_create(
        [summary_row(firm.pk, day, now, rows)],
        update_conflicts=True,
        unique_fields=["firm", "day"],
        update_fields=list(SUMMARY_FIELDS),
    )


def _score(firm: Firm, *, as_of: dt.date | None, now: dt.datetime) -> tuple[Scorer, list[ClientScore]]:
    # English while scoring: the stored fallback texts are English; every text a page shows is written
    # again in the reader's language.
    with translation.override("en"):
        scorer = Scorer(firm, as_of=as_of, now=now)
        return scorer, scorer.score()


def snapshot_firm(firm: Firm, day: dt.date | None = None, *, now: dt.datetime | None = None) -> int:
    """Score the whole firm once and store every client's score for ``day`` (default: the firm's today).

    One bulk upsert on (client, day): a second run on the same day replaces that day's rows, and
    earlier days are never touched. Returns the number of clients written.
    """
    now = now or timezone.now()
    day = day or firm_today(firm, now)
    scorer, results = _score(firm, as_of=day, now=now)
    version = policy_version(scorer.policy)
    rows = [_row(firm, r, day=day, now=now, version=version, backfilled=False) for r in results]
    previous = previous_scores(firm, day)
    with transaction.atomic():
        store_day(firm, day, now, rows)
        record_alerts(firm, day, rows, previous, now=now)  # issue 12 §3: crossings since the last day
        if day == firm_today(firm, now):
            ScoreState.objects.filter(firm=firm).update(scored_at=now, scored_day=day, policy_version=version)
    return len(rows)


def _month_end(key: int) -> dt.date:
    year, month = divmod(key, 12)
    return dt.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def earliest_evidence(firm: Firm) -> dt.date | None:
    """The first day of the firm's records: one MIN per evidence table."""
    from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, TimeEntry

    tz = zoneinfo.ZoneInfo(firm.time_zone)
    days = [
        Invoice.objects.filter(firm=firm).aggregate(a=Min("issued_on"), b=Min("due_on")),
        ClientRequest.objects.filter(firm=firm).aggregate(a=Min("due_on")),
        Incident.objects.filter(firm=firm).aggregate(a=Min("occurred_on")),
        TimeEntry.objects.filter(firm=firm).aggregate(a=Min("date")),
        Message.objects.filter(firm=firm).aggregate(a=Min("sent_at")),
        Meeting.objects.filter(firm=firm).aggregate(a=Min("starts_at")),
    ]
    found = []
    for row in days:
        for value in row.values():
            if isinstance(value, dt.datetime):
                value = value.astimezone(tz).date()
            if value is not None:
                found.append(value)
    return min(found) if found else None


def backfill_firm(firm: Firm, *, months: int = BACKFILL_MONTHS, now: dt.datetime | None = None) -> list[dt.date]:
    """Store the past month-ends that have no score yet: each scored as of that day, ``backfilled``.

    Only the months since the firm's first record, at most ``months`` back. A day the worker scored at
    the time keeps its score (what the score was); an earlier back-fill of a day is replaced, since
    it was only an estimate from the records of its day. One scoring pass and one bulk upsert per month.
    """
    now = now or timezone.now()
    today = firm_today(firm, now)
    first = earliest_evidence(firm)
    if first is None:
        return []
    this_month = today.year * 12 + today.month - 1
    start = max(first.year * 12 + first.month - 1, this_month - months)
    live = set(
        Snapshot.objects.filter(firm=firm, backfilled=False, day__lt=today).values_list("day", flat=True).distinct()
    )
    done = []
    for key in range(start, this_month):
        day = _month_end(key)
        if day in live:
            continue
        scorer, results = _score(firm, as_of=day, now=now)
        version = policy_version(scorer.policy)
        rows = [_row(firm, r, day=day, now=now, version=version, backfilled=True) for r in results]
        with transaction.atomic():
            store_day(firm, day, now, rows)
        done.append(day)
    return done


def keep_days(days: list[dt.date], today: dt.date) -> set[dt.date]:
    """The scored days history keeps: all of the last two weeks, the last of each week for 18 weeks,
    and the last of each month before that."""
    keep: set[dt.date] = set()
    last_of: dict[tuple, dt.date] = {}
    for day in sorted(days):
        age = (today - day).days
        if age < KEEP_DAILY_DAYS:
            keep.add(day)
        if age < KEEP_WEEKLY_WEEKS * 7:
            last_of[("week", *day.isocalendar()[:2])] = day
        last_of[("month", day.year, day.month)] = day  # month-ends are kept for good
    keep.update(last_of.values())
    return keep


def thin_history(firm: Firm, today: dt.date) -> int:
    """Delete the stored days history no longer needs (see :func:`keep_days`): one DELETE."""
    days = list(Snapshot.objects.filter(firm=firm).values_list("day", flat=True).distinct())
    drop = set(days) - keep_days(days, today)
    if not drop:
        return 0
    deleted, _ = Snapshot.objects.filter(firm=firm, day__in=sorted(drop)).delete()
    FirmSummary.objects.filter(firm=firm, day__in=sorted(drop)).delete()
    return deleted


# -- claiming and re-scoring -----------------------------------------------------------------------


def claim(state: ScoreState, now: dt.datetime) -> bool:
    """Take the firm for scoring: a conditional UPDATE that exactly one of several workers wins."""
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    return ScoreState.objects.filter(free, pk=state.pk, requested_at=state.requested_at).update(claimed_at=now) == 1


def rescore(state: ScoreState, now: dt.datetime | None = None, *, backfill: bool = True) -> int:
    """Re-score a claimed firm, back-fill if asked, thin its history, then release the claim.

    The request is cleared only if it is still the one read before scoring: a change made while the
    firm was being scored leaves it requested, and it is scored again.
    """
    now = now or timezone.now()
    firm = Firm.objects.get(pk=state.firm_id)
    try:
        written = snapshot_firm(firm, now=now)
        if backfill and state.backfill_requested:
            backfill_firm(firm, now=now)
            ScoreState.objects.filter(pk=state.pk).update(backfill_requested=False)
        thin_history(firm, firm_today(firm, now))
    except Exception as error:
        ScoreState.objects.filter(pk=state.pk).update(claimed_at=None, last_error=str(error)[:2000])
        raise
    if state.requested_at is not None:
        ScoreState.objects.filter(pk=state.pk, requested_at=state.requested_at).update(requested_at=None)
    ScoreState.objects.filter(pk=state.pk).update(claimed_at=None, last_error="")
    return written


def due_states(now: dt.datetime) -> list[ScoreState]:
    """Firms to re-score: a request older than the debounce, or no score yet from the firm's today."""
    missing = Firm.objects.filter(score_state__isnull=True).values_list("pk", flat=True)
    # Never scored: due at once (no request to wait out), with its past month-ends.
    ScoreState.objects.bulk_create([ScoreState(firm_id=pk) for pk in missing], ignore_conflicts=True)
    settled = now - dt.timedelta(seconds=DEBOUNCE_SECONDS)
    due = []
    for state in ScoreState.objects.select_related("firm"):
        if state.requested_at is not None:
            if state.requested_at <= settled:
                due.append(state)
        elif state.backfill_requested or state.scored_day is None or state.scored_day < firm_today(state.firm, now):
            due.append(state)  # the daily re-score ("today" moved on), or a back-fill the page left
    return due


def run_due_rescores(*, limit: int = 2, now: dt.datetime | None = None) -> str:
    """The worker's job: re-score up to ``limit`` due firms this pass, each claimed first."""
    now = now or timezone.now()
    scored = []
    for state in due_states(now):
        if len(scored) >= limit:
            break
        if not claim(state, now):
            continue  # another worker has it
        written = rescore(state, now)
        scored.append(f"{state.firm_id} ({written} clients)")
    return f"re-scored firms {', '.join(scored)}" if scored else "no firms to re-score"


# -- what pages read -----------------------------------------------------------------------------


def ensure_scored(firm: Firm, *, now: dt.datetime | None = None) -> ScoreState:
    """The firm's score state, after scoring it here if that is cheap enough to do in a request.

    A firm never scored is scored now, whatever its size (there is nothing else to show). A firm whose
    scores are out of date (a change, or an earlier day) is re-scored here when it has at most
    ``SYNC_CLIENTS`` clients (with the back-fill of past month-ends, if one is waiting); a larger one
    is left to the worker, and the page says it is re-scoring (its first scoring is done here, its
    back-fill by the worker).
    """
    now = now or timezone.now()
    state = state_of(firm)
    stale = state.requested_at is not None or state.scored_day != firm_today(firm, now)
    if not stale:
        return state
    small = Client.objects.filter(firm=firm).count() <= SYNC_CLIENTS
    if state.scored_at is not None and not small:
        return state
    if claim(state, now):
        rescore(state, now, backfill=small)  # a large firm's past month-ends are left to the worker
        state.refresh_from_db()
    return state
