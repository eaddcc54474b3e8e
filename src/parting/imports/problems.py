"""What a reader or the loader could not accept, with where it is: file, line, column, reason.

Readers do not stop at the first bad row: they report it and go on, so that a user sees every
problem of a file at once. Nothing is written while any problem is known (the loader checks).
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field

from parting.imports.i18n import gettext as _
from parting.imports.i18n import ngettext, recipe, said

MAX_KEPT = 200  # problems kept with their text; all are counted


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record comes from: the file's name as the user gave it and the 1-based line (or, for
    a mailbox or calendar, the message or event's position)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return _("%(file)s, line %(line)d") % {"file": self.file, "line": self.line} if self.line else self.file


@dataclass(frozen=True, slots=True)
class Problem:
    source: Source
    reason: str
    column: str = ""

    def __str__(self) -> str:
        where = str(self.source)
        if self.column:
            where = _("%(where)s, column %(column)s") % {"where": where, "column": repr(self.column)}
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict:
        """As stored on the import's row: with the reason's recipe, so that it is shown in the language of
        whoever reads it (``i18n.say``)."""
        stored = {"file": self.source.file, "line": self.source.line, "column": self.column, "reason": self.reason}
        said = recipe(self.reason)
        if said is not None:
            stored["said"] = said
        return stored


@dataclass
class Problems:
    """The problems of one import: the first MAX_KEPT with their text, and how many there were."""

    kept: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, source: Source, reason: str, column: str = "") -> None:
        self.count += 1
        if len(self.kept) < MAX_KEPT:
            self.kept.append(Problem(source, said(reason), column))

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        return iter(self.kept)

    def summary(self) -> list[str]:
        lines = [str(p) for p in self.kept]
        if self.count > len(self.kept):
            more = self.count - len(self.kept)
            lines.append(ngettext("… and %(n)d more problem", "… and %(n)d more problems", more) % {"n": more})
        return lines


class ImportFailed(Exception):
    """Raised by the loader when the import cannot be written; carries every problem found."""

    def __init__(self, problems: Problems):
        self.problems = problems
        super().__init__("; ".join(problems.summary()[:5]))


class FileUnreadable(Exception):
    """A whole file cannot be read (binary, unknown encoding, no header…): one problem, at line ``line``."""

    def __init__(self, reason: str, line: int = 0, column: str = ""):
        self.reason, self.line, self.column = reason, line, column
        super().__init__(reason)


# What reading a member of a damaged .zip can raise (a bad header, a broken deflate stream, a
# truncated archive, an unsupported compression or an encrypted member): a problem, never a crash.
UNPACK_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)
