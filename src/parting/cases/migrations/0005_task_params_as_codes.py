"""Issue 11: checklist tasks keep codes, not words. Tasks generated before kept two things in the
language of the member who approved the case, so a Hebrew approver's checklist showed Hebrew on an
English page:

- an access task's system with its level as words ("Bank portal (לצפייה בלבד)") → the system's name and
  the level's code ({"name": "Bank portal", "level": "view"}): from the access grant the task is for
  when it still exists, else by reading the level's words in any of the languages back to its code;
- an amount as text ("926122.00 EUR") → the number and the currency code, so it is written as the
  reader's language writes money.

Tasks members added by hand (kind "custom") keep their own words as they are, and so does anything
this migration cannot read back (the title then shows what was stored).
"""

import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import migrations
from django.utils import translation

LEVELS = {"view": "View only", "edit": "Edit", "admin": "Administrator"}  # AccessGrant.Level, as in 0001
AMOUNT = re.compile(r"^\s*(?P<amount>-?[0-9]+(?:\.[0-9]+)?)\s+(?P<currency>[A-Z]{3})\s*$")


def level_words() -> dict[str, str]:
    """Every language's words for each level, back to its code."""
    words = {}
    for code, english in LEVELS.items():
        words[english] = code
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                words[translation.gettext(english)] = code
    return words


def access_params(task, grants, words: dict[str, str]) -> dict | None:
    params = task.params or {}
    if "level" in params or not params.get("name"):
        return None
    grant = grants.filter(pk=int(task.key), client_id=task.case.client_id).first() if task.key.isdigit() else None
    if grant is not None:
        return {"name": grant.name, "level": grant.level}
    name, sep, rest = params["name"].rpartition(" (")
    if sep and rest.endswith(")") and rest[:-1] in words:
        return {"name": name, "level": words[rest[:-1]]}
    return None


def amount_params(task) -> dict | None:
    params = task.params or {}
    if params.get("currency"):
        return None
    found = AMOUNT.match(str(params.get("amount", "")))
    if not found:
        return None
    try:
        Decimal(found["amount"])
    except InvalidOperation:
        return None
    return params | {"amount": found["amount"], "currency": found["currency"]}


def forwards(apps, schema_editor):
    CaseTask = apps.get_model("cases", "CaseTask")
    AccessGrant = apps.get_model("clients", "AccessGrant")
    words = level_words()
    tasks = CaseTask.objects.filter(kind__in=["access", "final_invoice", "refund"]).select_related("case")
    for task in tasks.iterator():
        params = access_params(task, AccessGrant.objects, words) if task.kind == "access" else amount_params(task)
        if params is not None:
            task.params = params
            task.save(update_fields=["params"])


def backwards(apps, schema_editor):
    """Back to the stored text (in English: the language the old code wrote when none was active)."""
    CaseTask = apps.get_model("cases", "CaseTask")
    for task in CaseTask.objects.filter(kind__in=["access", "final_invoice", "refund"]).iterator():
        params = dict(task.params or {})
        if task.kind == "access" and params.get("level") in LEVELS:
            params = {"name": f"{params['name']} ({LEVELS[params['level']]})"}
        elif task.kind != "access" and params.get("currency"):
            params["amount"] = f"{params['amount']} {params.pop('currency')}"
        else:
            continue
        task.params = params
        task.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_casetask_version"),
        ("clients", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
