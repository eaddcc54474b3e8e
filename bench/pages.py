#!/usr/bin/env python
"""Benchmark: how fast the pages answer at a large firm, now that they read stored scores (issue 12 §5).

Run from the project root::

    .venv/bin/python bench/pages.py                      # SQLite, 10,000 clients, 1,000,000 evidence rows
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/parting_bench
    .venv/bin/python bench/pages.py --clients 2000 --rows 200000 --requests 10   # a quick run
    .venv/bin/python bench/pages.py --database-url sqlite:////tmp/pages.sqlite3 --keep   # keep the firm …
    .venv/bin/python bench/pages.py --database-url sqlite:////tmp/pages.sqlite3 --reuse  # … measure again

It builds its own database with the generator of ``bench/score.py`` (the same firm, clients and
evidence, the same seed), then, in a fresh process:

* writes the firm's stored scores the way the worker does: today's snapshot, then the back-filled
  month-ends (both timed: a page never pays for them, the worker does);
* signs in as the firm's owner and requests, through Django's test client (the whole middleware
  stack, sessions, CSRF, templates; no network), each page ``--requests`` times after two warm-ups:

  - the dashboard (``/``);
  - the dashboard's table fragment (page 2, sorted by score, as htmx asks for it);
  - a client page (a different client each time, drawn with the seed);
  - a sign page (W7, late payment, of a different client each time);

* prints each page's p50, p95 and worst time, its SQL query count and its size in bytes, with PASS or
  MISS against the target: p95 under 100 ms.

A benchmark reports; it never fails a build. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_P95_MS = 100.0
SIGN = "W7"


def score_bench():
    """bench/score.py as a module: its generator and database set-up are reused, not repeated."""
    spec = importlib.util.spec_from_file_location("score_bench", HERE / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (with 30 samples, p95 is the 29th fastest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def measure(firm_id: int | None, requests: int, seed: int, *, backfill: bool = True) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext

    from parting.clients.models import Client
    from parting.firms.models import Firm
    from parting.scores.services import backfill_firm, snapshot_firm, state_of

    firm = Firm.objects.get(pk=firm_id) if firm_id else Firm.objects.order_by("pk").first()
    state_of(firm)
    started = time.perf_counter()
    written = snapshot_firm(firm)
    snapshot_seconds = time.perf_counter() - started
    started = time.perf_counter()
    months = backfill_firm(firm) if backfill else []
    backfill_seconds = time.perf_counter() - started

    owner = get_user_model().objects.get(username="bench0")
    browser = Browser(HTTP_HOST="localhost")
    browser.force_login(owner)

    rng = random.Random(seed)
    ids = list(Client.objects.filter(firm=firm).values_list("id", flat=True))
    picks = [rng.choice(ids) for _ in range(requests + 2)]

    pages = {
        "dashboard": lambda i: browser.get("/"),
        "dashboard table (htmx)": lambda i: browser.get("/", {"page": 2, "sort": "score"}, HTTP_HX_REQUEST="true"),
        "client page": lambda i: browser.get(f"/clients/{picks[i]}/"),
        f"sign page ({SIGN})": lambda i: browser.get(f"/clients/{picks[i]}/signs/{SIGN}/"),
    }
    results = {}
    for name, get in pages.items():
        for i in range(2):  # warm-up: templates compiled, caches filled
            response = get(i)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        times, queries, sizes = [], [], []
        for i in range(2, requests + 2):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = get(i)
                times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
            queries.append(len(captured.captured_queries))
            sizes.append(len(response.content))
        results[name] = {
            "p50": statistics.median(times),
            "p95": percentile(times, 0.95),
            "max": max(times),
            "queries": max(queries),
            "bytes": max(sizes),
        }
    return {
        "vendor": connection.vendor,
        "snapshot_seconds": snapshot_seconds,
        "snapshot_clients": written,
        "backfill_seconds": backfill_seconds,
        "backfill_months": len(months),
        "pages": results,
    }


def report(made: dict, measured: dict, requests: int) -> None:
    rows = f"{sum(made['rows'].values()):,} evidence rows" if made["rows"] else "the kept database's evidence"
    print(f"{measured['vendor']}: {made['clients']:,} clients, {rows}; {requests} requests per page after 2 warm-ups")
    print(
        f"stored scores (the worker's work, not the pages'): today's snapshot of "
        f"{measured['snapshot_clients']:,} clients {measured['snapshot_seconds']:.1f} s, "
        f"{measured['backfill_months']} back-filled month-ends {measured['backfill_seconds']:.1f} s"
    )
    print()
    print(f"{'page':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'bytes':>10}  target p95 < 100 ms")
    for name, r in measured["pages"].items():
        verdict = "PASS" if r["p95"] < TARGET_P95_MS else "MISS"
        print(
            f"{name:<26}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['max']:>9.1f}{r['queries']:>9}{r['bytes']:>10,}  {verdict}"
        )


def reuse(url: str, requests: int, seed: int) -> None:
    """Measure a kept database again (after a code change): migrate it, then measure in a fresh process."""
    import tempfile

    bench = score_bench()
    data_dir = tempfile.mkdtemp(prefix="parting-pages-")
    bench.bench_environment(url, data_dir)
    src = str(HERE.parent / "src")
    migrate = f"import sys; sys.path.insert(0, {src!r}); sys.argv = ['parting', 'migrate', '-v0']; "
    migrate += "from parting.cli import main; main()"
    subprocess.run([sys.executable, "-c", migrate], check=True, env=os.environ.copy())  # noqa: S603
    result = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--phase", "measure", "--reuse", "--requests", str(requests), "--seed", str(seed)],
        check=False,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    if result.returncode:
        raise SystemExit(f"the measuring phase failed (exit status {result.returncode})")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    report({"clients": measured["snapshot_clients"], "rows": {}}, measured, requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="evidence rows in all (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--database-url",
        default="",
        help="sqlite:////new/file.sqlite3 or postgres://user@host:port/parting_bench "
        "(created, and dropped afterwards unless --keep); default: SQLite in a temporary directory",
    )
    parser.add_argument("--maintenance-db", default=None, help="PostgreSQL database to connect to for CREATE DATABASE")
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database at --database-url that an earlier --keep run left: migrate it, store "
        "today's scores again (not the month-ends already back-filled) and measure; nothing is generated",
    )
    parser.add_argument("--phase", choices=["measure"], help=argparse.SUPPRESS)  # internal: the child
    parser.add_argument("--firm", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    requests = max(1, args.requests)

    if args.phase:  # the child: the environment was set by the parent
        sys.path.insert(0, str(HERE.parent / "src"))
        import django

        django.setup()
        print(json.dumps(measure(args.firm, requests, args.seed, backfill=not args.reuse)))
        return

    if args.reuse:
        if not args.database_url:
            raise SystemExit("--reuse needs the --database-url of a kept database")
        reuse(args.database_url, requests, args.seed)
        return

    bench = score_bench()
    with bench.bench_database(
        args.database_url, args.maintenance_db, keep=args.keep, prefix="parting-pages-"
    ) as vendor:
        print(f"generating {args.clients:,} clients and {args.rows:,} evidence rows ({vendor}) …", flush=True)
        made = bench.child(
            "--phase", "generate", "--clients", str(args.clients), "--rows", str(args.rows), "--seed", str(args.seed)
        )
        print(f"generated in {made['generation']:.1f} s; scoring and measuring in a fresh process …", flush=True)
        result = subprocess.run(  # noqa: S603
            [
                *(sys.executable, __file__, "--phase", "measure", "--firm", str(made["firm_id"])),
                *("--requests", str(requests), "--seed", str(args.seed)),
            ],
            check=False,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        if result.returncode:
            raise SystemExit(f"the measuring phase failed (exit status {result.returncode})")
        print()
        report(made, json.loads(result.stdout.strip().splitlines()[-1]), requests)


if __name__ == "__main__":
    main()
