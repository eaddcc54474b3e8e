"""``{% client_documents client as documents %}``: the client page's Documents section reads its rows
here (one query), with who may delete each, and an empty upload form. ``{% case_handover case as
handover %}``: the case page's Handover section, the client's latest bundles with their links.
``{% client_data_request client as data_request %}``: whether the member may record the client's request
for their data, and how many are recorded."""

from __future__ import annotations

from django import template
from django.conf import settings

from parting.documents.bundle import bundle_can_manage
from parting.documents.forms import DocumentForm
from parting.documents.models import Bundle
from parting.documents.selectors import bundle_shown, client_bundles
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


@register.simple_tag(takes_context=True)
def case_handover(context, case):
    """``{% case_handover case as handover %}``: the case page's Handover section (issue 13 §2)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "bundles": [bundle_shown(row) for row in client_bundles(client=case.client)],
        "can_manage": bundle_can_manage(user=user, client=case.client, case=case),
        "inline_max": settings.BUNDLE_INLINE_MAX_BYTES,
    }


@register.simple_tag(takes_context=True)
def client_data_request(context, client):
    """The client page's link to record a request for the client's data (issue 13 §3)."""
    user = getattr(context.get("request"), "user", None)
    can_manage = bundle_can_manage(user=user, client=client, case=None)
    count = (
        Bundle.objects.filter(firm_id=client.firm_id, client=client, origin=Bundle.Origin.REQUEST).count()
        if can_manage
        else 0
    )
    return {"can_manage": can_manage, "count": count}
