"""Reading text the way exports really come: charsets, BOMs, separators, amounts and dates.

- ``open_text``: a binary file → a text stream in its real charset: a BOM decides; else UTF-8 when
  the file's beginning is valid UTF-8; else charset-normalizer identifies the legacy charset
  (cp1250, cp1251, cp1252, koi8-r, iso-8859-2, iso-8859-8 …), re-ranked by ``detect_charset``
  (words that no language writes rule a charset out). Binary files are refused.
- ``csv_rows``: the rows of a CSV file with the line each starts on; the separator (``,``, ``;``,
  tab, ``|``) is read from the header; lines and fields have a size limit.
- ``AmountColumn`` / ``DateColumn``: a whole column is scanned to decide the decimal separator and
  the order of day and month — never a guess per row. A column that could be read both ways is an
  error that asks the user to choose (unless a preset or the saved mapping says).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import BinaryIO

from parting.imports.i18n import gettext as _
from parting.imports.i18n import ngettext

from .problems import FileUnreadable

SAMPLE_BYTES = 1 << 20  # how much of a file decides its charset
MAX_LINE = 1 << 20  # a physical line longer than this (1 MiB) is refused
MAX_FIELD = 256 * 1024  # a CSV field longer than this is refused

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def sniff_charset(sample: bytes, language: str | None = None) -> str:
    """The charset of a file from its first bytes (see the module's docstring); ``language``, the
    firm's, settles ties between legacy charsets (``detect_charset``). Raises FileUnreadable."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    if not sample:
        return "utf-8"
    if b"\x00" in sample[:8192]:
        raise FileUnreadable(_("this is a binary file, not text (it contains NUL bytes)"))
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3 and len(sample) >= SAMPLE_BYTES:
            return "utf-8"  # the sample cut a character in two
    best = detect_charset(sample, language)
    if best is None:
        raise FileUnreadable(_("the file's character set cannot be identified; save it as UTF-8 and try again"))
    return best


# Letters of the languages Parting's firms and clients write (pl, ro, ru, he; Western letters are
# neutral), and signs that show a wrong legacy charset when they appear in business text.
_TARGET = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻăâîșțşţĂÂÎȘȚŞŢ\u0400-\u04ff\u05d0-\u05ea]")
# (U+00A0, the no-break space, is the thousands separator Excel writes in French, Polish, Russian …;
# U+200E and U+200F, the left-to-right and right-to-left marks, stand around Hebrew text in cp1255.)
_NEUTRAL = set("àâäçéèêëîïôöùûüÿñßáíóúõãæøåÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÑÁÍÓÚÕÃÆØÅ„”“‘’«»–—…€£№°•·Œœ\u00a0\u200e\u200f")
# The charsets an export without a BOM may be in, most common first: the ANSI code pages Excel and
# Windows tools write (Western, Central European, Cyrillic, Hebrew, then Turkish), their
# ISO-8859 counterparts, KOI8, and what Excel for Mac and DOS tools save. Only these are considered:
# charset-normalizer also offers code pages no export is written in (cp437, mac_latin2, cp855 …), and
# on a short file one of those can read more plausibly than the real one ("Müller" as "MŁller"). The
# Baltic ones (cp1257, ISO-8859-13) are left out too: they hold Polish letters at other bytes, so
# Western text read in them turns Polish ("Señor Núñez" as "Seńor Nśńez").
# Where two of them read a file equally well, the one earlier here is taken.
LEGACY_CHARSETS = (
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1255",
    "iso8859_2",
    "iso8859_16",
    "koi8_r",
    "iso8859_8",
    "iso8859_5",
    "iso8859_15",
    "latin_1",
    "cp1254",
    "iso8859_9",
    "koi8_u",
    "mac_roman",
    "mac_cyrillic",
    "cp866",
)


_WORD = re.compile(r"[^\W\d_]+")
_NEVER_ALONE = set("ąćęłńśźżĄĆĘŁŃŚŹŻăĂșȘțȚşŞţŢ")
_LATIN = re.compile(r"[A-Za-z]")
_OTHER_SCRIPT = re.compile(r"[\u0400-\u04ff\u05d0-\u05ea]")


# The letters beyond ASCII of the Latin-script languages written in the charsets we choose between
# (cp1250, cp1252, ISO-8859-1/-2/-16): their alphabets, lower case.
_ALPHABETS = tuple(
    frozenset(letters)
    for letters in (
        "ąćęłńóśźż",  # Polish
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "čćđšž",  # Slovene, Croatian, Bosnian
        "áéíóöőúüű",  # Hungarian
        "ăâîșțşţ",  # Romanian (with the cedilla forms cp1250 and ISO-8859-2 have instead of the commas)
        "äöüß",  # German
        "àâæçéèêëîïôœùûüÿ",  # French
        "áéíóúüñ",  # Spanish
        "áâãàçéêíóôõúü",  # Portuguese
        "àèéìíîòóùú",  # Italian
        "àçèéíïòóúü",  # Catalan
        "áäéëèíïóöúü",  # Dutch
        "åäöéü",  # Swedish, Finnish
        "æøåéóô",  # Danish, Norwegian
        "áðéíóúýþæö",  # Icelandic
        "äöõüšž",  # Estonian
        "çğıöşü",  # Turkish
        "çë",  # Albanian
    )
)


