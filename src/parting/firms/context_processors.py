from django.utils.functional import SimpleLazyObject


def firm(request):
    """The chosen firm and membership, and (read only by the firm switcher in base.html, so only
    queried on pages that show it) the firms the person can switch between."""
    membership = getattr(request, "membership", None)

    def firms():
        from .team import active_memberships

        if membership is None:
            return []
        return [m.firm for m in active_memberships(membership.user_id)]

    return {"firm": getattr(request, "firm", None), "membership": membership, "member_firms": SimpleLazyObject(firms)}
