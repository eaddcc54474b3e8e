"""The call script (C5, C7, C11) and the termination clause (N5) in every language."""

import pytest

from parting.letters.clause import termination_clause
from parting.letters.phrases import LANGUAGES, days, problems
from parting.letters.script import call_script
from parting.letters.tone import tone_check


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_phrase_with_placeholders_that_something_fills(lang):
    assert problems(lang) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_c7_the_call_script_has_every_section_and_passes_the_tone_checker(letter_case, team, lang):
    script = call_script(letter_case, lang, sender=team["staff"])
    keys = [section.key for section in script.sections]
    assert keys == ["opening", "decision", "reason", "reasons", "reasons_list", "next", "pushback", "close"]
    reasons = next(s for s in script.sections if s.key == "reasons_list")
    assert len(reasons.lines) == 3 and reasons.lines[2] == "Shouted at Ana on the phone"  # the written reason
    assert len(next(s for s in script.sections if s.key == "pushback").pairs) >= 3
    signs_only = "\n".join(line for s in script.sections for line in s.lines if line != "Shouted at Ana on the phone")
    assert tone_check(signs_only, lang, limit=None) == []
    assert tone_check("\n".join(x for s in script.sections for p in s.pairs for x in p), lang, limit=None) == []
    without = call_script(letter_case, lang, sender=team["staff"], with_reasons=False)
    assert "reasons_list" not in [section.key for section in without.sections]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_n5_the_clause_has_notice_replacement_and_refund_or_credit_and_a_lawyer_note(lang):
    full = termination_clause(lang, notice_days=30, replacement=True, basis="refund")
    short = termination_clause(lang, notice_days=30, replacement=False, basis="credit")
    assert len(full.paragraphs) == 3 and len(short.paragraphs) == 2
    assert days(lang, 30) in full.paragraphs[0]
    assert full.paragraphs[-1] != short.paragraphs[-1]  # refund and credit read differently
    assert full.note and tone_check(full.text, lang, limit=None) == []


def test_days_follow_each_languages_plural_rules():
    assert [days("ru", n) for n in (1, 3, 5, 21)] == ["1 день", "3 дня", "5 дней", "21 день"]
    assert [days("pl", n) for n in (1, 2, 5, 22)] == ["1 dzień", "2 dni", "5 dni", "22 dni"]
    assert [days("en", n) for n in (1, 14)] == ["1 day", "14 days"]
    assert days("ro", 20) == "20 de zile" and days("ro", 14) == "14 zile"
