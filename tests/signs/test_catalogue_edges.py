"""Each sign's value and the sentence that explains it on the client page (W1–W15, docs/scoring.md),
from the components the scorer aggregates: what is judged, what is "not judged" for lack of evidence,
and every number the sentence quotes. No database: the catalogue is arithmetic over one client's row.
"""

import pytest
from django.utils import translation

from parting.signs.catalogue import BY_ID, fmt
from parting.signs.sql import COMPONENTS


def row(**values):
    """One client's components as the scorer builds them (firm-wide keys included), zero unless given."""
    c = dict.fromkeys(COMPONENTS, 0.0)
    c.update(services=0.0, services_outside=0.0, has_hours=1.0, focus_services=0.0, target_rate=100.0)
    c.update({key: float(value) for key, value in values.items()})
    return c


def judged(sign_id, **values):
    c = row(**values)
    value = BY_ID[sign_id].value(c)
    return value, (None if value is None else BY_ID[sign_id].explain(c, value))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# -- numbers in sentences ------------------------------------------------------------------------


def test_numbers_in_explanations_drop_a_trailing_zero_and_keep_one_decimal_or_two_for_money():
    assert (fmt(15.0), fmt(15.04), fmt(39.75), fmt(2.5)) == ("15", "15", "39.8", "2.5")
    assert (fmt(87.5, 2), fmt(87.0, 2)) == ("87.50", "87")


def test_numbers_in_explanations_use_the_members_decimal_comma():
    with translation.override("pl"):
        assert fmt(39.8) == "39,8"
        assert fmt(40.0) == "40"


# -- W1, W14: what the client was asked to deliver ------------------------------------------------


def test_w1_is_not_judged_without_requests_due():
    assert judged("W1", req_days_late=3) == (None, None)


def test_w1_average_days_late_over_all_requests_due_on_time_ones_counting_zero():
    value, text = judged("W1", req_due=3, req_late=2, req_days_late=10)
    assert value == 3.3
    assert (
        text
        == "2 of 3 items requested from the client arrived late or not at all; on average 3.3 days after the due date"
    )


def test_w1_one_request_is_named_in_the_singular():
    assert judged("W1", req_due=1, req_late=1, req_days_late=4)[1].startswith("1 of 1 item requested")


def test_w14_share_of_requests_not_delivered_by_their_due_date_with_the_missing_ones():
    value, text = judged("W14", req_due=4, req_late=3, req_missing=2)
    assert value == 75.0
    assert text == ("3 of 4 items the work depends on were not delivered by their due date (75%); 2 still missing")
    assert "missing" not in judged("W14", req_due=4, req_late=1)[1]
    assert judged("W14", req_late=1) == (None, None)


# -- W2, W3, W10: messages ------------------------------------------------------------------------


def test_w2_is_not_judged_when_the_firm_has_no_working_hours():
    assert judged("W2", msg_in=10, msg_after_hours=5, has_hours=0) == (None, None)


def test_w2_share_of_messages_outside_working_hours_and_those_on_days_off():
    value, text = judged("W2", msg_in=8, msg_after_hours=3, msg_day_off=2)
    assert value == 37.5
    assert text == "3 of 8 messages from the client arrived outside working hours (37.5%); 2 on days off"
    assert judged("W2", msg_in=8, msg_after_hours=3, msg_day_off=1)[1].endswith("; 1 on a day off")
    assert judged("W2", msg_in=8, msg_after_hours=3)[1].endswith("(37.5%)")


def test_w2_without_messages_is_not_judged():
    assert judged("W2", msg_after_hours=0) == (None, None)


def test_w3_share_of_messages_sent_to_an_owner_or_partner():
    value, text = judged("W3", msg_in=5, msg_to_senior=2)
    assert value == 40.0
    assert text == ("2 of 5 messages went to an owner or partner instead of the assigned staff member (40%)")


def test_w10_share_of_negative_messages():
    value, text = judged("W10", msg_in=3, msg_negative=1)
    assert value == 33.3
    assert text == "1 of 3 messages from the client were negative (33.3%)"


# -- W4: meetings ---------------------------------------------------------------------------------


def test_w4_counts_last_minute_cancellations_no_shows_and_late_arrivals_together():
    value, text = judged("W4", mtg=10, mtg_short_cancel=1, mtg_no_show=2, mtg_late=2, mtg_late_minutes=35)
    assert value == 50.0
    assert text == (
        "Of 10 meetings: 1 cancelled with less than 24 hours' notice, 2 no-shows, 2 arrived late"
        " (by 17.5 minutes on average)"
    )


def test_w4_without_late_arrivals_says_no_average_lateness():
    value, text = judged("W4", mtg=4, mtg_no_show=1)
    assert value == 25.0 and "minutes" not in text


# -- W5, W6, W8, W9, W15: incidents, never divided by the size of the client ----------------------


def test_w5_counts_rework_and_names_the_hours_lost_only_when_some_were():
    assert judged("W5", rework_n=3, rework_hours=2.5) == (3.0, "3 rework incidents after client errors; 2.5 hours lost")
    assert judged("W5", rework_n=1) == (1.0, "1 rework incident after a client error")


def test_w6_counts_advice_challenged():
    assert judged("W6", distrust_n=2) == (2.0, "Challenged the firm's advice 2 times")


def test_w8_adds_contract_terms_ignored_and_disputed_invoices():
    assert judged("W8", contract_n=1, inv_disputed=2) == (3.0, "1 contract term ignored, 2 invoices disputed")


