#!/usr/bin/env python
"""Benchmark: the firm-wide case reads over many closed cases — the partings page (A1), evidence
arriving for former clients (O8) and overdue checklist tasks — and the number of queries each takes.

Run from the project root::

    .venv/bin/python bench/partings.py                      # 2,000 closed cases on SQLite
    .venv/bin/python bench/partings.py --cases 5000 --database-url postgres://postgres@127.0.0.1:5432/test

It builds its own database in a temporary directory (SQLite) or uses the PostgreSQL URL given (the
tables are created by migrate and the rows it adds are removed at the end), generates one firm with
``--cases`` former clients, each with a closed case, a year of monthly time entries and invoices, a
row of evidence after the end, and an open overdue task per case still under way. It prints the best
of three timings per read and the queries each ran: the query count must not grow with the cases.
A benchmark reports; it never fails a build. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup(database_url: str | None) -> None:
    os.environ["PARTING_DATA_DIR"] = tempfile.mkdtemp(prefix="parting-bench-")
    os.environ.setdefault("PARTING_SECRET_KEY", "bench-only")
    if database_url:
        os.environ["PARTING_DATABASE_URL"] = database_url
    else:
        os.environ.pop("PARTING_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parting.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def generate(cases: int, today: dt.date):
    from django.contrib.auth import get_user_model

    from parting.cases.models import CaseTask, OffboardingCase
    from parting.clients.models import Client
    from parting.evidence.models import Incident, Invoice, TimeEntry
    from parting.firms.models import Firm, Membership

    firm = Firm.objects.create(name="Bench Partings", slug=f"bench-partings-{time.time_ns()}")
    user = get_user_model().objects.create(username=f"bench{time.time_ns()}")
    Membership.objects.create(user=user, firm=firm, role=Membership.Role.OWNER)
    clients = Client.objects.bulk_create(
        Client(firm=firm, name=f"Client {n:05d}", status=Client.Status.FORMER) for n in range(cases)
    )
    live = Client.objects.bulk_create(Client(firm=firm, name=f"Live {n:05d}") for n in range(cases // 10))
    ends = [today - dt.timedelta(days=1 + n % 300) for n in range(cases)]
    OffboardingCase.objects.bulk_create(
        OffboardingCase(firm=firm, client=c, opened_by=user, state="closed", outcome="parted", ended_on=end)
        for c, end in zip(clients, ends, strict=True)
    )
    under_way = OffboardingCase.objects.bulk_create(
        OffboardingCase(firm=firm, client=c, opened_by=user, state="notified") for c in live
    )
    CaseTask.objects.bulk_create(
        CaseTask(case=case, kind="files", due_on=today - dt.timedelta(days=3), owner=user) for case in under_way
    )
    entries, invoices, incidents = [], [], []
    for n, (client, end) in enumerate(zip(clients, ends, strict=True)):
        for month in range(12):
            day = end - dt.timedelta(days=30 * month + 5)
            entries.append(TimeEntry(firm=firm, client=client, date=day, hours=Decimal("6.5")))
            invoices.append(
                Invoice(
                    firm=firm,
                    client=client,
                    number=f"B{n:05d}-{month:02d}",
                    issued_on=day,
                    due_on=day + dt.timedelta(days=14),
                    amount=Decimal("420.00"),
                    currency="EUR",
                    paid_on=day + dt.timedelta(days=14),
                    amount_paid=Decimal("420.00"),
                )
            )
        incidents.append(Incident(firm=firm, client=client, kind="other", occurred_on=end + dt.timedelta(days=1)))
    TimeEntry.objects.bulk_create(entries, batch_size=5000)
    Invoice.objects.bulk_create(invoices, batch_size=5000)
    Incident.objects.bulk_create(incidents, batch_size=5000)
    return firm


def measure(label: str, fn) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            rows = fn()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<32} {best * 1000:9.1f} ms  {len(queries):3d} queries  {len(rows):6d} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    setup(args.database_url or None)
    from django.db import connection

    from parting.cases.selectors import former_client_evidence, overdue_tasks, partings

    today = dt.date(2026, 11, 22)
    started = time.perf_counter()
    firm = generate(args.cases, today)
    print(f"{connection.vendor}: {args.cases} closed cases generated in {time.perf_counter() - started:.1f} s")
    try:
        measure("partings (A1)", lambda: partings(firm=firm))
        measure("former-client evidence (O8)", lambda: former_client_evidence(firm=firm))
        measure("overdue tasks", lambda: overdue_tasks(firm=firm, today=today))
    finally:
        if args.database_url:
            firm.delete()


if __name__ == "__main__":
    main()
