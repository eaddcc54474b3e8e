"""What a native professional expects of the letter (issue 14 §1, the native reader's review of December
2026): singular and plural by each language's rules (C10 referrals, O2 access, O4 logins), the "what
happens next" heading and the time reason as natives write them (C4, C6), the Polish date with «r.»,
thanks before the good wishes (C9, C10), a call script whose decision section says the decision is
final (C5) with one form of address and no ambiguous pronoun (C3), DOCX properties that are the
letter's own and a Hebrew DOCX right to left in every paragraph, and an e-mail as a mail client sends
it."""

import datetime as dt
import io
import re
import zipfile
import zoneinfo
from email import message_from_bytes, policy

import pytest
from django.utils import timezone
from docx import Document as WordDocument

from parting.cases.plan import plan_compute
from parting.letters import content, fmt, mail, services
from parting.letters.content import Context, compose
from parting.letters.phrases import LANGUAGES, VALUES, days, module, problems, say
from parting.letters.script import call_script

ISOLATES = re.compile("[\u2066-\u2069]")


def context(lang: str, **facts) -> Context:
    values = {key: key.upper() for key in VALUES} | {"reason": "capacity"}
    return Context(lang=lang, address="feminine", values=values, **facts)


def letter(case, lang, by):
    subject, body = content.letter_compose(case, lang, sender=by)
    return content.document(case, lang, subject=subject, body=body, sender=by)


# -- C10: one referral is named in a singular sentence, several follow a plural one ------------------

ONE_REFERRAL = {
    "en": "You may wish to contact Harbour Books (hello@harbour.example), which we believe would serve you well.",
    "ru": (
        "Рекомендуем обратиться в компанию Harbour Books (hello@harbour.example) — мы уверены, что там Вас "
        "хорошо обслужат."
    ),
    "pl": (
        "Polecamy kontakt z firmą Harbour Books (hello@harbour.example), która naszym zdaniem zapewni Pani dobrą "
        "obsługę."
    ),
    "ro": (
        "Vă puteți adresa firmei Harbour Books (hello@harbour.example), care, în opinia noastră, vă poate oferi "
        "servicii de calitate."
    ),
    "he": "נשמח להפנות אותך למשרד Harbour Books (hello@harbour.example), שלדעתנו יוכל להעניק לך שירות טוב.",
}
SEVERAL_REFERRALS = {
    "en": "the following firms",
    "ru": "в следующие компании",
    "pl": "z następującymi firmami",
    "ro": "următoarelor firme",
    "he": "למשרדים הבאים",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_c10_one_referral_is_named_in_a_singular_sentence(lang):
    _subject, body = compose(context(lang, referrals=[("Harbour Books", "hello@harbour.example")]))
    assert ONE_REFERRAL[lang] in body.split("\n\n")
    assert SEVERAL_REFERRALS[lang] not in body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_c10_two_referrals_follow_the_plural_sentence_as_a_list(lang):
    referrals = [("Harbour Books", "hello@harbour.example"), ("Sowa", "")]
    _subject, body = compose(context(lang, referrals=referrals))
    block = next(b for b in body.split("\n\n") if SEVERAL_REFERRALS[lang] in b)
    lines = block.split("\n")
    assert len(lines) == 3 and lines[2] == "- Sowa" and lines[1].startswith("- Harbour Books")
    assert ONE_REFERRAL[lang] not in body


def test_c10_one_referral_in_a_real_case_is_singular_with_its_contact(letter_case, team):
    _subject, body = content.letter_compose(letter_case, "en", sender=team["staff"])
    assert ONE_REFERRAL["en"] in body and "following firms" not in body


# -- O4, O2: the logins and the access to remove agree with how many there are -----------------------

ONE_LOGIN = {
    "en": "the login that belongs to you",
    "ru": "в принадлежащую Вам учётную запись",
    "pl": "do należącego do Pani konta",
    "ro": "pentru contul care vă aparține",
    "he": "לחשבון השייך לך",
}
LOGINS = {
    "en": "the logins that belong to you",
    "ru": "в принадлежащие Вам учётные записи",
    "pl": "do należących do Pani kont",
    "ro": "pentru conturile care vă aparțin",
    "he": "לחשבונות השייכים לך",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_o4_one_login_is_singular_two_are_plural(lang):
    _s, one = compose(context(lang, credentials=["HMRC"]))
    _s, two = compose(context(lang, credentials=["HMRC", "Xero"]))
    assert ONE_LOGIN[lang] in one and LOGINS[lang] not in one
    assert LOGINS[lang] in two and ONE_LOGIN[lang] not in two


@pytest.mark.parametrize(
    ("lang", "one", "several"),
    [
        ("ru", "к следующему сервису", "к следующим системам и сервисам"),
        ("pl", "do następującego systemu", "do następujących systemów"),
        ("he", "לשירות הבא", "לשירותים הבאים"),
    ],
)
def test_o2_the_access_to_remove_agrees_with_its_number(lang, one, several):
    _s, body = compose(context(lang, access=["Xero"]))
    assert one in body and several not in body
    _s, body = compose(context(lang, access=["Xero", "SEB"]))
    assert several in body and one not in body


@pytest.mark.parametrize(
    ("lang", "one", "several"),
    [
        ("pl", "pracę w toku", "prace w toku"),
        ("ro", "lucrarea în curs", "lucrările în curs"),
        ("he", "העבודה שבטיפולנו", "העבודות שבטיפולנו"),
    ],
)
def test_n2_the_work_in_progress_agrees_with_its_number(lang, one, several):
    _s, body = compose(context(lang, work=["VAT"]))
    assert one in body and several not in body
    _s, body = compose(context(lang, work=["VAT", "Payroll"]))
    assert several in body and one not in body


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("ru", 1, "1 день"), ("ru", 2, "2 дня"), ("ru", 5, "5 дней"), ("ru", 21, "21 день"), ("ru", 22, "22 дня"),
        ("pl", 1, "1 dzień"), ("pl", 2, "2 dni"), ("pl", 5, "5 dni"),
        ("ro", 1, "1 zi"), ("ro", 2, "2 zile"), ("ro", 19, "19 zile"), ("ro", 20, "20 de zile"), ("ro", 101, "101 zile"),
        ("he", 1, "יום אחד"), ("he", 2, "יומיים"), ("he", 5, "5 ימים"),
        ("en", 1, "1 day"), ("en", 2, "2 days"),
    ],
)  # fmt: skip
def test_a_counted_phrase_takes_the_form_of_the_languages_cldr_plural_rules(lang, n, expected):
    """A phrase that shows its count is chosen by Babel's plural rules: Russian 2 and 5 differ (дня / дней),
    21 is singular again; Romanian 20 takes «de»; Hebrew has a dual."""
    assert days(lang, n) == expected


