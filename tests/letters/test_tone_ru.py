"""The Russian phrasing and the Russian tone words: what the checker flags (C2–C6, C8), what it leaves alone,
and that the letters, the script and the clause themselves give no finding."""

from __future__ import annotations

import datetime as dt
import string
from decimal import Decimal

import pytest

from parting.letters import fmt
from parting.letters.phrases import ADDRESS_FORMS, days, module, problems, raw, say
from parting.letters.tone import tone_check

SAMPLE = {
    "referral": "Бухгалтерия Орлова (orlova@buh-orlova.ee)",
    "date": "3 декабря 2026 г.",
    "firm": "Northwind Advisory",
    "client": "Sokolov Engineering OÜ",
    "name": "Анна Соколова",
    "first_name": "Анна",
    "surname": "Соколова",
    "title": "профессор",
    "contact": "Анна Соколова",
    "sender": "Мария Кузнецова",
    "notice_date": fmt.date(dt.date(2026, 11, 2), "ru"),
    "end_date": fmt.date(dt.date(2026, 12, 1), "ru"),
    "deletion_date": fmt.date(dt.date(2026, 12, 31), "ru"),
    "accounting_until": fmt.date(dt.date(2032, 12, 31), "ru"),
    "files_by": fmt.date(dt.date(2026, 12, 8), "ru"),
    "work": fmt.items(["Payroll for December", "годовая отчётность за 2026 год"], "ru"),
    "amount": fmt.money(Decimal("1234.50"), "EUR", "ru"),
    "access": fmt.items(["Xero Payroll", "интернет-банк SEB", "e-MTA"], "ru"),
    "credentials": fmt.items(["Payroll bureau portal", "e-MTA tax portal"], "ru"),
    "successor": "Бухгалтерия Орлова",
    "support_until": fmt.date(dt.date(2027, 2, 28), "ru"),
    "support_fee": fmt.money(Decimal("450"), "EUR", "ru"),
    "unpaid": "№ 2026-0612 (1 571,42 €, срок оплаты — 15 ноября 2026 г.)",
    "total": "1 571,42 €",
    "deadlines": "НДС-декларация за январь (срок — 25 февраля 2027 г.)",
    "parties": "e-MTA",
    "handler": "Анна Иванова (anna@northwind.example)",
    "number": "2026-0612",
    "client_number": "42",
    "agreement_date": "1 марта 2024 г.",
}
SPECIAL_SAMPLE = {
    "referral_item": {"name": "Бухгалтерия Орлова", "contact": "orlova@buh-orlova.ee"},
    "referral_inline": {"name": "Бухгалтерия Орлова", "contact": "orlova@buh-orlova.ee"},
    "clause_notice": {"notice": days("ru", 14)},
}


def _rendered() -> list[tuple[str, str, str]]:
    """(key, address form, text) for every template in T, filled with plausible Russian values."""
    out = []
    for key, value in module("ru").T.items():
        if key == "days":
            out += [(key, category, text.format(n=n)) for category, text, n in _days_samples(value)]
            continue
        values = SPECIAL_SAMPLE.get(key, SAMPLE)
        for address in ADDRESS_FORMS:
            template = raw("ru", key, address)
            if isinstance(template, list):
                out += [(key, address, text.format_map(values)) for pair in template for text in pair]
            elif isinstance(template, dict):  # by number: every form
                out += [(key, address, say("ru", key, address, count=n, **values)) for n in (1, 2, 5)]
            else:
                out.append((key, address, say("ru", key, address, **values)))
    return out


def _days_samples(forms: dict) -> list[tuple[str, str, str]]:
    numbers = {"one": 21, "few": 3, "many": 14, "other": "1,5"}
    return [(category, text, numbers[category]) for category, text in forms.items()]


RENDERED = _rendered()


# -- what must be flagged ---------------------------------------------------------------------

