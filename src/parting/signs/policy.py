"""A firm's policy as the scorer reads it: the catalogue's defaults with the firm's overrides (D7)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from parting.evidence.models import Incident
from parting.firms.models import Firm, Policy

from .catalogue import BY_ID, SIGNS, Sign

# Where a score's bands start, for a sign's subscore and for the fit score alike: healthy from 70,
# poor below 30. Pages and charts colour and name scores by these (web/templatetags/parting.score_band).
HEALTHY_SCORE = 70
POOR_SCORE = 30

DEFAULT_DEALBREAKERS: list[dict] = [
    # D7: behaviour harmful enough to end a relationship on its own, written down once.
    {"type": "incidents", "kind": "disrespect", "count": 2, "months": 6},
    {"type": "overdue_invoice", "days": 90},
]


@dataclass(frozen=True)
class SignSetting:
    sign: Sign
    weight: float
    concerning: float
    poor: float
    enabled: bool = True

    def band(self, value: float) -> str:
        if self.sign.higher_is_worse:
            if value >= self.poor:
                return "poor"
            return "concerning" if value >= self.concerning else "healthy"
        if value <= self.poor:
            return "poor"
        return "concerning" if value < self.concerning else "healthy"

    def subscore(self, value: float) -> float:
        """0–100 for one sign: piecewise linear through best→100, concerning→70, poor→30, worst→0.

        Continuous, so a value just across a threshold moves the score a little, not a cliff;
        and the bands line up with the score (healthy ≥ 70, poor ≤ 30). See docs/scoring.md.
        """
        points = self._points
        if value <= points[0][0]:
            return points[0][1]
        if value >= points[-1][0]:
            return points[-1][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if x0 <= value <= x1:
                return y1 if x1 == x0 else y0 + (y1 - y0) * (value - x0) / (x1 - x0)
        return 0.0

    @cached_property
    def _points(self) -> tuple[tuple[float, float], ...]:
        """The breakpoints, ordered so that x grows along them (from the bad end for W11)."""
        sign = self.sign
        worst = self.poor * 2 if sign.higher_is_worse else 0.0
        points = (
            (sign.best, 100.0),
            (self.concerning, float(HEALTHY_SCORE)),
            (self.poor, float(POOR_SCORE)),
            (worst, 0.0),
        )
        return points if sign.higher_is_worse else tuple(reversed(points))


@dataclass(frozen=True)
class EffectivePolicy:
    window_months: int
    signs: tuple[SignSetting, ...]
    dealbreakers: tuple[dict, ...]
    talk_below: int
    part_below: int

    def setting(self, sign_id: str) -> SignSetting:
        return self.by_id[sign_id]

    @cached_property
    def by_id(self) -> dict[str, SignSetting]:
        return {setting.sign.id: setting for setting in self.signs}


def policy_for(firm: Firm) -> Policy:
    policy, _created = Policy.objects.get_or_create(
        firm=firm, defaults={"dealbreakers": [dict(rule) for rule in DEFAULT_DEALBREAKERS]}
    )
    return policy


def effective_policy(policy: Policy) -> EffectivePolicy:
    overrides = policy.signs or {}
    settings = []
    for sign in SIGNS:
        own = overrides.get(sign.id, {})
        settings.append(
            SignSetting(
                sign=sign,
                weight=float(own.get("weight", sign.weight)),
                concerning=float(own.get("concerning", sign.concerning)),
                poor=float(own.get("poor", sign.poor)),
                enabled=bool(own.get("enabled", True)),
            )
        )
    return EffectivePolicy(
        window_months=policy.window_months,
        signs=tuple(settings),
        dealbreakers=tuple(policy.dealbreakers or ()),
        talk_below=policy.talk_below,
        part_below=policy.part_below,
    )


def validate_sign_overrides(data: dict) -> dict:
    """Check a ``Policy.signs`` mapping; raise ValidationError naming the sign and the field."""
    if not isinstance(data, dict):
        raise ValidationError(_("Sign settings must be a mapping from sign id to settings."))
    clean: dict[str, dict] = {}
    for sign_id, own in data.items():
        sign = BY_ID.get(sign_id)
        if sign is None:
            raise ValidationError(_("%(id)s is not a warning sign (W1–W15).") % {"id": sign_id})
        if not isinstance(own, dict):
            raise ValidationError(_("%(id)s: settings must be a mapping.") % {"id": sign_id})
        entry: dict = {}
        for field in ("weight", "concerning", "poor"):
            if field in own:
                try:
                    entry[field] = float(own[field])
                except (TypeError, ValueError):
                    raise ValidationError(
                        _("%(id)s: %(field)s must be a number.") % {"id": sign_id, "field": field}
                    ) from None
                if entry[field] < 0:
                    raise ValidationError(_("%(id)s: %(field)s cannot be negative.") % {"id": sign_id, "field": field})
        if "enabled" in own:
            entry["enabled"] = bool(own["enabled"])
        concerning = entry.get("concerning", sign.concerning)
        poor = entry.get("poor", sign.poor)
        if sign.higher_is_worse and poor <= concerning:
            raise ValidationError(_("%(id)s: the poor threshold must be above the concerning one.") % {"id": sign_id})
        if not sign.higher_is_worse and poor >= concerning:
            raise ValidationError(_("%(id)s: the poor threshold must be below the concerning one.") % {"id": sign_id})
        clean[sign_id] = entry
    return clean


def validate_dealbreakers(rules: list) -> list[dict]:
    """Check the D7 list; each rule is one of the shapes in docs/scoring.md."""
    if not isinstance(rules, list):
        raise ValidationError(_("Dealbreakers must be a list of rules."))
    kinds = set(Incident.Kind.values)
    clean = []
    for number, rule in enumerate(rules, start=1):
        where = _("Dealbreaker %(n)d") % {"n": number}
        if not isinstance(rule, dict):
            raise ValidationError(_("%(where)s: must be a mapping.") % {"where": where})
        kind = rule.get("type")
        try:
            if kind == "incidents":
                if rule.get("kind") not in kinds:
                    raise ValidationError(
                        _("%(where)s: unknown incident kind %(kind)r.") % {"where": where, "kind": rule.get("kind")}
                    )
                clean.append(
                    {
                        "type": kind,
                        "kind": rule["kind"],
                        "count": _positive(rule, "count"),
                        "months": _positive(rule, "months"),
                    }
                )
            elif kind == "overdue_invoice":
                clean.append({"type": kind, "days": _positive(rule, "days")})
            elif kind == "sign_poor":
                if rule.get("sign") not in BY_ID:
                    raise ValidationError(
                        _("%(where)s: unknown sign %(sign)r.") % {"where": where, "sign": rule.get("sign")}
                    )
                clean.append({"type": kind, "sign": rule["sign"]})
            else:
                raise ValidationError(_("%(where)s: unknown type %(type)r.") % {"where": where, "type": kind})
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(_("%(where)s: %(error)s") % {"where": where, "error": exc}) from None
    return clean


def _positive(rule: dict, field: str) -> int:
    value = int(rule[field])
    if value < 1:
        raise ValueError(_("%(field)s must be 1 or more") % {"field": field})
    return value
