"""``parting export -o FILE.zip``: everything the firm holds, as CSV files in the columns the generic
readers take, and a manifest with counts and SHA-256 (issue 10 §6). ``parting import archive
FILE.zip`` reads it back."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.core.cli_scope import add_user_argument, speaking
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
        with speaking(membership):
            self._export(firm, membership, Path(options["output"]).expanduser(), options["force"])

    def _export(self, firm, membership, path: Path, force: bool) -> None:
        if path.is_dir():
            raise CommandError(
                _("%(path)s is a folder; give the archive's file name, e.g. %(example)s.")
                % {"path": path, "example": path / "export.zip"}
            )
        if path.exists() and not force:
            raise CommandError(
                _("%(path)s already exists; choose another name or add --force to overwrite it.") % {"path": path}
            )
        if not path.parent.is_dir():
            raise CommandError(_("%(path)s: no such folder.") % {"path": path.parent})
        try:
            manifest = export_firm(firm, path, by=membership.user if membership else None)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        size = path.stat().st_size
        self.stdout.write(
            ngettext(
                "Exported %(firm)s to %(path)s (%(size)s byte):",
                "Exported %(firm)s to %(path)s (%(size)s bytes):",
                size,
            )
            % {"firm": firm.name, "path": path, "size": number_format(size, force_grouping=True)}
        )
        for name, facts in manifest["files"].items():
            rows = facts["rows"]
            self.stdout.write(f"  {name}: " + ngettext("%(n)d row", "%(n)d rows", rows) % {"n": rows})
        self.stdout.write(
            _("manifest.json lists each file's SHA-256. Read it back with: %(command)s")
            % {"command": "parting import archive FILE.zip"}
        )
