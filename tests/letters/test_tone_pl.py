"""The Polish phrasing and the Polish tone checker (C2–C6, C8): words that break the rules are found, ordinary
Polish words that only look like them are not, and every generated phrase passes the checker."""

import pytest

from parting.letters.content import Context, compose
from parting.letters.phrases import ADDRESS_FORMS, days, module, problems, raw, say
from parting.letters.tone import tone_check

SAMPLE = {
    "referral": "Kancelaria Lis (biuro@lis.example)",
    "date": "3 grudnia 2026",
    "firm": "Biuro Rachunkowe Nowak sp. z o.o.",
    "client": "Acme Polska sp. z o.o.",
    "name": "Jan Kowalski",
    "first_name": "Jan",
    "surname": "Kowalski",
    "title": "dr",
    "contact": "Jan Kowalski",
    "sender": "Anna Wiśniewska",
    "notice_date": "16 listopada 2026",
    "end_date": "1 grudnia 2026",
    "deletion_date": "31 grudnia 2026",
    "accounting_until": "31 grudnia 2031",
    "files_by": "24 listopada 2026",
    "work": "Xero Payroll i zeznanie roczne CIT-8",
    "amount": "1 234,50 zł",
    "access": "Xero Payroll, iBiznes i Dropbox",
    "credentials": "Rejestrator domen i Google Workspace",
    "successor": "Kancelaria Podatkowa Lis",
    "support_until": "31 stycznia 2027",
    "support_fee": "500,00 zł",
    "unpaid": "nr 2026-0612 (1 571,42 zł, termin płatności: 15 listopada 2026 r.)",
    "total": "1 571,42 zł",
    "deadlines": "deklaracja VAT za styczeń (termin: 25 lutego 2027 r.)",
    "parties": "e-Urząd Skarbowy",
    "handler": "Katarzyna Zielińska (k.zielinska@northwind.example)",
    "number": "2026-0612",
    "client_number": "42",
    "agreement_date": "1 marca 2024",
    "notice": "30 dni",
    "n": 5,
}


def findings(text):
    return tone_check(text, "pl", limit=None)


def rules(text):
    return {f.rule for f in findings(text)}


SHOULD_BE_FLAGGED = [
    # C3: fault, blame, "you always / never", negative descriptions of the client
    ("To wyłącznie Pana wina, że termin nie został dotrzymany.", "C3"),
    ("Opóźnienie powstało z winy Zleceniodawcy.", "C3"),
    ("Projekt się opóźnił z Pani powodu.", "C3"),
    ("Pan zawsze wysyła dokumenty w ostatniej chwili.", "C3"),
    ("Nigdy nie odpowiada Pani na nasze wiadomości.", "C3"),
    ("Ciągle się Pan spóźnia na spotkania.", "C3"),
    ("Państwo notorycznie płacą po terminie.", "C3"),
    ("Zignorował Pan nasze przypomnienia.", "C3"),
    ("Obwiniamy za to Państwa zespół.", "C3"),
    ("Jest Pan trudnym klientem.", "C3"),
    ("Współpraca z Panem jest uciążliwa.", "C3"),
    ("Pani postawa była nieprofesjonalna.", "C3"),
    ("Nie da się z Państwem współpracować.", "C3"),
    # C6: rude / disrespect words (write that we cannot meet their needs)
    ("Pana asystent był wobec nas niegrzeczny.", "C6"),
    ("Pani wiadomości były aroganckie.", "C6"),
    ("Nasz zespół spotkał się z brakiem szacunku.", "C6"),
    ("Obrażał Pan naszych pracowników.", "C6"),
    # C2: unfriendly words
    ("Takie zachowanie jest niedopuszczalne.", "C2"),
    ("Mówiąc wprost, mamy już dość.", "C2"),
    ("To była strata naszego czasu.", "C2"),
    ("Dłużej nie będziemy tego tolerować.", "C2"),
    # C5: maybe, for now, temporarily, unless, reconsider, negotiable
    ("Być może wrócimy do tej rozmowy w przyszłym roku.", "C5"),
    ("Na razie kończymy współpracę.", "C5"),
    ("Póki co nie przyjmujemy nowych zleceń.", "C5"),
    ("Obsługa zostaje tymczasowo ograniczona.", "C5"),
    ("Kończymy współpracę, chyba że zmienią Państwo warunki.", "C5"),
    ("Jesteśmy otwarci na negocjacje.", "C5"),
    ("Warunki są do negocjacji.", "C5"),
    ("Możemy jeszcze przemyśleć tę sprawę.", "C5"),
    ("Może jednak spróbujemy jeszcze raz?", "C5"),
    ("Decyzja może się jeszcze zmienić.", "C5"),
    ("Może w przyszłości znów będziemy współpracować.", "C5"),
    # C8: break up, pause, break, suspend
    ("Postanowiliśmy się rozstać.", "C8"),
    ("Zrywamy współpracę z dniem 1 grudnia 2026 r.", "C8"),
    ("Proponujemy przerwę we współpracy.", "C8"),
    ("Zawieszamy świadczenie usług.", "C8"),
    ("Wstrzymujemy obsługę Państwa firmy.", "C8"),
    # C4: embellishment and warnings
    ("Szczerze mówiąc, nie widzimy innego wyjścia.", "C4"),
    ("Jak Pan zapewne wie, termin już minął.", "C4"),
]

