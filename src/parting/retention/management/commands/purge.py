"""``parting purge``: purge what is due now (O5), or with ``--dry-run`` list what would go."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from parting.core.database import database_required
from parting.retention.services import purge_due, purge_plan, retry_file_deletions, warn_due


class Command(BaseCommand):
    help = (
        "Purge the client data that is due for deletion (O5): personal data, documents, and accounting "
        "records whose legal period has ended. --dry-run lists what would go, per client and category."
    )
    summary = "Purge client data due for deletion (O5); --dry-run lists what would go."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be purged; change nothing")

    def handle(self, *args, **options):
        database_required()
        if options["dry_run"]:
            rows = purge_plan()
            if not rows:
                self.stdout.write("Nothing is due for purging.")
                return
            for row in rows:
                counts = ", ".join(f"{what} {n}" for what, n in sorted(row.counts.items())) or "nothing left"
                self.stdout.write(
                    f"{row.firm} · client:{row.client_id} {row.client} ({row.reference}) · "
                    f"{row.category} due {row.due_on.isoformat()}: {counts}"
                )
            self.stdout.write(f"{len(rows)} purges due; dry run: nothing was changed.")
            return
        warn_due()
        done = purge_due()
        for purged in done:
            for category, counts in purged.categories.items():
                listed = ", ".join(f"{what} {n}" for what, n in sorted(counts.items())) or "nothing left"
                self.stdout.write(f"client:{purged.client_id} ({purged.reference}) · {category}: {listed}")
        left = retry_file_deletions()
        self.stdout.write(f"{len(done)} clients purged; {left} stored files still to remove.")
