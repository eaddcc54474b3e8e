"""The client page read without colour, charts or a mouse (issue 11, WCAG 2.1 AA): the band in words, the
charts' numbers as tables, no explanation hidden in a title attribute, money by locale, rule codes linked."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import troubled_client
from tests.factories import ClientFactory, InvoiceFactory, MembershipFactory, MessageFactory

pytestmark = pytest.mark.django_db

WORDS = {"band-healthy": "healthy", "band-concerning": "concerning", "band-poor": "poor"}


@pytest.fixture
def member(client, firm):
    client.force_login(MembershipFactory(firm=firm).user)
    return client


def page_of(member, client_row) -> str:
    response = member.get(reverse("client_detail", args=[client_row.pk]))
    assert response.status_code == 200
    return response.content.decode()


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def healthy_client(firm):
    client = ClientFactory(firm=firm, name="Prompt Payer")
    today = firm.today()
    for n in range(4):
        issued = today - dt.timedelta(days=60 + 20 * n)
        InvoiceFactory(client=client, issued_on=issued, due_on=issued + dt.timedelta(days=14), paid_on=issued)
    return client


def test_the_score_names_its_band_in_words_as_well_as_colour(member, firm):
    troubled, _incident = troubled_client(firm)
    seen = set()
    for client_row in (healthy_client(firm), troubled):
        html = page_of(member, client_row)
        found = re.search(
            r'class="score big (band-\w+)">(\d+)</span> <span class="band-text" id="score-band">(\w+)</span>', html
        )
        band, score, word = found.group(1), int(found.group(2)), found.group(3)
        assert word == WORDS[band]
        assert band == ("band-healthy" if score >= 70 else "band-concerning" if score >= 30 else "band-poor")
        seen.add(band)
        assert "Fit score out of 100" in html  # what the number means, as text rather than a tooltip
    assert len(seen) == 2  # the test saw two different bands, each named


def test_a_client_without_enough_evidence_shows_no_band(member, firm):
    html = page_of(member, ClientFactory(firm=firm))
    assert 'id="no-score"' in html and 'id="score-band"' not in html


def test_each_chart_has_a_table_with_the_same_numbers(member, firm):
    acme = ClientFactory(firm=firm)
    today = firm.today()
    InvoiceFactory(client=acme, issued_on=today - dt.timedelta(days=50), due_on=today - dt.timedelta(days=40))
    InvoiceFactory(
        client=acme,
        issued_on=today - dt.timedelta(days=100),
        due_on=today - dt.timedelta(days=90),
        paid_on=today - dt.timedelta(days=80),
    )
    html = page_of(member, acme)
    charts = json.loads(re.search(r'<script id="client-charts" type="application/json">(.*?)</script>', html).group(1))

    trend = html[html.index('id="trend"') : html.index("</figure>", html.index('id="trend"'))]
    assert 'role="img"' in trend and "<table" in trend
    assert [int(s) for s in re.findall(r'<td class="num">(\d+)</td>', trend)] == charts["trend"]["scores"]
    # Stored points (issue 12 §3): each month since the first record, back-filled, and today's score.
    first = today - dt.timedelta(days=100)
    assert len(charts["trend"]["scores"]) == (today.year - first.year) * 12 + today.month - first.month + 1

    delays = html[html.index('id="delays"') : html.index("</figure>", html.index('id="delays"'))]
    rows = re.findall(r'<td class="num">(\d+)</td><td>(?:<strong>)?(\w+)', delays)
    assert [(int(days), state) for days, state in rows] == [
        (p["y"], "unpaid" if p["unpaid"] else "paid") for p in charts["delays"]["points"]
    ]
    assert [state for _d, state in rows] == ["paid", "unpaid"]  # unpaid said in words, not only in red


def test_no_explanation_lives_only_in_a_title_attribute(member, firm):
    client_row, _incident = troubled_client(firm)
    MessageFactory(
        client=client_row, channel="email", direction="in", negative=True, source_key="mail:1", summary="Rude"
    )
    html = page_of(member, client_row)
    assert "title=" not in main(html)
    tone = re.search(r"<details[^>]*><summary>negative tone \(heuristic\)</summary>(.*?)</details>", html).group(1)
    assert "it may be wrong" in tone and "#rule-W10" in tone


def test_money_is_written_the_way_the_pages_language_writes_it(member, firm):
    acme = ClientFactory(firm=firm)
    InvoiceFactory(client=acme, amount=Decimal("926122.46"), issued_on=firm.today() - dt.timedelta(days=30))
    html = page_of(member, acme)
    assert "€926,122.46" in html and "926122" not in html
    member.post(reverse("language"), {"language": "pl"})
    assert "926\xa0122,46\xa0€" in page_of(member, acme)


def test_every_rule_code_on_the_page_links_to_its_explanation(member, firm):
    client_row, _incident = troubled_client(firm)
    client_row.holds_stake = True
    client_row.save()
    html = main(page_of(member, client_row))
    rules = reverse("rules")
    for code in [f"W{n}" for n in range(1, 16)] + ["D6", "D12", "O2"]:
        assert f'href="{rules}#rule-{code}">{code}</a>' in html, code
    assert not re.search(r"\((?:[DWONC]\d+)\)", html)  # no bare "(D6)" left in the text
