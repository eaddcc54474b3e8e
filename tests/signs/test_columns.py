"""The scorer works a sign at a time over whole columns (issue 12 §4): these tests hold that path to the
catalogue's own per-client definitions, value for value and bit for bit, so a faster re-score can never
give a client another value, band or subscore than docs/scoring.md describes (rounding half up first).
"""

import datetime as dt
import math
import random

import pytest

from parting.signs.catalogue import BY_ID, SIGNS, Sign
from parting.signs.scoring import VALUE_COLUMNS, value_column
from parting.signs.sql import COMPONENTS, Aggregator, Scope
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MessageFactory,
    TimeEntryFactory,
)

NAMES = (*COMPONENTS, "services", "services_outside", "has_hours", "focus_services", "target_rate")
# Values where a slip shows: nothing, halves that must round up (3 of 2,000 is 0.15 → 0.2; 1 of 16 is
# 6.25 → 6.3), thirds, a -0.0 from the database, hours smaller than the extra work logged.
AWKWARD = (0.0, -0.0, 1.0, 2.0, 3.0, 16.0, 81.0, 2000.0, 0.25, 1.5, 7.75, 120.0, 150.0, 66.0, 99.0)


def same(a, b) -> bool:
    """Equal as the page and the stored score see them: None is None, and floats bit for bit (0.0 ≠ -0.0)."""
    if a is None or b is None:
        return a is b
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def rows_of_awkward_numbers(count: int) -> list[dict[str, float]]:
    rng = random.Random(20261203)
    rows = []
    for _ in range(count):
        row = {name: rng.choice(AWKWARD) for name in NAMES}
        row["has_hours"] = rng.choice((0.0, 1.0))
        row["target_rate"] = rng.choice((0.0, 150.0, 212.5))
        rows.append(row)
    # The hand-checked halves of docs/scoring.md#rounding, on every percentage sign.
    for part, whole in ((3.0, 2000.0), (1.0, 16.0), (1.0, 81.0), (2.0, 3.0)):
        row = dict.fromkeys(NAMES, whole)
        for name in ("inv_late", "req_late", "msg_after_hours", "msg_to_senior", "msg_negative", "services_outside"):
            row[name] = part
        row.update(mtg_short_cancel=part, mtg_no_show=0.0, mtg_late=0.0, scope_hours=part, has_hours=1.0)
        rows.append(row)
    return rows


def as_columns(rows: list[dict[str, float]]) -> dict[str, list[float]]:
    return {name: [row[name] for row in rows] for name in NAMES}


@pytest.mark.parametrize("sign", SIGNS, ids=lambda sign: sign.id)
def test_each_signs_values_over_a_column_are_the_catalogues_values_client_by_client(sign):
    rows = rows_of_awkward_numbers(3000)
    by_column = value_column(sign, as_columns(rows))
    by_client = [sign.value(row) for row in rows]
    assert len(by_column) == len(by_client)
    wrong = [(k, a, b) for k, (a, b) in enumerate(zip(by_column, by_client, strict=True)) if not same(a, b)]
    assert not wrong, wrong[:5]


def test_the_w7_column_rounds_3_of_2000_up_to_0_2_and_1_of_16_up_to_6_3_like_the_catalogue():
    columns = as_columns([dict.fromkeys(NAMES, 0.0) | {"inv_late": 3.0, "inv_due": 2000.0}])
    assert value_column(BY_ID["W7"], columns) == [0.2]
    columns = as_columns([dict.fromkeys(NAMES, 0.0) | {"inv_late": 1.0, "inv_due": 16.0}])
    assert value_column(BY_ID["W7"], columns) == [6.3]
    columns = as_columns([dict.fromkeys(NAMES, 0.0) | {"inv_late": 1.0, "inv_due": 81.0}])
    assert value_column(BY_ID["W7"], columns) == [1.2]


def test_every_catalogue_sign_has_a_column_form_so_none_falls_back_to_client_by_client():
    assert set(VALUE_COLUMNS) == {sign.id for sign in SIGNS}


def test_a_sign_without_a_column_form_is_computed_client_by_client_from_the_same_numbers():
    invented = Sign(
        "W99", "Invented", "nothing", "count", 1, 1, 2, value=lambda c: c["inv_late"] * 2, explain=lambda c, v: ""
    )
    columns = as_columns([dict.fromkeys(NAMES, 0.0) | {"inv_late": late} for late in (0.0, 1.5, 4.0)])
    assert value_column(invented, columns) == [0.0, 3.0, 8.0]


# -- the columns of the firm-wide pass are the per-client rows, client for client -----------------


def test_the_aggregators_columns_hold_each_clients_numbers_and_zeros_for_a_client_without_rows(db):
    firm = FirmFactory()
    acme, quiet, other = (ClientFactory(firm=firm, name=name) for name in ("Acme", "Quiet", "Other"))
    for day in (3, 10, 17):
        InvoiceFactory(client=acme, issued_on=dt.date(2026, 3, day), due_on=dt.date(2026, 3, day + 7))
        TimeEntryFactory(client=acme, date=dt.date(2026, 3, day), hours=1.5)
        TimeEntryFactory(client=other, date=dt.date(2026, 3, day), hours=2)
    ClientRequestFactory(client=acme, requested_on=dt.date(2026, 3, 2), due_on=dt.date(2026, 3, 9), received_on=None)
    MessageFactory(client=acme, sent_at=dt.datetime(2026, 3, 7, 12, tzinfo=dt.UTC))
    MeetingFactory(client=other, starts_at=dt.datetime(2026, 3, 12, 10, tzinfo=dt.UTC))
    IncidentFactory(client=acme, occurred_on=dt.date(2026, 3, 5))
    scope = Scope(
        firm.id, firm.time_zone, dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC)
    )
    hours = [(weekday, "09:00", "17:00") for weekday in range(5)]
    rows = Aggregator(scope, hours).run()
    # "Other" is left out of the columns: its rows must not land on anyone else's place.
    ids = [quiet.id, acme.id]
    columns = Aggregator(scope, hours).columns(ids)
    assert list(columns) == list(COMPONENTS)
    assert all(len(column) == 2 for column in columns.values())
    for place, client in enumerate((quiet, acme)):
        expected = rows.get((client.id, 0), dict.fromkeys(COMPONENTS, 0.0))
        assert {name: columns[name][place] for name in COMPONENTS} == expected
    assert columns["hours"] == [0.0, 4.5]
    assert columns["inv_due"] == [0.0, 3.0]
    assert any(rows[(other.id, 0)].values())


def test_the_aggregators_columns_are_for_the_firm_wide_pass_only(db):
    firm = FirmFactory()
    scope = Scope(
        firm.id,
        firm.time_zone,
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        dt.datetime(2026, 3, 31, tzinfo=dt.UTC),
        by_month=True,
    )
    with pytest.raises(ValueError, match="firm-wide"):
        Aggregator(scope, []).columns([1])
