"""What an import's counts are called, for the Import page and ``parting import`` alike: the kinds of
records it counts and what happened to them (the keys ``parting.imports.loader`` counts under)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

WHAT = {  # what happened to the records an import counts (the keys parting.imports.loader counts under)
    "added": gettext_lazy("added"),
    "changed": gettext_lazy("changed"),
    "unchanged": gettext_lazy("unchanged"),
    "duplicates in the file": gettext_lazy("duplicates in the file"),
    "all-day events skipped": gettext_lazy("all-day events skipped"),
    "skipped (no length)": gettext_lazy("skipped (no length)"),
    "skipped (no such client)": gettext_lazy("skipped (no such client)"),
    "skipped (no client named)": gettext_lazy("skipped (no client named)"),
    "skipped (no such invoice)": gettext_lazy("skipped (no such invoice)"),
    "skipped (no open invoice)": gettext_lazy("skipped (no open invoice)"),
    # mail the reader passes over, by why (readers.mail: Gmail labels, maildir flags, Thunderbird, own mail)
    "passed over (spam)": gettext_lazy("passed over (spam)"),
    "passed over (trash)": gettext_lazy("passed over (trash)"),
    "passed over (draft)": gettext_lazy("passed over (draft)"),
    "passed over (chat)": gettext_lazy("passed over (chat)"),
    "passed over (deleted)": gettext_lazy("passed over (deleted)"),
    "passed over (internal)": gettext_lazy("passed over (internal)"),
    "passed over (automated)": gettext_lazy("passed over (automated: lists, newsletters, notifications, bounces)"),
    "passed over (no sender)": gettext_lazy("passed over (no sender address)"),
    "passed over (impossible date)": gettext_lazy("passed over (dated before 1980 or after 2200)"),
}
COUNTED_KINDS = {  # the kinds of records an import counts
    "clients": gettext_lazy("Clients"),
    "contacts": gettext_lazy("Contacts"),
    "invoices": gettext_lazy("Invoices"),
    "payments": gettext_lazy("Payments"),
    "meetings": gettext_lazy("Meetings"),
    "messages": gettext_lazy("Messages"),
    "requests": gettext_lazy("Requests to the client"),
    "incidents": gettext_lazy("Incidents"),
    "time": gettext_lazy("Time entries"),
    "time entries": gettext_lazy("Time entries"),
}


def kind_label(kind: str) -> str:
    """What a count's kind is called: "Invoices", "Time entries"."""
    from parting.imports.models import KINDS

    return str(COUNTED_KINDS.get(kind) or dict(KINDS).get(kind, kind))


def what_label(what: str) -> str:
    """What happened to the records, as counted: "added", "skipped (no such invoice)"."""
    return str(WHAT.get(what, what))


def by_kind(counted: dict[str, int]) -> dict[str, dict[str, int]]:
    """One client's counts as the loader keeps them ({"invoices added": 2, "time entries changed": 1})
    per kind ({"invoices": {"added": 2}, "time entries": {"changed": 1}})."""
    kinds: dict[str, dict[str, int]] = {}
    for key, n in counted.items():
        kind, _sep, what = key.rpartition(" ")
        kinds.setdefault(kind, {})[what] = n
    return kinds
