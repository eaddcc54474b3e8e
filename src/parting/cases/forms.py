"""Forms of the case pages. Choices always come from the member's firm and the case's client."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from parting.core import limits
from parting.core.requests import DB_INT_MAX, HiddenErrorsShown, OwnRowsFormSet, id_param, row_formfield
from parting.firms.models import Service
from parting.letters.regions import country_codes
from parting.signs.catalogue import SIGNS

from .models import CasePlan, CaseReview, CaseTask, OffboardingCase, ReferralProvider
from .plan import OVERRIDABLE
from .services import EVIDENCE_MODELS, PLAN_INPUTS


class DateInput(forms.DateInput):
    input_type = "date"


class CaseOpenForm(forms.ModelForm):
    """Open a case. When the signs advise keeping the client, the member says why they open one
    anyway (D1); otherwise that field is not asked."""

    class Meta:
        model = OffboardingCase
        fields = ["outward_reason", "attitude", "against_advice"]
        labels = {"against_advice": _("Why open a case although the evidence advises keeping the client (D1)")}
        widgets = {"against_advice": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, advice: str, **kwargs):
        super().__init__(*args, **kwargs)
        if advice == "keep":
            self.fields["against_advice"].required = True
            limits.limit_length(self.fields["against_advice"], limits.NOTE)
        else:
            del self.fields["against_advice"]


class EvidenceField(forms.MultipleChoiceField):
    """Evidence rows as "kind:id". The page lists the rows the member's filter found; any row of the
    client may come back (one ticked before the filter changed), so a well-formed value is accepted
    here and the service refuses a row that is not the client's."""

    def valid_value(self, value):
        kind, _sep, pk = str(value).partition(":")
        return kind in EVIDENCE_MODELS and id_param(pk) is not None


