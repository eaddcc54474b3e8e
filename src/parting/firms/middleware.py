"""Attach the signed-in member's firm to the request and switch to the member's language and to the
firm's time zone: forms read the times a member types, and pages show times, on the firm's clock.

A person may belong to several firms (issue 15 §1): the firm they chose is kept in the session
(``SESSION_FIRM``); it is used only while they are an active member of it, else their first active
membership is. A deactivated membership is never picked, so a deactivated member cannot use the firm."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone, translation

from .models import Membership

SESSION_FIRM = "parting_firm"


def choose_membership(request) -> Membership | None:
    """The membership this request works in: the session's firm if still allowed, else the first."""
    memberships = Membership.objects.select_related("firm").filter(user=request.user, is_active=True)
    chosen = request.session.get(SESSION_FIRM) if hasattr(request, "session") else None
    if isinstance(chosen, int):
        membership = memberships.filter(firm_id=chosen).first()
        if membership is not None:
            return membership
    return memberships.order_by("pk").first()


class FirmMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.firm = None
        request.membership = None
        timezone.deactivate()  # a worker thread serves many firms: start each request from UTC
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = choose_membership(request)
            if membership is not None:
                request.membership = membership
                request.firm = membership.firm
                translation.activate(membership.language)
                request.LANGUAGE_CODE = membership.language
                timezone.activate(zoneinfo.ZoneInfo(membership.firm.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
