"""The help pages: every rule id in the user's language (issue 11)."""

from __future__ import annotations

from django.shortcuts import render

from parting.firms.access import member_required
from parting.web.rules_help import FAMILIES


@member_required
def rules(request):
    """Every rule the app cites (W1–W15, D1–D12, C1–C12, N1–N5, O1–O9, A1–A2), grouped by family; each
    entry has the anchor ``#rule-<id>`` that ``{% rule_ref %}`` links to."""
    return render(request, "parting/help_rules.html", {"families": FAMILIES})