# The ordinal signs of "nº 12", "1ª": letters to Unicode, but no word's.
_ORDINALS = str.maketrans("", "", "ºª")


def _swapped_case(word: str) -> bool:
    """A small letter followed by a capital one, one of them beyond ASCII ("SŃo", "DescrińŃo"): what a
    charset that holds the same letters in the other case makes of a word (cp775 read for cp1252
    turns "ã" into "Ń"). Names written so (McDonald, DuBois) keep to ASCII."""
    return any(a.islower() and b.isupper() and (ord(a) > 127 or ord(b) > 127) for a, b in pairwise(word))


def _impossible_words(words: list[str]) -> int:
    """Words no language writes: a word that mixes scripts ("Прaга" with a Latin a), a Latin word
    whose letters beyond ASCII no single alphabet of ``_ALPHABETS`` holds, or one with a capital
    beyond ASCII after a small letter (``_swapped_case``).

    A wrong single-byte charset keeps a word's ASCII letters and swaps its accented ones for the
    letters the other charset has at those bytes, which belong to another language: Portuguese
    "Descrição" in cp1252 read as cp1250 is "Descriçăo" (ç is not Romanian, ă is only Romanian), French
    "Intérêts" is "Intéręts" (é is not Polish), Czech "účetní" in cp1250 read as cp1252 is "úèetní".
    Letters that cp1250 and cp1252 share (é, á, ü, ß …) leave a word possible in both, so this only
    tells the charsets apart where they differ, and it needs no dictionary: an alphabet per language."""
    count = 0
    for word, times in Counter(words).items():  # a file repeats its words: judge each once
        if word.isascii():
            continue
        word = word.translate(_ORDINALS)
        if _LATIN.search(word) and _OTHER_SCRIPT.search(word):
            count += times
            continue
        extra = {ch for ch in word.lower().replace("i\u0307", "i") if ord(ch) > 127}  # İ lowers to i + dot
        if not extra or _OTHER_SCRIPT.search(word):
            continue
        if _swapped_case(word) or not any(extra <= alphabet for alphabet in _ALPHABETS):
            count += times
    return count