def test_w9_adds_discounts_asked_and_haggling():
    value, text = judged("W9", inv_discount_requested=2, haggle_n=1)
    assert value == 3.0
    assert text == "Asked for a discount on 2 invoices; haggled over the price 1 more time"


def test_w15_counts_incidents_of_disrespect_to_staff():
    assert judged("W15", disrespect_n=2) == (2.0, "2 incidents of disrespect to staff")


# -- W7: invoices ---------------------------------------------------------------------------------


def test_w7_is_not_judged_without_invoices_due():
    assert judged("W7", inv_late=1) == (None, None)


def test_w7_an_invoice_paid_on_time_says_so_and_nothing_more():
    assert judged("W7", inv_due=1) == (0.0, "Paid 0 of 1 invoice late")


def test_w7_unpaid_and_reminders_are_named_in_the_singular_too():
    value, text = judged("W7", inv_due=2, inv_late=1, inv_days_late=5, inv_unpaid_overdue=1, inv_reminders=1)
    assert value == 50.0
    assert text == "Paid 1 of 2 invoices late, on average 5 days late; 1 still unpaid; chased 1 time"


def test_w7_several_unpaid_and_reminders_are_named_in_the_plural():
    value, text = judged("W7", inv_due=4, inv_late=3, inv_days_late=30, inv_unpaid_overdue=2, inv_reminders=3)
    assert value == 75.0
    assert text == "Paid 3 of 4 invoices late, on average 10 days late; 2 still unpaid; chased 3 times"


# -- W11: not worth the time (lower is worse) -----------------------------------------------------


def test_w11_is_not_judged_without_hours_or_without_a_target_rate():
    assert judged("W11", revenue=1000) == (None, None)
    assert judged("W11", revenue=1000, hours=10, target_rate=0) == (None, None)


def test_w11_effective_rate_as_a_share_of_the_target_rate():
    value, text = judged("W11", revenue=1750, hours=20, target_rate=125)
    assert value == 70.0
    assert text == "Earned 87.50 an hour over 20 hours, 70% of the target rate of 125"


def test_w11_is_judged_from_its_bad_end_nothing_earned_is_the_worst_full_rate_the_best():
    w11, w7 = BY_ID["W11"], BY_ID["W7"]
    assert (w11.best, w11.worst) == (100.0, 0.0)
    assert (w7.best, w7.worst) == (0.0, 2 * w7.poor)


# -- W12: no longer fits --------------------------------------------------------------------------


def test_w12_is_judged_only_once_the_firm_has_a_focus_and_the_client_has_services():
    assert judged("W12", services=2, services_outside=1) == (None, None)
    assert judged("W12", focus_services=1) == (None, None)


def test_w12_share_of_the_clients_services_outside_the_focus():
    value, text = judged("W12", focus_services=3, services=4, services_outside=1)
    assert value == 25.0
    assert text == "1 of the client's 4 services are outside the firm's current focus"


# -- W13: free extra work -------------------------------------------------------------------------


def test_w13_unbilled_hours_as_a_share_of_the_time_spent():
    value, text = judged("W13", hours=40, scope_n=2, scope_hours=6)
    assert value == 15.0
    assert text == "2 requests for free extra work; 6 unbilled hours, 15% of the time spent"


def test_w13_more_free_hours_than_hours_logged_is_all_of_the_time():
    assert judged("W13", hours=2, scope_n=1, scope_hours=5)[0] == 100.0


def test_w13_without_any_time_is_not_judged_with_or_without_requests():
    """No evidence, not judged (issue 12): there is no time to measure free extras against."""
    assert judged("W13") == (None, None)
    assert judged("W13", scope_n=1, scope_hours=3) == (None, None)


# -- one of a thing is named in the singular ------------------------------------------------------


@pytest.mark.parametrize(
    ("sign_id", "values", "text"),
    [
        (
            "W2",
            {"msg_in": 1, "msg_after_hours": 1},
            "1 of 1 message from the client arrived outside working hours (100%)",
        ),
        (
            "W3",
            {"msg_in": 1, "msg_to_senior": 1},
            "1 of 1 message went to an owner or partner instead of the assigned staff member (100%)",
        ),
        ("W10", {"msg_in": 1, "msg_negative": 1}, "1 of 1 message from the client was negative (100%)"),
        (
            "W4",
            {"mtg": 1, "mtg_no_show": 1},
            "Of 1 meeting: 0 cancelled with less than 24 hours' notice, 1 no-shows, 0 arrived late",
        ),
        ("W8", {"contract_n": 2, "inv_disputed": 1}, "2 contract terms ignored, 1 invoice disputed"),
        (
            "W9",
            {"inv_discount_requested": 1, "haggle_n": 2},
            "Asked for a discount on 1 invoice; haggled over the price 2 more times",
        ),
        (
            "W13",
            {"hours": 10, "scope_n": 1, "scope_hours": 1},
            "1 request for free extra work; 1 unbilled hours, 10% of the time spent",
        ),
        (
            "W14",
            {"req_due": 1, "req_late": 1, "req_missing": 1},
            "1 of 1 item the work depends on was not delivered by its due date (100%); 1 still missing",
        ),
    ],
)
def test_one_of_a_thing_is_named_in_the_singular(sign_id, values, text):
    assert judged(sign_id, **values)[1] == text


def test_w11_a_target_rate_with_cents_is_quoted_with_them():
    assert judged("W11", revenue=900, hours=10, target_rate=112.5)[1] == (
        "Earned 90 an hour over 10 hours, 80% of the target rate of 112.50"
    )
