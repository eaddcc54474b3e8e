"""Letters with the firm's real data in them (issue 14 §2–§4): what the firm typed reaches the client
in the client's language, internal notes never do, names in the letter's script, referrals that fit
(C10), what is still due (D10), the next deadline, the third parties, a named contact, and no claim of
a conversation the case does not record (C1)."""

import datetime as dt
import email
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from pdfminer.high_level import extract_text

from parting.cases.checklist import referral_matches
from parting.cases.models import ReferralProvider
from parting.clients.models import AccessGrant, Contact, Credential, Engagement
from parting.clients.scripts import language_doubt, script_of
from parting.letters import content, services
from parting.letters.phrases import LANGUAGES
from parting.letters.script import call_script
from tests.factories import AccessGrantFactory, ClientFactory, InvoiceFactory, ServiceFactory

NOTE = "ZZ-INTERNAL-NOTE-7431"


@pytest.fixture
def client_factory_login(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def compose(case, lang, by, **kwargs):
    return content.letter_compose(case, lang, sender=by, **kwargs)[1]


def doc(case, lang, by):
    subject, body = content.letter_compose(case, lang, sender=by)
    return content.document(case, lang, subject=subject, body=body, sender=by)


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))


def eml_text(data: bytes) -> str:
    message = email.message_from_bytes(data)
    parts = [str(message)]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_payload(decode=True).decode())
    return "\n".join(parts)


# -- §2: client-facing names, never internal notes ---------------------------------------------------

POLISH_WORK = "Sprawozdanie finansowe za 2026 rok"


def test_an_engagement_typed_in_english_is_flagged_on_a_polish_letter_and_its_polish_name_is_used(letter_case, team):
    context = content.case_context(letter_case, "pl", sender=team["staff"])
    work = next(label for label in context.labels if label["kind"] == "engagement")
    assert work["text"] == "Annual accounts 2026" and work["doubt"] == "language"
    engagement = Engagement.objects.get(client=letter_case.client)
    engagement.client_names = {"pl": POLISH_WORK}
    engagement.save()
    body = compose(letter_case, "pl", team["staff"])
    assert POLISH_WORK in body and "Annual accounts" not in body
    assert "Annual accounts 2026" in compose(letter_case, "en", team["staff"])  # no English given: the name


@pytest.mark.parametrize(
    "lang, label, doubt",
    [
        ("pl", "VAT return for November", "language"),
        ("pl", "Deklaracja VAT za listopad", ""),
        ("ro", "Annual accounts 2026", "language"),
        ("ro", "Situațiile financiare anuale pe 2026", ""),
        ("en", "Deklaracja VAT za listopad", "language"),
        ("en", "VAT return for November", ""),
        ("ru", "Annual accounts 2026", "script"),
        ("ru", "Годовая отчётность за 2026 год", ""),
        ("ru", "Xero Payroll", ""),  # a system's own name: as the client knows it
        ("he", "HMRC online services", "script"),
        ("he", 'דוח מע"מ לחודש נובמבר', ""),
        ("en", "Декларация по НДС", "script"),
        ("pl", "mBank CompanyNet", ""),  # nothing to tell by: no warning, no false certainty
    ],
)
def test_a_label_is_doubted_by_script_for_certain_and_by_common_words_as_a_guess(lang, label, doubt):
    assert language_doubt(label, lang) == doubt


