"""The case's history page (issue 13): its steps newest first, a page at a time, grouped by the month
they happened in on the firm's clock (a step at 23:30 UTC on 31 January is February in Warsaw), one
query for the steps and who took them. Within one firm: the case's own entries only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parting.audit.models import AuditEntry
from parting.audit.services import audit_record
from parting.cases.models import OffboardingCase
from parting.cases.selectors import HISTORY_PAGE_SIZE, case_history
from tests.factories import ClientFactory

State = OffboardingCase.State


@pytest.fixture
def case(firm, owner):
    return OffboardingCase.objects.create(
        firm=firm, client=ClientFactory(firm=firm), opened_by=owner.user, state=State.DRAFT
    )


def step(case, actor, action="case.reason_added", at=None, **data) -> AuditEntry:
    entry = audit_record(firm=case.firm, actor=actor, action=action, target=f"case:{case.pk}", data=data)
    if at is not None:
        AuditEntry.objects.filter(pk=entry.pk).update(at=at)
        entry.refresh_from_db()
    return entry


def entries(history) -> list[dict]:
    return [entry for _month, month_entries in history.months for entry in month_entries]


def test_without_a_page_the_history_shows_the_newest_steps(case, owner):
    made = [step(case, owner.user, sign=f"W{n}") for n in range(HISTORY_PAGE_SIZE + 5)]
    history = case_history(case)
    assert history.total == HISTORY_PAGE_SIZE + 5
    assert [e["detail"] for e in entries(history)][:2] == [made[-1].data["sign"], made[-2].data["sign"]]
    assert len(entries(case_history(case, page=2))) == 5


def test_steps_come_by_when_they_happened_then_newest_made_first(case, owner):
    moment = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    late = step(case, owner.user, sign="late", at=moment)  # made first, happened last
    tie_old = step(case, owner.user, sign="tie-1", at=moment - dt.timedelta(days=1))
    tie_new = step(case, owner.user, sign="tie-2", at=moment - dt.timedelta(days=1))
    shown = entries(case_history(case))
    assert [e["detail"] for e in shown] == ["late", "tie-2", "tie-1"]
    assert [e["at"] for e in shown] == [late.at, tie_new.at, tie_old.at]


def test_a_step_is_filed_under_the_month_it_happened_in_on_the_firms_clock(case, owner):
    assert case.firm.time_zone == "Europe/Warsaw"
    step(case, owner.user, sign="W7", at=dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC))  # 1 Feb, 00:30 there
    step(case, owner.user, sign="W2", at=dt.datetime(2026, 1, 31, 22, 30, tzinfo=dt.UTC))  # 31 Jan, 23:30 there
    with timezone.override(dt.UTC):
        history = case_history(case)
    assert [(month, [e["detail"] for e in month_entries]) for month, month_entries in history.months] == [
        (dt.date(2026, 2, 1), ["W7"]),
        (dt.date(2026, 1, 1), ["W2"]),
    ]


def test_a_step_the_history_has_no_words_for_shows_its_action(case, owner):
    step(case, owner.user, action="case.custom_step")
    [entry] = entries(case_history(case))
    assert (entry["what"], entry["action"]) == ("case.custom_step", "case.custom_step")


def test_the_history_reads_its_steps_and_their_actors_in_one_query(case, owner):
    from tests.factories import MembershipFactory

    step(case, owner.user)
    with CaptureQueriesContext(connection) as one_step:
        [entry] = entries(case_history(case))
        assert entry["actor"] == owner.user
        assert entry["actor_name"] == (owner.user.get_full_name() or owner.user.username)
    for _ in range(3):
        step(case, MembershipFactory(firm=case.firm).user)
    with CaptureQueriesContext(connection) as four_steps:
        assert len({e["actor"].pk for e in entries(case_history(case))}) == 4
    assert len(four_steps.captured_queries) == len(one_step.captured_queries)