def test_a_counted_phrase_missing_one_of_the_languages_plural_forms_is_a_problem(monkeypatch):
    phrases = dict(module("ru").T)
    phrases["days"] = {"one": "{n} день", "other": "{n} дня"}  # no «few», «many»: 5 would read «5 дня»
    monkeypatch.setattr(module("ru"), "T", phrases)
    assert "ru: 'days' lacks the 'few' form" in problems("ru")
    assert "ru: 'days' lacks the 'many' form" in problems("ru")


# -- C4, C6: the heading of what happens next, and the time reason without "rightly" --------------------

NEXT_INTRO = {
    "ru": "Дальнейшие шаги:",
    "pl": "Poniżej przedstawiamy dalsze kroki:",
    "ro": "Pașii următori:",
    "he": "להלן השלבים הבאים:",
}
INTENSIFIERS = {
    "en": "rightly",
    "ru": "обоснованн",
    "pl": "słusznie",
    "ro": "pe bună dreptate",
    "he": "המוצדקות",
}


@pytest.mark.parametrize("lang", NEXT_INTRO)
def test_c4_what_happens_next_opens_as_natives_write_it(lang):
    _s, body = compose(context(lang))
    assert NEXT_INTRO[lang] + "\n- " in body


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("address", ["masculine", "feminine", "neutral"])
def test_c6_the_time_reason_has_no_intensifier(lang, address):
    assert INTENSIFIERS[lang] not in say(lang, "reason_time", address)


# -- the Polish date ----------------------------------------------------------------------------------


def test_polish_letter_dates_end_in_r_in_the_header_and_in_the_body(letter_case, team):
    letter_case.notified_on = letter_case.firm.today()  # the call is recorded: the letter dates it (C1)
    doc = letter(letter_case, "pl", team["staff"])
    today = letter_case.firm.today()
    assert doc.place_date == fmt.date(today, "pl") + " r."
    notice = plan_compute(letter_case).notice_date.value
    assert fmt.date(notice, "pl") + " r." in doc.body
    undated = re.findall(r"\d{1,2} \w+ \d{4}(?! r\.)", doc.body + "\n" + doc.place_date)
    assert undated == []
    assert letter(letter_case, "en", team["staff"]).place_date == fmt.date(today, "en")  # no «r.» elsewhere


