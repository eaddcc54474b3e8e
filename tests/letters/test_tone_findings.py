"""What a tone finding tells the page and the API (C2–C8, C4 length): its exact fields, the advice of
its rule, one finding per passage however many rules match it, and the words found whatever their case.
Written against the survivors of `make mutate` on letters/tone.py."""

from parting.letters.tone import ADVICE, MAX_SENTENCE_WORDS, MAX_WORDS, Finding, tone_check


def test_a_finding_as_the_page_and_the_api_read_it():
    (finding,) = tone_check("This is unacceptable.", "en", limit=None)
    assert finding.as_dict() == {
        "rule": "C2",
        "level": "error",
        "start": 8,
        "end": 20,
        "words": "unacceptable",
        "instead": "",
        "advice": str(ADVICE["C2"]),
    }


def test_a_rule_without_advice_gives_empty_advice_not_none():
    assert Finding("C9", "warning", 0, 1, "x").advice == ""


def test_c2_words_are_found_in_capitals_too():
    (finding,) = tone_check("This is UNACCEPTABLE.", "en", limit=None)
    assert (finding.rule, finding.words) == ("C2", "UNACCEPTABLE")


def test_c3_c6_one_passage_gets_one_finding_the_first_rule_listed_wins():
    """ "you were rude" is C3 (blame) and holds C6's "rude": the passage is reported once, as C3."""
    findings = tone_check("I am sorry, but you were rude.", "en", limit=None)
    assert [(f.rule, f.words) for f in findings] == [("C3", "you were rude")]


def test_c6_a_rules_later_passage_is_still_found_after_one_inside_another_finding():
    findings = tone_check("You were rude. Such rudeness has no place here.", "en", limit=None)
    assert [(f.rule, f.words) for f in findings] == [("C3", "You were rude"), ("C6", "rudeness")]


def test_c4_a_long_letter_is_one_warning_for_the_whole_text_with_its_word_count():
    text = " ".join(["We finish the work."] * (MAX_WORDS // 4 + 1))
    (finding,) = [f for f in tone_check(text, "en") if f.start == 0 and f.end == 0]
    assert finding.as_dict() == {
        "rule": "C4",
        "level": "warning",
        "start": 0,
        "end": 0,
        "words": f"{MAX_WORDS + 4} words",
        "instead": "",
        "advice": str(ADVICE["C4"]),
    }


def test_c5_a_negation_in_capitals_still_states_finality():
    assert tone_check("Our decision is NOT open to discussion.", "en", limit=None) == []


def test_c8_after_a_negated_passage_the_same_rules_next_passage_is_still_found():
    findings = tone_check("This is not a pause. A pause would mislead you.", "en", limit=None)
    assert [(f.rule, f.words) for f in findings] == [("C8", "pause")]
    assert findings[0].start == len("This is not a pause. A ")


def test_c4_a_long_letters_word_count_reads_in_the_letters_language():
    from django.utils import translation

    text = " ".join(["Мы завершаем работу."] * 135)  # 405 words: "405 слов", Russian's many-form
    assert len(text.split()) == 405 > MAX_WORDS
    with translation.override("ru"):
        (finding,) = [f for f in tone_check(text, "ru") if f.start == 0 and f.end == 0]
        assert finding.words == "405 слов"


def test_c4_each_long_sentence_is_marked_where_it_stands_even_when_repeated():
    long = " ".join(["word"] * (MAX_SENTENCE_WORDS + 1)) + "."
    text = f"{long} Short one. {long}"
    findings = [f for f in tone_check(text, "en") if f.rule == "C4"]
    second = text.rindex(long)
    assert [(f.start, f.end) for f in findings] == [(0, len(long)), (second, second + len(long))]
