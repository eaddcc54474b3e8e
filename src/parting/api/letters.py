"""/api/v1/cases/{id}/letters/{lang}: write the letter from the case, and render it as PDF, DOCX or
the e-mail as it would be sent (.eml), through ``parting.letters.services`` as the letter page does."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from ninja import Query, Router, Schema

from parting.cases.selectors import case_get
from parting.letters import services
from parting.letters.models import Letter

from .common import Id

router = Router(tags=["letters"])

Lang = Literal["en", "ru", "pl", "ro", "he"]
Format = Literal["pdf", "docx", "eml"]
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
}


class LetterOut(Schema):
    case_id: int
    lang: str
    version: int
    subject: str
    body: str


def _current(letter: Letter):
    current = letter.current
    if current is None:
        raise Http404
    return current


def letter_out(letter: Letter) -> dict:
    current = _current(letter)
    return {
        "case_id": letter.case_id,
        "lang": letter.lang,
        "version": current.number,
        "subject": current.subject,
        "body": current.body,
    }


@router.post(
    "/cases/{case_id}/letters/{lang}",
    response=LetterOut,
    summary="Write (or write again) the letter from the case in a language",
)
def letters_generate(request, case_id: Id, lang: Lang):
    case = case_get(firm=request.firm, pk=case_id)
    return letter_out(services.letter_generate(case=case, by=request.user, lang=lang))


@router.get(
    "/cases/{case_id}/letters/{lang}",
    response=LetterOut,
    summary="Read the letter's current version",
)
def letters_read(request, case_id: Id, lang: Lang):
    case = case_get(firm=request.firm, pk=case_id)
    return letter_out(get_object_or_404(Letter, case=case, lang=lang))


@router.get(
    "/cases/{case_id}/letters/{lang}/file",
    summary="The letter's current version as PDF, DOCX or .eml",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in CONTENT_TYPES.values()},
            }
        }
    },
)
def letters_file(request, case_id: Id, lang: Lang, format: Query[Format] = "pdf"):
    case = case_get(firm=request.firm, pk=case_id)
    letter = get_object_or_404(Letter, case=case, lang=lang)
    version = _current(letter)
    doc = services.letter_document(letter, version, sender=request.user)
    name = f"letter-case-{case.pk}-{lang}"
    response = HttpResponse(services.render(doc, format, filename=f"{name}.pdf"), content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{format}")
    return response
