"""``parting backup -o FILE``: the database, the stored documents and the audit journal in one archive
with a manifest (issue 13 §6; docs/retention.md, "Backup and restore")."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parting.audit.keys import key_path
from parting.retention.backup import BackupError, backup_create


class Command(BaseCommand):
    summary = "Back up the database, the stored documents and the audit journal into one archive."
    help = (
        "Write one ZIP archive holding the database (SQLite's online backup, or pg_dump), every stored "
        "document and the audit journal, with a manifest of each member's size and SHA-256. The audit key "
        "is left out unless --include-audit-key. Docs: docs/retention.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="the archive to write, e.g. parting-2026-12-03.zip")
        parser.add_argument(
            "--include-audit-key",
            action="store_true",
            help="also put the audit key in the archive: whoever holds the archive can then re-chain an edited log",
        )

    def handle(self, *args, **options):
        try:
            manifest = backup_create(output=Path(options["output"]), include_key=options["include_audit_key"])
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from None
        except OSError as error:
            raise CommandError(f"Backup failed: {error.filename or options['output']}: {error.strerror}") from None
        size = sum(member["size"] for member in manifest["members"])
        documents = sum(1 for member in manifest["members"] if member["name"].startswith("documents/"))
        self.stdout.write(
            f"Backed up to {options['output']}: the {manifest['database']['vendor']} database, {documents} "
            f"stored documents and the audit journal ({size:,} bytes before compression), "
            f"taken at {manifest['created_at']}."
        )
        if manifest["includes_audit_key"]:
            self.stdout.write(
                "The archive holds the audit key: keep it where those who can change the database cannot read it."
            )
        else:
            self.stdout.write(
                f"The audit key ({key_path()}) is not in the archive: keep a copy of it apart from the backups."
            )
