from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from parting.cases.rules import minor_units, round_money
from parting.core import limits
from parting.core.requests import HiddenErrorsShown, OwnRowsFormSet, row_formfield
from parting.firms.models import Firm, Service

from .models import AccessGrant, Client, Contact, Credential, Engagement


class DateInput(forms.DateInput):
    input_type = "date"


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "name",
            "status",
            "assigned_to",
            "started_on",
            "services",
            "contract_start",
            "contract_end",
            "notice_days",
            "payment_terms_days",
            "prepaid_amount",
            "referred_by",
            "referral_source",
            "holds_stake",
            "notes",
        ]
        widgets = {
            "started_on": DateInput,
            "contract_start": DateInput,
            "contract_end": DateInput,
            "services": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        formfield_callback = row_formfield

    def __init__(self, *args, firm: Firm, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_lengths(self, {"notes": limits.NOTE})
        self.instance.firm = firm
        # Choices come from this firm only: a crafted POST can't point at another firm's rows.
        self.fields["services"].queryset = Service.objects.filter(firm=firm)
        self.fields["assigned_to"].queryset = get_user_model().objects.filter(membership__firm=firm)
        others = Client.objects.filter(firm=firm)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["referred_by"].queryset = others

    def save(self, commit: bool = True):
        """Save; when the client now has another member looking after it, W3 reads the imported mail
        again for that member (a message to the new member is no longer "past" them)."""
        from parting.evidence.services import derive_to_senior

        reassigned = self.instance.pk is not None and "assigned_to" in self.changed_data
        client = super().save(commit=commit)
        if commit and reassigned:
            derive_to_senior(firm=client.firm, client_ids=[client.pk])
        return client

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Client.objects.filter(firm=self.instance.firm, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A client with this name already exists."))
        return name

    def clean(self):
        data = super().clean()
        start, end = data.get("contract_start"), data.get("contract_end")
        if start and end and end < start:
            self.add_error("contract_end", _("The contract cannot end before it starts."))
        prepaid, currency = data.get("prepaid_amount"), self.instance.firm.currency
        if prepaid is not None and prepaid != round_money(prepaid, currency):
            self.add_error(
                "prepaid_amount",
                _("%(currency)s has no amounts smaller than %(unit)s.")
                % {"currency": currency, "unit": Decimal(1).scaleb(-minor_units(currency))},
            )
        return data


class RowForm(HiddenErrorsShown, forms.ModelForm):
    """One row listed with the client: a forged or stale row id is shown as an error on the row."""


def client_rows(model, fields, **kwargs):
    """The formset of one kind of row listed with a client: only this client's rows can be named,
    and at most ``limits.ROWS`` of them are read, whatever the form's count says."""
    return inlineformset_factory(
        Client,
        model,
        form=RowForm,
        formset=OwnRowsFormSet,
        fields=fields,
        formfield_callback=row_formfield,
        extra=1,
        can_delete=True,
        max_num=limits.ROWS,
        absolute_max=limits.ROWS,
        validate_max=True,
        **kwargs,
    )


ContactFormSet = client_rows(
    Contact, ["name", "email", "phone", "language", "form_of_address", "honorific", "is_primary"]
)
AccessGrantFormSet = client_rows(
    AccessGrant,
    ["name", "kind", "level", "granted_on", "revoked_on", "notes"],
    widgets={"granted_on": DateInput, "revoked_on": DateInput},
)
EngagementFormSet = client_rows(
    Engagement,
    ["name", "service", "due_on", "completed_on"],
    widgets={"due_on": DateInput, "completed_on": DateInput},
)
CredentialFormSet = client_rows(Credential, ["name", "handed_back_on"], widgets={"handed_back_on": DateInput})
