"""Every letter of the demo, in every language, reads as written for its reader (issue 14): no label the
firm typed in another language or script, no contact name in another script, no internal note."""

import datetime as dt

import pytest

from parting.cases.models import OffboardingCase, ReferralProvider
from parting.clients.models import AccessGrant, Client, Credential
from parting.demo.builder import demo_load
from parting.letters import content, services
from parting.letters.phrases import LANGUAGES
from parting.letters.script import call_script

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return demo_load(today=TODAY).firm


def test_every_demo_letter_in_every_language_has_only_labels_in_its_language_and_no_internal_note(demo):
    cases = list(OffboardingCase.objects.filter(firm=demo).select_related("client", "firm", "opened_by"))
    assert len(cases) >= 3
    notes = {
        text
        for model in (AccessGrant, Credential, Client, ReferralProvider)
        for text in model.objects.exclude(notes="").values_list("notes", flat=True)
    }
    assert notes  # the demo has internal notes to leak
    problems = []
    for case in cases:
        for lang in LANGUAGES:
            context = content.case_context(case, lang, sender=case.opened_by)
            problems += [
                f"{case.client} {lang}: “{label['text']}” ({label['doubt']})"
                for label in context.labels
                if label["doubt"]
            ]
            if context.name_missing:
                problems.append(f"{case.client} {lang}: the contact's name is not in the letter's script")
            subject, body = content.letter_compose(case, lang, sender=case.opened_by)
            document = content.document(case, lang, subject=subject, body=body, sender=case.opened_by)
            said = "\n".join(
                [
                    document.subject,
                    document.body,
                    *document.recipient,
                    document.reference,
                    call_script(case, lang, sender=case.opened_by).plain(),
                ]
            )
            said += services.render(document, "eml").decode("ascii", "replace")
            problems += [f"{case.client} {lang}: internal note “{note}”" for note in notes if note in said]
    assert problems == []


def test_the_demo_refers_the_uk_client_only_to_the_uk_firm(demo):
    from parting.cases.checklist import referral_matches
    from parting.cases.services import case_open

    atlas = Client.objects.get(firm=demo, name="Atlas Freight Forwarding Ltd")
    case = case_open(client=atlas, by=atlas.assigned_to, outward_reason=OffboardingCase.OutwardReason.FIT)
    assert [match.provider.name for match in referral_matches(case)] == ["Harbour Street Accountants"]
