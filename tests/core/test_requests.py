"""Numbers read from requests (core.requests) and the text limits (core.limits): ASCII digits within
bounds or nothing, whatever a browser or a script sends."""

import io

import pytest
from django import forms
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from parting.core import limits
from parting.core.requests import DB_INT_MAX, RowChoiceField, RowsChoiceField, id_param, int_param
from parting.firms.models import Service
from tests.factories import ClientFactory, FirmFactory, MembershipFactory, ServiceFactory


@pytest.mark.parametrize(
    "value",
    ["²", "٣", "１", "-1", "+1", " 1", "1 ", "1\n", "1_000", "1e9", "0x10", "1.5", "NaN", "", None, 12, ["1"]],
)
def test_anything_but_ascii_digits_is_no_number(value):
    assert int_param(value) is None


def test_digits_are_read_within_the_bounds_given():
    assert int_param("007") == 7
    assert int_param("0") == 0
    assert int_param("0", minimum=1) is None
    assert int_param("365", maximum=365) == 365
    assert int_param("366", maximum=365) is None


def test_no_number_beyond_what_a_database_holds_however_many_digits():
    assert int_param(str(DB_INT_MAX)) == DB_INT_MAX
    assert int_param(str(DB_INT_MAX + 1)) is None
    assert int_param("99999999999999999999999") is None
    assert int_param("9" * 5000) is None  # int() itself gives up past 4,300 digits
    assert int_param("0" * 5000 + "5") == 5
    assert int_param("5", maximum=DB_INT_MAX * 2) == 5


def test_an_id_is_a_positive_number():
    assert id_param("1") == 1
    assert id_param("0") is None
    assert id_param(str(DB_INT_MAX + 1)) is None


@given(st.integers(min_value=0, max_value=DB_INT_MAX))
def test_every_number_a_database_holds_reads_back_as_itself(number):
    assert int_param(str(number)) == number


@given(st.text())
def test_any_text_is_a_number_exactly_when_it_is_ascii_digits(text):
    number = int_param(text)
    if number is None:
        assert not (text.isascii() and text.isdigit()) or int(text) > DB_INT_MAX
    else:
        assert text.isascii() and text.isdigit() and int(text) == number


def test_a_row_id_of_the_choices_is_chosen_and_anything_else_is_the_fields_error(db):
    firm = FirmFactory()
    own, foreign = ServiceFactory(firm=firm), ServiceFactory(firm=FirmFactory())
    field = RowChoiceField(queryset=Service.objects.filter(firm=firm))
    assert field.clean(str(own.pk)) == own
    for value in (str(foreign.pk), "99999999999999999999999", "²", f"{own.pk}.0", "a\x00b"):
        with pytest.raises(forms.ValidationError) as error:
            field.clean(value)
        assert error.value.code == "invalid_choice"


def test_several_row_ids_too_large_for_the_database_are_the_fields_error_not_a_database_error(db):
    firm = FirmFactory()
    own = ServiceFactory(firm=firm)
    field = RowsChoiceField(queryset=Service.objects.filter(firm=firm))
    assert list(field.clean([str(own.pk)])) == [own]
    with pytest.raises(forms.ValidationError) as error:
        field.clean([str(own.pk), "99999999999999999999999"])
    assert "99999999999999999999999 is not one of the available choices" in error.value.messages[0]


def test_a_form_field_given_a_limit_says_the_limit_and_the_length():
    class NoteForm(forms.Form):
        note = forms.CharField(widget=forms.Textarea)

    form = NoteForm({"note": "x" * (limits.NOTE + 1)})
    limits.limit_lengths(form, {"note": limits.NOTE})
    assert not form.is_valid()
    assert form.errors["note"] == ["Ensure this value has at most 5000 characters (it has 5001)."]
    assert form.fields["note"].widget.attrs["maxlength"] == "5000"


def test_text_without_a_form_is_measured_with_the_same_limit():
    assert limits.too_long("--note", "x" * limits.NOTE, limits.NOTE) is None
    assert limits.too_long("--note", "x" * 12_345, limits.NOTE) == "--note: at most 5,000 characters (it has 12,345)."


def test_the_case_command_refuses_a_note_over_the_limit_naming_the_option(db):
    membership = MembershipFactory()
    ClientFactory(firm=membership.firm)
    with pytest.raises(CommandError, match=r"--note: at most 5,000 characters \(it has 5,001\)\."):
        call_command(
            "case", "withdraw", "1", "--note", "x" * 5001, "--user", membership.user.username, stdout=io.StringIO()
        )


def test_the_case_command_takes_only_ascii_case_ids(db):
    membership = MembershipFactory()
    with pytest.raises(CommandError, match="is not a case id"):
        call_command("case", "show", "٣", "--user", membership.user.username, stdout=io.StringIO())
