from __future__ import annotations

import datetime as dt

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from parting.core import limits
from parting.core.requests import HiddenErrorsShown, OwnRowsFormSet, row_formfield

from .models import Firm, Service, WorkingDay


class FirmForm(forms.ModelForm):
    new_services = forms.CharField(
        label=_("Add services"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, e.g. Payroll."),
    )

    class Meta:
        model = Firm
        fields = [
            "name",
            "time_zone",
            "currency",
            "target_hourly_rate",
            "focus_services",
            "letterhead",
            "email",
            "paper",
        ]
        widgets = {"focus_services": forms.CheckboxSelectMultiple}
        formfield_callback = row_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_lengths(self, {"letterhead": limits.LETTERHEAD, "new_services": limits.NEW_SERVICES})
        self.fields["focus_services"].queryset = Service.objects.filter(firm=self.instance)

    def clean_new_services(self):
        names = [line.strip() for line in self.cleaned_data["new_services"].splitlines() if line.strip()]
        for name in names:
            if len(name) > 120:
                raise forms.ValidationError(_("“%(name)s…” is longer than 120 characters.") % {"name": name[:30]})
        return names

    def save(self, commit=True):
        firm = super().save(commit)
        for name in self.cleaned_data["new_services"]:
            Service.objects.get_or_create(firm=firm, name=name)
        return firm


class WorkingDayForm(HiddenErrorsShown, forms.ModelForm):
    class Meta:
        model = WorkingDay
        fields = ["weekday", "starts", "ends"]
        widgets = {"starts": forms.TimeInput(attrs={"type": "time"}), "ends": forms.TimeInput(attrs={"type": "time"})}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if isinstance(starts, dt.time) and isinstance(ends, dt.time) and ends <= starts:
            self.add_error("ends", _("The working day must end after it starts."))
        return data


WorkingDayFormSet = inlineformset_factory(
    Firm,
    WorkingDay,
    form=WorkingDayForm,
    formset=OwnRowsFormSet,
    extra=2,
    max_num=7,
    absolute_max=7,
    validate_max=True,
    can_delete=True,
)
