"""A letter goes once (C1): a sending in flight or a version already sent refuses another; a sending
still pending after ten minutes died with its process; an edited version may be sent as a correction."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from parting.cases.services import CaseError, case_notify
from parting.letters.models import LetterSending
from parting.letters.services import RESEND_AFTER, letter_edit, letter_generate, letter_send


@pytest.fixture
def letter(letter_case, team):
    case_notify(case=letter_case, by=team["staff"])
    return letter_generate(case=letter_case, by=team["staff"], lang="en")


def test_c1_a_version_already_sent_is_not_sent_again(letter, team):
    letter_send(letter=letter, by=team["staff"])
    with pytest.raises(CaseError, match=r"Version 1 was sent to anna@example\.com on .*; it goes once"):
        letter_send(letter=letter, by=team["partner"])
    assert len(mail.outbox) == 1


def test_c1_an_edited_version_can_be_sent_as_a_correction(letter, team):
    letter_send(letter=letter, by=team["staff"])
    current = letter.current
    letter_edit(letter=letter, by=team["staff"], subject=current.subject, body=current.body + "\n\nP.S. Corrected.")
    letter_send(letter=letter, by=team["staff"])
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(("minutes_ago", "refused"), [(9, True), (11, False)])
def test_c1_a_pending_sending_blocks_for_ten_minutes_then_counts_as_died(letter, team, minutes_ago, refused):
    assert dt.timedelta(minutes=10) == RESEND_AFTER
    pending = LetterSending.objects.create(
        letter=letter, version=letter.current, to="anna@example.com", message_id="<x@y>", by=team["staff"]
    )
    LetterSending.objects.filter(pk=pending.pk).update(at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    if refused:
        with pytest.raises(CaseError, match="being sent right now"):
            letter_send(letter=letter, by=team["staff"])
        assert mail.outbox == []
    else:
        letter_send(letter=letter, by=team["staff"])
        assert len(mail.outbox) == 1