NOT_FLAGGED = [
    "Może Pan zwrócić się do nas o kopie do 1 grudnia 2026 r.",  # «może» = «can», not «maybe»
    "Klient może później poprosić o kopie dokumentów.",  # «może później» inside a sentence: «can later»
    "Szczerze dziękujemy za wieloletnią współpracę.",  # «szczerze» = «sincerely»
    "Oczywiście prześlemy wszystkie dokumenty przed tym terminem.",
    "W razie ewentualnych pytań pozostajemy do dyspozycji.",  # «ewentualnych» is not «ewentualnie»
    "Decyzja jest przemyślana i ostateczna.",  # «przemyślana» is not «przemyśleć»
    "Aby miała Pani pełny obraz sytuacji, przesyłamy zestawienie.",  # «obraz» is not «obrażać»
    "Nasze biuro pracuje bez przerwy od 8:00 do 16:00.",  # «bez przerwy» is not a pause
    "Przerwa świąteczna w naszym biurze potrwa do 2 stycznia.",
    "Dokumenty przekazane przez Pana zwrócimy w komplecie.",  # «przez Pana» = «by you»
    "Chodzi o to, co możemy zaoferować, a nie o szukanie winnych.",
    "Decyzja nie podlega negocjacjom.",
    "Nie zmienimy tej decyzji.",
    "Nasze rozmowy stały się trudne dla obu stron.",
    "Czy możemy spróbować jeszcze raz?",
    "Kończymy świadczenie usług z dniem 1 grudnia 2026 r.",
    "Okres wypowiedzenia wynosi 30 dni.",
    "Stale rozwijamy naszą ofertę dla nowych klientów.",  # «stale» without «Pan» before it
]


@pytest.mark.parametrize(("text", "rule"), SHOULD_BE_FLAGGED)
def test_c2_c3_c4_c5_c6_c8_words_that_break_the_rules_are_flagged_in_polish(text, rule):
    assert rule in rules(text), (text, findings(text))


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_ordinary_polish_words_that_only_look_like_rule_breaking_ones_are_not_flagged(text):
    assert findings(text) == [], text


def test_c5_words_that_invite_negotiation_are_flagged_in_polish():
    for text in ("Być może to zmienimy.", "Na ten moment kończymy.", "Ewentualnie wrócimy do rozmów."):
        assert "C5" in rules(text), text


def test_c6_rude_words_come_with_the_general_reason_to_write_instead():
    (finding,) = findings("Pana ton był niegrzeczny.")
    assert finding.rule == "C6" and "potrzeby" in finding.instead


def test_c8_break_up_and_pause_come_with_end_our_services_instead():
    (finding,) = findings("Rozstajemy się z dniem 1 grudnia.")
    assert finding.rule == "C8" and finding.instead == "zakończenie świadczenia usług"


def test_the_polish_phrases_are_complete():
    assert problems("pl") == []


def _texts(key, address):
    value = raw("pl", key, address)
    if key == "days":
        return [form.format(n=SAMPLE["n"]) for form in value.values()]
    if isinstance(value, list):
        return [said.format_map(SAMPLE) for pair in value for said in pair]
    if isinstance(value, dict):  # by number: every form
        return [say("pl", key, address, count=n, **SAMPLE) for n in (1, 2, 5)]
    return [value.format_map(SAMPLE)]


@pytest.mark.parametrize("address", ADDRESS_FORMS)
def test_every_polish_template_passes_the_tone_checker_in_every_form_of_address(address):
    for key in module("pl").T:
        for text in _texts(key, address):
            assert findings(text) == [], (key, address, text, findings(text))


@pytest.mark.parametrize("address", ADDRESS_FORMS)
def test_c4_a_full_polish_letter_is_brief_and_passes_the_tone_checker(address):
    """Every optional block in: still under the length limits, and no finding."""
    values = SAMPLE | {"final_amount": "4 800,00 zł", "refund_amount": "1 234,50 zł", "reason": "capacity"}
    context = Context(
        lang="pl",
        address=address,
        values=values,
        work=["Xero Payroll"],
        access=["iBiznes"],
        credentials=["Rejestrator domen"],
        referrals=[("Kancelaria Lis", "biuro@lis.example"), ("Biuro Rachunkowe Sowa", "")],
        final_invoice="final_invoice_estimate",
        refund="refund",
        successor=True,
        support=True,
    )
    subject, body = compose(context)
    assert tone_check(subject, "pl", limit=None) == []
    assert tone_check(body, "pl") == [], body
    assert "1 grudnia 2026 r." in subject and "Decyzja ta jest ostateczna." in body
    assert body.endswith("Z poważaniem")


def test_the_salutation_and_the_verbs_agree_with_the_form_of_address():
    assert say("pl", "salutation", "masculine") == "Szanowny Panie,"
    assert say("pl", "salutation", "feminine") == "Szanowna Pani,"
    assert say("pl", "salutation", "neutral") == "Szanowni Państwo,"
    assert "znalazł Pan" in say("pl", "script_opening", "masculine")
    assert "znalazła Pani" in say("pl", "script_opening", "feminine")
    assert "znaleźli Państwo" in say("pl", "script_opening", "neutral")
    assert "obdarzyła" in say("pl", "thanks", "feminine")


def test_days_follow_the_polish_plural_categories():
    assert [days("pl", n) for n in (1, 2, 5, 12, 22, 25)] == ["1 dzień", "2 dni", "5 dni", "12 dni", "22 dni", "25 dni"]
