"""``parting score``: every client ranked by fit score, as a table or as JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from parting.clients.models import Client
from parting.core.cli_scope import add_user_argument, firm_for
from parting.core.database import database_ready
from parting.signs.scoring import RECOMMENDATIONS, Scorer


def client_find(firm, name: str) -> Client:
    """The firm's client called ``name``: an exact match (any case), else the one client whose name contains it."""
    name = name.strip()
    clients = Client.objects.filter(firm=firm)
    exact = list(clients.filter(name__iexact=name)[:1])
    if exact:
        return exact[0]
    partial = list(clients.filter(name__icontains=name).order_by("name")[:6])
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(c.name for c in partial[:5])
        raise CommandError(f"{name!r} matches several clients in {firm.name} ({names}); give the full name.")
    raise CommandError(f"No client named {name!r} in {firm.name}.")


class Command(BaseCommand):
    help = "Score the firm's clients on the warning signs W1–W15 and print the ranking."

    def add_arguments(self, parser):
        add_user_argument(parser)
        parser.add_argument("--client", help="only this client (its name, or a part of it that names one client)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        parser.add_argument("--all", action="store_true", help="include former clients")
        parser.add_argument("--lang", help="language of the explanations (default: the member's, else en)")

    def handle(self, *args, **options):
        database_ready(self.stderr)
        firm, membership = firm_for(options["user"], options["firm_slug"])
        lang = options["lang"] or (membership.language if membership else "en")
        ids = None
        if options["client"]:
            ids = [client_find(firm, options["client"]).id]
        with translation.override(lang):
            results = Scorer(firm).score(client_ids=ids, include_former=options["all"] or bool(ids))
            if options["json"]:
                self.stdout.write(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
                return
            self._table(results)

    def _table(self, results):
        width = max([len(r.name) for r in results] + [6])
        self.stdout.write(f"{'Client':<{width}}  Score  {'Advice':<17} Poor signs / dealbreakers")
        for r in results:
            poor = ", ".join(s.id for s in r.signs if s.band == "poor") or "-"
            flags = " !" + "; ".join(d.text for d in r.dealbreakers) if r.dealbreakers else ""
            advice = str(RECOMMENDATIONS[r.recommendation])
            score = r.score if r.enough_evidence else "—"
            self.stdout.write(f"{r.name:<{width}}  {score:>5}  {advice:<17} {poor}{flags}")
