"""Phrasing per language, written by hand as a native professional would write it — not translated
through the interface's catalogues, because a letter is content in the client's language, whatever the
user's own language is.

Each module (``en``, ``ru``, ``pl``, ``ro``, ``he``) defines ``T`` (the same keys in every language) and
``TONE`` (the tone checker's words). A module may also define ``join(items)`` when the language lists
names differently from CLDR's default (Hebrew keeps the conjunction apart from a Latin name: "ו-Acme").

A phrase is a string, or a dict by the contact's form of address (``masculine`` / ``feminine`` /
``neutral``), or a dict by number whose values are either of those. Number comes in two kinds, told
apart by the phrase itself:

- a phrase that shows the count (``{n}`` in one of its forms: "2 дня", "5 dni") is chosen by the
  language's CLDR plural rules through Babel — ``one``, ``two``, ``few``, ``many``, ``other`` as the
  language has them (ru, pl: 1 / 2–4 / 5+; ro: 1 / 2–19 / 20+; he: 1 / 2 / more);
- a phrase that introduces a list of names without stating how many ("the following firms", "the logins
  that belong to you") agrees with the list's grammatical number: ``one`` for a single item, ``other``
  for several — "следующие компании" is plural for 2, 5 or 21 firms alike, where CLDR's ``one`` would
  wrongly take 21.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from types import ModuleType

from babel import Locale

LANGUAGES = ("en", "ru", "pl", "ro", "he")
RTL = {"he"}
ADDRESS_FORMS = ("masculine", "feminine", "neutral")


class PhraseError(LookupError):
    """A key or a language that the phrase modules do not have."""


@cache
def module(lang: str) -> ModuleType:
    if lang not in LANGUAGES:
        raise PhraseError(f"No letters in {lang!r}; the languages are {', '.join(LANGUAGES)}.")
    return importlib.import_module(f"{__name__}.{lang}")


PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")


def is_plural(value) -> bool:
    """Whether a phrase's value is a dict by number (CLDR plural categories) rather than by address."""
    return isinstance(value, dict) and "other" in value and set(value) <= set(PLURAL_FORMS)


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [text for inner in value.values() for text in _texts(inner)]
    return [value] if isinstance(value, str) else []


def counts(value) -> bool:
    """Whether a phrase by number shows the count itself (``{n}``) — then CLDR's rules choose its form."""
    return any("{n}" in text for text in _texts(value))


def number(lang: str, value: dict, count: int) -> str:
    """The form of a phrase by number for ``count`` items (see the module's docstring for the two kinds)."""
    if not counts(value):  # a list's grammatical number, not a numeral's
        return "one" if count == 1 and "one" in value else "other"
    category = Locale.parse(lang).plural_form(count)
    return category if category in value else "other"


def raw(lang: str, key: str, address: str = "neutral", count: int | None = None, *, form: str = ""):
    """The template for ``key``: the string, the list, or the form for ``count`` items (or the number
    ``form`` named) and the contact's form of address. A phrase by number asked for without either is
    returned whole, as a dict by number."""
    try:
        value = module(lang).T[key]
    except KeyError:
        raise PhraseError(f"The {lang} phrases have no {key!r}.") from None
    if is_plural(value):
        if count is None and not form:
            return value
        value = value[form or number(lang, value, count)]
    if isinstance(value, dict):
        value = value.get(address) or value["neutral"]
    return value


_FULL_STOP_AFTER = re.compile(r"\{(\w+)\}\.")


def say(lang: str, key: str, address: str = "neutral", *, count: int | None = None, **values) -> str:
    """``key`` in ``lang`` with ``values`` (already formatted) filled in; ``count`` chooses the form of a
    phrase by number and fills its ``{n}``. A value that ends with its own full stop ("Baltic Amber sp.
    z o.o.", "1 декабря 2026 г.") takes the place of the sentence's."""
    if count is not None:
        values = {"n": count} | values
    template = raw(lang, key, address, count)
    if isinstance(template, dict):  # a phrase by number said without a count: its general form
        template = raw(lang, key, address, form="other")
    template = _FULL_STOP_AFTER.sub(
        lambda m: "{" + m[1] + "}" + ("" if str(values.get(m[1], "")).endswith(".") else "."), template
    )
    return template.format_map(values)


def days(lang: str, n: int) -> str:
    """``n`` days in words, by the language's plural rules (ru: 1 день, 2 дня, 5 дней)."""
    return say(lang, "days", count=n)


# The values every letter and script key may use, already formatted for the language. ``name`` is the
# contact's full name, ``surname`` its last word, ``first_name`` its first, ``title`` the contact's
# title (Dr., Prof.) when one is recorded. ``contact`` in the script title is the contact's full name.
VALUES = {
    "firm", "client", "name", "first_name", "surname", "title", "contact", "sender",
    "notice_date", "end_date", "deletion_date", "accounting_until", "files_by",
    "work", "amount", "access", "credentials", "successor", "support_until", "support_fee",
    "unpaid", "total", "deadlines", "parties", "handler",
}  # fmt: skip
SPECIAL = {
    "referral_item": {"name", "contact"},
    "referral_inline": {"name", "contact"},
    "days": {"n"},
    "clause_notice": {"notice"},
    "dateline": {"date"},
    "attachment_name": {"firm", "date"},
    "deadline_item": {"work", "date"},
    "unpaid_item": {"number", "amount", "date"},
    "reference": {"client_number"},
    "reference_agreement": {"client_number", "agreement_date"},
    "not_told": set(),
}
_FIELD = re.compile(r"\{(\w*)\}")


def problems(lang: str) -> list[str]:
    """What is wrong with a language's phrases: missing or extra keys, placeholders no value fills,
    address forms that do not exist. Empty when the module is complete."""
    reference, own = module("en").T, module(lang).T
    out = [f"{lang}: missing {key!r}" for key in reference if key not in own]
    out += [f"{lang}: unknown key {key!r}" for key in own if key not in reference]
    needed = Locale.parse(lang).plural_form.tags | {"other"}
    for key, value in own.items():
        allowed = SPECIAL.get(key, set() if key.startswith("clause") else VALUES)
        if key == "referrals":
            allowed = VALUES | {"referral"}
        forms = [value]
        if isinstance(value, dict) and set(value) & set(PLURAL_FORMS):
            out += [f"{lang}: {key!r} has number {form!r}" for form in value if form not in PLURAL_FORMS]
            if "other" not in value:
                out.append(f"{lang}: {key!r} needs an 'other' form")
            if counts(value):  # CLDR's categories for the language, each written out
                out += [f"{lang}: {key!r} lacks the {form!r} form" for form in sorted(needed - set(value))]
                allowed = allowed | {"n"}
            elif set(value) - {"one", "other"}:
                out.append(f"{lang}: {key!r} introduces a list: its forms are 'one' and 'other'")
            forms = list(value.values())
        texts = []
        for form_value in forms:
            if isinstance(form_value, dict):
                out += [f"{lang}: {key!r} has form {form!r}" for form in form_value if form not in ADDRESS_FORMS]
                if "neutral" not in form_value:
                    out.append(f"{lang}: {key!r} needs a 'neutral' form")
                for inner in form_value.values():
                    texts += [text for pair in inner for text in pair] if isinstance(inner, list) else [inner]
            elif isinstance(form_value, list):
                texts += [text for pair in form_value for text in pair]
            else:
                texts.append(form_value)
        for text in texts:
            for name in _FIELD.findall(text):
                if name not in allowed:
                    out.append(f"{lang}: {key!r} uses {{{name}}}, which nothing fills")
    return out
