"""Writing, editing and sending the letter (C1, C5, O9): versions kept, mail through Django's backend
with the PDF, recorded with its Message-ID; the tone checker stops an error unless overridden."""

import smtplib

import pytest
from django.core import mail

from parting.audit.models import AuditEntry
from parting.cases.models import CaseTask
from parting.cases.services import CaseError, case_notify
from parting.letters.models import LetterSending, LetterVersion
from parting.letters.services import letter_document, letter_edit, letter_generate, letter_send, render
from tests.factories import FirmFactory, InvoiceFactory, MembershipFactory


def test_the_letter_is_written_in_the_clients_language_by_default(letter_case, team):
    contact = letter_case.client.contacts.get()
    contact.language = "pl"
    contact.save()
    letter = letter_generate(case=letter_case, by=team["staff"])
    assert letter.lang == "pl" and letter.current.source == LetterVersion.Source.GENERATED


def test_every_edit_is_kept_as_a_version_and_writing_again_keeps_the_edits(letter_case, team):
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    first = letter.current
    edited = letter_edit(
        letter=letter, by=team["owner"], subject=first.subject, body=first.body + "\n\nP.S. Thank you."
    )
    assert edited.number == 2 and edited.source == LetterVersion.Source.EDITED
    assert (
        letter_edit(letter=letter, by=team["owner"], subject=first.subject, body=edited.body).number == 2
    )  # no change
    letter_generate(case=letter_case, by=team["owner"], lang="en")
    assert list(letter.versions.values_list("number", "source")) == [(1, "generated"), (2, "edited"), (3, "generated")]
    assert LetterVersion.objects.get(letter=letter, number=2).body.endswith("P.S. Thank you.")


def test_an_empty_letter_is_refused_and_nothing_is_saved(letter_case, team):
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    with pytest.raises(CaseError, match="Text: a letter needs its text"):
        letter_edit(letter=letter, by=team["staff"], subject="Hello", body="  \n ")
    for subject in ("Hello\nBcc: someone@example.com", "Hello\x0bBcc: someone@example.com", "Hi\u2028there"):
        with pytest.raises(CaseError, match="Subject: one line only"):
            letter_edit(letter=letter, by=team["staff"], subject=subject, body="Text")
    assert letter.versions.count() == 1


def test_word_soft_line_breaks_and_control_characters_never_break_a_render(letter_case, team):
    letter_case.client.name = "Acme\x0b Ltd\x01"
    letter_case.client.save()
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    version = letter_edit(
        letter=letter, by=team["staff"], subject="Our services", body="Dear Ms Kowalska,\x0bthank you.\x0c"
    )
    assert version.body == "Dear Ms Kowalska,\nthank you."
    doc = letter_document(letter, version)
    for fmt in ("pdf", "docx", "eml"):
        assert render(doc, fmt)


