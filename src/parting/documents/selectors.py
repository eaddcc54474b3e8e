"""Reading client documents: always within one firm, one query per list."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from parting.clients.models import Client

from .models import Document


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
