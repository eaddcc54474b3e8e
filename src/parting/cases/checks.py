"""The decision checks a case passes before review (D2, D3, D5, D6, D7, D9, D10, D12).

Each check is a question with the data behind it and a status:

- ``ok``: answered, or the data gives no cause for concern;
- ``warn``: look before deciding (a big share of revenue, referrals at risk, a stake in the firm …);
- ``open``: must be answered before the case goes to review (D2 when the signs are about
  expectations, D3 when the evidence does not show a pattern over weeks);
- ``info``: a reminder with no answer to give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parting.clients.models import Client
from parting.signs.catalogue import BY_ID
from parting.signs.scoring import Scorer

from .models import OffboardingCase
from .plan import Plan, plan_compute

PATTERN_DAYS = 14  # D3: evidence spread over at least two weeks is more than one bad incident
BIG_SHARE = 10.0  # D5: a client bringing this share of revenue or more deserves a second look


@dataclass
class Check:
    rule: str
    question: str
    status: str  # ok / warn / open / info
    facts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "question": self.question, "status": self.status, "facts": self.facts}


def evidence_span(case: OffboardingCase) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the evidence behind the case's reasons (from their snapshots)."""
    days = [
        dt.date.fromisoformat(row["date"])
        for reason in case.reasons.all()
        for row in reason.snapshot.get("evidence", [])
        if row.get("date")
    ]
    return (min(days), max(days)) if days else None


def case_checks(case: OffboardingCase, plan: Plan | None = None) -> list[Check]:
    client = case.client
    result = Scorer(case.firm).score(client_ids=[client.pk])[0]
    reasons = list(case.reasons.all())
    checks = []

    # D2: expectations first.
    about_expectations = [r.sign_id for r in reasons if r.sign_id and BY_ID[r.sign_id].about_expectations]
    d2 = Check("D2", _("Have the client's expectations been managed first?"), "ok")
    if case.expectations_managed_on:
        d2.facts.append(
            _("Discussed on %(day)s: %(how)s")
            % {"day": date_format(case.expectations_managed_on), "how": case.expectations_note or "—"}
        )
    elif about_expectations:
        d2.status = "open"
        d2.facts.append(
            _(
                "Reasons %(signs)s are about expectations: tell the client what you can and will do, then record when and how."
            )
            % {"signs": ", ".join(about_expectations)}
        )
    else:
        d2.status = "info"
        d2.facts.append(_("None of the reasons is about expectations alone."))
    checks.append(d2)

    # D3: more than one bad incident.
    span = evidence_span(case)
    d3 = Check("D3", _("Is this more than one bad incident?"), "ok")
    if span:
        days = (span[1] - span[0]).days
        d3.facts.append(
            ngettext(
                "The evidence runs from %(first)s to %(last)s: %(days)d day.",
                "The evidence runs from %(first)s to %(last)s: %(days)d days.",
                days,
            )
            % {"first": date_format(span[0]), "last": date_format(span[1]), "days": days}
        )
    if case.confirmed_not_one_incident:
        d3.facts.append(_("Confirmed: this is more than one bad incident."))
    elif span is None or (span[1] - span[0]).days < PATTERN_DAYS:
        d3.status = "open"
        d3.facts.append(
            _("The evidence spans less than %(days)d days: confirm this is a pattern, not one failed discussion.")
            % {"days": PATTERN_DAYS}
        )
    checks.append(d3)

    # D5: revenue against trouble.
    d5 = Check("D5", _("What does the client bring, against the trouble?"), "ok")
    d5.facts.append(
        _("Revenue in the window: %(revenue)s %(currency)s, %(share)s%% of the firm's.")
        % {"revenue": result.revenue, "currency": case.firm.currency, "share": f"{result.revenue_share:.1f}"}
    )
    if result.effective_rate is not None:
        d5.facts.append(
            _("Effective hourly rate %(rate)s against a target of %(target)s, over %(hours)s hours.")
            % {"rate": result.effective_rate, "target": result.target_rate, "hours": f"{result.hours:.1f}"}
        )
    if result.revenue_share >= BIG_SHARE:
        d5.status = "warn"
        d5.facts.append(_("A large share of revenue: make sure the firm can carry its loss."))
    checks.append(d5)

    # D6: referral influence.
    d6 = Check("D6", _("Who else might leave with them?"), "ok")
    if result.referred:
        names = list(Client.objects.filter(pk__in=result.referred).order_by("name").values_list("name", flat=True))
        d6.status = "warn"
        d6.facts.append(
            ngettext(
                "%(n)d client came through them (%(names)s), bringing %(revenue)s %(currency)s.",
                "%(n)d clients came through them (%(names)s), bringing %(revenue)s %(currency)s.",
                len(names),
            )
            % {
                "n": len(names),
                "names": ", ".join(names),
                "revenue": result.referred_revenue,
                "currency": case.firm.currency,
            }
        )
    else:
        d6.facts.append(_("No other client came through them."))
    checks.append(d6)

    # D7: dealbreakers.
    d7 = Check("D7", _("Which of the firm's dealbreakers does the client hit?"), "info")
    d7.facts = [d.text for d in result.dealbreakers] or [_("None of the written dealbreakers.")]
    checks.append(d7)

    # D10: paid in full.
    plan = plan or plan_compute(case)
    d10 = Check("D10", _("Has the client paid in full?"), "ok")
    if plan.outstanding:
        d10.status = "warn"
        d10.facts.append(
            ngettext(
                "%(n)d invoice is unpaid: %(balance)s %(currency)s. Collect or write it off before telling the client.",
                "%(n)d invoices are unpaid: %(balance)s %(currency)s. Collect or write them off before telling the client.",
                len(plan.outstanding),
            )
            % {"n": len(plan.outstanding), "balance": plan.balance, "currency": plan.currency}
        )
    else:
        d10.facts.append(_("Nothing is outstanding."))
    checks.append(d10)

    # D12: a stake in the firm.
    d12 = Check("D12", _("Does the client hold a stake in the firm?"), "ok")
    if client.holds_stake:
        d12.status = "warn"
        d12.facts.append(_("Yes: seek professional (legal and financial) advice before going further."))
    else:
        d12.facts.append(_("No."))
    checks.append(d12)

    # D9: raising prices is not a way out.
    checks.append(
        Check(
            "D9",
            _("Why not just raise the price?"),
            "info",
            [_("Raising prices to make a client leave is not recommended: some accept the higher price.")],
        )
    )
    return checks


def blocking(checks: list[Check]) -> list[Check]:
    return [check for check in checks if check.status == "open"]