# What the language of the member who imports (their computer wrote the file) settles: which Latin
# letters count as our languages' (Cyrillic and Hebrew ones always count, and ``_letter_fit`` tells
# the two scripts apart; the Polish and Romanian letters only for a Polish or Romanian member), and
# which charsets their tools write, most common first (see ``detect_charset``).
_SCRIPTS = "\u0400-\u04ff\u05d0-\u05ea"
_OWN_LATIN = {"pl": "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "ro": "ăâîșțşţĂÂÎȘȚŞŢ", "en": "", "ru": "", "he": ""}
_LANGUAGE_LETTERS = {code: re.compile(f"[{latin}{_SCRIPTS}]") for code, latin in _OWN_LATIN.items()}
_LANGUAGE_CHARSETS = {
    "pl": ("cp1250", "iso8859_2"),
    "ro": ("cp1250", "iso8859_16", "iso8859_2"),
    "ru": ("cp1251", "koi8_r", "cp866", "iso8859_5", "mac_cyrillic"),
    "he": ("cp1255", "iso8859_8"),
}


def _plausibility(text: str, language: str | None = None) -> int:
    """Letters of our languages against stray signs and letters of other alphabets (``ď``, ``Ř``,
    ``Ý``). With ``language``, the Polish and Romanian letters count only for that language's firm
    (for the others they count as neither)."""
    letters = _LANGUAGE_LETTERS.get(language or "", _TARGET)
    target = len(letters.findall(text))
    foreign = sum(1 for ch in text if ord(ch) > 127 and ch not in _NEUTRAL and not _TARGET.match(ch))
    words = _WORD.findall(text)
    mixed = sum(len(w) for w in words if _LATIN.search(w) and _OTHER_SCRIPT.search(w))
    # A Cyrillic or Hebrew letter standing alone where no word of that script is written: a sign of a
    # Western file misread ("1 200,00 €" in cp1252 read as mac-cyrillic gives "1 200,00 А"). Real
    # Russian or Hebrew text has words of two letters and more.
    # A Polish or Romanian letter with its diacritic is never a word alone.
    alone = [w for w in words if len(w) == 1 and _OTHER_SCRIPT.match(w)]
    if alone and any(len(w) > 1 and _OTHER_SCRIPT.search(w) for w in words):
        alone = []
    alone += [w for w in words if len(w) == 1 and w in _NEVER_ALONE]
    target -= len(alone)
    foreign += len(alone)
    # Byte 0x80 is the euro sign in the Windows charsets of Western and Central Europe, where amounts
    # carry it; the charsets that read it as a letter (Ć, Ä, Ç, А) are the wrong ones.
    target += text.count("€")
    return target - 3 * foreign - 3 * mixed - 3 * _inverted_case(words)


_INVERTED = re.compile(r"[\u0430-\u045f][\u0400-\u042f]")


def _inverted_case(words: list[str]) -> int:
    """Cyrillic words with a small letter followed by a capital ("щРН", "бЕПМХРЕ"): koi8-r and
    cp1251 hold the same letters with the cases swapped, so text in one read as the other capitalises
    the middle of its words. Real text never does (an abbreviation is all capitals)."""
    return sum(1 for w in words if _INVERTED.search(w))


# The sixteen most frequent letters of Russian and of Hebrew (together about 85 % of the letters of a
# text). Hebrew text read in a Cyrillic code page turns its most frequent letters (י ו ה ל ר ב ת) into
# й е д м ш б ъ, mostly rare in Russian; real Russian text keeps to the frequent ones.
_FREQUENT = frozenset("оеаинтсрвлкмдпуяיוהלרבתמאשנעםדקח")
_CYRILLIC_OR_HEBREW = re.compile(r"[\u0430-\u045f\u05d0-\u05ea]")


def _letter_fit(text: str) -> int:
    """Cyrillic and Hebrew letters among their language's most frequent, less those that are not:
    what tells Hebrew (cp1255) from a Cyrillic reading of the same bytes (cp1251), where both are
    letters of our languages and no word is impossible."""
    letters = _CYRILLIC_OR_HEBREW.findall(text.lower())
    frequent = sum(1 for ch in letters if ch in _FREQUENT)
    return 2 * frequent - len(letters)


def detect_charset(data: bytes, language: str | None = None) -> str | None:
    """The legacy charset of undeclared 8-bit text. charset-normalizer ranks the candidates (the
    legacy charsets of our languages are added to them), and they are re-ranked in two steps:

    1. Fewest words no language writes (``_impossible_words``). cp1250 and cp1252 (and ISO-8859-2
       and -1) differ only in some accented letters, and a text read in the wrong one of them keeps
       its letters where both agree and gets another language's letters where they differ: the
       Portuguese "Duração" read as cp1250 is "Duraçăo", a word that no alphabet spells (ç is not
       Romanian, ă is only Romanian), the Czech "účetní" read as cp1252 is "úèetní". The right
       charset leaves every word in one language's alphabet. The test is symmetric (no language is
       favoured) and needs an alphabet per language, not a dictionary. A text in which every word
       could be either ("Săo Paulo" fits the Romanian alphabet) leaves the decision to step 2.
    2. How many letters belong to our languages (pl, ro, ru, he) against how many stray signs
       (¥ ³ ¿ …) appear (``_plausibility``): on short texts charset-normalizer often takes cp1252
       for Polish cp1250.
    3. For Cyrillic and Hebrew readings, how many letters are among the language's most frequent
       (``_letter_fit``): a short Hebrew file in cp1255 is also "Russian" in cp1251.

    A tie takes the charset earlier in ``LEGACY_CHARSETS`` (the more common one: cp1250's Romanian
    "Ş" stays "Ş" rather than become ISO-8859-16's "Ș"). Only charsets of ``LEGACY_CHARSETS`` are
    considered; charset-normalizer's first choice only when none of them decodes the bytes.

    ``language``, the importing member's, settles what the bytes alone cannot: "Gdańsk" in cp1250
    is "Gdañsk" in cp1252 and "São" in cp1252 is "Săo" in cp1250, each a possible word. Step 2 then
    counts the Polish or Romanian letters only for a member of that language, and their tools'
    charsets come first among ties: a Pole's file is read as cp1250, an English speaker's as cp1252."""
    from charset_normalizer import from_bytes

    ranked = [m.encoding for m in from_bytes(data)]
    order = _LANGUAGE_CHARSETS.get(language or "", ())
    order += tuple(c for c in LEGACY_CHARSETS if c not in order)
    best: tuple[tuple[int, int, int, int], str] | None = None
    for prior, name in enumerate(order):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        key = (
            -_impossible_words(_WORD.findall(text)),
            _plausibility(text, language),
            _letter_fit(text),
            -prior,
        )
        if best is None or key > best[0]:
            best = (key, name)
    if best is None:
        return ranked[0] if ranked else None
    return best[1]


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text from bytes whose declared charset may be missing or wrong (mail parts): the declared one
    when it decodes cleanly and is not a catch-all; else what charset-normalizer finds."""
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            codec = ""
        if codec and codec not in ("ascii", "us-ascii"):
            try:
                text = data.decode(codec)
                if codec not in ("latin-1", "iso8859-1", "cp1252") or not re.search(r"[\x80-\x9f]", text):
                    return text
            except UnicodeDecodeError:
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = detect_charset(data)
    return data.decode(best) if best else data.decode("utf-8", errors="replace")


_FOREIGN = (
    (b"PK\x03\x04", "zip"),  # a workbook (.xlsx, .ods) is read as its sheet before it comes here: workbook.py
    (b"%PDF-", "pdf"),
    (b"BEGIN:VCALENDAR", "calendar"),
    (b"{\\rtf", "rtf"),
)


def refuse_other_formats(sample: bytes) -> None:
    """Refuse, with the reason a user can act on, a file that is not a CSV but another format people
    pick by mistake: a spreadsheet workbook, a PDF report, a calendar. Raises FileUnreadable."""
    head = sample[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    for magic, kind in _FOREIGN:
        if head[: len(magic)].upper() == magic.upper():
            if kind == "zip":
                reason = _(
                    "this is a ZIP archive, not a CSV file or a workbook (.xlsx, .xls, .ods); unpack it and "
                    "import the file it holds"
                )
            elif kind == "pdf":
                reason = _("this is a PDF document, not a CSV file; export the report as CSV from its tool")
            elif kind == "calendar":
                reason = _("this is a calendar (.ics), not a CSV file; import it as a calendar")
            else:
                reason = _("this is a rich-text document (.rtf), not a CSV file; save it as CSV")
            raise FileUnreadable(reason, line=1)


def open_text(stream: BinaryIO, encoding: str | None = None, language: str | None = None) -> io.TextIOWrapper:
    """A text stream over ``stream`` (which must be seekable) in the file's charset."""
    if encoding is None:
        sample = stream.read(SAMPLE_BYTES)
        stream.seek(0)
        encoding = sniff_charset(sample, language)
    return io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")


def _lines(text: io.TextIOBase, start: list[int]) -> Iterator[str]:
    """Physical lines, each at most MAX_LINE characters; counts them into ``start[0]``."""
    while True:
        try:
            line = text.readline(MAX_LINE + 1)
        except UnicodeDecodeError as error:
            raise FileUnreadable(
                _("the text is not valid in its character set (%(error)s); save the file as UTF-8")
                % {"error": error.reason},
                line=start[0] + 1,
            ) from None
        if not line:
            return
        if len(line) > MAX_LINE and not line.endswith("\n"):
            raise FileUnreadable(line_too_long(MAX_LINE), line=start[0] + 1)
        start[0] += 1
        yield line


def line_too_long(limit: int) -> str:
    return ngettext("the line is longer than %(n)d character", "the line is longer than %(n)d characters", limit) % {
        "n": limit
    }


# The first line Excel writes (and reads) to name a CSV file's separator, whatever the region's list
# separator is: "sep=;" or "sep=,", sometimes quoted by a tool that re-saved the file.
SEPARATOR_HINT = re.compile(r'^\ufeff?"?sep=([,;\t|])"?[ \t]*\r?\n?$', re.IGNORECASE)


def sniff_delimiter(header: str) -> str:
    """The separator of a CSV file from its header line: the most frequent of , ; tab | outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class CsvFile:
    """The header and rows of a CSV file; iterate for ``(line, {column: value})``."""

    header: list[str]
    delimiter: str
    _rows: Iterator[tuple[int, list[str]]] = field(repr=False)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        header = self.header
        for line, row in self.lists():
            yield line, dict(zip(header, row, strict=False))

    def lists(self) -> Iterator[tuple[int, list[str]]]:
        """``(line, cells)`` as ``__iter__`` skips and pads them, without a dict per row. A row with
        more values than the header has columns is refused: its values no longer stand under their
        columns (``1,200.00`` unquoted in a comma-separated file was read as an amount of 1)."""
        width = len(self.header)
        for line, row in self._rows:
            if not (row and row[0].strip()) and not "".join(row).strip():
                continue  # blank lines and rows of empty cells
            if len(row) < width:
                row = row + [""] * (width - len(row))
            elif len(row) > width and any(cell.strip() for cell in row[width:]):
                raise FileUnreadable(too_many_values(len(row), width, self.delimiter), line=line)
            yield line, row


def too_many_values(n: int, width: int, delimiter: str) -> str:
    shown = {"\t": _("a tab")}.get(delimiter, repr(delimiter))
    return ngettext(
        "this line has %(n)d values but the header has %(width)d column: is there a value with %(sep)s in it "
        "(such as 1,200.00) that is not in quotes?",
        "this line has %(n)d values but the header has %(width)d columns: is there a value with %(sep)s in it "
        "(such as 1,200.00) that is not in quotes?",
        width,
    ) % {"n": n, "width": width, "sep": shown}


MAX_HEADER_LINES = 4  # physical lines one header may take with line breaks inside its quoted names
_ONE_LINE = re.compile(r"\s*[\r\n]+\s*")


def quoted_records(lines: list[str]) -> Iterator[tuple[int, int]]:
    """The CSV records among physical ``lines``: ``(index of its first line, lines it takes)``. A line
    break inside a quoted field (a column name typed with Alt+Enter) keeps its lines together, up to
    MAX_HEADER_LINES (a stray quote in a title line does not swallow the file)."""
    index = 0
    while index < len(lines):
        last = index
        while ends_in_quotes("".join(lines[index : last + 1])) and last + 1 < len(lines):
            if last - index + 1 >= MAX_HEADER_LINES:
                last = index  # never closed: not a quoted field after all
                break
            last += 1
        yield index, last - index + 1
        index = last + 1


def ends_in_quotes(text: str) -> bool:
    """Whether ``text`` ends inside a quoted field: one whose first character is a quote (after a
    separator , ; tab | or the line's start), not yet closed (a doubled quote inside it is a quote).
    A quote inside an unquoted field (``5" screen``, ``Acme "Q1 report``) opens nothing."""
    inside = False
    at_start = True
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if inside:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 1
                else:
                    inside = False
        elif ch == '"' and at_start:
            inside = True
        at_start = not inside and ch in ",;\t|\r\n"
        i += 1
    return inside


def csv_rows(
    stream: BinaryIO, encoding: str | None = None, delimiter: str | None = None, language: str | None = None
) -> CsvFile:
    """Open a CSV export. Raises FileUnreadable for a file without a header or a broken one, or one
    in another format (``refuse_other_formats``). ``language``: the importing member's (``detect_charset``)."""
    refuse_other_formats(stream.read(64))
    stream.seek(0)
    text = open_text(stream, encoding, language)
    counter = [0]
    lines = _lines(text, counter)
    first = next(lines, None)
    while first is not None and not first.strip():
        first = next(lines, None)
    hint = SEPARATOR_HINT.match(first or "")
    if hint:  # Excel's "sep=;" line names the separator; the header is the next line
        delimiter = delimiter or hint.group(1)
        first = next(lines, None)
        while first is not None and not first.strip():
            first = next(lines, None)
    if first is None:
        raise FileUnreadable(_("the file is empty"))
    parts = 1
    while ends_in_quotes(first) and parts < MAX_HEADER_LINES and (more := next(lines, None)) is not None:
        first += more  # a column name with a line break in it (Alt+Enter in a spreadsheet's cell)
        parts += 1
    if "\x00" in first:
        raise FileUnreadable(_("this is a binary file, not text (it contains NUL bytes)"), line=counter[0])
    delimiter = delimiter or sniff_delimiter(first)
    csv.field_size_limit(MAX_FIELD)
    try:
        header = next(csv.reader([first], delimiter=delimiter))
    except csv.Error as error:
        raise FileUnreadable(_("the header cannot be read: %(error)s") % {"error": error}, line=counter[0]) from None
    header = [_ONE_LINE.sub(" ", h.strip().strip("\ufeff").strip()) for h in header]
    if not any(header):
        raise FileUnreadable(_("the first line holds no column names"), line=counter[0])
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise FileUnreadable(
                _("the column %(column)s appears twice in the header") % {"column": repr(name)}, line=counter[0]
            )
        seen.add(name)

    def rows() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(lines, delimiter=delimiter)
        while True:
            start = counter[0] + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                reason = str(error)
                if "NUL" in reason:
                    reason = _("binary data (a NUL byte) in the text")
                elif "field larger" in reason:
                    reason = ngettext(
                        "a field is longer than %(n)d character", "a field is longer than %(n)d characters", MAX_FIELD
                    ) % {"n": MAX_FIELD}
                elif "EOF" in reason:
                    reason = _("the file ends inside a quoted field (truncated file?)")
                raise FileUnreadable(reason, line=start) from None
            if "'" in "".join(row):  # rare: look at the cells only then
                row = unguarded(row)
            yield start, row

    return CsvFile(header, delimiter, rows())


# What a spreadsheet takes for a formula at the start of a cell; a CSV written to be opened in one
# puts an apostrophe before such a text cell (OWASP, "CSV Injection"): Parting's export does, and so do
# other tools. The apostrophe is not part of the value.
FORMULA_START = frozenset("=+-@\t\r")


def unguarded(row: list[str]) -> list[str]:
    """The cells with the apostrophe taken off a guarded one ("'=SUM(A1)" is the text "=SUM(A1)")."""
    return [c[1:] if c[:1] == "'" and _guards(c[1:]) else c for c in row]


def _guards(rest: str) -> bool:
    """Whether an apostrophe before ``rest`` is one ``guarded`` put there."""
    bare = rest.lstrip("'")
    return bare[:1] != "" and bare[0] in FORMULA_START


def guarded(text: str) -> str:
    """A text cell as a spreadsheet shows it as text, not as a formula it would run: an apostrophe before
    one that starts like a formula, unless it is a plain number ("-200.00" stays a number)."""
    if text and text[0] in FORMULA_START and not _NUMBER.fullmatch(text):
        return "'" + text
    if text[:1] == "'" and _guards(text[1:]):
        return "'" + text  # apostrophes of its own before one: kept, read back as they were
    return text


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


# ---- amounts -------------------------------------------------------------------------------------

# Amounts that show their decimal separator at a glance (1234.50, -0,5): most values of most files.
_PLAIN_DOT = re.compile(r"-?\d{1,15}\.\d\d?")
_PLAIN_COMMA = re.compile(r"-?\d{1,15},\d\d?")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


class AmountError(ValueError):
    pass


def _amount_shape(text: str) -> tuple[str, bool]:
    """Clean digits/separators of ``text`` and whether it is negative; ``("", False)`` when it is
    not shaped like an amount.

    Around the number may stand a currency sign or code (``$``, ``€``, ``zł``, ``EUR``, ``руб.``), a
    sign before or after it (``-10``, ``10-``, U+2212), parentheses for a negative, and the asterisk
    some reports put on a figure; nothing may stand inside it but separators (``1O,00`` with a
    letter O is not 1,00)."""
    s = _SPACES.sub("", text.strip())
    m = _SHAPE.fullmatch(s)
    if not m:
        return "", False
    before, clean, after = m.group(1), m.group(2), m.group(3)
    if not all(ch in _AFFIX_SIGNS or ch.isalpha() or unicodedata.category(ch) == "Sc" for ch in before + after):
        return "", False
    if re.match(r"[^\W\d_](?![^\W\d_])", after):
        return "", False  # one letter straight after the digits is a typo (10.0O), not a currency
    minus = before.count("-") + before.count("−") + after.count("-") + after.count("−")
    negative = minus % 2 == 1
    if "(" in before and ")" in after:
        negative = not negative
    elif "(" in before or ")" in after:
        return "", False
    return clean, negative


_SHAPE = re.compile(r"([^\d.,]*)(\d[\d.,]*|[.,]\d[\d.,]*)([^\d,]*?)\.?")
_AFFIX_SIGNS = set("-+−()*")


def _vote(clean: str) -> str | None:
    """Which decimal separator a single value shows: '.', ',' or None when it cannot tell."""
    dot, comma = clean.rfind("."), clean.rfind(",")
    if dot >= 0 and comma >= 0:
        return "." if dot > comma else ","
    sep, pos = (".", dot) if dot >= 0 else (",", comma)
    if pos < 0:
        return None
    if clean.count(sep) > 1:
        return "," if sep == "." else "."  # 1.234.567 → the dots group thousands
    decimals = len(clean) - pos - 1
    return sep if decimals != 3 else None  # 1,234 could be either


@dataclass
class AmountColumn:
    """Decides a column's decimal separator from all its values (``scan``), then parses them."""

    name: str
    decimal: str | None = None  # '.' or ','; None until decided
    votes: dict[str, int] = field(default_factory=lambda: {".": 0, ",": 0})

    def scan(self, value: str, count: int = 1) -> None:
        """Count ``value`` (seen ``count`` times) towards the separator it shows."""
        if not value:
            return
        if _PLAIN_DOT.fullmatch(value):
            self.votes["."] += count
        elif _PLAIN_COMMA.fullmatch(value):
            self.votes[","] += count
        elif value.strip():
            vote = _vote(_amount_shape(value)[0])
            if vote:
                self.votes[vote] += count

    @staticmethod
    def shows(value: str) -> str | None:
        """The decimal separator one value shows ('.', ',' or None when it cannot tell)."""
        if _PLAIN_DOT.fullmatch(value):
            return "."
        if _PLAIN_COMMA.fullmatch(value):
            return ","
        return _vote(_amount_shape(value)[0]) if value.strip() else None

    def decide(self, hint: str = ".") -> None:
        """After the scan: the separator the column shows; ``hint`` when no value tells."""
        if self.decimal:
            return
        dots, commas = self.votes["."], self.votes[","]
        if dots and commas:
            raise AmountError(
                ngettext(
                    "the column mixes decimal points and decimal commas (%(dots)d value with a point, "
                    "%(commas)d with a comma); correct the file",
                    "the column mixes decimal points and decimal commas (%(dots)d values with a point, "
                    "%(commas)d with a comma); correct the file",
                    dots,
                )
                % {"dots": dots, "commas": commas}
            )
        self.decimal = "." if dots else "," if commas else hint

    def parse(self, value: str) -> Decimal:
        clean, negative = _amount_shape(value)
        if not clean or not any(ch.isdigit() for ch in clean):
            raise AmountError(_not_an_amount(value))
        decimal = self.decimal or "."
        thousands = "," if decimal == "." else "."
        clean = clean.replace(thousands, "")
        if decimal == ",":
            clean = clean.replace(",", ".")
        if clean.count(".") > 1 or not re.fullmatch(r"\d*\.?\d*", clean):
            raise AmountError(_not_an_amount(value))
        try:
            amount = Decimal(clean)
        except InvalidOperation:
            raise AmountError(_not_an_amount(value)) from None
        if abs(amount) >= Decimal("1e10"):
            raise AmountError(_("%(value)s is too large") % {"value": repr(value.strip())})
        return -amount if negative else amount


# Signs and words that name one currency wherever they are written. "$", "kr" and "¥" name several:
# read as the firm's own currency where it is one of them ("$" else as the US dollar, the one a
# foreign export most often means; "kr" and "¥" else as nothing the amount says).
_CURRENCY_SIGNS = {
    "£": "GBP", "€": "EUR", "₪": "ILS", "₽": "RUB", "₴": "UAH", "₺": "TRY", "₹": "INR", "₩": "KRW",
    "₸": "KZT", "₾": "GEL", "zł": "PLN", "zl": "PLN", "lei": "RON", "руб": "RUB", "р": "RUB", "грн": "UAH",
    "kč": "CZK", "ft": "HUF", "лв": "BGN", "us$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD",
    "au$": "AUD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "r$": "BRL", "mx$": "MXN", "fr": "CHF",
    "ש\"ח": "ILS", "שח": "ILS",
}  # fmt: skip
_SHARED_SIGNS = {
    "$": ({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP", "TWD"}, "USD"),
    "kr": ({"SEK", "NOK", "DKK", "ISK"}, ""),
    "¥": ({"JPY", "CNY"}, ""),
}


def currency_in(value: str, home: str = "") -> str:
    """The ISO code of the currency an amount's own text names (``£1,200.00``, ``1 234,50 zł``,
    ``EUR 10``, ``-$1,500.00``), or "" when it names none or one that cannot be told; ``home``, the
    firm's currency, settles a sign several currencies use."""
    text = _SPACES.sub("", value.strip())
    m = _SHAPE.fullmatch(text)
    if not m:
        return ""
    affix = "".join(ch for ch in m.group(1) + m.group(3) if ch not in _AFFIX_SIGNS).rstrip(".").casefold()
    if not affix:
        return ""
    if affix in _CURRENCY_SIGNS:
        return _CURRENCY_SIGNS[affix]
    if affix in _SHARED_SIGNS:
        users, otherwise = _SHARED_SIGNS[affix]
        return home if home in users else otherwise
    code = affix.upper()
    return code if len(code) == 3 and code.isascii() and code in _iso_codes() else ""


_ISO_CODES: frozenset[str] | None = None


def _iso_codes() -> frozenset[str]:
    global _ISO_CODES
    if _ISO_CODES is None:
        from babel.numbers import list_currencies

        _ISO_CODES = frozenset(list_currencies())
    return _ISO_CODES


def _not_an_amount(value: str) -> str:
    return _("%(value)s is not an amount") % {"value": repr(value.strip())}


# ---- dates ---------------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_NUMERIC = re.compile(r"^(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?:[ T,]+.*)?$")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
# Month names (and Excel's abbreviations) of the languages Parting's users keep sheets in: Romanian
# Excel shows "5 ian. 2026", Polish "5 sty 2026" or "5 stycznia 2026", Russian "5 янв. 2026".
_MONTH_WORDS = (
    ("ian", "ianuarie", "sty", "styczeń", "stycznia", "янв", "январь", "января"),
    ("februarie", "lut", "luty", "lutego", "фев", "февр", "февраль", "февраля"),
    ("martie", "marzec", "marca", "мар", "март", "марта"),
    ("aprilie", "kwi", "kwiecień", "kwietnia", "апр", "апрель", "апреля"),
    ("mai", "maj", "maja", "май", "мая"),
    ("iun", "iunie", "cze", "czerwiec", "czerwca", "июн", "июнь", "июня"),
    ("iul", "iulie", "lip", "lipiec", "lipca", "июл", "июль", "июля"),
    ("sie", "sierpień", "sierpnia", "авг", "август", "августа"),
    ("septembrie", "wrz", "wrzesień", "września", "сен", "сент", "сентябрь", "сентября"),
    ("octombrie", "paź", "paz", "październik", "października", "окт", "октябрь", "октября"),
    ("noi", "noiembrie", "lis", "listopad", "listopada", "ноя", "нояб", "ноябрь", "ноября"),
    ("decembrie", "gru", "grudzień", "grudnia", "дек", "декабрь", "декабря"),
)
_MONTHS.update({word: n for n, words in enumerate(_MONTH_WORDS, 1) for word in words})
# 31 Jan 2026, 31-Jan-2026, and 31-Jan-26 (what Excel shows, and saves, for a date it recognised)
_NAMED_DMY = re.compile(r"^(\d{1,2})[ -]([^\W\d_]{3,12})\.?[ ,-]*(\d{4}|\d{2})(?:\s*(?:r\.|г\.?))?(?:[ T,]+.*)?$")
_NAMED_MDY = re.compile(r"^([^\W\d_]{3,12})\.? (\d{1,2}),? (\d{4})(?:[ T,]+.*)?$")  # Jan 31, 2026

ORDERS = ("dmy", "mdy", "ymd")


class DateError(ValueError):
    pass


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


@dataclass
class DateColumn:
    """Decides a column's order of day and month from all its values (``scan``), then parses them.

    ISO dates and dates with month names are read as they are. Dotted dates (31.01.2026) are
    day-first, as everywhere they are written. For slashes and dashes, a value whose first number is
    above 12 shows day-first, one whose second is above 12 shows month-first; a column that shows
    both is an error, and one that shows neither needs ``order`` from a preset or the mapping.
    """

    name: str
    order: str | None = None  # 'dmy' or 'mdy' for numeric dates with / or -
    day_first: int = 0
    month_first: int = 0
    undecided: int = 0
    example: str = ""
    dotted: int = 0  # 31.01.2026: always day-first
    iso: int = 0  # 2026-01-31: nothing to decide, but a sign beside day-first text dates (``swapped``)
    iso_late: int = 0  # … of them after the 12th of their month

    def _iso(self, day: str, count: int) -> None:
        self.iso += count
        if day.isdigit() and int(day) > 12:
            self.iso_late += count

    def scan(self, value: str, count: int = 1) -> None:
        """Count ``value`` (seen ``count`` times) towards the order of day and month it shows."""
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            self._iso(value[8:10], count)
            return  # ISO (2026-01-31): nothing to decide
        value = value.strip()
        if not value:
            return
        if m := _ISO.match(value):
            self._iso(m.group(3), count)
            return
        m = _NUMERIC.match(value)
        if not m or len(m.group(1)) == 4:
            return
        if m.group(2) == ".":
            self.dotted += count
            return
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b:
            self.day_first += count
        elif b > 12 >= a:
            self.month_first += count
        else:
            self.undecided += count
            self.example = self.example or value

    @property
    def rewritten(self) -> bool:
        """Month-first dates beside dotted day-first ones: what a spreadsheet set to a European
        region leaves of a US export — it turned the dates it could read (01/05/2026) into its own
        format (01.05.2026, the 1st of May) and kept the others (01/31/2026) as text."""
        return bool(self.dotted and (self.month_first or self.order == "mdy"))

    @property
    def swapped(self) -> bool:
        """ISO dates, none after the 12th, beside day-first dates kept as text (13/01/2026), none
        month-first: what a spreadsheet set to a month-first region leaves of a day-first export saved
        as a workbook — it turned the dates it could read (02/01/2026) into dates of its own order
        (1 February: never after the 12th), which the workbook holds as dates, and kept the others as
        text. One text date among ISO ones is a typo, reported at its line, not this."""
        return bool(self.iso and not self.iso_late and self.day_first >= 2 and not self.month_first)

    def decide(self) -> None:
        if self.swapped:
            raise DateError(
                _(
                    "the column mixes dates stored as dates with day-first dates kept as text such as 13/01/2026 "
                    "(%(text)d of them): a spreadsheet set to month-first dates has probably read the others "
                    "month-first and so swapped their day and month; export the file again and import it "
                    "without opening it in a spreadsheet, or correct the dates"
                )
                % {"text": self.day_first}
            )
        if self.rewritten:
            raise DateError(
                _(
                    "the column mixes month-first dates such as 1/31/2026 with dotted dates such as 01.05.2026 "
                    "(%(dotted)d of them): a spreadsheet has probably rewritten the dates it could read in its "
                    "own format and so swapped their day and month; export the file again and import it "
                    "without opening it in a spreadsheet"
                )
                % {"dotted": self.dotted}
            )
        if self.order:
            return
        if self.day_first and self.month_first:
            raise DateError(
                _(
                    "the column mixes day-first and month-first dates (%(day_first)d with the day first, "
                    "%(month_first)d with the month first); correct the file"
                )
                % {"day_first": self.day_first, "month_first": self.month_first}
            )
        if self.day_first:
            self.order = "dmy"
        elif self.month_first:
            self.order = "mdy"
        elif self.undecided:
            raise DateError(
                _(
                    "the dates cannot tell whether the day or the month comes first (e.g. %(example)s); "
                    "say which (day-first or month-first)"
                )
                % {"example": repr(self.example)}
            )

    def parse(self, value: str) -> dt.date:
        value = value.strip()
        try:
            return self._parse(value)
        except ValueError as error:
            if isinstance(error, DateError):
                raise
            raise DateError(_not_a_date(value)) from None

    def _parse(self, value: str) -> dt.date:
        if not value:
            raise DateError(_("the date is missing"))
        m = _ISO.match(value)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _NUMERIC.match(value)
        if m:
            first, sep, second, year = m.groups()
            if len(first) == 4:  # 2026/01/31
                return dt.date(int(first), int(second), int(year))
            if sep == "." or self.order == "dmy":
                return dt.date(_year(year), int(second), int(first))
            if self.order == "mdy":
                return dt.date(_year(year), int(first), int(second))
            a, b = int(first), int(second)
            if a > 12:
                return dt.date(_year(year), b, a)
            if b > 12:
                return dt.date(_year(year), a, b)
            raise DateError(
                _("%(value)s could be read with the day or the month first; say which") % {"value": repr(value)}
            )
        m = _NAMED_DMY.match(value)
        if m and m.group(2).casefold() in _MONTHS:
            return dt.date(_year(m.group(3)), _MONTHS[m.group(2).casefold()], int(m.group(1)))
        m = _NAMED_MDY.match(value)
        if m and m.group(1).casefold() in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS[m.group(1).casefold()], int(m.group(2)))
        raise DateError(_not_a_date(value))


def _not_a_date(value: str) -> str:
    return _("%(value)s is not a date") % {"value": repr(value)}


def parse_hours(value: str) -> Decimal:
    """A duration as time trackers write it: ``1:30:00``, ``1:30``, ``1.5``, ``1,5`` → hours."""
    value = value.strip()
    if not value:
        raise ValueError(_("the duration is missing"))
    m = re.fullmatch(r"(\d{1,4}):([0-5]?\d)(?::([0-5]?\d))?", value)
    if m:
        seconds = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))
    m = re.fullmatch(r"\d{1,4}(?:[.,]\d+)?", value)
    if m:
        return Decimal(value.replace(",", ".")).quantize(Decimal("0.01"))
    raise ValueError(f"{value!r} is not a duration")


# Yes and no as exports and people write them, and the TRUE and FALSE a spreadsheet writes in its
# own language when it saves a file it opened (Excel's German WAHR/FALSCH, French VRAI/FAUX …).
_YES = frozenset(
    "yes y true 1 x billable tak da да כן ja oui sí sì si sim "  # noqa: SIM905 (a list of words, one line per kind)
    "wahr vrai verdadero vero verdadeiro waar prawda adevărat adevarat истина "
    "sant sand sann tosi pravda igaz doğru אמת".split()
)
_NO = frozenset(
    "no n false 0 non-billable nie nu нет לא nein non não nao "  # noqa: SIM905
    "falsch faux falso onwaar fałsz falsz fals ложь falskt falsk usann "
    "epätosi nepravda hamis yanliş yanlış שקר".split()
) | {""}


def truthy(value: str) -> bool | None:
    """Yes/no as exports write it; None when the cell says neither."""
    v = value.strip().lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    return None


def either(names: Iterable[str]) -> str:
    """``'a' or 'b' or 'c'`` in the active language (column names a problem offers)."""
    joined = ""
    for name in names:
        joined = _("%(one)s or %(other)s") % {"one": joined, "other": name} if joined else name
    return joined


def first_present(row: dict[str, str], names: Iterable[str]) -> str:
    for name in names:
        value = row.get(name)
        if value:
            return value
    return ""
