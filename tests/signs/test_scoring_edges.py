"""Edges of the fit score, advice and value (docs/scoring.md): the window's first day, money rounded
as an accountant would, the order of reasons and of clients, the three worst signs, referral chains
(D6), the dealbreakers' wording (D7), percentiles for a sign where lower is worse (W11), and what the
JSON of `parting score --json` carries.

The firm works 09:00–17:00 Monday to Friday in Europe/Warsaw; scores are as of 30 June 2026.
"""

import datetime as dt
from decimal import Decimal

import pytest

from parting.clients.models import Client
from parting.evidence.models import Incident
from parting.signs.policy import policy_for
from parting.signs.scoring import Scorer, money, month_shift, window
from tests.conftest import AS_OF
from tests.factories import ClientFactory, IncidentFactory, InvoiceFactory, MessageFactory, TimeEntryFactory

UTC = dt.UTC


def scores(firm, **kwargs):
    return {r.name: r for r in Scorer(firm, as_of=AS_OF).score(**kwargs)}


def late_payer(client, late, of, *, amount=1000):
    """``of`` invoices due in May 2026, ``late`` of them paid three weeks late (W7)."""
    for n in range(of):
        due = dt.date(2026, 5, 1 + n)
        InvoiceFactory(
            client=client,
            issued_on=dt.date(2026, 4, 15),
            due_on=due,
            paid_on=due + dt.timedelta(days=21 if n < late else 0),
            amount=amount,
        )


# -- the window and the calendar ----------------------------------------------------------------


def test_the_window_is_the_current_month_and_the_eleven_before_it():
    assert window(dt.date(2026, 11, 22), 12) == (dt.date(2025, 12, 1), dt.date(2026, 11, 22))
    assert window(dt.date(2026, 1, 31), 1) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def test_d7_months_back_land_on_the_same_day_or_the_last_day_of_a_shorter_month():
    assert month_shift(dt.date(2026, 8, 31), -6) == dt.date(2026, 2, 28)
    assert month_shift(dt.date(2024, 8, 31), -6) == dt.date(2024, 2, 29)
    assert month_shift(dt.date(2026, 1, 15), -1) == dt.date(2025, 12, 15)
    assert month_shift(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 31)


def test_money_is_rounded_half_up_to_the_cent():
    assert money(2.675) == Decimal("2.68")
    assert money(Decimal("0.005")) == Decimal("0.01")
    assert money(Decimal("10.004")) == Decimal("10.00")
    assert str(money(5)) == "5.00"


def test_evidence_after_the_as_of_day_or_after_now_is_not_counted(firm):
    acme = ClientFactory(firm=firm, name="Acme")
    MessageFactory(client=acme, sent_at=dt.datetime(2026, 6, 30, 21, 59, tzinfo=UTC))  # 23:59 in Warsaw
    MessageFactory(client=acme, sent_at=dt.datetime(2026, 6, 30, 22, 0, tzinfo=UTC))  # 1 July in Warsaw
    (result,) = Scorer(firm, as_of=AS_OF).score()
    assert result.components["msg_in"] == 1
    now = dt.datetime(2026, 6, 30, 12, tzinfo=UTC)
    (result,) = Scorer(firm, now=now).score()
    assert Scorer(firm, now=now).as_of == AS_OF
    assert result.components["msg_in"] == 0  # both were sent after noon


# -- the fit score and the advice ---------------------------------------------------------------


def test_a_client_with_signs_against_them_scores_below_one_without(firm):
    late_payer(ClientFactory(firm=firm, name="Late"), 1, 4)
    late_payer(ClientFactory(firm=firm, name="Prompt"), 0, 4)
    s = scores(firm)
    assert s["Prompt"].score == 100
    assert 30 < s["Late"].score < 100
    assert s["Late"].sign("W7").subscore == 60  # 25 %: between concerning (20 %, 70) and poor (40 %, 30)


def test_a_poor_sign_weighs_more_than_its_weight_so_it_is_not_averaged_away(firm):
    """W7 at 100 % late (subscore 0) beside healthy signs at 100: at 0 a sign counts three times its
    weight (docs/scoring.md, step 2), so the score is well under the plain weighted mean."""
    acme = ClientFactory(firm=firm, name="Acme")
    late_payer(acme, 4, 4)
    for day in range(1, 5):
        MessageFactory(client=acme, sent_at=dt.datetime(2026, 6, day, 8, tzinfo=UTC))
    TimeEntryFactory(client=acme, date=dt.date(2026, 5, 1), hours=10)
    result = scores(firm)["Acme"]
    judged = [s for s in result.signs if s.subscore is not None]
    assert {s.subscore for s in judged if s.id != "W7"} == {100} and result.sign("W7").subscore == 0
    healthy = sum(s.weight for s in judged if s.id != "W7")
    w7 = result.sign("W7").weight
    assert result.score == round(100 * healthy / (healthy + 3 * w7))
    assert result.score < round(100 * healthy / (healthy + w7)) - 15


