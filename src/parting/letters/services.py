"""Writing, editing, rendering and sending a case's letter (C1, C4, C5, O9). Every change is a new
version; a sending is recorded with its recipient, time and Message-ID; an error-level tone finding
stops the sending unless the user gives a reason, which is kept on the case.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.audit.services import audit_record, text_reference
from parting.cases.models import CaseTask, OffboardingCase
from parting.cases.plan import plan_compute
from parting.cases.services import CaseError, case_membership, case_notify, task_update
from parting.clients.models import AccessGrant, Contact, Credential, Engagement
from parting.clients.scripts import SCRIPT_OF_LANGUAGE, fits_script
from parting.webhooks.services import emit

from . import content, mail, pdf, word
from .models import Letter, LetterSending, LetterVersion
from .phrases import LANGUAGES
from .tone import Finding, errors, tone_check

State = OffboardingCase.State
WRITABLE = (State.DRAFT, State.IN_REVIEW, State.APPROVED, State.NOTIFIED, State.WINDING_DOWN)
SENDABLE = (State.NOTIFIED, State.WINDING_DOWN)  # C1: after the call; a letter-only ending also from approved
FORMATS = ("pdf", "docx", "eml")
MAX_BODY = 20_000
LABEL_MAX = 200  # as the rows' own names


def letter_language(case: OffboardingCase) -> str:
    """The client's language: the primary contact's, else English."""
    contact = content.primary_contact(case)
    return contact.language if contact and contact.language in LANGUAGES else "en"


def letter_contact_email(case: OffboardingCase) -> str:
    contact = content.primary_contact(case)
    return contact.email if contact else ""


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
    case_membership(case, by)
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
    draft = content.letter_draft(case, lang, sender=by, after_call=letter.after_call)
    current = letter.current
    if current is None or (current.subject, current.body) != (draft.subject, draft.body):
        _version(
            letter,
            by=by,
            subject=draft.subject,
            body=draft.body,
            source=LetterVersion.Source.GENERATED,
            facts=draft.facts,
        )
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
    now = content.letter_draft(letter.case, letter.lang, sender=generated.by, after_call=letter.after_call)
    return now.facts != generated.facts


def _version(letter: Letter, *, by, subject: str, body: str, source: str, facts: dict | None = None) -> LetterVersion:
    Letter.objects.select_for_update().filter(pk=letter.pk).first()  # two members saving at once: one waits
    number = (letter.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return LetterVersion.objects.create(
        letter=letter, number=number, subject=subject, body=body, source=source, by=by, facts=facts or {}
    )


@transaction.atomic
def letter_edit(*, letter: Letter, by, subject: str, body: str) -> LetterVersion:
    """The user's own text becomes the newest version (nothing is overwritten)."""
    case = letter.case
    case_membership(case, by)
    if case.state not in WRITABLE:
        raise CaseError(
            _("A letter is edited while the case is under way; this case is %(state)s.")
            % {"state": case.get_state_display()}
        )
    subject, body = content.clean(subject or "").strip(), content.clean(body or "").strip()
    if not subject:
        raise CaseError(_("Subject: a letter needs a subject."))
    if len(subject.splitlines()) > 1:  # a mail header: one line, never a way to add another header
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
        letter.case,
        letter.lang,
        subject=version.subject,
        body=version.body,
        sender=sender or version.by,
        after_call=letter.after_call,
    )


def letter_filename(doc: content.Document, ext: str) -> str:
    """The downloaded file's name as the client would see it, in the letter's language and without
    internal words ("Northwind-Advisory-zakończenie-świadczenia-usług-2026-12-03.docx"), as the
    e-mail's attachment is named."""
    return mail.attachment_name(doc, ext)


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


RESEND_AFTER = dt.timedelta(minutes=10)  # a sending still pending this long ago died with its process


