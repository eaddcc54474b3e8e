"""Client documents (issue 13 §1): upload from the client page, download through a view that checks
the firm (never a storage URL), delete after a confirmation. The handover bundle (§2): built, its link
revoked or renewed from the case page; the link's own pages, which need no account.

A refused file is a message on the upload form naming the file and why, never a 500. An upload
larger than the limit is refused from its declared length before Django reads it; the CSRF token,
which Django would read the whole body to find, is checked only after that.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from parting.cases.selectors import case_get
from parting.clients.selectors import client_get
from parting.core.requests import int_param
from parting.documents import bundle as bundles
from parting.documents import links, services
from parting.documents.filetypes import Refused
from parting.documents.forms import DocumentForm
from parting.documents.models import Bundle
from parting.documents.selectors import bundle_get, bundle_shown, document_get
from parting.documents.storage import document_storage
from parting.firms.access import member_required

# The form's other fields and the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024


def _documents_url(client) -> str:
    return reverse("client_detail", args=[client.pk]) + "#documents"


def _upload_page(request, client, form, status=200, errors=()):
    return render(
        request,
        "parting/document_upload.html",
        {"client": client, "form": form, "max_size": settings.DOCUMENT_MAX_BYTES, "errors": list(errors)},
        status=status,
    )


@member_required
@csrf_exempt  # checked by _upload below, after the size: Django reads the whole body to find the token
def document_upload(request, pk: int):
    client = client_get(firm=request.firm, pk=pk)
    if request.method != "POST":
        return _upload_page(request, client, DocumentForm())
    length = int_param(request.META.get("CONTENT_LENGTH") or "0")
    if length is None or length > settings.DOCUMENT_MAX_BYTES + FORM_OVERHEAD:
        error = _("The upload is larger than %(limit)s, the largest document accepted.") % {
            "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)
        }
        return _upload_page(request, client, DocumentForm(), status=413, errors=[error])
    return _upload(request, client)


@csrf_protect
def _upload(request, client):
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_upload(
                client=client, by=request.user, category=data["category"], upload=data["file"], note=data["note"]
            )
        except Refused as refused:
            form.add_error("file", str(refused))
        else:
            messages.success(request, _("%(file)s uploaded.") % {"file": document.name})
            return redirect(_documents_url(client))
    return _upload_page(request, client, form, status=400)


@member_required
def document_download(request, pk: int, doc: int):
    client = client_get(firm=request.firm, pk=pk)
    document = document_get(client=client, pk=doc)
    try:
        handle = document_storage.open(document.file.name, "rb")
    except OSError:
        raise Http404(_("The file of this document is missing from storage.")) from None
    # An attachment, under the name as uploaded (encoded by Django, RFC 6266), never shown in the page.
    response = FileResponse(handle, as_attachment=True, filename=document.name, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
def document_delete(request, pk: int, doc: int):
    client = client_get(firm=request.firm, pk=pk)
    document = document_get(client=client, pk=doc)
    if not services.document_can_delete(document=document, membership=request.membership):
        raise PermissionDenied(_("Only the member who uploaded a document, an owner or a partner can delete it."))
    if request.method == "POST":
        services.document_delete(document=document, by=request.user)
        messages.success(request, _("%(file)s deleted.") % {"file": document.name})
        return redirect(_documents_url(client))
    return render(request, "parting/document_delete.html", {"client": client, "document": document})


# ---- the handover bundle (issue 13 §2, O4) -----------------------------------------------------


def _handover_url(case) -> str:
    return reverse("case_detail", args=[case.pk]) + "#handover"


@member_required
@require_POST
def bundle_create(request, pk: int):
    case = case_get(firm=request.firm, pk=pk)
    bundle = bundles.bundle_request(client=case.client, case=case, by=request.user)
    if bundle.status == Bundle.Status.READY:
        messages.success(request, _("The bundle is ready: copy its link below and send it to the client."))
    elif bundle.status == Bundle.Status.FAILED:
        messages.error(
            request, _("The bundle could not be built. Try again; if it fails again, tell your administrator.")
        )
    else:
        messages.info(
            request, _("The bundle is large: it is being built in the background. This page shows when it is ready.")
        )
    return redirect(_handover_url(case))


@member_required
def bundle_status(request, pk: int, bundle: int):
    """The bundle's row in the Handover section: what the page polls (htmx) while it is being built."""
    case = case_get(firm=request.firm, pk=pk)
    row = bundle_get(case=case, pk=bundle)
    can_manage = bundles.bundle_can_manage(user=request.user, client=case.client, case=case)
    return render(
        request, "parting/_bundle.html", {"case": case, "bundle": bundle_shown(row), "can_manage": can_manage}
    )


