"""Backup and restore (issue 13 §6): one ZIP archive with a manifest, and a restore that keeps purges.

**The archive** holds, in this order of copying:

1. ``audit/audit_journal`` — the audit journal, copied *before* the database, so every hash it names
   is an entry the database copy holds;
2. ``database/parting.sqlite3`` (SQLite's online backup API: a consistent copy while the web server
   and worker write) or ``database/parting.pgdump`` (``pg_dump`` custom format; the connection
   settings go in environment variables and argument lists, never through a shell);
3. ``documents/<name>`` — every file in the ``documents`` storage, read through Django's storage API;
4. ``audit/audit_key`` only when asked (``--include-audit-key``): whoever holds the key can recompute
   the chain after editing the database, which is what keeping it outside the database prevents. A
   backup usually sits beside the database (same disk, same bucket, same people), so by default the
   key is left out and must be kept safe separately;
5. ``manifest.json`` — every member's size and SHA-256, Parting's version, the migrations applied,
   the time, the database vendor and its tables.

**A restore** checks every member against the manifest before touching anything (an altered,
missing or added member is refused by name), refuses a backup from a newer schema or another vendor,
then puts back the database (SQLite: the backup API again, into the live file, so open connections
see the new contents and no WAL is left mismatched; PostgreSQL: ``pg_restore --clean`` in one
transaction), applies missing migrations, makes the documents storage hold exactly the backup's
files, reconciles the audit journal (``audit.services.audit_after_restore``) and re-applies every
purge the purge journal (``journal.py``) records that the restored database does not show: erased
data stays erased.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import parting

FORMAT = "parting-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
JOURNAL_MEMBER = "audit/audit_journal"
KEY_MEMBER = "audit/audit_key"
SQLITE_MEMBER = "database/parting.sqlite3"
PG_MEMBER = "database/parting.pgdump"
DOCUMENTS = "documents/"
CHUNK = 1024 * 1024
# A stored name as the documents storage makes them: relative, no "..", no backslashes or control characters.
SAFE_NAME = re.compile(r"^[A-Za-z0-9._\-]+(/[A-Za-z0-9._\-]+)*$")


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says what and where (which file, which member)."""


@dataclass
class Restored:
    manifest: dict
    files: int = 0
    files_removed: int = 0
    audit_lost: dict[int, int] = field(default_factory=dict)  # firm id → entries the restore dropped
    key_installed: bool = False
    reapplied: list[str] = field(default_factory=list)  # "client:7 (P-…)" per purge re-applied
    journal_unreadable: list[int] = field(default_factory=list)


# -- making a backup -----------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations(alias: str) -> dict[str, str]:
    """Each app's latest applied migration (names are numbered, so the greatest is the latest)."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's variables for the configured database: the password never appears in an argument list
    (where ``ps`` shows it) or a shell string."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for variable, key in (
        ("PGSSLMODE", "sslmode"),
        ("PGSSLROOTCERT", "sslrootcert"),
        ("PGAPPNAME", "application_name"),
    ):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run(args: list[str], *, env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (no shell)
    except FileNotFoundError:
        raise BackupError(f"{what}: {args[0]} is not installed (install the PostgreSQL client tools)") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what}: {args[0]} failed: {' / '.join(message[-3:]) or f'exit {done.returncode}'}")


def _copy_sqlite(alias: str, target: Path) -> None:
    """SQLite's online backup API from a connection of its own: one step, so the copy is one consistent
    moment even while other connections write (they wait on busy_timeout, as for any writer)."""
    name = connections[alias].settings_dict["NAME"]
    source = sqlite3.connect(str(name), timeout=60)
    try:
        destination = sqlite3.connect(str(target))
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _dump_postgresql(alias: str, target: Path) -> None:
    settings_dict = connections[alias].settings_dict
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            f"--dbname={settings_dict['NAME']}",
        ],
        env=_pg_environment(settings_dict),
        what="backup of the PostgreSQL database",
    )


def _storage_names(storage, folder: str = "") -> list[str]:
    """Every file in a storage, by its stored name, through the storage API (filesystem or bucket)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += _storage_names(storage, f"{folder}/{sub}" if folder else sub)
    return sorted(names)


