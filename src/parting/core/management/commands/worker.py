"""``parting worker``: run scheduled jobs, once or in a loop until SIGTERM."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from parting.core.database import database_required
from parting.core.jobs import run_due_jobs


def _idle(report: str) -> bool:
    """A job's report that it found nothing to do ("0 expired sessions removed", "no uploads"): the
    loop passes every few seconds, so these are printed only with -v 2."""
    outcome = report.partition(": ")[2]
    return outcome.startswith(("0 ", "no "))


class Command(BaseCommand):
    help = "Run the jobs that are due (imports, re-scoring firms, clean-ups). Safe to run several."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due, then exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between passes (default 5)")

    def handle(self, *args, **options):
        database_required()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        verbose = options["verbosity"] >= 2
        while True:
            for line in run_due_jobs():
                if verbose or not _idle(line):
                    self.stdout.write(line)
            if options["once"]:
                break
            close_old_connections()  # a long-lived loop must not keep a broken or stale connection
            if stop.wait(options["interval"]):
                break
