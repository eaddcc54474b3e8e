from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parting.audit.services import audit_record
from parting.firms.access import member_required
from parting.scores.services import request_rescore
from parting.signs.forms import DealbreakerFormSet, PolicyForm, dealbreakers_from
from parting.signs.policy import policy_for


def _policy_values(policy) -> dict:
    """What a policy change is recorded as: every field the page edits, as JSON."""
    names = [*PolicyForm.Meta.fields, "signs", "dealbreakers"]
    return json.loads(json.dumps({name: getattr(policy, name) for name in names}, default=str))


@member_required
def policy_edit(request):
    """Everyone may read the policy; owners and partners change it (D7 is the firm's decision)."""
    policy = policy_for(request.firm)
    before = _policy_values(policy)  # the form writes into the instance as it validates
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
                after = _policy_values(saved)
                changed = {key: {"from": before[key], "to": after[key]} for key in after if after[key] != before[key]}
                if changed:  # D7 is the firm's decision: who changed which rule, from what to what
                    audit_record(
                        firm=request.firm,
                        actor=request.user,
                        action="policy.changed",
                        target=f"policy:{saved.pk}",
                        data=changed,
                    )
                request_rescore(request.firm)
            messages.success(request, _("Policy saved; scores now follow it."))
            return redirect("policy")
    return render(request, "parting/policy.html", {"form": form, "dealbreakers": dealbreakers, "can_edit": can_edit})
