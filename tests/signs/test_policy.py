"""Bands, subscores and policy validation: pure logic on unsaved objects (docs/scoring.md)."""

import pytest
from django.core.exceptions import ValidationError

from parting.signs.catalogue import BY_ID
from parting.signs.policy import SignSetting, validate_dealbreakers, validate_sign_overrides


@pytest.mark.parametrize(
    ("value", "band", "subscore"),
    [
        (0, "healthy", 100),
        (10, "healthy", 85),
        (20, "concerning", 70),
        (30, "concerning", 50),
        (40, "poor", 30),
        (60, "poor", 15),
        (80, "poor", 0),
        (100, "poor", 0),
    ],
)
def test_w7_bands_and_subscores_meet_at_the_thresholds(value, band, subscore):
    w7 = SignSetting(BY_ID["W7"], weight=3, concerning=20, poor=40)
    assert w7.band(value) == band
    assert w7.subscore(value) == pytest.approx(subscore)


@pytest.mark.parametrize(
    ("value", "band", "subscore"),
    [
        (150, "healthy", 100),
        (100, "healthy", 100),
        (95, "healthy", 85),
        (90, "healthy", 70),
        (89.9, "concerning", pytest.approx(69.87, abs=0.01)),
        (75, "concerning", 50),
        (60, "poor", 30),
        (0, "poor", 0),
    ],
)
def test_w11_lower_effective_rate_is_worse(value, band, subscore):
    w11 = SignSetting(BY_ID["W11"], weight=2, concerning=90, poor=60)
    assert w11.band(value) == band
    assert w11.subscore(value) == subscore


def test_sign_overrides_name_the_sign_and_field_at_fault():
    assert validate_sign_overrides({"W7": {"weight": "2", "poor": 50}}) == {"W7": {"weight": 2.0, "poor": 50.0}}
    with pytest.raises(ValidationError, match="W99 is not a warning sign"):
        validate_sign_overrides({"W99": {}})
    with pytest.raises(ValidationError, match="W7: weight must be a number"):
        validate_sign_overrides({"W7": {"weight": "heavy"}})
    with pytest.raises(ValidationError, match="W11: the poor threshold must be below the concerning one"):
        validate_sign_overrides({"W11": {"poor": 95}})


def test_dealbreaker_rules_are_checked_d7():
    rules = [
        {"type": "incidents", "kind": "disrespect", "count": "2", "months": 6},
        {"type": "overdue_invoice", "days": 90},
    ]
    assert validate_dealbreakers(rules)[0] == {"type": "incidents", "kind": "disrespect", "count": 2, "months": 6}
    with pytest.raises(ValidationError, match="Dealbreaker 1: unknown incident kind 'rudeness'"):
        validate_dealbreakers([{"type": "incidents", "kind": "rudeness", "count": 1, "months": 1}])
    with pytest.raises(ValidationError, match=r"Dealbreaker 2: .*days must be 1 or more"):
        validate_dealbreakers([{"type": "sign_poor", "sign": "W7"}, {"type": "overdue_invoice", "days": 0}])
