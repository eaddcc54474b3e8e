"""Messages of an import that can be said again in another language.

An import's problems, notes and changes are written while it runs, in the language of the member
who started it, and read later by anyone of the firm, in theirs: a Hebrew member's dry run is opened
by the English owner. So the readers and the loader make their messages with this module's
``gettext`` / ``ngettext`` / ``pgettext``, which return the translated text as a ``Said``: a ``str``
(it is used, compared and stored as one) that also remembers how it was made, the message id and the
values put into it. ``recipe()`` gives that as JSON, stored beside the text, and ``say()`` makes the
text again in the language now active.

A message made some other way (joined with ``+``, an f-string, a library's own error text) has no
recipe and is shown as it was written. Values put into a message are kept as they were (a file,
client or column name is not translated); a translated value (a ``Said``, or a ``gettext_lazy``
label) is said again too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

__all__ = ["Said", "gettext", "ngettext", "pgettext", "reason_of", "recipe", "say"]


class Said(str):
    """A translated message (a ``str``) and how it was made (``said``, a JSON-able list)."""

    said: list

    def __new__(cls, text: str, said: list) -> Said:
        obj = super().__new__(cls, text)
        obj.said = said
        return obj

    def __mod__(self, values: Any) -> Said:
        return Said(str.__mod__(self, values), ["%", self.said, _keep(values)])

    def __reduce__(self):
        return (Said, (str(self), self.said))


def gettext(message: str) -> Said:
    return Said(translation.gettext(message), ["g", message])


def pgettext(context: str, message: str) -> Said:
    return Said(translation.pgettext(context, message), ["p", context, message])


def ngettext(singular: str, plural: str, number: int) -> Said:
    return Said(translation.ngettext(singular, plural, number), ["n", singular, plural, number])


def join(separator: str, parts: Iterable[Any]) -> str:
    """``separator.join(parts)`` that, when a part was translated, is said again part by part."""
    parts = [said(p) for p in parts]
    text = separator.join(str(p) for p in parts)
    if not any(isinstance(p, Said) for p in parts):
        return text
    return Said(text, ["j", separator, [_keep_one(p) for p in parts]])


def said(value: Any) -> Any:
    """A ``gettext_lazy`` label as a ``Said`` (text in the active language, and its recipe); anything
    else as it is."""
    if isinstance(value, Promise):
        lazy = _lazy_recipe(value)
        return Said(str(value), lazy) if lazy is not None else str(value)
    return value


def recipe(text: object) -> list | None:
    """How ``text`` was made, as JSON, or None when it was not made here (it is shown as written)."""
    return text.said if isinstance(text, Said) else None


def reason_of(error: BaseException) -> str:
    """An exception's message, keeping its recipe (``str(error)`` would make a plain copy)."""
    if len(error.args) == 1 and isinstance(error.args[0], Said):
        return error.args[0]
    return str(error)


def say(text: str, said: object) -> str:
    """``text`` made again from its recipe in the language now active; ``text`` as it is when there is
    no recipe or the recipe cannot be followed (an old or damaged row never breaks a page)."""
    if not said:
        return text
    try:
        return _say(said)
    except Exception:  # any damage: AttributeError, OverflowError, RecursionError ...
        return text


def _say(said: Any) -> str:
    kind = said[0]
    if kind == "g":
        return translation.gettext(_text(said[1]))
    if kind == "p":
        return translation.pgettext(_text(said[1]), _text(said[2]))
    if kind == "n":
        number = said[3]
        if not isinstance(number, int) or isinstance(number, bool):
            raise TypeError("a plural needs a whole number")
        return translation.ngettext(_text(said[1]), _text(said[2]), number)
    if kind == "%":
        return _say(said[1]) % _values(said[2])
    if kind == "j":
        if not isinstance(said[2], list):
            raise TypeError("joined parts are a list")
        return _text(said[1]).join(str(_value(p)) for p in said[2])
    raise ValueError(f"unknown recipe {kind!r}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("a message id is text")
    return value


# A value put into a message: JSON's own scalars as they are, a translated one as {"said": recipe},
# anything else (a date, a Decimal) as the text it gave.
def _keep(values: Any) -> Any:
    if isinstance(values, Mapping):
        return {"map": {str(k): _keep_one(v) for k, v in values.items()}}
    if isinstance(values, tuple):
        return {"seq": [_keep_one(v) for v in values]}
    return {"one": _keep_one(values)}


def _keep_one(value: Any) -> Any:
    if isinstance(value, Said):
        return {"said": value.said, "text": str(value)}
    if isinstance(value, Promise):
        lazy = _lazy_recipe(value)
        if lazy is not None:
            return {"said": lazy, "text": str(value)}
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str(value)
    return {"text": str(value)}


def _lazy_recipe(value: Promise) -> list | None:
    """The recipe of a ``gettext_lazy`` / ``pgettext_lazy`` label, read from how it would be pickled."""
    try:
        _unpickle, (func, args, kw, *_classes) = value.__reduce__()
    except (TypeError, ValueError, AttributeError):
        return None
    if kw or not all(isinstance(a, str) for a in args):
        return None
    if func is translation.gettext and len(args) == 1:
        return ["g", args[0]]
    if func is translation.pgettext and len(args) == 2:
        return ["p", args[0], args[1]]
    return None


def _values(kept: Any) -> Any:
    if not isinstance(kept, dict):
        raise TypeError("values are kept in a dict")
    if "map" in kept:
        return {k: _value(v) for k, v in kept["map"].items()}
    if "seq" in kept:
        return tuple(_value(v) for v in kept["seq"])
    return _value(kept["one"])


def _value(kept: Any) -> Any:
    if isinstance(kept, dict):
        if "said" in kept:
            return say(str(kept.get("text", "")), kept["said"])
        return str(kept["text"])
    return kept
