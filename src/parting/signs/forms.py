"""The policy page: window, advice thresholds, each sign's weight and bands, and the dealbreakers (D7)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parting.core import limits
from parting.evidence.models import Incident
from parting.firms.models import Policy

from .catalogue import BY_ID, SIGNS
from .policy import validate_dealbreakers, validate_sign_overrides


def named_by(sign_id: str, column: str) -> dict:
    """The policy table shows each input under its column's header, in its sign's row, with no label of
    its own: the input is named by both ("W1 Slow to deliver what they owe weight"), as a screen reader
    reads it. The ids are the headers' in policy.html."""
    return {"aria-labelledby": f"sign-{sign_id} policy-col-{column}"}


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ["window_months", "talk_below", "part_below"]
        case_fields = [
            "case_approvals",
            "cooling_off_hours",
            "notice_days",
            "notice_business_days",
            "retention_days",
            "accounting_retention_years",
        ]
        fields = fields + case_fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.signs or {}
        self.sign_rows = []
        for sign in SIGNS:
            own = current.get(sign.id, {})
            prefix = sign.id
            self.fields[f"{prefix}_enabled"] = forms.BooleanField(
                required=False,
                initial=own.get("enabled", True),
                label=_("on"),
                widget=forms.CheckboxInput(attrs=named_by(prefix, "enabled")),
            )
            self.fields[f"{prefix}_weight"] = forms.FloatField(
                min_value=0,
                max_value=10,
                initial=own.get("weight", sign.weight),
                label=_("weight"),
                widget=forms.NumberInput(attrs=named_by(prefix, "weight")),
            )
            self.fields[f"{prefix}_concerning"] = forms.FloatField(
                min_value=0,
                initial=own.get("concerning", sign.concerning),
                label=_("concerning at"),
                widget=forms.NumberInput(attrs=named_by(prefix, "concerning")),
            )
            self.fields[f"{prefix}_poor"] = forms.FloatField(
                min_value=0,
                initial=own.get("poor", sign.poor),
                label=_("poor at"),
                widget=forms.NumberInput(attrs=named_by(prefix, "poor")),
            )
            self.sign_rows.append(sign)

    def scoring_fields(self):
        return [self[name] for name in ("window_months", "talk_below", "part_below")]

    def case_fields(self):
        """How cases are reviewed and planned: approvals (D4), cooling-off (D3), notice (N1, N2), retention (O5)."""
        return [self[name] for name in self.Meta.case_fields]

    def sign_fields(self):
        for sign in self.sign_rows:
            yield sign, [self[f"{sign.id}_{name}"] for name in ("enabled", "weight", "concerning", "poor")]

    def clean(self):
        data = super().clean()
        talk, part = data.get("talk_below"), data.get("part_below")
        if talk is not None and part is not None and part > talk:
            self.add_error("part_below", _("“Consider parting” must start at or below “talk first”."))
        overrides = {}
        for sign in SIGNS:
            values = {name: data.get(f"{sign.id}_{name}") for name in ("weight", "concerning", "poor")}
            if any(v is None for v in values.values()):
                continue  # a field error is already shown
            overrides[sign.id] = {**values, "enabled": bool(data.get(f"{sign.id}_enabled"))}
        try:
            self.cleaned_signs = validate_sign_overrides(overrides)
        except forms.ValidationError as error:
            sign_id = next((s for s in BY_ID if error.messages[0].startswith(f"{s}:")), None)
            self.add_error(f"{sign_id}_poor" if sign_id else None, error)
        return data

    def save(self, commit=True):
        policy = super().save(commit=False)
        policy.signs = self.cleaned_signs
        if commit:
            policy.save()
        return policy


DEALBREAKER_TYPES = [
    ("incidents", _("Incidents of one kind within some months")),
    ("overdue_invoice", _("An invoice overdue by more than some days")),
    ("sign_poor", _("A sign in the poor band")),
]


def sign_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(s.id, f"{s.id} {s.title}") for s in SIGNS]


class DealbreakerForm(forms.Form):
    type = forms.ChoiceField(choices=DEALBREAKER_TYPES, label=_("rule"))
    kind = forms.ChoiceField(choices=[("", "—"), *Incident.Kind.choices], required=False, label=_("incident kind"))
    # Bounded so the scorer's date arithmetic stays within the calendar: ten years at most.
    count = forms.IntegerField(min_value=1, max_value=1000, required=False, label=_("at least"))
    months = forms.IntegerField(min_value=1, max_value=120, required=False, label=_("within months"))
    days = forms.IntegerField(min_value=1, max_value=3650, required=False, label=_("days overdue"))
    # A callable: the titles are read in the language of each request, not once when Python starts.
    sign = forms.ChoiceField(choices=sign_choices, required=False, label=_("sign"))

    REQUIRED = {"incidents": ("kind", "count", "months"), "overdue_invoice": ("days",), "sign_poor": ("sign",)}

    def clean(self):
        data = super().clean()
        for name in self.REQUIRED.get(data.get("type"), ()):
            if data.get(name) in (None, ""):
                self.add_error(name, _("This rule needs a value here."))
        return data

    def rule(self) -> dict:
        data = self.cleaned_data
        return {"type": data["type"], **{name: data[name] for name in self.REQUIRED[data["type"]]}}


DealbreakerFormSet = forms.formset_factory(
    DealbreakerForm,
    extra=1,
    can_delete=True,
    max_num=limits.DEALBREAKERS,
    absolute_max=limits.DEALBREAKERS,
    validate_max=True,
)


def dealbreakers_from(formset) -> list[dict]:
    # Untouched extra forms have no cleaned data; kept rules have theirs even when unchanged.
    rules = [form.rule() for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
    return validate_dealbreakers(rules)
