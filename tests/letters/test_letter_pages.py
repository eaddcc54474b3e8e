"""The letter page, the call script and the clause as members use them."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from pdfminer.high_level import extract_text

from parting.cases.services import case_notify
from parting.letters.models import Letter
from tests.factories import FirmFactory, MembershipFactory


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def staff_client(client, team):
    client.force_login(team["staff"])
    return client


def saved(staff_client, case, lang="en") -> Letter:
    """The letter as a member keeps it: written from the case, then saved from the page."""
    staff_client.post(
        reverse("case_letter", args=[case.pk]) + f"?lang={lang}",
        {"action": "generate", "lang": lang, "after_call": "1"},
    )
    return Letter.objects.get(case=case, lang=lang)


def test_the_letter_page_shows_the_letter_from_the_case_and_saves_nothing_until_asked(staff_client, letter_case):
    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=en"
    page = text(staff_client.get(url))
    assert "Dear Ms Kowalska," in page and "This decision is final." in page
    assert "No findings" in page and 'id="unsaved"' in page and 'id="download-pdf"' not in page
    assert not Letter.objects.exists()  # a GET never changes the case
    subject = "The end of our services"
    response = staff_client.post(url, {"action": "save", "lang": "en", "subject": subject, "body": "Dear Ms Kowalska,"})
    assert response.status_code == 302
    letter = Letter.objects.get(case=letter_case, lang="en")
    assert list(letter.versions.values_list("number", "source")) == [(1, "generated"), (2, "edited")]
    assert 'id="download-pdf"' in text(staff_client.get(url))


def test_editing_saves_a_version_and_the_page_marks_the_tone_finding_inline(staff_client, letter_case):
    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=en"
    letter = saved(staff_client, letter_case)
    body = letter.current.body.replace("This decision is final.", "We are pausing our work for now.")
    response = staff_client.post(url, {"action": "save", "lang": "en", "subject": letter.current.subject, "body": body})
    assert response.status_code == 302
    assert letter.versions.count() == 2
    page = text(staff_client.get(url))
    assert 'data-rule="C8"' in page and 'data-rule="C5"' in page
    assert '<mark class="finding-error" title="C8' in page and ">pausing</mark>" in page


def test_the_tone_check_answers_as_the_user_types(staff_client, letter_case):
    url = reverse("letter_tone", args=[letter_case.pk]) + "?lang=en"
    found = text(staff_client.post(url, {"subject": "Hello", "body": "It was your fault, frankly."}))
    assert 'data-rule="C3"' in found and 'data-rule="C2"' in found
    clean = text(staff_client.post(url, {"subject": "Hello", "body": "Thank you for working with us."}))
    assert "No findings" in clean


def test_sending_from_the_page_needs_an_override_reason_for_an_error(staff_client, letter_case, team):
    case_notify(case=letter_case, by=team["staff"])
    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=en"
    letter = saved(staff_client, letter_case)
    body = letter.current.body + "\n\nUnless you pay, we will not hand over the files."
    staff_client.post(url, {"action": "save", "lang": "en", "subject": letter.current.subject, "body": body})
    refused = staff_client.post(url, {"action": "send", "lang": "en", "to": "anna@example.com"}, follow=True)
    assert "tone checker found 1 problem:" in text(refused) and mail.outbox == []
    sent = staff_client.post(
        url,
        {"action": "send", "lang": "en", "to": "anna@example.com", "override_reason": "Agreed with the partner"},
        follow=True,
    )
    assert "Sent to anna@example.com" in text(sent) and len(mail.outbox) == 1
    assert "Agreed with the partner" in text(sent)
    timeline = text(staff_client.get(reverse("case_detail", args=[letter_case.pk])))
    assert "Letter edited" in timeline and "Letter sent" in timeline
    assert "Sent despite the tone checker: Agreed with the partner" in timeline  # C5 override, on the case


def test_a_bad_address_on_the_page_is_named_not_a_500(staff_client, letter_case, team):
    case_notify(case=letter_case, by=team["staff"])
    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=en"
    saved(staff_client, letter_case)
    response = staff_client.post(url, {"action": "send", "lang": "en", "to": "nope"}, follow=True)
    assert response.status_code == 200 and "To: Enter a valid email address." in text(response)


def test_downloads_are_a_real_pdf_docx_and_eml(staff_client, letter_case):
    saved(staff_client, letter_case)
    pdf = staff_client.get(reverse("letter_download", args=[letter_case.pk, "en", "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "This decision is final." in " ".join(extract_text(io.BytesIO(pdf.content)).split())
    docx = staff_client.get(reverse("letter_download", args=[letter_case.pk, "en", "docx"]))
    assert docx.content[:2] == b"PK"
    eml = staff_client.get(reverse("letter_download", args=[letter_case.pk, "en", "eml"]))
    assert b"Content-Type: application/pdf" in eml.content


def test_c1_before_the_client_is_told_the_page_asks_for_the_call_first(staff_client, letter_case):
    saved(staff_client, letter_case)
    page = text(staff_client.get(reverse("case_letter", args=[letter_case.pk]) + "?lang=en"))
    assert 'id="call-first"' in page and 'id="send-letter"' not in page


def test_unticking_follows_a_call_writes_a_letter_only_ending_that_can_be_sent_from_approved(staff_client, letter_case):
    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=en"
    saved(staff_client, letter_case)
    staff_client.post(url, {"action": "generate", "lang": "en"})  # the checkbox left unticked
    letter = Letter.objects.get(case=letter_case, lang="en")
    assert letter.after_call is False and "Further to our conversation" not in letter.current.body
    page = text(staff_client.get(url))
    assert 'id="send-letter"' in page and "sending it records that the client has been told" in page


def test_a_version_that_does_not_exist_is_not_found(staff_client, letter_case):
    saved(staff_client, letter_case)
    download = reverse("letter_download", args=[letter_case.pk, "en", "pdf"])
    assert staff_client.get(download + "?v=1").status_code == 200
    assert staff_client.get(download + "?v=999").status_code == 404
    assert staff_client.get(download + "?v=abc").status_code == 404


def test_another_firms_letter_and_script_are_not_found(client, staff_client, letter_case):
    saved(staff_client, letter_case)
    client.force_login(MembershipFactory(firm=FirmFactory()).user)
    for fmt in ("pdf", "docx", "eml"):
        assert client.get(reverse("letter_download", args=[letter_case.pk, "en", fmt])).status_code == 404
    assert client.get(reverse("case_letter", args=[letter_case.pk])).status_code == 404
    assert client.get(reverse("case_script", args=[letter_case.pk])).status_code == 404
    assert client.post(reverse("letter_tone", args=[letter_case.pk]), {"body": "x"}).status_code == 404


def test_c11_the_call_script_shows_the_decision_the_reasons_and_the_answer_to_pushback(staff_client, letter_case):
    page = text(staff_client.get(reverse("case_script", args=[letter_case.pk]) + "?lang=en"))
    assert "We have decided to end our services" in page
    assert "I appreciate your input, but the decision is final." in page  # C5
    assert "several invoices were paid after their due date" in page  # C7: W7 as a fact, without blame
    without = text(staff_client.get(reverse("case_script", args=[letter_case.pk]) + "?lang=en&reasons=0"))
    assert "several invoices were paid after their due date" not in without
    pdf = staff_client.get(reverse("case_script", args=[letter_case.pk]) + "?lang=en&format=pdf")
    assert "the decision is final" in " ".join(extract_text(io.BytesIO(pdf.content)).split())


def test_the_call_script_pdf_has_the_clients_language_then_the_members(client, team, letter_case):
    from parting.firms.models import Membership

    Membership.objects.filter(user=team["staff"]).update(language="pl")
    client.force_login(team["staff"])
    pdf = client.get(reverse("case_script", args=[letter_case.pk]) + "?lang=en&format=pdf").content
    pages = [" ".join(extract_text(io.BytesIO(pdf), page_numbers=[n]).split()) for n in (0, 1)]
    assert "the decision is final" in pages[0]
    assert "decyzja jest ostateczna" in pages[1].lower()


def test_n5_the_clause_page_offers_the_clause_with_its_options(staff_client):
    page = text(staff_client.get(reverse("clause") + "?notice_days=30&basis=credit"))
    assert "30 days after the notice is received" in page
    assert "credited to the Client" in page and "suggest a suitable replacement" not in page
    assert "Have a lawyer review this clause" in page
    bad = staff_client.get(reverse("clause") + "?notice_days=abc")
    assert bad.status_code == 200 and "Notice (days)" in text(bad)


def test_the_clients_name_is_isolated_and_escaped_in_the_heading(staff_client, letter_case):
    letter_case.client.name = "Baltic <b>Amber</b> sp. z o.o."
    letter_case.client.save()
    page = staff_client.get(reverse("case_letter", args=[letter_case.pk]) + "?lang=he").content.decode()
    assert "<bdi>Baltic &lt;b&gt;Amber&lt;/b&gt; sp. z o.o.</bdi>" in page  # RTL pages keep the full stop in place
    assert "<b>Amber</b>" not in page


def test_o9_the_page_says_when_the_case_changed_since_the_letter_was_written(staff_client, letter_case, team):
    from parting.cases.services import plan_override

    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=en"
    saved(staff_client, letter_case)
    assert 'id="outdated"' not in text(staff_client.get(url))
    plan_override(case=letter_case, by=team["owner"], field="end_date", value="2027-06-30", reason="Finish the audit")
    page = text(staff_client.get(url))
    assert 'id="outdated"' in page
    staff_client.post(url, {"action": "generate", "lang": "en", "after_call": "1"})
    page = text(staff_client.get(url))
    assert 'id="outdated"' not in page and "30 June 2027" in page
