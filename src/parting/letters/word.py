"""DOCX through python-docx: an editable letter. Hebrew paragraphs carry ``w:bidi`` and their runs
``w:rtl``, so Word lays them out right to left with Latin names and numbers in place."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .content import Document, direction

PAPER = {"a4": (Mm(210), Mm(297)), "us-letter": (Mm(215.9), Mm(279.4))}


def _right_to_left(paragraph) -> None:
    properties = paragraph._p.get_or_add_pPr()
    properties.insert(0, OxmlElement("w:bidi"))
    for run in paragraph.runs:
        run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def _align(paragraph, where: str) -> None:
    """``start`` or ``end`` of the line in the paragraph's own direction (ISO 29500 ``w:jc``)."""
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), where)
    paragraph._p.get_or_add_pPr().append(jc)


def _paragraph(word, text: str, rtl: bool, *, style=None, bold=False, size=None, at: str = "") -> None:
    """A paragraph of the letter. ``at`` places a line standing alone (letterhead, recipient, date,
    signature) at the ``start`` or ``end`` of the page; such a line keeps its own direction, so a Latin
    address in a Hebrew letter reads left to right and still sits where the Hebrew page puts it."""
    paragraph = word.add_paragraph(style=style)
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    own = direction(text, "rtl" if rtl else "ltr") == "rtl" if at else rtl
    if own:
        _right_to_left(paragraph)
    if at and not own:  # a left-to-right line: absolute sides, by the page's direction
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if (at == "start") == rtl else WD_ALIGN_PARAGRAPH.LEFT
    elif at == "end":  # a right-to-left line at the end of a right-to-left page: its left edge
        _align(paragraph, "end")


def render_docx(doc: Document) -> bytes:
    word = WordDocument()
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAPER.get(doc.paper, PAPER["a4"])
    section.left_margin = section.right_margin = Mm(22)
    normal = word.styles["Normal"]
    normal.font.name = "Liberation Serif"
    normal.font.size = Pt(11)
    rtl = doc.rtl
    word.core_properties.title = doc.subject
    word.core_properties.author = doc.firm
    word.core_properties.language = doc.lang
    _paragraph(word, doc.firm, rtl, bold=True, size=15, at="end")
    for line in doc.letterhead:
        _paragraph(word, line, rtl, size=9, at="end")
    for line in doc.recipient:
        _paragraph(word, line, rtl, at="start")
    _paragraph(word, doc.place_date, rtl, at="end")
    _paragraph(word, doc.subject, rtl, bold=True)
    for block in doc.blocks:
        if block.kind == "list":
            for line in block.lines:
                _paragraph(word, line, rtl, style="List Bullet")
        else:
            _paragraph(word, block.lines[0], rtl)
    for line in doc.signature:
        _paragraph(word, line, rtl, at="start")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
