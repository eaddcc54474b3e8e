"""``parting import KIND FILE...``: the firm's invoices, payments, clients, calendars, mail and time
entries in (issue 10 §7). Exit status 1 when any file has a problem; then nothing is written."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parting.core.cli_scope import add_user_argument, firm_for
from parting.core.database import database_ready
from parting.firms.models import Firm
from parting.imports import formats
from parting.imports.services import run_import, save_mapping

ORDERS = {"dmy": "dmy", "day-first": "dmy", "mdy": "mdy", "month-first": "mdy"}


def _firm(name: str, username: str):
    if not name:
        return firm_for(username)
    firm = Firm.objects.filter(slug=name).first() or Firm.objects.filter(name__iexact=name).first()
    if firm is None:
        raise CommandError(f"--firm {name!r}: no firm has this name.")
    scoped, membership = firm_for(username, firm.slug) if username else (firm, None)
    if scoped.pk != firm.pk:
        raise CommandError(f"--user {username!r} is not a member of {firm.name}.")
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
        kind = options["kind"]
        mapping = {}
        for item in options["map"]:
            field, sep, column = item.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise CommandError(f"--map {item!r}: write FIELD=COLUMN.")
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
                raise CommandError(f"{name}: no such file or folder.")
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
            self.stderr.write(f"{result.problems.count} problem(s); nothing was written:")
            for line in result.problems.summary():
                self.stderr.write(f"  {line}")
            sys.exit(1)
        if options["save_mapping"]:  # a dry run without problems has shown the mapping works
            save_mapping(firm, kind, options["format"], mapping, given["date_order"])
            self.stdout.write("The column mapping is saved for the next import of this kind.")

    def _summary(self, result, dry_run: bool) -> None:
        out = result.run.counts
        title = "Dry run — nothing written. The import would do:" if dry_run else "Imported:"
        if result.problems:
            title = "Read before the first problem stopped the writing (nothing was written):"
        self.stdout.write(title)
        counts = out.get("counts", {})
        if not counts:
            self.stdout.write("  nothing")
        for kind, what in sorted(counts.items()):
            parts = ", ".join(f"{n} {w}" for w, n in sorted(what.items()))
            self.stdout.write(f"  {kind}: {parts}")
        if dry_run and out.get("per_client"):
            self.stdout.write("Per client:")
            for name, what in out["per_client"].items():
                by_kind: dict[str, list[str]] = {}
                for key, n in sorted(what.items()):  # "invoices added": 1 → invoices: 1 added
                    counted, _sep, happened = key.rpartition(" ")
                    by_kind.setdefault(counted, []).append(f"{n} {happened}")
                self.stdout.write(f"  {name}: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in by_kind.items()))
        if result.run.unmatched:
            total = sum(n for _name, n in result.run.unmatched)
            self.stdout.write(
                f"{total} record(s) name {len(result.run.unmatched)} client(s) Parting does not know "
                "(skipped; --create-clients creates them):"
            )
            for name, n in result.run.unmatched[:50]:
                self.stdout.write(f"  {name}: {n}")
        for line in out.get("changes", [])[:50]:
            self.stdout.write(f"  changed: {line}")
        for line in out.get("notes", [])[:50]:
            self.stdout.write(f"  note: {line}")


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
            self.stream.write(f"read {step * 10}%")
            self.stream.flush()

    def __enter__(self):
        if not getattr(self.stream, "isatty", lambda: False)():
            return self._lines
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self.bar = Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn()
        )
        self.bar.start()
        task = self.bar.add_task("Reading", total=None)

        def update(done: int, total: int) -> None:
            self.bar.update(task, completed=done, total=total)

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
