"""Stored scores (issue 12 §1, §3): a firm's snapshots are written in one pass, keep what the score
was, and back-filled month-ends are marked as such."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parting.evidence.models import Incident
from parting.scores import services
from parting.scores.models import ScoreState, Snapshot
from parting.scores.selectors import client_trend, monthly_trends
from parting.signs.policy import policy_for
from parting.signs.scoring import Scorer
from tests.conftest import troubled_client
from tests.factories import ClientFactory, FirmFactory, IncidentFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def inserts(queries) -> list[str]:
    return [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT") and "scores_snapshot" in q["sql"]
    ]


def firm_of(n: int):
    firm = FirmFactory()
    for i in range(n):
        client = ClientFactory(firm=firm, name=f"Client {i:03}")
        InvoiceFactory(client=client, issued_on=firm.today() - dt.timedelta(days=40))
    return firm


def test_a_firm_is_written_with_one_insert_and_the_same_queries_for_30_clients_as_for_3():
    counts = []
    for n in (3, 30):
        firm = firm_of(n)
        with CaptureQueriesContext(connection) as queries:
            assert services.snapshot_firm(firm) == n
        assert len(inserts(queries)) == 1  # one bulk upsert, never a row per client
        counts.append(len(queries))
        assert Snapshot.objects.filter(firm=firm).count() == n
    assert counts[0] == counts[1]


def test_a_snapshot_holds_what_the_scorer_says_sign_by_sign_and_nothing_of_another_firm(firm):
    trouble, _incident = troubled_client(firm)
    ClientFactory(firm=firm, name="Quiet")
    other = troubled_client(FirmFactory(), name="Elsewhere")[0]
    services.snapshot_firm(firm)
    live = {r.client_id: r for r in Scorer(firm).score()}[trouble.pk]
    row = Snapshot.objects.get(client=trouble)
    assert row.firm_id == firm.pk and row.day == firm.today() and not row.backfilled
    assert (row.score, row.advice) == (live.score, live.recommendation)
    for sign in live.signs:
        assert row.signs[sign.id][:4] == [sign.value, sign.band, sign.subscore, sign.percentile], sign.id
    assert row.policy_version == services.policy_version(Scorer(firm).policy)
    assert Snapshot.objects.get(client__name="Quiet").score is None  # no evidence: no score, not 100
    assert not Snapshot.objects.filter(client=other).exists()


def test_a_second_pass_on_the_same_day_replaces_that_day_and_leaves_earlier_days(firm):
    trouble, _incident = troubled_client(firm)
    today = firm.today()
    services.snapshot_firm(firm, day=today - dt.timedelta(days=1))
    services.snapshot_firm(firm)
    before = Snapshot.objects.get(client=trouble, day=today).score
    IncidentFactory(client=trouble, kind=Incident.Kind.DISRESPECT, occurred_on=today)
    services.snapshot_firm(firm)
    assert Snapshot.objects.filter(client=trouble).count() == 2
    assert Snapshot.objects.get(client=trouble, day=today).advice == "consider_parting"
    assert Snapshot.objects.get(client=trouble, day=today - dt.timedelta(days=1)).score == before


def test_changing_the_policy_does_not_change_the_stored_past_only_the_new_points(firm):
    trouble, _incident = troubled_client(firm)
    services.snapshot_firm(firm)
    filled = services.backfill_firm(firm)
    assert filled, "the invoices of two months ago give past month-ends to fill"
    past = dict(Snapshot.objects.filter(client=trouble, backfilled=True).values_list("day", "score"))
    old_version = Snapshot.objects.get(client=trouble, day=firm.today()).policy_version

    policy = policy_for(firm)
    policy.signs = {"W7": {"weight": 10, "concerning": 1, "poor": 2}}
    policy.save()
    services.snapshot_firm(firm)

    assert dict(Snapshot.objects.filter(client=trouble, backfilled=True).values_list("day", "score")) == past
    today_row = Snapshot.objects.get(client=trouble, day=firm.today())
    assert today_row.policy_version != old_version
    assert today_row.score == {r.client_id: r for r in Scorer(firm).score()}[trouble.pk].score


def test_back_filled_month_ends_are_scored_as_of_their_day_and_marked(firm):
    trouble, _incident = troubled_client(firm)
    today = firm.today()
    filled = services.backfill_firm(firm)
    first = today - dt.timedelta(days=80)  # the troubled client's first invoice
    expected = []
    key = first.year * 12 + first.month - 1
    while key < today.year * 12 + today.month - 1:
        expected.append(services._month_end(key))
        key += 1
    assert filled == expected
    for day in filled:
        row = Snapshot.objects.get(client=trouble, day=day)
        assert row.backfilled
        live = {r.client_id: r for r in Scorer(firm, as_of=day).score()}[trouble.pk]
        assert row.score == (live.score if live.enough_evidence else None)


def test_a_back_fill_keeps_the_days_scored_at_the_time(firm):
    trouble, _incident = troubled_client(firm)
    today = firm.today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    services.snapshot_firm(firm, day=last_month_end)
    Snapshot.objects.filter(client=trouble, day=last_month_end).update(score=7)  # what it was back then
    assert last_month_end not in services.backfill_firm(firm)
    row = Snapshot.objects.get(client=trouble, day=last_month_end)
    assert (row.score, row.backfilled) == (7, False)


def test_the_trend_reads_stored_points_and_says_which_were_back_filled(firm):
    trouble, _incident = troubled_client(firm)
    state = ScoreState.objects.create(firm=firm)
    services.snapshot_firm(firm)
    services.backfill_firm(firm)
    state.refresh_from_db()
    monthly = monthly_trends(state, [trouble.pk])[trouble.pk]
    assert monthly[-1][0] == firm.today().strftime("%Y-%m") and monthly[-1][2] is False
    assert monthly[:-1] and all(backfilled for _m, _s, backfilled in monthly[:-1])
    weekly = client_trend(state, trouble.pk)["weekly"]
    assert weekly[-1][0] == firm.today()


def test_history_keeps_two_weeks_of_days_then_the_last_day_of_each_week_then_of_each_month():
    today = dt.date(2026, 12, 3)
    days = [today - dt.timedelta(days=n) for n in range(0, 400)]
    kept = services.keep_days(days, today)
    assert today - dt.timedelta(days=13) in kept and today - dt.timedelta(days=12) in kept
    # 14 days old: only if it is the last scored day of its week or month.
    fourteen = today - dt.timedelta(days=14)  # Thursday 19 November: not a Sunday, not a month-end
    assert fourteen not in kept
    assert dt.date(2026, 11, 22) in kept  # 11 days old: kept as every recent day is
    assert dt.date(2026, 11, 15) in kept  # Sunday, 18 days old: the last of its week
    assert dt.date(2026, 11, 14) not in kept
    old = today - dt.timedelta(weeks=30)
    assert old not in kept or old == services._month_end(old.year * 12 + old.month - 1)
    assert dt.date(2026, 1, 31) in kept and dt.date(2026, 1, 25) not in kept  # only month-ends that far back


def test_thinning_deletes_the_days_history_no_longer_needs_in_one_statement_per_table(firm):
    client = ClientFactory(firm=firm)
    today = firm.today()
    now = timezone.now()
    for n in (0, 20, 21, 200, 201):
        Snapshot.objects.create(
            firm=firm,
            client=client,
            day=today - dt.timedelta(days=n),
            computed_at=now,
            policy_version="x",
            advice="keep",
        )
    with CaptureQueriesContext(connection) as queries:
        services.thin_history(firm, today)
    deletes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DELETE")]
    # One for the snapshots, one for the firm's day summaries (the dashboard's figures of those days).
    assert [("scores_snapshot" in sql, "scores_firmsummary" in sql) for sql in deletes] == [
        (True, False),
        (False, True),
    ]
    left = set(Snapshot.objects.filter(client=client).values_list("day", flat=True))
    assert left == services.keep_days([today - dt.timedelta(days=n) for n in (0, 20, 21, 200, 201)], today)
    assert today in left and len(left) < 5
