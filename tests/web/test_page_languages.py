"""Every main page in each of the five languages shows that language only (issue 11): no Hebrew on a
Russian page, no Cyrillic on a Hebrew one, and none of the app's own English strings on a page that
is not English — catalogue gaps and labels frozen in another language (a Hebrew checklist title on an
English page) fail here.

What is read is the text a member sees or hears: text nodes and the title, aria-label, placeholder
and alt attributes, without scripts and styles. Text the page marks as another language (``lang``,
as the language selector does for "עברית") is left out, as a screen reader switches voice there. The
firm is built by tests/factories.py with plain Latin names ("Firm 3", "Client Alpha"), so no user data
looks like a UI string or another alphabet, and the clients' contacts speak the page's language, so the letter
and the call script are in it too.

English UI strings: every msgid of two words or more in the Polish catalogue (placeholders match any
short text). A msgid that a language's catalogue translates as itself ("US Letter") is allowed there.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from parting.cases.models import ReferralProvider
from parting.cases.services import case_open, case_reason_add, case_review, case_submit
from parting.evidence.models import Incident, Message
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    ContactFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MembershipFactory,
    MessageFactory,
    ServiceFactory,
    TimeEntryFactory,
)

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# A run of words in one alphabet, with the spaces, digits and punctuation between them: one phrase per finding.
HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]+(?:[\s\d.,:;%()/–-]+[\u0590-\u05ff\ufb1d-\ufb4f]+)*")
CYRILLIC = re.compile(r"[\u0400-\u04ff]+(?:[\s\d.,:;%()/–-]+[\u0400-\u04ff]+)*")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


class VisibleText(HTMLParser):
    """The text of a page as a member meets it, without the parts marked as another language."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or self.language).split("-")[0]
        skip = self.skipping() or tag in ("script", "style") or (tag != "html" and lang != self.language)
        if tag not in VOID:
            self.stack.append((tag, skip))
        if skip:
            return
        self.parts += [attrs[name] for name in SPOKEN_ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in VOID or tag not in (name for name, _skip in self.stack):
            return
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not self.skipping():
            self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def visible_text(html: str, language: str) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    parser.close()
    return parser.text()


@cache
def catalogue(language: str) -> dict[str, tuple[str, ...]]:
    """msgid → its translations in ``language`` (empty when missing or fuzzy: gettext then shows English)."""
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        entries = read_po(handle, locale=language)
    found = {}
    for message in entries:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        translated = () if message.fuzzy or not all(strings) else tuple(strings)
        for msgid in ids:
            found[msgid] = translated
    return found


def english_pattern(msgid: str) -> tuple[str, re.Pattern] | None:
    """How to find a UI string on a page: its longest fixed piece (a quick ``in`` test) and a pattern in
    which each placeholder matches a short value. None for strings too short to tell from other text:
    fewer than two words in a row without a placeholder ("Save", "%(n)s and %(m)s more")."""
    if "<" in msgid:
        return None
    pieces = [" ".join(piece.split()) for piece in PLACEHOLDER.split(msgid)]
    anchor = max(pieces, key=len)
    if len(re.findall(r"[A-Za-z]{2,}", anchor)) < 2:
        return None
    fixed = [r"\s+".join(map(re.escape, piece.split())) for piece in pieces]
    return anchor, re.compile(r"(?<!\w)" + r"[^.;:!?]{1,60}?".join(fixed).strip() + r"(?!\w)")


@cache
def english_strings(language: str) -> tuple[tuple[str, str, re.Pattern], ...]:
    """The app's English strings that should not show on a ``language`` page."""
    own = catalogue(language)
    return tuple(
        (msgid, *found)
        for msgid in catalogue("pl")
        if (found := english_pattern(msgid)) is not None and msgid not in own.get(msgid, ())
    )


def problems(text: str, language: str) -> list[str]:
    text = re.sub(r"\s+", " ", text)
    found = []
    if language != "he":
        found += [f"Hebrew: {run!r}" for run in sorted(set(HEBREW.findall(text)))]
    if language != "ru":
        found += [f"Cyrillic: {run!r}" for run in sorted(set(CYRILLIC.findall(text)))]
    if language != "en":
        found += [
            f"English: {msgid!r}"
            for msgid, anchor, pattern in english_strings(language)
            if anchor in text and pattern.search(text)
        ]
    return found


def build_firm(language: str):
    """A firm with one client of each state the pages show: a case in review, an approved case (its
    letter and script), evidence of every kind, a referral provider. Every name is plain Latin.

    The firm mixes languages, as the demo does: the colleagues who open, document and approve the cases
    work in another language (Hebrew, or Russian for a Hebrew reader) and do so with it active, as their
    requests would; whatever the app keeps from their actions must still read in the viewer's language."""
    colleague = "he" if language != "he" else "ru"
    firm = FirmFactory(name="Firm Quill", time_zone="Europe/Warsaw", currency="EUR")
    owner = MembershipFactory(firm=firm, user__username="owner", language=language)
    partner = MembershipFactory(firm=firm, partner=True, user__username="partner", language=colleague).user
    staff = MembershipFactory(firm=firm, staff=True, user__username="staff", language=colleague).user
    service = ServiceFactory(firm=firm, name="Bookkeeping")
    ReferralProvider.objects.create(firm=firm, name="Provider Lark", languages=[language], region="Region Kite")
    today = firm.today()
    cases = []
    for name in ("Client Alpha", "Client Beta"):
        client = ClientFactory(firm=firm, name=name)
        ContactFactory(client=client, name="Contact Moss", language=language)  # the letter's language
        client.services.add(service)
        for n in range(3):
            InvoiceFactory(
                client=client,
                issued_on=today - dt.timedelta(days=80),
                due_on=today - dt.timedelta(days=60 - n),
                paid_on=today - dt.timedelta(days=10),
                amount_paid=1000,
            )
        incident = IncidentFactory(
            client=client, kind=Incident.Kind.DISRESPECT, occurred_on=today - dt.timedelta(days=5)
        )
        MeetingFactory(client=client, starts_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
        MessageFactory(client=client, direction=Message.Direction.INBOUND)
        ClientRequestFactory(client=client, description="Form K7")
        TimeEntryFactory(client=client, date=today - dt.timedelta(days=3))
        with translation.override(colleague):
            case = case_open(client=client, by=staff)
            case_reason_add(case=case, by=staff, sign_id="W7")
            case_reason_add(case=case, by=staff, sign_id="W15")
            case_reason_add(case=case, by=staff, text="Note Zeta", evidence=[("incident", incident.pk)])
            cases.append(case_submit(case=case, by=staff))
    ClientFactory(firm=firm, name="Client Gamma")  # a healthy client, nothing to say
    with translation.override(colleague):
        approved = case_review(case=cases[1], by=partner, decision="approve")
    return owner, cases[0], approved


def pages(in_review, approved) -> dict[str, str]:
    client = in_review.client
    return {
        "dashboard": reverse("dashboard"),
        "client detail": reverse("client_detail", args=[client.pk]),
        "client sign": reverse("client_sign", args=[client.pk, "W7"]),
        "policy": reverse("policy"),
        "firm settings": reverse("firm_settings"),
        "cases": reverse("cases"),
        "case detail": reverse("case_detail", args=[approved.pk]),
        "case review": reverse("case_review", args=[in_review.pk]),
        "letter": reverse("case_letter", args=[approved.pk]),
        "script": reverse("case_script", args=[approved.pk]),
        "partings": reverse("partings"),
        "referrals": reverse("referrals"),
        "clause": reverse("clause"),
        "import": reverse("imports"),
        "rules": reverse("rules"),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_main_page_is_in_the_members_language_only(client, db, language):
    owner, in_review, approved = build_firm(language)
    client.force_login(owner.user)
    client.raise_request_exception = False  # a page that fails is one finding; the others are still read
    failures = {}
    for name, url in pages(in_review, approved).items():
        response = client.get(url)
        if response.status_code != 200:
            failures[name] = [f"HTTP {response.status_code}"]
            continue
        html = response.content.decode()
        assert f'<html lang="{language}"' in html, name
        if found := problems(visible_text(html, language), language):
            failures[name] = found
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("login")).content.decode()
    assert f'<html lang="{language}"' in html
    if found := problems(visible_text(html, language), language):
        failures["login"] = found
    report = "\n".join(f"{page}: " + "; ".join(found) for page, found in failures.items())
    assert not failures, f"{language} pages show another language:\n{report}"


# --- the checker itself: it must catch what it is for, and nothing else ----------------------------


def test_the_checker_reads_text_and_spoken_attributes_not_scripts_or_other_languages():
    html = (
        '<html lang="ru"><head><title>Т</title><script>var x = "שלום";</script></head><body>'
        '<p>Привет <span lang="he">עברית</span></p><img alt="картинка"><button aria-label="Закрыть">x</button>'
        '<select><option lang="en">English</option></select><br/><input type="submit" value="Сохранить">'
        "<p>after</p></body></html>"
    )
    text = visible_text(html, "ru")
    assert "Привет" in text and "картинка" in text and "Закрыть" in text and "Сохранить" in text
    assert "after" in text
    assert "שלום" not in text and "עברית" not in text and "English" not in text


def test_the_checker_flags_another_alphabet_and_english_ui_strings():
    assert problems("Клиенты שלום", "ru") == ["Hebrew: 'שלום'"]
    assert problems("לקוחות Клиенты", "he") == ["Cyrillic: 'Клиенты'"]
    assert problems("Клиенты עברית", "en") == ["Hebrew: 'עברית'", "Cyrillic: 'Клиенты'"]
    assert "English: 'Change password'" in problems("Ustawienia Change  password", "pl")
    assert problems("Change password", "en") == []


def test_english_strings_with_placeholders_match_any_value_and_single_words_are_not_checked():
    anchor, pattern = english_pattern("Paid %(late)d of %(due)d invoices late")
    assert anchor == "invoices late"
    assert pattern.search("Paid 3 of 4 invoices late") and not pattern.search("Paid. Then 3 of 4 invoices late")
    assert english_pattern("Save") is None
    assert english_pattern("%(count)s %(unit)s") is None
    assert english_pattern("%(columns)s and %(n)d more") is None
    _anchor, log_out = english_pattern("Log out")
    assert log_out.search("Please Log out now") and not log_out.search("Logout") and not log_out.search("Log outside")
