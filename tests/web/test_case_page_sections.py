"""The long case page, made findable (issue 11): the evidence picker under "Add a reason" narrows by
kind and date without a script (D8), and the case's history is paged, grouped by month and filtered
by kind of step. Every filter reads only this firm's rows; bad input is a form error, never a 500."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from parting.audit.services import audit_record
from parting.cases.models import CaseReason
from parting.cases.services import case_open
from tests.factories import ClientFactory, IncidentFactory, InvoiceFactory, MembershipFactory


def html(response) -> str:
    return response.content.decode()


def picker(response) -> str:
    """The evidence checkboxes listed under "Add a reason"."""
    form = re.search(r'<form method="post" [^>]*id="reason-form".*?</form>', html(response), re.S).group(0)
    return " ".join(re.findall(r'value="((?:invoice|incident|meeting|message|request|time):\d+)"', form))


@pytest.fixture
def staff_client(client, team):
    client.force_login(team["staff"])
    return client


@pytest.fixture
def draft(team, client_in_trouble):
    client, incident = client_in_trouble
    return case_open(client=client, by=team["staff"]), incident


def show(member_client, case, **query):
    return member_client.get(reverse("case_detail", args=[case.pk]), query)


def test_the_evidence_picker_narrows_by_kind(staff_client, draft):
    case, incident = draft
    everything = picker(show(staff_client, case))
    assert f"incident:{incident.pk}" in everything and "invoice:" in everything
    incidents = picker(show(staff_client, case, **{"evidence-kind": "incident"}))
    assert incidents == f"incident:{incident.pk}"
    invoices = picker(show(staff_client, case, **{"evidence-kind": "invoice"})).split()
    assert len(invoices) == 3 and all(value.startswith("invoice:") for value in invoices)


def test_the_evidence_picker_narrows_by_date_both_ends_included(staff_client, draft):
    case, incident = draft
    day = incident.occurred_on.isoformat()
    after = (incident.occurred_on + dt.timedelta(days=1)).isoformat()
    before = (incident.occurred_on - dt.timedelta(days=1)).isoformat()
    kind = {"evidence-kind": "incident"}
    assert picker(show(staff_client, case, **kind, **{"evidence-start": day})) == f"incident:{incident.pk}"
    assert picker(show(staff_client, case, **kind, **{"evidence-start": after})) == ""
    assert picker(show(staff_client, case, **kind, **{"evidence-end": day})) == f"incident:{incident.pk}"
    assert picker(show(staff_client, case, **kind, **{"evidence-end": before})) == ""


def test_a_filter_in_the_wrong_shape_is_a_form_error_and_narrows_nothing(staff_client, draft):
    case, incident = draft
    for query in (
        {"evidence-start": "yesterday"},
        {"evidence-kind": "payslip"},
        {"evidence-start": "2026-05-02", "evidence-end": "2026-05-01"},
        {"evidence-end": "99999-01-01"},
    ):
        response = show(staff_client, case, **query)
        assert response.status_code == 200, query
        assert 'class="error"' in html(response), query
        assert f"incident:{incident.pk}" in picker(response), query


def test_the_picker_lists_only_this_clients_evidence(staff_client, team, draft):
    case, incident = draft
    other_client = ClientFactory(firm=case.firm, name="Other")
    theirs = IncidentFactory(client=other_client, occurred_on=incident.occurred_on)
    stranger = MembershipFactory(partner=True)
    foreign = IncidentFactory(client=ClientFactory(firm=stranger.firm), occurred_on=incident.occurred_on)
    listed = picker(show(staff_client, case, **{"evidence-kind": "incident"}))
    assert f"incident:{theirs.pk}" not in listed and f"incident:{foreign.pk}" not in listed


def test_evidence_ticked_beyond_the_listed_rows_is_kept_and_another_firms_row_refused(staff_client, team, draft):
    case, _incident = draft
    old = InvoiceFactory(client=case.client, issued_on=dt.date(2019, 1, 1), due_on=dt.date(2019, 1, 31))
    url = reverse("case_reason_add", args=[case.pk])
    staff_client.post(url, {"text": "Paid late for years", "evidence": [f"invoice:{old.pk}"]})
    reason = CaseReason.objects.get(case=case)
    assert [row["id"] for row in reason.snapshot["evidence"]] == [old.pk]
    stranger = MembershipFactory(partner=True)
    foreign = IncidentFactory(client=ClientFactory(firm=stranger.firm))
    response = staff_client.post(url, {"text": "Shouted", "evidence": [f"incident:{foreign.pk}"]}, follow=True)
    assert f"Evidence incident {foreign.pk} is not a record of this client." in html(response)
    assert CaseReason.objects.filter(case=case).count() == 1


def steps(case, user, action: str, count: int) -> None:
    for n in range(count):
        audit_record(
            firm=case.firm, actor=user, action=action, target=f"case:{case.pk}", data={"note": f"{action} {n}"}
        )


def history(response) -> list[str]:
    part = re.search(r'<section class="card" id="history".*?</section>', html(response), re.S).group(0)
    return re.findall(r'<li data-action="([^"]+)"', part)


def test_the_history_is_paged_newest_first(staff_client, team, draft):
    case, _incident = draft
    steps(case, team["staff"], "case.plan_changed", 30)  # with "case opened": 31 steps
    first = show(staff_client, case)
    assert len(history(first)) == 25
    assert "31 entries, newest first." in html(first)
    assert "Page 1 of 2" in html(first) and "Older entries" in html(first)
    second = show(staff_client, case, **{"history-page": "2"})
    assert history(second)[-1] == "case.opened"  # the oldest step, last on the last page
    assert len(history(second)) == 6 and "Newer entries" in html(second)
    for page in ("0", "abc", "99999999999999999999999"):
        assert show(staff_client, case, **{"history-page": page}).status_code == 200


def test_the_history_is_filtered_by_kind_of_step(staff_client, team, draft):
    case, _incident = draft
    steps(case, team["staff"], "case.task_updated", 2)
    steps(case, team["staff"], "case.plan_changed", 1)
    assert history(show(staff_client, case, **{"history-group": "checklist"})) == ["case.task_updated"] * 2
    assert history(show(staff_client, case, **{"history-group": "plan"})) == ["case.plan_changed"]
    assert len(history(show(staff_client, case, **{"history-group": ""}))) == 4
    response = show(staff_client, case, **{"history-group": "gossip"})
    assert response.status_code == 200 and 'class="error"' in html(response)
    assert len(history(response)) == 4  # an unknown kind filters nothing


def test_the_history_is_grouped_by_the_firms_month(staff_client, team, draft):
    case, _incident = draft
    earlier = audit_record(firm=case.firm, actor=team["staff"], action="case.plan_changed", target=f"case:{case.pk}")
    type(earlier).objects.filter(pk=earlier.pk).update(at=case.created_at - dt.timedelta(days=62))
    part = re.search(r'<section class="card" id="history".*?</section>', html(show(staff_client, case)), re.S)
    headings = re.findall(r"<h3>([^<]+)</h3>", part.group(0))
    assert len(headings) == 2 and headings[0] != headings[1]  # this month's steps, then the earlier month's


def test_another_firms_history_is_not_on_the_page(staff_client, team, draft):
    case, _incident = draft
    stranger = MembershipFactory(partner=True)
    # an entry of another firm with the same target text: a case id is only unique with its firm
    audit_record(firm=stranger.firm, actor=stranger.user, action="case.closed", target=f"case:{case.pk}", data={})
    assert "case.closed" not in history(show(staff_client, case))
