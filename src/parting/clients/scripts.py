"""Which script a name or label is written in (Latin, Cyrillic, Hebrew), and which script each letter
language writes in — so a letter never puts "Соколов" after "Dear Mr" without the user knowing.

Script is a fact of the characters (Unicode names them), so it is told with certainty. Telling one
Latin-script language from another is not: ``language_doubt`` only says when a label *looks* English
in a Polish or Romanian letter (or Polish/Romanian in an English one), from diacritics and a short list
of common words, and never claims more.
"""

from __future__ import annotations

import re
import unicodedata

LATIN, CYRILLIC, HEBREW = "latin", "cyrillic", "hebrew"
SCRIPT_OF_LANGUAGE = {"en": LATIN, "pl": LATIN, "ro": LATIN, "ru": CYRILLIC, "he": HEBREW}
_PREFIX = {"LATIN": LATIN, "CYRILLIC": CYRILLIC, "HEBREW": HEBREW}


def script_of(text: str) -> str:
    """The script most of the letters of ``text`` are in; "" when it has none of the three."""
    seen: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            script = _PREFIX.get(unicodedata.name(char, "").split(" ")[0], "")
            if script:
                seen[script] = seen.get(script, 0) + 1
    return max(seen, key=seen.get) if seen else ""


def fits_script(text: str, lang: str) -> bool:
    """Whether ``text`` is written in the script of a letter in ``lang`` (text without letters fits)."""
    script = script_of(text)
    return not script or script == SCRIPT_OF_LANGUAGE.get(lang, script)


_WORD = re.compile(r"[^\W\d_]+")
# Short, common words of each Latin-script letter language; a label with two of another language's and
# none of its own reads as that other language. Brand names ("ING Business") are left alone: only
# lower-case words count, as a system's own name is capitalised.
_COMMON = {
    "en": {"for", "the", "of", "and", "account", "accounts", "return", "online", "services", "annual", "portal",
           "we", "them", "set", "up", "with", "admin", "payroll", "report", "tax", "papers", "board", "domain"},
    "pl": {"za", "dla", "i", "na", "do", "konto", "deklaracja", "sprawozdanie", "roczne", "rok", "podatek",
           "płace", "listopad", "grudzień", "portal", "domeny", "w", "z"},
    "ro": {"pentru", "și", "de", "la", "cu", "contul", "cont", "declarația", "situațiile", "anuale", "impozit",
           "salarizare", "portalul", "al", "din"},
}  # fmt: skip
_MARKS = {"pl": set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"), "ro": set("ăâîșțşţĂÂÎȘȚŞŢ")}


def _described(word: str) -> bool:
    """A lower-case word of three letters or more: description, not a name ("e-" in "e-MTA" is neither)."""
    return len(word) >= 3 and word.islower()


def _looks(text: str) -> str:
    """The Latin-script letter language ``text`` reads as, or "" when it cannot be told."""
    words = [w for w in _WORD.findall(text) if w.islower()]  # a capitalised word may be a name: "e-Urząd"
    lower = "".join(words)
    if any(char in _MARKS["ro"] for char in lower):
        return "ro"
    if any(char in _MARKS["pl"] for char in lower):
        return "pl"
    scores = {lang: sum(w in common for w in words) for lang, common in _COMMON.items()}
    best = max(scores, key=scores.get)
    if scores[best] >= 1 and list(scores.values()).count(scores[best]) == 1:
        return best
    return ""


def language_doubt(text: str, lang: str) -> str:
    """Why ``text`` may not be in ``lang``: "script" when it is written in another script (certain),
    "language" when it looks like another Latin-script language (a guess), "" when nothing suggests so."""
    if not fits_script(text, lang):
        # A Latin proper name ("ING Business", "Xero") in a Cyrillic or Hebrew letter is as the client
        # knows it; a label with lower-case words ("HMRC online services") is description, to translate.
        if script_of(text) == LATIN and SCRIPT_OF_LANGUAGE.get(lang) != LATIN:
            return "script" if any(_described(w) for w in _WORD.findall(text)) else ""
        return "script"
    if SCRIPT_OF_LANGUAGE.get(lang) == LATIN and lang in _COMMON:
        looks = _looks(text)
        if looks and looks != lang:
            return "language"
    return ""
