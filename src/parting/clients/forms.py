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
from .scripts import SCRIPT_OF_LANGUAGE

LETTER_LANGUAGES = tuple(SCRIPT_OF_LANGUAGE)  # en, pl, ro, ru, he: the languages a letter is written in


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
            "number",
            "country",
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

    def clean_country(self):
        code = self.cleaned_data.get("country", "").strip().upper()
        if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise forms.ValidationError(_("Country: a two-letter ISO code, e.g. PL or GB."))
        return code

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


class ClientNamesWidget(forms.MultiWidget):
    """One text box per letter language, each marked with its language (and Hebrew right to left)."""

    def __init__(self, attrs=None):
        boxes = [
            forms.TextInput(
                attrs={"placeholder": code, "lang": code, "dir": "rtl" if code == "he" else "ltr", "aria-label": code}
            )
            for code in LETTER_LANGUAGES
        ]
        super().__init__(boxes, attrs)

    def decompress(self, value):
        value = value if isinstance(value, dict) else {}
        return [value.get(code, "") for code in LETTER_LANGUAGES]


class ClientNamesField(forms.MultiValueField):
    """``client_names`` as the firm types it: the name the client reads, per language; empty boxes are
    left out, so the letter falls back to the internal name only where none was given."""

    widget = ClientNamesWidget

    def __init__(self, **kwargs):
        for key in ("encoder", "decoder", "max_length"):
            kwargs.pop(key, None)
        kwargs.update(required=False, require_all_fields=False)
        super().__init__([forms.CharField(max_length=200, required=False) for _code in LETTER_LANGUAGES], **kwargs)

    def compress(self, data_list):
        values = zip(LETTER_LANGUAGES, data_list or [], strict=False)
        return {code: " ".join(text.split()) for code, text in values if text and text.strip()}


CLIENT_FACING = {"client_names": ClientNamesField}


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
    Contact,
    [
        "name",
        "email",
        "phone",
        "language",
        "form_of_address",
        "honorific",
        "is_primary",
        "name_latin",
        "name_cyrillic",
        "name_hebrew",
    ],
    widgets={
        "name_cyrillic": forms.TextInput(attrs={"lang": "ru"}),
        "name_hebrew": forms.TextInput(attrs={"lang": "he", "dir": "rtl"}),
    },
)
AccessGrantFormSet = client_rows(
    AccessGrant,
    ["name", "client_names", "kind", "level", "granted_on", "revoked_on", "notes"],
    widgets={"granted_on": DateInput, "revoked_on": DateInput},
    field_classes=CLIENT_FACING,
)
EngagementFormSet = client_rows(
    Engagement,
    ["name", "client_names", "service", "due_on", "completed_on"],
    widgets={"due_on": DateInput, "completed_on": DateInput},
    field_classes=CLIENT_FACING,
)
CredentialFormSet = client_rows(
    Credential,
    ["name", "client_names", "handed_back_on", "notes"],
    widgets={"handed_back_on": DateInput},
    field_classes=CLIENT_FACING,
)
