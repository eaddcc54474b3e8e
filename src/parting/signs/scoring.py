"""Score every client of a firm: signs, bands, percentiles, fit score, dealbreakers, value, advice.

The work is a handful of set-based queries (:mod:`parting.signs.sql`, one GROUP BY pass per
evidence table, plus the dealbreaker passes) and then arithmetic in Python. Nothing here runs a
query per client, and the arithmetic goes a sign at a time over whole columns (one list per
component, one list of values per sign), not a client at a time: a sign's band, subscore and weight
in the fit score are worked out once per distinct value, and a client's signs, components and
explanations are built only when read.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import operator
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parting.clients.models import Client
from parting.firms.models import Firm, WorkingDay

from .catalogue import BY_ID, HALF_TOLERANCE, Components, Sign, half_up
from .policy import EffectivePolicy, SignSetting, effective_policy, policy_for
from .sql import COMPONENTS, INCIDENT_COLUMNS, Aggregator, Dialect, Params, Scope, month_key, month_start

ACTIVE = (Client.Status.ACTIVE, Client.Status.UNDER_REVIEW)
# The components that count rows of evidence in the window. A client with none of them has no score
# yet: fifteen signs with nothing against them are not a healthy relationship, only an unknown one.
EVIDENCE_COUNTS = (
    "inv_due",
    "revenue",
    "req_due",
    "msg_in",
    "mtg",
    "hours",
    *(n for n, _h in INCIDENT_COLUMNS.values()),
)
SEVERITY_EMPHASIS = 2.0


class SignResult:
    """One sign for one client. Title and explanation are rendered when read, in the active language:
    scoring a firm computes 15 signs per client, and most explanations are never shown."""

    __slots__ = ("_components", "_explanation", "_population", "band", "sign", "subscore", "value", "weight")

    def __init__(self, sign, value, band, subscore, weight, population, components):
        self.sign = sign
        self.value: float | None = value
        self.band: str | None = band  # healthy / concerning / poor; None: no evidence to judge by
        self.subscore: float | None = subscore
        self.weight: float = weight
        self._population = population  # the sorted values of the firm's active clients on this sign
        self._components = components
        self._explanation: str | None = None

    id = property(lambda self: self.sign.id)
    unit = property(lambda self: self.sign.unit)
    title = property(lambda self: str(self.sign.title))

    def _get_percentile(self) -> int | None:
        """The share of the firm's active clients who do strictly better: "worse than N% of your clients"."""
        population = self._population
        if self.value is None or not population:
            return None
        if self.sign.higher_is_worse:
            better = bisect.bisect_left(population, self.value)
        else:
            better = len(population) - bisect.bisect_right(population, self.value)
        return int(half_up(100.0 * better / len(population)))

    percentile = property(_get_percentile)

    def _get_explanation(self) -> str:
        if self._explanation is None:
            if self.value is None:
                self._explanation = _("No evidence in the window.")
            else:
                self._explanation = self.sign.explain(self._components, self.value)
        return self._explanation

    explanation = property(_get_explanation)


@dataclass
class Dealbreaker:
    rule: dict
    text: str
    n: int | None = None  # the number the text names: incidents counted, days overdue (None for sign_poor)


