"""``parting demo``: the demo firm on SQLite in the data directory, served on 127.0.0.1:8000."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from parting.demo.builder import demo_load, demo_member_line
from parting.firms.services import generate_password

from .serve import add_server_arguments, run_server


class Command(BaseCommand):
    help = "Load the demo firm (once) and serve it. Every start prints fresh one-time passwords."

    def add_arguments(self, parser):
        add_server_arguments(parser)
        parser.add_argument("--load-only", action="store_true", help="load the demo data and exit")
        parser.add_argument("--reset", action="store_true", help="delete the demo firm and build it again")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        result = demo_load(reset=options["reset"])
        what = "Loaded" if result.created else "Found"
        self.stdout.write(f"{what} the demo firm “{result.firm.name}” in {settings.DATABASES['default']['NAME']}.")
        if options["load_only"]:
            return
        # No default passwords: each start gives each demo member a new random one and shows it here only.
        lines = []
        with transaction.atomic():
            for membership in result.members:
                password = generate_password()
                membership.user.set_password(password)
                membership.user.save(update_fields=["password"])
                lines.append(demo_member_line(membership, password))
        host, port = options["host"], options["port"]
        self.stdout.write(f"\nOpen http://{host}:{port}/ and log in as one of:\n" + "\n".join(lines) + "\n")
        run_server(self.stdout, host=host, port=port, workers=options["workers"])
