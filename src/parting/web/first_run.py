"""The first-run path a new firm sees on its dashboard (issue 11): what to do first, and what is done.

Three steps, in the order the scores need them:

1. **settings** — the working hours (W2 reads "after hours" from them) and the target hourly rate
   (W11 compares the effective rate with it). A new firm starts with defaults (Monday–Friday 9–17,
   80 an hour); the step is done once either differs from those, or once the firm settings have been
   saved (an audit entry ``SETTINGS_SAVED``), so a firm whose real hours are the defaults can still
   finish it.
2. **clients** — at least one client, imported from a file or typed in.
3. **evidence** — at least one piece of evidence of any kind, imported or logged by hand.

Once every step is done, :func:`first_run` returns None and the path is gone for good: nothing is
stored, the firm's own data says it is done. Two queries whatever the firm's size, both scoped to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Subquery

from parting.audit.models import AuditEntry
from parting.clients.models import Client
from parting.clients.selectors import TIMELINE_KINDS
from parting.firms.models import Firm, WorkingDay
from parting.firms.services import DEFAULT_HOURS

# The audit action the firm settings page records when saved (the step counts as done even when the
# hours and rate kept their defaults).
SETTINGS_SAVED = "firm.settings_saved"


@dataclass(frozen=True)
class Step:
    key: str  # "settings", "clients" or "evidence": the template words each one
    done: bool


@dataclass(frozen=True)
class FirstRun:
    steps: tuple[Step, ...]
    first_client_id: int | None  # a client's page to log evidence on by hand, when there is one
    target_hourly_rate: Decimal
    currency: str

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    def step(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)


def _default_rate() -> Decimal:
    return Decimal(Firm._meta.get_field("target_hourly_rate").default)


def first_run(firm: Firm) -> FirstRun | None:
    """The first-run steps of ``firm`` and whether each is done; None once all are."""
    hours = list(WorkingDay.objects.filter(firm=firm).order_by("weekday").values_list("weekday", "starts", "ends"))
    evidence = {
        f"has_{kind}": Exists(model.objects.filter(firm=OuterRef("pk")))
        for kind, (model, _field) in TIMELINE_KINDS.items()
    }
    facts = (
        Firm.objects.filter(pk=firm.pk)
        .annotate(
            saved=Exists(AuditEntry.objects.filter(firm=OuterRef("pk"), action=SETTINGS_SAVED)),
            first_client=Subquery(Client.objects.filter(firm=OuterRef("pk")).order_by("name", "pk").values("pk")[:1]),
            **evidence,
        )
        .values("target_hourly_rate", "currency", "saved", "first_client", *evidence)
        .get()
    )
    settings_done = (
        facts["saved"] or facts["target_hourly_rate"] != _default_rate() or hours != [tuple(d) for d in DEFAULT_HOURS]
    )
    steps = (
        Step("settings", bool(settings_done)),
        Step("clients", facts["first_client"] is not None),
        Step("evidence", any(facts[name] for name in evidence)),
    )
    if all(step.done for step in steps):
        return None
    return FirstRun(steps, facts["first_client"], facts["target_hourly_rate"], facts["currency"])
