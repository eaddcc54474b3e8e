"""The negative-tone heuristic (W10) and the language guess: each side of the threshold in each
language, stems that catch inflected forms, shouting and exclamation marks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parting.imports import tone

# (language, one complaint word only: below the threshold, two complaints or a threat: at it)
SIDES = [
    ("en", "I am disappointed with the draft.", "I am disappointed, the delay is unacceptable."),
    ("ru", "Я разочарован результатом.", "Я разочарована, это недопустимо."),
    ("pl", "Jestem rozczarowany wynikiem.", "Jestem rozczarowana, to niedopuszczalne."),
    ("ro", "Sunt dezamăgit de raport.", "Sunt dezamăgită, este inacceptabil."),
    ("he", "אני מאוכזב מהדוח.", "אני מאוכזבת, זה לא מקובל."),
]


@pytest.mark.parametrize(("language", "below", "at"), SIDES)
def test_w10_one_complaint_word_is_not_negative_two_are(language, below, at):
    assert tone.score(below, language) == tone.THRESHOLD - 1
    assert not tone.negative(below, language)
    assert tone.score(at, language) == tone.THRESHOLD
    assert tone.negative(at, language)


@pytest.mark.parametrize(
    ("language", "threat"),
    [
        ("en", "Otherwise we will take legal action."),
        ("ru", "Иначе мы обратимся в суд."),
        ("pl", "W przeciwnym razie sprawa trafi do sądu."),
        ("ro", "Altfel ne vedem în instanță."),
        ("he", "אחרת נתראה בבית המשפט."),
    ],
)
def test_w10_a_threat_alone_is_negative(language, threat):
    assert tone.negative(threat, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Thank you, the report looks great. See you on Monday."),
        ("ru", "Спасибо, отчёт отличный. До встречи в понедельник."),
        ("pl", "Dziękuję, raport wygląda świetnie. Do zobaczenia w poniedziałek."),
        ("ro", "Mulțumesc, raportul arată foarte bine. Ne vedem luni."),
        ("he", "תודה, הדוח נראה מצוין. נתראה ביום שני."),
    ],
)
def test_w10_ordinary_business_mail_is_not_negative(language, text):
    assert tone.score(text, language) == 0
    assert not tone.negative(text, language)


@pytest.mark.parametrize(
    ("language", "text", "entry"),
    [
        ("ru", "Мы очень разочарованы", "разочарова*"),
        ("ru", "Это возмутительное отношение", "возмутительн*"),
        ("pl", "Jesteśmy rozczarowani", "rozczarowa*"),
        ("pl", "Sytuacja jest skandaliczna", "skandal*"),
        ("ro", "Suntem dezamăgiți", "dezamagi*"),
        ("he", "ומאוכזבים מאוד", "מאוכזב*"),
        ("en", "a disappointing result", "disappoint*"),
    ],
)
def test_stems_catch_inflected_forms(language, text, entry):
    assert entry in dict(tone.matches(text, language))


@pytest.mark.parametrize(
    ("language", "text", "entry"),
    [
        ("pl", "to skandal, zenujace", "żenując*"),  # Polish written without diacritics
        ("ro", "e o bataie de joc", "bătaie de joc"),  # Romanian written without diacritics
        ("ru", "всё решено", ""),
    ],
)
def test_diacritics_are_folded_for_polish_and_romanian(language, text, entry):
    found = dict(tone.matches(text, language))
    if entry:
        assert any(tone._fold(entry.rstrip("*")) in tone._fold(label) for label in found)
    else:
        assert not found


def test_exact_words_do_not_match_longer_words():
    assert tone.matches("We met in the courtyard of the court-house", "en") == []
    assert dict(tone.matches("see you in court", "en")) == {"in court": 2}


def test_each_entry_counts_once_however_often_it_is_repeated():
    assert tone.score("terrible, terrible, terrible", "en") == 1


@pytest.mark.parametrize(
    ("text", "shouting"),
    [
        ("THIS IS NOT WHAT WE AGREED", True),
        ("PLEASE CALL ME today", True),  # three capitalised words in a row, 12 letters
        ("The VAT on the PDF in USD", False),  # acronyms: fewer than 10 letters in a row
        ("OK FINE", False),  # 6 letters: too short to tell
        ("Plain sentence with One Capital", False),
    ],
)
def test_shouting_each_side(text, shouting):
    assert tone.shouting(text) is shouting


@pytest.mark.parametrize(
    ("text", "exclaiming"),
    [("Thanks!", False), ("Thanks! See you!", False), ("Now!!", True), ("One! Two! Three!", True)],
)
def test_exclamation_marks_each_side(text, exclaiming):
    assert tone.exclaiming(text) is exclaiming


def test_w10_one_complaint_shouted_or_with_exclamations_is_negative():
    assert not tone.negative("This is unacceptable.", "en")
    assert tone.negative("THIS IS UNACCEPTABLE", "en")
    assert tone.negative("This is unacceptable!!", "en")
    assert not tone.negative("Where is it!!", "en")  # exclamations alone: 1


def test_english_words_count_in_every_language_and_unknown_language_uses_every_list():
    assert tone.negative("Это unacceptable, я разочарован", "ru")
    assert tone.guess_language("rozczarowany dezamagit") == ""
    assert tone.negative("rozczarowany dezamagit", "")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hello Maria, please find the report attached. Thank you for your help.", "en"),
        ("Добрый день, Мария! Спасибо за отчёт.", "ru"),
        ("Dzień dobry, proszę o przesłanie faktury. Dziękuję.", "pl"),
        ("Nie wiem, czy jest już gotowe, ale to nic.", "pl"),
        ("Bună ziua, vă mulțumesc pentru raport.", "ro"),
        ("Buna ziua, nu este gata si nu stim cand va fi.", "ro"),
        ("שלום טום, תודה על הדוח.", "he"),
        ("Доброго дня, дякую за звіт і їхню роботу.", ""),  # Ukrainian: not one of ours
        ("OK", ""),
        ("12345 !!!", ""),
        ("", ""),
    ],
)
def test_guess_language(text, language):
    assert tone.guess_language(text) == language


def test_every_language_has_a_list_with_threats():
    assert set(tone.WORDS) == {"en", "ru", "pl", "ro", "he"}
    for entries in tone.WORDS.values():
        assert any(weight == 2 for _, weight in entries)
        assert all(weight in (1, 2) for _, weight in entries)


@given(st.text(max_size=300), st.sampled_from(["", "en", "ru", "pl", "ro", "he", "xx"]))
def test_any_text_gives_a_verdict(text, language):
    assert isinstance(tone.negative(text, language), bool)
    assert tone.guess_language(text) in ("", "en", "ru", "pl", "ro", "he")


@pytest.mark.parametrize(
    ("text", "shouting"),
    [
        ("RE: FW: FAKTURA VAT 2026/01/15", False),  # reply prefixes, a number ends the row
        ("Umowa z PHU NOWAK HANDEL SP. Z O.O. została podpisana.", False),  # a company with its legal form
        ("Акт подписан, ООО «СТРОЙИНВЕСТ ГРУПП» оплатит завтра.", False),
        ("Invoice for ACME HOLDINGS LIMITED attached.", False),
        ("WHERE IS MY INVOICE", True),
        ("PILNE: BRAK PŁATNOŚCI ZA FAKTURĘ", True),
        ("RE: WHERE IS MY MONEY", True),
    ],
)
def test_w10_capitals_that_are_names_or_references_are_not_shouting(text, shouting):
    assert tone.shouting(text) is shouting


def test_w10_one_routine_complaint_word_in_a_mail_with_a_subject_in_capitals_is_not_negative():
    assert not tone.negative("RE: ZAMÓWIENIE 2026/118\nW załączeniu reklamacja zgodnie z umową.", "pl")
    assert not tone.negative("Please find the refund form attached.\nACME HOLDINGS LIMITED", "en")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "We are dissatisfied with the draft and frankly unhappy with the delays."),
        ("ru", "Мы недовольны черновиком, это недопустимо."),
        ("pl", "Jesteśmy niezadowoleni z projektu, to niedopuszczalne."),
        ("ro", "Suntem nemulțumiți de proiect, este inacceptabil."),
        ("he", "אנחנו לא מרוצים מהטיוטה, זה לא מקובל."),
    ],
)
def test_w10_dissatisfied_in_each_language_is_a_complaint(language, text):
    """ "Dissatisfied" is the plainest complaint a client writes; with a second one it is negative."""
    assert tone.negative(text, language)
    first_sentence_word = {"en": "dissatisfied", "ru": "недовольны", "pl": "niezadowoleni", "ro": "nemulțumiți"}
    if language in first_sentence_word:
        assert tone.score(f"We read it: {first_sentence_word[language]}.", language) == 1
