"""DOCX through python-docx: an editable letter. In a Hebrew letter every paragraph carries ``w:bidi``
— the letterhead, the recipient, the signature included, whatever script the line is written in — and
its Hebrew runs ``w:rtl``, so Word lays the page out right to left. A Latin value inside a Hebrew
sentence (a name, an e-mail address) is a run of its own without ``w:rtl``, which is how Word keeps it
left to right: the invisible isolate marks (U+2066–U+2069) that the PDF and the e-mail use are never
stored in the document, where they would travel into whatever the user copies.

The core properties are the letter's: title = the subject, author = the firm, created = modified = now
by the project's clock, in the letter's language — never python-docx's template defaults.
"""

from __future__ import annotations

import io
import re
import unicodedata
from xml.sax.saxutils import escape

from django.utils import timezone
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .content import Document, direction

PAPER = {"a4": (Mm(210), Mm(297)), "us-letter": (Mm(215.9), Mm(279.4))}
ISOLATES = re.compile("[\u2066-\u2069]")
_ISOLATED = re.compile("\u2066(.*?)\u2069", re.S)
LRM = "\u200e"


def segments(text: str) -> list[tuple[str, bool]]:
    """The text as (piece, left_to_right) pieces: what ``content.isolate`` wrapped as a left-to-right
    value is a piece of its own; the isolate marks themselves are dropped."""
    out: list[tuple[str, bool]] = []
    at = 0
    for match in _ISOLATED.finditer(text):
        if match.start() > at:
            out.append((text[at : match.start()], False))
        out.append((match[1], True))
        at = match.end()
    if at < len(text):
        out.append((text[at:], False))
    return [(ISOLATES.sub("", piece), ltr) for piece, ltr in out if ISOLATES.sub("", piece)]


def _bidi(paragraph) -> None:
    paragraph._p.get_or_add_pPr().insert(0, OxmlElement("w:bidi"))


def _rtl(run) -> None:
    run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def _align(paragraph, where: str) -> None:
    """``start`` or ``end`` of the line in the paragraph's own direction (ISO 29500 ``w:jc``)."""
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), where)
    paragraph._p.get_or_add_pPr().append(jc)


def _paragraph(word, text: str, rtl: bool, *, style=None, bold=False, size=None, at: str = "") -> None:
    """A paragraph of the letter. ``at`` places a line standing alone (letterhead, recipient, date,
    signature) at the ``start`` or ``end`` of the page. In a right-to-left letter every paragraph is
    right to left; a line written in Latin letters is one left-to-right run in it, with a left-to-right
    mark where it opens or ends with a digit or a sign ("14 Wharf Street", "+44 20 …", "… sp. z o.o."),
    so the number stays before the street and the full stop after the name in every reader."""
    paragraph = word.add_paragraph(style=style)
    pieces = segments(text) if rtl else [(ISOLATES.sub("", text), False)]
    if rtl and at and direction(text, "rtl") == "ltr":
        line = ISOLATES.sub("", text)
        if direction(line[:1], "none") == "none":  # "14 Wharf Street": the number stays first
            line = LRM + line
        if unicodedata.bidirectional(line[-1]) not in ("L", "EN"):  # "… sp. z o.o.": the full stop stays last
            line += LRM
        pieces = [(line, True)]
    for piece, ltr in pieces:
        run = paragraph.add_run(piece)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if rtl and not ltr:
            _rtl(run)
    if rtl:
        _bidi(paragraph)
        if at == "end":
            _align(paragraph, "end")
    elif at == "end":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _properties(word, doc: Document) -> None:
    """File › Properties shows the letter's own facts, none of python-docx's template."""
    now = timezone.now().replace(microsecond=0)
    core = word.core_properties
    core.title = ISOLATES.sub("", doc.subject)
    core.subject = core.title
    core.author = core.last_modified_by = doc.firm
    core.comments = ""
    core.keywords = ""
    core.category = ""
    core.language = doc.lang
    core.created = core.modified = now
    core.revision = 1


APP_PROPERTIES = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Parting</Application><Company>{company}</Company><DocSecurity>0</DocSecurity>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc></Properties>"
)


def _package(word, doc: Document) -> None:
    """The extended properties say the firm (Company) and not the template's "Microsoft Macintosh Word",
    and the template's thumbnail — a picture of an empty page that file browsers would show — is left out."""
    package = word.part.package
    for part in package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = APP_PROPERTIES.format(company=escape(ISOLATES.sub("", doc.firm))).encode()
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)


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
    _properties(word, doc)
    _package(word, doc)
    if doc.notice:  # C1: not to be sent before the call is recorded
        _paragraph(word, doc.notice, rtl, bold=True)
    _paragraph(word, doc.firm, rtl, bold=True, size=15, at="end")
    for line in doc.letterhead:
        _paragraph(word, line, rtl, size=9, at="end")
    for line in doc.recipient:
        _paragraph(word, line, rtl, at="start")
    _paragraph(word, doc.place_date, rtl, at="end")
    if doc.reference:
        _paragraph(word, doc.reference, rtl, size=9)
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
