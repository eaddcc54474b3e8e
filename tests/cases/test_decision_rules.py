"""Decisions that cannot be gamed: a former client cannot get a case, a client the evidence says to
keep needs the member's reason (D1), three reasons must be three different ones (D8), and a client
with no evidence has no score to decide by."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from parting.cases.models import OffboardingCase
from parting.cases.services import CaseError, case_open, case_reason_add, case_submit, distinct_reasons
from parting.clients.models import Client
from parting.signs.scoring import Scorer
from tests.factories import ClientFactory, IncidentFactory, InvoiceFactory


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def paid_on_time(client, *, days_ago: int = 10):
    today = client.firm.today()
    return InvoiceFactory(
        client=client,
        issued_on=today - dt.timedelta(days=days_ago + 30),
        due_on=today - dt.timedelta(days=days_ago),
        paid_on=today - dt.timedelta(days=days_ago + 2),
        amount_paid=1000,
    )


@pytest.fixture
def steady(firm):
    """A client who pays on time and gives no trouble: the evidence advises keeping them."""
    client = ClientFactory(firm=firm, name="Steady Ltd")
    paid_on_time(client)
    return client


@pytest.fixture
def logged_in(client, team):
    client.force_login(team["staff"])
    return client


# -- a former client ------------------------------------------------------------------------------


def test_a_case_cannot_be_opened_for_a_former_client_through_the_service(team, firm):
    former = ClientFactory(firm=firm, name="Gone Ltd", status=Client.Status.FORMER)
    with pytest.raises(CaseError, match="Gone Ltd is a former client"):
        case_open(client=former, by=team["staff"], against_advice="Anyway")
    assert not OffboardingCase.objects.filter(client=former).exists()


def test_a_case_cannot_be_opened_for_a_former_client_by_url(logged_in, firm):
    former = ClientFactory(firm=firm, name="Gone Ltd", status=Client.Status.FORMER)
    url = reverse("case_open", args=[former.pk])
    response = logged_in.post(url, {"outward_reason": "general", "against_advice": "Anyway"}, follow=True)
    assert response.status_code == 200
    assert "Gone Ltd is a former client" in text(response)
    assert not OffboardingCase.objects.filter(client=former).exists()
    assert logged_in.get(url)["Location"] == reverse("client_detail", args=[former.pk])


def test_an_active_client_next_to_a_former_one_can_still_get_a_case(team, firm, client_in_trouble):
    ClientFactory(firm=firm, name="Gone Ltd", status=Client.Status.FORMER)
    client, _incident = client_in_trouble
    assert case_open(client=client, by=team["staff"]).client == client


# -- D1: against the advice -----------------------------------------------------------------------


def test_d1_a_client_the_evidence_says_to_keep_needs_a_reason_and_the_case_keeps_it(team, steady):
    with pytest.raises(CaseError, match="D1: the evidence advises keeping Steady Ltd"):
        case_open(client=steady, by=team["staff"])
    with pytest.raises(CaseError, match="D1"):
        case_open(client=steady, by=team["staff"], against_advice="   ")
    assert not OffboardingCase.objects.filter(client=steady).exists()
    case = case_open(client=steady, by=team["staff"], against_advice="  Threatened Ana on 2 Dec  ")
    assert (case.advice_at_open, case.against_advice) == ("keep", "Threatened Ana on 2 Dec")


def test_d1_a_client_with_troubled_signs_opens_without_a_reason_and_keeps_none(team, client_in_trouble):
    client, _incident = client_in_trouble
    case = case_open(client=client, by=team["staff"], against_advice="not asked")
    assert case.advice_at_open in ("talk_first", "consider_parting")
    assert case.against_advice == ""


def test_d1_the_open_page_asks_why_only_when_the_evidence_says_keep(logged_in, steady, client_in_trouble):
    trouble, _incident = client_in_trouble
    page = text(logged_in.get(reverse("case_open", args=[steady.pk])))
    assert 'id="advice-keep"' in page and 'name="against_advice"' in page
    assert 'name="against_advice"' not in text(logged_in.get(reverse("case_open", args=[trouble.pk])))

    response = logged_in.post(reverse("case_open", args=[steady.pk]), {"outward_reason": "general"})
    assert response.status_code == 200 and "This field is required." in text(response)
    assert not OffboardingCase.objects.filter(client=steady).exists()

    response = logged_in.post(
        reverse("case_open", args=[steady.pk]), {"outward_reason": "general", "against_advice": "Threatened Ana"}
    )
    case = OffboardingCase.objects.get(client=steady)
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    assert case.against_advice == "Threatened Ana"


# -- D8: different reasons -------------------------------------------------------------------------


def test_d8_the_same_sign_twice_is_refused_and_counts_once(team, client_in_trouble):
    client, _incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], sign_id="W7")
    with pytest.raises(CaseError, match="D8: W7 is already a reason of this case"):
        case_reason_add(case=case, by=team["staff"], sign_id="W7")
    assert case.reasons.count() == 1


def test_d8_the_same_written_reason_twice_is_refused_whatever_its_case_and_spacing(team, client_in_trouble):
    client, incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], text="Shouted at Ana", evidence=[("incident", incident.pk)])
    with pytest.raises(CaseError, match="D8: this reason is already on the case"):
        case_reason_add(case=case, by=team["staff"], text="  shouted   at ANA ", evidence=[("incident", incident.pk)])
    case_reason_add(case=case, by=team["staff"], text="Shouted at Piotr", evidence=[("incident", incident.pk)])
    assert case.reasons.count() == 2


def test_d8_reasons_that_repeat_already_on_a_case_count_once_at_review(team, client_in_trouble):
    """Reasons stored before the rule (or by any other path) still count as different ones only."""
    client, incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], sign_id="W7")
    case_reason_add(case=case, by=team["staff"], sign_id="W15")
    case.reasons.create(sign_id="W7", snapshot={}, added_by=team["staff"])
    assert distinct_reasons(case) == 2
    with pytest.raises(CaseError, match="at least 3 different documented reasons before review; it has 2"):
        case_submit(case=case, by=team["staff"])
    case_reason_add(case=case, by=team["staff"], text="Shouted at Ana", evidence=[("incident", incident.pk)])
    assert distinct_reasons(case) == 3
    assert case_submit(case=case, by=team["staff"]).state == OffboardingCase.State.IN_REVIEW


# -- not enough evidence ---------------------------------------------------------------------------


def test_a_client_with_no_evidence_has_no_score_and_no_advice_yet(firm):
    empty = ClientFactory(firm=firm, name="New Ltd")
    steady = ClientFactory(firm=firm, name="Steady Ltd")
    paid_on_time(steady)
    results = {r.name: r for r in Scorer(firm).score()}
    assert results["New Ltd"].enough_evidence is False
    assert results["New Ltd"].recommendation == "insufficient"
    assert results["New Ltd"].as_dict()["score"] is None
    assert results["Steady Ltd"].enough_evidence is True
    assert results["Steady Ltd"].recommendation == "keep"
    assert results["Steady Ltd"].as_dict()["score"] == 100
    assert empty.pk == results["New Ltd"].client_id


def test_one_incident_is_evidence_enough_to_be_scored(firm):
    client = ClientFactory(firm=firm, name="Rework Ltd")
    IncidentFactory(client=client, occurred_on=firm.today() - dt.timedelta(days=3))
    result = Scorer(firm).score(client_ids=[client.pk])[0]
    assert result.enough_evidence is True and result.recommendation != "insufficient"


def test_evidence_older_than_the_window_does_not_count_as_evidence_now(firm):
    client = ClientFactory(firm=firm, name="Old Ltd")
    paid_on_time(client, days_ago=800)
    result = Scorer(firm).score(client_ids=[client.pk])[0]
    assert result.recommendation == "insufficient"


def test_clients_with_no_evidence_stay_out_of_percentiles(firm):
    """W5 counts rework incidents; ten clients with nothing recorded must not make one incident look
    worse than 90% of the firm."""
    for n in range(10):
        ClientFactory(firm=firm, name=f"Empty {n}")
    one, two = ClientFactory(firm=firm, name="One"), ClientFactory(firm=firm, name="Two")
    IncidentFactory(client=one, occurred_on=firm.today() - dt.timedelta(days=3))
    IncidentFactory(client=two, occurred_on=firm.today() - dt.timedelta(days=3))
    IncidentFactory(client=two, occurred_on=firm.today() - dt.timedelta(days=4))
    results = {r.name: r for r in Scorer(firm).score()}
    assert results["One"].sign("W5").percentile == 0  # nobody scored does better than one incident
    assert results["Two"].sign("W5").percentile == 50  # one of the two scored clients does better
    assert results["Empty 0"].sign("W5").percentile is not None  # its own value still compares


def test_the_client_page_and_the_list_say_not_enough_evidence_instead_of_a_score(client, team, firm):
    client.force_login(team["staff"])
    empty = ClientFactory(firm=firm, name="New Ltd")
    page = text(client.get(reverse("client_detail", args=[empty.pk])))
    assert 'id="no-score"' in page and "not enough evidence yet" in page
    assert "Not enough evidence yet" in page  # the advice
    listing = text(client.get(reverse("dashboard")))
    assert "not enough evidence yet" in listing


def test_the_dashboard_charts_leave_out_clients_with_no_evidence(client, team, firm):
    client.force_login(team["staff"])
    ClientFactory(firm=firm, name="New Ltd")
    steady = ClientFactory(firm=firm, name="Steady Ltd")
    paid_on_time(steady)
    charts = client.get(reverse("dashboard")).context["charts"]
    assert sum(charts["distribution"]["counts"]) == 1
    assert [point["name"] for point in charts["effort"]["points"]] == ["Steady Ltd"]


def test_d11_a_withdrawal_from_a_page_that_showed_the_case_in_review_is_refused_once_it_was_approved(
    client, team, client_in_trouble
):
    from parting.cases.services import case_review
    from tests.conftest import submitted_case

    trouble, incident = client_in_trouble
    case = submitted_case(trouble, team["staff"], incident)
    client.force_login(team["staff"])
    page = text(client.get(reverse("case_detail", args=[case.pk])))
    assert 'name="seen_state" value="in_review"' in page
    case_review(case=case, by=team["partner"], decision="approve")  # meanwhile, a partner approves
    response = client.post(
        reverse("case_withdraw", args=[case.pk]), {"note": "", "seen_state": "in_review"}, follow=True
    )
    assert "The case changed while you were looking at it: it is now Approved." in text(response)
    case.refresh_from_db()
    assert case.state == OffboardingCase.State.APPROVED
    # Seen as approved, the opener may still withdraw it before the client is told (D11).
    client.post(reverse("case_withdraw", args=[case.pk]), {"note": "", "seen_state": "approved"})
    case.refresh_from_db()
    assert case.state == OffboardingCase.State.WITHDRAWN


def test_services_refuse_text_longer_than_its_limit_whoever_calls_them(team, client_in_trouble):
    """The pages and the command line check lengths, and so does each service, for any other caller."""
    client, incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    with pytest.raises(CaseError, match="text: at most 5,000 characters"):
        case_reason_add(case=case, by=team["staff"], text="x" * 5001, evidence=[("incident", incident.pk)])
    case_reason_add(case=case, by=team["staff"], text="x" * 5000, evidence=[("incident", incident.pk)])
    from parting.cases.services import case_withdraw

    with pytest.raises(CaseError, match="note: at most 5,000 characters \\(it has 5,001\\)"):
        case_withdraw(case=case, by=team["staff"], note="n" * 5001)
    assert case.state == OffboardingCase.State.DRAFT
