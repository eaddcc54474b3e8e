"""A case's plan: the notice and end dates, the money, the deletion date and support (N1–N4, D10,
O1, O5, O6), each computed by a rule and shown with it. Values changed by hand keep what was
computed and the reason beside them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parting.clients.models import Engagement
from parting.evidence.models import Invoice, TimeEntry
from parting.firms.models import Policy, WorkingDay
from parting.signs.policy import policy_for

from . import rules
from .models import CasePlan, InvoiceWriteOff, OffboardingCase

ZERO = Decimal("0")
PACE_WEEKS = 12  # the recent weeks whose billable hours project the work left until the end date

WHY = {
    "contract": gettext_lazy("%(days)d days' notice from %(from)s, as the client's contract sets (N1)."),
    "contract_business": gettext_lazy(
        "%(days)d working days' notice from %(from)s, as the client's contract sets (N1)."
    ),
    "policy": gettext_lazy(
        "The contract sets no notice: the policy's %(days)d days from %(from)s, about two weeks (N1, N2)."
    ),
    "policy_business": gettext_lazy(
        "The contract sets no notice: the policy's %(days)d working days from %(from)s (N1, N2)."
    ),
    "work": gettext_lazy("Current work is finished first: “%(name)s” is due on %(due)s (N2)."),
    "honour": gettext_lazy("The fixed-term contract is honoured until it expires on %(contract_end)s (N3)."),
    "expires": gettext_lazy(
        "The fixed-term contract expires on %(contract_end)s, before the notice would run out (N3)."
    ),
}
# The values a user may change by hand, with a reason; everything else follows from them.
OVERRIDABLE = {"end_date": "date", "deletion_date": "date", "final_invoice": "money", "refund": "money"}


@dataclass
class Item:
    """One computed value with the rule behind it; ``computed`` and ``reason`` are set when changed by hand."""

    value: dt.date | Decimal | None
    rule: str
    explanation: str
    computed: dt.date | Decimal | None = None
    reason: str = ""
    formula: str = ""

    def _get_overridden(self) -> bool:
        return bool(self.reason)

    overridden = property(_get_overridden)

    def as_dict(self) -> dict:
        out = {"value": _json(self.value), "rule": self.rule, "explanation": self.explanation}
        if self.formula:
            out["formula"] = self.formula
        if self.overridden:
            out["computed"] = _json(self.computed)
            out["reason"] = self.reason
        return out


@dataclass
class OpenInvoice:
    invoice: Invoice
    open_amount: Decimal
    written_off: str | None  # the reason, when written off (D10)

    def as_dict(self) -> dict:
        return {
            "id": self.invoice.pk,
            "number": self.invoice.number,
            "due_on": self.invoice.due_on.isoformat(),
            "open_amount": str(self.open_amount),
            "currency": self.invoice.currency,
            "written_off": self.written_off,
        }


@dataclass
class Plan:
    currency: str
    notice_date: Item
    end_date: Item
    deletion_date: Item
    accounting_until: Item
    final_invoice: Item
    refund: Item | None
    refund_kind: str
    fixed_term_options: dict | None  # side by side: {"honour": {...}, "end_early": {...}}
    support: dict | None
    invoices: list[OpenInvoice] = field(default_factory=list)

    def _get_outstanding(self) -> list[OpenInvoice]:
        """D10: invoices still unpaid and not written off; the case is not notified while any remain."""
        return [row for row in self.invoices if row.written_off is None]

    outstanding = property(_get_outstanding)

    def _get_balance(self) -> Decimal:
        return sum((row.open_amount * row.invoice.fx_rate for row in self.outstanding), ZERO).quantize(Decimal("0.01"))

    balance = property(_get_balance)

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "notice_date": self.notice_date.as_dict(),
            "end_date": self.end_date.as_dict(),
            "deletion_date": self.deletion_date.as_dict(),
            "accounting_records_until": self.accounting_until.as_dict(),
            "fixed_term_options": _json(self.fixed_term_options),
            "support": _json(self.support),
            "money": {
                "outstanding_invoices": [row.as_dict() for row in self.invoices],
                "balance": str(self.balance),
                "final_invoice": self.final_invoice.as_dict(),
                "refund": self.refund.as_dict() if self.refund else None,
                "refund_kind": self.refund_kind,
            },
        }


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def _d(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _explain(end: rules.EndDate) -> str:
    values = {k: _d(v) if isinstance(v, dt.date) else v for k, v in end.values.items()}
    return str(WHY[end.why]) % values


def plan_get(case: OffboardingCase) -> CasePlan:
    plan, _created = CasePlan.objects.get_or_create(case=case)
    return plan


def working_weekdays(firm, policy: Policy) -> list[int] | None:
    """The firm's working weekdays when the policy counts notice in working days, else None (calendar days)."""
    if not policy.notice_business_days:
        return None
    return list(WorkingDay.objects.filter(firm=firm).values_list("weekday", flat=True))


