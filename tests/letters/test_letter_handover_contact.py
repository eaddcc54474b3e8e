"""No login name reaches the client: the handover contact is a person (full name and e-mail) or the firm
with an e-mail address, and a letter by a member without a full name is signed, and sent, by the firm."""

import pytest

from parting.letters import content, mail

ISOLATES = str.maketrans("", "", "\u2066\u2069")


def body(case, lang, by):
    return content.letter_compose(case, lang, sender=by)[1].translate(ISOLATES)


def handover_sentence(case, lang, by):
    text = body(case, lang, by)
    marker = {"en": "For practical questions", "pl": "W sprawach praktycznych"}[lang]
    return next(line for line in text.splitlines() if marker in line)


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_member_without_a_full_name_is_given_as_the_firm_with_their_email_never_their_login(letter_case, team, lang):
    member = team["staff"]
    member.username, member.first_name, member.last_name, member.email = "owner", "", "", "desk@firm.example"
    member.save()
    letter_case.client.assigned_to = member
    letter_case.client.save()
    sentence = handover_sentence(letter_case, lang, member)
    assert f"{letter_case.firm.name} (desk@firm.example)" in sentence
    assert "owner" not in sentence


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_member_without_name_or_email_is_given_as_the_firm_and_its_email(letter_case, team, lang):
    member = team["staff"]
    member.username, member.first_name, member.last_name, member.email = "owner", "", "", ""
    member.save()
    firm = letter_case.firm
    firm.email = "office@firm.example"
    firm.save()
    letter_case.client.assigned_to = member
    letter_case.client.save()
    sentence = handover_sentence(letter_case, lang, member)
    assert f"{firm.name} (office@firm.example)" in sentence and "owner" not in sentence


def test_a_member_with_a_full_name_is_named_with_their_email(letter_case, team):
    member = team["staff"]
    member.first_name, member.last_name, member.email = "Oren", "Harel", "oren@firm.example"
    member.save()
    letter_case.client.assigned_to = member
    letter_case.client.save()
    assert "please contact Oren Harel (oren@firm.example)." in handover_sentence(letter_case, "en", member)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_a_letter_signed_by_a_member_without_a_full_name_is_signed_by_the_firm_never_their_login(
    letter_case, team, lang
):
    member = team["staff"]
    member.username, member.first_name, member.last_name = "owner", "", ""
    member.save()
    doc = content.document(letter_case, lang, subject="S", body="B", sender=member)
    assert doc.signature == [letter_case.firm.name]
    assert doc.from_name == ""
    email = mail.message(doc, to="anna@example.com", pdf=b"%PDF", filename="letter.pdf")
    assert "owner" not in email.from_email and letter_case.firm.name in email.from_email
