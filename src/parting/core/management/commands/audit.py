"""``parting audit verify [--firm SLUG]``: check that the audit log is whole (issue 13 §5).

Exit 0 with the number of entries checked when every firm's chain is intact and holds every hash
the journal recorded; exit 1 with the first bad entry of each broken firm (its id, action, time and
what is wrong) otherwise. Reads only: it never creates the audit key.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from parting.audit.keys import journal_path, journal_read
from parting.audit.models import AuditEntry
from parting.audit.services import audit_check
from parting.core.database import database_ready
from parting.firms.models import Firm


class Command(BaseCommand):
    summary = "Check that the audit log is whole: no entry changed, inserted or removed."
    help = (
        "Check each firm's audit log: every entry's keyed hash, the chain from one entry to the next, "
        "and every hash the journal outside the database recorded. Exit status 1 and the first bad "
        "entry on failure. Docs: docs/retention.md."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True, metavar="verify")
        verify = sub.add_parser("verify", help="check the chain and the journal")
        verify.add_argument("--firm", default="", help="only this firm (its short name or name)")

    def handle(self, *args, **options):
        database_ready(self.stderr)
        firms = Firm.objects.order_by("pk")
        if options["firm"]:
            name = options["firm"]
            firms = firms.filter(slug=name) or firms.filter(name__iexact=name)
            if not firms:
                raise CommandError(f"--firm {name!r}: no firm has this name.")
        journal, unreadable = journal_read()
        broken = 0
        if unreadable and not options["firm"]:
            broken += 1
            lines = ", ".join(str(n) for n in unreadable[:5])
            self.stdout.write(f"The journal {journal_path()}: line(s) {lines} cannot be read: it was edited.")
        for firm in firms:
            problem = audit_check(firm=firm, journal=journal)
            if problem is not None:
                broken += 1
                self.stdout.write(f"{firm.slug}: BROKEN at {problem}")
                continue
            count = AuditEntry.objects.filter(firm=firm).count()
            self.stdout.write(f"{firm.slug}: intact, {count} entr{'y' if count == 1 else 'ies'}")
        if not options["firm"]:
            known = set(Firm.objects.values_list("pk", flat=True))
            for firm_id in sorted(set(journal) - known):
                broken += 1
                self.stdout.write(
                    f"firm {firm_id}: the journal records entries for it but the firm is gone from the database"
                )
        if broken:
            raise CommandError(f"The audit log is broken ({broken} problem{'' if broken == 1 else 's'}).", returncode=1)
