"""Reading client documents and handover bundles: always within one firm, one query per list."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from parting.clients.models import Client

from .links import bundle_link_url
from .models import Bundle, Document


def document_get(*, client: Client, pk: int) -> Document:
    """The document ``pk`` of ``client`` (itself already the member's firm's); anything else is a 404."""
    return get_object_or_404(Document.objects.select_related("firm"), firm_id=client.firm_id, client=client, pk=pk)


def client_documents(*, client: Client) -> list[tuple[str, str, list[Document]]]:
    """The client's documents by category, in the categories' order: (value, label, rows) for each
    category that has any, newest first."""
    rows = list(Document.objects.filter(firm_id=client.firm_id, client=client).select_related("uploaded_by"))
    return [
        (value, label, [row for row in rows if row.category == value])
        for value, label in Document.Category.choices
        if any(row.category == value for row in rows)
    ]


def bundle_get(*, case, pk: int) -> Bundle:
    """The bundle ``pk`` of ``case``'s client (the case itself already the member's firm's); anything
    else, another firm's bundle included, is a 404."""
    return get_object_or_404(
        Bundle.objects.select_related("firm", "client", "case"), firm_id=case.firm_id, client_id=case.client_id, pk=pk
    )


def data_request_get(*, client: Client, pk: int) -> Bundle:
    """The bundle ``pk`` made for ``client``'s request for their data (the client already the member's
    firm's); a handover bundle, another client's or another firm's is a 404."""
    return get_object_or_404(
        Bundle.objects.select_related("firm", "client"),
        firm_id=client.firm_id,
        client=client,
        origin=Bundle.Origin.REQUEST,
        pk=pk,
    )


def client_bundles(*, client: Client, limit: int = 5, origin: str = Bundle.Origin.HANDOVER) -> list[Bundle]:
    """The client's latest bundles made for ``origin`` (a handover, or the client's request), newest first."""
    return list(
        Bundle.objects.filter(firm_id=client.firm_id, client=client, origin=origin).select_related("requested_by")[
            :limit
        ]
    )


def bundle_current(*, client: Client) -> Bundle | None:
    """The bundle a letter or the checklist speaks of: the newest ready one, else the newest at all.
    Handover bundles only: one made for the client's request for their data has no successor briefing,
    and its link was sent to the client already."""
    rows = Bundle.objects.filter(firm_id=client.firm_id, client=client, origin=Bundle.Origin.HANDOVER)
    return rows.filter(status=Bundle.Status.READY).first() or rows.first()


def bundle_shown(bundle):
    """A bundle as the Handover section shows it: its link while it opens, its files, whether to poll."""
    bundle.live = bundle.link_live()
    bundle.link_url = bundle_link_url(bundle) if bundle.live else ""
    bundle.files = bundle.manifest.get("files", []) if bundle.manifest else []
    bundle.polling = bundle.status in (Bundle.Status.QUEUED, Bundle.Status.BUILDING)
    bundle.expired = (
        bundle.status == Bundle.Status.READY
        and bundle.link_revoked_at is None
        and bundle.link_expires_at is not None
        and not bundle.live
    )
    return bundle
