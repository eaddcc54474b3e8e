"""Which firm a command acts for: the firm of ``--user`` (or PARTING_USER), never a guess across firms.
A person in several firms (issue 15) also names the firm with ``--firm SLUG`` (or PARTING_FIRM)."""

from __future__ import annotations

import os
import zoneinfo

from django.core.management.base import CommandError
from django.db.utils import OperationalError, ProgrammingError
from django.utils import timezone

from parting.firms.models import Firm, Membership


def add_user_argument(parser) -> None:
    parser.add_argument(
        "--user",
        default=os.environ.get("PARTING_USER", ""),
        help="act as this member, within their firm (default: $PARTING_USER; optional when only one firm exists)",
    )
    if "--firm" in parser._option_string_actions:
        return  # `parting import` and `export` have their own --firm, and pass it to firm_for
    parser.add_argument(
        "--firm",
        dest="firm_slug",
        default=os.environ.get("PARTING_FIRM", ""),
        help="the firm's short name, when --user belongs to several firms (default: $PARTING_FIRM)",
    )


def firm_for(username: str, firm_slug: str = "") -> tuple[Firm, Membership | None]:
    """The firm a command acts for; from here on the command reads and writes times on its clock."""
    try:
        firm, membership = _firm_for(username, firm_slug)
    except (OperationalError, ProgrammingError) as error:
        if Firm._meta.db_table not in str(error) and "firms_" not in str(error):
            raise
        raise CommandError(
            "The database has no tables yet: run `parting migrate` (or `parting demo --load-only` for the demo)."
        ) from None
    timezone.activate(zoneinfo.ZoneInfo(firm.time_zone))
    return firm, membership


def _firm_for(username: str, firm_slug: str = "") -> tuple[Firm, Membership | None]:
    if username:
        memberships = Membership.objects.select_related("firm").filter(user__username=username, is_active=True)
        if firm_slug:
            memberships = memberships.filter(firm__slug=firm_slug)
        found = list(memberships.order_by("pk")[:2])
        if not found and firm_slug and Membership.objects.filter(user__username=username, is_active=True).exists():
            raise CommandError(f"--user {username!r} is not a member of the firm {firm_slug!r}.")
        if not found:
            raise CommandError(f"--user {username!r}: no active member of any firm has this user name.")
        if len(found) > 1:
            raise CommandError(
                f"--user {username!r} belongs to several firms: say which with --firm SLUG (or PARTING_FIRM)."
            )
        return found[0].firm, found[0]
    if firm_slug:
        raise CommandError("--firm needs --user USERNAME (or PARTING_USER): a command acts as a member of the firm.")
    firms = list(Firm.objects.all()[:2])
    if len(firms) == 1:
        return firms[0], None
    if not firms:
        raise CommandError("There is no firm yet: run `parting demo --load-only` or `parting firm create`.")
    raise CommandError("Several firms live here: say which with --user USERNAME (or PARTING_USER).")


def speaking(membership: Membership | None):
    """A command's words in the language of the member it acts as (``--user``), else the firm's
    default (``PARTING_LANGUAGE``): ``with speaking(membership): ...``."""
    from django.conf import settings
    from django.utils import translation

    return translation.override(membership.language if membership else settings.LANGUAGE_CODE)
