"""Keeping and deleting client documents (issue 13 §1).

``document_upload`` checks the file first (size, kind from its first bytes: ``filetypes``), writes it
to the "documents" storage under a generated name, then records the row and its audit entry in one
transaction; if that transaction fails the file is deleted again, so no file is kept without its row.
``document_delete`` deletes the row and records it in one transaction and removes the file only once
that has committed, so a rolled-back delete never loses a file whose row is still there. Both are
called outside a transaction (from a view): a file written inside a caller's transaction that later
rolls back would be left behind.
"""

from __future__ import annotations

import logging
import secrets
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from parting.audit.services import audit_record
from parting.clients.models import Client
from parting.core.limits import NOTE, too_long
from parting.firms.models import Membership

from .filetypes import FileKind, Refused, inspect_upload
from .models import Document
from .storage import document_storage

log = logging.getLogger(__name__)


def _membership(user, firm_id: int) -> Membership:
    membership = Membership.active(user, firm_id)
    if membership is None:
        raise PermissionDenied(_("Only members of the firm can do this."))
    return membership


def storage_name(*, client: Client, kind: FileKind) -> str:
    """Where a new file goes: ``<firm id>/<client id>/<random>.<ext>``; the member's name is never used."""
    return f"{client.firm_id}/{client.pk}/{secrets.token_hex(16)}.{kind.extensions[0]}"


def document_upload(*, client: Client, by, category: str, upload, note: str = "") -> Document:
    """Keep ``upload`` for ``client``, or raise ``Refused`` with a message naming the file and the reason."""
    _membership(by, client.firm_id)
    if category not in Document.Category.values:
        raise ValueError(f"document_upload: {category!r} is not a document category")
    problem = too_long(_("Note"), note, NOTE)
    if problem:
        raise Refused(problem)
    found = inspect_upload(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
    stored = document_storage.save(storage_name(client=client, kind=found.kind), upload)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                firm_id=client.firm_id,
                client=client,
                category=category,
                name=found.name,
                file=stored,
                size=found.size,
                content_type=found.kind.content_type,
                sha256=found.sha256,
                uploaded_by=by,
                note=note,
            )
            # Not the file's name: it can be personal data, and the log outlives a purge.
            audit_record(
                firm=client.firm,
                actor=by,
                action="document.uploaded",
                target=f"client:{client.pk}",
                data={"document": document.pk, "category": category, "size": found.size, "sha256": found.sha256},
            )
    except BaseException:
        _remove_file(stored)
        raise
    return document


def document_can_delete(*, document: Document, membership: Membership | None) -> bool:
    """Who uploaded it may take back their own mistake; anyone else's file only an owner or a partner."""
    if membership is None or membership.firm_id != document.firm_id:
        return False
    return membership.is_senior or (
        document.uploaded_by_id is not None and document.uploaded_by_id == membership.user_id
    )


def _remove_file(name: str) -> None:
    try:
        document_storage.delete(name)
    except OSError:
        log.exception("A deleted document's file could not be removed from storage: %s", name)


def document_delete(*, document: Document, by) -> bool:
    """Delete ``document`` and, once that commits, its file. False if it was already gone (a second
    click, another member at the same moment): deleted and recorded once."""
    if not document_can_delete(document=document, membership=_membership(by, document.firm_id)):
        raise PermissionDenied(_("Only the member who uploaded a document, an owner or a partner can delete it."))
    name = document.file.name
    with transaction.atomic():
        deleted, _rows = Document.objects.filter(pk=document.pk, firm_id=document.firm_id).delete()
        if not deleted:
            return False
        audit_record(
            firm=document.firm,
            actor=by,
            action="document.deleted",
            target=f"client:{document.client_id}",
            data={
                "document": document.pk,
                "category": document.category,
                "size": document.size,
                "sha256": document.sha256,
            },
        )
        transaction.on_commit(partial(_remove_file, name), robust=True)
    return True
