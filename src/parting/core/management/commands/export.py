"""``parting export -o FILE.zip``: everything the firm holds, as CSV files in the columns the generic
readers take, and a manifest with counts and SHA-256 (issue 10 §6). ``parting import archive
FILE.zip`` reads it back."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parting.core.cli_scope import add_user_argument
from parting.core.database import database_ready
from parting.imports.export import export_firm

# The firm of --firm / --user, resolved as `parting import` does ("import" is a keyword: no from-import).
_firm = importlib.import_module("parting.core.management.commands.import")._firm


class Command(BaseCommand):
    summary = "Export all of the firm's data to a ZIP of CSV files with a manifest."
    help = (
        "Export everything the firm holds to a ZIP of CSV files (clients, contacts, invoices, payments, "
        "meetings, messages, requests, incidents, time, cases, letters …) with manifest.json. "
        "`parting import archive FILE.zip` reads it back. Docs: docs/imports.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="the archive to write")
        parser.add_argument("--force", action="store_true", help="overwrite FILE.zip if it exists")
        parser.add_argument("--firm", default="", help="the firm's name or short name (default: the firm of --user)")
        add_user_argument(parser)

    def handle(self, *args, **options):
        database_ready(self.stderr)
        firm, membership = _firm(options["firm"], options["user"])
        path = Path(options["output"]).expanduser()
        if path.is_dir():
            raise CommandError(f"{path} is a folder; give the archive's file name, e.g. {path / 'export.zip'}.")
        if path.exists() and not options["force"]:
            raise CommandError(f"{path} already exists; choose another name or add --force to overwrite it.")
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder.")
        try:
            manifest = export_firm(firm, path, by=membership.user if membership else None)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        self.stdout.write(f"Exported {firm.name} to {path} ({path.stat().st_size:,} bytes):")
        for name, facts in manifest["files"].items():
            rows = facts["rows"]
            self.stdout.write(f"  {name}: {rows} row{'' if rows == 1 else 's'}")
        self.stdout.write("manifest.json lists each file's SHA-256. Read it back with: parting import archive FILE.zip")
