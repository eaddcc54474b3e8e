"""The Romanian phrasing and its tone checker: the words that break C2–C8 are caught (with cedillas or without
diacritics too), ordinary Romanian near-words are not, and every generated phrase is clean."""

import datetime as dt
from decimal import Decimal

import pytest
from babel import Locale

from parting.letters import fmt
from parting.letters.phrases import ADDRESS_FORMS, module, problems, raw, say
from parting.letters.tone import tone_check

FLAGGED = [
    # C3: blame, accusations, negative descriptions of the client
    ("Colaborarea nu a funcționat din vina dumneavoastră.", "C3"),
    ("Am pierdut două termene din cauza dumneavoastră.", "C3"),
    ("Ați ignorat toate termenele convenite.", "C3"),
    ("Întotdeauna plătiți facturile cu întârziere.", "C3"),
    ("Nu ne-ați plătit ultimele trei facturi.", "C3"),
    ("Ați fost foarte nepoliticos cu echipa noastră.", "C3"),
    ("Sunteți un client dificil.", "C3"),
    ("Nu vrem să vă acuzăm de nimic.", "C3"),
    ("Comportamentul dumneavoastră a fost neprofesionist.", "C3"),
    # C6: rudeness and disrespect are not a reason to put in writing
    ("Mesajele jignitoare trimise colegilor noștri au depășit orice limită.", "C6"),
    ("Am observat o lipsă de respect față de echipa noastră.", "C6"),
    ("Tonul agresiv al discuțiilor ne-a obligat să luăm această decizie.", "C6"),
    # C2: unfriendly words
    ("Așa ceva este inacceptabil.", "C2"),
    ("Nu mai tolerăm astfel de mesaje.", "C2"),
    ("Colaborarea a devenit o pierdere de timp.", "C2"),
    # C5: anything that is not final or invites negotiation
    ("Poate vom relua colaborarea anul viitor.", "C5"),
    ("Poate că ar fi mai bine să continuăm altfel.", "C5"),
    ("Deocamdată nu mai preluăm lucrări noi.", "C5"),
    ("Vom înceta serviciile temporar.", "C5"),
    ("Încetăm colaborarea, cu excepția cazului în care achitați restanțele.", "C5"),
    ("Suntem dispuși să reconsiderăm decizia.", "C5"),
    ("Termenul de încetare este negociabil.", "C5"),
    ("Pentru moment, ne oprim aici.", "C5"),
    ("Vom relua colaborarea, poate, anul viitor.", "C5"),
    # C8: break up, pause, suspend
    ("Cred că a venit momentul să ne despărțim.", "C8"),
    ("Vă propunem o pauză în colaborare.", "C8"),
    ("Vom suspenda serviciile de luna viitoare.", "C8"),
    ("Vom pune colaborarea în așteptare.", "C8"),
    # C4: warnings that embellish or lecture
    ("Sincer vorbind, contractul nu mai are sens.", "C4"),
    ("După cum bine știți, contractul expiră la sfârșitul anului.", "C4"),
    # the same words typed with the older cedilla letters or without diacritics
    ("Ştim că aţi ignorat prevederile contractului.", "C3"),
    ("Trebuie să ne despărţim.", "C8"),
    ("Deocamdata nu mai lucram pentru firma dumneavoastra.", "C5"),
    ("Este vina dumneavoastra.", "C3"),
]

