"""Client documents (issue 13 §1): upload from the client page, download through a view that checks
the firm (never a storage URL), delete after a confirmation.

A refused file is a message on the upload form naming the file and why, never a 500. An upload
larger than the limit is refused from its declared length before Django reads it; the CSRF token,
which Django would read the whole body to find, is checked only after that.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from parting.clients.selectors import client_get
from parting.core.requests import int_param
from parting.documents import services
from parting.documents.filetypes import Refused
from parting.documents.forms import DocumentForm
from parting.documents.selectors import document_get
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