def test_sending_mails_text_html_and_the_pdf_and_records_the_message_id(letter_case, team):
    case_notify(case=letter_case, by=team["staff"])
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    sending = letter_send(letter=letter, by=team["staff"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Anna Kowalska <anna@example.com>"] and message.subject == letter.current.subject
    assert message.extra_headers["Message-ID"] == sending.message_id
    assert [a[2] for a in message.attachments] == ["application/pdf"]
    assert message.attachments[0][1].startswith(b"%PDF-")
    assert message.alternatives[0][1] == "text/html"
    assert sending.to == "anna@example.com" and sending.version == letter.current
    # O9, C1: the written follow-up is done on the checklist, with where it went
    task = letter_case.tasks.get(kind="letter")
    assert task.status == CaseTask.Status.DONE and sending.message_id in task.notes
    assert AuditEntry.objects.filter(action="case.letter_sent", target=f"case:{letter_case.pk}").exists()


def test_c5_a_tone_error_stops_sending_until_overridden_with_a_reason(letter_case, team):
    case_notify(case=letter_case, by=team["staff"])
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    body = letter.current.body.replace("This decision is final.", "Maybe we can talk again later.")
    letter_edit(letter=letter, by=team["staff"], subject=letter.current.subject, body=body)
    with pytest.raises(CaseError, match="C5 “Maybe”"):
        letter_send(letter=letter, by=team["staff"])
    assert mail.outbox == []
    sending = letter_send(letter=letter, by=team["staff"], override_reason="The partner agreed this wording.")
    assert len(mail.outbox) == 1
    assert sending.override_reason == "The partner agreed this wording."
    assert [f["rule"] for f in sending.findings] == ["C5"]


def test_c1_a_letter_that_follows_the_call_waits_until_the_client_has_been_told(letter_case, team):
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    with pytest.raises(CaseError, match="C1: tell the client in a call or a meeting first"):
        letter_send(letter=letter, by=team["staff"])
    assert mail.outbox == [] and not LetterSending.objects.exists()


def test_c1_a_letter_only_ending_is_the_notice_and_d10_still_holds(letter_case, team):
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en", after_call=False)
    unpaid = InvoiceFactory(client=letter_case.client, number="INV-404")
    with pytest.raises(CaseError, match=r"D10: this letter notifies the client.*INV-404"):
        letter_send(letter=letter, by=team["staff"])
    assert mail.outbox == []
    unpaid.delete()
    letter_send(letter=letter, by=team["staff"])
    letter_case.refresh_from_db()
    assert letter_case.state == "notified" and letter_case.notified_on == letter_case.firm.today()
    assert letter_case.plan_told["end_date"]["value"]  # the plan as told is frozen (O9)
    assert letter_case.tasks.get(kind="letter").status == CaseTask.Status.DONE


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"anna@example.com": (550, b"No such user")})


def test_a_failed_sending_is_kept_as_failed_and_the_case_does_not_move(letter_case, team, settings):
    case_notify(case=letter_case, by=team["staff"])
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    settings.EMAIL_BACKEND = "tests.letters.test_letter_sending.RefusingBackend"
    with pytest.raises(CaseError, match="The mail server did not take the letter"):
        letter_send(letter=letter, by=team["staff"])
    (sending,) = LetterSending.objects.all()
    assert sending.status == LetterSending.Status.FAILED and "No such user" in sending.error
    assert letter_case.tasks.get(kind="letter").status == CaseTask.Status.OPEN
    assert not AuditEntry.objects.filter(action="case.letter_sent").exists()


def test_the_version_sent_is_the_one_the_member_read(letter_case, team):
    case_notify(case=letter_case, by=team["staff"])
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    letter_edit(letter=letter, by=team["owner"], subject="Changed", body="Dear Ms Kowalska,\n\nChanged meanwhile.")
    with pytest.raises(CaseError, match="Version 2 was saved since you opened the letter"):
        letter_send(letter=letter, by=team["staff"], version=1)
    assert letter_send(letter=letter, by=team["staff"], version=2).version.number == 2


def test_d4_a_letter_is_not_sent_before_the_case_is_approved(team, client_in_trouble):
    from tests.conftest import submitted_case

    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    letter = letter_generate(case=case, by=team["staff"], lang="en")  # drafting it early is fine
    with pytest.raises(CaseError, match="D4: a letter is sent once the case is approved"):
        letter_send(letter=letter, by=team["staff"], to="a@example.com")


def test_a_contact_without_an_address_needs_one_and_a_bad_address_is_named(letter_case, team):
    case_notify(case=letter_case, by=team["staff"])
    letter_case.client.contacts.update(email="")
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    with pytest.raises(CaseError, match="To: the client's contact has no e-mail address"):
        letter_send(letter=letter, by=team["staff"])
    with pytest.raises(CaseError, match="To: not-an-address is not an e-mail address"):
        letter_send(letter=letter, by=team["staff"], to="not-an-address")
    assert mail.outbox == []


def test_a_member_of_another_firm_cannot_write_the_letter(letter_case):
    stranger = MembershipFactory(firm=FirmFactory()).user
    with pytest.raises(CaseError):
        letter_generate(case=letter_case, by=stranger, lang="en")