@dataclass
class ClientScore:
    client_id: int
    name: str
    status: str
    score: int  # shown only when ``enough_evidence``; 100 otherwise, so sorting and sums stay simple
    recommendation: str  # keep / talk_first / consider_parting / insufficient
    lead: tuple[str, dict] | None  # (key of LEADS, values): rendered into ``reasons`` when read
    dealbreakers: list[Dealbreaker]
    _table: _Table = field(repr=False, compare=False)  # the firm's columns, shared by all its clients
    _row: int = field(repr=False, compare=False)  # this client's place in them
    revenue: Decimal
    revenue_share: float
    hours: float
    effective_rate: Decimal | None
    target_rate: Decimal
    referred: list[int] = field(default_factory=list)
    referred_revenue: Decimal = Decimal("0")
    trend: list[tuple[str, int]] = field(default_factory=list)
    enough_evidence: bool = True

    def _get_components(self) -> dict[str, float]:
        """The numbers the signs are computed from, built when first read (explanations, snapshots)."""
        row = self._row
        return {name: column[row] for name, column in self._table.columns.items()}

    components = cached_property(_get_components)

    def _get_populations(self) -> dict[str, list[float]]:
        return self._table.populations

    populations = property(_get_populations)

    def _get_evaluated(self) -> list[tuple[SignSetting, float | None, float | None]]:
        """(setting, value, subscore) for each enabled sign, in the policy's order."""
        row = self._row
        out = []
        for setting, values, judged in self._table.signs:
            value = values[row]
            out.append((setting, value, None if value is None else judged[value][1]))
        return out

    evaluated = property(_get_evaluated)

    def _get_signs(self) -> list[SignResult]:
        """Each enabled sign's result, built when first read: most pages read a few clients' signs."""
        components = self.components
        populations = self._table.populations
        row = self._row
        out = []
        for setting, values, judged in self._table.signs:
            value = values[row]
            if value is None:
                out.append(SignResult(setting.sign, None, None, None, setting.weight, None, components))
            else:
                band, subscore = judged[value]
                out.append(
                    SignResult(
                        setting.sign,
                        value,
                        band,
                        round(subscore, 1),
                        setting.weight,
                        populations.get(setting.sign.id),
                        components,
                    )
                )
        return out

    signs = cached_property(_get_signs)

    def _get_reasons(self) -> list[str]:
        """The advice's reasons: dealbreakers first, then the lead, then the troubled signs, worst first."""
        troubled = sorted((s for s in self.signs if s.band in ("poor", "concerning")), key=lambda s: s.subscore)
        signs = [
            _("%(id)s %(title)s: %(explanation)s") % {"id": s.id, "title": s.title, "explanation": s.explanation}
            for s in troubled
        ]
        breakers = [_("Dealbreaker: %(text)s") % {"text": d.text} for d in self.dealbreakers]
        lead = [str(LEADS[self.lead[0]]) % self.lead[1]] if self.lead else []
        return [*breakers, *lead, *signs]

    reasons = property(_get_reasons)

    def sign(self, sign_id: str) -> SignResult:
        return next(s for s in self.signs if s.id == sign_id)

    def _get_top_signs(self) -> list[SignResult]:
        judged = [s for s in self.signs if s.band in ("poor", "concerning")]
        return sorted(judged, key=lambda s: (s.subscore, -s.weight))[:3]

    top_signs = property(_get_top_signs)

    def as_dict(self) -> dict:
        return {
            "client": self.name,
            "client_id": self.client_id,
            "status": self.status,
            "score": self.score if self.enough_evidence else None,
            "recommendation": self.recommendation,
            "reasons": self.reasons,
            "dealbreakers": [d.text for d in self.dealbreakers],
            "signs": [
                {
                    "id": s.id,
                    "title": s.title,
                    "value": s.value,
                    "unit": s.unit,
                    "band": s.band,
                    "percentile": s.percentile,
                    "weight": s.weight,
                    "explanation": s.explanation,
                }
                for s in self.signs
            ],
            "value": {
                "revenue": str(self.revenue),
                "revenue_share": round(self.revenue_share, 1),
                "hours": round(self.hours, 1),
                "effective_rate": None if self.effective_rate is None else str(self.effective_rate),
                "target_rate": str(self.target_rate),
                "referred_clients": len(self.referred),
                "referred_revenue": str(self.referred_revenue),
            },
            "trend": [{"month": month, "score": score} for month, score in self.trend],
        }


LEADS = {
    "below": gettext_lazy("Fit score %(score)d is below %(limit)d."),
    "expectations": gettext_lazy("The signs are about expectations: manage them first (D2)."),
    "poor_signs": gettext_lazy("Some signs are poor even though the overall score is fine."),
    "keep": gettext_lazy("Fit score %(score)d; no dealbreakers."),
    "insufficient": gettext_lazy(
        "No invoices, meetings, messages, requests, incidents or time in the window yet: nothing to judge by."
    ),
}

RECOMMENDATIONS = {
    "keep": gettext_lazy("Keep"),
    "talk_first": gettext_lazy("Talk first"),
    "consider_parting": gettext_lazy("Consider parting"),
    "insufficient": gettext_lazy("Not enough evidence yet"),
}