def plan_compute(case: OffboardingCase, *, today: dt.date | None = None) -> Plan:
    """Compute the whole plan for ``case`` from its inputs, the client's contract and records, and the policy."""
    firm, client = case.firm, case.client
    today = today or firm.today()
    inputs = plan_get(case)
    policy = policy_for(firm)
    overrides = inputs.overrides or {}
    currency = firm.currency
    weekdays = working_weekdays(firm, policy)

    # -- notice date (N1) ------------------------------------------------------------------
    if case.notified_on:
        notice = Item(case.notified_on, "N1", _("The client was told on this day."))
    elif inputs.notice_date:
        notice = Item(inputs.notice_date, "N1", _("The day planned for telling the client."))
    else:
        notice = Item(today, "N1", _("Not planned yet: today, until you set the day the client is told."))
    notice_date = notice.value

    # -- end date (N1–N4) ------------------------------------------------------------------
    work = [
        rules.Work(name, due)
        for name, due in Engagement.objects.filter(client=client, completed_on__isnull=True).values_list(
            "name", "due_on"
        )
    ]
    common = {
        "notice_date": notice_date,
        "contract_notice_days": client.notice_days,
        "policy_notice_days": policy.notice_days,
        "working_weekdays": weekdays,
        "open_work": work,
        "contract_end": client.contract_end,
    }
    honour = rules.end_date(**common, honour_fixed_term=True)
    early = rules.end_date(**common, honour_fixed_term=False)
    fixed_runs_past = honour.date != early.date
    chosen = early if fixed_runs_past and inputs.fixed_term == CasePlan.FixedTerm.END_EARLY else honour
    end = _overridden(Item(chosen.date, chosen.rule, _explain(chosen)), overrides.get("end_date"), "date")
    end_date = end.value

    # -- money (D10, N4) -------------------------------------------------------------------
    invoices = _open_invoices(case)
    final_invoice = _overridden(_final_invoice(case, today, end_date), overrides.get("final_invoice"), "money")
    refund = None
    prepaid = client.prepaid_amount or ZERO
    if prepaid > 0:
        refund = _overridden(
            _refund(client, inputs, end_date, currency, honoured=fixed_runs_past and chosen is honour),
            overrides.get("refund"),
            "money",
        )
    options = None
    if fixed_runs_past:
        early_refund = _refund(client, inputs, early.date, currency, honoured=False) if prepaid > 0 else None
        options = {
            "chosen": inputs.fixed_term,
            "honour": {"end_date": honour.date, "rule": "N3", "refund": ZERO},
            "end_early": {
                "end_date": early.date,
                "rule": "N4",
                "refund": early_refund.value if early_refund else ZERO,
                "formula": early_refund.formula if early_refund else "",
            },
        }

    # -- deletion (O5) and records kept by law ------------------------------------------------
    deletion = _overridden(
        Item(
            rules.deletion_date(end_date, policy.retention_days),
            "O5",
            _("The end date plus the policy's %(days)d days; the client is told this date.")
            % {"days": policy.retention_days},
        ),
        overrides.get("deletion_date"),
        "date",
    )
    accounting = Item(
        rules.accounting_retention_until(end_date, policy.accounting_retention_years),
        "O5",
        _("Accounting records are kept as the law requires: %(years)d years after the end of the year of the end date.")
        % {"years": policy.accounting_retention_years},
    )
    support = None
    if inputs.support_days:
        support = {
            "days": inputs.support_days,
            "until": end_date + dt.timedelta(days=inputs.support_days),
            "fee": inputs.support_fee,
            "rule": "O6",
        }
    return Plan(
        currency=currency,
        notice_date=notice,
        end_date=end,
        deletion_date=deletion,
        accounting_until=accounting,
        final_invoice=final_invoice,
        refund=refund,
        refund_kind=inputs.refund_kind,
        fixed_term_options=options,
        support=support,
        invoices=invoices,
    )


