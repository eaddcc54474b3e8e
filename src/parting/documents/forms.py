"""The upload form on the client page: category, file, note. What the file is, is checked by the
service (``filetypes``); the form checks only that each field is there and the note's length."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parting.core.limits import NOTE, limit_length

from .filetypes import ACCEPTED
from .models import Document


class DocumentForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Document.Category.choices)
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # refused by the service, with the file named
        widget=forms.FileInput(attrs={"accept": ACCEPTED.replace(" ", "")}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "document-%s")
        super().__init__(*args, **kwargs)
        limit_length(self.fields["note"], NOTE)


class DataRequestForm(forms.Form):
    """The client asked for a copy of their data: when and how. The limits are the service's
    (``bundle.data_request``); the form only reads the values."""

    requested_on = forms.DateField(
        label=_("The client asked on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    how = forms.CharField(
        label=_("How the client asked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. by e-mail to the office; recorded with the request."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "data-request-%s")
        super().__init__(*args, **kwargs)
        limit_length(self.fields["how"], NOTE)
