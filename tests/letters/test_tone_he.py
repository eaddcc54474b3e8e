"""The Hebrew phrasing and its tone checker: the words that break C2–C8 are caught with their prefix letters,
ordinary Hebrew near-words are not, every generated phrase is clean, and names are listed the Hebrew way."""

import datetime as dt
from decimal import Decimal

import pytest
from babel import Locale

from parting.letters import fmt
from parting.letters.phrases import ADDRESS_FORMS, days, module, problems, raw, say
from parting.letters.phrases.he import join
from parting.letters.tone import tone_check

FLAGGED = [
    # C3: blame, accusations, negative descriptions of the client
    ("העיכוב בהגשת הדוח נגרם באשמתך.", "C3"),
    ("בגללכם לא עמדנו בלוח הזמנים.", "C3"),
    ("אתה תמיד מבטל פגישות ברגע האחרון.", "C3"),
    ("שוב ושוב ביקשת הנחה על כל חשבונית.", "C3"),
    ("התעלמתם מכל התזכורות ששלחנו.", "C3"),
    ("שילמתם באיחור את שלוש החשבוניות האחרונות.", "C3"),
    ("עניתם באיחור לכל פנייה.", "C3"),
    ("אתם פשוט לקוח קשה.", "C3"),
    ("ההתנהלות שלך הייתה לא מקצועית.", "C3"),
    ("הדרישות שלכם בלתי סבירות.", "C3"),
    ("איננו רוצים להאשים איש.", "C3"),
    ("קשה לעבוד איתכם.", "C3"),
    # C6: rudeness and disrespect are not a reason to put in writing
    ("הצוות שלנו נתקל בגסות רוח.", "C6"),
    ("ההודעות המעליבות שנשלחו לעובדינו חצו כל גבול.", "C6"),
    ("ראינו יחס של זלזול כלפי הצוות.", "C6"),
    ("הטון התוקפני בשיחות הוביל להחלטה.", "C6"),
    # C2: unfriendly words
    ("זה פשוט בלתי מתקבל על הדעת.", "C2"),
    ("התנהלות כזו אינה מקובלת עלינו.", "C2"),
    ("נמאס לנו מהעיכובים.", "C2"),
    ("הפגישות האלה היו בזבוז של זמן.", "C2"),
    ("לא נוכל לסבול עוד הודעות כאלה.", "C2"),
    # C5: anything that is not final or invites negotiation
    ("אולי נחזור לעבוד יחד בשנה הבאה.", "C5"),
    ("ייתכן שנשקול זאת שוב.", "C5"),
    ("לעת עתה איננו מקבלים עבודות חדשות.", "C5"),
    ("כרגע לא נוכל להמשיך.", "C5"),
    ("נפסיק את השירות באופן זמני.", "C5"),
    ("השירות ייפסק זמנית.", "C5"),
    ("נסיים את ההתקשרות, אלא אם כן תסדירו את החוב.", "C5"),
    ("נשמח לשקול את ההחלטה מחדש.", "C5"),
    ("מועד הסיום פתוח למשא ומתן.", "C5"),
    ("ההחלטה עדיין אינה סופית.", "C5"),
    # C8: break up, pause, suspend
    ("הגיע הזמן להיפרד.", "C8"),
    ("מכתב זה הוא מכתב פרידה.", "C8"),
    ("אנו מציעים הפסקה בעבודה המשותפת.", "C8"),
    ("נבקש להשהות את מתן השירותים.", "C8"),
    ("ההתקשרות מוקפאת החל מהחודש הבא.", "C8"),
    # C4: warnings that embellish or lecture
    ("למען האמת, ציפינו ליותר.", "C4"),
    ("כפי שאתה יודע, ההסכם מסתיים בסוף השנה.", "C4"),
    ("כידוע לכם, הדוחות הוגשו במועד.", "C4"),
    # the same words with the prefix letters they take
    ("ובגללך נדחה הדוח.", "C3"),
    ("אנו מבקשים שאולי תחשבו על כך.", "C5"),
    ("וההפסקה תימשך חודש.", "C8"),
]