def test_clients_are_listed_worst_score_first_then_by_name(firm):
    late_payer(ClientFactory(firm=firm, name="Zeta"), 0, 4)
    late_payer(ClientFactory(firm=firm, name="Alpha"), 0, 4)
    late_payer(ClientFactory(firm=firm, name="Mid"), 2, 4)
    ranking = [r.name for r in Scorer(firm, as_of=AS_OF).score()]
    assert ranking == ["Mid", "Alpha", "Zeta"]


def test_the_reasons_give_dealbreakers_first_then_the_lead_then_the_troubled_signs_worst_first(firm):
    acme = ClientFactory(firm=firm, name="Acme")
    late_payer(acme, 4, 4)
    IncidentFactory(client=acme, kind=Incident.Kind.DISRESPECT, occurred_on=dt.date(2026, 6, 1))
    IncidentFactory(client=acme, kind=Incident.Kind.DISRESPECT, occurred_on=dt.date(2026, 6, 2))
    IncidentFactory(client=acme, kind=Incident.Kind.CONTRACT_IGNORED, occurred_on=dt.date(2026, 6, 2))
    result = scores(firm)["Acme"]
    assert result.recommendation == "consider_parting"
    assert result.reasons[0] == "Dealbreaker: 2 incidents of “Disrespect to staff” within 6 months"
    troubled = [reason.split(" ")[0] for reason in result.reasons[1:]]
    assert troubled == ["W7", "W15", "W8"]  # subscores 0, 0 (weights 3 and 3), then 30
    assert result.reasons[1] == "W7 Payment trouble: Paid 4 of 4 invoices late, on average 21 days late"


def test_the_three_worst_signs_are_shown_worst_first_heavier_first_on_a_tie(firm):
    acme = ClientFactory(firm=firm, name="Acme")
    late_payer(acme, 4, 4)  # W7 weight 3, subscore 0
    for n in range(4):
        IncidentFactory(client=acme, kind=Incident.Kind.HAGGLING, occurred_on=dt.date(2026, 6, 1 + n))  # W9: 30
        IncidentFactory(client=acme, kind=Incident.Kind.REWORK, occurred_on=dt.date(2026, 6, 1 + n))  # W5: 30
    for n in range(2):
        IncidentFactory(client=acme, kind=Incident.Kind.CONTRACT_IGNORED, occurred_on=dt.date(2026, 6, 1 + n))
    result = scores(firm)["Acme"]
    assert [(s.id, s.subscore) for s in result.top_signs] == [("W7", 0), ("W8", 30), ("W5", 30)]


def test_the_lead_says_the_score_and_its_limit_when_below_talk_first(firm):
    acme = ClientFactory(firm=firm, name="Acme")
    late_payer(acme, 1, 4)
    policy = policy_for(firm)
    policy.talk_below = 90
    policy.save()
    result = scores(firm)["Acme"]
    assert result.recommendation == "talk_first"
    assert result.reasons[0] == f"Fit score {result.score} is below 90."


def test_a_kept_client_is_told_the_score_and_that_there_are_no_dealbreakers(firm):
    late_payer(ClientFactory(firm=firm, name="Prompt"), 0, 4)
    assert scores(firm)["Prompt"].reasons == ["Fit score 100; no dealbreakers."]


def test_a_poor_sign_with_a_fine_score_is_a_reason_to_talk_first(firm):
    acme = ClientFactory(firm=firm, name="Acme")
    late_payer(acme, 0, 4)
    for n in range(2):
        IncidentFactory(client=acme, kind=Incident.Kind.CONTRACT_IGNORED, occurred_on=dt.date(2026, 6, 1 + n))
    result = scores(firm)["Acme"]
    assert result.score >= 70 and result.sign("W8").band == "poor"
    assert result.recommendation == "talk_first"
    assert result.reasons[0] == "Some signs are poor even though the overall score is fine."


# -- dealbreakers (D7), worded for the client page ----------------------------------------------


def test_d7_an_overdue_invoice_dealbreaker_says_how_overdue_and_the_limit(firm):
    acme = ClientFactory(firm=firm, name="Acme")
    InvoiceFactory(client=acme, issued_on=dt.date(2026, 2, 1), due_on=dt.date(2026, 3, 31))
    InvoiceFactory(client=acme, issued_on=dt.date(2026, 2, 1), due_on=dt.date(2026, 4, 1))
    (breaker,) = scores(firm)["Acme"].dealbreakers
    assert breaker.text == "An invoice is 91 days overdue (the limit is 90)"


def test_d7_a_sign_in_the_poor_band_as_a_dealbreaker_names_the_sign(firm):
    policy = policy_for(firm)
    policy.dealbreakers = [{"type": "sign_poor", "sign": "W7"}]
    policy.save()
    late_payer(ClientFactory(firm=firm, name="Late"), 2, 4)  # 50 %: poor
    late_payer(ClientFactory(firm=firm, name="Slipping"), 1, 4)  # 25 %: concerning
    s = scores(firm)
    assert [d.text for d in s["Late"].dealbreakers] == ["W7 is poor: Payment trouble"]
    assert s["Late"].recommendation == "consider_parting"
    assert s["Slipping"].dealbreakers == []


