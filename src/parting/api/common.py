"""What every router shares: ids in paths, pages (limit/offset), date ranges, form input."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, TypeVar

from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema

from parting.core.requests import DB_INT_MAX

from .problems import ApiError, form_errors

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_OFFSET = 1_000_000
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)

Id = Annotated[int, Path(ge=1, le=DB_INT_MAX)]
T = TypeVar("T")


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class Page(Schema, Generic[T]):
    count: int
    limit: int
    offset: int
    items: list[T]


def paginate(rows, page: PageParams, convert=lambda row: row) -> dict:
    """One page of a queryset (or a list): ``count`` is the total, ``items`` the rows of the page."""
    count = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
    items = [convert(row) for row in rows[page.offset : page.offset + page.limit]]
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": items}


class DateRange(Schema):
    """``from`` and ``to``, both included; dates between 1900 and 2199."""

    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")

    def checked(self) -> tuple[dt.date | None, dt.date | None]:
        errors = []
        for name, day in (("from", self.date_from), ("to", self.date_to)):
            if day and not EARLIEST <= day <= LATEST:
                errors.append({"field": name, "message": _("Choose a date between 1900 and 2199.")})
        if not errors and self.date_from and self.date_to and self.date_from > self.date_to:
            errors.append({"field": "to", "message": _("The end of the range is before its start.")})
        if errors:
            raise ApiError(422, _("The date range is not valid."), errors)
        return self.date_from, self.date_to


def filter_dates(rows, field: str, dates: DateRange):
    start, end = dates.checked()
    if start:
        rows = rows.filter(**{f"{field}__gte": start})
    if end:
        rows = rows.filter(**{f"{field}__lte": end})
    return rows


PageQuery = Query[PageParams]
DateQuery = Query[DateRange]


def form_data(form_class, payload: Schema, instance=None, **kwargs) -> dict:
    """The data a page's form would post: for a change, the row as it is with the given fields
    over it (a PATCH names only what changes); for a new row, the model's defaults under them."""
    given = payload.dict(exclude_unset=True)
    # A new row starts from the model's defaults, as the page's form shows them filled in.
    base = instance if instance is not None else form_class._meta.model()
    data = model_to_dict(base, fields=form_class._meta.fields)
    for name, value in data.items():
        if isinstance(value, list):  # many-to-many: the ids, as a form posts them
            data[name] = [getattr(v, "pk", v) for v in value]
    data.update(given)
    return data


def validated(form, *, prefix: str = ""):
    """The form, valid; else a 422 naming each field at fault."""
    if not form.is_valid():
        raise ApiError(422, _("The request is not valid: see errors."), form_errors(form, prefix=prefix))
    return form
