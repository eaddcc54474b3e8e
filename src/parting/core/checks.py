"""Deployment checks of Parting's own settings (``parting check --deploy``)."""

from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http.request import validate_host


@register(Tags.security, deploy=True)
def base_url_reaches_this_server(app_configs=None, **kwargs):
    """PARTING_BASE_URL starts every link Parting e-mails (alert digests) and the handover bundle's link
    the client is sent: on a server it must be the public HTTPS address members open, not the
    development default, or those links lead nowhere."""
    url = urlparse(settings.PARTING_BASE_URL)
    problems = []
    if url.scheme != "https":
        problems.append(
            Warning(
                f"PARTING_BASE_URL={settings.PARTING_BASE_URL!r} is not an https:// address.",
                hint="Set it to the address members open, e.g. https://parting.example.com: links in the "
                "e-mails Parting sends and the client's handover link start with it.",
                id="parting.W001",
            )
        )
    if not validate_host(url.hostname or "", settings.ALLOWED_HOSTS):
        problems.append(
            Warning(
                f"PARTING_BASE_URL's host {url.hostname!r} is not in PARTING_ALLOWED_HOSTS, so its links would be refused.",
                hint="Use the host name this server answers to.",
                id="parting.W002",
            )
        )
    return problems
