"""``parting restore FILE``: check a backup against its manifest, then put back the database, the
stored documents and the audit journal, and purge again every client purged since (issue 13 §6, O5)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parting.retention.backup import BackupError, backup_restore, backup_verify, schema_problem


class Command(BaseCommand):
    summary = "Restore a backup; every purge done since it was taken is done again."
    help = (
        "Check every member of a backup against its manifest (an altered archive is refused), refuse a "
        "backup from a newer version, then replace the database and the stored documents with the "
        "backup's, reconcile the audit journal and purge again every client the purge journal records. "
        "Asks for confirmation unless --yes. Docs: docs/retention.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive written by `parting backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--check", action="store_true", help="only check the archive; change nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            manifest = backup_verify(path)
            problem = schema_problem(manifest)
            if problem:
                raise BackupError(f"{path}: {problem}")
        except BackupError as error:
            raise CommandError(f"Not restored: {error}") from None
        documents = sum(1 for m in manifest["members"] if m["name"].startswith("documents/"))
        self.stdout.write(
            f"{path}: intact. Taken at {manifest['created_at']} by Parting {manifest.get('parting_version', '?')}: "
            f"a {manifest['database']['vendor']} database and {documents} stored documents."
        )
        if options["check"]:
            return
        if not options["yes"]:
            answer = input(
                "This replaces the database and the stored documents with the backup's; whatever was written "
                "since is lost (purges since are done again). Type 'yes' to restore: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Not restored: not confirmed.")
        try:
            result = backup_restore(path)
        except BackupError as error:
            raise CommandError(f"Restore failed: {error}") from None
        except OSError as error:
            raise CommandError(f"Restore failed: {error.filename or path}: {error.strerror}") from None
        self.stdout.write(
            f"Restored: the database, {result.files} stored documents ({result.files_removed} stored since the "
            "backup removed)."
        )
        for firm_id, lost in sorted(result.audit_lost.items()):
            self.stdout.write(
                f"firm {firm_id}: {lost} audit entries written after the backup are not in it; the log records "
                "the restore (backup.restored) and the previous journal is kept beside the journal."
            )
        if result.key_installed:
            self.stdout.write("The audit key from the backup was installed (there was none).")
        for line in result.reapplied:
            self.stdout.write(f"Purged again (it had been purged after the backup): {line}")
        if result.journal_unreadable:
            lines = ", ".join(str(n) for n in result.journal_unreadable[:5])
            self.stderr.write(f"The purge journal has unreadable line(s) {lines}: check it by hand.")
