"""Issue 10 §7: a member imports a real export in the browser — upload, columns, dry run, the choice
for a client Parting does not know, import — and the client page shows the new evidence. The page fixture fails the test on any console error or CSP violation."""

from pathlib import Path

import pytest

from parting.evidence.models import Invoice
from tests.factories import ClientFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unguessable phrase"
SAMPLE = Path(__file__).resolve().parents[1] / "imports" / "samples" / "money" / "xero_invoices.csv"


@pytest.fixture
def member(db):
    membership = MembershipFactory(user__username="dana", firm__name="Dana & Co")
    membership.user.set_password(PASSWORD)
    membership.user.save()
    return membership


def log_in(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table.clients")


def test_a_member_imports_a_xero_export_with_a_dry_run_first_and_sees_it_on_the_client_page(
    page, live_server, member, screenshot
):
    firm = member.firm
    csv = SAMPLE.read_text(encoding="utf-8-sig")
    names = sorted({line.split(",")[0].strip('"') for line in csv.splitlines()[1:] if line})
    ClientFactory(firm=firm, name=names[0])  # one client exists; the others are unknown
    log_in(page, live_server)
    page.click("nav >> text=Import")
    page.select_option("select[name=kind]", "invoices")
    page.set_input_files("#import-files", str(SAMPLE))
    page.click("button:has-text('Upload')")
    page.wait_for_selector("table.mapping")
    screenshot("import-columns")
    page.click("button:has-text('Dry run')")
    page.wait_for_selector("button:has-text('Import')")
    assert Invoice.objects.filter(firm=firm).count() == 0  # a dry run writes nothing
    text = page.inner_text("main")
    assert "added" in text
    screenshot("import-dry-run")
    for select in page.locator("select[name^=choice_]").all():
        select.select_option("create")
    page.click("button:has-text('Import')")
    page.wait_for_selector("text=Done")
    assert Invoice.objects.filter(firm=firm).exists()
    invoice = Invoice.objects.filter(firm=firm).order_by("number").first()
    page.goto(f"{live_server.url}/clients/{invoice.client_id}/")
    assert invoice.number in page.inner_text("main")