FLAGGED = [
    ("C3", "Это ваша вина, а не наша."),
    ("C3", "Сроки были сорваны по вашей вине."),
    ("C3", "Из-за вас мы не успели сдать отчётность."),
    ("C3", "Вы постоянно опаздывали на встречи."),
    ("C3", "Вы никогда не присылали документы вовремя."),
    ("C3", "Вы всегда отменяли встречи в последний момент."),
    ("C3", "Вы отказались предоставить первичные документы."),
    ("C3", "Вы платили с опозданием почти каждый месяц."),
    ("C3", "Вы были грубы с нашим бухгалтером."),
    ("C3", "Мы не хотим никого обвинять, но сроки сорваны."),
    ("C3", "Вы очень трудный клиент."),
    ("C3", "С вами невозможно работать."),
    ("C3", "Такое поведение непрофессионально."),
    ("C6", "Ваше отношение к сотрудникам было грубым."),
    ("C6", "Мы не допустим неуважения к нашей команде."),
    ("C6", "Ваши письма звучали оскорбительно."),
    ("C6", "На нашего сотрудника кричали по телефону."),
    ("C2", "Ваши требования неприемлемы."),
    ("C2", "Это пустая трата нашего времени."),
    ("C2", "Нам надоело напоминать об оплате."),
    ("C2", "Мы больше не намерены это терпеть."),
    ("C5", "Возможно, мы вернёмся к сотрудничеству позже."),
    ("C5", "Может быть, стоит подождать до весны."),
    ("C5", "Пока что мы прекращаем работу над проектом."),
    ("C5", "На данный момент мы не можем продолжать."),
    ("C5", "Мы временно прекращаем обслуживание."),
    ("C5", "Если только Вы не найдёте другого решения, договор закончится."),
    ("C5", "Если ситуация не изменится, мы будем вынуждены уйти."),
    ("C5", "Мы готовы пересмотреть это решение."),
    ("C5", "Условия можно обсудить при встрече."),
    ("C5", "Решение пока не окончательное."),
    ("C5", "Мы могли бы продолжить работу на других условиях."),
    ("C8", "Думаю, нам пора расстаться."),
    ("C8", "Расставание всегда даётся нелегко."),
    ("C8", "Давайте возьмём паузу в работе."),
    ("C8", "Мы приостанавливаем оказание услуг с понедельника."),
    ("C8", "Предлагаю сделать перерыв в сотрудничестве."),
    ("C8", "Разрыв отношений неизбежен."),
    ("C4", "Честно говоря, это было непросто."),
    ("C4", "Как вы знаете, сроки давно прошли."),
    ("C4", "Как Вам известно, договор истекает в декабре."),
    ("C4", "Само собой разумеется, файлы мы вернём."),
]


@pytest.mark.parametrize(("rule", "sentence"), FLAGGED)
def test_c2_c3_c4_c5_c6_c8_words_that_break_the_rules_are_flagged_in_russian(rule, sentence):
    findings = tone_check(sentence, "ru", limit=None)
    assert rule in {finding.rule for finding in findings}, (sentence, findings)


def test_c5_words_that_invite_negotiation_are_errors_that_suggest_a_final_decision_in_russian():
    (finding,) = tone_check("Возможно, мы передумаем.", "ru", limit=None)[:1]
    assert (finding.rule, finding.level, finding.words) == ("C5", "error", "Возможно")
    (reconsider,) = tone_check("Мы можем пересмотреть условия.", "ru", limit=None)
    assert reconsider.instead == "окончательное"


def test_c6_rude_is_replaced_by_we_cannot_meet_your_needs_in_russian():
    (finding,) = tone_check("Хамство по отношению к сотрудникам недопустимо для нас.", "ru", limit=None)[:1]
    assert finding.rule == "C6"
    assert finding.instead == "мы не можем в полной мере удовлетворить Ваши потребности"


def test_c8_break_and_pause_suggest_ending_the_services_in_russian():
    findings = tone_check("Мы ставим работу на паузу и берём перерыв.", "ru", limit=None)
    assert [(f.rule, f.instead) for f in findings] == [("C8", "прекращаем оказание услуг")] * 2


def test_c4_honesty_preambles_are_warnings_not_errors_in_russian():
    (finding,) = tone_check("Если честно, нам было непросто.", "ru", limit=None)
    assert (finding.rule, finding.level) == ("C4", "warning")


def test_tone_words_match_inflected_forms_and_e_for_yo_in_russian():
    for sentence in ("Мы расстанемся друзьями.", "Мы расстанёмся друзьями.", "Вернемся к этому вопросу позже."):
        assert tone_check(sentence, "ru", limit=None), sentence


# -- what must not be flagged -----------------------------------------------------------------