def window(as_of: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The window ending ``as_of``: the current calendar month and the ``months - 1`` before it."""
    return month_start(month_key(as_of) - months + 1), as_of


CENT = Decimal("0.01")


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


# -- signs over whole columns --------------------------------------------------------------------
#
# Each function gives one sign's value for every client at once from the component columns, with the
# same arithmetic, in the same order, as the sign's own ``value`` in the catalogue (so the floats are
# identical; tests/signs/test_columns.py holds them to it). ``half_up(x, 1)`` is written out inline:
# ``floor(x * 10 + 0.5 + HALF_TOLERANCE) / 10``. A sign missing here is computed client by client.

Columns = dict[str, list[float]]
_floor = math.floor


def _pct_column(parts: Sequence[float], wholes: Sequence[float]) -> list[float | None]:
    """``catalogue.pct`` for each pair: the share in per cent, half-up to one decimal."""
    tol = HALF_TOLERANCE
    return [None if not w else _floor(100.0 * p / w * 10 + 0.5 + tol) / 10 for p, w in zip(parts, wholes, strict=True)]


def _w1_column(c: Columns) -> list[float | None]:
    tol = HALF_TOLERANCE
    return [
        None if not due else _floor(late / due * 10 + 0.5 + tol) / 10
        for late, due in zip(c["req_days_late"], c["req_due"], strict=True)
    ]


def _w2_column(c: Columns) -> list[float | None]:
    shares = _pct_column(c["msg_after_hours"], c["msg_in"])
    return [share if has else None for share, has in zip(shares, c["has_hours"], strict=True)]


def _w4_column(c: Columns) -> list[float | None]:
    missed = [a + b + d for a, b, d in zip(c["mtg_short_cancel"], c["mtg_no_show"], c["mtg_late"], strict=True)]
    return _pct_column(missed, c["mtg"])


def _sum_column(first: str, second: str) -> Callable[[Columns], list[float | None]]:
    return lambda c: [float(a + b) for a, b in zip(c[first], c[second], strict=True)]


def _w11_column(c: Columns) -> list[float | None]:
    tol = HALF_TOLERANCE
    out: list[float | None] = []
    for revenue, hours, target in zip(c["revenue"], c["hours"], c["target_rate"], strict=True):
        if not hours or not target:
            out.append(None)
        else:
            out.append(_floor(100.0 * revenue / hours / target * 10 + 0.5 + tol) / 10)
    return out


def _w12_column(c: Columns) -> list[float | None]:
    shares = _pct_column(c["services_outside"], c["services"])
    return [None if not focus else share for share, focus in zip(shares, c["focus_services"], strict=True)]


def _w13_column(c: Columns) -> list[float | None]:
    hours = c["hours"]
    wholes = [max(h, extra) for h, extra in zip(hours, c["scope_hours"], strict=True)]
    shares = _pct_column(c["scope_hours"], wholes)
    return [None if not h else share for share, h in zip(shares, hours, strict=True)]


VALUE_COLUMNS: dict[str, Callable[[Columns], list[float | None]]] = {
    "W1": _w1_column,
    "W2": _w2_column,
    "W3": lambda c: _pct_column(c["msg_to_senior"], c["msg_in"]),
    "W4": _w4_column,
    "W5": lambda c: [float(n) for n in c["rework_n"]],
    "W6": lambda c: [float(n) for n in c["distrust_n"]],
    "W7": lambda c: _pct_column(c["inv_late"], c["inv_due"]),
    "W8": _sum_column("contract_n", "inv_disputed"),
    "W9": _sum_column("inv_discount_requested", "haggle_n"),
    "W10": lambda c: _pct_column(c["msg_negative"], c["msg_in"]),
    "W11": _w11_column,
    "W12": _w12_column,
    "W13": _w13_column,
    "W14": lambda c: _pct_column(c["req_late"], c["req_due"]),
    "W15": lambda c: [float(n) for n in c["disrespect_n"]],
}


def value_column(sign: Sign, columns: Columns) -> list[float | None]:
    """One sign's value for every client of ``columns``; the sign's own ``value`` where no column
    function is written for it."""
    by_columns = VALUE_COLUMNS.get(sign.id)
    if by_columns is not None:
        return by_columns(columns)
    names = list(columns)
    return [sign.value(dict(zip(names, row, strict=True))) for row in zip(*columns.values(), strict=True)]


class _Table:
    """One re-score's numbers, shared by every ClientScore it returns: the component columns, and for
    each enabled sign its values and, per distinct value, (band, subscore)."""

    __slots__ = ("columns", "populations", "signs")

    def __init__(self, columns: Columns):
        self.columns = columns
        self.signs: list[tuple[SignSetting, list[float | None], dict[float, tuple[str, float]]]] = []
        self.populations: dict[str, list[float]] = {}


class Scorer:
    """Scores one firm as of one day. Construct, then call :meth:`score`."""

    def __init__(self, firm: Firm, *, as_of: dt.date | None = None, now: dt.datetime | None = None):
        self.firm = firm
        self.policy: EffectivePolicy = effective_policy(policy_for(firm))
        tz = zoneinfo.ZoneInfo(firm.time_zone)
        self.now = now or timezone.now()
        self.as_of = as_of or self.now.astimezone(tz).date()
        # Timestamps count up to the end of the as-of day, and never past the present moment.
        day_after = dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time(), tz)
        self.until = min(self.now, day_after)
        self.working_hours = [
            (day.weekday, day.starts.strftime("%H:%M"), day.ends.strftime("%H:%M"))
            for day in WorkingDay.objects.filter(firm=firm)
        ]
        self.focus = set(firm.focus_services.values_list("id", flat=True))
        self.enabled = [setting for setting in self.policy.signs if setting.enabled]

    # -- components -----------------------------------------------------------------------------

    def _scope(self, start: dt.date, *, by_month: bool, client_ids: Sequence[int] | None) -> Scope:
        return Scope(
            firm_id=self.firm.id,
            time_zone=self.firm.time_zone,
            start=start,
            end=self.as_of,
            now=self.until,
            by_month=by_month,
            client_ids=client_ids,
        )

    def _static_components(self, clients: list[dict]) -> dict[int, dict[str, float]]:
        """Components that are not windowed: services against the firm's focus (W12)."""
        through = Client.services.through
        ids = [c["id"] for c in clients]
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        rows = through.objects.filter(client__firm=self.firm)
        if len(ids) < 500:
            rows = rows.filter(client_id__in=ids)
        for client_id, service_id in rows.values_list("client_id", "service_id"):
            counts[client_id][0] += 1
            counts[client_id][1] += service_id not in self.focus
        return {
            cid: {"services": float(total), "services_outside": float(outside)}
            for cid, (total, outside) in counts.items()
        }

    def _components(self, base: dict[str, float] | None, static: dict[str, float] | None) -> dict[str, float]:
        c = dict.fromkeys(COMPONENTS, 0.0)
        if base:
            c.update(base)
        c.update({"services": 0.0, "services_outside": 0.0})
        if static:
            c.update(static)
        c["has_hours"] = 1.0 if self.working_hours else 0.0
        c["focus_services"] = float(len(self.focus))
        c["target_rate"] = float(self.firm.target_hourly_rate)
        return c

    # -- one client's signs ---------------------------------------------------------------------

    def _evaluate(self, c: Components) -> list[tuple[SignSetting, float | None, float | None]]:
        out = []
        for setting in self.enabled:
            value = setting.sign.value(c)
            out.append((setting, value, None if value is None else setting.subscore(value)))
        return out

    @staticmethod
    def _fit(evaluated: list[tuple[SignSetting, float | None, float | None]]) -> int:
        """The 0–100 fit score: a weighted mean of the judged signs' subscores.

        A sign's weight grows as its subscore falls (up to 1 + SEVERITY_EMPHASIS times at 0), so a
        few poor signs are not averaged away by many signs with nothing against the client.
        """
        total = weight = 0.0
        for setting, _value, subscore in evaluated:
            if subscore is None:
                continue
            w = setting.weight * (1 + SEVERITY_EMPHASIS * (100.0 - subscore) / 100.0)
            total += w * subscore
            weight += w
        return 100 if not weight else int(half_up(total / weight))

    # -- the whole firm -------------------------------------------------------------------------

    def score(
        self, *, client_ids: Sequence[int] | None = None, with_trend: bool = False, include_former: bool = True
    ) -> list[ClientScore]:
        clients_qs = Client.objects.filter(firm=self.firm)
        if not include_former:
            clients_qs = clients_qs.exclude(status=Client.Status.FORMER)
        clients = list(clients_qs.values("id", "name", "status", "referred_by_id"))
        wanted = set(client_ids) if client_ids is not None else None
        # Percentiles and revenue shares need the whole firm, so the main pass is always firm-wide.
        ids = [c["id"] for c in clients]
        static = self._static_components(clients)
        table = _Table(self._columns(ids, static))
        columns = table.columns
        n = len(ids)

        # A sign at a time: its values, then band, subscore and fit-score terms once per distinct value.
        total = [0.0] * n
        weight = [0.0] * n
        poor = [0] * n
        troubled = [0] * n
        not_expectations = [0] * n
        add = operator.add
        for setting in self.enabled:
            values = value_column(setting.sign, columns)
            distinct = set(values)
            distinct.discard(None)
            judged = {value: (setting.band(value), setting.subscore(value)) for value in distinct}
            table.signs.append((setting, values, judged))
            # _fit's terms; a sign with no value adds 0.0, which leaves a sum of floats exactly as it was.
            w_of: dict[float | None, float] = {None: 0.0}
            ws_of: dict[float | None, float] = {None: 0.0}
            poor_of: dict[float | None, int] = {None: 0}
            troubled_of: dict[float | None, int] = {None: 0}
            for value, (band, subscore) in judged.items():
                w = setting.weight * (1 + SEVERITY_EMPHASIS * (100.0 - subscore) / 100.0)
                w_of[value] = w
                ws_of[value] = w * subscore
                poor_of[value] = band == "poor"
                troubled_of[value] = band != "healthy"
            total = list(map(add, total, map(ws_of.__getitem__, values)))
            weight = list(map(add, weight, map(w_of.__getitem__, values)))
            poor = list(map(add, poor, map(poor_of.__getitem__, values)))
            marks = list(map(troubled_of.__getitem__, values))
            troubled = list(map(add, troubled, marks))
            if not setting.sign.about_expectations:
                not_expectations = list(map(add, not_expectations, marks))
        tol = HALF_TOLERANCE  # _fit: the weighted mean, half-up to a whole number
        fits = [100 if not w else int(_floor(t / w + 0.5 + tol)) for t, w in zip(total, weight, strict=True)]

        dealbreakers = self._dealbreakers(table, ids)
        evidence = zip(*(columns[key] for key in EVIDENCE_COUNTS), strict=True)
        enough = [max(counts) > 0 or cid in dealbreakers for cid, counts in zip(ids, evidence, strict=True)]
        # Percentiles compare a client with the active clients there is evidence about.
        active = [k for k, c in enumerate(clients) if c["status"] in ACTIVE and enough[k]]
        for setting, values, _judged in table.signs:
            population = [value for k in active if (value := values[k]) is not None]
            if population:
                population.sort()
                table.populations[setting.sign.id] = population
        revenues = columns["revenue"]
        hours = columns["hours"]
        firm_revenue = sum(revenues)
        referred = self._referral_chains(clients)
        place = {cid: k for k, cid in enumerate(ids)}
        no_referred_revenue = money(0)
        target_rate = self.firm.target_hourly_rate

        results = []
        for k, client in enumerate(clients):
            cid = ids[k]
            if wanted is not None and cid not in wanted:
                continue
            revenue = revenues[k]
            chain = referred.get(cid, [])
            result = ClientScore(
                client_id=cid,
                name=client["name"],
                status=client["status"],
                score=fits[k],
                recommendation="keep",
                lead=None,
                dealbreakers=dealbreakers.get(cid, []),
                _table=table,
                _row=k,
                revenue=money(revenue),
                revenue_share=0.0 if not firm_revenue else 100.0 * revenue / firm_revenue,
                hours=hours[k],
                effective_rate=money(revenue / hours[k]) if hours[k] else None,
                target_rate=target_rate,
                referred=chain,
                referred_revenue=money(sum(revenues[place[r]] for r in chain)) if chain else no_referred_revenue,
                enough_evidence=enough[k],
            )
            self._advise(result, bool(poor[k]), troubled[k] > 0 and not not_expectations[k])
            results.append(result)
        if with_trend and results:
            self.add_trend(results, static)
        results.sort(key=lambda r: (not r.enough_evidence, r.score, r.name))
        return results

    def _columns(self, ids: list[int], static: dict[int, dict[str, float]]) -> Columns:
        """Every component as a column in the order of ``ids``, with the keys and in the order of
        :meth:`_components` (that order is the order of a client's ``components``)."""
        start, _end = window(self.as_of, self.policy.window_months)
        aggregator = Aggregator(self._scope(start, by_month=False, client_ids=None), self.working_hours)
        columns = aggregator.columns(ids)
        n = len(ids)
        services = [0.0] * n
        outside = [0.0] * n
        for k, cid in enumerate(ids):
            own = static.get(cid)
            if own:
                services[k] = own["services"]
                outside[k] = own["services_outside"]
        columns["services"] = services
        columns["services_outside"] = outside
        columns["has_hours"] = [1.0 if self.working_hours else 0.0] * n
        columns["focus_services"] = [float(len(self.focus))] * n
        columns["target_rate"] = [float(self.firm.target_hourly_rate)] * n
        return columns

    # -- dealbreakers (D7) ----------------------------------------------------------------------

    def _dealbreakers(self, table: _Table, ids: list[int]) -> dict[int, list[Dealbreaker]]:
        found: dict[int, list[Dealbreaker]] = defaultdict(list)
        d = Dialect(connection.vendor)
        for rule in self.policy.dealbreakers:
            kind = rule.get("type")
            if kind == "incidents":
                since = month_shift(self.as_of, -int(rule["months"]))
                p = Params(d)
                sql = (
                    f"SELECT client_id, COUNT(*) FROM evidence_incident WHERE firm_id = {p.add(self.firm.id)} "
                    f"AND kind = {p.add(rule['kind'])} AND occurred_on > {p.add(since, 'date')} "
                    f"AND occurred_on <= {p.add(self.as_of, 'date')} GROUP BY client_id "
                    f"HAVING COUNT(*) >= {p.add(int(rule['count']))}"
                )
                for client_id, count in _fetch(sql, p):
                    found[client_id].append(Dealbreaker(rule, dealbreaker_text(rule, int(count)), n=int(count)))
            elif kind == "overdue_invoice":
                p = Params(d)
                as_of = p.add(self.as_of, "date")
                days = d.days(as_of, "due_on")
                sql = (
                    f"SELECT client_id, MAX({days}) FROM evidence_invoice WHERE firm_id = {p.add(self.firm.id)} "
                    f"AND paid_on IS NULL AND due_on < {as_of} GROUP BY client_id "
                    f"HAVING MAX({days}) > {p.add(int(rule['days']))}"
                )
                for client_id, overdue in _fetch(sql, p):
                    found[client_id].append(Dealbreaker(rule, dealbreaker_text(rule, int(overdue)), n=int(overdue)))
            elif kind == "sign_poor":
                self.policy.setting(rule["sign"])  # an unknown sign fails here, as it always has
                for own, values, judged in table.signs:  # a disabled sign breaks nothing
                    if own.sign.id != rule["sign"]:
                        continue
                    for cid, value in zip(ids, values, strict=True):
                        if value is not None and judged[value][0] == "poor":
                            found[cid].append(Dealbreaker(rule, dealbreaker_text(rule)))
        return found

    # -- referral influence (D6) ----------------------------------------------------------------

    @staticmethod
    def _referral_chains(clients: list[dict]) -> dict[int, list[int]]:
        """For each client, every client who came through them, directly or further down the chain."""
        children: dict[int, list[int]] = defaultdict(list)
        for c in clients:
            if c["referred_by_id"]:
                children[c["referred_by_id"]].append(c["id"])
        chains: dict[int, list[int]] = {}
        for root in children:
            seen: list[int] = []
            stack = list(children[root])
            visited = {root}
            while stack:
                cid = stack.pop()
                if cid in visited:
                    continue  # a cycle typed in by hand must not loop forever
                visited.add(cid)
                seen.append(cid)
                stack.extend(children.get(cid, ()))
            chains[root] = seen
        return chains

    # -- advice (D1, D2, D7) --------------------------------------------------------------------

    def _advise(self, result: ClientScore, poor: bool, about_expectations: bool) -> None:
        """The advice and its lead. ``poor``: a sign is poor; ``about_expectations``: some sign is not
        healthy, and every such sign is about expectations (D2)."""
        if not result.enough_evidence:
            result.recommendation = "insufficient"
            result.lead = ("insufficient", {})
            return
        if result.dealbreakers:
            result.recommendation = "consider_parting"  # D7: whatever the score says
        elif result.score < self.policy.part_below and not about_expectations:
            result.recommendation = "consider_parting"
            result.lead = ("below", {"score": result.score, "limit": self.policy.part_below})
        elif result.score < self.policy.talk_below or poor:
            result.recommendation = "talk_first"
            if about_expectations:
                result.lead = ("expectations", {})
            elif result.score < self.policy.talk_below:
                result.lead = ("below", {"score": result.score, "limit": self.policy.talk_below})
            else:
                result.lead = ("poor_signs", {})
        else:
            result.recommendation = "keep"
            result.lead = ("keep", {"score": result.score})

    # -- trend ----------------------------------------------------------------------------------

    def add_trend(self, results: list[ClientScore], static: dict[int, dict[str, float]] | None = None) -> None:
        """Monthly fit score over the last 12 months, each month judged on the window ending with it.

        One by-month aggregation covers all twelve windows; each point sums the month buckets of its
        window. Unpaid invoices and missing items count as late up to today, as known today.
        """
        if static is None:
            static = self._static_components([{"id": r.client_id} for r in results])
        months = self.policy.window_months
        last = month_key(self.as_of)
        first = last - 11
        ids = [r.client_id for r in results]
        rows = Aggregator(
            self._scope(month_start(first - months + 1), by_month=True, client_ids=ids), self.working_hours
        ).run()
        buckets: dict[int, dict[int, dict[str, float]]] = defaultdict(dict)
        for (cid, key), comp in rows.items():
            buckets[cid][key] = comp
        for result in results:
            own = buckets.get(result.client_id, {})
            points = []
            for point in range(first, last + 1):
                summed = dict.fromkeys(COMPONENTS, 0.0)
                for key in range(point - months + 1, point + 1):
                    for name, value in own.get(key, {}).items():
                        summed[name] += value
                c = self._components(summed, static.get(result.client_id))
                points.append((month_start(point).strftime("%Y-%m"), self._fit(self._evaluate(c))))
            result.trend = points


def _fetch(sql: str, params: Params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, dict(params))
        return cursor.fetchall()


def month_shift(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clamped to the month's last day."""
    key = month_key(day) + months
    first = month_start(key)
    next_first = month_start(key + 1)
    return first.replace(day=min(day.day, (next_first - dt.timedelta(days=1)).day))


def dealbreaker_text(rule: dict, n: int | None = None) -> str:
    """The words for a broken dealbreaker (D7) in the active language: the scorer writes them, and a
    stored score writes them again for its reader from the rule and its number ``n`` (incidents
    counted, days overdue). Empty for a rule this version does not know."""
    kind = rule.get("type")
    if kind == "incidents" and n is not None:
        months = int(rule["months"])
        return ngettext(
            "%(count)d incidents of “%(kind)s” within %(months)d month",
            "%(count)d incidents of “%(kind)s” within %(months)d months",
            months,
        ) % {"count": n, "kind": incident_kind_label(rule["kind"]), "months": months}
    if kind == "overdue_invoice" and n is not None:
        return _("An invoice is %(days)d days overdue (the limit is %(limit)d)") % {"days": n, "limit": rule["days"]}
    if kind == "sign_poor" and rule.get("sign") in BY_ID:
        return _("%(sign)s is poor: %(title)s") % {"sign": rule["sign"], "title": BY_ID[rule["sign"]].title}
    return ""


def incident_kind_label(kind: str) -> str:
    from parting.evidence.models import Incident

    return str(dict(Incident.Kind.choices).get(kind, kind))
