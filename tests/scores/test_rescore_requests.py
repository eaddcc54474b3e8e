"""Stored scores follow a client who leaves: when contact is cut on the end date (O8) the client
becomes former, and the firm's scores are re-scored, since a former client no longer counts in the
other clients' percentiles."""

from __future__ import annotations

import datetime as dt

import pytest

from parting.cases.models import CaseTask
from parting.cases.services import CaseError, task_update
from parting.scores.models import ScoreState
from tests.cases.test_rule_thresholds import winding_down

pytestmark = pytest.mark.django_db


def requested(firm) -> bool:
    return ScoreState.objects.filter(firm=firm, requested_at__isnull=False).exists()


def test_o8_cutting_contact_makes_the_client_former_and_asks_for_a_rescore(approved_case, team):
    end = winding_down(approved_case, team["staff"], approved_case.firm.today() - dt.timedelta(days=20))
    cut = approved_case.tasks.get(kind="cut_contact")
    ScoreState.objects.filter(firm=approved_case.firm).update(requested_at=None)
    with pytest.raises(CaseError):
        task_update(task=cut, by=team["staff"], status=CaseTask.Status.DONE, today=end - dt.timedelta(days=1))
    assert not requested(approved_case.firm)  # refused: nothing changed, nothing to re-score
    task_update(task=cut, by=team["staff"], status=CaseTask.Status.DONE, today=end)
    assert requested(approved_case.firm)
