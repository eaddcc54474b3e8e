"""The audit page (issue 13 §5): owners and partners read and filter the firm's log, newest first.

Entries name clients, cases and evidence by id only (``client:7``), never by name, so the log can be
kept after a client's data is purged. Whether the chain is intact is for ``parting audit verify``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from parting.audit.selectors import audit_actions, audit_actors, audit_page
from parting.audit.services import is_reference
from parting.cases.selectors import ACTIONS
from parting.firms.access import member_required

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


class AuditFilter(forms.Form):
    """A plain GET form; ``from`` and ``to`` are Python words, so those fields come in ``__init__``."""

    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    actor = forms.ChoiceField(label=gettext_lazy("Who"), required=False)

    def __init__(self, *args, firm, **kwargs):
        kwargs.setdefault("auto_id", "audit-%s")
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", gettext_lazy("Every action"))] + [
            (action, f"{ACTIONS[action]} ({action})" if action in ACTIONS else action)
            for action in audit_actions(firm=firm)
        ]
        self.fields["actor"].choices = [("", gettext_lazy("Anyone"))] + [
            (name, name) for name in audit_actors(firm=firm)
        ]
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(
            label=pgettext_lazy("start of a date range", "From"), required=False, widget=date
        )
        self.fields["to"] = forms.DateField(
            label=pgettext_lazy("end of a date range", "To"), required=False, widget=date
        )

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            day = data.get(name)
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, gettext_lazy("Choose a date between 1900 and 2199."))
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", gettext_lazy("The end of the range is before its start."))
        return data


def _shown(data: dict) -> list[tuple[str, str]]:
    """An entry's data as short ``key: value`` pairs. A note, reason or address the log keeps by its
    hash only (O5) says so, with the hash's start and the text's size: whoever holds the text can
    check it with ``sha256sum``."""
    out = []
    for key, value in data.items():
        if is_reference(value):
            value = gettext(
                # Translators: a note or reason the audit log keeps only as its SHA-256, not its words.
                "text recorded by its hash: sha256 %(hash)s… (%(bytes)s bytes)"
            ) % {"hash": value["sha256"][:12], "bytes": number_format(value["bytes"], force_grouping=True)}
        elif isinstance(value, list):  # codes such as the tone rules overridden: C2, C5
            value = ", ".join(str(item) for item in value)
        out.append((key, str(value)))
    return out


@member_required(senior=True)
def audit_log(request):
    """Owners and partners only: the log shows every member's actions."""
    filters = request.GET.copy()
    filters.pop("page", None)
    form = AuditFilter(filters or None, firm=request.firm)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    shown = audit_page(
        firm=request.firm,
        action=chosen.get("action", ""),
        actor=chosen.get("actor", ""),
        start=chosen.get("from"),
        end=chosen.get("to"),
        page=request.GET.get("page") or 1,
    )
    query = {key: value for key, value in request.GET.items() if key != "page" and value}

    def page_url(number: int) -> str:
        return "?" + urlencode(query | {"page": number})

    entries = [
        {
            "entry": entry,
            "what": ACTIONS.get(entry.action, ""),
            "data": _shown(entry.data),
        }
        for entry in shown.object_list
    ]
    return render(
        request,
        "parting/audit.html",
        {
            "form": form,
            "page": shown,
            "entries": entries,
            "newer": page_url(shown.previous_page_number()) if shown.has_previous() else "",
            "older": page_url(shown.next_page_number()) if shown.has_next() else "",
        },
    )
