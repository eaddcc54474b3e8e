"""``parting letter CASE_ID --lang LANG --format pdf|docx|eml -o FILE``: the case's letter as a file.

The newest version of the letter in that language is rendered — the text as edited on the case page —
or, when none has been written yet, the letter composed from the case now. Nothing is written to the
database: generating, editing and sending are the case page's (and their versions are kept there).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from parting.cases.models import OffboardingCase
from parting.core.cli_scope import add_user_argument, firm_for
from parting.core.database import database_ready
from parting.letters import content, services
from parting.letters.models import Letter
from parting.letters.phrases import LANGUAGES
from parting.letters.tone import tone_check


class Command(BaseCommand):
    help = "Write a case's letter to a file: PDF, DOCX or the e-mail (.eml) with the PDF attached."

    def add_arguments(self, parser):
        parser.add_argument("case", type=int, help="the case's id (parting case open prints it)")
        parser.add_argument("--lang", choices=LANGUAGES, help="the letter's language (default: the client's)")
        parser.add_argument("--format", choices=services.FORMATS, default="pdf")
        parser.add_argument("-o", "--output", required=True, help="the file to write; - for standard output")
        parser.add_argument(
            "--letter-only", action="store_true", help="C1: the letter is the only notice (no call before it)"
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
        letter = Letter.objects.filter(case=case, lang=lang).first()
        version = letter.current if letter else None
        try:
            if version is not None:
                doc = services.letter_document(letter, version, sender=sender)
            else:
                subject, body = content.letter_compose(case, lang, sender=sender, after_call=not options["letter_only"])
                doc = content.document(
                    case, lang, subject=subject, body=body, sender=sender, after_call=not options["letter_only"]
                )
            data = services.render(doc, options["format"], filename=services.letter_filename(doc, "pdf"))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for finding in tone_check(doc.body, lang):
            self.stderr.write(f"tone {finding.level}: {finding.rule} “{finding.words}” — {finding.advice}")
        if options["output"] == "-":
            sys.stdout.buffer.write(data)
            return
        path = Path(options["output"])
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        self.stdout.write(f"{path} ({options['format']}, {lang}, {len(data):,} bytes)")
