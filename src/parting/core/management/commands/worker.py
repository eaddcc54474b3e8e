"""``parting worker``: run scheduled jobs, once or in a loop until SIGTERM."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from parting.core.database import database_required
from parting.core.jobs import run_due_jobs


class Command(BaseCommand):
    help = "Run the jobs that are due (sessions clean-up now; more as the app grows). Safe to run several."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due, then exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between passes (default 5)")

    def handle(self, *args, **options):
        database_required()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        while True:
            for line in run_due_jobs():
                self.stdout.write(line)
            if options["once"]:
                break
            close_old_connections()  # a long-lived loop must not keep a broken or stale connection
            if stop.wait(options["interval"]):
                break
