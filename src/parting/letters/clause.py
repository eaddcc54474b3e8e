"""A termination clause for new engagements (N5): notify at once, optionally help find a replacement,
and refund or credit by a reasonably accurate percentage of work done — in each letter language, with
the advice to have a lawyer review it."""

from __future__ import annotations

from dataclasses import dataclass

from .phrases import RTL, days, say

BASES = ("refund", "credit")


@dataclass
class Clause:
    lang: str
    title: str
    paragraphs: list[str]
    note: str

    @property
    def rtl(self) -> bool:
        return self.lang in RTL

    @property
    def text(self) -> str:
        return "\n\n".join([self.title, *self.paragraphs])


def termination_clause(lang: str, *, notice_days: int = 14, replacement: bool = True, basis: str = "refund") -> Clause:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}")
    paragraphs = [say(lang, "clause_notice", notice=days(lang, notice_days))]
    if replacement:
        paragraphs.append(say(lang, "clause_replacement"))
    paragraphs.append(say(lang, "clause_" + basis))
    return Clause(lang=lang, title=say(lang, "clause_title"), paragraphs=paragraphs, note=say(lang, "clause_note"))
