"""The letter page of a case (write, edit with the tone checker's findings inline, versions, download,
send), the call script (page and PDF) and the termination clause (N5).

Every change goes through :mod:`parting.letters.services`; a refused change comes back as a message
naming the rule, never an error page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parting.cases.selectors import case_get
from parting.core import limits
from parting.core.requests import int_param
from parting.firms.access import member_required
from parting.letters import pdf, services
from parting.letters.clause import BASES, termination_clause
from parting.letters.models import Letter
from parting.letters.phrases import LANGUAGES
from parting.letters.script import call_script
from parting.letters.tone import errors, tone_check
from parting.web.views.cases import form_errors, refused

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "pl": "Polski", "ro": "Română", "he": "עברית"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
}


class LetterForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=services.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        help_text=gettext_lazy("Paragraphs are separated by a blank line; a line that starts with “-” is a list item."),
    )


class SendForm(forms.Form):
    to = forms.EmailField(label=gettext_lazy("To"), required=False)
    override_reason = forms.CharField(
        label=gettext_lazy("Send despite the tone checker, because"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Only needed when the checker found an error; the reason is kept on the case."),
    )


class ClauseForm(forms.Form):
    notice_days = forms.IntegerField(label=gettext_lazy("Notice (days)"), min_value=1, max_value=365, initial=14)
    replacement = forms.BooleanField(
        label=gettext_lazy("Offer to help find a replacement provider"), required=False, initial=True
    )
    basis = forms.ChoiceField(
        label=gettext_lazy("Prepaid fees for work not done are"),
        choices=[
            ("refund", gettext_lazy("refunded by the share of work done")),
            ("credit", gettext_lazy("credited by the share of work done")),
        ],
        initial="refund",
    )


def _lang(request, case) -> str:
    lang = request.GET.get("lang") or request.POST.get("lang") or services.letter_language(case)
    if lang not in LANGUAGES:
        raise Http404("No such language")
    return lang


def marked(text: str, findings) -> list[dict]:
    """The text cut into plain and flagged pieces, for the template to escape and mark each one."""
    pieces, at = [], 0
    for finding in sorted((f for f in findings if f.end > f.start), key=lambda f: f.start):
        if finding.start < at:
            continue
        if finding.start > at:
            pieces.append({"text": text[at : finding.start]})
        pieces.append({"text": text[finding.start : finding.end], "finding": finding})
        at = finding.end
    if at < len(text):
        pieces.append({"text": text[at:]})
    return pieces


@member_required
def case_letter(request, pk: int):
    """The letter in one language. Until it is saved, the page shows the letter composed from the case
    now and writes nothing (a GET never changes the case); saving keeps it as the first version."""
    case = case_get(firm=request.firm, pk=pk)
    lang = _lang(request, case)
    letter = Letter.objects.filter(case=case, lang=lang).first()
    if request.method == "POST":
        return _letter_post(request, case, lang, letter)
    version = letter.current if letter else None
    if version is None:
        if case.state not in services.WRITABLE:
            messages.info(request, _("No letter was written for this case in this language."))
            return redirect("case_detail", pk=case.pk)
        subject, body = services.content.letter_compose(case, lang, sender=request.user)
    else:
        subject, body = version.subject, version.body
    in_subject = tone_check(subject, lang, limit=None)
    in_body = tone_check(body, lang)
    after_call = letter.after_call if letter else True
    facts = services.content.case_context(case, lang, sender=request.user)
    context = {
        "case": case,
        "client": case.client,
        "letter": letter,
        "version": version,
        "versions": letter.versions.select_related("by").order_by("-number") if letter else [],
        "sendings": letter.sendings.select_related("by", "version") if letter else [],
        "form": LetterForm(initial={"subject": subject, "body": body}),
        "send_form": SendForm(initial={"to": services.letter_contact_email(case)}),
        "findings": in_subject + in_body,
        "has_errors": bool(errors(in_subject + in_body)),
        "marked_body": marked(body, in_body),
        "lang": lang,
        "letter_languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "letter_dir": "rtl" if lang == "he" else "ltr",
        "after_call": after_call,
        "writable": case.state in services.WRITABLE,
        "sendable": bool(version)
        and (case.state in services.SENDABLE or (not after_call and case.state == "approved")),
        "call_first": bool(version) and after_call and case.state == "approved",
        "outdated": bool(letter) and services.letter_outdated(letter),
        # What the firm typed that may not be in the letter's language, each with a form to name it (§2)
        "doubtful_labels": [label for label in facts.labels if label["doubt"]],
        "name_missing": facts.name_missing,
        "contact": services.content.primary_contact(case),
        "referral_matches": facts.matches,
        "attitude": case.attitude,
        "not_told": after_call and case.notified_on is None,
    }
    return render(request, "parting/letter.html", context)


def _letter_post(request, case, lang, letter):
    action = request.POST.get("action", "save")
    try:
        if action == "label":
            number = int_param(request.POST.get("pk", ""), minimum=1)
            if number is None:
                raise ValidationError(_("That label is not one of this client's; reload the page."))
            services.label_name_set(
                case=case,
                by=request.user,
                lang=lang,
                kind=request.POST.get("kind", ""),
                pk=number,
                text=request.POST.get("text", ""),
            )
            messages.success(request, _("Saved. Write the letter again from the case to use the new name."))
        elif action == "contact_name":
            services.contact_name_set(case=case, by=request.user, lang=lang, text=request.POST.get("text", ""))
            messages.success(request, _("Saved. Write the letter again from the case to use the new name."))
        elif action == "generate":
            # The checkbox sends "1" when ticked and nothing when not; the banner's hidden field sends 1 or 0.
            services.letter_generate(
                case=case, by=request.user, lang=lang, after_call=request.POST.get("after_call") == "1"
            )
            messages.success(request, _("The letter was written again from the case; the earlier versions are kept."))
        elif letter is None and action == "send":
            raise Http404("No letter")
        elif action == "send":
            form = SendForm(request.POST)
            if not form.is_valid():
                form_errors(request, form)
            else:
                # The version the member read; the page always sends it, so anything else is refused
                # rather than read as "the newest" — that could be a version nobody read.
                shown = request.POST.get("version", "")
                version = int_param(shown, minimum=1)
                if shown and version is None:
                    raise ValidationError(
                        _("Version: “%(value)s” is not a version number; reload the page.") % {"value": shown[:20]}
                    )
                sending = services.letter_send(letter=letter, by=request.user, version=version, **form.cleaned_data)
                messages.success(
                    request, _("Sent to %(to)s (Message-ID %(id)s).") % {"to": sending.to, "id": sending.message_id}
                )
        else:
            form = LetterForm(request.POST)
            if not form.is_valid():
                form_errors(request, form)
            else:
                if letter is None:  # the first save: the letter as composed from the case, then the edits
                    letter = services.letter_generate(case=case, by=request.user, lang=lang)
                version = services.letter_edit(letter=letter, by=request.user, **form.cleaned_data)
                messages.success(request, _("Saved as version %(n)d.") % {"n": version.number})
    except ValidationError as error:
        refused(request, error)
    return redirect(f"{request.path}?lang={lang}")


@member_required
@require_POST
def letter_tone(request, pk: int):
    """htmx: the tone findings of the text being edited, as the user types."""
    case = case_get(firm=request.firm, pk=pk)
    lang = _lang(request, case)
    # The checker reads what the form can hold: the rest would be refused on saving anyway.
    subject = request.POST.get("subject", "")[: LetterForm.base_fields["subject"].max_length]
    body = request.POST.get("body", "")[: services.MAX_BODY]
    in_body = tone_check(body, lang)
    findings = tone_check(subject, lang, limit=None) + in_body
    return render(
        request,
        "parting/_tone_findings.html",
        {
            "findings": findings,
            "has_errors": bool(errors(findings)),
            "marked_body": marked(body, in_body),
            "letter_dir": "rtl" if lang == "he" else "ltr",
        },
    )


@member_required
def letter_download(request, pk: int, lang: str, fmt: str):
    case = case_get(firm=request.firm, pk=pk)
    if fmt not in services.FORMATS or lang not in LANGUAGES:
        raise Http404("No such format")
    letter = get_object_or_404(Letter, case=case, lang=lang)
    if "v" in request.GET:  # anything but a version number names no version: not found, like version 999
        number = int_param(request.GET["v"], minimum=1)
        version = letter.versions.filter(number=number).first() if number is not None else None
    else:
        version = letter.current
    if version is None:
        raise Http404("No such version")
    doc = services.letter_document(letter, version, sender=request.user)
    data = services.render(doc, fmt, filename=services.letter_filename(doc, "pdf"))
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    # RFC 6266: a name in Polish or Hebrew letters travels as filename*=utf-8''…
    response["Content-Disposition"] = content_disposition_header(True, services.letter_filename(doc, fmt))
    return response


@member_required
def case_script(request, pk: int):
    """The call script in the client's language and in the member's own, side by side (C11)."""
    case = case_get(firm=request.firm, pk=pk)
    lang = _lang(request, case)
    with_reasons = request.GET.get("reasons", "1") == "1"
    own = request.membership.language if request.membership.language in LANGUAGES else "en"
    scripts = [call_script(case, lang, sender=request.user, with_reasons=with_reasons)]
    if own != lang:
        scripts.append(call_script(case, own, sender=request.user, with_reasons=with_reasons))
    if request.GET.get("format") == "pdf":
        data = {"paper": case.firm.paper, "scripts": [script.as_dict() for script in scripts]}
        response = HttpResponse(pdf.render_pdf(data, template="script.typ"), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="call-script-case-{case.pk}-{lang}.pdf"'
        return response
    for script in scripts:
        script.findings = tone_check(script.text(), script.lang, limit=None)
    return render(
        request,
        "parting/script.html",
        {
            "case": case,
            "client": case.client,
            "scripts": scripts,
            "lang": lang,
            "with_reasons": with_reasons,
            "letter_languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        },
    )


@member_required
def clause(request):
    """The termination clause for new engagements (N5), in every letter language."""
    form = ClauseForm(request.GET or None)
    options = {"notice_days": 14, "replacement": True, "basis": "refund"}
    if request.GET and form.is_valid():
        options = form.cleaned_data
    elif request.GET:
        form_errors(request, form)
    if options["basis"] not in BASES:
        options["basis"] = "refund"
    clauses = [(LANGUAGE_NAMES[code], termination_clause(code, **options)) for code in LANGUAGES]
    return render(request, "parting/clause.html", {"form": form, "clauses": clauses})
