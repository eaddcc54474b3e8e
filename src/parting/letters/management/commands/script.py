"""``parting script CASE_ID [--lang L] [--format txt|pdf] [-o FILE]``: the call script of a case (C1, C11).

The same script as the case page's *Call script*: the opening, the decision stated as final, the reason
the client will hear, the documented reasons as facts (unless ``--no-reasons``), what happens next, the
answers to pushback and the close. Nothing is written to the database.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parting.cases.models import OffboardingCase
from parting.core.cli_scope import add_user_argument, firm_for
from parting.core.database import database_ready
from parting.letters import pdf, services
from parting.letters.phrases import LANGUAGES
from parting.letters.script import call_script


class Command(BaseCommand):
    help = "Write a case's call script to a file or the terminal: plain text or PDF, in the client's language."

    def add_arguments(self, parser):
        parser.add_argument("case", type=int, help="the case's id (parting case open prints it)")
        parser.add_argument("--lang", choices=LANGUAGES, help="the script's language (default: the client's)")
        parser.add_argument("--format", choices=("txt", "pdf"), default="txt")
        parser.add_argument(
            "-o", "--output", default="-", help="the file to write; - (the default) for standard output"
        )
        parser.add_argument(
            "--no-reasons", action="store_true", help="leave out the documented reasons (C7: they are optional)"
        )
        add_user_argument(parser)

    def handle(self, *args, **options):
        database_ready(self.stderr)
        firm, membership = firm_for(options["user"], options["firm_slug"])
        case = OffboardingCase.objects.select_related("firm", "client").filter(firm=firm, pk=options["case"]).first()
        if case is None:
            raise CommandError(f"No case {options['case']} in {firm.name}.")
        lang = options["lang"] or services.letter_language(case)
        sender = membership.user if membership else case.opened_by
        script = call_script(case, lang, sender=sender, with_reasons=not options["no_reasons"])
        if options["format"] == "pdf":
            data = pdf.render_pdf({"paper": firm.paper, "scripts": [script.as_dict()]}, template="script.typ")
        else:
            data = script.plain().encode()
        if options["output"] == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        path = Path(options["output"])
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        self.stdout.write(f"{path} ({options['format']}, {lang}, {len(data):,} bytes)")
