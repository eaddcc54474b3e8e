"""The dashboard's figures are stored with the day's scores (issue 12 §2): one summary row per firm and
day, written in the same pass and transaction as the snapshots, rewritten whenever they are, and
counting the firm's own current clients only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parting.clients.models import Client
from parting.evidence.models import Incident
from parting.scores import services
from parting.scores.models import FirmSummary, Snapshot
from parting.scores.summary import SHORTLIST, Item, summarize
from tests.conftest import troubled_client
from tests.factories import ClientFactory, FirmFactory, IncidentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(owner, client):
    client.force_login(owner.user)
    return client


def stat(html: str, label: str) -> int:
    """The figure of one summary card ("keep", "talk first", "consider parting")."""
    return int(re.search(rf'<span class="figure">(\d+)</span> {label}</div>', html).group(1))


def summary_of(firm) -> FirmSummary:
    return FirmSummary.objects.get(firm=firm, day=firm.today())


def test_the_dashboard_figures_change_when_evidence_changes_and_the_firm_is_re_scored(member, firm):
    trouble, _incident = troubled_client(firm)
    ClientFactory(firm=firm, name="Quiet Ltd")
    html = member.get(reverse("dashboard")).content.decode()
    before = summary_of(firm)
    assert stat(html, "consider parting") == before.counts["consider_parting"] == 1
    assert before.shortlist == [trouble.pk]
    Incident.objects.filter(client=trouble).delete()  # logged in error: the evidence is corrected
    services.request_rescore(firm)
    html = member.get(reverse("dashboard")).content.decode()  # a small firm: re-scored in this request
    after = summary_of(firm)
    assert after.counts["consider_parting"] == 0 and stat(html, "consider parting") == 0
    assert after.shortlist == [] and 'id="shortlist"' not in html
    rows = Snapshot.objects.filter(firm=firm, day=firm.today())
    for advice, n in after.counts.items():
        assert rows.filter(advice=advice).count() == n


def test_another_firms_clients_are_never_counted(member, firm):
    troubled_client(firm)
    other = FirmFactory()
    for i in range(3):
        troubled_client(other, name=f"Other {i}")
    services.snapshot_firm(other)
    html = member.get(reverse("dashboard")).content.decode()
    mine = summary_of(firm)
    assert sum(mine.counts.values()) == 1 and sum(mine.distribution) <= 1
    assert set(mine.shortlist) <= {c.pk for c in Client.objects.filter(firm=firm)}
    assert "Other 0" not in html
    assert sum(summary_of(other).counts.values()) == 3


def test_the_summary_is_written_with_the_snapshots_in_one_statement_each(firm):
    for i in range(5):
        troubled_client(firm, name=f"Client {i}")
    with CaptureQueriesContext(connection) as queries:
        services.snapshot_firm(firm)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert sum('"scores_snapshot"' in sql for sql in writes) == 1
    assert sum('"scores_firmsummary"' in sql for sql in writes) == 1
    assert sum(summary_of(firm).counts.values()) == 5


def test_former_clients_are_left_out_of_the_figures_but_not_of_the_rows(firm):
    troubled_client(firm, name="Current Ltd")
    gone, _incident = troubled_client(firm, name="Gone Ltd")
    Client.objects.filter(pk=gone.pk).update(status=Client.Status.FORMER)
    services.snapshot_firm(firm)
    assert sum(summary_of(firm).counts.values()) == 1
    assert Snapshot.objects.filter(firm=firm, day=firm.today()).count() == 2


def item(pk, score, advice="consider_parting", name=None, status="active", hours=1.0):
    from decimal import Decimal

    name = name or f"Client {pk}"
    return Item(pk, name, name.lower(), status, score, advice, Decimal(100), hours)


def test_the_shortlist_keeps_the_first_clients_by_score_then_name():
    items = [item(pk, 20) for pk in range(SHORTLIST + 1)] + [item(99, 5, name="Zeta")]
    figures = summarize(items)
    assert len(figures["shortlist"]) == SHORTLIST and figures["shortlist"][0] == 99
    assert figures["counts"]["consider_parting"] == SHORTLIST + 2


def test_a_score_on_a_tenths_edge_lands_in_the_upper_tenth_and_100_in_the_last():
    figures = summarize(
        [item(1, 69, "talk_first"), item(2, 70, "keep"), item(3, 100, "keep"), item(4, None, "insufficient")]
    )
    assert figures["distribution"][6] == 1 and figures["distribution"][7] == 1 and figures["distribution"][9] == 1
    assert sum(figures["distribution"]) == 3  # not enough evidence: no score to chart, but counted
    assert figures["counts"]["insufficient"] == 1


def test_a_client_renamed_on_its_page_shows_its_new_name_in_the_table_before_the_re_score(member, firm):
    trouble, _incident = troubled_client(firm)
    member.get(reverse("dashboard"))
    data = {"name": "Renamed Sp. z o.o.", "status": "active", "payment_terms_days": "14", "prepaid_amount": "0"}
    for prefix in ("contacts", "grants", "work", "logins"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    assert member.post(reverse("client_edit", args=[trouble.pk]), data).status_code == 302
    html = member.get(reverse("dashboard"), {"q": "renamed"}, headers={"hx-request": "true"}).content.decode()
    assert "Renamed Sp. z o.o." in html


def test_a_case_step_changing_the_clients_status_shows_in_the_table_at_once(member, firm, owner):
    """Sending a case for review marks the client under review with an UPDATE (no save, no signal):
    the table filtered by that status lists the client straight away."""
    from tests.conftest import submitted_case

    trouble, incident = troubled_client(firm)
    member.get(reverse("dashboard"))
    listed = {"status": "under_review", "q": "trouble"}
    html = member.get(reverse("dashboard"), listed, headers={"hx-request": "true"}).content.decode()
    assert "Trouble Ltd" not in html
    submitted_case(trouble, owner.user, incident)
    assert Client.objects.get(pk=trouble.pk).status == Client.Status.UNDER_REVIEW
    html = member.get(reverse("dashboard"), listed, headers={"hx-request": "true"}).content.decode()
    assert "Trouble Ltd" in html


def test_a_day_stored_before_summaries_existed_is_summarised_when_first_read(member, firm):
    troubled_client(firm)
    member.get(reverse("dashboard"))
    FirmSummary.objects.filter(firm=firm).update(complete=False, counts={})
    html = member.get(reverse("dashboard")).content.decode()
    assert summary_of(firm).complete and sum(summary_of(firm).counts.values()) == 1
    assert "1 client matches." in html


def test_thinned_days_lose_their_summary_too(firm):
    troubled_client(firm)
    today = firm.today()
    old = today - dt.timedelta(days=20)
    services.snapshot_firm(firm, day=old)
    services.snapshot_firm(firm, day=old + dt.timedelta(days=1))
    services.snapshot_firm(firm)
    services.thin_history(firm, today)
    kept = set(Snapshot.objects.filter(firm=firm).values_list("day", flat=True))
    assert set(FirmSummary.objects.filter(firm=firm).values_list("day", flat=True)) == kept


def test_a_member_of_another_firm_never_sees_this_firms_shortlist(client, firm):
    trouble, _incident = troubled_client(firm)
    for days in (1, 2, 3):
        IncidentFactory(client=trouble, kind=Incident.Kind.DISRESPECT, occurred_on=firm.today() - dt.timedelta(days))
    services.snapshot_firm(firm)
    stranger = MembershipFactory(firm=FirmFactory())
    client.force_login(stranger.user)
    html = client.get(reverse("dashboard")).content.decode()
    assert trouble.name not in html
