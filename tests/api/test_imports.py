"""/api/v1/imports: upload a file, then read the run's state, counts and problems (issue 10, 15 §2)."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from parting.evidence.models import ClientRequest
from parting.imports.models import ImportRun
from tests.factories import ClientFactory

GOOD = "client,description,requested_on,due_on,received_on\nAcme,Bank statements,2026-03-01,2026-03-10,\n"
BAD = GOOD + "Acme,Payroll,2026-03-01,not a date,\n"


def _upload(api, text: str, name="requests.csv", **fields):
    return api.client.post(
        "/api/v1/imports",
        {"kind": "requests", "file": SimpleUploadedFile(name, text.encode()), **fields},
        HTTP_AUTHORIZATION=f"Bearer {api.secret}",
    )


def test_upload_imports_a_small_file_at_once_and_the_run_reports_it(api, firm):
    acme = ClientFactory(firm=firm, name="Acme")
    response = _upload(api, GOOD)
    assert response.status_code == 202, response.content
    run = response.json()
    assert run["state"] == "done" and run["progress"] == 100 and run["error_count"] == 0
    assert ClientRequest.objects.filter(client=acme, description="Bank statements").exists()
    assert api.get(f"/imports/{run['id']}").json()["state"] == "done"
    assert [r["id"] for r in api.get("/imports").json()["items"]] == [run["id"]]


def test_a_bad_row_writes_nothing_and_names_line_and_column(api, firm):
    ClientFactory(firm=firm, name="Acme")
    run = _upload(api, BAD).json()
    assert run["error_count"] == 1
    assert run["errors"][0]["line"] == 3 and run["errors"][0]["reason"]
    assert not ClientRequest.objects.exists()


def test_a_dry_run_writes_nothing(api, firm):
    ClientFactory(firm=firm, name="Acme")
    run = _upload(api, GOOD, dry_run="true").json()
    assert run["dry_run"] is True and run["state"] == "done"
    assert not ClientRequest.objects.exists()


def test_an_unknown_kind_or_format_is_422_naming_the_field(api, firm):
    response = api.client.post(
        "/api/v1/imports",
        {"kind": "nonsense", "file": SimpleUploadedFile("x.csv", b"a")},
        HTTP_AUTHORIZATION=f"Bearer {api.secret}",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "kind"
    response = _upload(api, GOOD, format="no-such-preset")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "format"
    assert not ImportRun.objects.exists()


def test_an_empty_file_is_refused(api, firm):
    response = _upload(api, "")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"


def test_a_read_only_token_cannot_import(reader, firm):
    response = reader.client.post(
        "/api/v1/imports",
        {"kind": "requests", "file": SimpleUploadedFile("r.csv", GOOD.encode())},
        HTTP_AUTHORIZATION=f"Bearer {reader.secret}",
    )
    assert response.status_code == 403
    assert not ImportRun.objects.exists()


def test_another_firms_import_is_404(api, other_firm):
    theirs = ImportRun.objects.create(firm=other_firm, kind="requests", file_name="x.csv")
    assert api.get(f"/imports/{theirs.pk}").status_code == 404
    assert api.get("/imports").json()["count"] == 0


def test_the_upload_is_stored_under_a_random_token_not_its_name(api, firm):
    ClientFactory(firm=firm, name="Acme")
    _upload(api, GOOD, name="../../etc/requests.csv")
    run = ImportRun.objects.get()
    assert re.fullmatch(r"[0-9a-f]{32}", run.options["upload"]) and run.options["files"] == [["1", "requests.csv"]]
    assert run.file_name == "requests.csv"


def test_a_large_upload_waits_for_the_worker_and_polling_shows_it_done(api, firm, monkeypatch):
    """The same threshold as the Import page (parting.imports.worker.INLINE_BYTES): above it the
    request answers at once with a queued run, and ``parting worker`` reads it."""
    from parting.imports import worker

    acme = ClientFactory(firm=firm, name="Acme")
    monkeypatch.setattr(worker, "INLINE_BYTES", 10)
    run = _upload(api, GOOD).json()
    assert run["state"] == "queued" and not ClientRequest.objects.exists()
    assert worker.run_queued_imports() == "1 queued import(s) run"
    polled = api.get(f"/imports/{run['id']}").json()
    assert polled["state"] == "done" and polled["progress"] == 100
    assert ClientRequest.objects.filter(client=acme, description="Bank statements").exists()
