"""From the demo: the partner opens the approved case, writes its letter, adds a sentence the tone
checker flags (C5), sees the finding inline, fixes it and saves; records that the client was told in
the call, and sends the letter (C1, O9)."""

import pytest
from django.core import mail

from parting.cases.models import OffboardingCase
from parting.letters.models import LetterSending
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVED = "Baltic Amber Trade sp. z o.o."  # the demo's approved case; its contact writes in Polish


def test_write_the_letter_for_a_demo_case_fix_a_tone_finding_and_send_it(page, live_server, demo, screenshot):
    log_in(page, live_server, "partner")
    page.click("nav >> text=Cases")
    page.click(f"text={APPROVED}")
    page.click("#letter-link")
    page.wait_for_selector("#letter-form")
    assert page.locator("nav.tabs a.current").inner_text() == "Polski"  # the client's language
    body = page.input_value("#id_body")
    assert body.startswith("Szanowny Panie") and "Biuro Rachunkowe Lewandowska" in body  # C10: a referral
    assert "No findings" in page.inner_text("#tone")
    screenshot("letter-pl")

    # The English letter, edited with a sentence that invites negotiation (C5).
    page.click("nav.tabs >> text=English")
    page.wait_for_selector("#letter-form")
    original = page.input_value("#id_body")
    page.fill("#id_body", original.replace("This decision is final.", "Maybe we can find a way to continue."))
    page.locator("#id_body").dispatch_event("input")
    page.wait_for_selector("#tone li.finding[data-rule=C5]")
    assert page.locator("#tone mark.finding-error").first.inner_text() == "Maybe"
    screenshot("letter-tone-finding")

    page.fill(
        "#id_body",
        original.replace("This decision is final.", "This decision is final. We will make the handover easy."),
    )
    page.locator("#id_body").dispatch_event("input")
    page.wait_for_selector("#tone-summary.ok")
    page.click("#save-letter")
    page.wait_for_selector("text=Saved as version")
    assert "We will make the handover easy." in page.input_value("#id_body")

    # C1: the letter follows the call. Record on the case page that the client has been told; the demo
    # client still owes two invoices, so the D10 override needs its reason.
    page.click("#call-first a")
    page.fill("#id_unpaid_override", "Both invoices are on a payment plan agreed in the call.")
    page.click("#notify-form button[type=submit]")
    page.wait_for_selector(".state-notified")
    page.click("#letter-link")
    page.click("nav.tabs >> text=English")
    page.wait_for_selector("#send-letter")
    page.click("#send-letter")
    page.wait_for_selector("#sendings")
    case = OffboardingCase.objects.get(client__name=APPROVED)
    sending = LetterSending.objects.get(letter__case=case)
    assert sending.to == page.locator("#id_to").input_value()
    assert sending.message_id in page.inner_text("#sendings")
    assert len(mail.outbox) == 1 and "We will make the handover easy." in mail.outbox[0].body
    assert case.tasks.get(kind="letter").status == "done"  # the checklist's written follow-up (O9)
    screenshot("letter-sent")
