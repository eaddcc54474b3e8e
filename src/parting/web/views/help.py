"""The help pages: every rule id in the user's language (issue 11)."""

from __future__ import annotations

from django.shortcuts import render

from parting.firms.access import member_required


@member_required
def rules(request):
    return render(request, "parting/help_rules.html", {})
