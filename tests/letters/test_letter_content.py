"""The letter's content model (C5, C6, C9, C10, O1–O9) and its three renderers, in every language."""

import io
import zipfile
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from pdfminer.high_level import extract_text

from parting.cases.models import OffboardingCase
from parting.cases.plan import plan_compute
from parting.cases.services import plan_update
from parting.letters import content, fmt, services
from parting.letters.phrases import LANGUAGES, say
from parting.letters.tone import tone_check
from tests.factories import TimeEntryFactory
from tests.letters.conftest import with_prepaid

REASONS = OffboardingCase.OutwardReason.values


def compose(case, lang, by):
    subject, body = content.letter_compose(case, lang, sender=by)
    return subject, body, content.document(case, lang, subject=subject, body=body, sender=by)


def squash(text: str) -> str:
    """PDF text without the line breaks and hyphenation a layout puts in."""
    return " ".join(text.replace("-\n", "").split())


def test_c10_no_referral_when_the_reason_is_attitude_only_good_wishes(letter_case, team):
    _s, body, _d = compose(letter_case, "en", team["staff"])
    assert "You may wish to contact Harbour Books (hello@harbour.example), which we believe" in body
    assert say("en", "good_wishes") not in body
    letter_case.attitude = True
    letter_case.save()
    _s, body, _d = compose(letter_case, "en", team["staff"])
    assert "Harbour Books" not in body
    assert say("en", "referrals") not in body
    assert "We wish you all the best." in body


def test_c5_o1_o5_the_end_date_and_the_deletion_date_are_stated_for_the_client(letter_case, team):
    plan = plan_compute(letter_case)
    subject, body, _doc = compose(letter_case, "en", team["staff"])
    end, deletion = fmt.date(plan.end_date.value, "en"), fmt.date(plan.deletion_date.value, "en")
    assert end in subject and end in body and deletion in body
    assert "This decision is final." in body
    assert "Dear Ms Kowalska," in body  # feminine form of address, surname
    assert "Xero Payroll" in body and "HMRC gateway" in body and "Annual accounts 2026" in body  # O2, O4, N2
    assert body.rstrip().endswith("Kind regards,")


def test_n4_the_refund_or_credit_is_stated_with_its_amount(letter_case, team):
    with_prepaid(letter_case)
    plan_update(case=letter_case, by=team["staff"], fixed_term="end_early", work_done_percent=25)
    _s, body, _d = compose(letter_case, "en", team["staff"])
    assert "We will refund €900.00" in body
    plan_update(case=letter_case, by=team["staff"], refund_kind="credit")
    _s, body, _d = compose(letter_case, "en", team["staff"])
    assert "credit note of €900.00" in body


def test_o6_paid_support_is_offered_only_with_its_fee(letter_case, team):
    plan_update(case=letter_case, by=team["staff"], support_days=30, support_fee=250)
    _s, body, _d = compose(letter_case, "en", team["staff"])
    assert "paid support" in body and "€250.00" in body


def test_c1_a_letter_only_ending_says_so_instead_of_referring_to_the_call(letter_case, team):
    letter_case.notified_on = letter_case.firm.today()  # the call is recorded
    after = content.letter_compose(letter_case, "en", sender=team["staff"])[1]
    alone = content.letter_compose(letter_case, "en", sender=team["staff"], after_call=False)[1]
    assert "Further to our conversation" in after and "Further to our conversation" not in alone


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_letter_renders_in_pdf_docx_and_eml_with_its_dates_in_every_combination(letter_case, team, lang):
    """Language × reason category × (referral / attitude) × (refund / none): the letter renders in all
    three formats; the PDF's text has the end and deletion dates formatted for the language, and the
    generated text passes the tone checker."""
    plan_update(case=letter_case, by=team["staff"], fixed_term="end_early", work_done_percent=40)
    for refund in (False, True):
        if refund:
            with_prepaid(letter_case)
        for attitude in (False, True):
            for reason in REASONS:
                letter_case.outward_reason, letter_case.attitude = reason, attitude
                letter_case.save()
                plan = plan_compute(letter_case)
                subject, body, doc = compose(letter_case, lang, team["staff"])
                label = f"{lang}/{reason}/attitude={attitude}/refund={refund}"
                assert tone_check(subject, lang, limit=None) == [], label
                assert tone_check(body, lang) == [], label
                assert ("Harbour Books" in body) is not attitude, label
                assert fmt.money(plan.refund.value, "EUR", lang) in body if refund else True, label
                pdf = services.render(doc, "pdf")
                assert pdf.startswith(b"%PDF-"), label
                docx = services.render(doc, "docx")
                assert zipfile.is_zipfile(io.BytesIO(docx)), label
                eml = message_from_bytes(services.render(doc, "eml"), policy=policy.default)
                assert eml["Subject"].strip() == subject, label  # Django folds a non-ASCII subject onto its own line
                if lang != "he":  # Hebrew comes out of a PDF in visual order: see test_letter_rtl.py
                    text = squash(extract_text(io.BytesIO(pdf)))
                    for value in (fmt.date(plan.end_date.value, lang), fmt.date(plan.deletion_date.value, lang)):
                        assert squash(value) in text, (label, value)


def test_d10_the_final_invoice_is_an_estimate_until_its_amount_is_set_by_hand(letter_case, team):
    from parting.cases.services import plan_override

    TimeEntryFactory(client=letter_case.client, date=letter_case.firm.today(), hours=Decimal("10"), billable=True)
    _s, body, _d = compose(letter_case, "en", team["staff"])
    assert "final invoice for the work up to" in body and "which we estimate at €" in body
    plan_override(case=letter_case, by=team["owner"], field="final_invoice", value="1500.00", reason="Agreed fee")
    _s, body, _d = compose(letter_case, "en", team["staff"])
    assert "You will receive our final invoice of €1,500.00" in body


def test_o9_hours_logged_after_writing_do_not_make_the_letter_out_of_date_but_a_new_end_date_does(letter_case, team):
    from parting.cases.services import plan_override
    from parting.letters.services import letter_generate, letter_outdated

    letter = letter_generate(case=letter_case, by=team["staff"], lang="en")
    TimeEntryFactory(client=letter_case.client, date=letter_case.firm.today(), hours=Decimal("30"), billable=True)
    assert letter_outdated(letter) is False  # the estimate grew; nothing the client was told has changed
    plan_override(case=letter_case, by=team["owner"], field="end_date", value="2027-06-30", reason="Audit")
    assert letter_outdated(letter) is True