def _overridden(item: Item, override: dict | None, kind: str) -> Item:
    if not override:
        return item
    value = dt.date.fromisoformat(override["value"]) if kind == "date" else Decimal(override["value"])
    return Item(
        value,
        item.rule,
        _("Changed by hand: %(reason)s") % {"reason": override["reason"]},
        computed=item.value,
        reason=override["reason"],
        formula=item.formula,
    )


def _open_invoices(case: OffboardingCase) -> list[OpenInvoice]:
    written_off = dict(InvoiceWriteOff.objects.filter(case=case).values_list("invoice_id", "reason"))
    rows = []
    for invoice in Invoice.objects.filter(client=case.client, firm=case.firm).order_by("due_on", "number"):
        open_amount = invoice.amount - invoice.discount_given - invoice.amount_paid
        if invoice.paid_on is None and open_amount > 0:
            rows.append(OpenInvoice(invoice, open_amount, written_off.get(invoice.pk)))
    return rows


def _final_invoice(case: OffboardingCase, today: dt.date, end: dt.date) -> Item:
    """The final invoice for work up to the end date: billable hours logged since the last invoice,
    plus the recent weekly pace carried to the end date, at the firm's target rate."""
    firm, client = case.firm, case.client
    entries = TimeEntry.objects.filter(client=client, firm=firm, billable=True)
    last = Invoice.objects.filter(client=client, firm=firm).aggregate(last=Max("issued_on"))["last"]
    since = entries.filter(date__gt=last) if last else entries
    logged = since.filter(date__lte=today).aggregate(h=Sum("hours"))["h"] or ZERO
    recent = entries.filter(date__gt=today - dt.timedelta(weeks=PACE_WEEKS), date__lte=today)
    pace = (recent.aggregate(h=Sum("hours"))["h"] or ZERO) / PACE_WEEKS  # hours a week
    days_left = max((end - today).days, 0)
    projected = (pace * days_left / 7).quantize(Decimal("0.1"))
    hours = logged + projected
    amount = rules.round_money(hours * firm.target_hourly_rate, firm.currency)
    explanation = _(
        "%(logged)s h logged since the last invoice + %(projected)s h expected until the end date "
        "(%(pace)s h a week lately), at the target rate of %(rate)s %(currency)s."
    ) % {
        "logged": f"{logged.normalize():f}" if logged else 0,
        "projected": projected,
        "pace": pace.quantize(Decimal("0.1")),
        "rate": firm.target_hourly_rate,
        "currency": firm.currency,
    }
    return Item(amount, "D10", explanation, formula=f"({logged} h + {projected} h) × {firm.target_hourly_rate}")


def _refund(client, inputs: CasePlan, end: dt.date, currency: str, *, honoured: bool) -> Item:
    prepaid = client.prepaid_amount
    if honoured:
        return Item(ZERO, "N3", _("The contract is honoured to its end: the prepaid work is delivered (N3)."))
    if inputs.work_done_percent is not None:
        done, how = inputs.work_done_percent, _("the share of work done you entered")
    else:
        elapsed = rules.term_elapsed_percent(client.contract_start, client.contract_end, end)
        if elapsed is None:
            done, how = Decimal("100"), _("no fixed term to measure by: enter the share of work done")
        else:
            done, how = elapsed, _("the share of the contract's term elapsed at the end date")
    result = rules.refund_by_work_done(prepaid, done, currency)
    return Item(
        result.refund,
        "N4",
        _("Prepaid %(prepaid)s %(currency)s; work done %(done)s%% (%(how)s); the rest is returned (N4).")
        % {"prepaid": prepaid, "currency": currency, "done": f"{result.work_done_percent.normalize():f}", "how": how},
        formula=result.formula,
    )
