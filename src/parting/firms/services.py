"""Writes for firms and their members."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from parting.signs.policy import policy_for

from .models import Firm, Membership, WorkingDay

DEFAULT_HOURS = [(weekday, dt.time(9), dt.time(17)) for weekday in range(5)]


@transaction.atomic
def firm_create(
    *,
    name: str,
    slug: str | None = None,
    time_zone: str = "UTC",
    currency: str = "EUR",
    working_hours=DEFAULT_HOURS,
    **fields,
) -> Firm:
    firm = Firm(name=name, slug=slug or slugify(name)[:50] or "firm", time_zone=time_zone, currency=currency, **fields)
    firm.full_clean()
    firm.save()
    WorkingDay.objects.bulk_create(
        WorkingDay(firm=firm, weekday=weekday, starts=starts, ends=ends) for weekday, starts, ends in working_hours
    )
    policy_for(firm)
    return firm


def generate_password() -> str:
    """A password nobody chose: Parting never ships a default one."""
    return secrets.token_urlsafe(12)


@transaction.atomic
def member_add(
    *,
    firm: Firm,
    username: str,
    role: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "en",
    usable_password: bool = True,
) -> tuple[Membership, str]:
    """Create a user in ``firm``; returns the membership and the password (generated when not given).

    With ``usable_password=False`` the user cannot log in until a password is set, and "" is returned.
    """
    password = (password or generate_password()) if usable_password else None
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, first_name=first_name, last_name=last_name
    )
    membership = Membership.objects.create(user=user, firm=firm, role=role, language=language)
    return membership, password or ""


@transaction.atomic
def member_join(*, firm: Firm, user, role: str, language: str = "en") -> Membership:
    """Add an existing person to one more firm (issue 15: a role in each firm); refused when they are
    already a member of it."""
    if Membership.objects.filter(user=user, firm=firm).exists():
        raise ValidationError(f"{user.username} is already a member of {firm.name}.")
    return Membership.objects.create(user=user, firm=firm, role=role, language=language)
