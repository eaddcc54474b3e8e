from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parting.audit.services import audit_record
from parting.firms.access import member_required
from parting.firms.forms import FirmForm, WorkingDayFormSet
from parting.scores.services import request_rescore
from parting.web.first_run import SETTINGS_SAVED


@member_required(senior=True)
def firm_settings(request):
    """The firm's name, time zone, working hours (W2), currency, target rate (W11) and focus (W12)."""
    data = request.POST if request.method == "POST" else None
    form = FirmForm(data, instance=request.firm)
    days = WorkingDayFormSet(data, instance=request.firm, prefix="days")
    if data is not None and form.is_valid() and days.is_valid():
        try:
            with transaction.atomic():
                form.save()
                days.save()
                request_rescore(request.firm)  # hours (W2), rate (W11), focus (W12) and zone change scores
                # In the audit log like every other change; it also tells the first-run path that the
                # settings were looked at, even when the hours and rate kept their defaults.
                audit_record(
                    firm=request.firm,
                    actor=request.user,
                    action=SETTINGS_SAVED,
                    target=f"firm:{request.firm.pk}",
                    data={"changed": sorted(form.changed_data)},
                )
        except IntegrityError:
            days._non_form_errors = days.error_class([_("Each weekday can appear only once.")])
        else:
            messages.success(request, _("Firm settings saved."))
            return redirect("firm_settings")
    return render(request, "parting/firm_settings.html", {"form": form, "days": days})
