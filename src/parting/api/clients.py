"""/api/v1/clients: the firm's clients, read, added and changed through the client page's form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from ninja import Router, Schema, Status

from parting.clients.forms import ClientForm
from parting.clients.models import Client
from parting.clients.selectors import client_get
from parting.scores.services import request_rescore, snapshots_relabel

from .common import Id, Page, PageQuery, form_data, paginate, validated

router = Router(tags=["clients"])


class ClientOut(Schema):
    id: int
    name: str
    status: str
    assigned_to: int | None
    started_on: dt.date | None
    services: list[int]
    contract_start: dt.date | None
    contract_end: dt.date | None
    notice_days: int | None
    payment_terms_days: int
    prepaid_amount: Decimal
    referred_by: int | None
    referral_source: str
    holds_stake: bool
    notes: str
    created_at: dt.datetime


class ClientIn(Schema):
    """Fields of the client form; on a change, only those given change. ``assigned_to`` is a member's
    user id, ``services`` the firm's service ids, ``referred_by`` another client's id."""

    name: str | None = None
    status: Client.Status | None = None
    assigned_to: int | None = None
    started_on: dt.date | None = None
    services: list[int] | None = None
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    notice_days: int | None = None
    payment_terms_days: int | None = None
    prepaid_amount: Decimal | None = None
    referred_by: int | None = None
    referral_source: str | None = None
    holds_stake: bool | None = None
    notes: str | None = None


def client_out(client: Client) -> dict:
    return {
        "id": client.pk,
        "name": client.name,
        "status": client.status,
        "assigned_to": client.assigned_to_id,
        "started_on": client.started_on,
        "services": [s.pk for s in client.services.all()],
        "contract_start": client.contract_start,
        "contract_end": client.contract_end,
        "notice_days": client.notice_days,
        "payment_terms_days": client.payment_terms_days,
        "prepaid_amount": client.prepaid_amount,
        "referred_by": client.referred_by_id,
        "referral_source": client.referral_source,
        "holds_stake": client.holds_stake,
        "notes": client.notes,
        "created_at": client.created_at,
    }


def _save(request, payload: ClientIn, client: Client | None) -> Client:
    data = form_data(ClientForm, payload, client)
    for name in ("status",):
        if data.get(name) is not None:
            data[name] = str(getattr(data[name], "value", data[name]))
    form = validated(ClientForm(data, instance=client, firm=request.firm))
    with transaction.atomic():
        saved = form.save()
        snapshots_relabel([saved.pk])  # the table's name and status, before the re-score
        request_rescore(request.firm)  # status, services and referrals change scores
    return saved


@router.get("", response=Page[ClientOut], summary="List clients")
def clients_list(request, page: PageQuery, status: Client.Status | None = None):
    rows = Client.objects.filter(firm=request.firm).prefetch_related("services").order_by("name", "pk")
    if status:
        rows = rows.filter(status=status)
    return paginate(rows, page, client_out)


@router.get("/{client_id}", response=ClientOut, summary="Read a client")
def clients_read(request, client_id: Id):
    return client_out(client_get(firm=request.firm, pk=client_id))


@router.post("", response={201: ClientOut}, summary="Add a client")
def clients_create(request, payload: ClientIn):
    return Status(201, client_out(_save(request, payload, None)))


@router.patch("/{client_id}", response=ClientOut, summary="Change a client")
def clients_update(request, client_id: Id, payload: ClientIn):
    return client_out(_save(request, payload, client_get(firm=request.firm, pk=client_id)))
