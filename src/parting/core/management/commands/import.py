"""``parting import KIND FILE...``: the firm's invoices, payments, clients, calendars, mail and time
entries in (issue 10 §7). Exit status 1 when any file has a problem; then nothing is written."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.core.cli_scope import add_user_argument, firm_for, speaking
from parting.core.database import database_ready
from parting.firms.models import Firm
from parting.imports import formats
from parting.imports.labels import by_kind, kind_label, what_label
from parting.imports.services import run_import, save_mapping

ORDERS = {"dmy": "dmy", "day-first": "dmy", "mdy": "mdy", "month-first": "mdy"}


def _firm(name: str, username: str):
    if not name:
        return firm_for(username)
    firm = Firm.objects.filter(slug=name).first() or Firm.objects.filter(name__iexact=name).first()
    if firm is None:
        raise CommandError(_("--firm %(name)s: no firm has this name.") % {"name": repr(name)})
    scoped, membership = firm_for(username, firm.slug) if username else (firm, None)
    if scoped.pk != firm.pk:
        raise CommandError(
            _("--user %(name)s is not a member of %(firm)s.") % {"name": repr(username), "firm": firm.name}
        )
    import zoneinfo

    from django.utils import timezone

    timezone.activate(zoneinfo.ZoneInfo(firm.time_zone))
    return firm, membership


class Command(BaseCommand):
    summary = "Import invoices, payments, clients, calendars, mail or time from other tools' files."
    help = (
        "Import evidence from files exported by other tools: invoices, payments, clients, calendar (.ics), "
        "mail (mbox, .eml, maildir), time entries, or a Parting export (archive). What is read from CSV is "
        "also read from a workbook (.xlsx, .xls, .ods, .xlsb). Docs: docs/imports.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=formats.KINDS, help="what the files hold")
        parser.add_argument(
            "files",
            nargs="+",
            help="files (several at once; CSV or a workbook: .xlsx, .xls, .ods), or a maildir folder",
        )
        offered = "; ".join(
            f"{kind}: {', '.join(sorted(formats.presets(kind)))}" for kind in formats.KINDS if formats.presets(kind)
        )
        parser.add_argument(
            "--format", default="", help=f"the exporting tool's preset ({offered}); default: detect from the columns"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="read FIELD from the file's COLUMN (repeatable; e.g. --map number='Invoice No')",
        )
        parser.add_argument("--date-order", choices=sorted(ORDERS), help="when dates could be day- or month-first")
        parser.add_argument("--decimal", choices=[".", ","], help="the decimal separator, when amounts cannot tell")
        parser.add_argument("--encoding", help="the files' character set, when it cannot be identified")
        parser.add_argument(
            "--create-clients", action="store_true", help="create clients the files name but Parting lacks"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be added, changed and skipped; write nothing"
        )
        parser.add_argument(
            "--save-mapping", action="store_true", help="remember --map and --date-order for this kind and format"
        )
        parser.add_argument("--firm", default="", help="the firm's name or short name (default: the firm of --user)")
        add_user_argument(parser)

    def handle(self, *args, **options):
        database_ready(self.stderr)
        firm, membership = _firm(options["firm"], options["user"])
        with speaking(membership):
            self._import(firm, membership, options)

    def _import(self, firm, membership, options) -> None:
        kind = options["kind"]
        mapping = {}
        for item in options["map"]:
            field, sep, column = item.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise CommandError(_("--map %(item)s: write FIELD=COLUMN.") % {"item": repr(item)})
            mapping[field.strip()] = column.strip()
        given = {
            "format": options["format"],
            "mapping": mapping,
            "date_order": ORDERS.get(options["date_order"] or "", ""),
            "decimal": options["decimal"] or "",
            "encoding": options["encoding"] or "",
        }
        paths = []
        for name in options["files"]:
            path = Path(name).expanduser()
            if not path.exists():
                raise CommandError(_("%(name)s: no such file or folder.") % {"name": name})
            paths.append(path)
        by = membership.user if membership else None
        with _progress(self.stderr) as progress:
            result = run_import(
                firm=firm,
                by=by,
                kind=kind,
                paths=paths,
                names=options["files"],
                options=given,
                create_clients=options["create_clients"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        self._summary(result, options["dry_run"])
        if result.problems:
            count = result.problems.count
            self.stderr.write(
                ngettext("%(n)d problem; nothing was written:", "%(n)d problems; nothing was written:", count)
                % {"n": count}
            )
            for line in result.problems.summary():
                self.stderr.write(f"  {line}")
            sys.exit(1)
        if options["save_mapping"]:  # a dry run without problems has shown the mapping works
            save_mapping(firm, kind, options["format"], mapping, given["date_order"])
            self.stdout.write(_("The column mapping is saved for the next import of this kind."))

    def _summary(self, result, dry_run: bool) -> None:
        out = result.run.counts
        title = _("Dry run — nothing written. The import would do:") if dry_run else _("Imported:")
        if result.problems:
            title = _("Read before the first problem stopped the writing (nothing was written):")
        self.stdout.write(title)
        counts = out.get("counts", {})
        if not counts:
            self.stdout.write("  " + _("nothing"))
        for kind, what in sorted(counts.items()):
            self.stdout.write(f"  {kind_label(kind)}: {_counted(what)}")
        if dry_run and out.get("per_client"):
            self.stdout.write(_("Per client:"))
            for name, what in out["per_client"].items():
                kinds = by_kind(what)  # "invoices added": 1 → Invoices: added 1
                self.stdout.write(
                    f"  {name}: " + "; ".join(f"{kind_label(k)}: {_counted(v)}" for k, v in kinds.items())
                )
        if result.run.unmatched:
            total = sum(n for _name, n in result.run.unmatched)
            records = ngettext("%(n)d record", "%(n)d records", total) % {"n": total}
            clients = len(result.run.unmatched)
            self.stdout.write(
                ngettext(
                    "%(records)s name %(n)d client Parting does not know (skipped; --create-clients creates it):",
                    "%(records)s name %(n)d clients Parting does not know (skipped; --create-clients creates them):",
                    clients,
                )
                % {"records": records, "n": clients}
            )
            for name, n in result.run.unmatched[:50]:
                self.stdout.write(f"  {name}: {n}")
        for line in out.get("changes", [])[:50]:
            self.stdout.write("  " + _("changed: %(change)s") % {"change": line})
        for line in out.get("notes", [])[:50]:
            self.stdout.write("  " + _("note: %(note)s") % {"note": line})


def _counted(what: dict[str, int]) -> str:
    """``{"added": 2, "changed": 1}`` as "added: 2, changed: 1", each word in the active language."""
    return ", ".join(f"{what_label(w)}: {n}" for w, n in sorted(what.items()))


class _progress:
    """A rich progress bar on a terminal; a plain line every 10% when the output is not one."""

    def __init__(self, stream):
        self.stream = stream
        self.bar = None
        self.step = 0

    def _lines(self, done: int, total: int) -> None:
        step = done * 10 // max(total, 1)
        if step > self.step:
            self.step = step
            self.stream.write(_("read %(percent)d%%") % {"percent": step * 10})
            self.stream.flush()

    def __enter__(self):
        if not getattr(self.stream, "isatty", lambda: False)():
            return self._lines
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self.bar = Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn()
        )
        self.bar.start()
        task = self.bar.add_task(_("Reading"), total=None)

        def update(done: int, total: int) -> None:
            self.bar.update(task, completed=done, total=total)

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