NOT_FLAGGED = [
    "אשמח לעמוד לרשותך בכל שאלה עד מועד הסיום.",  # "אשמח" is not "אשמה"
    "נשלח את הקבצים בנפרד, בצירוף רשימה מסודרת.",  # "בנפרד" is not "נפרדים"
    "נטפל בשתי הבקשות בו־זמנית.",  # "בו־זמנית" (simultaneously) is not "זמנית"
    "נטפל בשתי הבקשות בו זמנית.",
    "לוח הזמנים לסיום העבודות נקבע מראש.",  # "הזמנים" is not "זמני"
    "זה לא עניין של מחיר, אלא של התאמה.",  # "אלא" without "אם" is not "unless"
    "נותן השירותים יעשה מאמצים סבירים, ברמת דיוק סבירה.",  # "סבירה" without "לא"
    "לא נפסיק לתת שירות מלא עד יום הסיום.",  # "נפסיק" is not "הפסקה"
    "נשלים את כל העבודות שבטיפולנו.",
    "אפשר לקבל עוד קצת זמן?",
    "החלטה זו היא סופית.",  # "סופית" without "לא"
    "אנו מודים לך על הסבלנות ועל שיתוף הפעולה.",  # "הסבלנות" is not "סבלנו"
    "התשלום יבוצע לפי שעה, בהתאם לשעות העבודה בפועל.",  # "לפי שעה": by the hour
    "נמשיך לעבוד כרגיל עד מועד הסיום.",  # "כרגיל" is not "כרגע"
    "בשלבים הבאים נעביר אליכם את הקבצים.",  # "בשלבים" is not "בשלב זה"
    "תמיד שמחנו לעבוד איתך.",  # "תמיד" before a first-person verb
    "השורה המפרידה בין הסעיפים נמחקה.",  # "המפרידה" is not "פרידה"
    "כל צד רשאי להביא הסכם זה לידי סיום בכל עת.",
    "המכתב יישלח אליך עוד היום.",
    "הרינו לאשר בכתב את קבלת המסמכים.",  # "את" as the object marker, not "you"
    "אנו מודים לך בשם כל הצוות.",
    "ההחלטה התקבלה לאחר מחשבה מעמיקה.",  # "התקבלה" is not "מתקבל על הדעת"
    "שיחות רבות התקבלו מחוץ לשעות העבודה.",
    "נבקשך לבטל את הרשאות הגישה שלנו ל-Xero Payroll ול-Starling Business.",
    "יום העבודה האחרון שלנו עבורך יחול ביום 1 בדצמבר 2026. החלטה זו היא סופית.",
]


def rules(text: str) -> set[str]:
    return {finding.rule for finding in tone_check(text, "he", limit=None)}


@pytest.mark.parametrize(("text", "rule"), FLAGGED)
def test_c2_to_c8_words_that_break_the_rules_are_flagged_in_hebrew(text, rule):
    assert rule in rules(text)


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_ordinary_hebrew_sentences_and_near_words_are_not_flagged(text):
    assert tone_check(text, "he", limit=None) == []


def test_c6_rudeness_suggests_saying_we_cannot_meet_your_needs_in_hebrew():
    (finding,) = tone_check("היחס לצוות היה גס רוח.", "he", limit=None)
    assert (finding.rule, finding.words, finding.instead) == ("C6", "גס רוח", "איננו יכולים לתת מענה לצרכיכם")


def test_c8_break_up_suggests_ending_the_services_in_hebrew():
    (finding,) = tone_check("הגיע הזמן שניפרד.", "he", limit=None)
    assert (finding.rule, finding.words, finding.instead) == ("C8", "שניפרד", "לסיים את מתן השירותים")


