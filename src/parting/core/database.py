"""Bring the database up to date before a command uses it.

A fresh data directory has an empty SQLite file; `parting firm create` on it must not end in
"no such table: auth_user". Every product command that reads or writes calls :func:`database_ready`
first: it applies the migrations still missing (there is nothing to do on a database already up to
date, which costs one query) and says so on stderr, so a command's own output stays clean.
"""

from __future__ import annotations

import sys

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def missing_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def database_ready(err=None, alias: str = DEFAULT_DB_ALIAS) -> int:
    """Apply missing migrations; returns how many were applied."""
    missing = missing_migrations(alias)
    if missing:
        (err or sys.stderr).write(f"Bringing the database up to date ({len(missing)} migrations)…\n")
        call_command("migrate", interactive=False, verbosity=0, database=alias)
    return len(missing)


def database_required(alias: str = DEFAULT_DB_ALIAS) -> None:
    """For long-running processes (the worker), of which several may start at once: they never
    migrate on their own, they say in one line what to run."""
    from django.core.management.base import CommandError

    missing = missing_migrations(alias)
    if missing:
        raise CommandError(
            f"The database is not up to date ({len(missing)} migrations missing): run `parting migrate`."
        )
