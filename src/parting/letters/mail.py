"""E-mail: the letter as text and HTML (autoescaped; ``dir="rtl"`` for Hebrew) with the PDF attached,
sent through Django's mail settings. The Message-ID is set here so the case can record it.

As a professional's mail client would send it: From and To carry display names (the member who signs
– the firm; the contact), the Date header is the firm's wall clock with its UTC offset, and the PDF is
named in the letter's language from the firm's name and the letter's date — never an internal word.
"""

from __future__ import annotations

import re
import zoneinfo
from email.headerregistry import Address
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from .content import Document
from .phrases import say

_ISOLATES = re.compile("[\u2066-\u2069]")
_NOT_NAME = re.compile(r"[^\w]+")


def text_body(doc: Document) -> str:
    """The plain-text part: paragraphs apart, a list right under the line that introduces it, and under
    the signature the firm's letterhead lines (address, phone), as the HTML part has them."""
    out = "\n\n".join(line for line in (doc.notice, doc.reference) if line)
    for block in doc.blocks:
        if block.kind == "list":
            out += "\n" + "\n".join(f"– {line}" for line in block.lines)
        else:
            out += ("\n\n" if out else "") + block.lines[0]
    return out + "\n\n" + "\n".join(doc.signature + doc.letterhead) + "\n"


def html_body(doc: Document) -> str:
    return render_to_string("letters/mail.html", {"doc": doc})


def attachment_name(doc: Document, ext: str = "pdf") -> str:
    """The PDF's file name as the client sees it: "Northwind-Advisory-end-of-services-2026-12-03.pdf",
    "Northwind-Advisory-încetarea-serviciilor-2026-12-03.pdf" — letters of any script kept (the mail
    carries a non-ASCII name per RFC 2231), everything else a hyphen, so no slash, quote or space."""
    issued = (doc.issued or timezone.now().date()).isoformat()
    words = say(doc.lang, "attachment_name", firm=_ISOLATES.sub("", doc.firm), date=issued)
    return _NOT_NAME.sub("-", words).strip("-_") + "." + ext


def _display(name: str) -> str:
    return " ".join(_ISOLATES.sub("", name).split())


def named(name: str, address: str) -> str:
    """``"Name" <address>``, quoted as RFC 5322 needs (Django encodes non-ASCII names when sending); the
    bare address when there is no name or the address is not one Python can parse."""
    if not name:
        return address
    try:
        return str(Address(display_name=name, addr_spec=address))
    except (ValueError, IndexError):
        return address


def message(doc: Document, *, to: str, pdf: bytes, filename: str | None = None) -> EmailMultiAlternatives:
    """The e-mail. ``to`` is shown with the contact's name when it is the contact's address; ``filename``
    is ignored in favour of the client-facing name (kept for callers that still pass one)."""
    address = doc.from_email or settings.DEFAULT_FROM_EMAIL
    domain = address.rpartition("@")[2] or "localhost"
    sender = " – ".join(part for part in (_display(doc.from_name), _display(doc.firm)) if part)
    recipient = _display(doc.to_name) if doc.to_name and to.strip().lower() == doc.to_email.strip().lower() else ""
    now = timezone.now().astimezone(zoneinfo.ZoneInfo(doc.time_zone or "UTC")).replace(microsecond=0)
    email = EmailMultiAlternatives(
        subject=doc.subject,
        body=text_body(doc),
        from_email=named(sender, address),
        to=[named(recipient, to)],
        headers={
            "Message-ID": make_msgid(domain=domain),
            "Content-Language": doc.lang,
            "Date": format_datetime(now),
        },
    )
    email.attach_alternative(html_body(doc), "text/html")
    email.attach(attachment_name(doc), pdf, "application/pdf")
    return email
