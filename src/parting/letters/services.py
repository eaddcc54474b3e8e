"""Writing, editing, rendering and sending a case's letter (C1, C4, C5, O9). Every change is a new
version; a sending is recorded with its recipient, time and Message-ID; an error-level tone finding
stops the sending unless the user gives a reason, which is kept on the case.
"""

from __future__ import annotations

import smtplib

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.audit.services import audit_record
from parting.cases.models import CaseTask, OffboardingCase
from parting.cases.services import CaseError, task_update
from parting.firms.models import Membership

from . import content, mail, pdf, word
from .models import Letter, LetterSending, LetterVersion
from .phrases import LANGUAGES
from .tone import Finding, errors, tone_check

State = OffboardingCase.State
WRITABLE = (State.DRAFT, State.IN_REVIEW, State.APPROVED, State.NOTIFIED, State.WINDING_DOWN)
SENDABLE = (State.APPROVED, State.NOTIFIED, State.WINDING_DOWN)  # D4: only an approved decision is sent
FORMATS = ("pdf", "docx", "eml")
MAX_BODY = 20_000


def _member(case: OffboardingCase, user) -> Membership:
    membership = Membership.objects.filter(user=user, firm_id=case.firm_id).first()
    if membership is None:
        raise CaseError(_("Only members of the firm can act on its cases."))
    return membership


def letter_language(case: OffboardingCase) -> str:
    """The client's language: the primary contact's, else English."""
    contact = content.primary_contact(case)
    return contact.language if contact and contact.language in LANGUAGES else "en"


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise CaseError(
            _("Letters are written in %(languages)s; %(lang)s is not one of them.")
            % {"languages": ", ".join(LANGUAGES), "lang": lang}
        )
    return lang


@transaction.atomic
def letter_generate(*, case: OffboardingCase, by, lang: str = "", after_call: bool | None = None) -> Letter:
    """Write the letter from the case — its reason, dates, money, referrals or good wishes — as a new
    version. The versions before it stay."""
    _member(case, by)
    if case.state not in WRITABLE:
        raise CaseError(
            _("A letter is written while the case is under way; this case is %(state)s.")
            % {"state": case.get_state_display()}
        )
    lang = _check_lang(lang or letter_language(case))
    letter, _created = Letter.objects.get_or_create(case=case, lang=lang)
    if after_call is not None and letter.after_call != after_call:
        letter.after_call = after_call
        letter.save(update_fields=["after_call"])
    subject, body = content.letter_compose(case, lang, sender=by, after_call=letter.after_call)
    current = letter.current
    if current is None or (current.subject, current.body) != (subject, body):
        _version(letter, by=by, subject=subject, body=body, source=LetterVersion.Source.GENERATED)
    audit_record(
        firm=case.firm, actor=by, action="case.letter_generated", target=f"case:{case.pk}", data={"lang": lang}
    )
    return letter


def letter_outdated(letter: Letter) -> bool:
    """Whether the case has changed since the letter was last written from it — a new end date, an
    amount changed by hand, a referral added — so its newest generated text no longer says what the
    case says (O9: the letter must answer "I didn't know service ends on 1 December")."""
    generated = letter.versions.filter(source=LetterVersion.Source.GENERATED).order_by("-number").first()
    if generated is None or letter.case.state not in WRITABLE:
        return False
    now = content.letter_compose(letter.case, letter.lang, sender=generated.by, after_call=letter.after_call)
    return now != (generated.subject, generated.body)