def _sending_prepare(
    letter: Letter, case: OffboardingCase, *, by, to: str, override_reason: str, version: int | None
) -> tuple[LetterSending, EmailMessage, list[Finding]]:
    """Every check before a letter leaves, then its pending record; called with the letter and the
    case locked, so a second click finds the first one's record."""
    case_membership(case, by)
    letter_only = not letter.after_call
    if case.state not in SENDABLE and not (letter_only and case.state == State.APPROVED):
        if case.state == State.APPROVED:
            raise CaseError(
                _(
                    "C1: tell the client in a call or a meeting first and record it (the client has been told); "
                    "the letter follows. A letter that is the only notice is written again as such."
                )
            )
        raise CaseError(
            _("D4: a letter is sent once the case is approved; this case is %(state)s.")
            % {"state": case.get_state_display()}
        )
    current = letter.current
    if current is None:
        raise CaseError(_("Write the letter first."))
    if version is not None and version != current.number:
        raise CaseError(
            _("Version %(n)d was saved since you opened the letter: read it before sending.") % {"n": current.number}
        )
    earlier = letter.sendings.filter(
        Q(status=LetterSending.Status.PENDING, at__gt=timezone.now() - RESEND_AFTER)
        | Q(status=LetterSending.Status.SENT, version=current)
    ).first()
    if earlier is not None and earlier.status == LetterSending.Status.PENDING:
        raise CaseError(_("This letter is being sent right now; it goes once."))
    if earlier is not None:
        raise CaseError(
            _("Version %(n)d was sent to %(to)s on %(when)s; it goes once. To send a correction, edit the letter.")
            % {
                "n": current.number,
                "to": earlier.to,
                "when": date_format(timezone.localtime(earlier.at), "DATETIME_FORMAT"),
            }
        )
    doc = letter_document(letter, current, sender=by)
    to = (to or doc.to_email).strip()
    if not to:
        raise CaseError(_("To: the client's contact has no e-mail address; enter one."))
    try:
        validate_email(to)
    except ValidationError:
        raise CaseError(_("To: %(to)s is not an e-mail address.") % {"to": to}) from None
    if letter_only and case.state == State.APPROVED:
        unpaid = plan_compute(case).outstanding
        if unpaid:
            raise CaseError(
                _(
                    "D10: this letter notifies the client, and invoices are unpaid (%(numbers)s). Record the "
                    "payment or write them off on the case page first."
                )
                % {"numbers": ", ".join(row.invoice.number for row in unpaid)}
            )
    found = version_findings(current)
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
    email = mail.message(doc, to=to, pdf=pdf.render_pdf(doc.as_dict()), filename=letter_filename(doc, "pdf"))
    sending = LetterSending.objects.create(
        letter=letter,
        version=current,
        to=to,
        message_id=email.extra_headers["Message-ID"],
        findings=[f.as_dict() for f in blocking],
        override_reason=override_reason if blocking else "",
        by=by,
    )
    return sending, email, blocking


def letter_send(
    *, letter: Letter, by, to: str = "", override_reason: str = "", version: int | None = None
) -> LetterSending:
    """Send the newest version by e-mail with its PDF.

    1. Check everything first: the case is notified or winding down (C1: the call comes first) — or,
       for a letter that is the only notice, approved with nothing unpaid (D10), and then sending it is
       what notifies the client; the version is the one the member saw; the address; the tone (an
       error-level finding needs a reason, which is recorded: C2, C3, C5, C8).
    2. Record the sending as pending and commit, so a letter that reaches the client always has its record.
    3. Hand the mail to the server, outside any transaction (a slow server holds no database lock).
    4. Mark it sent — or failed, with the error — and, when sent, record it on the case: the audit entry,
       the checklist's written follow-up (O9) and, for a letter-only ending, the notice itself.
    """
    with transaction.atomic():
        # Two clicks, two tabs or two members: the letter and its case are locked and re-read, so the
        # checks below see any sending already under way, and the client gets one e-mail (C1).
        letter.refresh_from_db(from_queryset=Letter.objects.select_for_update())
        case = letter.case
        case.refresh_from_db(from_queryset=OffboardingCase.objects.select_for_update())
        sending, email, blocking = _sending_prepare(
            letter, case, by=by, to=to, override_reason=override_reason, version=version
        )
    to, current, override_reason = sending.to, sending.version, sending.override_reason
    letter_only = not letter.after_call
    try:
        email.send()
    except Exception as error:  # whatever the backend raised: kept on the sending, told to the member
        LetterSending.objects.filter(pk=sending.pk).update(status=LetterSending.Status.FAILED, error=str(error))
        raise CaseError(_("The mail server did not take the letter: %(error)s") % {"error": error}) from None
    with transaction.atomic():
        LetterSending.objects.filter(pk=sending.pk).update(status=LetterSending.Status.SENT)
        sending.status = LetterSending.Status.SENT
        audit_record(
            firm=case.firm,
            actor=by,
            action="case.letter_sent",
            target=f"case:{case.pk}",
            # The address and the override reason by their hash, never their words (O5): the log is
            # kept after the client's data is purged. The tone rules that were overridden are codes.
            data={
                "to_sha256": hashlib.sha256(to.encode()).hexdigest(),
                "lang": letter.lang,
                "version": current.number,
                "message_id": sending.message_id,
                "override_reason": text_reference(override_reason) if blocking else "",
                "overridden": sorted({f.rule for f in blocking}),
            },
        )
        emit(
            case.firm,
            "letter.sent",
            {
                "letter": letter.pk,
                "case": case.pk,
                "client": case.client_id,
                "lang": letter.lang,
                "version": current.number,
                "message_id": sending.message_id,
            },
        )  # issue 15 §3
        if letter_only and case.state == State.APPROVED:  # C1: the letter is the notice
            case = case_notify(case=case, by=by)
        if case.state in (State.NOTIFIED, State.WINDING_DOWN):
            for task in CaseTask.objects.filter(case=case, kind="letter", status=CaseTask.Status.OPEN):
                notes = "\n".join(part for part in (task.notes, f"{to} · {sending.message_id}") if part)
                task_update(task=task, by=by, status=CaseTask.Status.DONE, notes=notes)
    return sending