CLEAN = [
    "Мы своевременно направим Вам итоговый счёт.",  # «временно» inside «своевременно» (C5)
    "Одновременно мы передадим Вам все файлы и документы.",  # «временно» inside «одновременно» (C5)
    "Без Вашего подтверждения невозможно закрыть отчётный период.",  # «невозможно», not «возможно» (C5)
    "Договор может быть расторгнут любой из Сторон.",  # «может быть» as a passive, not «maybe» (C5)
    "Вы всегда можете запросить у нас копии документов.",  # «вы всегда» + present tense (C3)
    "Вы всегда были для нас надёжным партнёром.",  # «вы всегда были» as praise (C3)
    "Мы продолжаем работу, пока договор не истечёт.",  # «пока» meaning «until» (C5)
    "Пока идёт передача дел, наши сотрудники на связи.",  # «пока» meaning «while» (C5)
    "Благодарим Вас за терпение и доверие.",  # «терпение», not «терпеть» (C2)
    "Мы передадим Вам доступ к Вашей торговой площадке.",  # «торговой», not «торговаться» (C5)
    "Стороны не имеют претензий друг к другу.",  # a standard closing formula, not blame (C3)
    "Окончательный расчёт будет произведён по итогам месяца.",  # «окончательный», not «не окончательный» (C5)
    "Мы поможем с расстановкой задач для нового исполнителя.",  # «расстановка», not «расстаться» (C8)
    "Мы обсудили с Вами порядок передачи файлов.",  # a past conversation, not an offer to negotiate (C5)
    "Временами мы работали и по выходным, чтобы успеть к сроку.",  # «временами», one «н» (C5)
    "Честная оценка объёма работ приведена в приложении.",  # «честная», not «честно говоря» (C4)
    "Наша работа для Вас продолжается в прежнем объёме по 1 декабря 2026 г. включительно.",
    "Мы не можем в полной мере удовлетворить Ваши потребности.",  # the C6 replacement itself
    "Последний день нашей работы — понедельник.",
]


@pytest.mark.parametrize("sentence", CLEAN)
def test_natural_russian_sentences_with_near_words_are_not_flagged(sentence):
    assert tone_check(sentence, "ru", limit=None) == []


# -- the phrases themselves -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "form", "text"), RENDERED, ids=[f"{k}-{f}-{i}" for i, (k, f, _) in enumerate(RENDERED)]
)
def test_every_russian_template_filled_in_gives_no_tone_finding(key, form, text):
    assert tone_check(text, "ru", limit=None) == [], (key, form, text)


def test_the_whole_russian_letter_gives_no_tone_finding_and_stays_brief():
    keys = (
        "subject", "salutation", "decision_after_call", "reason_capacity", "next_intro", "work", "final_invoice",
        "refund", "files", "deletion", "access", "credentials", "successor", "support", "referrals", "thanks",
        "closing",
    )  # fmt: skip
    for address in ADDRESS_FORMS:
        letter = "\n".join(say("ru", key, address, **SAMPLE) for key in keys)
        assert tone_check(letter, "ru") == [], letter


def test_russian_phrases_have_every_key_and_only_known_placeholders():
    assert problems("ru") == []


def test_russian_tone_patterns_compile_and_name_known_rules():
    for rule, level, _pattern, instead in module("ru").TONE:
        assert rule in {"C2", "C3", "C4", "C5", "C6", "C8"}
        assert level in {"error", "warning"}
        assert isinstance(instead, str)
    assert tone_check("", "ru") == []


def test_russian_salutation_follows_the_form_of_address():
    values = {"name": "Иван Петров", "surname": "Петров", "title": "профессор"}
    assert say("ru", "salutation", "masculine", **values) == "Уважаемый господин Петров!"
    assert say("ru", "salutation", "feminine", **{**values, "surname": "Петрова"}) == "Уважаемая госпожа Петрова!"
    assert say("ru", "salutation", "neutral", **values) == "Здравствуйте, Иван Петров!"
    assert say("ru", "salutation_titled", "masculine", **values) == "Уважаемый профессор Петров!"
    assert (
        say("ru", "salutation_titled", "feminine", **{**values, "surname": "Петрова"}) == "Уважаемая профессор Петрова!"
    )


def test_russian_days_follow_cldr_plural_categories():
    assert [days("ru", n) for n in (1, 2, 5, 11, 14, 21, 22, 25, 101)] == [
        "1 день", "2 дня", "5 дней", "11 дней", "14 дней", "21 день", "22 дня", "25 дней", "101 день",
    ]  # fmt: skip
    assert set(module("ru").T["days"]) == {"one", "few", "many", "other"}


def test_russian_dates_never_end_a_sentence_with_a_double_full_stop():
    # A formatted date ends in «г.»; a sentence ending on it would read «г..» (O9: dates must read cleanly).
    assert SAMPLE["end_date"].endswith("г.")
    assert [text for _key, _form, text in RENDERED if "г.." in text] == []


def test_russian_letters_use_russian_quotes_dashes_and_a_capitalised_you():
    texts = [text for _key, _form, text in RENDERED]
    assert not any('"' in text or " - " in text for text in texts)
    words = {word.strip(string.punctuation + "—«»") for text in texts for word in text.split()}
    assert {"Вы", "Вам", "Вас"} & words
    assert not {"вы", "вам", "вас", "ваш", "ваши", "вашей"} & words
