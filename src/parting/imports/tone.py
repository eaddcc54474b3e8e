"""A negative-tone heuristic for client mail (W10 "every conversation is negative") and a crude
language guess. It is a heuristic, shown as such on the page: a short, documented list of words
per language, not a model.

``negative(text, language)`` scores a message:

- every entry of the language's list found in the text adds its weight once (1: complaint, blame,
  anger — "disappointed", "разочарован", "rozczarowany", "dezamăgit", "מאוכזב"; 2: threats and
  accusations — "legal action", "в суд", "do sądu", "în instanță", "בית משפט", "fraud");
- shouting adds 1: most letters in capitals, or three capitalised words in a row;
- a flurry of exclamation marks adds 1: "!!" or three or more "!".

The message is negative when the score reaches ``THRESHOLD`` (2): one complaint word alone ("could
you refund the duplicate charge?") is not enough; two, or one threat, or one complaint shouted, is.

Entries are matched on words, after folding case (and, for Polish and Romanian, diacritics, which
people often leave out; ё → е in Russian; Hebrew points removed). An entry word ending in ``*`` is a
stem: it matches any word that begins with it, so inflected forms count (разочарован, разочарована,
разочарованы; rozczarowany, rozczarowana, rozczarowani). A Hebrew word may carry up to two of the
one-letter prefixes ו ה ב ל מ ש כ (ומאוכזב, לבית המשפט). Entries of several words match words in a
row. The English list is used for every language (clients mix in English); the language's own list
comes on top; when the language is unknown every list is used.

Known limits (docs/imports.md repeats them): negations are not understood ("not disappointed"
counts), irony is not seen, and a quoted complaint counts unless the quote is marked as one (the
mail reader removes quoted replies first).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

THRESHOLD = 2

# (entry, weight). Entries are the authors' own short lists, chosen for business mail between a
# firm and its clients; they are deliberately modest.
WORDS: dict[str, tuple[tuple[str, int], ...]] = {
    "en": (
        ("unacceptab*", 1),
        ("disappoint*", 1),
        ("dissatisf*", 1),
        ("unhappy", 1),
        ("ridiculous*", 1),
        ("refund*", 1),
        ("worst", 1),
        ("terrible", 1),
        ("awful", 1),
        ("horrible", 1),
        ("appalling", 1),
        ("outrage*", 1),
        ("furious*", 1),
        ("angry", 1),
        ("annoyed", 1),
        ("frustrat*", 1),
        ("disgust*", 1),
        ("incompeten*", 1),
        ("unprofessional*", 1),
        ("useless", 1),
        ("pathetic", 1),
        ("complain*", 1),
        ("rip off", 1),
        ("ripoff", 1),
        ("waste of", 1),
        ("fed up", 1),
        ("sick of", 1),
        ("never again", 1),
        ("shame on", 1),
        ("how dare", 1),
        ("lawyer*", 1),
        ("attorney*", 1),
        ("legal action", 2),
        ("sue you", 2),
        ("in court", 2),
        ("to court", 2),
        ("small claims", 2),
        ("chargeback*", 2),
        ("fraud*", 2),
        ("scam*", 2),
    ),
    "ru": (
        ("недопустим*", 1),
        ("неприемлем*", 1),
        ("возмутительн*", 1),
        ("возмущ*", 1),
        ("безобрази*", 1),
        ("разочарова*", 1),
        ("недовол*", 1),
        ("ужасн*", 1),
        ("отвратительн*", 1),
        ("кошмар*", 1),
        ("позор*", 1),
        ("некомпетентн*", 1),
        ("безответственн*", 1),
        ("бардак*", 1),
        ("хамств*", 1),
        ("издевательств*", 1),
        ("халтур*", 1),
        ("претензи*", 1),
        ("жалоб*", 1),
        ("верн* деньги", 1),
        ("возврат* денег", 1),
        ("сколько можно", 1),
        ("надоел*", 1),
        ("юрист*", 1),
        ("адвокат*", 1),
        ("в суд", 2),
        ("судебн*", 2),
        ("обман*", 2),
        ("мошенни*", 2),
    ),
    "pl": (
        ("skandal*", 1),
        ("niedopuszczaln*", 1),
        ("nieakceptowaln*", 1),
        ("rozczarowa*", 1),
        ("niezadowol*", 1),
        ("zenujac*", 1),
        ("oburz*", 1),
        ("fataln*", 1),
        ("okropn*", 1),
        ("beznadziejn*", 1),
        ("niekompetentn*", 1),
        ("nieprofesjonaln*", 1),
        ("kpin*", 1),
        ("reklamacj*", 1),
        ("skarg*", 1),
        ("zwrot* pieniedzy", 1),
        ("mam dosc", 1),
        ("prawnik*", 1),
        ("adwokat*", 1),
        ("do sadu", 2),
        ("sadow*", 2),
        ("oszust*", 2),
        ("oszuk*", 2),
    ),
    "ro": (
        ("inacceptabil*", 1),
        ("dezamagi*", 1),
        ("nemultumi*", 1),
        ("revolt*", 1),
        ("scandalos*", 1),
        ("groaznic*", 1),
        ("oribil*", 1),
        ("jenant*", 1),
        ("incompetent*", 1),
        ("neprofesionist*", 1),
        ("bataie de joc", 1),
        ("batjocur*", 1),
        ("rambursa*", 1),
        ("banii inapoi", 1),
        ("reclamati*", 1),
        ("plangere*", 1),
        ("saturat*", 1),
        ("avocat*", 1),
        ("in instanta", 2),
        ("in judecata", 2),
        ("frauda*", 2),
        ("teapa*", 2),
        ("inselat*", 2),
    ),
    "he": (
        ("לא מקובל*", 1),
        ("מאוכזב*", 1),
        ("לא מרוצ*", 1),
        ("אכזבה", 1),
        ("חוצפה", 1),
        ("חוצפן*", 1),
        ("שערוריי*", 1),
        ("מזעזע*", 1),
        ("מחפיר*", 1),
        ("בושה", 1),
        ("זלזול", 1),
        ("מזלזל*", 1),
        ("גרוע*", 1),
        ("תלונה", 1),
        ("תלונות", 1),
        ("החזר כספי", 1),
        ("עורך דין", 1),
        ("עורכת דין", 1),
        ('עו"ד', 1),
        ("בית משפט", 2),
        ("תביעה", 2),
        ("אתבע*", 2),
        ("הונאה", 2),
        ("רמאות", 2),
        ("רמאי*", 2),
    ),
}

LANGUAGES = tuple(WORDS)

_HEBREW_PREFIXES = set("והבלמשכ")
_TOKEN = re.compile(r"[^\W_]+(?:[\"'״׳][^\W_]+)*")
_FOLD_LANGS = {"pl", "ro"}


def _fold(word: str) -> str:
    """Lower case without diacritics (ł → l, ș → s, ă → a), ё → е, Hebrew points removed."""
    word = word.casefold().replace("ё", "е").replace("ł", "l").replace("״", '"').replace("׳", "'")
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """The words of ``text``, folded (see ``_fold``)."""
    return [_fold(t) for t in _TOKEN.findall(text)]


Entry = tuple[tuple[str, ...], int, str]  # (folded words, weight, the entry as written)


@cache
def _index(language: str) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
    """The entries for ``language`` ("" for every language), indexed by their first word: exact
    words by the word, stems by their first three letters."""
    langs = LANGUAGES if language not in WORDS else tuple(dict.fromkeys(("en", language)))
    exact: dict[str, list[Entry]] = {}
    stems: dict[str, list[Entry]] = {}
    for lang in langs:
        for text, weight in WORDS[lang]:
            words = tuple(_fold(w) for w in text.split())
            entry = (words, weight, text)
            first = words[0]
            if first.endswith("*"):
                assert len(first) > 3, text  # a stem has at least three letters
                stems.setdefault(first[:3], []).append(entry)
            else:
                exact.setdefault(first, []).append(entry)
    return exact, stems


def _word_matches(pattern: str, token: str) -> bool:
    if pattern.endswith("*"):
        return any(c.startswith(pattern[:-1]) for c in _forms(token))
    return pattern in _forms(token)


def _forms(token: str) -> tuple[str, ...]:
    """The token, and without one or two Hebrew one-letter prefixes (ו ה ב ל מ ש כ)."""
    if len(token) > 1 and token[0] in _HEBREW_PREFIXES:
        if len(token) > 2 and token[1] in _HEBREW_PREFIXES:
            return (token, token[1:], token[2:])
        return (token, token[1:])
    return (token,)


def matches(text: str, language: str = "") -> list[tuple[str, int]]:
    """The entries found in ``text`` with their weights (each entry once)."""
    words = tokens(text)
    exact, stems = _index(language)
    found: dict[str, int] = {}
    for i, token in enumerate(words):
        for form in _forms(token):
            for entry_words, weight, label in exact.get(form, []) + stems.get(form[:3], []):
                if label in found or i + len(entry_words) > len(words):
                    continue
                if all(_word_matches(entry_words[j], words[i + j]) for j in range(len(entry_words))):
                    found[label] = weight
    return list(found.items())


# "Re:", "Fwd:" … before a subject, in the mail programs of the firm's languages: not shouting.
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|odp|pd|tr|rv|ref|отв|ответ|пересл|השב|הועבר)\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE | re.MULTILINE,
)
# Legal forms: a run of capitals holding one is a company's name as it is registered
# ("PHU NOWAK HANDEL SP. Z O.O.", "ООО «СТРОЙИНВЕСТ ГРУПП»", "ACME HOLDINGS LTD"), not shouting.
LEGAL_FORMS = frozenset(
    [
        "ltd",
        "limited",
        "llc",
        "llp",
        "inc",
        "plc",
        "corp",
        "gmbh",
        "ag",
        "kg",
        "sa",
        "srl",
        "sp",
        "phu",
        "pphu",
        "fhu",
        "sc",
        "spa",
        "bv",
        "nv",
        "oü",
        "ооо",
        "оао",
        "зао",
        "пао",
        "ао",
        "ип",
    ]
)


def shouting(text: str) -> bool:
    """Most letters in capitals (at least 12 cased letters), or three capitalised words in a row
    on one line (at least 10 letters; a number ends the row; "RE:" / "Fwd:" prefixes and company
    names with their legal form do not count)."""
    text = _REPLY_PREFIX.sub("", text)
    cased = [ch for ch in text if ch.isalpha() and (ch.isupper() or ch.islower())]
    if len(cased) >= 12 and sum(ch.isupper() for ch in cased) >= 0.6 * len(cased):
        return True
    for line in text.splitlines():
        run: list[str] = []
        for match in re.finditer(r"[^\W\d_]+|\d+", line + " 0"):  # the number ends the last run
            word = match.group()
            if len(word) >= 2 and word.isupper():
                run.append(word)
            elif not (len(word) == 1 and word.isupper() and run):  # "SP Z O O": a lone capital goes on
                if len(run) >= 3 and sum(map(len, run)) >= 10 and not LEGAL_FORMS.intersection(map(str.casefold, run)):
                    return True
                run = []
    return False


def exclaiming(text: str) -> bool:
    """ "!!" anywhere, or three exclamation marks or more."""
    return "!!" in text or text.count("!") >= 3


def score(text: str, language: str = "") -> int:
    """The heuristic's score (see the module's docstring)."""
    total = sum(weight for _, weight in matches(text, language))
    return total + shouting(text) + exclaiming(text)


def negative(text: str, language: str = "") -> bool:
    """W10: whether ``text`` reads as negative by the heuristic (score ≥ THRESHOLD).

    ``language`` is "en", "ru", "pl", "ro" or "he"; "" (or another) uses the guess from the text,
    and every list when even that is unsure.
    """
    if language not in WORDS:
        language = guess_language(text)
    return score(text, language) >= THRESHOLD


# ---- language --------------------------------------------------------------------------------------

_HEBREW = re.compile(r"[\u05d0-\u05ea]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_POLISH = re.compile(r"[ąćęłńśźżĄĆĘŁŃŚŹŻ]")
_ROMANIAN = re.compile(r"[ăâîșțşţĂÂÎȘȚŞŢ]")
_STOPWORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "you",
            "your",
            "is",
            "are",
            "of",
            "with",
            "this",
            "that",
            "we",
            "please",
            "for",
            "have",
            "will",
            "would",
            "not",
            "it",
            "our",
            "thank",
            "thanks",
        ]
    ),
    "pl": frozenset(
        [
            "nie",
            "się",
            "sie",
            "jest",
            "że",
            "ze",
            "na",
            "jak",
            "ale",
            "czy",
            "tak",
            "już",
            "juz",
            "proszę",
            "prosze",
            "dla",
            "przez",
            "jestem",
            "być",
            "byc",
        ]
    ),
    "ro": frozenset(
        [
            "și",
            "si",
            "este",
            "nu",
            "la",
            "cu",
            "că",
            "ca",
            "pe",
            "să",
            "sa",
            "pentru",
            "mai",
            "sunt",
            "din",
            "vă",
            "va",
            "dumneavoastră",
            "dumneavoastra",
            "mulțumesc",
        ]
    ),
}


def guess_language(text: str) -> str:
    """ "en", "ru", "pl", "ro" or "he" from the script and common words; "" when unsure."""
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return ""
    hebrew = len(_HEBREW.findall(text))
    cyrillic = len(_CYRILLIC.findall(text))
    if hebrew >= 3 and hebrew >= 0.3 * letters:
        return "he"
    if cyrillic >= 3 and cyrillic >= 0.3 * letters:
        return "" if len(_UKRAINIAN.findall(text)) >= 2 else "ru"
    words = re.findall(r"[^\W\d_]+", text.casefold())
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    scores["pl"] += 2 * len(_POLISH.findall(text))
    scores["ro"] += 2 * len(_ROMANIAN.findall(text))
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= 2 and top > second else ""