class ReasonForm(forms.Form):
    """A sign (snapshotted with its evidence) or a written reason pointing at evidence rows (D8)."""

    sign_id = forms.ChoiceField(label=_("Warning sign"), required=False)
    text = forms.CharField(
        label=_("Or a written reason"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = EvidenceField(label=_("Evidence it points at"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, client, timeline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sign_id"].choices = [("", "—")] + [(s.id, f"{s.id} {s.title}") for s in SIGNS]
        self.fields["evidence"].choices = [
            (f"{e['kind']}:{e['row'].pk}", f"{e['when']} · {e['row']._meta.verbose_name} · {e['row']}")
            for e in timeline
            if e["kind"] in EVIDENCE_MODELS
        ]

    def clean(self):
        data = super().clean()
        if not data.get("sign_id") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a warning sign or write a reason."))
        if data.get("sign_id") and (data.get("text") or "").strip():
            raise forms.ValidationError(_("One reason at a time: a sign, or a written reason."))
        pairs = []
        for value in data.get("evidence") or []:
            kind, _sep, pk = value.partition(":")
            number = id_param(pk)
            if kind in EVIDENCE_MODELS and number is not None:
                pairs.append((kind, number))
        data["pairs"] = pairs
        return data


class EvidenceFilterForm(forms.Form):
    """Narrows the evidence listed under "Add a reason" by kind and by date (a GET form: it works
    without a script). Dates out of order or unreadable are errors on the form, and the list is then
    not narrowed by them."""

    kind = forms.ChoiceField(label=_("Kind of evidence"), required=False)
    start = forms.DateField(label=pgettext_lazy("start of a date range", "From"), required=False, widget=DateInput)
    end = forms.DateField(label=pgettext_lazy("end of a date range", "To"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "evidence")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Every kind"))] + [
            (kind, capfirst(model._meta.verbose_name)) for kind, model in EVIDENCE_MODELS.items()
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The first date comes after the last one."))
        return data

    def narrowing(self) -> dict:
        """The filter for the timeline: kinds, start and end; nothing narrows when the input is wrong."""
        if not self.is_bound or not self.is_valid():
            return {"kinds": list(EVIDENCE_MODELS)}
        data = self.cleaned_data
        kinds = [data["kind"]] if data.get("kind") else list(EVIDENCE_MODELS)
        return {"kinds": kinds, "start": data.get("start"), "end": data.get("end")}

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


class HistoryFilterForm(forms.Form):
    """The case history's filter: one kind of step, or all (a GET form)."""

    group = forms.ChoiceField(label=_("Kind of entry"), required=False)

    def __init__(self, *args, **kwargs):
        from .selectors import HISTORY_GROUPS

        kwargs.setdefault("prefix", "history")
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Every entry"))] + [
            (key, label) for key, (label, _actions) in HISTORY_GROUPS.items()
        ]

    @property
    def chosen(self) -> str:
        return self.cleaned_data.get("group", "") if self.is_bound and self.is_valid() else ""


class ChecksForm(forms.ModelForm):
    class Meta:
        model = OffboardingCase
        fields = ["expectations_managed_on", "expectations_note", "confirmed_not_one_incident"]
        widgets = {"expectations_managed_on": DateInput, "expectations_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_lengths(self, {"expectations_note": limits.NOTE})


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=CaseReview.Decision.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanForm(forms.ModelForm):
    class Meta:
        model = CasePlan
        fields = list(PLAN_INPUTS)
        widgets = {"notice_date": DateInput, "handover_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_lengths(self, {"handover_note": limits.NOTE})


class OverrideForm(forms.Form):
    FIELDS = {
        "end_date": _("End date"),
        "deletion_date": _("Deletion date"),
        "final_invoice": _("Final invoice"),
        "refund": _("Refund or credit"),
    }
    field = forms.ChoiceField(label=_("Value"), choices=[(k, v) for k, v in FIELDS.items() if k in OVERRIDABLE])
    value = forms.CharField(
        label=_("New value"),
        required=False,
        max_length=40,
        help_text=_("A date as YYYY-MM-DD or an amount such as 1200.50. Empty: back to the computed value."),
    )
    reason = forms.CharField(
        label=_("Reason (recorded)"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class WriteOffForm(forms.Form):
    invoice = forms.IntegerField(label=_("Invoice"), min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for the write-off"), max_length=500)


class NotifyForm(forms.Form):
    on = forms.DateField(label=_("The client was told on"), widget=DateInput)
    unpaid_override = forms.CharField(
        label=_("Go ahead with unpaid invoices because"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("D10: only when something weighs more than being paid in full; recorded on the case."),
    )


class TaskForm(forms.ModelForm):
    class Meta:
        model = CaseTask
        fields = ["status", "owner", "notes"]
        widgets = {"notes": forms.TextInput}
        formfield_callback = row_formfield

    def __init__(self, *args, firm, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_lengths(self, {"notes": limits.NOTE})
        # The firm's active members (a person may belong to several firms, issue 15), and whoever owns
        # the task now, so a row whose owner was deactivated still saves unchanged.
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(Q(membership__firm=firm, membership__is_active=True) | Q(pk=self.instance.owner_id or 0))
            .distinct()
        )
        self.fields["owner"].required = False


class ChecklistTaskForm(HiddenErrorsShown, TaskForm):
    """One row of the checklist form: the task's owner, status and notes, and the version the page
    showed. Each editable field also sends back the value it was shown with (``show_hidden_initial``),
    so a row the member did not touch is not saved, even when someone else changed that task meanwhile."""

    EDITABLE = ("status", "owner", "notes")

    version = forms.IntegerField(label=_("Version"), min_value=0, max_value=DB_INT_MAX, widget=forms.HiddenInput)

    def __init__(self, *args, firm, **kwargs):
        super().__init__(*args, firm=firm, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name in self.EDITABLE:
            self.fields[name].show_hidden_initial = True

    @property
    def errors_id(self) -> str:
        return f"{self.prefix}-errors"

    def changed_values(self) -> dict:
        """What the member changed on this row: only these are sent to the service."""
        return {name: self.cleaned_data[name] for name in self.EDITABLE if name in self.changed_data}

    def mark_errors(self) -> None:
        """A row with errors: its controls say so and point at the row's messages (WCAG 3.3.1)."""
        if self.errors:
            for name in self.EDITABLE:
                self.fields[name].widget.attrs |= {"aria-invalid": "true", "aria-describedby": self.errors_id}


class ChecklistFormSet(OwnRowsFormSet):
    """The whole checklist as one form: every task of the case, none of another case's."""

    def mark_errors(self) -> None:
        for form in self.forms:
            form.mark_errors()


ChecklistForms = forms.inlineformset_factory(
    OffboardingCase,
    CaseTask,
    form=ChecklistTaskForm,
    formset=ChecklistFormSet,
    fields=["status", "owner", "notes"],
    extra=0,
    can_delete=False,
)


class TaskAddForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    required = forms.BooleanField(label=_("Required to close the case"), required=False)


class CountriesField(forms.CharField):
    """A provider's countries, typed as ISO 3166 codes ("GB, IE"; commas or spaces, any case) and kept as
    a list of upper-case codes. A code that names no country is refused by name, so "UK" is caught
    rather than silently matching no client (C10)."""

    SEPARATORS = re.compile(r"[\s,;]+")

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        codes = []
        for code in self.SEPARATORS.split(text.upper()):
            if code and code not in codes:
                codes.append(code)
        return codes

    def validate(self, value):
        super().validate(value)
        wrong = [code for code in value if code not in country_codes()]
        if wrong:
            raise forms.ValidationError(
                ngettext(
                    "Countries they work in: %(codes)s is not an ISO country code; use two letters such as GB "
                    "(United Kingdom) or IE.",
                    "Countries they work in: %(codes)s are not ISO country codes; use two letters such as GB "
                    "(United Kingdom) or IE.",
                    len(wrong),
                )
                % {"codes": ", ".join(f"“{code[:10]}”" for code in wrong[:5])},
                code="country",
            )


class ReferralProviderForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple
    )
    countries = CountriesField(
        label=capfirst(_("countries they work in")),
        required=False,
        max_length=300,
        help_text=_("ISO codes, e.g. GB, IE: a client in another country is not referred to them."),
    )

    class Meta:
        model = ReferralProvider
        fields = ["name", "services", "languages", "countries", "region", "contact", "notes"]
        widgets = {"services": forms.CheckboxSelectMultiple, "notes": forms.Textarea(attrs={"rows": 2})}
        formfield_callback = row_formfield

    def __init__(self, *args, firm, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_lengths(self, {"notes": limits.NOTE})
        self.instance.firm = firm
        self.fields["services"].queryset = Service.objects.filter(firm=firm)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = ReferralProvider.objects.filter(firm=self.instance.firm, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A provider with this name is already in the directory."))
        return name
