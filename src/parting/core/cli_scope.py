"""Which firm a command acts for: the firm of ``--user`` (or PARTING_USER), never a guess across firms."""

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


def firm_for(username: str) -> tuple[Firm, Membership | None]:
    """The firm a command acts for; from here on the command reads and writes times on its clock."""
    try:
        firm, membership = _firm_for(username)
    except (OperationalError, ProgrammingError) as error:
        if Firm._meta.db_table not in str(error) and "firms_" not in str(error):
            raise
        raise CommandError(
            "The database has no tables yet: run `parting migrate` (or `parting demo --load-only` for the demo)."
        ) from None
    timezone.activate(zoneinfo.ZoneInfo(firm.time_zone))
    return firm, membership


def _firm_for(username: str) -> tuple[Firm, Membership | None]:
    if username:
        membership = Membership.objects.select_related("firm").filter(user__username=username).first()
        if membership is None:
            raise CommandError(f"--user {username!r}: no member of any firm has this user name.")
        return membership.firm, membership
    firms = list(Firm.objects.all()[:2])
    if len(firms) == 1:
        return firms[0], None
    if not firms:
        raise CommandError("There is no firm yet: run `parting demo --load-only` or `parting firm create`.")
    raise CommandError("Several firms live here: say which with --user USERNAME (or PARTING_USER).")
