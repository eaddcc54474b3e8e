"""`parting score` prints the ranking or JSON in the shape scripts rely on."""

import datetime as dt
import io
import json

from django.core.management import call_command

from tests.factories import ClientFactory, InvoiceFactory, MembershipFactory


def test_score_json_lists_every_client_with_score_signs_and_reasons(owner):
    late = ClientFactory(firm=owner.firm, name="Late")
    ClientFactory(firm=owner.firm, name="Quiet")
    today = owner.firm.today()  # the scorer counts days in the firm's time zone
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


def test_score_finds_a_client_by_part_of_the_name_and_explains_in_polish_with_decimal_commas(owner):
    mazur = ClientFactory(firm=owner.firm, name="Mazur Logistyka sp. z o.o.")
    ClientFactory(firm=owner.firm, name="Nowak sp. z o.o.")
    today = owner.firm.today()
    InvoiceFactory(
        client=mazur,
        issued_on=today - dt.timedelta(days=60),
        due_on=today - dt.timedelta(days=50),
        paid_on=today - dt.timedelta(days=40),
    )
    InvoiceFactory(
        client=mazur,
        issued_on=today - dt.timedelta(days=60),
        due_on=today - dt.timedelta(days=50),
        paid_on=today - dt.timedelta(days=39),
    )
    out = io.StringIO()
    call_command("score", "--user", "olga", "--client", "mazur", "--json", "--lang", "pl", stdout=out)
    w7 = next(s for s in json.loads(out.getvalue())[0]["signs"] if s["id"] == "W7")
    assert "10,5" in w7["explanation"]


def test_score_asks_for_the_full_name_when_a_part_matches_several(owner):
    import pytest
    from django.core.management.base import CommandError

    ClientFactory(firm=owner.firm, name="Mazur sp. z o.o.")
    ClientFactory(firm=owner.firm, name="Nowak sp. z o.o.")
    with pytest.raises(CommandError, match="matches several clients"):
        call_command("score", "--user", "olga", "--client", "sp. z", stdout=io.StringIO())
