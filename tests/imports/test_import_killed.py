"""Issue 10 §4: an import killed with SIGKILL in the middle leaves the database exactly as it was —
a real `parting import` process, a real signal, on whichever database the suite runs on (SQLite by
default, PostgreSQL with PARTING_DATABASE_URL)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from parting.clients.models import Client
from parting.evidence.models import ClientRequest
from parting.imports.models import ImportRun
from tests.factories import ClientFactory, FirmFactory

ROWS = 150_000


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def snapshot(firm) -> dict:
    return {
        "clients": sorted(Client.objects.filter(firm=firm).values_list("name", flat=True)),
        "requests": list(
            ClientRequest.objects.filter(firm=firm).order_by("pk").values_list("source_key", "received_on")
        ),
    }


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_way_leaves_the_database_exactly_as_it_was(tmp_path):
    firm = FirmFactory()
    acme = ClientFactory(firm=firm, name="Acme")
    ClientRequest.objects.create(
        firm=firm,
        client=acme,
        description="Before",
        requested_on="2026-01-02",
        due_on="2026-01-09",
        source_key="R-keep",
    )
    before = snapshot(firm)
    big = tmp_path / "requests.csv"
    with big.open("w", encoding="utf-8") as f:
        f.write("client,id,description,requested_on,due_on,received_on\n")
        f.write("Acme,R-keep,Changed by the killed import,2026-01-02,2026-01-09,2026-01-10\n")
        for n in range(ROWS):
            f.write(f"Client {n % 500},R{n},Documents for month {n},2026-03-01,2026-03-10,2026-03-12\n")
    env = {
        **os.environ,
        "PARTING_DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "parting.settings",
        "PARTING_SECRET_KEY": "test-only-not-secret",
    }
    command = [sys.executable, "-c", "from parting.cli import main; main()", "import", "requests", str(big)]
    process = subprocess.Popen(  # noqa: S603 - our own command, an argument list
        [*command, "--firm", firm.slug, "--create-clients"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        # Without a terminal the command prints "read 10%", "read 20%" … as records reach the loader,
        # which writes them batch after batch: at 30% thousands of rows are written, not committed.
        for line in process.stderr:
            if line.startswith(b"read 30%"):
                break
        assert process.poll() is None, "the import ended before it could be killed: make ROWS larger"
        assert ImportRun.objects.filter(firm=firm, state=ImportRun.State.RUNNING).exists()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    connection.close()
    assert snapshot(firm) == before
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"
