"""The REST API (issue 15 §2): django-ninja routers over the same services and forms as the pages.

Mounted at /api/: operations under /api/v1/, the schema at /api/openapi.json and the interactive
docs at /api/docs (both for a signed-in member or a token holder). See docs/api.md.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from ninja import NinjaAPI

from . import cases, clients, evidence, imports, letters, problems, scores
from .auth import MemberSession, TokenAuth, TokenRateThrottle
from .tokens import token_authenticate

ERROR_CODES = (400, 401, 403, 404, 409, 413, 422, 429)


def members_only(view):
    """The schema and the docs: for a member signed in, or a request with a valid token."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and token_authenticate(header[7:].strip()) is not None:
            return view(request, *args, **kwargs)
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapped


class PartingAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Every operation documents the problem details it may answer with, as application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        ref = {"$ref": "#/components/schemas/Problem"}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for code in ERROR_CODES:
                    responses[str(code)] = {
                        "description": problems.TITLES[code],
                        "content": {problems.CONTENT_TYPE: {"schema": ref}},
                    }
        problem = problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem
        return schema


api = PartingAPI(
    title="Parting API",
    version="1",
    description="Clients, evidence, imports, scores, cases and letters of your firm. See docs/api.md.",
    auth=[TokenAuth(), MemberSession()],
    throttle=[TokenRateThrottle()],
    docs_decorator=members_only,
    urls_namespace="api",
)
problems.install(api)
api.add_router("/v1/clients", clients.router)
api.add_router("/v1", evidence.router)
api.add_router("/v1", scores.router)
api.add_router("/v1", cases.router)
api.add_router("/v1", letters.router)
api.add_router("/v1", imports.router)
