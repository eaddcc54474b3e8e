"""`parting case …`: a case carried from the command line, with the same rules as the pages (D4, D8, D10, D11)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parting.cases.models import OffboardingCase
from tests.factories import ClientFactory, FirmFactory, IncidentFactory, InvoiceFactory, MembershipFactory

State = OffboardingCase.State


def run(*args) -> str:
    out = io.StringIO()
    call_command("case", *args, stdout=out)
    return out.getvalue().strip()


def opened_with_three_reasons(team, client, incident, *extra: str) -> int:
    staff = team["staff"].username
    case_id = int(run("open", "--client", client.name, "--user", staff, *extra))
    run("reason", str(case_id), "--sign", "W7", "--user", staff)
    run("reason", str(case_id), "--sign", "w15", "--user", staff)
    run("reason", str(case_id), "--text", "Shouted at Ana", "--evidence", f"incident:{incident.pk}", "--user", staff)
    return case_id


def test_open_prints_the_new_case_id_and_show_json_has_state_reasons_plan_money_and_checklist(team, client_in_trouble):
    client, incident = client_in_trouble
    case_id = opened_with_three_reasons(team, client, incident)
    assert OffboardingCase.objects.get(pk=case_id).client == client

    data = json.loads(run("show", str(case_id), "--json", "--user", team["staff"].username))
    assert data["state"] == "draft" and data["client"] == "Trouble Ltd"
    assert [r["sign"] for r in data["reasons"]] == ["W7", "W15", ""]
    assert data["reasons"][2]["snapshot"]["evidence"][0]["id"] == incident.pk
    for key in ("notice_date", "end_date", "deletion_date"):
        assert set(data["plan"][key]) >= {"value", "rule", "explanation"}
    assert data["plan"]["end_date"]["rule"] in {"N1", "N2"} and data["plan"]["deletion_date"]["rule"] == "O5"
    assert set(data["plan"]["money"]) >= {"outstanding_invoices", "balance", "final_invoice", "refund"}
    assert data["checklist"] == []  # generated on approval
    assert {c["rule"] for c in data["checks"]} >= {"D2", "D3", "D5", "D6", "D7", "D10", "D12", "D9"}


def test_advance_approve_and_advance_carry_a_case_from_draft_to_notified(team, client_in_trouble):
    client, incident = client_in_trouble
    case_id = opened_with_three_reasons(team, client, incident)
    assert run("advance", str(case_id), "--user", team["staff"].username) == f"Case {case_id}: in_review"
    assert run("approve", str(case_id), "--user", team["partner"].username) == f"Case {case_id}: approved"
    data = json.loads(run("show", str(case_id), "--json", "--user", team["owner"].username))
    assert "cut_contact" in [task["kind"] for task in data["checklist"]]
    assert run("advance", str(case_id), "--user", team["owner"].username) == f"Case {case_id}: notified"


def test_staff_approving_from_the_command_line_is_refused_with_rule_d4(team, client_in_trouble):
    client, incident = client_in_trouble
    case_id = opened_with_three_reasons(team, client, incident)
    run("advance", str(case_id), "--user", team["staff"].username)
    with pytest.raises(CommandError, match="D4: only owners and partners review cases"):
        run("approve", str(case_id), "--user", team["staff"].username)


def test_advancing_with_fewer_than_three_reasons_is_refused_with_rule_d8(team, client_in_trouble):
    case_id = run("open", "--client", "trouble", "--user", team["staff"].username)
    with pytest.raises(CommandError, match="D8: a case needs at least 3 different documented reasons"):
        run("advance", case_id, "--user", team["staff"].username)


def test_d10_an_unpaid_invoice_stops_notified_unless_overridden_with_a_reason(team, client_in_trouble):
    client, incident = client_in_trouble
    case_id = str(opened_with_three_reasons(team, client, incident))
    run("advance", case_id, "--user", team["staff"].username)
    run("approve", case_id, "--user", team["partner"].username)
    InvoiceFactory(client=client, number="INV-9")
    with pytest.raises(CommandError, match=r"D10: .*INV-9"):
        run("advance", case_id, "--user", team["owner"].username)
    run("advance", case_id, "--override-unpaid", "Paid by bank transfer today", "--user", team["owner"].username)
    case = OffboardingCase.objects.get(pk=case_id)
    assert case.state == State.NOTIFIED
    assert "Paid by bank transfer today" in case.transitions.get(to_state=State.NOTIFIED).note


def test_d11_withdraw_works_before_notice_and_is_refused_after(team, client_in_trouble):
    client, incident = client_in_trouble
    case_id = str(opened_with_three_reasons(team, client, incident))
    assert run("withdraw", case_id, "--note", "Talked it through", "--user", team["owner"].username).endswith(
        "withdrawn"
    )
    other = ClientFactory(firm=client.firm, name="Second")
    second = str(opened_with_three_reasons(team, other, incident_for(other), "--against-advice", "Rework every month"))
    run("checks", second, "--confirm-pattern", "--user", team["staff"].username)  # D3: one day of evidence
    run("advance", second, "--user", team["staff"].username)
    run("approve", second, "--user", team["partner"].username)
    run("advance", second, "--user", team["owner"].username)
    with pytest.raises(CommandError, match="D11"):
        run("withdraw", second, "--user", team["owner"].username)


def test_d1_opening_a_case_for_a_client_the_evidence_says_to_keep_needs_a_reason_which_is_kept(team, firm):
    steady = ClientFactory(firm=firm, name="Steady")
    today = firm.today()
    InvoiceFactory(
        client=steady,
        issued_on=today - dt.timedelta(days=40),
        due_on=today - dt.timedelta(days=10),
        paid_on=today - dt.timedelta(days=12),
        amount_paid=1000,
    )
    staff = team["staff"].username
    with pytest.raises(CommandError, match="D1: the evidence advises keeping Steady"):
        run("open", "--client", "Steady", "--user", staff)
    assert not OffboardingCase.objects.filter(client=steady).exists()
    case_id = int(run("open", "--client", "Steady", "--user", staff, "--against-advice", "Threatened Ana"))
    case = OffboardingCase.objects.get(pk=case_id)
    assert (case.advice_at_open, case.against_advice) == ("keep", "Threatened Ana")


def incident_for(client):
    return IncidentFactory(client=client)


def test_a_case_of_another_firm_is_not_found(team, client_in_trouble):
    client, incident = client_in_trouble
    case_id = str(opened_with_three_reasons(team, client, incident))
    stranger = MembershipFactory(firm=FirmFactory(), user__username="stranger")
    with pytest.raises(CommandError, match=f"No case {case_id} in {stranger.firm.name}"):
        run("show", case_id, "--user", "stranger")


def test_several_members_must_say_who_acts(team, client_in_trouble):
    with pytest.raises(CommandError, match="--user"):
        run("open", "--client", "Trouble Ltd", "--user", "")


def test_a_firm_of_one_needs_no_user(firm):
    MembershipFactory(firm=firm)
    ClientFactory(firm=firm, name="Solo client")
    assert run("open", "--client", "solo", "--user", "").isdigit()


def test_a_written_reason_pointing_at_a_malformed_evidence_row_is_refused(team, client_in_trouble):
    case_id = run("open", "--client", "Trouble", "--user", team["staff"].username)
    with pytest.raises(CommandError, match="KIND:ID"):
        run("reason", case_id, "--text", "x", "--evidence", "incident", "--user", team["staff"].username)
