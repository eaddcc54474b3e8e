"""Numbers read from requests, parsed in one place: query strings, form values read by hand, and the
ids a form's choice of rows sends back.

What a browser sends is text from anyone. ``str.isdigit()`` says yes to "²" and "٣", which ``int()``
refuses or reads as 3; ``int()`` itself takes " 12", "+12" and "1_000", and gives up beyond 4,300
digits; the databases hold integers up to 2**63 - 1. Here a number is ASCII digits only, within its
bounds, or it is absent (``None``) — and the caller says what absent means: a 400, a form error, or
the default where that is the natural reading.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

DB_INT_MAX = 2**63 - 1
"""The largest integer SQLite and PostgreSQL (bigint) hold: no id or count from a request is larger."""

_DIGITS = re.compile(r"[0-9]+")
_MAX_DIGITS = len(str(DB_INT_MAX))


def int_param(value: object, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """The whole number ``value`` spells in ASCII digits, within ``minimum``..``maximum`` (both
    included; ``maximum`` is at most :data:`DB_INT_MAX`), else ``None``. No sign, no spaces, no
    exponent, no other scripts' digits."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    digits = value.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        return None
    number = int(digits)
    ceiling = DB_INT_MAX if maximum is None else min(maximum, DB_INT_MAX)
    if number > ceiling or (minimum is not None and number < minimum):
        return None
    return number


def id_param(value: object) -> int | None:
    """A row's id as a request names it: a positive integer the database can hold, else ``None``."""
    return int_param(value, minimum=1)


class RowChoiceField(forms.ModelChoiceField):
    """A choice of one row by id: anything but an id of one of the field's rows is the field's own
    "not one of the choices" error, never a database error (ids beyond 64 bits, other scripts' digits)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.to_field_name is None and not isinstance(value, models.Model) and id_param(str(value)) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several rows by id, with the same rule as :class:`RowChoiceField` for each id."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                if not isinstance(pk, models.Model) and id_param(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
        return super()._check_values(value)


def row_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """``formfield_callback`` for model forms and formsets: rows are chosen through the fields above."""
    if isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", RowChoiceField)
    elif isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", RowsChoiceField)
    return db_field.formfield(**kwargs)


class HiddenErrorsShown:
    """A form mixin: an error on a hidden field (a row's id, the row it belongs to) becomes an error
    of the whole form, with the field's label, so a page that lists the visible fields shows it too."""

    def clean(self):
        data = super().clean()
        hidden = [name for name in self._errors if name in self.fields and self.fields[name].widget.is_hidden]
        for name in hidden:
            label = self[name].label
            for message in self._errors.pop(name):
                self.add_error(None, f"{label}: {message}")
        return data


class OwnRowsFormSet(forms.BaseInlineFormSet):
    """The rows listed with a parent (a client's contacts, a firm's working days). Django's formset
    takes a row id that is not the parent's — forged, or deleted meanwhile — as "no such row" and
    silently drops the edit; here it is an error on that row, naming it. A missing id on a listed
    row is one too."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields[self._pk_field.name]
        field.queryset = self.get_queryset() if self.instance.pk else self.model._default_manager.none()
        field.label = capfirst(self.model._meta.verbose_name)
        field.required = index is not None and index < self.initial_form_count()
        field.error_messages = field.error_messages | {
            "invalid_choice": _("not one of the rows listed here (it may have been deleted); reload the page."),
            "required": _("a listed row has lost its id; reload the page."),
        }
