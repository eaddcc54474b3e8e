"""View guards: every page works inside the signed-in member's firm, and only there."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def member_required(view=None, *, senior: bool = False):
    """Require a signed-in member of a firm; with ``senior``, an owner or a partner."""

    def decorator(func):
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.firm is None:
                raise PermissionDenied(_("Your account does not belong to a firm."))
            if senior and not request.membership.is_senior:
                raise PermissionDenied(_("Only owners and partners can do this."))
            return func(request, *args, **kwargs)

        return wraps(func)(wrapped)

    return decorator(view) if view is not None else decorator