def _may_fix_names(case: OffboardingCase, by) -> None:
    """The in-place fixes of the letter page change the client's data, so they ask what editing the
    letter asks: an active member of the case's firm, and a case whose letter may still change (a closed
    or withdrawn case's client is not edited from its letter). The case is re-read locked, so a case
    closed meanwhile is seen closed."""
    case_membership(case, by)
    case.refresh_from_db(from_queryset=OffboardingCase.objects.select_for_update())
    if case.state not in WRITABLE:
        raise CaseError(
            _(
                "The letter's names are corrected while the case is under way; this case is %(state)s, so "
                "nothing was changed."
            )
            % {"state": case.get_state_display()}
        )


LABEL_MODELS = {"engagement": Engagement, "grant": AccessGrant, "credential": Credential}
NAME_FIELDS = {"latin": "name_latin", "cyrillic": "name_cyrillic", "hebrew": "name_hebrew"}


@transaction.atomic
def label_name_set(*, case: OffboardingCase, by, lang: str, kind: str, pk: int, text: str):
    """Give a label the letter says (current work, an access grant, a client's login) its client-facing
    name in ``lang``, from the letter page. Only the case's own client's rows can be named; the row is
    locked while its names are read and written, so two members naming it in two languages at once both
    keep theirs. Refused, with nothing changed, to anyone who may not edit the case's letter."""
    _may_fix_names(case, by)
    _check_lang(lang)
    text = " ".join(text.split())
    model = LABEL_MODELS.get(kind)
    if model is None:
        raise CaseError(_("There is no such kind of label: %(kind)s.") % {"kind": kind[:20]})
    if not text:
        raise CaseError(_("Name for the client: type the name as the letter should say it."))
    if len(text) > LABEL_MAX:
        raise CaseError(_("Name for the client: at most %(n)d characters.") % {"n": LABEL_MAX})
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk, client__firm=case.firm, client=case.client).first()
        if row is None:
            raise CaseError(_("That label is not one of this client's; reload the page."))
        row.client_names = {**(row.client_names or {}), lang: text}
        row.save(update_fields=["client_names"])
        audit_record(
            firm=case.firm,
            actor=by,
            action="client.label_named",
            target=f"client:{case.client_id}",
            data={"kind": kind, "id": row.pk, "lang": lang},
        )
    return row


@transaction.atomic
def contact_name_set(*, case: OffboardingCase, by, lang: str, text: str) -> Contact:
    """The primary contact's name as a letter in ``lang`` writes it (its Latin, Cyrillic or Hebrew
    form), from the letter page; the salutation and the address block are built from it. Refused, with
    nothing changed, to anyone who may not edit the case's letter."""
    _may_fix_names(case, by)
    _check_lang(lang)
    text = " ".join(text.split())
    if not text or len(text) > LABEL_MAX:
        raise CaseError(
            _("Name: type the contact's name in the letter's letters, at most %(n)d characters.") % {"n": LABEL_MAX}
        )
    if not fits_script(text, lang):
        raise CaseError(_("Name: “%(text)s” is not written in the letter's letters.") % {"text": text[:60]})
    with transaction.atomic():
        contact = content.primary_contact(case)
        contact = (
            Contact.objects.select_for_update().filter(pk=contact.pk, client=case.client).first() if contact else None
        )
        if contact is None:
            raise CaseError(_("The client has no contact to name; add one on the client page."))
        field = NAME_FIELDS[SCRIPT_OF_LANGUAGE[lang]]
        setattr(contact, field, text)
        contact.save(update_fields=[field])
        audit_record(
            firm=case.firm,
            actor=by,
            action="client.contact_named",
            target=f"client:{case.client_id}",
            data={"contact": contact.pk, "script": SCRIPT_OF_LANGUAGE[lang]},
        )
    return contact
