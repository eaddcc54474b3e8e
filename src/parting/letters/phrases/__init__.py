"""Phrasing per language, written by hand as a native professional would write it — not translated
through the interface's catalogues, because a letter is content in the client's language, whatever the
user's own language is.

Each module (``en``, ``ru``, ``pl``, ``ro``, ``he``) defines ``T`` (the same keys in every language) and
``TONE`` (the tone checker's words). A module may also define ``join(items)`` when the language lists
names differently from CLDR's default (Hebrew keeps the conjunction apart from a Latin name: "ו-Acme").
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


def raw(lang: str, key: str, address: str = "neutral"):
    """The template for ``key``: the string, the list, or the form for the contact's form of address."""
    try:
        value = module(lang).T[key]
    except KeyError:
        raise PhraseError(f"The {lang} phrases have no {key!r}.") from None
    if isinstance(value, dict) and key != "days":
        value = value.get(address) or value["neutral"]
    return value


_FULL_STOP_AFTER = re.compile(r"\{(\w+)\}\.")


def say(lang: str, key: str, address: str = "neutral", **values) -> str:
    """``key`` in ``lang`` with ``values`` (already formatted) filled in. A value that ends with its own
    full stop ("Baltic Amber sp. z o.o.", "1 декабря 2026 г.") takes the place of the sentence's."""
    template = _FULL_STOP_AFTER.sub(
        lambda m: "{" + m[1] + "}" + ("" if str(values.get(m[1], "")).endswith(".") else "."),
        raw(lang, key, address),
    )
    return template.format_map(values)


def days(lang: str, n: int) -> str:
    """``n`` days in words, by the language's plural rules (ru: 1 день, 2 дня, 5 дней)."""
    forms = module(lang).T["days"]
    category = Locale.parse(lang).plural_form(n)
    return (forms.get(category) or forms["other"]).format(n=n)


# The values every letter and script key may use, already formatted for the language. ``name`` is the
# contact's full name, ``surname`` its last word, ``first_name`` its first, ``title`` the contact's
# title (Dr., Prof.) when one is recorded. ``contact`` in the script title is the contact's full name.
VALUES = {
    "firm", "client", "name", "first_name", "surname", "title", "contact", "sender",
    "notice_date", "end_date", "deletion_date", "accounting_until", "files_by",
    "work", "amount", "access", "credentials", "successor", "support_until", "support_fee",
}  # fmt: skip
SPECIAL = {"referral_item": {"name", "contact"}, "days": {"n"}, "clause_notice": {"notice"}}
_FIELD = re.compile(r"\{(\w*)\}")


def problems(lang: str) -> list[str]:
    """What is wrong with a language's phrases: missing or extra keys, placeholders no value fills,
    address forms that do not exist. Empty when the module is complete."""
    reference, own = module("en").T, module(lang).T
    out = [f"{lang}: missing {key!r}" for key in reference if key not in own]
    out += [f"{lang}: unknown key {key!r}" for key in own if key not in reference]
    for key, value in own.items():
        allowed = SPECIAL.get(key, set() if key.startswith("clause") else VALUES)
        if key == "days":
            texts = list(value.values())
        elif isinstance(value, dict):
            out += [f"{lang}: {key!r} has form {form!r}" for form in value if form not in ADDRESS_FORMS]
            if "neutral" not in value:
                out.append(f"{lang}: {key!r} needs a 'neutral' form")
            texts = list(value.values())
        elif isinstance(value, list):
            texts = [text for pair in value for text in pair]
        else:
            texts = [value]
        for text in texts:
            for name in _FIELD.findall(text):
                if name not in allowed:
                    out.append(f"{lang}: {key!r} uses {{{name}}}, which nothing fills")
    return out
