"""Which reader reads which kind of file (the readers live in parting.imports.readers)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.utils.functional import Promise

# kind → (module, function) of its reader; imported when first used.
READERS: dict[str, tuple[str, str]] = {
    "invoices": ("money", "read_invoices"),
    "payments": ("money", "read_payments"),
    "clients": ("clients", "read"),
    "contacts": ("clients", "read_contacts"),
    "calendar": ("calendar", "read"),
    "mail": ("mail", "read"),
    "time": ("timesheets", "read"),
    "meetings": ("generic", "read_meetings"),
    "messages": ("generic", "read_messages"),
    "requests": ("generic", "read_requests"),
    "incidents": ("generic", "read_incidents"),
}
KINDS = (*READERS, "archive")
PRESET_MODULES = {"invoices": "money", "payments": "money", "time": "timesheets", "clients": "clients"}


def reader(kind: str) -> Callable:
    module, function = READERS[kind]
    return getattr(importlib.import_module(f"parting.imports.readers.{module}"), function)


def mail_path_reader() -> Callable:
    """Mail from a folder: a maildir, Apple Mail's exported ``Name.mbox`` folder, or .eml files."""
    return importlib.import_module("parting.imports.readers.mail").read_path


def presets(kind: str) -> dict[str, str]:
    """The presets a kind offers: name → description (in the active language)."""
    module = PRESET_MODULES.get(kind)
    if not module:
        return {}
    found = getattr(importlib.import_module(f"parting.imports.readers.{module}"), "PRESETS", {})
    return {
        name: (
            str(value)
            if isinstance(value, str | Promise)
            else str(getattr(value, "description", None) or getattr(value, "label", None) or name)
        )
        for name, value in found.items()
    }


def guess_kind(file_name: str) -> str | None:
    """The kind a file's name implies, where it does (.ics, .eml, .mbox, .zip)."""
    lower = file_name.lower()
    if lower.endswith((".ics", ".ical", ".ifb")):
        return "calendar"
    if lower.endswith((".eml", ".emlx", ".mbox", ".mbx")):
        return "mail"
    if lower.endswith(".zip"):
        return "archive"
    return None