class _Writer:
    """Adds members to the archive, hashing each as it is written."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.members: list[dict] = []

    def add_stream(self, name: str, handle) -> None:
        digest, size = hashlib.sha256(), 0
        with self.archive.open(name, "w", force_zip64=True) as out:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self.members.append({"name": name, "size": size, "sha256": digest.hexdigest()})

    def add_file(self, name: str, path: Path) -> None:
        with path.open("rb") as handle:
            self.add_stream(name, handle)

    def add_bytes(self, name: str, data: bytes) -> None:
        self.archive.writestr(name, data)
        self.members.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})


def backup_create(*, output: Path, include_key: bool = False, alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the archive to ``output`` (through a temporary name beside it, moved into place when whole)
    and return its manifest."""
    from parting.audit.keys import AuditKeyError, audit_key, journal_path

    output = Path(output)
    if output.exists() and output.is_dir():
        raise BackupError(f"-o {output}: this is a folder; give the archive's file name, e.g. {output}/parting.zip")
    if not output.parent.is_dir():
        raise BackupError(f"-o {output}: the folder {output.parent} does not exist")
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"the database is {vendor}: only SQLite and PostgreSQL can be backed up")
    created_at = timezone.now()
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(prefix="parting-backup-", dir=output.parent) as work:
        work = Path(work)
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                writer = _Writer(archive)
                # 1. The journal before the database: every line names an entry the copy holds.
                journal = journal_path()
                writer.add_bytes(JOURNAL_MEMBER, journal.read_bytes() if journal.exists() else b"")
                # 2. The database.
                if vendor == "sqlite":
                    copy = work / "parting.sqlite3"
                    _copy_sqlite(alias, copy)
                    writer.add_file(SQLITE_MEMBER, copy)
                else:
                    copy = work / "parting.pgdump"
                    _dump_postgresql(alias, copy)
                    writer.add_file(PG_MEMBER, copy)
                migrations = _applied_migrations(alias)
                with connection.cursor() as cursor:
                    tables = sorted(connection.introspection.table_names(cursor))
                # 3. The stored documents.
                storage = storages["documents"]
                for name in _storage_names(storage):
                    with storage.open(name, "rb") as handle:
                        writer.add_stream(DOCUMENTS + name, handle)
                # 4. The audit key, only when asked.
                if include_key:
                    try:
                        key = audit_key(create=False)
                    except AuditKeyError as error:
                        raise BackupError(f"--include-audit-key: {error}") from None
                    writer.add_bytes(KEY_MEMBER, (key.hex() + "\n").encode())
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "parting_version": parting.__version__,
                    "created_at": created_at.isoformat(),
                    "database": {"vendor": vendor, "tables": tables},
                    "migrations": migrations,
                    "includes_audit_key": include_key,
                    "members": writer.members,
                }
                archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, output)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
    return manifest


# -- checking a backup ---------------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{path}: not a Parting backup (not a readable ZIP archive: {error})") from None


def _member_name_problem(name: str) -> str:
    if name in (JOURNAL_MEMBER, KEY_MEMBER, SQLITE_MEMBER, PG_MEMBER):
        return ""
    if name.startswith(DOCUMENTS):
        stored = name[len(DOCUMENTS) :]
        if SAFE_NAME.match(stored) and ".." not in PurePosixPath(stored).parts:
            return ""
        return "a document's name that is not a stored name (a path outside the storage?)"
    return "not a member a Parting backup has"


