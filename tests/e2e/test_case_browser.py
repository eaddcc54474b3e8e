"""From the demo dashboard: a staff member opens a case for a flagged client, adds three reasons and
sends it for review; the partner approves it; the plan (with the rule behind each date) and the
checklist appear (D4, D8, N1–N2, O1–O9)."""

import pytest

from parting.cases.models import OffboardingCase
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FLAGGED = "Atlas Freight Forwarding Ltd"  # on the demo's "consider parting" shortlist, with no case yet


def test_open_a_case_from_the_demo_dashboard_and_have_the_partner_approve_it(page, live_server, demo, screenshot):
    log_in(page, live_server, "staff")
    page.click(f"#shortlist >> text={FLAGGED}")
    page.click("#open-case")
    page.select_option("#id_outward_reason", "capacity")
    page.click("#case-open button[type=submit]")
    page.wait_for_selector("#reason-form")

    for sign in ("W7", "W8", "W10"):
        page.select_option("#reason-form #id_sign_id", sign)
        page.click("#reason-form button[type=submit]")
        page.wait_for_selector(f"#reasons li:has-text('{sign} ')")
    assert page.locator("#reasons ol.reasons > li").count() == 3
    assert "Paid" in page.inner_text("#reasons")  # the W7 explanation, frozen with its evidence
    page.click("#submit-case")
    page.wait_for_selector(".state-in_review")
    screenshot("case-in-review")
    page.click("button.link:has-text('Log out')")

    log_in(page, live_server, "partner")
    case = OffboardingCase.objects.get(client__name=FLAGGED)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("#review-link")
    assert "Is this more than one bad incident?" in page.inner_text("#checks")
    page.select_option("#id_decision", "approve")
    page.fill("#id_comment", "Agreed; tell them after the December payroll.")
    page.click("#review-form button[type=submit]")
    page.wait_for_selector(".state-approved")

    plan = page.inner_text("#plan")
    assert "End date: the last day of service" in plan and "Deletion date told to the client" in plan
    end_row = page.locator("#plan tr", has_text="End date: the last day").inner_text()
    assert "N1" in end_row or "N2" in end_row  # the rule that produced the date is shown beside it
    checklist = page.inner_text("#checklist")
    assert "Tell the client in a call or a meeting" in checklist
    assert "Have the client remove our access" in checklist  # one task per access grant (O2)
    assert "Hand back the client's login" in checklist  # the login the demo firm keeps for Atlas (O4)
    assert page.locator("#checklist tr[data-kind=access]").count() == 3
    screenshot("case-approved")

    # The checklist is one form (issue 11): notes on two tasks, one press, and the progress line.
    assert "0 of" in page.inner_text("#checklist-progress")
    page.locator("#checklist tr[data-kind=files] input[type=text]").fill("Export from the DMS on Friday")
    page.locator("#checklist tr[data-kind=billing] input[type=text]").fill("Standing order ends in March")
    page.click("#save-checklist")
    page.wait_for_selector("text=2 tasks saved.")
    notes = sorted(case.tasks.exclude(notes="").values_list("notes", flat=True))
    assert notes == ["Export from the DMS on Friday", "Standing order ends in March"]
    screenshot("case-checklist-saved")
