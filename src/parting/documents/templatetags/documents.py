"""``{% client_documents client as documents %}``: the client page's Documents section reads its rows
here (one query), with who may delete each, and an empty upload form."""

from __future__ import annotations

from django import template
from django.conf import settings

from parting.documents.forms import DocumentForm
from parting.documents.selectors import client_documents as documents_of
from parting.documents.services import document_can_delete

register = template.Library()


@register.simple_tag(takes_context=True)
def client_documents(context, client):
    membership = getattr(context.get("request"), "membership", None)
    groups = documents_of(client=client)
    for _value, _label, rows in groups:
        for row in rows:
            row.can_delete = document_can_delete(document=row, membership=membership)
    return {"groups": groups, "form": DocumentForm(), "max_size": settings.DOCUMENT_MAX_BYTES}
