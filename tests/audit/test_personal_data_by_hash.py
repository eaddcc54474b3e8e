"""O5, issue 13 §5: the audit log is kept after a client's personal data is purged and cannot be
edited, so what could name the client never goes into it. Free text — a note, a reason, a comment,
the handover note, a letter's address — is kept as ``{"sha256", "bytes"}`` whatever its length; an
import is named by its id and its file by its SHA-256, not its name. Codes, numbers, dates and amounts
stay readable. The case's history shows the words while the case still holds them (matched by hash),
and the audit page says a text is recorded by its hash."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from parting.audit.models import AuditEntry
from parting.audit.services import audit_record, text_reference, value_reference
from parting.cases.models import CaseTransition, InvoiceWriteOff, PlanChange
from parting.cases.selectors import case_timeline
from parting.cases.services import case_withdraw, invoice_write_off, plan_override, plan_update
from parting.imports.models import ImportRun
from parting.imports.services import run_import
from tests.factories import ClientFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def stored(entry: AuditEntry) -> str:
    return entry.target + json.dumps(entry.data, ensure_ascii=False)


def test_o5_free_text_is_kept_by_its_hash_whatever_its_length():
    assert text_reference("Hi") == {"sha256": hashlib.sha256(b"Hi").hexdigest(), "bytes": 2}
    assert text_reference("Zoë") == {"sha256": hashlib.sha256("Zoë".encode()).hexdigest(), "bytes": 4}  # UTF-8
    assert text_reference("x" * 5000) == value_reference("x" * 5000)  # as large values always were
    assert text_reference("") == "" and text_reference(None) == ""  # no note reads as no note


def test_o5_case_notes_and_reasons_reach_the_log_by_hash_and_the_history_shows_their_words(team, approved_case):
    case, owner = approved_case, team["owner"]
    plan_update(case=case, by=owner, successor_name="Zofia's new accountant", support_days=5)
    plan_override(case=case, by=owner, field="final_invoice", value="150", reason="Zofia agreed the fee")
    unpaid = InvoiceFactory(client=case.client, number="U-9", amount=Decimal("80.00"))
    invoice_write_off(case=case, by=owner, invoice_id=unpaid.pk, reason="Zofia cannot pay")
    case_withdraw(case=case, by=owner, note="Zofia apologised")

    log = "".join(stored(e) for e in AuditEntry.objects.filter(target=f"case:{case.pk}"))
    assert "Zofia" not in log and "apologised" not in log
    # What is not personal stays readable: the field changed, amounts, days, the invoice's number.
    changed = AuditEntry.objects.get(action="case.plan_changed")
    assert changed.data == {"successor_name": value_reference("Zofia's new accountant"), "support_days": "5"}
    overridden = AuditEntry.objects.get(action="case.plan_overridden").data
    assert (overridden["field"], overridden["value"]) == ("final_invoice", "150")
    assert overridden["reason"] == value_reference("Zofia agreed the fee")
    written_off = AuditEntry.objects.get(action="case.invoice_written_off").data
    assert written_off == {"invoice": "U-9", "reason": value_reference("Zofia cannot pay")}
    assert AuditEntry.objects.get(action="case.withdrawn").data["note"] == value_reference("Zofia apologised")

    details = [step["detail"] for step in case_timeline(case)]
    (plan_line,) = [d for d in details if "successor_name" in d]  # keys in the database's order (jsonb sorts)
    assert sorted(plan_line.split(", ")) == ["successor_name: Zofia's new accountant", "support_days: 5"]
    assert any(d.endswith("— Zofia agreed the fee") for d in details)
    assert "U-9 — Zofia cannot pay" in details and "Zofia apologised" in details

    # Once the words are gone from the case (as a purge blanks them), the history says how they are kept.
    CaseTransition.objects.filter(case=case).update(note="")
    PlanChange.objects.filter(case=case).update(reason="")
    InvoiceWriteOff.objects.filter(case=case).update(reason="")
    details = [step["detail"] for step in case_timeline(case)]
    assert "Zofia apologised" not in details and "text recorded by its hash" in details
    assert "U-9 — text recorded by its hash" in details


def test_o5_a_short_note_on_the_audit_page_reads_as_recorded_by_its_hash(client, firm, team):
    client.force_login(team["owner"])
    audit_record(
        firm=firm,
        actor=team["owner"],
        action="case.withdrawn",
        target="case:1",
        data={"from": "draft", "to": "withdrawn", "note": text_reference("Zofia apologised"), "rules": ["C2", "C5"]},
    )
    page = client.get(reverse("audit")).content.decode()
    digest = hashlib.sha256(b"Zofia apologised").hexdigest()
    assert f"note: text recorded by its hash: sha256 {digest[:12]}… (16 bytes)" in page
    assert "Zofia" not in page and "from: draft" in page and "rules: C2, C5" in page


GOOD = (
    "client,client_email,id,description,requested_on,due_on,received_on\nAcme,,R1,Statements,2026-04-01,2026-04-10,\n"
)
BAD = "client,client_email,id,description,requested_on,due_on,received_on\nAcme,,R1,Statements,2026-13-01,2026-04-10,\n"


@pytest.mark.parametrize(("content", "action"), [(GOOD, "import.done"), (BAD, "import.failed")])
def test_o5_an_import_is_named_by_its_id_and_its_file_by_its_hash_not_its_name(firm, team, tmp_path, content, action):
    ClientFactory(firm=firm, name="Acme")
    path = tmp_path / "Zofia Quarkwood requests.csv"
    path.write_text(content, encoding="utf-8")
    run_import(firm=firm, by=team["owner"], kind="requests", paths=[path])
    run = ImportRun.objects.get(firm=firm)
    assert run.file_name == "Zofia Quarkwood requests.csv"  # the import log has it, until a purge
    entry = AuditEntry.objects.get(firm=firm, action=action)
    assert entry.target == f"import:{run.pk}"
    assert entry.data["sha256"] == run.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "Zofia" not in stored(entry) and "Quarkwood" not in stored(entry)


def test_o5_a_step_without_a_note_records_no_note_not_the_hash_of_nothing(team, approved_case):
    case_withdraw(case=approved_case, by=team["owner"], note="")
    entry = AuditEntry.objects.get(action="case.withdrawn")
    assert entry.data == {"from": "approved", "to": "withdrawn", "note": ""}
