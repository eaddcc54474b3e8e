"""Request and response handling for every page: private caching, and the client's address."""

from __future__ import annotations

import ipaddress

from django.conf import settings


class PrivateCacheMiddleware:
    """Pages and downloads for a signed-in member hold client data: no cache may keep them.

    ``Cache-Control: private, no-store`` keeps them out of shared proxies and out of the browser's
    disk cache (so the back button on a shared computer after logging out shows nothing). A view
    that chose its own policy keeps it; static files never reach here (whitenoise answers first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


def client_ip_address(request) -> str | None:
    """The address failed logins are counted against (django-axes' AXES_CLIENT_IP_CALLABLE).

    Directly exposed, the peer's address. Behind PARTING_BEHIND_PROXY, the entry of X-Forwarded-For
    that the nearest of PARTING_PROXY_COUNT proxies appended — counted from the right, because
    everything to its left came from the client and can be forged. A header with fewer entries or
    a value that is not an address falls back to the peer's address.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    if not getattr(settings, "BEHIND_PROXY", False):
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    count = getattr(settings, "PARTING_PROXY_COUNT", 1)
    if len(forwarded) < count:
        return peer
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


class DatabaseBusyMiddleware:
    """A page that must write while an import holds SQLite's one write lock for longer than the
    lock's wait (20 s: a large import writes in one transaction, all or nothing) gets a page that
    says so and asks to try again (503, ``Retry-After``), never a server error. PostgreSQL has no
    such lock; its errors pass through untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import OperationalError
        from django.shortcuts import render

        if not isinstance(exception, OperationalError) or "locked" not in str(exception):
            return None
        response = render(request, "parting/busy.html", status=503)
        response["Retry-After"] = "30"
        return response


class MethodNotAllowedPageMiddleware:
    """A form's address opened as a page — a bookmark, a reload after the download it started, a
    link pasted from the address bar — answered with Django's blank 405 (``require_POST``). It gets
    a page that says the address takes a form and links back (still 405, with its ``Allow``
    header); API answers and responses that carry their own body are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        from django.shortcuts import render

        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
