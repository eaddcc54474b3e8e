"""E-mail: the letter as text and HTML (autoescaped; ``dir="rtl"`` for Hebrew) with the PDF attached,
sent through Django's mail settings. The Message-ID is set here so the case can record it."""

from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .content import Document


def text_body(doc: Document) -> str:
    """The plain-text part: paragraphs apart, a list right under the line that introduces it."""
    out = ""
    for block in doc.blocks:
        if block.kind == "list":
            out += "\n" + "\n".join(f"– {line}" for line in block.lines)
        else:
            out += ("\n\n" if out else "") + block.lines[0]
    return out + "\n\n" + "\n".join(doc.signature) + "\n"


def html_body(doc: Document) -> str:
    return render_to_string("letters/mail.html", {"doc": doc})


def message(doc: Document, *, to: str, pdf: bytes, filename: str) -> EmailMultiAlternatives:
    domain = (doc.from_email or settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or "localhost"
    email = EmailMultiAlternatives(
        subject=doc.subject,
        body=text_body(doc),
        from_email=doc.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": make_msgid(domain=domain), "Content-Language": doc.lang},
    )
    email.attach_alternative(html_body(doc), "text/html")
    email.attach(filename, pdf, "application/pdf")
    return email
