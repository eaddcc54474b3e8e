"""The call script (C1, C5, C7, C8, C11, C12): talking points for the conversation that comes before
the letter — opening, the decision, the reason, optionally the documented reasons phrased as facts
without blame, what happens next, answers to pushback, a short close.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parting.cases.models import OffboardingCase

from .content import case_context
from .phrases import RTL, raw


@dataclass
class Section:
    key: str
    heading: str
    lines: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # pushback: what they say, what you say
    bullets: bool = False


@dataclass
class Script:
    lang: str
    title: str
    sections: list[Section]

    @property
    def rtl(self) -> bool:
        return self.lang in RTL

    def text(self) -> str:
        """All the words, for the tone checker."""
        parts = [line for s in self.sections for line in s.lines]
        parts += [said for s in self.sections for pair in s.pairs for said in pair]
        return "\n".join(parts)

    def plain(self) -> str:
        """The script as plain text, to print or read from: the title, each section under its heading,
        pushback as what they say and what you answer."""
        out = [self.title, "=" * len(self.title)]
        for section in self.sections:
            if section.heading:
                out += ["", section.heading, "-" * len(section.heading)]
            out += [("– " if section.bullets else "") + line for line in section.lines]
            for said, answer in section.pairs:
                out += [f"« {said} »", f"  → {answer}"]
        return "\n".join(out).replace("\u2066", "").replace("\u2069", "") + "\n"

    def as_dict(self) -> dict:
        return {
            "lang": self.lang,
            "dir": "rtl" if self.rtl else "ltr",
            "title": self.title,
            "sections": [
                {"heading": s.heading, "lines": s.lines, "pairs": [list(p) for p in s.pairs], "bullets": s.bullets}
                for s in self.sections
            ],
        }


def call_script(case: OffboardingCase, lang: str, *, sender, with_reasons: bool = True) -> Script:
    context = case_context(case, lang, sender=sender)
    say = context.say

    def heading(key: str) -> str:
        return say("script_heading_" + key)

    sections = [
        Section("opening", heading("opening"), [say("script_opening")]),
        Section("decision", heading("decision"), [say("script_decision")]),
        Section("reason", heading("reason"), [say("reason_" + case.outward_reason)]),
    ]
    if with_reasons:  # C7: the documented reasons, as facts; the letter keeps the general reason
        lines = []
        for reason in case.reasons.order_by("id"):
            lines.append(say("sign_" + reason.sign_id) if reason.sign_id else reason.text)
        if lines:
            sections.append(Section("reasons", heading("reasons"), [say("script_reasons_intro")]))
            sections.append(Section("reasons_list", "", lines, bullets=True))
    sections.append(Section("next", heading("next"), [say("script_next")]))
    pairs = [
        (they.format_map(context.values), you.format_map(context.values))
        for they, you in raw(lang, "script_pushback", context.address)
    ]
    sections.append(Section("pushback", heading("pushback"), pairs=pairs))  # C5, D9, D11
    sections.append(Section("close", heading("close"), [say("script_close")]))  # C9, C12
    return Script(lang=lang, title=say("script_title"), sections=sections)
