"""A member logs in, opens the dashboard and a client page, in English and in Hebrew (right to left)."""

import datetime as dt

import pytest

from parting.evidence.models import Incident
from tests.factories import ClientFactory, IncidentFactory, InvoiceFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unguessable phrase"


@pytest.fixture
def member(db):
    membership = MembershipFactory(user__username="dana", firm__name="Dana & Co")
    membership.user.set_password(PASSWORD)
    membership.user.save()
    today = membership.firm.today()
    late = ClientFactory(firm=membership.firm, name="Slow Payer Ltd")
    for n in range(4):
        InvoiceFactory(
            client=late,
            issued_on=today - dt.timedelta(days=120 + n),
            due_on=today - dt.timedelta(days=100 + n),
            paid_on=today - dt.timedelta(days=40),
        )
    IncidentFactory(client=late, kind=Incident.Kind.DISRESPECT, occurred_on=today - dt.timedelta(days=3))
    good = ClientFactory(firm=membership.firm, name="Steady Client")
    InvoiceFactory(
        client=good,
        issued_on=today - dt.timedelta(days=30),
        due_on=today - dt.timedelta(days=16),
        paid_on=today - dt.timedelta(days=17),
    )
    return membership


def log_in(page, live_server):
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table.clients")


def test_member_sees_dashboard_and_client_page_in_english(page, live_server, member, screenshot):
    log_in(page, live_server)
    assert page.locator("html").get_attribute("dir") == "ltr"
    first_row = page.locator("table.clients tbody tr").first
    assert "Slow Payer Ltd" in first_row.inner_text()  # lowest score first
    page.wait_for_function("document.querySelector('#chart-distribution').width > 0")
    screenshot("dashboard-en")
    page.click("text=Slow Payer Ltd >> nth=0")
    page.wait_for_selector("table.signs")
    assert "Payment trouble" in page.inner_text("table.signs")
    assert "Paid 4 of 4 invoices late" in page.inner_text("table.signs")
    screenshot("client-en")


def test_member_switches_to_hebrew_and_pages_read_right_to_left(page, live_server, member, screenshot):
    log_in(page, live_server)
    page.select_option("#language", "he")
    page.click("#language-submit")
    page.wait_for_selector("html[dir=rtl]")
    assert page.locator("html").get_attribute("lang") == "he"
    # The navigation sits at the right edge in a right-to-left page.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > 640
    screenshot("dashboard-he")
    page.click("table.clients tbody tr >> nth=0 >> a")
    page.wait_for_selector("table.signs")
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot("client-he")