def backup_verify(path: Path) -> dict:
    """The manifest, once every member has been read and matches it. Raises :class:`BackupError` naming
    the file and the member: a member altered (size or SHA-256), missing, or not in the manifest."""
    path = Path(path)
    with _open(path) as archive:
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except KeyError:
            raise BackupError(f"{path}: not a Parting backup (it has no {MANIFEST})") from None
        except (ValueError, zipfile.BadZipFile, OSError) as error:
            raise BackupError(f"{path}: member {MANIFEST} cannot be read: {error}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"{path}: {MANIFEST} is not a Parting backup's manifest")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{path}: {MANIFEST}: backup format {manifest.get('format_version')!r}; "
                f"this version of Parting reads format {FORMAT_VERSION}"
            )
        members = manifest.get("members")
        try:
            listed = {m["name"]: (int(m["size"]), str(m["sha256"])) for m in members}
        except (TypeError, KeyError, ValueError):
            raise BackupError(f"{path}: {MANIFEST}: the list of members is malformed") from None
        for needed in ("created_at", "database", "migrations"):
            if needed not in manifest:
                raise BackupError(f"{path}: {MANIFEST}: {needed!r} is missing")
        present = [info.filename for info in archive.infolist() if not info.is_dir()]
        if len(present) != len(set(present)):
            raise BackupError(f"{path}: a member appears twice in the archive: it was altered")
        for name in present:
            if name != MANIFEST and name not in listed:
                raise BackupError(f"{path}: member {name} is not in the manifest: the archive was altered")
        for name, (size, expected) in listed.items():
            problem = _member_name_problem(name)
            if problem:
                raise BackupError(f"{path}: member {name}: {problem}")
            if name not in present:
                raise BackupError(f"{path}: member {name} is listed in the manifest but missing from the archive")
            digest, read = hashlib.sha256(), 0
            try:
                with archive.open(name) as handle:
                    for chunk in iter(lambda handle=handle: handle.read(CHUNK), b""):
                        digest.update(chunk)
                        read += len(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
                raise BackupError(f"{path}: member {name} cannot be read ({error}): the archive is damaged") from None
            if read != size or digest.hexdigest() != expected:
                raise BackupError(
                    f"{path}: member {name} does not match the manifest (size {read}, expected {size}; "
                    f"SHA-256 {digest.hexdigest()[:12]}…, expected {expected[:12]}…): it was altered or damaged"
                )
        database = manifest["database"] if isinstance(manifest["database"], dict) else {}
        member = {"sqlite": SQLITE_MEMBER, "postgresql": PG_MEMBER}.get(database.get("vendor"))
        if member is None or member not in listed:
            raise BackupError(f"{path}: {MANIFEST}: no database of a known vendor ({database.get('vendor')!r})")
    return manifest


def schema_problem(manifest: dict, alias: str = DEFAULT_DB_ALIAS) -> str:
    """Why this installation cannot take the backup's schema, or "": a migration the backup's database
    had that this version of Parting does not know means the backup comes from a newer version."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    migrations = manifest.get("migrations")
    if not isinstance(migrations, dict):
        return f"{MANIFEST}: 'migrations' is malformed"
    unknown = sorted(f"{app}.{name}" for app, name in migrations.items() if (app, name) not in known)
    if unknown:
        return (
            f"the backup was made by a newer version of Parting ({manifest.get('parting_version', '?')}, "
            f"this is {parting.__version__}): its database has migration(s) this version does not know "
            f"({', '.join(unknown[:5])}). Upgrade Parting, then restore."
        )
    vendor = manifest["database"].get("vendor")
    if vendor != connections[alias].vendor:
        return (
            f"the backup holds a {vendor} database and Parting is configured for {connections[alias].vendor}: "
            "restore it into the same kind of database (PARTING_DATABASE_URL)"
        )
    return ""


# -- restoring -----------------------------------------------------------------------------------


def _extract(archive: zipfile.ZipFile, name: str, target: Path, expected: str) -> None:
    """Copy a member to ``target`` and check it again: the archive could change between check and use."""
    digest = hashlib.sha256()
    with archive.open(name) as source, target.open("wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != expected:
        raise BackupError(f"member {name} changed while it was being restored")


def _restore_sqlite(copy: Path, alias: str) -> None:
    check = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"member {SQLITE_MEMBER}: not a SQLite database ({error})") from None
    finally:
        check.close()
    if result != "ok":
        raise BackupError(f"member {SQLITE_MEMBER}: the database copy is damaged ({result})")
    connections[alias].close()
    name = Path(connections[alias].settings_dict["NAME"])
    name.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(copy))
    try:
        # Into the live file through SQLite itself, under its write lock: the web server's and worker's
        # connections see the old contents or the new, never a mix, and the WAL stays theirs.
        destination = sqlite3.connect(str(name), timeout=60)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _restore_postgresql(copy: Path, manifest: dict, alias: str) -> None:
    connection = connections[alias]
    # Tables the backup does not have (made by migrations applied after it) would stop `migrate` from
    # creating them again: they go first. --clean drops and recreates the others.
    with connection.cursor() as cursor:
        current = set(connection.introspection.table_names(cursor))
    extra = sorted(current - set(manifest["database"].get("tables", [])))
    if extra:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for table in extra:
                cursor.execute(
                    f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE"
                )  # names from the schema
    connections.close_all()
    settings_dict = connection.settings_dict
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings_dict['NAME']}",
            str(copy),
        ],
        env=_pg_environment(settings_dict),
        what="restore of the PostgreSQL database",
    )


def _restore_documents(archive: zipfile.ZipFile, listed: dict[str, str], result: Restored) -> None:
    """Make the documents storage hold exactly the backup's files: files stored since the backup belong
    to rows the restore took away (kept, they would be personal data no row points to, never purged)."""
    storage = storages["documents"]
    wanted = {name[len(DOCUMENTS) :]: name for name in listed if name.startswith(DOCUMENTS)}
    for name in _storage_names(storage):
        if name not in wanted:
            storage.delete(name)
            result.files_removed += 1
    for stored, member in wanted.items():
        if storage.exists(stored):
            storage.delete(stored)
        digest = hashlib.sha256()
        with archive.open(member) as source:
            saved = storage.save(stored, File(source, name=stored))
        with storage.open(saved, "rb") as handle:
            for chunk in iter(lambda handle=handle: handle.read(CHUNK), b""):
                digest.update(chunk)
        if saved != stored or digest.hexdigest() != listed[member]:
            raise BackupError(f"member {member}: the storage kept it as {saved} or altered it")
        result.files += 1


def purges_reapply(*, now: dt.datetime | None = None) -> tuple[list[str], list[int]]:
    """O5 after a restore: every purge the purge journal records that the database does not show is done
    again, by the same service (``purge_client``). A category already purged in the database is left
    alone; one the restored database still holds — or has not even scheduled, when the backup predates
    the case's end — is scheduled for the day it was purged and purged now, under the journal's
    reference. The client's case ends in ``purged`` whatever state the backup held it in (notified,
    winding down …): the journal proves the purge, and a purge only ever follows the case's end
    (``services._cases_to_purged``, with a ``case.purged`` history entry marked ``reapplied``).
    Returns "client:<id> (<ref>)" for each client purged again, and the journal's unreadable lines."""
    from parting.clients.models import Client
    from parting.firms.models import Firm

    from .journal import purge_journal_read
    from .models import PurgeSchedule, Tombstone
    from .services import _day, purge_client

    now = now or timezone.now()
    purges, unreadable = purge_journal_read()
    done = []
    for purge in purges:
        firm = Firm.objects.filter(pk=purge.firm_id).first()
        client = Client.objects.filter(pk=purge.client_id, firm_id=purge.firm_id).first() if firm else None
        if client is None:
            continue  # the backup predates the client: nothing of theirs came back
        purged = set(
            PurgeSchedule.objects.filter(client=client, state=PurgeSchedule.State.PURGED).values_list(
                "category", flat=True
            )
        )
        missing = {category: at for category, at in purge.categories.items() if category not in purged}
        if not missing:
            continue
        today = _day(firm, now)
        with transaction.atomic():
            if not Tombstone.objects.filter(client=client).exists():
                known = {"reference": purge.reference} if purge.reference else {}
                Tombstone.objects.create(client=client, firm_id=firm.pk, **known)
            for category, at in missing.items():
                due = min(_day(firm, at), today)
                row = PurgeSchedule.objects.select_for_update().filter(client=client, category=category).first()
                if row is None:
                    PurgeSchedule.objects.create(firm_id=firm.pk, client=client, category=category, due_on=due)
                elif row.due_on > due:
                    PurgeSchedule.objects.filter(pk=row.pk).update(due_on=due)
            # Only the journal's categories: another category still scheduled for later stays so.
            later = PurgeSchedule.objects.filter(
                client=client, state=PurgeSchedule.State.SCHEDULED, due_on__lte=today
            ).exclude(category__in=list(missing))
            held = {row.pk: row.due_on for row in later}
            if held:
                later.update(due_on=today + dt.timedelta(days=1))
            result = purge_client(firm, client.pk, now=now, reapplied=True)
            for pk, due_on in held.items():
                PurgeSchedule.objects.filter(pk=pk).update(due_on=due_on)
        if result is not None:
            done.append(f"client:{client.pk} ({result.reference})")
    return done, unreadable


