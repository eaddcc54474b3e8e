"""Edges of the tone checker: a phrase of several words that states finality (C5) is recognised as
negated as a whole, and a letter exactly at the length limits is not called long (C4, C12)."""

import pytest

from parting.letters.tone import MAX_SENTENCE_WORDS, MAX_WORDS, tone_check


@pytest.mark.parametrize(
    "sentence",
    [
        "Our decision is not open to discussion.",
        "The end date is not open to discussion.",
        "This is not a pause.",
    ],
)
def test_c5_c8_a_negated_phrase_of_several_words_states_finality_and_is_not_flagged(sentence):
    assert tone_check(sentence, "en", limit=None) == []


def test_c5_the_same_phrase_without_the_negation_is_flagged():
    (finding,) = tone_check("Our decision is open to discussion.", "en", limit=None)
    assert (finding.rule, finding.words) == ("C5", "open to discussion")


def test_c4_c12_a_letter_of_exactly_the_word_limit_is_not_long_and_one_more_word_is():
    sentence = "We finish the work."  # four words, far from the sentence limit
    at_limit = " ".join([sentence] * (MAX_WORDS // 4))
    assert len(at_limit.split()) == MAX_WORDS
    assert tone_check(at_limit, "en") == []
    (finding,) = tone_check(at_limit + " Thanks.", "en")
    assert (finding.rule, finding.level, finding.words) == ("C4", "warning", f"{MAX_WORDS + 1} words")


def test_c4_a_sentence_of_exactly_the_sentence_limit_is_not_long_and_one_more_word_is():
    words = ["work"] * MAX_SENTENCE_WORDS
    assert tone_check(" ".join(words) + ".", "en") == []
    longer = "Thank you. " + " ".join([*words, "today"]) + "."
    (finding,) = tone_check(longer, "en")
    assert finding.rule == "C4" and finding.level == "warning"
    assert (finding.start, finding.end) == (len("Thank you. "), len(longer))
    assert finding.words == longer[finding.start : finding.start + 60] + "…"
