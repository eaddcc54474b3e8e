"""Every operation of /api/openapi.json, table-driven from the schema itself (issue 15 §2), so an
endpoint added later is covered without a test of its own:

* a read-only token that tries any write (POST, PATCH, PUT, DELETE) gets 403 and nothing changes;
* any read (GET) or delete naming another firm's client, case, row or import gets 404, exactly as an
  id that does not exist, and the other firm's rows stay as they were.
"""

from __future__ import annotations

import re

import pytest

from parting.api.tokens import token_create
from parting.audit.models import AuditEntry
from parting.cases.services import case_open
from parting.evidence.models import Invoice
from parting.imports.models import ImportRun
from tests.factories import ClientFactory, InvoiceFactory, MembershipFactory

WRITES = ("post", "patch", "put", "delete")


@pytest.fixture
def schema(client, member):
    _token, secret = token_create(membership=member, name="schema", scope="read")
    return client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {secret}").json()


def operations(schema, methods) -> list[tuple[str, str]]:
    return [(method, path) for path, item in schema["paths"].items() for method in item if method in methods]


@pytest.fixture
def theirs(other_firm):
    """Another firm with a client, an invoice, an open case and an import run: real ids to forge."""
    member = MembershipFactory(firm=other_firm)
    client = ClientFactory(firm=other_firm, name="Not yours")
    invoice = InvoiceFactory(client=client)
    case = case_open(client=client, by=member.user, against_advice="Their own reasons")
    run = ImportRun.objects.create(firm=other_firm, by=member.user, kind="invoices", file_name="x.csv")
    return {"client_id": client.pk, "case_id": case.pk, "item_id": invoice.pk, "import_id": run.pk, "lang": "en"}


def filled(path: str, values: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path).removeprefix("/api/v1")


def call(api, method: str, path: str):
    return getattr(api, method)(path) if method in ("get", "delete") else getattr(api, method)(path, {})


@pytest.mark.django_db
def test_a_read_only_token_is_refused_every_write_with_403_and_nothing_changes(schema, reader, firm, theirs):
    acme = ClientFactory(firm=firm, name="Acme")
    mine = {"client_id": acme.pk, "case_id": 1, "item_id": InvoiceFactory(client=acme).pk, "import_id": 1, "lang": "en"}
    writes = operations(schema, WRITES)
    assert len(writes) >= 30
    before = (Invoice.objects.count(), AuditEntry.objects.count())
    answers = {f"{m.upper()} {p}": call(reader, m, filled(p, mine)).status_code for m, p in writes}
    assert {op: code for op, code in answers.items() if code != 403} == {}
    assert (Invoice.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_another_firms_ids_answer_404_on_every_read_and_delete(schema, api, theirs):
    reads = [(m, p) for m, p in operations(schema, ("get", "delete")) if "{" in p]
    assert len(reads) >= 15
    before = (Invoice.objects.count(), AuditEntry.objects.count())
    answers = {f"{m.upper()} {p}": call(api, m, filled(p, theirs)).status_code for m, p in reads}
    assert {op: code for op, code in answers.items() if code != 404} == {}
    assert (Invoice.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_another_firms_row_under_your_own_clients_address_is_404(schema, api, firm, theirs):
    """The nested lookup, not only the client's: /clients/<yours>/invoices/<theirs> is a 404 too."""
    acme = ClientFactory(firm=firm, name="Acme")
    nested = [
        (m, p) for m, p in operations(schema, ("get", "patch", "delete")) if "{client_id}" in p and "{item_id}" in p
    ]
    assert len(nested) >= 14  # 7 kinds × change and delete
    values = {**theirs, "client_id": acme.pk}
    answers = {f"{m.upper()} {p}": call(api, m, filled(p, values)).status_code for m, p in nested}
    assert {op: code for op, code in answers.items() if code != 404} == {}
    assert Invoice.objects.get(pk=theirs["item_id"]).client_id == theirs["client_id"]
