"""Attach the signed-in member's firm to the request and switch to the member's language and to the
firm's time zone: forms read the times a member types, and pages show times, on the firm's clock."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone, translation

from .models import Membership


class FirmMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.firm = None
        request.membership = None
        timezone.deactivate()  # a worker thread serves many firms: start each request from UTC
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = Membership.objects.select_related("firm").filter(user=user).first()
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
