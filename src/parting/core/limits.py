"""How long free text may be, in one place: the forms, the views and the command line read these.

The models keep their columns as they are (``TextField`` has no limit in the database); the limits
are checked where text comes in, so a member is told which field is too long and by how much instead
of a megabyte landing in the notes.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.formats import number_format
from django.utils.translation import gettext as _

LABEL = 200
"""A short label: a name, a title, a region, a contact."""

NOTE = 5_000
"""Notes, reasons, comments, the why of an override: a few paragraphs."""

LETTERHEAD = 2_000
"""The firm's letterhead printed at the top of each letter: a few lines of address."""

NEW_SERVICES = 5_000
"""The box where services are added one per line."""

ROWS = 50
"""Rows of one kind sent in one form (a client's contacts, access grants, work, logins): a forged
form count beyond this is refused instead of building thousands of forms."""

DEALBREAKERS = 50
"""Dealbreaker rules in the firm's policy."""


def limit_length(field: forms.Field, limit: int) -> forms.Field:
    """Give a form field (declared or made from a model field) a maximum length after the fact: the
    validator says the limit and the length given, and the browser's ``maxlength`` stops typing there."""
    field.max_length = limit
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
    return field


def limit_lengths(form: forms.BaseForm, limits: dict[str, int]) -> None:
    """``limit_length`` for several fields of one form, by name."""
    for name, limit in limits.items():
        limit_length(form.fields[name], limit)


def too_long(label: str, text: str, limit: int) -> str | None:
    """The message for text that arrives without a form (the command line), or None when it fits."""
    if len(text) <= limit:
        return None
    return _("%(field)s: at most %(limit)s characters (it has %(length)s).") % {
        "field": label,
        "limit": number_format(limit, force_grouping=True),
        "length": number_format(len(text), force_grouping=True),
    }
