"""Writing, editing and sending the letter (C1, C5, O9): versions kept, mail through Django's backend
with the PDF, recorded with its Message-ID; the tone checker stops an error unless overridden."""

import pytest
from django.core import mail

from parting.audit.models import AuditEntry
from parting.cases.models import CaseTask
from parting.cases.services import CaseError, case_notify
from parting.letters.models import LetterVersion
from parting.letters.services import letter_edit, letter_generate, letter_send
from tests.factories import FirmFactory, MembershipFactory


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
    with pytest.raises(CaseError, match="Subject: one line only"):
        letter_edit(letter=letter, by=team["staff"], subject="Hello\nBcc: someone@example.com", body="Text")
    assert letter.versions.count() == 1


def test_sending_mails_text_html_and_the_pdf_and_records_the_message_id(letter_case, team):
    case_notify(case=letter_case, by=team["staff"])
    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    sending = letter_send(letter=letter, by=team["staff"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.com"] and message.subject == letter.current.subject
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


def test_d4_a_letter_is_not_sent_before_the_case_is_approved(team, client_in_trouble):
    from tests.conftest import submitted_case

    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    letter = letter_generate(case=case, by=team["staff"], lang="en")  # drafting it early is fine
    with pytest.raises(CaseError, match="D4: a letter is sent once the case is approved"):
        letter_send(letter=letter, by=team["staff"], to="a@example.com")


def test_a_contact_without_an_address_needs_one_and_a_bad_address_is_named(letter_case, team):
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