def test_d7_incidents_within_one_month_name_the_month_in_the_singular(firm):
    policy = policy_for(firm)
    policy.dealbreakers = [{"type": "incidents", "kind": "haggling", "count": 2, "months": 1}]
    policy.save()
    acme = ClientFactory(firm=firm, name="Acme")
    for day in (1, 2):
        IncidentFactory(client=acme, kind=Incident.Kind.HAGGLING, occurred_on=dt.date(2026, 6, day))
    (breaker,) = scores(firm)["Acme"].dealbreakers
    assert breaker.text == "2 incidents of “Price haggling” within 1 month"


# -- value beside the signs (D5, D6, W11) -------------------------------------------------------


def test_d5_revenue_its_share_and_the_effective_hourly_rate(firm):
    acme, other = ClientFactory(firm=firm, name="Acme"), ClientFactory(firm=firm, name="Other")
    InvoiceFactory(client=acme, issued_on=dt.date(2026, 5, 1), amount=Decimal("1000.01"))
    InvoiceFactory(client=other, issued_on=dt.date(2026, 5, 1), amount=Decimal("3000.03"))
    TimeEntryFactory(client=acme, date=dt.date(2026, 5, 1), hours=3)
    s = scores(firm)
    assert s["Acme"].revenue == Decimal("1000.01")
    assert s["Acme"].revenue_share == pytest.approx(25.0)
    assert s["Acme"].effective_rate == Decimal("333.34")
    assert s["Other"].effective_rate is None
    assert s["Acme"].hours == 3


def test_d6_referral_influence_follows_the_chain_and_survives_a_cycle(firm):
    root = ClientFactory(firm=firm, name="Root")
    child = ClientFactory(firm=firm, name="Child", referred_by=root)
    grandchild = ClientFactory(firm=firm, name="Grandchild", referred_by=child)
    Client.objects.filter(pk=root.pk).update(referred_by=grandchild)  # typed in by hand
    for client, amount in ((root, 100), (child, 200), (grandchild, 400)):
        InvoiceFactory(client=client, issued_on=dt.date(2026, 5, 1), amount=amount)
    s = scores(firm)
    assert sorted(s["Root"].referred) == sorted([child.pk, grandchild.pk])
    assert s["Root"].referred_revenue == Decimal("600.00")
    assert sorted(s["Child"].referred) == sorted([grandchild.pk, root.pk])
    assert s["Child"].referred_revenue == Decimal("500.00")


def test_w11_percentile_counts_the_clients_who_earn_more_per_hour_ties_not_better(firm):
    for name, revenue in (("A", 500), ("B", 800), ("C", 800), ("D", 1200)):
        client = ClientFactory(firm=firm, name=name)
        InvoiceFactory(client=client, issued_on=dt.date(2026, 5, 1), amount=revenue)
        TimeEntryFactory(client=client, date=dt.date(2026, 5, 1), hours=10)
    s = scores(firm)
    assert [s[name].sign("W11").percentile for name in "ABCD"] == [75, 25, 25, 0]


def test_former_clients_are_scored_but_not_compared_with(firm):
    late_payer(ClientFactory(firm=firm, name="Active"), 1, 4)
    late_payer(ClientFactory(firm=firm, name="Gone", status=Client.Status.FORMER), 4, 4)
    s = scores(firm)
    assert s["Active"].sign("W7").percentile == 0  # the former client is worse but not counted
    assert s["Gone"].sign("W7").percentile == 100
    assert "Gone" not in scores(firm, include_former=False)


# -- the JSON of `parting score --json` ----------------------------------------------------------


def test_the_json_carries_the_score_advice_signs_value_and_trend(firm):
    acme = ClientFactory(firm=firm, name="Acme")
    late_payer(acme, 1, 4)
    TimeEntryFactory(client=acme, date=dt.date(2026, 5, 1), hours=8)
    (result,) = Scorer(firm, as_of=AS_OF).score(with_trend=True)
    data = result.as_dict()
    assert (data["client"], data["client_id"], data["status"]) == ("Acme", acme.pk, "active")
    assert (data["score"], data["recommendation"]) == (result.score, result.recommendation)
    assert data["reasons"] == result.reasons and data["dealbreakers"] == []
    w7 = next(s for s in data["signs"] if s["id"] == "W7")
    assert w7 == {
        "id": "W7",
        "title": "Payment trouble",
        "value": 25.0,
        "unit": "%",
        "band": "concerning",
        "percentile": 0,
        "weight": 3,
        "explanation": "Paid 1 of 4 invoices late, on average 21 days late",
    }
    assert data["value"] == {
        "revenue": "4000.00",
        "revenue_share": 100.0,
        "hours": 8.0,
        "effective_rate": "500.00",
        "target_rate": "100.00",
        "referred_clients": 0,
        "referred_revenue": "0.00",
    }
    assert [p["month"] for p in data["trend"]][::11] == ["2025-07", "2026-06"]
    assert len(data["trend"]) == 12 and data["trend"][-1]["score"] == result.score
