"""Retention tests: a storage folder and audit key of each test's own, and a client with rich data whose
case is run to its end (closed), so its purge is scheduled as in real use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from parting.cases.models import CaseTask, OffboardingCase
from parting.cases.services import (
    case_close,
    case_notify,
    case_open,
    case_reason_add,
    case_review,
    case_submit,
    case_wind_down,
    plan_update,
    task_update,
)
from parting.clients.models import AccessGrant, Credential, Engagement
from parting.documents.bundle import bundle_request
from parting.documents.models import Document
from parting.documents.services import document_upload
from parting.evidence.models import Incident, Message, Payment
from parting.imports.models import ClientAlias, ImportRun
from parting.letters.services import letter_edit, letter_generate, letter_send
from parting.settings import documents_storage
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    ContactFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MembershipFactory,
    MessageFactory,
    TimeEntryFactory,
)


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path) -> Path:
    settings.STORAGES = {**settings.STORAGES, "documents": documents_storage(tmp_path)}
    settings.AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit_key")
    settings.AUDIT_JOURNAL_FILE = str(tmp_path / "audit_journal")
    settings.PURGE_JOURNAL_FILE = str(tmp_path / "purges.jsonl")
    return tmp_path


@pytest.fixture
def firm(db):
    return FirmFactory()


@pytest.fixture
def team(firm):
    return {
        "owner": MembershipFactory(firm=firm, user__username="olga").user,
        "partner": MembershipFactory(firm=firm, partner=True, user__username="piotr").user,
        "staff": MembershipFactory(firm=firm, staff=True, user__username="ana").user,
    }


PDF = b"%PDF-1.7\n% QUARKWOOD-PASSPORT-SCAN\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WORK = b"Year-end report for Quarkwood Holdings: QUARKWOOD-WORK-PRODUCT\n"
LEDGER = b"date,amount\r\n2026-01-05,100.00\r\nACCOUNTING-LEDGER-KEPT\r\n"


@dataclass
class Rich:
    client: object
    case: OffboardingCase
    identifiers: list[str]  # every string that names the client or is theirs
    accounting: list[str]  # what stays until the accounting period ends
    end: dt.date
    deletion: dt.date
    accounting_due: dt.date


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def done(case, by, *kinds, today):
    for task in case.tasks.filter(status=CaseTask.Status.OPEN):
        if not kinds or task.kind in kinds:
            task_update(task=task, by=by, status=CaseTask.Status.DONE, today=today)


def rich_client(firm, team, name="Quarkwood Holdings", *, before_close=None) -> Rich:
    """A client with every kind of evidence, contacts, documents with files, access, a case with reasons
    and letter versions, and an import log that names them; the case is run to its end (closed).
    ``before_close``: called while the case is winding down, its tasks done, just before it closes."""
    staff, partner = team["staff"], team["partner"]
    token = name.split()[0]
    client = ClientFactory(
        firm=firm,
        name=name,
        notes=f"{token} prefers calls after 5",
        email_domains=f"{token.lower()}.example",
        referral_source=f"{token} family friend",
        number="CLIENT-NO-7731",  # the firm's own reference (issue 14): it names them too
    )
    ContactFactory(
        client=client,
        name=f"Zofia {token}",
        email=f"zofia@{token.lower()}.example",
        phone="+48 600 111 222",
        name_cyrillic="Зофия Кварквуд",  # the letters' forms of the name (issue 14)
    )
    ContactFactory(
        client=client, name="Bartholomew Ostrowski", email="bart.ostrowski@mailbox.example", is_primary=False
    )
    AccessGrant.objects.create(client=client, name=f"{token} bank portal")
    Credential.objects.create(client=client, name=f"{token} domain registrar", notes="Vault shelf 9B")
    Engagement.objects.create(
        client=client,
        name=f"{token} annual accounts",
        due_on=firm.today() - dt.timedelta(days=1),
        client_names={"pl": "Sprawozdanie roczne Lumenhof"},
    )
    today = firm.today()
    invoice = InvoiceFactory(
        client=client,
        number=f"QW-{client.pk}-1",
        issued_on=today - dt.timedelta(days=80),
        due_on=today - dt.timedelta(days=60),
        paid_on=today - dt.timedelta(days=10),
        amount_paid=Decimal("1000.00"),
    )
    for n in range(2):
        InvoiceFactory(
            client=client,
            number=f"QW-{client.pk}-{n + 2}",
            issued_on=today - dt.timedelta(days=80),
            due_on=today - dt.timedelta(days=58 - n),
            paid_on=today - dt.timedelta(days=9),
            amount_paid=Decimal("1000.00"),
        )
    MeetingFactory(client=client, subject=f"{token} quarterly review — Secret Meeting Subject")
    message = MessageFactory(
        client=client, summary=f"{token} complaint about fees", source_key=f"<abc@{token.lower()}.example>"
    )
    message.members_addressed.add(partner)
    ClientRequestFactory(client=client, description=f"Send the {token} bank statements")
    incident = IncidentFactory(
        client=client,
        kind=Incident.Kind.DISRESPECT,
        occurred_on=today - dt.timedelta(days=5),
        note=f"{token} shouted at Ana",
    )
    TimeEntryFactory(client=client, date=today - dt.timedelta(days=3), note=f"{token} payroll run")
    document_upload(client=client, by=staff, category=Document.Category.PROVIDED, upload=upload("passport.pdf", PDF))
    document_upload(
        client=client, by=staff, category=Document.Category.WORK, upload=upload(f"{token}-report.txt", WORK)
    )
    document_upload(client=client, by=staff, category=Document.Category.ACCOUNTING, upload=upload("ledger.csv", LEDGER))
    ClientAlias.objects.create(firm=firm, alias=f"zofia {token.lower()}", client=client)
    ImportRun.objects.create(
        firm=firm,
        kind="invoices",
        file_name=f"{token}-invoices.csv",
        state=ImportRun.State.DONE,
        unmatched=[[f"Zofia {token}", 2], ["Someone Else", 1]],
        errors=[{"file": "x.csv", "line": 3, "column": "client", "reason": f"unknown client “{name}”"}],
    )
    # The case, run to its end.
    case = case_open(client=client, by=staff)
    case_reason_add(case=case, by=staff, sign_id="W7")
    case_reason_add(case=case, by=staff, sign_id="W15")
    case_reason_add(
        case=case, by=staff, text=f"{token} shouted at Ana on the phone", evidence=[("incident", incident.pk)]
    )
    case_submit(case=case, by=staff)
    # Free text that names the client, each copied into the audit log before issue 13 §5's fix: the
    # approving comment (the transition's note), the handover note (a plan change) and, below, the
    # letter's address and the reason for sending it past the tone checker.
    case_review(case=case, by=partner, decision="approve", comment=f"{token} has been hard work")
    plan_update(case=case, by=staff, handover_note=f"Hand the {token} files to their new firm")
    letter = letter_generate(case=case, by=staff)
    letter_edit(letter=letter, by=staff, subject=f"Our work for {name}", body=f"Dear Zofia {token},\n\nThank you.")
    case_notify(case=case, by=staff, on=today)
    # Sent by the letter service itself, through Django's mail settings (locmem in tests): the sending,
    # the checklist's follow-up and the audit entry are all as in real use.
    letter_send(letter=letter, by=staff, to=f"zofia@{token.lower()}.example", override_reason=f"{token} wants it short")
    bundle = bundle_request(client=client, case=case, by=partner)  # the handover ZIP (O4), stored
    assert bundle.status == "ready" and bundle.file
    done(case, staff, "conversation", "letter", today=today)
    case_wind_down(case=case, by=staff)
    case.refresh_from_db()
    from parting.cases.plan import plan_compute

    plan = plan_compute(case, today=today)
    end = plan.end_date.value
    done(case, staff, today=end)
    if before_close is not None:
        before_close()
    case_close(case=case, by=staff, today=end + dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.state == OffboardingCase.State.CLOSED
    assert Payment.objects.filter(client=client).count() == 3
    assert Message.objects.filter(client=client).exists()
    identifiers = [
        name,
        "CLIENT-NO-7731",
        "Кварквуд",
        "Vault shelf 9B",
        "Lumenhof",
        token,
        token.upper(),
        f"zofia@{token.lower()}.example",
        "bart.ostrowski@mailbox.example",
        "Bartholomew Ostrowski",
        "+48 600 111 222",
        "600 111 222",
        "QUARKWOOD-PASSPORT-SCAN",
        "QUARKWOOD-WORK-PRODUCT",
        "Secret Meeting Subject",
        "complaint about fees",
        "bank statements",
        "shouted at Ana",
        "payroll run",
        "prefers calls after 5",
    ]
    from parting.retention.models import PurgeSchedule

    rows = dict(PurgeSchedule.objects.filter(client=client).values_list("category", "due_on"))
    return Rich(
        client=client,
        case=case,
        identifiers=identifiers,
        accounting=["ACCOUNTING-LEDGER-KEPT", invoice.number],
        end=end,
        deletion=rows["personal"],
        accounting_due=rows["accounting"],
    )


def database_dump() -> str:
    """Every row of every table, as text (the same on SQLite and PostgreSQL)."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # names from the schema itself
            for row in cursor.fetchall():
                out.append(
                    f"{table}: "
                    + " | ".join("" if v is None else str(bytes(v) if isinstance(v, memoryview) else v) for v in row)
                )
    return "\n".join(out)


def storage_dump(root: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def found_in(identifiers, database: str, storage: bytes) -> list[str]:
    db, files = database.lower(), storage.lower()
    return [s for s in identifiers if s.lower() in db or s.lower().encode() in files]
