"""/api/v1/clients/{id}/<kind>: evidence of every kind, through the forms the client page logs it with.

One set of operations per kind (invoices, payments, meetings, messages, requests, incidents,
time-entries), made in a loop so each has its own typed body and schema. A write does what the
page's write does, in the same order: the form validates (the same rules and messages), the row is
saved, an invoice's balance follows its payments, the audit log records it, the firm is re-scored.
A bulk create validates every row first and writes none unless all are valid, in one transaction;
an error names the row (``items.3.amount``).
"""

from django.db import models, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.orm import create_schema

from parting.clients.models import Client
from parting.clients.selectors import TIMELINE_KINDS, client_get
from parting.evidence.forms import KINDS
from parting.evidence.services import evidence_audit, settle_invoices
from parting.scores.services import request_rescore

from .common import DateQuery, Id, Page, PageQuery, filter_dates, paginate, validated
from .problems import ApiError, form_errors

router = Router(tags=["evidence"])

MAX_BULK = 500
# The path of each kind, and what the row keeps besides what the form sets.
PATHS = {
    "invoice": ("invoices", ["amount_paid", "paid_on"]),
    "payment": ("payments", ["origin"]),
    "meeting": ("meetings", []),
    "message": ("messages", []),
    "request": ("requests", []),
    "incident": ("incidents", ["logged_by"]),
    "time": ("time-entries", []),
}


def _fk_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields() if isinstance(f, models.ForeignKey)}


def _form_input(kind: str, given: dict, instance=None) -> dict:
    """The body as the form's data: ``invoice_id`` → ``invoice``; a change starts from the row."""
    from django.forms.models import model_to_dict

    form_class = KINDS[kind][0]
    fks = _fk_names(form_class._meta.model)
    # A new row starts from the model's defaults, as the page's form shows them filled in.
    base = instance if instance is not None else form_class._meta.model()
    data = model_to_dict(base, fields=form_class._meta.fields)
    for name, value in given.items():
        field = name[:-3] if name.endswith("_id") and name[:-3] in fks else name
        data[field] = value
    return data


def _form(kind: str, client: Client, given: dict, instance=None):
    form_class = KINDS[kind][0]
    data = _form_input(kind, given, instance)
    if kind == "invoice" and instance is None and not data.get("currency"):
        data["currency"] = client.firm.currency
    return form_class(data, instance=instance, client=client)


def _settle(kind: str, row, before: int | None = None) -> None:
    """A payment changed, or an invoice's amount: its invoice's balance follows (issue 10 §1)."""
    if kind == "payment":
        settle_invoices([i for i in (row.invoice_id, before) if i])
    elif kind == "invoice" and row.pk:
        settle_invoices([row.pk])


def _save(request, kind: str, form, instance=None, before=None):
    row = form.save(commit=False)
    if kind == "incident" and row.logged_by_id is None:
        row.logged_by = request.user
    row.save()
    form.save_m2m()
    _settle(kind, row, before)
    evidence_audit(
        firm=request.firm,
        actor=request.user,
        action="changed" if instance else "created",
        row=row,
        kind=kind,
        fields=form.changed_data,
    )
    return row


