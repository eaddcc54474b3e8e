"""A case's reasons as the case page shows them (D8): a written reason has no sign's title or
explanation (empty, never "None"); a sign the catalogue no longer has keeps the title and words
stored with it; an incident among the frozen rows is named by its kind; who added each reason is
read with the reasons, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parting.cases.models import CaseReason, OffboardingCase
from parting.cases.selectors import reasons_shown
from tests.factories import ClientFactory, MembershipFactory


@pytest.fixture
def case(firm, owner):
    return OffboardingCase.objects.create(
        firm=firm, client=ClientFactory(firm=firm), opened_by=owner.user, state=OffboardingCase.State.DRAFT
    )


def reason(case, by, **fields) -> CaseReason:
    return CaseReason.objects.create(case=case, added_by=by, **fields)


def test_d8_a_written_reason_has_an_empty_title_and_explanation(case, owner):
    reason(case, owner.user, text="Shouted at our junior twice")
    [shown] = reasons_shown(case)
    assert (shown.title, shown.explanation, shown.rows) == ("", "", [])


def test_d8_a_sign_the_catalogue_no_longer_has_keeps_its_stored_title_and_words(case, owner):
    reason(case, owner.user, sign_id="W99", snapshot={"title": "Retired sign", "explanation": "As it was then."})
    [shown] = reasons_shown(case)
    assert (shown.title, shown.explanation) == ("Retired sign", "As it was then.")


def test_d8_an_incident_among_the_frozen_rows_is_named_by_its_kind(case, owner):
    rows = [{"incident_kind": "scope_creep", "date": "2026-03-02"}, {"text": "Invoice 7", "date": "2026-03-03"}]
    reason(case, owner.user, sign_id="W6", snapshot={"evidence": rows})
    [shown] = reasons_shown(case)
    assert [row["text"] for row in shown.rows] == ["Free extra work / scope creep 2026-03-02", "Invoice 7"]


def test_d8_who_added_each_reason_is_read_with_the_reasons(case, owner):
    reason(case, owner.user, text="one")
    with CaptureQueriesContext(connection) as one:
        assert [r.added_by.username for r in reasons_shown(case)] == [owner.user.username]
    for n in range(3):
        reason(case, MembershipFactory(firm=case.firm).user, text=f"more {n}")
    with CaptureQueriesContext(connection) as four:
        assert len({r.added_by.pk for r in reasons_shown(case)}) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_d8_a_retired_sign_with_numbers_kept_still_shows_its_stored_words(case, owner):
    snapshot = {"title": "Retired sign", "explanation": "As it was then.", "value": 3, "components": {"n": 3}}
    reason(case, owner.user, sign_id="W99", snapshot=snapshot)
    [shown] = reasons_shown(case)
    assert shown.explanation == "As it was then."


def test_d8_a_sign_kept_without_its_value_shows_its_stored_words_not_new_ones(case, owner):
    """Words are written again from the numbers only when both the components and the value were kept."""
    snapshot = {"explanation": "Stored words.", "value": None, "components": {"overdue_invoices": 2}}
    reason(case, owner.user, sign_id="W7", snapshot=snapshot)
    [shown] = reasons_shown(case)
    assert shown.explanation == "Stored words."