def backup_restore(path: Path, *, alias: str = DEFAULT_DB_ALIAS) -> Restored:
    """Restore a checked archive (see the module's docstring for the steps). Raises :class:`BackupError`
    before changing anything when the archive or its schema is refused."""
    from parting.audit.keys import key_install
    from parting.audit.services import audit_after_restore
    from parting.core.database import database_ready

    path = Path(path)
    manifest = backup_verify(path)
    problem = schema_problem(manifest, alias)
    if problem:
        raise BackupError(f"{path}: {problem}")
    result = Restored(manifest=manifest)
    listed = {m["name"]: m["sha256"] for m in manifest["members"]}
    archive_sha256 = _sha256_file(path)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    scratch = Path(settings.DATA_DIR)
    scratch.mkdir(parents=True, exist_ok=True)
    with _open(path) as archive, tempfile.TemporaryDirectory(prefix="parting-restore-", dir=scratch) as work:
        work = Path(work)
        vendor = manifest["database"]["vendor"]
        if vendor == "sqlite":
            copy = work / "parting.sqlite3"
            _extract(archive, SQLITE_MEMBER, copy, listed[SQLITE_MEMBER])
            _restore_sqlite(copy, alias)
        else:
            copy = work / "parting.pgdump"
            _extract(archive, PG_MEMBER, copy, listed[PG_MEMBER])
            _restore_postgresql(copy, manifest, alias)
        database_ready(io.StringIO(), alias)  # a backup from an older version: its missing migrations
        _restore_documents(archive, listed, result)
        if KEY_MEMBER in listed:
            result.key_installed = key_install(archive.read(KEY_MEMBER))
        journal = archive.read(JOURNAL_MEMBER) if JOURNAL_MEMBER in listed else b""
    notes = audit_after_restore(
        backup_journal=journal, taken_at=manifest["created_at"], archive_sha256=archive_sha256, stamp=stamp
    )
    result.audit_lost = {note.firm_id: len(note.lost) for note in notes if note.lost}
    result.reapplied, result.journal_unreadable = purges_reapply()
    return result
