"""``parting serve``: the app for real use: gunicorn + whitenoise, DEBUG off, the worker beside it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def add_server_arguments(parser) -> None:
    parser.add_argument("--host", default=os.environ.get("PARTING_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PARTING_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("PARTING_WEB_WORKERS", "2")))


def run_server(stdout, *, host: str, port: int, workers: int) -> None:
    """Start gunicorn and one ``parting worker``; stop both when either stops or on SIGTERM/SIGINT."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "parting.settings")}
    web = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
        [
            sys.executable,
            "-m",
            "gunicorn",
            "parting.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ],
        env=env,
    )
    worker = subprocess.Popen([sys.executable, "-m", "parting.cli", "worker"], env=env)
    stdout.write(f"Parting is serving on http://{host}:{port}/ (Ctrl+C stops it).")

    def stop(*_):
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while web.poll() is None and worker.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                web.wait(timeout=1)
    finally:
        stop()
        for process in (web, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    if web.returncode not in (0, -signal.SIGTERM, None):
        raise CommandError(f"The web server stopped with exit code {web.returncode}.")


class Command(BaseCommand):
    help = "Serve Parting for real use (gunicorn + whitenoise, DEBUG off) with the worker beside it."

    def add_arguments(self, parser):
        add_server_arguments(parser)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")

    def handle(self, *args, **options):
        if settings.DEBUG:
            self.stderr.write("Warning: PARTING_DEBUG is on; never expose a debug server to a network.")
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        run_server(self.stdout, host=options["host"], port=options["port"], workers=options["workers"])
