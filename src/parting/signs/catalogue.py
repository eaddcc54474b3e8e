"""The warning-sign catalogue: W1–W15 of DOMAIN.md, each a small declarative definition.

A sign names the components it reads (additive counts and sums that :mod:`parting.signs.sql`
aggregates per client in set-based queries), computes one value from them, and explains that value
with its numbers. Bands come from the firm's policy, which starts from the defaults here; the
reasoning behind every default is written in docs/scoring.md.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

Components = Mapping[str, float]


@dataclass(frozen=True)
class Sign:
    id: str
    title: object  # lazy translation
    reads: str  # which evidence, for the user: shown on the policy page
    unit: str  # "%", "days", "count"
    weight: float
    concerning: float
    poor: float
    value: Callable[[Components], float | None]
    explain: Callable[[Components, float], str]
    higher_is_worse: bool = True
    # D2: signs about the client's expectations, where talking first may fix things.
    about_expectations: bool = False

    def _get_best(self) -> float:
        return 0.0 if self.higher_is_worse else 100.0

    best = property(_get_best)

    def _get_worst(self) -> float:
        return self.poor * 2 if self.higher_is_worse else 0.0

    worst = property(_get_worst)


# A hair over the binary error of the arithmetic here: 100 × 3 / 2000 is held as 0.14999…, and must round
# as the 0.15 a user computes by hand. Values built from counts are never this close to a half otherwise.
HALF_TOLERANCE = 1e-9


def half_up(number: float, digits: int = 0) -> float:
    """Rounded to ``digits`` decimals with a half going up (0.25 → 0.3, 12.5 → 13), as a user or a
    spreadsheet's ROUND would, whatever the last bit of the float (docs/scoring.md#rounding). Python's
    ``round`` sends an exact half to the even digit, and a half the float cannot hold either way.
    Every value here is 0 or more."""
    scale = 10**digits
    return math.floor(number * scale + 0.5 + HALF_TOLERANCE) / scale


def pct(part: float, whole: float) -> float | None:
    return None if not whole else half_up(100.0 * part / whole, 1)


def fmt(number: float, digits: int = 1) -> str:
    """A number for an explanation: no trailing .0 on whole values."""
    rounded = round(float(number), digits)
    if rounded == int(rounded):
        return str(int(rounded))
    return formats.number_format(rounded, digits)  # 39,8 in Polish, 39.8 in English


# --- values -------------------------------------------------------------------------------------


def _w1(c: Components) -> float | None:
    return None if not c["req_due"] else half_up(c["req_days_late"] / c["req_due"], 1)


def _w2(c: Components) -> float | None:
    return pct(c["msg_after_hours"], c["msg_in"]) if c["has_hours"] else None


def _w3(c: Components) -> float | None:
    return pct(c["msg_to_senior"], c["msg_in"])


def _w4(c: Components) -> float | None:
    return pct(c["mtg_short_cancel"] + c["mtg_no_show"] + c["mtg_late"], c["mtg"])


def _w7(c: Components) -> float | None:
    return pct(c["inv_late"], c["inv_due"])


def _w10(c: Components) -> float | None:
    return pct(c["msg_negative"], c["msg_in"])


def _w11(c: Components) -> float | None:
    if not c["hours"] or not c["target_rate"]:
        return None
    return half_up(100.0 * c["revenue"] / c["hours"] / c["target_rate"], 1)


def _w12(c: Components) -> float | None:
    if not c["focus_services"] or not c["services"]:
        return None
    return pct(c["services_outside"], c["services"])


def _w13(c: Components) -> float | None:
    # No time logged in the window: nothing to measure the extras against, so not judged (like W11),
    # whatever scope creep was recorded. Extras logged as more hours than all the time logged are 100 %.
    if not c["hours"]:
        return None
    return pct(c["scope_hours"], max(c["hours"], c["scope_hours"]))


def _w14(c: Components) -> float | None:
    return pct(c["req_late"], c["req_due"])


# --- explanations -------------------------------------------------------------------------------


def _explain_w1(c: Components, v: float) -> str:
    text = ngettext(
        "%(late)d of %(due)d item requested from the client arrived late or not at all",
        "%(late)d of %(due)d items requested from the client arrived late or not at all",
        int(c["req_due"]),
    ) % {"late": c["req_late"], "due": c["req_due"]}
    return text + "; " + _("on average %(days)s days after the due date") % {"days": fmt(v)}


def _explain_w2(c: Components, v: float) -> str:
    text = ngettext(
        "%(after)d of %(total)d message from the client arrived outside working hours (%(pct)s%%)",
        "%(after)d of %(total)d messages from the client arrived outside working hours (%(pct)s%%)",
        int(c["msg_in"]),
    ) % {"after": c["msg_after_hours"], "total": c["msg_in"], "pct": fmt(v)}
    if c["msg_day_off"]:
        text += "; " + ngettext("%(n)d on a day off", "%(n)d on days off", int(c["msg_day_off"])) % {
            "n": c["msg_day_off"]
        }
    return text


def _explain_w3(c: Components, v: float) -> str:
    return ngettext(
        "%(n)d of %(total)d message went to an owner or partner instead of the assigned staff member (%(pct)s%%)",
        "%(n)d of %(total)d messages went to an owner or partner instead of the assigned staff member (%(pct)s%%)",
        int(c["msg_in"]),
    ) % {"n": c["msg_to_senior"], "total": c["msg_in"], "pct": fmt(v)}


def _explain_w4(c: Components, v: float) -> str:
    text = ngettext(
        "Of %(total)d meeting: %(short)d cancelled with less than 24 hours' notice, %(noshow)d no-shows, %(late)d arrived late",
        "Of %(total)d meetings: %(short)d cancelled with less than 24 hours' notice, %(noshow)d no-shows, %(late)d arrived late",
        int(c["mtg"]),
    ) % {"total": c["mtg"], "short": c["mtg_short_cancel"], "noshow": c["mtg_no_show"], "late": c["mtg_late"]}
    if c["mtg_late"]:
        text += " " + _("(by %(minutes)s minutes on average)") % {"minutes": fmt(c["mtg_late_minutes"] / c["mtg_late"])}
    return text


def _explain_incidents(message, n_key: str, h_key: str | None, c: Components, v: float) -> str:
    """Explain a count of incidents; ``message`` is an ``ngettext_lazy`` keyed on ``n``. Each incident
    sign binds its words and keys with ``functools.partial`` where it is declared: no function runs
    while this module is imported, so every line here is reached, and mutated, when a sign is
    explained (mutmut switches mutants at call time)."""
    text = message % {"n": int(c[n_key])}
    if h_key and c[h_key]:
        text += "; " + _("%(hours)s hours lost") % {"hours": fmt(c[h_key])}
    return text


def _explain_w7(c: Components, v: float) -> str:
    text = ngettext(
        "Paid %(late)d of %(due)d invoice late",
        "Paid %(late)d of %(due)d invoices late",
        int(c["inv_due"]),
    ) % {"late": c["inv_late"], "due": c["inv_due"]}
    if c["inv_late"]:
        text += ", " + _("on average %(days)s days late") % {"days": fmt(c["inv_days_late"] / c["inv_late"])}
    if c["inv_unpaid_overdue"]:
        text += "; " + ngettext("%(n)d still unpaid", "%(n)d still unpaid", int(c["inv_unpaid_overdue"])) % {
            "n": c["inv_unpaid_overdue"]
        }
    if c["inv_reminders"]:
        text += "; " + ngettext("chased %(n)d time", "chased %(n)d times", int(c["inv_reminders"])) % {
            "n": c["inv_reminders"]
        }
    return text


def _explain_w8(c: Components, v: float) -> str:
    ignored = ngettext("%(n)d contract term ignored", "%(n)d contract terms ignored", int(c["contract_n"]))
    disputed = ngettext("%(n)d invoice disputed", "%(n)d invoices disputed", int(c["inv_disputed"]))
    return f"{ignored % {'n': c['contract_n']}}, {disputed % {'n': c['inv_disputed']}}"


def _explain_w9(c: Components, v: float) -> str:
    asked = ngettext(
        "Asked for a discount on %(n)d invoice",
        "Asked for a discount on %(n)d invoices",
        int(c["inv_discount_requested"]),
    )
    haggled = ngettext(
        "haggled over the price %(n)d more time", "haggled over the price %(n)d more times", int(c["haggle_n"])
    )
    return f"{asked % {'n': c['inv_discount_requested']}}; {haggled % {'n': c['haggle_n']}}"


def _explain_w10(c: Components, v: float) -> str:
    return ngettext(
        "%(n)d of %(total)d message from the client was negative (%(pct)s%%)",
        "%(n)d of %(total)d messages from the client were negative (%(pct)s%%)",
        int(c["msg_in"]),
    ) % {"n": c["msg_negative"], "total": c["msg_in"], "pct": fmt(v)}


def _explain_w11(c: Components, v: float) -> str:
    rate = c["revenue"] / c["hours"]
    return _("Earned %(rate)s an hour over %(hours)s hours, %(pct)s%% of the target rate of %(target)s") % {
        "rate": fmt(rate, 2),
        "hours": fmt(c["hours"]),
        "pct": fmt(v),
        "target": fmt(c["target_rate"], 2),
    }


def _explain_w12(c: Components, v: float) -> str:
    return _("%(outside)d of the client's %(total)d services are outside the firm's current focus") % {
        "outside": c["services_outside"],
        "total": c["services"],
    }


def _explain_w13(c: Components, v: float) -> str:
    text = ngettext("%(n)d request for free extra work", "%(n)d requests for free extra work", int(c["scope_n"])) % {
        "n": c["scope_n"]
    }
    return (
        text
        + "; "
        + _("%(hours)s unbilled hours, %(pct)s%% of the time spent") % {"hours": fmt(c["scope_hours"]), "pct": fmt(v)}
    )


def _explain_w14(c: Components, v: float) -> str:
    text = ngettext(
        "%(late)d of %(due)d item the work depends on was not delivered by its due date (%(pct)s%%)",
        "%(late)d of %(due)d items the work depends on were not delivered by their due date (%(pct)s%%)",
        int(c["req_due"]),
    ) % {"late": c["req_late"], "due": c["req_due"], "pct": fmt(v)}
    if c["req_missing"]:
        text += "; " + ngettext("%(n)d still missing", "%(n)d still missing", int(c["req_missing"])) % {
            "n": c["req_missing"]
        }
    return text


SIGNS: tuple[Sign, ...] = (
    Sign(
        "W1",
        gettext_lazy("Slow to deliver what they owe"),
        gettext_lazy("requests to the client"),
        "days",
        weight=1.5,
        concerning=2,
        poor=5,
        value=_w1,
        explain=_explain_w1,
    ),
    Sign(
        "W2",
        gettext_lazy("No boundaries"),
        gettext_lazy("messages"),
        "%",
        weight=1,
        concerning=15,
        poor=30,
        value=_w2,
        explain=_explain_w2,
        about_expectations=True,
    ),
    Sign(
        "W3",
        gettext_lazy("Demands the owner or a partner"),
        gettext_lazy("messages"),
        "%",
        weight=1,
        concerning=10,
        poor=25,
        value=_w3,
        explain=_explain_w3,
        about_expectations=True,
    ),
    Sign(
        "W4",
        gettext_lazy("Cancels, no-shows, comes late"),
        gettext_lazy("meetings"),
        "%",
        weight=1,
        concerning=15,
        poor=30,
        value=_w4,
        explain=_explain_w4,
    ),
    Sign(
        "W5",
        gettext_lazy("Error-prone"),
        gettext_lazy("incidents: rework"),
        "count",
        weight=1,
        concerning=2,
        poor=4,
        value=lambda c: float(c["rework_n"]),
        explain=functools.partial(
            _explain_incidents,
            ngettext_lazy(
                "%(n)d rework incident after a client error", "%(n)d rework incidents after client errors", "n"
            ),
            "rework_n",
            "rework_hours",
        ),
    ),
    Sign(
        "W6",
        gettext_lazy("Distrusts your expertise"),
        gettext_lazy("incidents: expertise challenged"),
        "count",
        weight=1,
        concerning=1,
        poor=3,
        value=lambda c: float(c["distrust_n"]),
        explain=functools.partial(
            _explain_incidents,
            ngettext_lazy("Challenged the firm's advice %(n)d time", "Challenged the firm's advice %(n)d times", "n"),
            "distrust_n",
            None,
        ),
        about_expectations=True,
    ),
    Sign(
        "W7",
        gettext_lazy("Payment trouble"),
        gettext_lazy("invoices"),
        "%",
        weight=3,
        concerning=20,
        poor=40,
        value=_w7,
        explain=_explain_w7,
    ),
    Sign(
        "W8",
        gettext_lazy("Ignores the contract"),
        gettext_lazy("incidents: contract ignored; disputed invoices"),
        "count",
        weight=1.5,
        concerning=1,
        poor=2,
        value=lambda c: float(c["contract_n"] + c["inv_disputed"]),
        explain=_explain_w8,
    ),
    Sign(
        "W9",
        gettext_lazy("Haggles"),
        gettext_lazy("discounts asked on invoices; incidents: haggling"),
        "count",
        weight=1,
        concerning=2,
        poor=4,
        value=lambda c: float(c["inv_discount_requested"] + c["haggle_n"]),
        explain=_explain_w9,
    ),
    Sign(
        "W10",
        gettext_lazy("Negative"),
        gettext_lazy("messages"),
        "%",
        weight=1,
        concerning=10,
        poor=25,
        value=_w10,
        explain=_explain_w10,
    ),
    Sign(
        "W11",
        gettext_lazy("Not worth the time"),
        gettext_lazy("invoices and time entries"),
        "%",
        weight=2,
        concerning=90,
        poor=60,
        value=_w11,
        explain=_explain_w11,
        higher_is_worse=False,
    ),
    Sign(
        "W12",
        gettext_lazy("No longer fits"),
        gettext_lazy("the client's services and the firm's focus"),
        "%",
        weight=1,
        concerning=1,
        poor=50,
        value=_w12,
        explain=_explain_w12,
    ),
    Sign(
        "W13",
        gettext_lazy("Unrealistic expectations"),
        gettext_lazy("incidents: scope creep; time entries"),
        "%",
        weight=1.5,
        concerning=5,
        poor=15,
        value=_w13,
        explain=_explain_w13,
        about_expectations=True,
    ),
    Sign(
        "W14",
        gettext_lazy("Does not meet your expectations of them"),
        gettext_lazy("requests to the client"),
        "%",
        weight=1,
        concerning=25,
        poor=50,
        value=_w14,
        explain=_explain_w14,
    ),
    Sign(
        "W15",
        gettext_lazy("Disrespectful to staff"),
        gettext_lazy("incidents: disrespect to staff"),
        "count",
        weight=3,
        concerning=1,
        poor=2,
        value=lambda c: float(c["disrespect_n"]),
        explain=functools.partial(
            _explain_incidents,
            ngettext_lazy("%(n)d incident of disrespect to staff", "%(n)d incidents of disrespect to staff", "n"),
            "disrespect_n",
            None,
        ),
    ),
)

BY_ID: dict[str, Sign] = {sign.id: sign for sign in SIGNS}
