#!/usr/bin/env python
"""Benchmark: importing a large invoice CSV and a large mbox (issue 10 §4), against "the floor" of
parsing the same CSV with the csv module and inserting it with one executemany in one transaction.

Run from the project root::

    .venv/bin/python bench/import.py                              # 1,000,000 invoice rows, 100,000 messages
    .venv/bin/python bench/import.py --rows 100000 --messages 10000   # a quick run
    .venv/bin/python bench/import.py --rows 100000 --profile csv      # where the time goes (cProfile)

    # one part as a whole process, e.g. for an outside timer (prepare once, then time each part):
    .venv/bin/python bench/import.py --data /tmp/import-bench --rows 100000 --prepare
    .venv/bin/python bench/import.py --data /tmp/import-bench --rows 100000 --only csv
    .venv/bin/python bench/import.py --data /tmp/import-bench --rows 100000 --only floor

It generates, with a fixed seed, into a temporary directory (or ``--data``):

* ``invoices.csv``: ``--rows`` invoices in the generic columns (``columns.GENERIC["invoices"]``) for a
  firm of ``--clients`` clients — ISO dates, amounts with a decimal point, 8 % in EUR with a rate,
  most paid (a few in part), some chased, discounted or disputed, client names with commas quoted;
* ``mail.mbox``: ``--messages`` small messages as Gmail Takeout writes them — Message-ID, In-Reply-To
  on replies, From/To/Date/Subject, X-Gmail-Labels, a short body; about 2 % in cp1251 or cp1250
  (declared, some with RFC 2047 subjects), 0.5 % in an undeclared 8-bit charset;
* ``template.sqlite3``: a migrated database with the firm (Europe/Warsaw, PLN), its members and
  clients, each client with a contact address (created in bulk).

Each part runs in a child process on a fresh copy of the template database (its own
``PARTING_DATA_DIR``), so the process's ``ru_maxrss`` (peak resident memory) is the part's own:

* ``csv``: ``run_import(kind="invoices")`` on the CSV;
* ``floor``: ``csv.reader`` over the same file, each row turned into the invoice table's columns (the
  client looked up by name in a dict) and ``cursor.executemany`` into ``evidence_invoice`` in one
  transaction, through the same Django connection (same SQLite pragmas);
* ``floor_payments`` (informational): the floor plus the payment row the import writes for each
  invoice the file says was paid — the rows an import of this file must write;
* ``mail``: ``run_import(kind="mail")`` on the mbox.

``--digest`` prints a SHA-256 of the invoices and payments the import wrote, so a faster loader can
be shown to write the same rows; ``--profile PART`` prints a cProfile of one part.

It prints, for each, the wall time, rows per second and peak memory, the ratio import ÷ floor, and
PASS/MISS against the issue's targets (≥ 100,000 invoice rows/s, within 2× the floor, peak memory
under 300 MB). A benchmark reports; it never fails a build. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import email.utils
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from base64 import b64encode
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TIME_ZONE = "Europe/Warsaw"
FIRM_DOMAIN = "biuro-rachunkowe.example"
TODAY = dt.date(2026, 11, 22)
DAYS = 730  # two years of invoices and mail
TARGET_ROWS_PER_SECOND = 100_000
TARGET_RATIO = 2.0
TARGET_MEMORY_MB = 300

INVOICE_COLUMNS = (
    "client",
    "client_email",
    "number",
    "issued_on",
    "due_on",
    "amount",
    "currency",
    "fx_rate",
    "amount_paid",
    "paid_on",
    "status",
    "discount_requested",
    "discount_given",
    "reminders_sent",
    "disputed",
)

# The columns the floor writes: the invoice table's, as the loader fills them.
FLOOR_COLUMNS = (
    "firm_id",
    "client_id",
    "number",
    "issued_on",
    "due_on",
    "amount",
    "currency",
    "fx_rate",
    "paid_on",
    "amount_paid",
    "reminders_sent",
    "discount_requested",
    "discount_given",
    "disputed",
    "source_key",
)

MEMBERS = [  # (username, first, last, role)
    ("ewa", "Ewa", "Zielińska", "owner"),
    ("piotr", "Piotr", "Mazur", "partner"),
    ("anna", "Anna", "Wójcik", "staff"),
    ("tomasz", "Tomasz", "Kaczmarek", "staff"),
    ("olga", "Olga", "Sidorova", "staff"),
    ("marek", "Marek", "Lewandowski", "staff"),
]
FIRST_NAMES = ["Jan", "Maria", "Krzysztof", "Agnieszka", "Andrzej", "Katarzyna", "Michał", "Ion", "Elena", "David"]
LAST_NAMES = ["Nowak", "Kowalski", "Wiśniewska", "Dąbrowski", "Popescu", "Ionescu", "Cohen", "Levi", "Smith", "Brown"]
NAME_WORDS = ["Alfa", "Bud", "Trans", "Med", "Agro", "Tech", "Dom", "Eko", "Inter", "Nova", "Stal", "Lux", "Pol"]
LEGAL = ["sp. z o.o.", "S.A.", "sp.k.", "SRL", "Ltd", "GmbH", "s.c."]


def client_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(name, domain) of each client; about one name in ten has a comma (quoted in the CSV)."""
    out = []
    for index in range(count):
        word = rng.choice(NAME_WORDS) + rng.choice(NAME_WORDS).lower()
        if rng.random() < 0.1:
            name = f"{rng.choice(LAST_NAMES)}, {rng.choice(LAST_NAMES)} i Wspólnicy {index:04d} sp.k."
        else:
            name = f"{word} {index:04d} {rng.choice(LEGAL)}"
        out.append((name, f"{word.lower()}{index:04d}.example"))
    return out


