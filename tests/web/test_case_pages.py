"""The case pages as members use them: open, reasons, checks, review, plan, checklist, partings, referrals."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from parting.cases.models import CaseTask, OffboardingCase, ReferralProvider
from parting.cases.services import case_notify, task_update
from parting.clients.models import Client
from tests.cases.conftest import submitted_case
from tests.factories import ClientFactory, InvoiceFactory, MembershipFactory, ServiceFactory, TimeEntryFactory

State = OffboardingCase.State


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def staff_client(client, team):
    client.force_login(team["staff"])
    return client


def test_a_member_opens_a_case_from_the_client_page_and_adds_reasons(staff_client, client_in_trouble):
    acme, incident = client_in_trouble
    page = text(staff_client.get(reverse("client_detail", args=[acme.pk])))
    assert reverse("case_open", args=[acme.pk]) in page
    response = staff_client.post(reverse("case_open", args=[acme.pk]), {"outward_reason": "capacity"})
    case = OffboardingCase.objects.get(client=acme)
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    add = reverse("case_reason_add", args=[case.pk])
    staff_client.post(add, {"sign_id": "W7"})
    staff_client.post(add, {"sign_id": "W15"})
    staff_client.post(add, {"text": "Shouted at Ana", "evidence": [f"incident:{incident.pk}"]})
    response = staff_client.post(reverse("case_submit", args=[case.pk]), follow=True)
    assert "Sent for review." in messages_of(response)
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW
    page = text(response)
    assert "W7 Payment trouble" in page and "Shouted at Ana" in page
    assert "Is this more than one bad incident?" in page  # D3 check with its data


def test_sending_for_review_with_too_few_reasons_says_why(staff_client, team, client_in_trouble):
    acme, _incident = client_in_trouble
    staff_client.post(reverse("case_open", args=[acme.pk]), {"outward_reason": "general"})
    case = OffboardingCase.objects.get(client=acme)
    response = staff_client.post(reverse("case_submit", args=[case.pk]), follow=True)
    assert response.status_code == 200
    assert "D8: a case needs at least 3 different documented reasons before review; it has 0." in messages_of(response)


def test_an_empty_reason_is_refused_with_a_message(staff_client, team, client_in_trouble):
    acme, _incident = client_in_trouble
    staff_client.post(reverse("case_open", args=[acme.pk]), {"outward_reason": "general"})
    case = OffboardingCase.objects.get(client=acme)
    response = staff_client.post(reverse("case_reason_add", args=[case.pk]), {"text": " "}, follow=True)
    assert "Choose a warning sign or write a reason." in messages_of(response)
    assert case.reasons.count() == 0


def test_a_partner_approves_on_the_review_page_and_sees_plan_and_checklist(client, team, client_in_trouble):
    acme, incident = client_in_trouble
    case = submitted_case(acme, team["staff"], incident)
    client.force_login(team["partner"])
    review = reverse("case_review", args=[case.pk])
    assert "Record my review" in text(client.get(review))
    response = client.post(review, {"decision": "approve", "comment": "Agreed"}, follow=True)
    case.refresh_from_db()
    assert case.state == State.APPROVED
    page = text(response)
    assert "End date: the last day of service" in page and ">N2<" in page
    assert "Deletion date told to the client" in page
    assert 'id="checklist"' in page and "Tell the client in a call or a meeting" in page


def test_staff_get_a_message_not_an_error_when_trying_to_approve(staff_client, team, client_in_trouble):
    acme, incident = client_in_trouble
    case = submitted_case(acme, team["owner"], incident)
    page = text(staff_client.get(reverse("case_review", args=[case.pk])))
    assert "Record my review" not in page
    response = staff_client.post(reverse("case_review", args=[case.pk]), {"decision": "approve"})
    assert response.status_code == 200
    assert "D4: only owners and partners review cases." in messages_of(response)
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW


def test_bad_plan_input_is_refused_with_the_field_named(staff_client, approved_case):
    url = reverse("case_override", args=[approved_case.pk])
    response = staff_client.post(url, {"field": "end_date", "value": "next friday", "reason": "x"}, follow=True)
    assert "end_date: next friday is not a valid date." in messages_of(response)
    response = staff_client.post(url, {"field": "end_date", "value": "2027-01-31", "reason": ""}, follow=True)
    assert any(m.startswith("Reason (recorded):") for m in messages_of(response))
    response = staff_client.post(
        reverse("case_plan", args=[approved_case.pk]),
        {"fixed_term": "honour", "refund_kind": "refund", "support_days": "-3", "support_fee": "abc"},
        follow=True,
    )
    assert response.status_code == 200
    assert any(m.startswith("Paid support after the end (days):") for m in messages_of(response))
    assert any(m.startswith("Fee for that support:") for m in messages_of(response))


def test_override_with_a_reason_shows_both_values(staff_client, approved_case):
    url = reverse("case_override", args=[approved_case.pk])
    staff_client.post(url, {"field": "final_invoice", "value": "950.00", "reason": "Agreed flat fee"})
    page = text(staff_client.get(reverse("case_detail", args=[approved_case.pk])))
    assert "Changed by hand: Agreed flat fee" in page and "950.00" in page


def test_notify_with_unpaid_invoice_is_refused_on_the_page(staff_client, approved_case):
    InvoiceFactory(client=approved_case.client, number="INV-UNPAID", amount=Decimal("300.00"))
    response = staff_client.post(
        reverse("case_notify", args=[approved_case.pk]), {"on": "2026-12-01", "unpaid_override": ""}, follow=True
    )
    assert any("D10: be paid in full" in m and "INV-UNPAID" in m for m in messages_of(response))
    approved_case.refresh_from_db()
    assert approved_case.state == State.APPROVED
    response = staff_client.post(reverse("case_notify", args=[approved_case.pk]), {"on": "1 Dec"}, follow=True)
    assert any(m.startswith("The client was told on:") for m in messages_of(response))


def test_checklist_tasks_are_marked_done_on_the_page(staff_client, team, approved_case):
    case_notify(case=approved_case, by=team["staff"], on=dt.date(2026, 12, 1))
    task = approved_case.tasks.get(kind="conversation")
    staff_client.post(
        reverse("case_task", args=[approved_case.pk, task.pk]),
        {f"task{task.pk}-status": "done", f"task{task.pk}-owner": team["staff"].pk, f"task{task.pk}-notes": "Called"},
    )
    task.refresh_from_db()
    assert (task.status, task.notes) == ("done", "Called")


def test_overdue_tasks_appear_on_the_dashboard(staff_client, team, approved_case):
    case_notify(case=approved_case, by=team["staff"], on=dt.date(2026, 1, 5))
    page = text(staff_client.get(reverse("dashboard")))
    assert 'id="overdue"' in page
    assert "Trouble Ltd</a>: Tell the client in a call or a meeting" in page


def close_case(case, team, end_plus=1):
    case_notify(case=case, by=team["staff"], on=dt.date(2026, 1, 5))
    for task in case.tasks.filter(kind__in=["conversation", "letter"]):
        task_update(task=task, by=team["staff"], status=CaseTask.Status.DONE, today=dt.date(2026, 1, 5))
    from parting.cases.services import case_close, case_wind_down

    case_wind_down(case=case, by=team["staff"])
    after = dt.date(2026, 1, 19) + dt.timedelta(days=end_plus)
    for task in case.tasks.filter(status="open"):
        task_update(task=task, by=team["staff"], status=CaseTask.Status.DONE, today=after)
    return case_close(case=case, by=team["staff"], today=after)


def test_partings_page_shows_hours_freed_and_the_firms_rate_change(staff_client, team, approved_case, firm):
    other = ClientFactory(firm=firm, name="Good Co")
    for month in range(1, 13):
        day = dt.date(2025, month, 10)
        TimeEntryFactory(client=approved_case.client, date=day, hours=Decimal("10"))
        TimeEntryFactory(client=other, date=day, hours=Decimal("10"))
        InvoiceFactory(client=approved_case.client, issued_on=day, amount=Decimal("500"), paid_on=day, amount_paid=500)
        InvoiceFactory(client=other, issued_on=day, amount=Decimal("1500"), paid_on=day, amount_paid=1500)
    close_case(approved_case, team)
    page = text(staff_client.get(reverse("partings")))
    # Window Feb 2025 – Jan 2026: 11 months of 10 h and 500 for the client (the January invoices of
    # the conftest are late payments of last year's work and fall outside).
    assert "Trouble Ltd" in page
    row = page[page.index("Trouble Ltd") :]
    assert "9.2" in row  # 110 h / 12 months
    assert "€100.00 → €150.00 (+€50.00)" in row  # money as the page's language writes it (issue 11)


def test_new_evidence_for_a_former_client_is_flagged(staff_client, team, approved_case):
    close_case(approved_case, team)
    assert Client.objects.get(pk=approved_case.client_id).status == Client.Status.FORMER
    response = staff_client.post(
        reverse("evidence_log", args=[approved_case.client_id, "incident"]),
        {"kind": "other", "occurred_on": "2026-02-03", "hours_lost": "0", "note": "Asked for free advice"},
        follow=True,
    )
    assert any("is a former client: you owe them nothing more (O8)" in m for m in messages_of(response))
    page = text(staff_client.get(reverse("dashboard")))
    assert 'id="former-evidence"' in page and "Trouble Ltd" in page[page.index('id="former-evidence"') :]


def test_referral_directory_adds_edits_and_removes_providers(staff_client, firm):
    payroll = ServiceFactory(firm=firm, name="Payroll")
    response = staff_client.post(
        reverse("referrals"),
        {"name": "Kadry Nowak", "services": [payroll.pk], "languages": ["pl"], "region": "PL", "contact": "biuro@x.pl"},
    )
    assert response.status_code == 302
    provider = ReferralProvider.objects.get(firm=firm)
    assert (provider.languages, list(provider.services.all())) == (["pl"], [payroll])
    response = staff_client.post(reverse("referrals"), {"name": "kadry nowak"})
    assert "A provider with this name is already in the directory." in text(response)
    staff_client.post(reverse("referral_edit", args=[provider.pk]), {"delete": "1"})
    assert not ReferralProvider.objects.exists()


def test_another_firms_cases_and_providers_are_not_found(staff_client, team, client_in_trouble):
    stranger = MembershipFactory(partner=True)
    theirs = ClientFactory(firm=stranger.firm)
    from parting.cases.services import case_open

    case = case_open(client=theirs, by=stranger.user)
    provider = ReferralProvider.objects.create(firm=stranger.firm, name="Theirs")
    for name in ("case_detail", "case_review"):
        assert staff_client.get(reverse(name, args=[case.pk])).status_code == 404
    for name in ("case_submit", "case_notify", "case_plan", "case_override", "case_withdraw", "case_advance"):
        assert staff_client.post(reverse(name, args=[case.pk]), {}).status_code == 404
    assert staff_client.get(reverse("referral_edit", args=[provider.pk])).status_code == 404
    assert staff_client.post(reverse("case_open", args=[theirs.pk]), {}).status_code == 404


def test_case_list_filters_by_state(staff_client, team, approved_case, client_in_trouble):
    page = text(staff_client.get(reverse("cases")))
    assert "Trouble Ltd" in page
    assert "Trouble Ltd" not in text(staff_client.get(reverse("cases"), {"state": "closed"}))


def test_a_partner_takes_the_client_over_from_the_review_page(client, team, client_in_trouble):
    acme, incident = client_in_trouble
    case = submitted_case(acme, team["staff"], incident)
    client.force_login(team["partner"])
    client.post(reverse("case_withdraw", args=[case.pk]), {"note": "", "take_over": "1"})
    case.refresh_from_db()
    assert (case.state, case.outcome) == (State.WITHDRAWN, "taken_over")