NOT_FLAGGED = [
    "Clientul poate solicita copii ale documentelor până la 31 decembrie 2026.",  # "poate": the verb "can"
    "O altă firmă vă poate oferi sprijinul de care aveți nevoie.",
    "Oricare dintre părți poate denunța contractul în orice moment.",  # "moment" is not "pe moment"
    "Din păcate, nu se poate.",
    "Firma poate, la cerere, să recomande un alt prestator.",
    "Vă mulțumim sincer pentru colaborare.",  # "sincer" as "sincerely", not "sincer vorbind"
    "Vom șterge datele, cu excepția documentelor contabile.",  # "cu excepția" is not "unless"
    "Până atunci, vom finaliza lucrările în curs.",
    "Vă putem oferi suport tehnic contra cost.",  # "suport" is not "nu mai suportăm"
    "Termenele s-au decalat din cauza sezonului fiscal.",  # "din cauza" without "dumneavoastră"
    "Păstrăm evidența contabilă până la 31 decembrie 2031.",  # "evidența" is not "evident"
    "Evidentele contabile se pastreaza zece ani.",
    "Întreprinderea dumneavoastră a crescut mult în ultimii ani.",  # not "întrerupere"
    "Contabilul vine vineri să predea dosarele.",  # "vine" is not "vina"
    "Prețurile au fost adesea renegociate.",
    "Discuțiile noastre au devenit dificile pentru ambele părți.",
    "Vă mulțumesc că ați găsit timp să vorbim.",
    "Lucrările s-au încheiat fără întârziere.",
    "Ați fost alături de noi timp de zece ani și vă mulțumim.",
    "Este posibilă preluarea dosarelor de către noul prestator.",  # "posibilă" is not "posibil să"
    "Predarea are loc în momentul semnării procesului-verbal.",
    "Serviciile noastre încetează la data de 1 decembrie 2026. Decizia este definitivă.",
    "Vă rugăm să ne retrageți accesul la Xero Payroll și Banca Transilvania.",
]


def rules(text: str) -> set[str]:
    return {finding.rule for finding in tone_check(text, "ro", limit=None)}


@pytest.mark.parametrize(("text", "rule"), FLAGGED)
def test_c2_to_c8_words_that_break_the_rules_are_flagged_in_romanian(text, rule):
    assert rule in rules(text)


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_ordinary_romanian_sentences_and_near_words_are_not_flagged(text):
    assert tone_check(text, "ro", limit=None) == []


def test_c6_rudeness_suggests_saying_we_cannot_meet_your_needs_in_romanian():
    (finding,) = tone_check("Comportamentul a fost nepoliticos.", "ro", limit=None)
    assert (finding.rule, finding.instead) == ("C6", "nu putem răspunde nevoilor dumneavoastră")


def test_c8_break_up_suggests_ending_the_services_in_romanian():
    (finding,) = tone_check("E timpul să ne despărțim.", "ro", limit=None)
    assert (finding.rule, finding.words, finding.instead) == ("C8", "despărțim", "încetăm serviciile")


def test_c4_warnings_are_warnings_not_errors_in_romanian():
    (finding,) = tone_check("Sincer vorbind, contractul nu mai are sens.", "ro", limit=None)
    assert (finding.rule, finding.level) == ("C4", "warning")


DATE = dt.date(2026, 12, 1)
SAMPLE = {
    "referral": "Cifra Consult SRL (office@cifra.ro)",
    "date": "3 decembrie 2026",
    "firm": "Contabil Expert SRL",
    "client": "Alfa Construct SRL",
    "contact": "Andrei Popescu",
    "sender": "Elena Dumitrescu",
    "title": "dr.",
    "notice_date": fmt.date(dt.date(2026, 11, 3), "ro"),
    "end_date": fmt.date(DATE, "ro"),
    "deletion_date": fmt.date(dt.date(2026, 12, 31), "ro"),
    "accounting_until": fmt.date(dt.date(2036, 12, 31), "ro"),
    "files_by": fmt.date(dt.date(2026, 12, 15), "ro"),
    "support_until": fmt.date(dt.date(2027, 2, 28), "ro"),
    "work": fmt.items(["declarația 112", "bilanțul anual", "Xero Payroll"], "ro"),
    "access": fmt.items(["Xero Payroll", "Google Drive", "Banca Transilvania"], "ro"),
    "credentials": fmt.items(["SPV ANAF", "Revisal"], "ro"),
    "successor": "Cifra Consult SRL",
    "amount": fmt.money(Decimal("1234.50"), "RON", "ro"),
    "support_fee": fmt.money(Decimal("300"), "EUR", "ro"),
    "unpaid": "nr. 2026-0612 (1.571,42 €, scadentă la 15 noiembrie 2026)",
    "total": "1.571,42 €",
    "deadlines": "declarația de TVA pentru ianuarie (termen: 25 februarie 2027)",
    "parties": "ANAF SPV",
    "handler": "Katarzyna Zielińska (k.zielinska@northwind.example)",
    "number": "2026-0612",
    "client_number": "42",
    "agreement_date": "1 martie 2024",
    "notice": "30 de zile",
}
PEOPLE = {
    "masculine": {"name": "Andrei Popescu", "first_name": "Andrei", "surname": "Popescu"},
    "feminine": {"name": "Maria Ionescu", "first_name": "Maria", "surname": "Ionescu"},
    "neutral": {"name": "Alex Radu", "first_name": "Alex", "surname": "Radu"},
}


