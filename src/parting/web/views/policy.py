from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parting.firms.access import member_required
from parting.scores.services import request_rescore
from parting.signs.forms import DealbreakerFormSet, PolicyForm, dealbreakers_from
from parting.signs.policy import policy_for


@member_required
def policy_edit(request):
    """Everyone may read the policy; owners and partners change it (D7 is the firm's decision)."""
    policy = policy_for(request.firm)
    can_edit = request.membership.is_senior
    data = request.POST if request.method == "POST" and can_edit else None
    form = PolicyForm(data, instance=policy)
    dealbreakers = DealbreakerFormSet(data, initial=policy.dealbreakers, prefix="rules")
    if request.method == "POST" and not can_edit:
        messages.error(request, _("Only owners and partners can change the policy."))
    elif data is not None and form.is_valid() and dealbreakers.is_valid():
        try:
            rules = dealbreakers_from(dealbreakers)
        except ValidationError as error:
            dealbreakers._non_form_errors = dealbreakers.error_class(error.messages)
        else:
            with transaction.atomic():
                saved = form.save(commit=False)
                saved.dealbreakers = rules
                saved.save()
                request_rescore(request.firm)
            messages.success(request, _("Policy saved; scores now follow it."))
            return redirect("policy")
    return render(request, "parting/policy.html", {"form": form, "dealbreakers": dealbreakers, "can_edit": can_edit})