# -- generation (no Django) ------------------------------------------------------------------------


def write_invoices(path: Path, rows: int, clients: list[tuple[str, str]], seed: int) -> None:
    """``rows`` invoices in the generic columns, in date order, interleaved across clients."""
    rng = random.Random(seed)
    first = TODAY - dt.timedelta(days=DAYS)
    weights = [rng.lognormvariate(0, 0.6) for _ in clients]
    terms = [rng.choice([7, 14, 14, 30]) for _ in clients]
    trouble = [rng.uniform(0, 0.1) if rng.random() < 0.8 else rng.uniform(0.1, 0.6) for _ in clients]
    owners = rng.choices(range(len(clients)), weights=weights, k=rows)
    per_day = rows / DAYS
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(INVOICE_COLUMNS)
        for n, c in enumerate(owners):
            name, domain = clients[c]
            t = trouble[c]
            issued = first + dt.timedelta(days=int(n / per_day))
            due = issued + dt.timedelta(days=terms[c])
            amount = round(rng.lognormvariate(7.0, 0.8), 2)
            euro = rng.random() < 0.08
            r = rng.random()
            paid_on = amount_paid = ""
            if r < 0.05 + 0.2 * t:
                status = "open"
            elif r < 0.08 + 0.25 * t:
                status = "partial"
                amount_paid = f"{round(amount * rng.choice([0.25, 0.5]), 2):.2f}"
            else:
                status = "paid"
                late = rng.random() < 0.1 + 0.6 * t
                days = terms[c] + 1 + int(rng.expovariate(1 / (5 + 40 * t))) if late else rng.randrange(terms[c] + 1)
                day = issued + dt.timedelta(days=days)
                if day > TODAY:
                    status = "open"
                else:
                    paid_on, amount_paid = day.isoformat(), f"{amount:.2f}"
            days_late = ((dt.date.fromisoformat(paid_on) if paid_on else TODAY) - due).days
            discount = rng.random() < 0.02 + 0.2 * t
            out.writerow(
                (
                    name,
                    f"ksiegowosc@{domain}",
                    f"FV/{issued.year}/{n + 1:07d}",
                    issued.isoformat(),
                    due.isoformat(),
                    f"{amount:.2f}",
                    "EUR" if euro else "PLN",
                    f"{rng.uniform(4.2, 4.4):.4f}" if euro else "",
                    amount_paid,
                    paid_on,
                    status,
                    "yes" if discount else "no",
                    f"{amount * 0.05:.2f}" if discount and rng.random() < 0.5 else "0.00",
                    str(min(5, days_late // 14)) if days_late > 0 else "0",
                    "yes" if rng.random() < 0.005 + 0.05 * t else "no",
                )
            )


SUBJECTS = [
    "Faktura za {month}",
    "Dokumenty do księgowania",
    "Pytanie o VAT",
    "Lista płac — {month}",
    "Invoice {n}",
    "Documents for the annual accounts",
    "Re: meeting next week",
    "Bank statements",
]
BODIES = [
    "Dzień dobry,\n\nw załączeniu przesyłam dokumenty za ostatni miesiąc.\n\nPozdrawiam\n{name}\n",
    "Hello,\n\nplease find the documents attached. Let me know if anything is missing.\n\nBest regards,\n{name}\n",
    "Dzień dobry,\n\nczy mogą Państwo potwierdzić otrzymanie wyciągów?\n\nDziękuję,\n{name}\n",
    "Hi,\n\nthanks, that works for us. We will send the payroll changes by Friday.\n\n{name}\n",
    "Dzień dobry,\n\nznowu ten sam błąd w deklaracji! To jest nie do przyjęcia.\n\n{name}\n",
]
RUSSIAN = (
    "Здравствуйте,\n\nвысылаю документы за прошлый месяц. Подтвердите, пожалуйста, получение.\n\nС уважением,\n{name}\n"
)
RUSSIAN_SUBJECT = "Документы за {month}"
POLISH = "Dzień dobry,\n\nprzesyłam zestawienie kosztów. Proszę o informację, czy wszystko się zgadza.\n\n{name}\n"
POLISH_SUBJECT = "Zestawienie kosztów — {month}"


def _encoded_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{b64encode(text.encode(charset)).decode()}?="


def client_people(clients: list[tuple[str, str]], seed: int) -> list[tuple[str, str]]:
    """(name, address) of each client's contact person, the one who writes the mail."""
    rng = random.Random(seed + 2)
    return [
        (f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", f"{rng.choice(['biuro', 'kontakt', 'szef'])}@{domain}")
        for _name, domain in clients
    ]


def write_mbox(path: Path, messages: int, clients: list[tuple[str, str]], seed: int) -> None:
    """``messages`` small messages in one mbox, as Gmail Takeout writes them, in date order."""
    rng = random.Random(seed + 1)
    start = dt.datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=dt.UTC) - dt.timedelta(days=DAYS)
    step = DAYS * 86400 / max(messages, 1)
    people = client_people(clients, seed)
    recent: list[tuple[str, int]] = []  # (Message-ID, client) of recent messages, for replies
    with path.open("wb") as f:
        for n in range(messages):
            c = rng.randrange(len(clients))
            when = start + dt.timedelta(seconds=int(n * step + rng.randrange(60)))
            member = MEMBERS[rng.randrange(len(MEMBERS))]
            member_address = f"{member[0]}@{FIRM_DOMAIN}"
            member_name = f"{member[1]} {member[2]}"
            client_name, client_address = people[c]
            inbound = rng.random() < 0.6
            sender, recipient = (
                ((client_name, client_address), (member_name, member_address))
                if inbound
                else ((member_name, member_address), (client_name, client_address))
            )
            message_id = f"<{n:08d}.{rng.getrandbits(40):010x}@{'mail.gmail.com' if inbound else FIRM_DOMAIN}>"
            month = when.strftime("%m/%Y")
            r = rng.random()
            reply_to = ""
            if recent and rng.random() < 0.35:
                reply_to, _parent = recent[rng.randrange(len(recent))]
            if r < 0.01:
                charset, subject, body, declared = "windows-1251", RUSSIAN_SUBJECT, RUSSIAN, True
            elif r < 0.02:
                charset, subject, body, declared = "windows-1250", POLISH_SUBJECT, POLISH, True
            elif r < 0.025:
                charset, subject, body, declared = "windows-1251", RUSSIAN_SUBJECT, RUSSIAN, False
            else:
                charset, subject, body, declared = "utf-8", rng.choice(SUBJECTS), rng.choice(BODIES), True
            subject = subject.format(month=month, n=n)
            if reply_to:
                subject = "Re: " + subject.removeprefix("Re: ")
            text = body.format(name="Иван Петров" if charset == "windows-1251" else sender[0])
            if reply_to and charset == "utf-8":
                text += f"\n> {rng.choice(BODIES).format(name=recipient[0]).splitlines()[2]}\n"
            if charset == "utf-8" or not declared:
                subject_header = _encoded_word(subject, "utf-8") if not subject.isascii() else subject
                if not declared:
                    subject_header = "Dokumenty"  # the 8-bit text is in the body only
            else:
                subject_header = _encoded_word(subject, charset)
            headers = [
                f"X-GM-THRID: {rng.getrandbits(60)}",
                f"X-Gmail-Labels: {'Inbox,Opened' if inbound else 'Sent'}",
                f"Date: {email.utils.format_datetime(when.astimezone(dt.timezone(dt.timedelta(hours=1))))}",
                f"From: {_address(*sender)}",
                f"To: {_address(*recipient)}",
                f"Message-ID: {message_id}",
            ]
            if reply_to:
                headers += [f"In-Reply-To: {reply_to}", f"References: {reply_to}"]
            headers += [f"Subject: {subject_header}", "MIME-Version: 1.0"]
            if declared:
                headers.append(f'Content-Type: text/plain; charset="{charset}"')
            else:
                headers.append("Content-Type: text/plain")
            headers.append("Content-Transfer-Encoding: 8bit")
            postmark = f"From {rng.getrandbits(60)}@xxx {when.strftime('%a %b %d %H:%M:%S +0000 %Y')}\n"
            f.write(postmark.encode())
            f.write(("\n".join(headers) + "\n\n").encode("utf-8"))
            f.write(text.replace("\nFrom ", "\n>From ").encode(charset) + b"\n")
            recent.append((message_id, c))
            if len(recent) > 200:
                recent.pop(0)


def _address(name: str, address: str) -> str:
    if name.isascii():
        return f'"{name}" <{address}>'
    return f"{_encoded_word(name, 'utf-8')} <{address}>"


# -- the database (Django) -------------------------------------------------------------------------


def django_setup(data_dir: Path) -> None:
    os.environ["PARTING_DATA_DIR"] = str(data_dir)
    os.environ["PARTING_SECRET_KEY"] = "bench-only"  # noqa: S105
    os.environ.pop("PARTING_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parting.settings"
    import django

    django.setup()


def make_template(data_dir: Path, clients: list[tuple[str, str]], seed: int) -> None:
    """Migrate a new database and create the firm, its members and its clients, each with its contact
    person (who writes the mail) and its billing address (the invoices' client_email)."""
    django_setup(data_dir)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from parting.clients.models import Client, Contact
    from parting.firms.models import Membership
    from parting.firms.services import firm_create

    call_command("migrate", interactive=False, verbosity=0)
    people = client_people(clients, seed)
    with transaction.atomic():
        firm = firm_create(
            name="Biuro Rachunkowe Bench",
            slug="bench",
            time_zone=TIME_ZONE,
            currency="PLN",
            working_hours=[(weekday, dt.time(9), dt.time(17)) for weekday in range(5)],
            email=f"biuro@{FIRM_DOMAIN}",
        )
        users = []
        for username, first, last, role in MEMBERS:
            user = get_user_model().objects.create(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{FIRM_DOMAIN}",
                password="!",  # noqa: S106
            )
            Membership.objects.create(user=user, firm=firm, role=role)
            users.append(user)
        made = Client.objects.bulk_create(
            [
                Client(firm=firm, name=name, email_domains=domain, assigned_to=users[2 + n % 4])
                for n, (name, domain) in enumerate(clients)
            ],
            batch_size=1000,
        )
        contacts = []
        for client, (person, address), (_name, domain) in zip(made, people, clients, strict=True):
            contacts.append(Contact(client=client, name=person, email=address, language="pl"))
            contacts.append(Contact(client=client, name="Księgowość", email=f"ksiegowosc@{domain}", is_primary=False))
        Contact.objects.bulk_create(contacts, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def prepare(data: Path, args) -> None:
    """The files and the template database in ``data``, unless they are there for these sizes."""
    stamp = {"rows": args.rows, "messages": args.messages, "clients": args.clients, "seed": args.seed, "v": 1}
    stamp_file = data / "stamp.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return
    data.mkdir(parents=True, exist_ok=True)
    stamp_file.unlink(missing_ok=True)
    clients = client_names(args.clients, random.Random(args.seed))
    started = time.perf_counter()
    write_invoices(data / "invoices.csv", args.rows, clients, args.seed)
    write_mbox(data / "mail.mbox", args.messages, clients, args.seed)
    for name in ("template.sqlite3", "template.sqlite3-wal", "template.sqlite3-shm"):
        (data / name).unlink(missing_ok=True)
    build = data / "build"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir()
    child(data, args, "--phase", "template")
    for suffix in ("-wal", "-shm"):
        Path(f"{build / 'parting.sqlite3'}{suffix}").unlink(missing_ok=True)
    (build / "parting.sqlite3").rename(data / "template.sqlite3")
    shutil.rmtree(build, ignore_errors=True)
    stamp_file.write_text(json.dumps(stamp))
    print(f"prepared {data} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# -- the parts (each in a process of its own) ------------------------------------------------------


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_part(part: str, data: Path, args) -> dict:
    """Run one part on a fresh copy of the template database; returns its figures."""
    work = Path(tempfile.mkdtemp(prefix="parting-import-bench-"))
    try:
        shutil.copyfile(data / "template.sqlite3", work / "parting.sqlite3")
        django_setup(work)
        from django.contrib.auth import get_user_model

        from parting.firms.models import Firm

        firm = Firm.objects.get(slug="bench")
        owner = get_user_model().objects.get(username=MEMBERS[0][0])
        if args.cache_mb:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{args.cache_mb * 1024}")
        rss_start = max_rss_mb()
        profiler = None
        if args.tracemalloc:
            import tracemalloc

            tracemalloc.start()
        if args.profile == part:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        figures = {"csv": part_csv, "floor": part_floor, "floor_payments": part_floor_payments, "mail": part_mail}[
            part
        ](firm, owner, data)
        figures["seconds"] = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            import pstats

            stats = pstats.Stats(profiler, stream=sys.stderr)
            print(f"\n--- cProfile of {part}: top 30 by own time ---", file=sys.stderr)
            stats.sort_stats("tottime").print_stats(30)
            print(f"--- cProfile of {part}: top 30 by cumulative time ---", file=sys.stderr)
            stats.sort_stats("cumulative").print_stats(30)
        if args.digest and part == "csv":
            figures["digest"] = table_digest(firm)
        if args.tracemalloc:
            import tracemalloc

            figures["tracemalloc_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        figures.update(part=part, rss_start_mb=rss_start, rss_peak_mb=max_rss_mb())
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table_digest(firm) -> str:
    """A SHA-256 of what the invoice import wrote (invoices and their payments, ids aside), so that a
    faster loader can be shown to write exactly what the slower one did."""
    import hashlib

    from django.db import connection

    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.number, i.client_id, i.issued_on, i.due_on, CAST(i.amount AS TEXT), i.currency,"
            " CAST(i.fx_rate AS TEXT), i.paid_on, CAST(i.amount_paid AS TEXT), i.reminders_sent,"
            " i.discount_requested, CAST(i.discount_given AS TEXT), i.disputed, i.source_key,"
            " p.paid_on, CAST(p.amount AS TEXT), p.method, p.reference, p.origin, p.client_id"
            " FROM evidence_invoice i LEFT JOIN evidence_payment p ON p.invoice_id = i.id"
            " WHERE i.firm_id = %s ORDER BY i.number, p.paid_on, p.amount",
            [firm.pk],
        )
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                digest.update(repr(row).encode())
    return digest.hexdigest()


def part_csv(firm, owner, data: Path) -> dict:
    from parting.evidence.models import Invoice, Payment
    from parting.imports.services import run_import

    result = run_import(firm=firm, by=owner, kind="invoices", paths=[data / "invoices.csv"])
    counts = result.run.counts.get("counts", {})
    return {
        "rows": Invoice.objects.filter(firm=firm).count(),
        "payments": Payment.objects.filter(firm=firm).count(),
        "problems": result.problems.count,
        "first_problems": result.problems.summary()[:5],
        "counts": counts,
    }


def part_floor(firm, owner, data: Path) -> dict:
    """The least an import must do: csv.reader over the file, a dict for the client, executemany into
    the invoice table in one transaction. Values go in as the file writes them (ISO dates and plain
    amounts are what SQLite stores); the yes/no columns become booleans."""
    from django.db import connection, transaction

    from parting.clients.models import Client
    from parting.evidence.models import Invoice

    ids = dict(Client.objects.filter(firm=firm).values_list("name", "id"))
    firm_id = firm.id
    sql = f"INSERT INTO evidence_invoice ({', '.join(FLOOR_COLUMNS)}) VALUES ({', '.join(['?'] * len(FLOOR_COLUMNS))})"

    def rows():
        with (data / "invoices.csv").open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            at = {name: i for i, name in enumerate(next(reader))}
            client, number, issued, due, amount, currency, fx, paid, paid_on, asked, given, reminders, disputed = (
                at[c]
                for c in (
                    "client",
                    "number",
                    "issued_on",
                    "due_on",
                    "amount",
                    "currency",
                    "fx_rate",
                    "amount_paid",
                    "paid_on",
                    "discount_requested",
                    "discount_given",
                    "reminders_sent",
                    "disputed",
                )
            )
            for r in reader:
                yield (
                    firm_id,
                    ids[r[client]],
                    r[number],
                    r[issued],
                    r[due],
                    r[amount],
                    r[currency],
                    r[fx] or "1",
                    r[paid_on] or None,
                    r[paid] or "0",
                    int(r[reminders] or 0),
                    r[asked] == "yes",
                    r[given] or "0",
                    r[disputed] == "yes",
                    "",
                )

    # The DB-API cursor of Django's connection: Django's own executemany (5.2) tees its parameters to
    # peek at the first, which keeps every row in memory until the call returns.
    with transaction.atomic():
        connection.ensure_connection()
        connection.connection.cursor().executemany(sql, rows())
    return {"rows": Invoice.objects.filter(firm=firm).count(), "problems": 0}


def part_floor_payments(firm, owner, data: Path) -> dict:
    """An informational second floor: the first, plus the payment row the import writes for each
    invoice the file says was paid (its amount paid, on its payment day or else its due day), the
    invoice found by its number — the rows an import of this file must write. Chunks of 20,000."""
    from django.db import connection, transaction

    from parting.clients.models import Client
    from parting.evidence.models import Invoice, Payment

    ids = dict(Client.objects.filter(firm=firm).values_list("name", "id"))
    firm_id = firm.id
    invoice_sql = (
        f"INSERT INTO evidence_invoice ({', '.join(FLOOR_COLUMNS)}) VALUES ({', '.join(['?'] * len(FLOOR_COLUMNS))})"
    )
    payment_sql = (
        "INSERT INTO evidence_payment (firm_id, client_id, invoice_id, paid_on, amount, method, reference, origin)"
        " VALUES (?, ?, (SELECT id FROM evidence_invoice WHERE firm_id = ? AND number = ?), ?, ?, '', '', 'invoice')"
    )
    with transaction.atomic():
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        with (data / "invoices.csv").open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            at = {name: i for i, name in enumerate(next(reader))}
            invoices, payments = [], []
            for r in reader:
                client_id = ids[r[at["client"]]]
                invoices.append(
                    (
                        firm_id,
                        client_id,
                        r[at["number"]],
                        r[at["issued_on"]],
                        r[at["due_on"]],
                        r[at["amount"]],
                        r[at["currency"]],
                        r[at["fx_rate"]] or "1",
                        r[at["paid_on"]] or None,
                        r[at["amount_paid"]] or "0",
                        int(r[at["reminders_sent"]] or 0),
                        r[at["discount_requested"]] == "yes",
                        r[at["discount_given"]] or "0",
                        r[at["disputed"]] == "yes",
                        "",
                    )
                )
                if r[at["amount_paid"]]:
                    day = r[at["paid_on"]] or r[at["due_on"]]
                    payments.append((firm_id, client_id, firm_id, r[at["number"]], day, r[at["amount_paid"]]))
                if len(invoices) == 20_000:
                    cursor.executemany(invoice_sql, invoices)
                    cursor.executemany(payment_sql, payments)
                    invoices, payments = [], []
            cursor.executemany(invoice_sql, invoices)
            cursor.executemany(payment_sql, payments)
    return {
        "rows": Invoice.objects.filter(firm=firm).count(),
        "payments": Payment.objects.filter(firm=firm).count(),
        "problems": 0,
    }


def part_mail(firm, owner, data: Path) -> dict:
    from parting.evidence.models import Message
    from parting.imports.services import run_import

    result = run_import(firm=firm, by=owner, kind="mail", paths=[data / "mail.mbox"])
    return {
        "rows": Message.objects.filter(firm=firm).count(),
        "replies": Message.objects.filter(firm=firm, in_reply_to__isnull=False).count(),
        "problems": result.problems.count,
        "first_problems": result.problems.summary()[:5],
        "counts": result.run.counts.get("counts", {}),
    }


# -- the parent ------------------------------------------------------------------------------------


def common_args(args) -> list[str]:
    out = ["--rows", str(args.rows), "--messages", str(args.messages), "--clients", str(args.clients)]
    out += ["--seed", str(args.seed)]
    if args.tracemalloc:
        out.append("--tracemalloc")
    if args.digest:
        out.append("--digest")
    if args.cache_mb:
        out += ["--cache-mb", str(args.cache_mb)]
    if args.profile:
        out += ["--profile", args.profile]
    return out


def child(data: Path, args, *extra: str) -> dict | None:
    """Run this script again as a child process (its own ru_maxrss: Linux carries a parent's resident
    size over into a child's, so the parent stays small and never loads Django)."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--data", str(data), *common_args(args), *extra],
        check=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"the child {' '.join(extra)} failed (exit status {result.returncode})")
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(data: Path, args, results: dict[str, dict]) -> None:
    csv_mb = (data / "invoices.csv").stat().st_size / 2**20
    mbox_mb = (data / "mail.mbox").stat().st_size / 2**20
    print(
        f"invoices.csv: {args.rows:,} rows, {csv_mb:.1f} MiB · mail.mbox: {args.messages:,} messages, "
        f"{mbox_mb:.1f} MiB · {args.clients:,} clients · SQLite {sqlite3.sqlite_version} · "
        f"Python {sys.version.split()[0]} · {os.cpu_count()} CPUs"
    )
    print(f"{'part':<28} {'wall s':>8} {'rows/s':>10} {'peak RSS MiB':>13} {'(at start)':>11}", end="")
    print(f" {'tracemalloc MiB':>16}" if args.tracemalloc else "")
    labels = {
        "floor": "floor (csv + executemany)",
        "floor_payments": "floor + payment rows",
        "csv": "invoices: run_import",
        "mail": "mail: run_import",
    }
    for part in ("floor", "floor_payments", "csv", "mail"):
        r = results.get(part)
        if not r:
            continue
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        line = f"{labels[part]:<28} {r['seconds']:>8.2f} {rate:>10,.0f} {r['rss_peak_mb']:>13.0f} {r['rss_start_mb']:>11.0f}"
        if args.tracemalloc:
            line += f" {r.get('tracemalloc_mb', 0):>16.1f}"
        print(line)
    for part in ("csv", "mail"):
        r = results.get(part)
        if not r:
            continue
        extra = f", {r['payments']:,} payments" if "payments" in r else f", {r.get('replies', 0):,} linked replies"
        print(f"  {part}: {r['rows']:,} rows written{extra}, {r['problems']} problems; counts {r['counts']}")
        if r.get("digest"):
            print(f"  {part}: SHA-256 of the invoices and payments written: {r['digest']}")
        for problem in r.get("first_problems", []):
            print(f"    {problem}")
    imported, floor = results.get("csv"), results.get("floor")
    if imported:
        rate = imported["rows"] / imported["seconds"]
        print(f"invoice rows per second ≥ {TARGET_ROWS_PER_SECOND:,}: {verdict(rate >= TARGET_ROWS_PER_SECOND)}")
        peak = imported["rss_peak_mb"]
        print(f"peak memory of the invoice import < {TARGET_MEMORY_MB} MB: {verdict(peak < TARGET_MEMORY_MB)}")
    if imported and floor:
        ratio = imported["seconds"] / floor["seconds"]
        print(f"import ÷ floor = {ratio:.2f}× (target ≤ {TARGET_RATIO:g}×): {verdict(ratio <= TARGET_RATIO)}")
    if imported and results.get("floor_payments"):
        ratio = imported["seconds"] / results["floor_payments"]["seconds"]
        print(f"import ÷ floor with payment rows = {ratio:.2f}× (informational)")
    mail = results.get("mail")
    if mail:
        print(
            f"peak memory of the mail import < {TARGET_MEMORY_MB} MB: {verdict(mail['rss_peak_mb'] < TARGET_MEMORY_MB)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoice rows in the CSV (default 1,000,000)")
    parser.add_argument("--messages", type=int, default=100_000, help="messages in the mbox (default 100,000)")
    parser.add_argument("--clients", type=int, default=2000, help="clients of the firm (default 2,000)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--only", choices=["csv", "mail", "floor", "floor_payments"], help="run this part only, in this process"
    )
    parser.add_argument(
        "--data", help="keep the generated files and template database here (reused when the sizes match)"
    )
    parser.add_argument("--prepare", action="store_true", help="only generate the files and the template database")
    parser.add_argument(
        "--profile", choices=["csv", "mail", "floor", "floor_payments"], help="print a cProfile of this part (stderr)"
    )
    parser.add_argument("--tracemalloc", action="store_true", help="also measure tracemalloc's peak (slower)")
    parser.add_argument(
        "--digest", action="store_true", help="print a SHA-256 of the invoices and payments the import wrote"
    )
    parser.add_argument(
        "--cache-mb", type=int, default=0, help="SQLite page cache for every part, in MiB (default: SQLite's 2 MiB)"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a child: print figures as JSON
    parser.add_argument("--phase", choices=["template"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    data = Path(args.data) if args.data else None
    if args.phase == "template":
        make_template(data / "build", client_names(args.clients, random.Random(args.seed)), args.seed)
        return
    owned = data is None
    data = data or Path(tempfile.mkdtemp(prefix="parting-import-data-"))
    try:
        prepare(data, args)
        if args.prepare:
            return
        if args.only:
            figures = run_part(args.only, data, args)
            if args.json:
                print(json.dumps(figures))
            else:
                report(data, args, {args.only: figures})
            return
        results = {}
        parts = ["floor", "floor_payments", "csv"] + (["mail"] if args.messages else [])
        for part in parts:
            print(f"running {part} …", file=sys.stderr, flush=True)
            results[part] = child(data, args, "--only", part, "--json")
        report(data, args, results)
    finally:
        if owned:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
