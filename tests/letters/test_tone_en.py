"""The English tone checker (C2–C6, C8, C4): words that break the rules are found with the rule they
break, ordinary sentences that only look like them are not, and length is judged (C4, C12)."""

import pytest

from parting.letters.phrases import ADDRESS_FORMS, module
from parting.letters.tone import MAX_WORDS, errors, tone_check

SHOULD_BE_FLAGGED = [
    ("It was your fault that the deadline was missed.", "C3"),
    ("Because of you, the project ran late.", "C3"),
    ("You always sent the documents at the last minute.", "C3"),
    ("You never answered our reminders.", "C3"),
    ("You have failed to pay on time.", "C3"),
    ("You kept calling the partners at night.", "C3"),
    ("You paid late every month.", "C3"),
    ("We do not blame anyone, but this cannot go on.", "C3"),
    ("You have been a difficult client.", "C3"),
    ("Your team was unprofessional.", "C3"),
    ("Your assistant was rude to our staff.", "C6"),
    ("The tone of your calls was disrespectful.", "C6"),
    ("Such behaviour is unacceptable.", "C2"),
    ("Frankly, we are fed up.", "C2"),
    ("We will no longer tolerate this.", "C2"),
    ("Maybe we can talk again next year.", "C5"),
    ("Perhaps we could continue on a smaller scope.", "C5"),
    ("We are stopping the work for now.", "C5"),
    ("For the time being, we will not take new work.", "C5"),
    ("Unless you pay, we will not hand over the files.", "C5"),
    ("We might reconsider in spring.", "C5"),
    ("The terms are negotiable.", "C5"),
    ("We think it is best to break up.", "C8"),
    ("We are pausing our work together.", "C8"),
    ("Let us put the account on hold.", "C8"),
    ("To be honest, this was hard.", "C4"),
]

SHOULD_PASS = [
    "This decision is final.",
    "Thank you for the trust you have placed in us.",
    "We will send you all your files so that you keep a copy.",
    "Please remove our access by 1 March 2027.",
    "Our last day of work for you will be 1 March 2027.",
    "We will complete the annual accounts before that date.",
    "The break-even analysis is attached.",  # not "break up"
    "We will hand back the logins that belong to you.",
    "You may wish to contact the following firms.",
    "It is a question of what we can offer.",
    "Our practice has grown quickly.",
    "We wish you all the best.",
    "The deadline for the tax return is 31 January.",
]


@pytest.mark.parametrize(("sentence", "rule"), SHOULD_BE_FLAGGED)
def test_words_that_break_a_rule_are_flagged_with_that_rule(sentence, rule):
    assert rule in {f.rule for f in tone_check(sentence, "en", limit=None)}, sentence


@pytest.mark.parametrize("sentence", SHOULD_PASS)
def test_ordinary_sentences_are_not_flagged(sentence):
    assert tone_check(sentence, "en", limit=None) == []


def test_a_finding_names_the_words_their_place_and_what_to_write_instead():
    text = "Thank you. We are pausing our work."
    (finding,) = tone_check(text, "en", limit=None)
    assert (finding.rule, finding.level, finding.words) == ("C8", "error", "pausing")
    assert text[finding.start : finding.end] == "pausing" and finding.instead == "end our services"
    assert "break up" in finding.advice


def test_c4_c12_a_long_letter_and_a_long_sentence_are_warnings_not_errors():
    letter = " ".join(["We will finish the work."] * (MAX_WORDS // 5 + 1))
    assert any(f.rule == "C4" and f.level == "warning" and f.start == 0 for f in tone_check(letter, "en"))
    sentence = "We " + " and ".join(["finish the work"] * 20) + "."
    found = tone_check(sentence, "en")
    assert [f.rule for f in found] == ["C4"] and errors(found) == []


def test_every_english_phrase_passes_the_checker_in_every_form_of_address():
    for key, value in module("en").T.items():
        texts = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        for text in texts:
            for piece in text if isinstance(text, tuple) else [text]:
                assert tone_check(piece, "en", limit=None) == [], (key, piece)
    assert set(ADDRESS_FORMS) == set(module("en").T["salutation"])


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "This decision is final and not open to negotiation."),
        ("en", "This decision is final, not negotiable."),
        ("en", "We will not reconsider this decision."),
        ("en", "This is not a pause: our services end on 1 March."),
        ("ru", "Решение окончательное и не подлежит обсуждению."),
        ("ru", "Мы не будем пересматривать это решение."),
        ("pl", "Decyzja jest ostateczna i nie podlega negocjacjom."),
        ("ro", "Decizia este definitivă și nu este negociabilă."),
        ("ro", "Decizia nu va fi reconsiderată."),
        ("he", "ההחלטה סופית ואינה פתוחה למשא ומתן."),
        ("he", "ההחלטה סופית ואינה ניתנת לשינוי."),
    ],
)
def test_c5_saying_the_decision_is_not_open_to_negotiation_is_what_c5_asks_for(lang, sentence):
    assert tone_check(sentence, lang, limit=None) == [], sentence


@pytest.mark.parametrize(
    ("lang", "sentence", "rule"),
    [
        ("en", "I am not sure, maybe later.", "C5"),  # a negation in another clause does not count
        ("en", "We are taking a break from our work together.", "C8"),
        ("en", "You were always late with your payments.", "C3"),
        ("en", "You did not pay on time.", "C3"),
        ("en", "Your late payments forced this decision.", "C3"),
        ("en", "You shouted at our staff.", "C3"),
        ("ru", "Решение не окончательное.", "C5"),  # the negation is the finding itself
    ],
)
def test_negations_elsewhere_and_plain_blame_are_still_flagged(lang, sentence, rule):
    assert rule in {f.rule for f in tone_check(sentence, lang, limit=None)}, sentence
