"""Client documents (issue 13 §1): upload from the client page, download through a view that checks
the firm (never a storage URL), delete after a confirmation. The handover bundle (§2): built, its link
revoked or renewed from the case page; the link's own pages, which need no account. The client's
request for their data (§3): the same bundle made from the client's page, with no case.

A refused file is a message on the upload form naming the file and why, never a 500. An upload
larger than the limit is refused from its declared length before Django reads it; the CSRF token,
which Django would read the whole body to find, is checked only after that.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
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
from parting.documents.forms import DataRequestForm, DocumentForm
from parting.documents.models import Bundle
from parting.documents.selectors import bundle_get, bundle_shown, client_bundles, data_request_get, document_get
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
    _bundle_message(request, bundle)
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


def _revoke_link(request, row: Bundle) -> None:
    """Revoke a bundle's link (a handover's or a data request's) and say what happened."""
    if links.bundle_link_revoke(bundle=row, by=request.user):
        messages.success(request, _("The link is revoked: it no longer opens."))
    else:
        messages.info(request, _("The link was already revoked."))


def _renew_link(request, row: Bundle) -> None:
    """Give a ready bundle a new link (the earlier one stops opening) and say what happened."""
    if row.status != Bundle.Status.READY:
        messages.error(request, _("Only a bundle that is ready has a link."))
    else:
        links.bundle_link_renew(bundle=row, by=request.user)
        messages.success(request, _("A new link is made; the earlier one no longer opens."))


@member_required
@require_POST
def bundle_revoke(request, pk: int, bundle: int):
    case = case_get(firm=request.firm, pk=pk)
    row = bundle_get(case=case, pk=bundle)
    _revoke_link(request, row)
    return redirect(_handover_url(case))


@member_required
@require_POST
def bundle_renew(request, pk: int, bundle: int):
    case = case_get(firm=request.firm, pk=pk)
    row = bundle_get(case=case, pk=bundle)
    _renew_link(request, row)
    return redirect(_handover_url(case))


# ---- the client's request for their data (issue 13 §3, GDPR Art. 15/20) -------------------------
#
# Client-scoped URLs of their own (/clients/<pk>/data-request/…) rather than the case's views made to
# accept a bundle with no case: the case's views find the bundle through the case and send back to the
# case page, which a client with no case does not have; here the client is looked up in the member's
# firm, then the bundle among that client's data-request bundles only. The build, the status, the link
# and its revoke and renew are the same functions as a handover bundle's.


def _data_request_url(client) -> str:
    return reverse("data_request", args=[client.pk])


def _data_request_client(request, pk: int):
    """The client (the member's firm's, else 404), once the member may share their files (else 403)."""
    client = client_get(firm=request.firm, pk=pk)
    if not bundles.bundle_can_manage(user=request.user, client=client, case=None):
        raise PermissionDenied(
            _("Only owners, partners and the member who looks after the client can send them their data.")
        )
    return client


@member_required
def data_request(request, pk: int):
    """Record that the client asked for a copy of their data, and build it; the page lists the bundles
    made for their requests, each with its link to copy (polled while a large one is built)."""
    client = _data_request_client(request, pk)
    purged = bundles.client_purged(client)
    form = DataRequestForm(request.POST or None)
    form.fields["requested_on"].widget.attrs["max"] = client.firm.today().isoformat()
    if request.method == "POST" and form.is_valid():
        try:
            bundle = bundles.data_request(
                client=client,
                by=request.user,
                requested_on=form.cleaned_data["requested_on"],
                how=form.cleaned_data["how"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name, errors)
            else:
                form.add_error(None, error.messages)
        else:
            _bundle_message(request, bundle)
            return redirect(_data_request_url(client))
    status = 400 if form.errors else 200
    rows = [bundle_shown(row) for row in client_bundles(client=client, origin=Bundle.Origin.REQUEST)]
    return render(
        request,
        "parting/data_request.html",
        {"client": client, "form": form, "bundles": rows, "can_manage": True, "purged": purged},
        status=status,
    )


def _bundle_message(request, bundle) -> None:
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


@member_required
def data_request_status(request, pk: int, bundle: int):
    """One data-request bundle's row: what the page polls (htmx) while it is being built."""
    client = _data_request_client(request, pk)
    row = data_request_get(client=client, pk=bundle)
    return render(request, "parting/_bundle.html", {"bundle": bundle_shown(row), "can_manage": True})


@member_required
@require_POST
def data_request_revoke(request, pk: int, bundle: int):
    client = _data_request_client(request, pk)
    row = data_request_get(client=client, pk=bundle)
    _revoke_link(request, row)
    return redirect(_data_request_url(client))


@member_required
@require_POST
def data_request_renew(request, pk: int, bundle: int):
    client = _data_request_client(request, pk)
    row = data_request_get(client=client, pk=bundle)
    _renew_link(request, row)
    return redirect(_data_request_url(client))


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
