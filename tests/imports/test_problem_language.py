"""A member who works in Polish reads an import's problems in Polish: the reason, like the page
around it, is in the language active when the import runs (the page's, or the command's --lang)."""

import pytest
from django.utils import translation

from parting.imports.services import run_import
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

BAD = "client,id,description,requested_on,due_on\nAcme,R1,Wyciągi,2026-02-30,2026-03-10\n"


def test_a_bad_dates_problem_reads_in_the_language_of_the_member(firm, tmp_path):
    ClientFactory(firm=firm, name="Acme")
    path = tmp_path / "wnioski.csv"
    path.write_text(BAD, encoding="utf-8")
    english = run_import(firm=firm, by=None, kind="requests", paths=[path])
    with translation.override("pl"):
        polish = run_import(firm=firm, by=None, kind="requests", paths=[path])
        expected = translation.gettext("%(value)s is not a date") % {"value": repr("2026-02-30")}
    (en,), (pl,) = list(english.problems), list(polish.problems)
    assert en.reason == "'2026-02-30' is not a date"
    assert pl.reason == expected != en.reason
    assert (pl.source.line, pl.column) == (2, "requested_on")