@member_required
@require_POST
def bundle_revoke(request, pk: int, bundle: int):
    case = case_get(firm=request.firm, pk=pk)
    row = bundle_get(case=case, pk=bundle)
    if links.bundle_link_revoke(bundle=row, by=request.user):
        messages.success(request, _("The link is revoked: it no longer opens."))
    else:
        messages.info(request, _("The link was already revoked."))
    return redirect(_handover_url(case))


@member_required
@require_POST
def bundle_renew(request, pk: int, bundle: int):
    case = case_get(firm=request.firm, pk=pk)
    row = bundle_get(case=case, pk=bundle)
    if row.status != Bundle.Status.READY:
        messages.error(request, _("Only a bundle that is ready has a link."))
    else:
        links.bundle_link_renew(bundle=row, by=request.user)
        messages.success(request, _("A new link is made; the earlier one no longer opens."))
    return redirect(_handover_url(case))


REFUSALS = {
    links.Refusal.INVALID: (
        404,
        gettext_lazy("This link is not valid. Check that it was copied whole, or ask the sender for a new one."),
    ),
    links.Refusal.NOT_READY: (
        404,
        gettext_lazy("This link is not valid. Check that it was copied whole, or ask the sender for a new one."),
    ),
    links.Refusal.REVOKED: (410, gettext_lazy("This link was withdrawn by the sender. Ask them for a new one.")),
    links.Refusal.EXPIRED: (410, gettext_lazy("This link has expired. Ask the sender for a new one.")),
}


def _no_referrer(response):
    # The token is the key to the files: no Referer carries it elsewhere, no search engine keeps it.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


def _refused(request, opened):
    status, message = REFUSALS[opened.refusal]
    lang = opened.bundle.lang if opened.bundle is not None else None
    zone = (
        zoneinfo.ZoneInfo(opened.bundle.firm.time_zone)
        if opened.bundle is not None
        else timezone.get_current_timezone()
    )
    with translation.override(lang or translation.get_language()), timezone.override(zone):
        response = render(request, "parting/bundle_refused.html", {"message": str(message)}, status=status)
    return _no_referrer(response)


@require_safe
def bundle_link(request, token: str):
    """The page the client's link opens, in the client's language, no account needed: who sent it,
    the size, until when it opens, and the download button. Opening it is not counted: a mail
    scanner that follows links would count as a download."""
    opened = links.bundle_open(token)
    if opened.refusal:
        return _refused(request, opened)
    bundle = opened.bundle
    # The client's language and the firm's clock: the last day the link opens is the firm's day.
    with translation.override(bundle.lang), timezone.override(zoneinfo.ZoneInfo(bundle.firm.time_zone)):
        response = render(
            request,
            "parting/bundle_public.html",
            {"bundle": bundle, "token": token, "files": len(bundle.manifest.get("files", []))},
        )
    return _no_referrer(response)


@require_safe
def bundle_link_download(request, token: str):
    """The ZIP itself; each download counted and logged (``bundle.downloaded``)."""
    opened = links.bundle_open(token)
    if opened.refusal:
        return _refused(request, opened)
    bundle = opened.bundle
    try:
        handle = document_storage.open(bundle.file.name, "rb")
    except OSError:
        return _refused(request, links.Opened(bundle, links.Refusal.INVALID))
    if request.method == "GET":
        links.bundle_downloaded(bundle=bundle)
    built = timezone.localtime(bundle.built_at, zoneinfo.ZoneInfo(bundle.firm.time_zone)).date()
    response = FileResponse(
        handle, as_attachment=True, filename=f"handover-{built:%Y-%m-%d}.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _no_referrer(response)