def texts(key: str, address: str) -> list[str]:
    values = {**SAMPLE, **PEOPLE[address]}
    if key == "days":
        return [template.format(n=n) for template in raw("ro", key).values() for n in (1, 2, 20)]
    if key in ("referral_item", "referral_inline"):
        values = {"name": "Cifra Consult SRL", "contact": "office@cifra.ro, 021 555 0101"}
    template = raw("ro", key, address)
    if isinstance(template, list):
        return [line.format_map(values) for pair in template for line in pair]
    if isinstance(template, dict):  # by number: every form
        return [say("ro", key, address, count=n, **values) for n in (1, 2, 20)]
    return [say("ro", key, address, **values)]


@pytest.mark.parametrize("address", ADDRESS_FORMS)
@pytest.mark.parametrize("key", list(module("ro").T))
def test_every_romanian_phrase_filled_in_gives_no_tone_finding(key, address):
    for text in texts(key, address):
        assert "{" not in text
        assert tone_check(text, "ro", limit=None) == [], text


LETTER = [
    "salutation", "decision_after_call", "reason_capacity", "next_intro", "work", "final_invoice", "refund",
    "files", "deletion", "access", "credentials", "successor", "support", "referrals", "referral_item",
    "thanks", "closing",
]  # fmt: skip


@pytest.mark.parametrize("address", ADDRESS_FORMS)
def test_c4_c12_a_whole_romanian_letter_is_brief_and_clean(address):
    letter = "\n".join(text for key in LETTER for text in texts(key, address))
    assert tone_check(letter, "ro") == []


def test_romanian_salutations_follow_the_form_of_address_and_the_title():
    person = {**PEOPLE["masculine"], "title": "dr."}
    assert say("ro", "salutation", "masculine", **person) == "Stimate domnule Popescu,"
    assert say("ro", "salutation", "feminine", **PEOPLE["feminine"]) == "Stimată doamnă Ionescu,"
    assert say("ro", "salutation", "neutral", **PEOPLE["neutral"]) == "Bună ziua, Alex Radu,"
    assert say("ro", "salutation_titled", "masculine", **person) == "Stimate domnule dr. Popescu,"
    assert say("ro", "salutation_titled", "feminine", title="prof.", surname="Ionescu") == (
        "Stimată doamnă prof. Ionescu,"
    )


@pytest.mark.parametrize(
    ("n", "words"), [(1, "1 zi"), (2, "2 zile"), (14, "14 zile"), (19, "19 zile"), (20, "20 de zile"),
                     (30, "30 de zile"), (101, "101 zile"), (120, "120 de zile")],
)  # fmt: skip
def test_romanian_days_use_de_from_twenty_by_cldr_plural_category(n, words):
    forms = raw("ro", "days")
    assert set(forms) == {"one", "few", "other"}
    assert forms[Locale.parse("ro").plural_form(n)].format(n=n) == words


def test_romanian_phrases_have_every_key_and_no_unfilled_placeholder():
    assert problems("ro") == []