@pytest.mark.parametrize("lang", LANGUAGES)
def test_internal_notes_reach_no_letter_script_or_email_in_any_format(letter_case, team, lang):
    client = letter_case.client
    client.notes = NOTE + " client"
    client.save()
    AccessGrantFactory(client=client, name="Bank portal", kind=AccessGrant.Kind.BANK, notes=NOTE + " bank")
    AccessGrant.objects.filter(client=client).update(notes=NOTE + " grant")
    Credential.objects.filter(client=client).update(notes=NOTE + " login")
    ReferralProvider.objects.filter(firm=letter_case.firm).update(notes=NOTE + " provider")
    letter_case.refresh_from_db()
    document = doc(letter_case, lang, team["staff"])
    outputs = {
        "text": "\n".join([document.subject, document.body, *document.recipient, document.reference]),
        "docx": docx_text(services.render(document, "docx")),
        "pdf": extract_text(io.BytesIO(services.render(document, "pdf"))),
        "eml": eml_text(services.render(document, "eml")),
        "script": call_script(letter_case, lang, sender=team["staff"]).plain(),
    }
    for name, text in outputs.items():
        assert NOTE not in text, name


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_letter_page_offers_to_name_a_doubtful_label_in_place_and_saves_it(
    letter_case, team, client_factory_login, lang
):
    browser = client_factory_login(team["staff"])
    url = reverse("case_letter", args=[letter_case.pk]) + f"?lang={lang}"
    page = browser.get(url).content.decode()
    engagement = Engagement.objects.get(client=letter_case.client)
    if lang == "en":
        assert 'id="labels"' not in page  # an English label on an English letter: nothing to say
        return
    assert 'id="labels"' in page and f'value="{engagement.pk}"' in page
    response = browser.post(
        url, {"lang": "pl", "action": "label", "kind": "engagement", "pk": engagement.pk, "text": POLISH_WORK}
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.client_names == {"pl": POLISH_WORK}
    assert 'id="labels"' not in browser.get(url).content.decode()


def test_a_label_of_another_firms_client_cannot_be_named_from_the_letter_page(letter_case, team, client_factory_login):
    other = ClientFactory()
    theirs = Engagement.objects.create(client=other, name="Their work", due_on=dt.date(2027, 1, 1))
    browser = client_factory_login(team["staff"])
    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=pl"
    response = browser.post(
        url, {"lang": "pl", "action": "label", "kind": "engagement", "pk": theirs.pk, "text": "X"}, follow=True
    )
    assert response.status_code == 200 and "reload the page" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.client_names == {}


# -- §2: the contact's name in the letter's script ----------------------------------------------------


@pytest.fixture
def cyrillic_contact(letter_case):
    Contact.objects.filter(client=letter_case.client).update(name="Анна Соколова", language="ru")
    return Contact.objects.get(client=letter_case.client)


@pytest.mark.parametrize("lang", ["en", "pl", "ro", "he"])
def test_a_cyrillic_name_on_a_letter_in_another_script_is_flagged_and_written_from_its_form(
    letter_case, team, cyrillic_contact, lang
):
    context = content.case_context(letter_case, lang, sender=team["staff"])
    assert context.name_missing
    cyrillic_contact.name_latin, cyrillic_contact.name_hebrew = "Anna Sokolova", "אנה סוקולובה"
    cyrillic_contact.save()
    document = doc(letter_case, lang, team["staff"])
    expected = "אנה סוקולובה" if lang == "he" else "Anna Sokolova"
    assert not content.case_context(letter_case, lang, sender=team["staff"]).name_missing
    assert "Соколова" not in document.body + "".join(document.recipient)
    assert any(expected in line for line in document.recipient)
    if lang == "en":
        assert document.body.startswith("Dear Ms Sokolova,")


def test_a_cyrillic_name_on_a_russian_letter_needs_no_other_form(letter_case, team, cyrillic_contact):
    assert not content.case_context(letter_case, "ru", sender=team["staff"]).name_missing
    assert "Соколова" in compose(letter_case, "ru", team["staff"])


def test_the_letter_page_warns_of_a_name_in_another_script_and_saves_its_form(
    letter_case, team, cyrillic_contact, client_factory_login
):
    browser = client_factory_login(team["staff"])
    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=en"
    assert 'id="contact-name"' in browser.get(url).content.decode()
    browser.post(url, {"lang": "en", "action": "contact_name", "text": "Соколова"})  # not in Latin letters
    cyrillic_contact.refresh_from_db()
    assert cyrillic_contact.name_latin == ""
    browser.post(url, {"lang": "en", "action": "contact_name", "text": "Anna Sokolova"})
    cyrillic_contact.refresh_from_db()
    assert cyrillic_contact.name_latin == "Anna Sokolova"
    assert 'id="contact-name"' not in browser.get(url).content.decode()


# -- §3: referrals that fit (C10) ---------------------------------------------------------------------


@pytest.fixture
def uk_client_case(letter_case):
    client = letter_case.client
    client.country = "GB"
    client.save()
    payroll = ServiceFactory(firm=client.firm, name="Payroll")
    romanian = ReferralProvider.objects.create(
        firm=client.firm,
        name="Contabilitate Popescu SRL",
        languages=["ro", "en"],
        countries=["RO"],
        contact="office@popescu.ro",
    )
    romanian.services.set(client.services.all())
    elsewhere = ReferralProvider.objects.create(
        firm=client.firm, name="Payroll Only Ltd", languages=["en"], countries=["GB"]
    )
    elsewhere.services.add(payroll)  # a service the client does not use
    ReferralProvider.objects.filter(name="Harbour Books").update(countries=["GB", "IE"])
    return letter_case


def test_c10_referrals_fit_the_clients_country_and_services_not_the_language_alone(uk_client_case):
    matches = referral_matches(uk_client_case)
    assert [m.provider.name for m in matches] == ["Harbour Books"]
    assert matches[0].services == ["Bookkeeping"] and matches[0].country == "GB" and matches[0].language == "en"


def test_c10_a_client_in_the_providers_country_is_referred_to_it(uk_client_case):
    client = uk_client_case.client
    client.country = "RO"
    client.save()
    assert [m.provider.name for m in referral_matches(uk_client_case)] == ["Contabilitate Popescu SRL"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_c10_one_fitting_referral_is_named_in_a_singular_sentence(uk_client_case, team, lang):
    body = compose(uk_client_case, lang, team["staff"])
    assert "Harbour Books" in body and "Popescu" not in body
    assert "\n- Harbour Books" not in body  # named in the sentence, not listed under a plural one


def test_the_letter_page_shows_why_each_referral_was_chosen(uk_client_case, team, client_factory_login):
    page = client_factory_login(team["staff"]).get(reverse("case_letter", args=[uk_client_case.pk])).content.decode()
    section = page[page.index('id="referrals"') :]
    assert "Harbour Books" in section and "Bookkeeping" in section and "United Kingdom" in section
    assert "Popescu" not in section


def test_c10_no_referral_when_the_reason_is_attitude(uk_client_case, team):
    uk_client_case.attitude = True
    assert referral_matches(uk_client_case) == []
    assert "Harbour Books" not in compose(uk_client_case, "en", team["staff"])


# -- §4: what a professional letter also has ----------------------------------------------------------

UNPAID = {
    "en": "Invoice 2026-0612 (",
    "ru": "Остаётся к оплате счёт № 2026-0612 (",
    "pl": "Do zapłaty pozostaje faktura nr 2026-0612 (",
    "ro": "Rămâne de achitat factura nr. 2026-0612 (",
    "he": "נותרה לתשלום חשבונית מס' \u20662026-0612\u2069 (",
}
UNPAID_TWO = {
    "en": "Invoices 2026-0612 (",
    "ru": "Остаются к оплате счета № 2026-0612 (",
    "pl": "Do zapłaty pozostają faktury nr 2026-0612 (",
    "ro": "Rămân de achitat facturile nr. 2026-0612 (",
    "he": "נותרו לתשלום חשבוניות מס' \u20662026-0612\u2069 (",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_d10_an_unsettled_balance_is_stated_with_each_invoice_number_amount_and_due_date(letter_case, team, lang):
    client = letter_case.client
    assert "2026-0612" not in compose(letter_case, lang, team["staff"])  # settled: nothing said
    today = letter_case.firm.today()
    InvoiceFactory(
        firm=client.firm,
        client=client,
        number="2026-0612",
        issued_on=today - dt.timedelta(days=30),
        amount=Decimal("1571.42"),
    )
    body = compose(letter_case, lang, team["staff"])
    assert UNPAID[lang] in body and "1571" in body.replace(",", "").replace(".", "").replace("\u00a0", "").replace(
        " ", ""
    )
    InvoiceFactory(
        firm=client.firm,
        client=client,
        number="2026-0673",
        issued_on=today - dt.timedelta(days=5),
        amount=Decimal("100.00"),
    )
    body = compose(letter_case, lang, team["staff"])
    assert UNPAID_TWO[lang] in body and "2026-0673" in body


def test_the_next_deadline_after_the_end_date_is_named_for_the_new_adviser(letter_case, team):
    """Work due after the end date (the end set by hand before it) is the client's to see to."""
    from parting.cases.plan import plan_get

    end = content.plan_compute(letter_case).end_date.value
    plan = plan_get(letter_case)
    plan.overrides = {"end_date": {"value": end.isoformat(), "reason": "agreed in the call"}}
    plan.save()
    Engagement.objects.create(
        client=letter_case.client, name="VAT return for January", due_on=end + dt.timedelta(days=1)
    )
    Engagement.objects.create(client=letter_case.client, name="Last day work", due_on=end)
    body = compose(letter_case, "en", team["staff"])
    assert "please make sure your new adviser takes care of it: VAT return for January (due" in body
    assert "complete the work in progress before that date: Annual accounts 2026 and Last day work." in body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tax_and_bank_access_are_third_parties_we_notify_ourselves(letter_case, team, lang):
    AccessGrant.objects.filter(client=letter_case.client).update(kind=AccessGrant.Kind.ACCOUNTING)
    AccessGrantFactory(client=letter_case.client, name="e-MTA", kind=AccessGrant.Kind.TAX)
    context = content.case_context(letter_case, lang, sender=team["staff"])
    assert [party.strip("\u2066\u2069") for party in context.third_parties] == ["e-MTA"]
    assert all("e-MTA" not in item for item in context.access)
    assert "e-MTA" in compose(letter_case, lang, team["staff"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_named_contact_and_a_reference_line_are_in_every_letter(letter_case, team, lang):
    client = letter_case.client
    client.assigned_to = team["partner"]
    client.number = "K-0042"
    client.contract_start = dt.date(2024, 3, 1)
    client.save()
    team["partner"].email = "partner@firm.example"
    team["partner"].save()
    document = doc(letter_case, lang, team["staff"])
    assert "partner@firm.example" in document.body
    assert "K-0042" in document.reference and "2024" in document.reference


NOT_TOLD = {
    "en": "Not to be sent yet",
    "ru": "Пока не отправлять",
    "pl": "Nie wysyłać",
    "ro": "A nu se trimite încă",
    "he": "לא לשליחה בשלב זה",
}
CONVERSATION = {"en": "conversation", "ru": "разговор", "pl": "rozmow", "ro": "discuți", "he": "שיחה"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_c1_a_case_not_yet_told_gets_no_claimed_conversation_and_a_visible_notice(letter_case, team, lang):
    document = doc(letter_case, lang, team["staff"])
    assert document.notice.startswith(NOT_TOLD[lang])
    assert CONVERSATION[lang] not in document.body.split("\n\n")[1].lower()
    assert NOT_TOLD[lang] in docx_text(services.render(document, "docx"))
    letter_case.notified_on = letter_case.firm.today()
    told = doc(letter_case, lang, team["staff"])
    assert told.notice == "" and told.body != document.body


def test_c1_the_letter_page_says_when_the_call_is_not_recorded(letter_case, team, client_factory_login):
    page = client_factory_login(team["staff"]).get(reverse("case_letter", args=[letter_case.pk])).content.decode()
    assert 'id="not-told"' in page


# -- the file names and the call script from the command line -----------------------------------------


def test_a_downloaded_letter_is_named_in_the_clients_language_without_internal_words(
    letter_case, team, client_factory_login
):
    services.letter_generate(case=letter_case, by=team["staff"], lang="pl")
    response = client_factory_login(team["staff"]).get(reverse("letter_download", args=[letter_case.pk, "pl", "docx"]))
    disposition = response["Content-Disposition"]
    assert "case" not in disposition and "zako%C5%84czenie" in disposition and disposition.endswith(".docx")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_parting_script_writes_the_call_script_as_text(letter_case, team, lang, tmp_path):
    out = tmp_path / "script.txt"
    call_command("script", str(letter_case.pk), "--lang", lang, "-o", str(out), "--user", team["staff"].username)
    text = out.read_text()
    assert text.startswith(
        call_script(letter_case, lang, sender=team["staff"]).title.replace("\u2066", "").replace("\u2069", "")
    )
    assert "\u2066" not in text


def test_parting_script_writes_a_pdf(letter_case, team, tmp_path):
    out = tmp_path / "script.pdf"
    call_command("script", str(letter_case.pk), "--format", "pdf", "-o", str(out), "--user", team["staff"].username)
    assert out.read_bytes().startswith(b"%PDF")


def test_parting_script_refuses_another_firms_case(letter_case, tmp_path):
    from django.core.management.base import CommandError

    from tests.factories import MembershipFactory

    stranger = MembershipFactory().user
    with pytest.raises(CommandError, match="No case"):
        call_command("script", str(letter_case.pk), "-o", str(tmp_path / "x.txt"), "--user", stranger.username)


def test_script_of_tells_the_three_scripts():
    assert (script_of("Игорь"), script_of("גולן"), script_of("Gareth"), script_of("2026")) == (
        "cyrillic",
        "hebrew",
        "latin",
        "",
    )


def test_no_letter_label_claims_a_language_from_a_bare_number():
    assert language_doubt("2026-0612", "he") == "" and language_doubt("2026", "pl") == ""
