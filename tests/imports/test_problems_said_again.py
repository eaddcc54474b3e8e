"""An import's problems, notes and changes are read in the reader's language, not the runner's.

A Polish member's dry run is opened by the English owner, a Hebrew member's through the API by a
Romanian one: each reads every reason in their own language (issue 10 §4, the import log; i18n).
The proof runs every sample file of every reader: what a run made in Polish or Hebrew stored must
read, in English, exactly as what the same run made in English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from parting.imports import i18n
from parting.imports.models import ImportRun
from parting.imports.services import run_import, said_again
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
FIRM_FILES = {".mbox": "mail", ".ics": "calendar", "Toggl": "time", "xero_invoices": "invoices"}


def _kinds(path: Path) -> list[str]:
    """What each sample is imported as; money files as both, to meet the other kind's problems too."""
    folder = path.relative_to(SAMPLES).parts[0]  # a maildir's files lie deeper, in cur/new/tmp
    if folder in ("calendar", "mail", "time"):
        return [folder]
    if folder == "money":
        return ["invoices", "payments"]
    if folder == "clients":
        return ["contacts"] if path.name == "contacts.csv" else ["clients"]
    if folder == "generic":
        return [path.stem.split("_")[0]]
    for mark, kind in FIRM_FILES.items():
        if mark in path.name:
            return [kind]
    return [path.stem]  # the firm's clients, incidents, payments, requests


CASES = [
    pytest.param(kind, path, id=f"{kind}-{path.relative_to(SAMPLES)}")
    for path in sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    for kind in _kinds(path)
]


def _stored(run: ImportRun, language: str) -> tuple[list[str], list[str], list[str]]:
    with translation.override(language):
        errors, counts = said_again(run)
    return [e["reason"] for e in errors], counts.get("notes") or [], counts.get("changes") or []


def _run(firm, kind: str, paths: list[Path], language: str, dry_run: bool = True) -> ImportRun:
    with translation.override(language):
        return run_import(firm=firm, by=None, kind=kind, paths=paths, create_clients=True, dry_run=dry_run).run


@pytest.mark.parametrize(("kind", "path"), CASES)
def test_every_problem_and_note_a_run_made_in_polish_or_hebrew_reads_in_english_as_an_english_run_says_it(
    firm, kind, path
):
    ClientFactory(firm=firm, name="Acme Sp. z o.o.")
    english = _stored(_run(firm, kind, [path], "en"), "en")
    for language in ("pl", "he"):
        run = _run(firm, kind, [path], language)
        assert _stored(run, "en") == english, language


def test_the_comparison_sees_a_reason_in_another_language(firm, tmp_path):
    """Without the recipe the stored Polish text is shown: the comparison above would fail."""
    path = tmp_path / "wnioski.csv"
    path.write_text("client,id,description,requested_on,due_on\nAcme,R1,Wyciągi,2026-02-30,2026-03-10\n")
    ClientFactory(firm=firm, name="Acme")
    run = _run(firm, "requests", [path], "pl")
    polish = [e["reason"] for e in run.errors]
    assert _stored(run, "en")[0] == ["'2026-02-30' is not a date"] != polish
    for error in run.errors:
        error.pop("said")
    assert _stored(run, "en")[0] == polish  # an older row, without recipes: as it was written


def test_changes_a_polish_dry_run_lists_read_in_english(firm, tmp_path):
    ClientFactory(firm=firm, name="Acme")
    path = tmp_path / "invoices.csv"
    path.write_text("client,number,issued_on,due_on,amount,currency\nAcme,F-1,2026-01-05,2026-02-04,1000.00,PLN\n")
    _run(firm, "invoices", [path], "en", dry_run=False)
    path.write_text("client,number,issued_on,due_on,amount,currency\nAcme,F-1,2026-01-05,2026-02-04,1200.00,PLN\n")
    english = _stored(_run(firm, "invoices", [path], "en"), "en")
    polish_run = _run(firm, "invoices", [path], "pl")
    assert english[2], "the corrected amount is listed as a change"
    assert _stored(polish_run, "en") == english
    assert _stored(polish_run, "pl")[2] != english[2]


def test_the_run_page_shows_a_hebrew_members_problems_in_the_owners_english(client, firm, owner, tmp_path):
    path = tmp_path / "requests.csv"
    path.write_text("client,id,description,requested_on,due_on\nAcme,R1,Docs,2026-02-30,2026-03-10\n")
    ClientFactory(firm=firm, name="Acme")
    run = _run(firm, "requests", [path], "he")
    owner.language = "en"
    owner.save(update_fields=["language"])
    client.force_login(owner.user)
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    assert "&#x27;2026-02-30&#x27; is not a date" in page
    assert run.errors[0]["reason"] not in page


def test_the_api_gives_the_caller_the_reasons_in_their_language(firm, tmp_path):
    from parting.api.imports import import_out

    path = tmp_path / "requests.csv"
    path.write_text("client,id,description,requested_on,due_on\nAcme,R1,Docs,2026-02-30,2026-03-10\n")
    run = _run(firm, "requests", [path], "he")
    with translation.override("en"):
        out = import_out(run)
    assert [e["reason"] for e in out["errors"]] == ["'2026-02-30' is not a date"]
    assert "said" not in out["counts"]


def test_a_message_is_said_again_with_its_plural_its_translated_values_and_kept_ones():
    with translation.override("pl"):
        inner = i18n.gettext("the file is empty")
        text = i18n.ngettext("%(n)d row: %(why)s (%(file)s)", "%(n)d rows: %(why)s (%(file)s)", 5) % {
            "n": 5,
            "why": inner,
            "file": "faktury.csv",
        }
    recipe = i18n.recipe(text)
    with translation.override("en"):
        assert i18n.say(text, recipe) == "5 rows: the file is empty (faktury.csv)"
    assert text == str(text)  # still the Polish text where it was made


def test_a_lazy_label_put_into_a_message_is_said_again():
    from django.utils.translation import gettext_lazy

    with translation.override("ru"):
        text = i18n.gettext("%(value)s is not a date") % {"value": gettext_lazy("amount")}
    with translation.override("en"):
        assert i18n.say(text, i18n.recipe(text)) == "amount is not a date"


def test_an_exception_keeps_its_messages_recipe():
    error = ValueError(i18n.gettext("the file is empty"))
    assert i18n.recipe(i18n.reason_of(error)) == ["g", "the file is empty"]
    assert i18n.recipe(str(error)) is None


@pytest.mark.parametrize(
    "recipe",
    [
        ["x", "?"],
        ["g", 5],
        ["n", "a", "b", "many"],
        ["%", ["g", "%(n)d rows"], {"map": {"n": "not a number"}}],
        ["%", ["g", "%(n)d rows"], {"map": {}}],
        ["%", ["g", "x"], []],
        ["%", ["g", "%(n)s"], {"map": "not a dict"}],
        ["%", ["g", "%c"], {"one": 10**9}],
        [],
    ],
)
def test_a_damaged_recipe_shows_the_text_as_written(recipe):
    assert i18n.say("as written", recipe) == "as written"


def test_values_that_are_not_text_or_numbers_are_kept_as_the_text_they_gave():
    with translation.override("en"):
        text = i18n.gettext("%(value)s is not a date") % {"value": dt.date(2026, 1, 5)}
    assert i18n.say(text, i18n.recipe(text)) == "2026-01-05 is not a date"
