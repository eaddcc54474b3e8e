"""Attach the signed-in member's firm to the request and switch to the member's language."""

from __future__ import annotations

from django.utils import translation

from .models import Membership


class FirmMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.firm = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = Membership.objects.select_related("firm").filter(user=user).first()
            if membership is not None:
                request.membership = membership
                request.firm = membership.firm
                translation.activate(membership.language)
                request.LANGUAGE_CODE = membership.language
        return self.get_response(request)