def test_c5_words_that_invite_negotiation_suggest_saying_the_decision_is_final_in_hebrew():
    (finding,) = tone_check("המחיר ניתן למשא ומתן.", "he", limit=None)
    assert (finding.rule, finding.instead) == ("C5", "ההחלטה סופית")


def test_c4_warnings_are_warnings_not_errors_in_hebrew():
    (finding,) = tone_check("בכנות, ההסכם כבר לא מתאים.", "he", limit=None)
    assert (finding.rule, finding.level) == ("C4", "warning")


DATE = dt.date(2026, 12, 1)
SAMPLE = {
    "referral": "Harbour Books (hello@harbour.example)",
    "date": "3 בדצמבר 2026",
    "firm": "כהן ושות' רואי חשבון",
    "client": "Trouble Ltd",
    "contact": "דנה לוי",
    "sender": "מיכל אברהם",
    "title": 'ד"ר',
    "notice_date": fmt.date(dt.date(2026, 11, 3), "he"),
    "end_date": fmt.date(DATE, "he"),
    "deletion_date": fmt.date(dt.date(2026, 12, 31), "he"),
    "accounting_until": fmt.date(dt.date(2033, 12, 31), "he"),
    "files_by": fmt.date(dt.date(2026, 11, 24), "he"),
    "support_until": fmt.date(dt.date(2027, 2, 28), "he"),
    "work": fmt.items(["דוח שנתי 2026", "Xero Payroll", "דיווחי מע״מ"], "he"),
    "access": fmt.items(["Xero Payroll", "Starling Business", "חשבון הבנק"], "he"),
    "credentials": fmt.items(["שער המיסים", "HMRC gateway"], "he"),
    "successor": "לוי ייעוץ עסקי",
    "amount": fmt.money(Decimal("1234.50"), "ILS", "he"),
    "support_fee": fmt.money(Decimal("300"), "EUR", "he"),
    "unpaid": "מס' 2026-0612 (‏1,571.42 €, לתשלום עד 15 בנובמבר 2026)",
    "total": "‏1,571.42 €",
    "deadlines": 'דוח מע"מ לינואר (מועד אחרון: 25 בפברואר 2027)',
    "parties": "רשות המסים",
    "handler": "רחל כהן (rachel@northwind.example)",
    "number": "2026-0612",
    "client_number": "42",
    "agreement_date": "1 במרץ 2024",
    "notice": "14 ימים",
}
PEOPLE = {
    "masculine": {"name": "יוסי כהן", "first_name": "יוסי", "surname": "כהן"},
    "feminine": {"name": "דנה לוי", "first_name": "דנה", "surname": "לוי"},
    "neutral": {"name": "Alex Morgan", "first_name": "Alex", "surname": "Morgan"},
}


def texts(key: str, address: str) -> list[str]:
    values = {**SAMPLE, **PEOPLE[address]}
    if key == "days":
        return [days("he", n) for n in (1, 2, 3, 14, 30)]
    if key in ("referral_item", "referral_inline"):
        values = {"name": "Harbour Books", "contact": "hello@harbour.example, 03-555-0101"}
    template = raw("he", key, address)
    if isinstance(template, list):
        return [line.format_map(values) for pair in template for line in pair]
    if isinstance(template, dict):  # by number: every form
        return [say("he", key, address, count=n, **values) for n in (1, 2, 5)]
    return [say("he", key, address, **values)]


@pytest.mark.parametrize("address", ADDRESS_FORMS)
@pytest.mark.parametrize("key", list(module("he").T))
def test_every_hebrew_phrase_filled_in_gives_no_tone_finding(key, address):
    for text in texts(key, address):
        assert "{" not in text
        assert tone_check(text, "he", limit=None) == [], text


LETTER = [
    "salutation", "decision_after_call", "reason_general", "next_intro", "work", "final_invoice", "refund",
    "files", "deletion", "access", "credentials", "successor", "support", "referrals", "referral_item",
    "thanks", "closing",
]  # fmt: skip


