"""The letter page's in-place name fixes change the client's data: they ask what editing the letter
asks — an active member of the case's firm, a case still under way — and are audited."""

import pytest
from django.urls import reverse

from parting.audit.models import AuditEntry
from parting.cases.models import OffboardingCase
from parting.cases.services import CaseError
from parting.clients.models import Contact, Engagement
from parting.firms.models import Membership
from parting.letters import services
from tests.factories import MembershipFactory


def named_engagement(case):
    return Engagement.objects.get(client=case.client)


def audit_count():
    return AuditEntry.objects.filter(action__in=["client.label_named", "client.contact_named"]).count()


@pytest.mark.parametrize("state", [OffboardingCase.State.CLOSED, OffboardingCase.State.WITHDRAWN])
def test_names_cannot_be_changed_from_the_letter_page_of_a_closed_or_withdrawn_case(letter_case, team, state):
    OffboardingCase.objects.filter(pk=letter_case.pk).update(state=state)
    engagement, before = named_engagement(letter_case), audit_count()
    with pytest.raises(CaseError, match="nothing was changed"):
        services.label_name_set(
            case=letter_case, by=team["staff"], lang="pl", kind="engagement", pk=engagement.pk, text="Sprawozdanie"
        )
    with pytest.raises(CaseError, match="nothing was changed"):
        services.contact_name_set(case=letter_case, by=team["staff"], lang="ru", text="Анна Ковальска")
    engagement.refresh_from_db()
    contact = Contact.objects.get(client=letter_case.client)
    assert engagement.client_names == {} and contact.name_cyrillic == "" and audit_count() == before


def test_a_deactivated_member_cannot_change_names_from_the_letter(letter_case, team):
    Membership.objects.filter(user=team["staff"], firm=letter_case.firm).update(is_active=False)
    engagement, before = named_engagement(letter_case), audit_count()
    with pytest.raises(CaseError, match="Only members of the firm"):
        services.label_name_set(
            case=letter_case, by=team["staff"], lang="pl", kind="engagement", pk=engagement.pk, text="Sprawozdanie"
        )
    with pytest.raises(CaseError, match="Only members of the firm"):
        services.contact_name_set(case=letter_case, by=team["staff"], lang="ru", text="Анна Ковальска")
    engagement.refresh_from_db()
    assert engagement.client_names == {} and audit_count() == before


def test_a_member_of_another_firm_cannot_change_names_of_this_firms_client(letter_case):
    stranger = MembershipFactory().user
    engagement = named_engagement(letter_case)
    with pytest.raises(CaseError, match="Only members of the firm"):
        services.label_name_set(
            case=letter_case, by=stranger, lang="pl", kind="engagement", pk=engagement.pk, text="Sprawozdanie"
        )
    engagement.refresh_from_db()
    assert engagement.client_names == {}


def test_the_letter_page_refuses_a_name_fix_on_a_closed_case_and_says_why(letter_case, team, client):
    OffboardingCase.objects.filter(pk=letter_case.pk).update(state=OffboardingCase.State.CLOSED)
    engagement = named_engagement(letter_case)
    client.force_login(team["staff"])
    url = reverse("case_letter", args=[letter_case.pk]) + "?lang=pl"
    response = client.post(
        url,
        {"lang": "pl", "action": "label", "kind": "engagement", "pk": engagement.pk, "text": "Sprawozdanie"},
        follow=True,
    )
    assert "nothing was changed" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.client_names == {}


def test_a_name_fixed_in_place_on_a_case_under_way_is_saved_and_audited(letter_case, team):
    engagement, before = named_engagement(letter_case), audit_count()
    services.label_name_set(
        case=letter_case, by=team["staff"], lang="pl", kind="engagement", pk=engagement.pk, text="Sprawozdanie"
    )
    engagement.refresh_from_db()
    assert engagement.client_names == {"pl": "Sprawozdanie"} and audit_count() == before + 1
