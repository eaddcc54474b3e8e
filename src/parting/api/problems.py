"""Errors as problem details (RFC 9457): ``application/problem+json`` with a title, the status, a
sentence saying what went wrong and, for bad input, ``errors: [{field, message}]`` naming each field.

Every way a request can fail ends here — bad input (a form's errors, pydantic's), a refused rule
(a service's ValidationError), no such row (404), no or a dead token (401), a read-only token
writing (403), too many requests (429) — so a script reads one shape whatever went wrong.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

CONTENT_TYPE = "application/problem+json"


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


class ApiError(Exception):
    """A refusal the API itself makes, with its status and, for bad input, the fields at fault."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors or []


class Forbidden(ApiError):
    def __init__(self, detail: str):
        super().__init__(403, detail)


TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
}


def problem(status: int, detail: str = "", errors: list[dict] | None = None, headers: dict | None = None):
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": str(detail)}
    body["errors"] = [{"field": str(e["field"]), "message": str(e["message"])} for e in errors or []]
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def form_errors(form, *, prefix: str = "") -> list[dict]:
    """A Django form's errors as [{field, message}]; an error of the whole form has the field ""."""
    return [
        {"field": f"{prefix}{name}" if name != "__all__" else prefix.rstrip("."), "message": message}
        for name, messages in form.errors.items()
        for message in messages
    ]


def _pydantic_field(loc) -> str:
    # ("body", "payload", "rows", 2, "amount") → "rows.2.amount"; ("query", "limit") → "limit"
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in ("query", "path", "header", "form", "file"):
        parts = parts[1:]
    return ".".join(parts)


def install(api) -> None:
    """Register the handlers on ``api``."""

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return problem(exc.status, exc.detail, exc.errors)

    @api.exception_handler(NinjaValidationError)
    def _invalid(request, exc: NinjaValidationError):
        errors = [{"field": _pydantic_field(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
        return problem(422, _("The request is not valid: see errors."), errors)

    @api.exception_handler(ValidationError)
    def _refused(request, exc: ValidationError):
        # A service refused: the message names the rule (D8, D4 …) that refused it.
        return problem(409, " ".join(exc.messages))

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem(404, _("Not found in your firm."))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return problem(
            401,
            _("A valid access token is needed (Authorization: Bearer …); it may be revoked or expired."),
            headers={"WWW-Authenticate": 'Bearer realm="parting"'},
        )

    @api.exception_handler(AuthorizationError)
    def _unauthorized(request, exc):
        return problem(403, str(exc.message) if hasattr(exc, "message") else _("Not allowed."))

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc):
        return problem(403, str(exc) or _("Not allowed."))

    @api.exception_handler(Throttled)
    def _throttled(request, exc: Throttled):
        wait = int(exc.wait or 1) + (0 if exc.wait is None or float(exc.wait).is_integer() else 1)
        return problem(
            429,
            _("Too many requests with this token; try again in %(s)s seconds.") % {"s": wait},
            headers={"Retry-After": str(wait)},
        )

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        return problem(exc.status_code, str(exc))
