"""Who is calling: a personal access token (``Authorization: Bearer prt_…``), or a signed-in member's
session (the browser, the interactive docs). Either way the request then carries the member's user,
membership and firm, as the pages' middleware gives them, and every query starts from that firm.

CSRF: a token request needs none (no cookie is involved, so no other site can forge it); a session
request is checked as every form post is (ninja's cookie auth runs Django's CSRF check).
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from .models import AccessToken
from .problems import Forbidden
from .tokens import token_authenticate

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _act_as(request, membership) -> None:
    request.user = membership.user
    request.membership = membership
    request.firm = membership.firm
    translation.activate(membership.language)
    request.LANGUAGE_CODE = membership.language
    timezone.activate(zoneinfo.ZoneInfo(membership.firm.time_zone))  # FirmMiddleware deactivates it after


class TokenAuth(HttpBearer):
    """A personal access token; a read-only one may only read (403 on a write)."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        found = token_authenticate(token)
        if found is None:
            return None
        request.api_token = found
        _act_as(request, found.membership)
        if found.scope != AccessToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise Forbidden(_("This token can only read; make a token with write scope to change data."))
        return found.membership


class MemberSession(SessionAuth):
    """A signed-in member of a firm, as the pages know them (CSRF checked on writes)."""

    def authenticate(self, request, key):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            request.api_token = None
            return request.membership
        return None


class TokenRateThrottle(SimpleRateThrottle):
    """PARTING_API_RATE per token (per member for session calls), e.g. "600/min". The rate is read on
    each request so a changed setting needs no restart of the API object."""

    scope = "parting_api"

    def __init__(self):
        super().__init__(rate=settings.PARTING_API_RATE)

    def allow_request(self, request) -> bool:
        if self.rate != settings.PARTING_API_RATE:
            self.rate = settings.PARTING_API_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        if token is not None:
            ident = f"token-{token.pk}"
        elif getattr(request, "membership", None) is not None:
            ident = f"member-{request.membership.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