def _version(letter: Letter, *, by, subject: str, body: str, source: str) -> LetterVersion:
    number = (letter.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return LetterVersion.objects.create(letter=letter, number=number, subject=subject, body=body, source=source, by=by)


@transaction.atomic
def letter_edit(*, letter: Letter, by, subject: str, body: str) -> LetterVersion:
    """The user's own text becomes the newest version (nothing is overwritten)."""
    case = letter.case
    _member(case, by)
    if case.state not in WRITABLE:
        raise CaseError(
            _("A letter is edited while the case is under way; this case is %(state)s.")
            % {"state": case.get_state_display()}
        )
    subject, body = (subject or "").strip(), (body or "").replace("\r\n", "\n").strip()
    if not subject:
        raise CaseError(_("Subject: a letter needs a subject."))
    if "\n" in subject or "\r" in subject:
        raise CaseError(_("Subject: one line only."))
    if not body:
        raise CaseError(_("Text: a letter needs its text."))
    if len(body) > MAX_BODY or len(subject) > 300:
        raise CaseError(
            _("Text: a letter is at most %(n)d characters and its subject 300; this is a letter, not a report.")
            % {"n": MAX_BODY}
        )
    current = letter.current
    if current and (current.subject, current.body) == (subject, body):
        return current
    version = _version(letter, by=by, subject=subject, body=body, source=LetterVersion.Source.EDITED)
    audit_record(
        firm=case.firm,
        actor=by,
        action="case.letter_edited",
        target=f"case:{case.pk}",
        data={"lang": letter.lang, "version": version.number},
    )
    return version


def version_findings(version: LetterVersion) -> dict[str, list[Finding]]:
    """The tone findings of the subject and of the text, each with its own offsets for inline marks."""
    lang = version.letter.lang
    return {"subject": tone_check(version.subject, lang, limit=None), "body": tone_check(version.body, lang)}


def letter_document(letter: Letter, version: LetterVersion, *, sender=None) -> content.Document:
    return content.document(
        letter.case, letter.lang, subject=version.subject, body=version.body, sender=sender or version.by
    )


def letter_filename(letter: Letter, ext: str) -> str:
    return f"letter-case-{letter.case_id}-{letter.lang}.{ext}"


def render(doc: content.Document, fmt: str, *, filename: str = "letter.pdf") -> bytes:
    """The letter as ``pdf``, ``docx`` or ``eml`` (the e-mail as it would be sent, PDF attached)."""
    if fmt == "pdf":
        return pdf.render_pdf(doc.as_dict())
    if fmt == "docx":
        return word.render_docx(doc)
    if fmt == "eml":
        email = mail.message(
            doc, to=doc.to_email or "client@example.invalid", pdf=pdf.render_pdf(doc.as_dict()), filename=filename
        )
        return email.message().as_bytes()
    raise CaseError(_("A letter is rendered as %(formats)s.") % {"formats": ", ".join(FORMATS)})


@transaction.atomic
def letter_send(*, letter: Letter, by, to: str = "", override_reason: str = "") -> LetterSending:
    """Send the newest version by e-mail with its PDF. An error-level tone finding needs an override
    reason, which is recorded (C2, C3, C5, C8). Sending completes the checklist's written follow-up (C1, O9)."""
    case = letter.case
    _member(case, by)
    if case.state not in SENDABLE:
        raise CaseError(
            _("D4: a letter is sent once the case is approved; this case is %(state)s.")
            % {"state": case.get_state_display()}
        )
    version = letter.current
    if version is None:
        raise CaseError(_("Write the letter first."))
    doc = letter_document(letter, version, sender=by)
    to = (to or doc.to_email).strip()
    if not to:
        raise CaseError(_("To: the client's contact has no e-mail address; enter one."))
    try:
        validate_email(to)
    except ValidationError:
        raise CaseError(_("To: %(to)s is not an e-mail address.") % {"to": to}) from None
    found = version_findings(version)
    blocking = errors(found["subject"] + found["body"])
    override_reason = (override_reason or "").strip()
    if blocking and not override_reason:
        raise CaseError(
            ngettext(
                "The tone checker found %(n)d problem: %(list)s. Fix the text, or send anyway with a reason.",
                "The tone checker found %(n)d problems: %(list)s. Fix the text, or send anyway with a reason.",
                len(blocking),
            )
            % {"n": len(blocking), "list": "; ".join(f"{f.rule} “{f.words}”" for f in blocking)}
        )
    filename = letter_filename(letter, "pdf")
    email = mail.message(doc, to=to, pdf=pdf.render_pdf(doc.as_dict()), filename=filename)
    try:
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        raise CaseError(_("The mail server did not take the letter: %(error)s") % {"error": error}) from None
    sending = LetterSending.objects.create(
        letter=letter,
        version=version,
        to=to,
        message_id=email.extra_headers["Message-ID"],
        findings=[f.as_dict() for f in blocking],
        override_reason=override_reason if blocking else "",
        by=by,
    )
    audit_record(
        firm=case.firm,
        actor=by,
        action="case.letter_sent",
        target=f"case:{case.pk}",
        data={
            "to": to,
            "lang": letter.lang,
            "version": version.number,
            "message_id": sending.message_id,
            "note": _("Sent despite the tone checker: %(reason)s") % {"reason": override_reason} if blocking else "",
        },
    )
    if case.state in (State.NOTIFIED, State.WINDING_DOWN):
        for task in CaseTask.objects.filter(case=case, kind="letter", status=CaseTask.Status.OPEN):
            task_update(task=task, by=by, status=CaseTask.Status.DONE, notes=f"{to} · {sending.message_id}")
    return sending