@pytest.mark.parametrize("address", ADDRESS_FORMS)
def test_c4_c12_a_whole_hebrew_letter_is_brief_and_clean(address):
    letter = "\n".join(text for key in LETTER for text in texts(key, address))
    assert tone_check(letter, "he") == []


def test_hebrew_salutations_follow_the_form_of_address_and_the_title():
    assert say("he", "salutation", "masculine", **PEOPLE["masculine"]) == "מר כהן, שלום רב,"
    assert say("he", "salutation", "feminine", **PEOPLE["feminine"]) == "גב' לוי, שלום רב,"
    assert say("he", "salutation", "neutral", **PEOPLE["neutral"]) == "שלום רב,"  # no line opens with a Latin name
    assert say("he", "salutation_titled", "feminine", title='ד"ר', **PEOPLE["feminine"]) == 'ד"ר לוי, שלום רב,'


def test_hebrew_verbs_agree_with_the_form_of_address_singular_or_plural():
    values = {**SAMPLE, **PEOPLE["masculine"]}
    assert say("he", "final_invoice", "masculine", **values).startswith("תקבל ")
    assert say("he", "final_invoice", "feminine", **values).startswith("תקבלי ")
    assert say("he", "final_invoice", "neutral", **values).startswith("תקבלו ")
    assert "תוכלי" in say("he", "files", "feminine", **values)
    assert "עבורכם" in say("he", "decision_after_call", "neutral", **values)
    assert "עבורך" in say("he", "decision_after_call", "masculine", **values)


def test_c5_hebrew_letters_state_that_the_decision_is_final():
    values = {**SAMPLE, **PEOPLE["feminine"]}
    for key in ("decision_after_call", "decision_letter_only"):
        assert say("he", key, "feminine", **values).endswith("החלטה זו היא סופית.")
    assert all("ההחלטה סופית" in reply for _said, reply in raw("he", "script_pushback")[:2])


@pytest.mark.parametrize(
    ("items", "joined"),
    [
        ([], ""),
        (["Xero Payroll"], "Xero Payroll"),
        (["Xero Payroll", "Starling Business"], "Xero Payroll ו-Starling Business"),
        (["Xero Payroll", "חשבון הבנק"], "Xero Payroll וחשבון הבנק"),
        (["דוח שנתי", "Xero Payroll", "דיווחי מע״מ"], "דוח שנתי, Xero Payroll ודיווחי מע״מ"),
        (["חשבון הבנק", "שער המיסים", "HMRC gateway"], "חשבון הבנק, שער המיסים ו-HMRC gateway"),
        (["דוח רבעוני", "2026"], "דוח רבעוני ו-2026"),
        (["Xero", "״מרכז הלקוחות״"], "Xero ו״מרכז הלקוחות״"),
    ],
)
def test_hebrew_lists_attach_vav_to_a_hebrew_word_and_hyphen_it_before_a_latin_name(items, joined):
    assert join(items) == joined
    assert fmt.items(items, "he") == joined


@pytest.mark.parametrize(
    ("n", "words"), [(1, "יום אחד"), (2, "יומיים"), (3, "3 ימים"), (14, "14 ימים"), (30, "30 ימים")]
)
def test_n1_hebrew_days_use_the_dual_by_cldr_plural_category(n, words):
    assert set(raw("he", "days")) == {"one", "two", "other"}
    assert Locale.parse("he").plural_form(n) in raw("he", "days")
    assert days("he", n) == words


def test_hebrew_clause_names_the_parties_as_israeli_service_agreements_do():
    assert "נותן השירותים" in raw("he", "clause_replacement")
    assert "ללקוח" in raw("he", "clause_refund") and "לזכות הלקוח" in raw("he", "clause_credit")
    assert "עורך דין" in raw("he", "clause_note")
    assert say("he", "clause_notice", notice=days("he", 30)).endswith("בתום 30 ימים ממועד קבלת ההודעה.")


def test_hebrew_phrases_have_every_key_and_no_unfilled_placeholder():
    assert problems("he") == []
