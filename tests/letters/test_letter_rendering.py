"""What the renderers promise: Hebrew right to left in the PDF and the DOCX, with Latin names and
numbers in place; a client named with Typst or HTML markup printed literally everywhere."""

import io
from email import message_from_bytes, policy

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTChar

from parting.letters import content, services
from tests.letters.conftest import prepare

MARKUP = 'Acme <b>Bold</b> #set page(width: 1cm) $x^2$ *z* [y] \\ {{ v }} "q" & co'


def letter(case, lang, by):
    subject, body = content.letter_compose(case, lang, sender=by)
    return content.document(case, lang, subject=subject, body=body, sender=by)


@pytest.fixture
def hebrew_case(team, client_in_trouble):
    from parting.cases.services import case_review
    from tests.conftest import submitted_case

    client, incident = client_in_trouble
    prepare(client, lang="he", name="דנה לוי")
    case = submitted_case(client, team["staff"], incident)
    return case_review(case=case, by=team["partner"], decision="approve")


PAGE_WIDTH, MARGIN, INDENT = 595.28, 2.2 * 72 / 2.54, 30  # A4 and the letter's margins, in points


def rows(pdf: bytes) -> list[list[LTChar]]:
    """The characters of the first page, grouped into printed lines by their baseline, left to right.
    (pdfminer cuts a right-to-left line into runs, so its own lines cannot be trusted for Hebrew.)"""
    page = next(extract_pages(io.BytesIO(pdf)))
    chars: list[LTChar] = []

    def walk(element):
        if isinstance(element, LTChar):
            chars.append(element)
        elif hasattr(element, "__iter__"):
            for child in element:
                walk(child)

    walk(page)
    lines: dict[int, list[LTChar]] = {}
    for char in chars:
        lines.setdefault(round(char.y0), []).append(char)
    return [sorted(line, key=lambda c: c.x0) for _y, line in sorted(lines.items(), reverse=True)]


def edges(pdf: bytes) -> list[tuple[float, float]]:
    """Where each long printed line starts and ends, as distances from the left and the right margin."""
    return [(line[0].x0 - MARGIN, PAGE_WIDTH - MARGIN - line[-1].x1) for line in rows(pdf) if len(line) > 30]


def test_hebrew_pdf_lines_start_at_the_right_margin_and_end_ragged_on_the_left(hebrew_case, team):
    lines = edges(services.render(letter(hebrew_case, "he", team["staff"]), "pdf"))
    assert len(lines) > 8
    assert all(-1 < right < INDENT for _left, right in lines)  # each line starts at the right (a list item: indented)
    assert sum(left > INDENT for left, _right in lines) >= 3  # paragraphs' last lines end short of the left margin


def test_english_pdf_lines_start_at_the_left_margin_and_end_ragged_on_the_right(letter_case, team):
    lines = edges(services.render(letter(letter_case, "en", team["staff"]), "pdf"))
    assert len(lines) > 8
    assert all(-1 < left < INDENT for left, _right in lines)
    assert sum(right > INDENT for _left, right in lines) >= 3


def test_hebrew_pdf_keeps_latin_names_and_numbers_left_to_right_inside_the_line(hebrew_case, team):
    pdf = services.render(letter(hebrew_case, "he", team["staff"]), "pdf")
    text = "\n".join("".join(c.get_text() for c in line) for line in rows(pdf))
    for word in ("Trouble", "Xero", "Payroll", "Starling", "HMRC"):  # Latin names read as written, not reversed
        assert word in text and word[::-1] not in text, word
    assert "2026" in text or "2027" in text  # years keep their digits in order


def hebrew(run) -> bool:
    return any("\u0590" <= ch <= "\u05ff" for ch in run.text)


def test_every_paragraph_of_a_hebrew_docx_is_right_to_left_and_its_hebrew_runs_rtl(hebrew_case, team):
    """Every paragraph — the company line, the recipient and the signature in Latin letters included —
    carries w:bidi; every run with Hebrew in it carries w:rtl; a Latin value inside a Hebrew sentence is
    a run of its own (left to right, no w:rtl)."""
    hebrew_case.notified_on = hebrew_case.firm.today()  # the call is recorded: the company line comes first
    word = WordDocument(io.BytesIO(services.render(letter(hebrew_case, "he", team["staff"]), "docx")))
    assert len([p for p in word.paragraphs if hebrew(p)]) > 8
    for paragraph in word.paragraphs:
        properties = paragraph._p.pPr
        assert properties is not None and properties.find(qn("w:bidi")) is not None, paragraph.text
        for run in paragraph.runs:
            if hebrew(run):
                assert run._r.rPr is not None and run._r.rPr.find(qn("w:rtl")) is not None, run.text
    texts = [p.text for p in word.paragraphs]
    assert word.paragraphs[0].text == hebrew_case.firm.name  # the company line: Latin, right to left too
    assert texts[texts.index("Trouble Ltd") - 2] == "לכבוד"  # the client's name under «לכבוד»
    signature = word.paragraphs[-1]
    assert signature.text == hebrew_case.firm.name and signature._p.pPr.find(qn("w:bidi")) is not None
    mixed = next(p for p in word.paragraphs if "Trouble Ltd" in p.text and hebrew(p))
    latin = [r for r in mixed.runs if "Trouble Ltd" in r.text]
    assert latin and all(r._r.rPr is None or r._r.rPr.find(qn("w:rtl")) is None for r in latin)


def test_english_docx_has_no_bidi(letter_case, team):
    word = WordDocument(io.BytesIO(services.render(letter(letter_case, "en", team["staff"]), "docx")))
    assert all(p._p.pPr is None or p._p.pPr.find(qn("w:bidi")) is None for p in word.paragraphs)


def test_a_client_named_with_markup_appears_literally_in_every_output(letter_case, team):
    client = letter_case.client
    client.name = MARKUP
    client.save()
    doc = letter(letter_case, "en", team["staff"])
    assert MARKUP in doc.body

    pdf_text = " ".join(extract_text(io.BytesIO(services.render(doc, "pdf"))).split())
    assert MARKUP in pdf_text

    word = WordDocument(io.BytesIO(services.render(doc, "docx")))
    assert any(MARKUP in p.text for p in word.paragraphs)

    email = message_from_bytes(services.render(doc, "eml"), policy=policy.default)
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert MARKUP in text
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    attachment = next(email.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"


def test_us_letter_paper_when_the_firm_says_so(letter_case, team):
    firm = letter_case.firm
    firm.paper = "us-letter"
    firm.save()
    page = next(extract_pages(io.BytesIO(services.render(letter(letter_case, "en", team["staff"]), "pdf"))))
    assert round(page.width) == 612 and round(page.height) == 792
