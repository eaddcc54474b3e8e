"""`parting score` prints the ranking or JSON in the shape scripts rely on."""

import datetime as dt
import io
import json

from django.core.management import call_command

from tests.factories import ClientFactory, InvoiceFactory, MembershipFactory


def test_score_json_lists_every_client_with_score_signs_and_reasons(owner):
    late = ClientFactory(firm=owner.firm, name="Late")
    ClientFactory(firm=owner.firm, name="Quiet")
    today = dt.date.today()
    InvoiceFactory(client=late, issued_on=today - dt.timedelta(days=50), due_on=today - dt.timedelta(days=40))
    out = io.StringIO()
    call_command("score", "--user", "olga", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [row["client"] for row in data] == ["Late", "Quiet"]
    row = data[0]
    assert set(row) >= {"client", "score", "recommendation", "dealbreakers", "signs"}
    assert 0 <= row["score"] <= 100 and row["recommendation"] in {"keep", "talk_first", "consider_parting"}
    w7 = next(sign for sign in row["signs"] if sign["id"] == "W7")
    assert w7["band"] == "poor" and w7["value"] == 100.0 and w7["percentile"] == 0  # the only client judged on W7
    assert "40 days late" in w7["explanation"]
    assert [sign["id"] for sign in row["signs"]] == [f"W{n}" for n in range(1, 16)]


def test_score_table_for_one_client_in_the_members_language(owner):
    owner.language = "pl"
    owner.save()
    ClientFactory(firm=owner.firm, name="Kowalski")
    out = io.StringIO()
    call_command("score", "--user", "olga", "--client", "kowalski", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith("Kowalski")


def test_single_firm_needs_no_user(firm):
    MembershipFactory(firm=firm)
    ClientFactory(firm=firm, name="Only")
    out = io.StringIO()
    call_command("score", "--user", "", stdout=out)
    assert "Only" in out.getvalue()
