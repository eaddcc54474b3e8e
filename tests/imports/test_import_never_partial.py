"""Issue 10, "Done when": random bytes and mutated valid files, through the whole import (reader,
matcher, loader, transaction), never raise an unhandled exception and never leave a partial import:
either the import succeeds, or the database is exactly as it was."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parting.clients.models import Client, Contact
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.imports.services import run_import
from tests.factories import ClientFactory, FirmFactory

SAMPLES = Path(__file__).parent / "samples"
CASES = [
    ("invoices", "money/generic_invoices.csv"),
    ("payments", "money/generic_payments_two_parts.csv"),
    ("clients", "clients/generic.csv"),
    ("time", "time/toggl_detailed.csv"),
    ("requests", "generic/requests.csv"),
    ("meetings", "generic/meetings.csv"),
    ("messages", "generic/messages.csv"),
    ("mail", "mail/gmail_takeout.mbox"),
    ("calendar", "calendar/google_export.ics"),
]
MODELS = (Client, Contact, Invoice, Payment, Meeting, Message, ClientRequest, Incident, TimeEntry)
FAST = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def state(firm) -> dict:
    rows = {}
    for model in MODELS:
        scope = {"client__firm": firm} if model is Contact else {"firm": firm}
        rows[model.__name__] = sorted(map(repr, model.objects.filter(**scope).values_list()))
    return rows


def try_import(firm, tmp_path: Path, kind: str, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = state(firm)
    result = run_import(firm=firm, by=None, kind=kind, paths=[path], create_clients=True)
    if not result.ok:
        assert state(firm) == before, f"a failed {kind} import left rows behind"
        assert all(p.reason for p in result.problems)


def available(case) -> bool:
    return (SAMPLES / case[1]).exists()


@pytest.fixture
def firm(db):
    firm = FirmFactory()
    ClientFactory(firm=firm, name="Acme")
    return firm


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "sample"), [c for c in CASES if available(c)])
@FAST
@given(data=st.data())
def test_a_mutated_valid_file_imports_whole_or_not_at_all(firm, tmp_path, kind, sample, data):
    original = bytearray((SAMPLES / sample).read_bytes())
    edits = data.draw(st.lists(st.tuples(st.integers(0, max(len(original) - 1, 0)), st.integers(0, 255)), max_size=8))
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(original))))
    for position, byte in edits:
        original[position] = byte
    mutated = bytes(original[:cut] if cut is not None else original)
    try_import(firm, tmp_path, kind, mutated, Path(sample).name)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["invoices", "payments", "clients", "time", "requests", "mail", "calendar"])
@FAST
@given(noise=st.binary(max_size=2048))
def test_random_bytes_never_raise_and_never_write_half(firm, tmp_path, kind, noise):
    try_import(firm, tmp_path, kind, noise, f"noise.{'ics' if kind == 'calendar' else 'csv'}")
