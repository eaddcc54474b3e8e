"""The tone checker (C2, C3, C4, C5, C6, C8, C12): reads any text in a letter language and names the
rule each passage breaks, the words at fault and what to do instead.

Words live with each language's phrasing (``phrases.<lang>.TONE``); length is judged here, the same in
every language. Error-level findings stop sending unless the user overrides them with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext_lazy, ngettext

from .phrases import module

MAX_WORDS = 400  # C4, C12: a letter longer than this is no longer brief
MAX_SENTENCE_WORDS = 45

ADVICE = {
    "C2": gettext_lazy("Keep it calm and professional: drop words that sound unfriendly, even if the client was."),
    "C3": gettext_lazy("Do not blame or criticise the client: say what happens next, not what went wrong."),
    "C4": gettext_lazy("Clear and brief: facts, not opinions; do not embellish or over-justify."),
    "C5": gettext_lazy("State the decision as final: drop words that invite negotiation or suggest it may change."),
    "C6": gettext_lazy(
        "Keep the reason general and positive: say that you cannot meet their needs and another firm would serve "
        "them better."
    ),
    "C8": gettext_lazy("Avoid “break up” and “pause”: say that your services end on a date."),
}
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
NEGATED_RULES = ("C5", "C8")  # "not negotiable", "we will not reconsider", "this is not a pause" state finality
NEGATION_WINDOW = 3  # words before the passage, within its sentence
CLAUSE_END = re.compile(r"[.!?;:,—–\n]")
SENTENCE_END = re.compile(r"(?<=[.!?։])\s+|\n+")


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str  # "error" or "warning"
    start: int
    end: int
    words: str
    instead: str = ""

    def _get_advice(self) -> str:
        return str(ADVICE.get(self.rule, ""))

    advice = property(_get_advice)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "level": self.level,
            "start": self.start,
            "end": self.end,
            "words": self.words,
            "instead": self.instead,
            "advice": self.advice,
        }


def _patterns_uncached(lang: str) -> list[tuple[str, str, re.Pattern, str]]:
    return [
        (rule, level, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE), instead)
        for rule, level, pattern, instead in module(lang).TONE
    ]


_patterns = cache(_patterns_uncached)


def _negator_uncached(lang: str) -> re.Pattern | None:
    words = getattr(module(lang), "NEGATORS", "")
    return re.compile(rf"(?:{words})", re.IGNORECASE) if words else None


_negator = cache(_negator_uncached)


def _negated(text: str, start: int, lang: str) -> bool:
    """Whether one of the language's negations stands just before ``start`` in the same clause:
    "not open to negotiation" says the decision is final, which is what C5 asks for."""
    negator = _negator(lang)
    if negator is None:
        return False
    before = CLAUSE_END.split(text[:start])[-1]
    return any(negator.fullmatch(word) for word in WORD.findall(before)[-NEGATION_WINDOW:])


def tone_check(text: str, lang: str, *, limit: int | None = MAX_WORDS) -> list[Finding]:
    """Every finding in ``text``, in reading order. ``limit`` is the word count past which a letter runs
    long (None: do not judge length, e.g. for a single sentence)."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for rule, level, pattern, instead in _patterns(lang):
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue  # one finding per passage: the first rule listed wins
            if rule in NEGATED_RULES and _negated(text, span[0], lang):
                continue
            taken.append(span)
            found.append(Finding(rule, level, span[0], span[1], match.group(0), instead))
    if limit is not None:
        words = len(WORD.findall(text))
        if words > limit:
            found.append(
                Finding("C4", "warning", 0, 0, ngettext("%(words)d word", "%(words)d words", words) % {"words": words})
            )
        offset = 0
        for sentence in SENTENCE_END.split(text):
            start = text.find(sentence, offset)
            offset = start + len(sentence)
            if len(WORD.findall(sentence)) > MAX_SENTENCE_WORDS:
                found.append(Finding("C4", "warning", start, offset, sentence[:60] + "…"))
    return sorted(found, key=lambda f: (f.start, f.end))


def errors(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.level == "error"]
