"""The dashboard table's trend line marks back-filled points (issue 12 §3): a past month-end computed
later from the records as they stood is an estimate, drawn as a hollow circle and counted in the label."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from parting.scores.models import Snapshot
from parting.web.templatetags.parting import sparkline
from tests.conftest import troubled_client

pytestmark = pytest.mark.django_db


def test_a_back_filled_point_is_drawn_hollow_and_named_in_the_label():
    html = sparkline([("2026-10", 50, True), ("2026-11", 60, False), ("2026-12", 70, False)])
    assert html.count('class="backfilled"') == 1
    assert 'aria-label="50 → 70 (back-filled: 1)"' in html


def test_a_trend_with_no_back_filled_point_has_no_marks():
    html = sparkline([("2026-11", 60, False), ("2026-12", 70, False)])
    assert 'class="backfilled"' not in html and "back-filled" not in html


def test_a_trend_of_month_and_score_pairs_still_draws():
    assert "<polyline" in sparkline([("2026-11", 60), ("2026-12", 70)])


def test_the_dashboard_marks_each_back_filled_month_of_a_clients_trend(owner, client, firm):
    client.force_login(owner.user)
    trouble, _incident = troubled_client(firm)
    client.get(reverse("dashboard"))  # scores the firm and back-fills its past month-ends
    html = client.get(reverse("dashboard")).content.decode()
    row = re.search(rf"<tr>\s*<td><a href=\"/clients/{trouble.pk}/\">.*?</tr>", html, re.S).group(0)
    backfilled = Snapshot.objects.filter(client=trouble, backfilled=True, score__isnull=False).count()
    assert backfilled > 0
    assert row.count('class="backfilled"') == min(backfilled, 11)