def _register(kind: str) -> None:
    form_class, label = KINDS[kind]
    model = form_class._meta.model
    path, extra = PATHS[kind]
    fields = list(form_class._meta.fields)
    title = path.replace("-", " ")
    name = "".join(part.title() for part in path.split("-"))
    Out = create_schema(model, name=f"{name}Out", fields=["id", "client", *fields, *extra])
    In = create_schema(model, name=f"{name}In", fields=fields, optional_fields="__all__")
    Bulk = type(
        f"{name}Bulk", (Schema,), {"__annotations__": {"items": list[In]}, "items": Field(..., max_length=MAX_BULK)}
    )
    date_field = TIMELINE_KINDS[kind][1]
    is_moment = isinstance(model._meta.get_field(date_field), models.DateTimeField)

    def rows_of(request, client_id: int):
        client = client_get(firm=request.firm, pk=client_id)
        return client, model.objects.filter(firm=request.firm, client=client)

    def item_of(request, client_id: int, item_id: int):
        client, rows = rows_of(request, client_id)
        return client, get_object_or_404(rows, pk=item_id)

    @router.get(
        f"/clients/{{client_id}}/{path}",
        response=Page[Out],
        summary=f"List a client's {title}",
        description=f"Newest first; ``from``/``to`` filter by {date_field} (on the firm's calendar).",
        operation_id=f"{name.lower()}_list",
    )
    def list_rows(request, client_id: Id, page: PageQuery, dates: DateQuery):
        _client, rows = rows_of(request, client_id)
        rows = filter_dates(rows, f"{date_field}__date" if is_moment else date_field, dates)
        return paginate(rows.order_by(f"-{date_field}", "-pk"), page)

    @router.post(
        f"/clients/{{client_id}}/{path}",
        response={201: Out},
        summary=f"Add one of a client's {title}",
        operation_id=f"{name.lower()}_create",
    )
    def create_row(request, client_id: Id, payload: In):
        client, _rows = rows_of(request, client_id)
        form = validated(_form(kind, client, payload.dict(exclude_unset=True)))
        with transaction.atomic():
            row = _save(request, kind, form)
            request_rescore(request.firm)
        row.refresh_from_db()  # as stored: "840" comes back "840.00", as a later read gives it
        return Status(201, row)

    @router.post(
        f"/clients/{{client_id}}/{path}/bulk",
        response={201: list[Out]},
        summary=f"Add many of a client's {title} at once (all or none)",
        operation_id=f"{name.lower()}_bulk",
    )
    def bulk_create(request, client_id: Id, payload: Bulk):
        client, _rows = rows_of(request, client_id)
        given = [item.dict(exclude_unset=True) for item in payload.items]
        errors = []
        for n, item in enumerate(given):
            form = _form(kind, client, item)
            if not form.is_valid():
                errors += form_errors(form, prefix=f"items.{n}.")
        if errors:
            raise ApiError(422, _("Nothing was written: fix the rows named in errors."), errors)
        saved = []
        with transaction.atomic():
            for n, item in enumerate(given):
                # Again inside the transaction: a row may clash with one earlier in the same batch.
                form = _form(kind, client, item)
                if not form.is_valid():
                    raise ApiError(
                        422, _("Nothing was written: fix the rows named in errors."),
                        form_errors(form, prefix=f"items.{n}."),
                    )  # fmt: skip
                saved.append(_save(request, kind, form))
            request_rescore(request.firm)
        return Status(201, list(model.objects.filter(pk__in=[row.pk for row in saved]).order_by("pk")))

    @router.patch(
        f"/clients/{{client_id}}/{path}/{{item_id}}",
        response=Out,
        summary=f"Change one of a client's {title}",
        operation_id=f"{name.lower()}_update",
    )
    def update_row(request, client_id: Id, item_id: Id, payload: In):
        client, instance = item_of(request, client_id, item_id)
        before = getattr(instance, "invoice_id", None)  # a payment moved to another invoice settles both
        form = validated(_form(kind, client, payload.dict(exclude_unset=True), instance))
        with transaction.atomic():
            row = _save(request, kind, form, instance, before)
            request_rescore(request.firm)
        row.refresh_from_db()
        return row

    @router.delete(
        f"/clients/{{client_id}}/{path}/{{item_id}}",
        response={204: None},
        summary=f"Delete one of a client's {title}",
        operation_id=f"{name.lower()}_delete",
    )
    def delete_row(request, client_id: Id, item_id: Id):
        _client, instance = item_of(request, client_id, item_id)
        with transaction.atomic():
            evidence_audit(firm=request.firm, actor=request.user, action="deleted", row=instance, kind=kind)
            instance.delete()
            _settle(kind, instance)
            request_rescore(request.firm)
        return Status(204, None)

    del label


for _kind in PATHS:
    _register(_kind)