# -- C9, C10: thanks first, good wishes last -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_c9_c10_the_letter_thanks_first_and_closes_with_the_good_wishes(lang):
    c = context(lang, attitude=True)
    _s, body = compose(c)
    blocks = body.split("\n\n")
    assert blocks[-3:] == [c.say("thanks"), c.say("good_wishes"), c.say("closing")]


# -- C5, C3: the call script ----------------------------------------------------------------------------

FINAL = {
    "en": "This decision is final.",
    "ru": "Это решение окончательное.",
    "pl": "Decyzja ta jest ostateczna.",
    "ro": "Decizia este definitivă.",
    "he": "ההחלטה הזו סופית.",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_c5_the_scripts_decision_section_says_the_decision_is_final(letter_case, team, lang):
    script = call_script(letter_case, lang, sender=team["staff"])
    decision = next(s for s in script.sections if s.key == "decision")
    assert decision.lines[-1].endswith(FINAL[lang])


def test_c3_the_script_names_who_found_the_exchanges_difficult():
    assert say("en", "sign_W15") == "some exchanges have been difficult for members of our team"
    assert "them" not in say("en", "sign_W15").split()
    assert say("ru", "sign_W15") == "некоторые разговоры дались нашим сотрудникам непросто"


@pytest.mark.parametrize(
    ("address", "own", "other"),
    [("masculine", "Pana", "Państwa"), ("feminine", "Pani", "Państwa"), ("neutral", "Państwa", "Pani ")],
)
def test_the_polish_scripts_answers_address_the_contact_as_the_rest_of_the_script(
    letter_case, team, address, own, other
):
    contact = letter_case.client.contacts.get()
    contact.form_of_address = address
    contact.save()
    script = call_script(letter_case, "pl", sender=team["staff"])
    answers = " ".join(you for s in script.sections for _they, you in s.pairs)
    assert f"dla {own} do" in answers and f"o {own} potrzeby" in answers
    assert other not in answers


@pytest.mark.parametrize("lang", ["en", "pl", "ro"])
def test_the_scripts_headings_do_not_address_the_member_as_the_lines_address_the_client(lang):
    """One form of address: «you» (Pan, dumneavoastră) is the client in the lines, so the headings, which
    the member reads, never address the member in the second person."""
    addressing = {"en": r"\byou\b", "pl": r"\w+sz\b", "ro": r"\w+ți\b"}[lang]
    headings = [value for key, value in module(lang).T.items() if key.startswith("script_heading")]
    assert not [h for h in headings if re.search(addressing, h, re.I)]


# -- DOCX ------------------------------------------------------------------------------------------------


def test_docx_core_properties_are_the_letters_own(letter_case, team):
    before = timezone.now().replace(microsecond=0)
    doc = letter(letter_case, "en", team["staff"])
    word = WordDocument(io.BytesIO(services.render(doc, "docx")))
    after = timezone.now()
    core = word.core_properties
    assert core.title == doc.subject and core.author == letter_case.firm.name
    assert core.last_modified_by == letter_case.firm.name and core.language == "en"
    assert "python-docx" not in (core.comments or "") and core.comments == ""
    assert core.created == core.modified
    assert before <= core.created <= after  # now by the project's clock, not the template's 2013


def test_docx_carries_none_of_the_templates_metadata(letter_case, team):
    with zipfile.ZipFile(io.BytesIO(services.render(letter(letter_case, "en", team["staff"]), "docx"))) as docx:
        names = docx.namelist()
        app = docx.read("docProps/app.xml").decode()
        everything = "".join(docx.read(name).decode("utf-8", "replace") for name in names)
    assert f"<Company>{letter_case.firm.name}</Company>" in app and "Macintosh" not in app
    assert not [name for name in names if "thumbnail" in name]
    assert "python-docx" not in everything and "2013-12-23" not in everything


def test_a_hebrew_docx_stores_no_invisible_isolate_characters(team, client_in_trouble):
    from parting.cases.services import case_review
    from tests.conftest import submitted_case
    from tests.letters.conftest import prepare

    client, incident = client_in_trouble
    prepare(client, lang="he", name="דנה לוי")
    case = case_review(case=submitted_case(client, team["staff"], incident), by=team["partner"], decision="approve")
    doc = letter(case, "he", team["staff"])
    assert ISOLATES.search(doc.body)  # the PDF and the e-mail keep them ...
    with zipfile.ZipFile(io.BytesIO(services.render(doc, "docx"))) as docx:
        xml = "".join(docx.read(name).decode() for name in docx.namelist() if name.endswith(".xml"))
    assert not ISOLATES.search(xml)  # ... the DOCX does not
    assert "Harbour Books" in xml and "Trouble Ltd" in xml


def test_a_latin_line_opening_with_a_number_or_ending_with_a_stop_keeps_its_order_in_a_hebrew_docx(
    hebrew_letterhead_case, team
):
    hebrew_letterhead_case.notified_on = hebrew_letterhead_case.firm.today()  # no "not to be sent" line first
    doc = letter(hebrew_letterhead_case, "he", team["staff"])
    word = WordDocument(io.BytesIO(services.render(doc, "docx")))
    street = next(p for p in word.paragraphs if "Wharf Street" in p.text)
    assert street.text == "\u200e14 Wharf Street"  # a left-to-right mark before the number, nothing invisible else
    firm = word.paragraphs[0]
    assert firm.text == "Baltic Amber sp. z o.o.\u200e"  # and after a closing full stop
    assert word.paragraphs[-1].text == firm.text
    assert next(p for p in word.paragraphs if p.text == "Trouble Ltd")  # a line ending in a letter: as written


@pytest.fixture
def hebrew_letterhead_case(team, client_in_trouble):
    from parting.cases.services import case_review
    from tests.conftest import submitted_case
    from tests.letters.conftest import prepare

    client, incident = client_in_trouble
    prepare(client, lang="he", name="דנה לוי")
    client.firm.letterhead = "14 Wharf Street\nתל אביב"
    client.firm.name = "Baltic Amber sp. z o.o."
    client.firm.save()
    return case_review(case=submitted_case(client, team["staff"], incident), by=team["partner"], decision="approve")


# -- the e-mail -------------------------------------------------------------------------------------------


def test_the_email_names_sender_and_recipient_and_dates_itself_in_the_firms_zone(letter_case, team):
    firm = letter_case.firm
    firm.time_zone = "Europe/Warsaw"
    firm.email = "office@northwind.example"
    firm.save()
    team["staff"].first_name, team["staff"].last_name = "Katarzyna", "Zielińska"
    team["staff"].save()
    email = message_from_bytes(services.render(letter(letter_case, "en", team["staff"]), "eml"), policy=policy.default)
    assert email["From"].addresses[0].display_name == f"Katarzyna Zielińska – {firm.name}"
    assert email["From"].addresses[0].addr_spec == "office@northwind.example"
    assert email["To"].addresses[0].display_name == "Anna Kowalska"
    sent = email["Date"].datetime
    assert sent.utcoffset() == timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/Warsaw")).utcoffset()
    assert abs(sent - timezone.now()) < dt.timedelta(minutes=5)


def test_the_email_to_another_address_than_the_contacts_carries_no_contacts_name(letter_case, team):
    doc = letter(letter_case, "en", team["staff"])
    email = mail.message(doc, to="accounts@example.com", pdf=b"%PDF-")
    assert email.to == ["accounts@example.com"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "end-of-services"),
        ("ru", "прекращение-обслуживания"),
        ("pl", "zakończenie-świadczenia-usług"),
        ("ro", "încetarea-serviciilor"),
        ("he", "סיום-מתן-השירותים"),
    ],
)
def test_the_attachment_is_named_in_the_letters_language_without_internal_words(letter_case, team, lang, words):
    doc = letter(letter_case, lang, team["staff"])
    email = message_from_bytes(services.render(doc, "eml"), policy=policy.default)
    name = next(email.iter_attachments()).get_filename()
    firm = re.sub(r"\W+", "-", letter_case.firm.name).strip("-")
    assert name == f"{firm}-{words}-{letter_case.firm.today().isoformat()}.pdf"
    assert "case" not in name.lower() and "letter" not in name.lower()
    raw = services.render(doc, "eml")  # the headers stay ASCII: RFC 2231 for a name in another script
    assert (b"filename*=" in raw) == (not name.isascii())


def test_the_plain_text_email_carries_the_firms_contact_lines_under_the_signature(letter_case, team):
    firm = letter_case.firm
    firm.letterhead = "14 Wharf Street, Leeds\n+44 113 555 0100"
    firm.save()
    text = mail.text_body(letter(letter_case, "en", team["staff"]))
    assert text.endswith(f"{firm.name}\n14 Wharf Street, Leeds\n+44 113 555 0100\n")
