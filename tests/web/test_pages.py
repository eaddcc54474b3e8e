"""The pages a member uses: log in, dashboard, client page, forms; bad input never gives a 500."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from parting.clients.models import Client
from parting.evidence.models import Incident, Invoice
from tests.factories import ClientFactory, IncidentFactory, InvoiceFactory, MembershipFactory


@pytest.fixture
def member(owner, client):
    client.force_login(owner.user)
    return owner


def test_pages_require_login(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_login_with_password_opens_the_dashboard(client, owner):
    response = client.post(reverse("login"), {"username": "olga", "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_dashboard_ranks_clients_and_shortlists_the_ones_to_consider_parting(client, member):
    firm = member.firm
    bad = ClientFactory(firm=firm, name="Late Payer Ltd")
    ClientFactory(firm=firm, name="Good Co")
    today = firm.today()
    for n in range(3):
        InvoiceFactory(client=bad, issued_on=today - dt.timedelta(days=150), due_on=today - dt.timedelta(days=120 - n))
    IncidentFactory(client=bad, kind=Incident.Kind.DISRESPECT, occurred_on=today - dt.timedelta(days=10))
    IncidentFactory(client=bad, kind=Incident.Kind.DISRESPECT, occurred_on=today - dt.timedelta(days=20))
    html = client.get(reverse("dashboard")).content.decode()
    assert html.index("Late Payer Ltd") < html.index("Good Co")
    shortlist = html[html.index('id="shortlist"') : html.index("chart-distribution")]
    assert "Late Payer Ltd" in shortlist and "Good Co" not in shortlist
    assert "dealbreaker" in shortlist


def test_dashboard_search_filters_by_name_and_htmx_gets_only_the_table(client, member):
    ClientFactory(firm=member.firm, name="Alpha")
    ClientFactory(firm=member.firm, name="Beta")
    response = client.get(reverse("dashboard"), {"q": "alp"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Alpha" in html and "Beta" not in html
    assert "<html" not in html


def test_client_page_shows_each_sign_with_band_and_explanation(client, member):
    acme = ClientFactory(firm=member.firm, name="Acme")
    today = member.firm.today()
    InvoiceFactory(
        client=acme,
        issued_on=today - dt.timedelta(days=40),
        due_on=today - dt.timedelta(days=30),
        paid_on=today - dt.timedelta(days=5),
        reminders_sent=2,
    )
    html = client.get(reverse("client_detail", args=[acme.pk])).content.decode()
    for n in range(1, 16):
        assert f'#rule-W{n}">W{n}</a></strong>' in html  # each sign's code links to its rule
    assert "Paid 1 of 1 invoice late, on average 25 days late; chased 2 times" in html
    evidence = client.get(reverse("client_sign", args=[acme.pk, "W7"])).content.decode()
    assert Invoice.objects.get(client=acme).number in evidence


def test_new_client_form_saves_client_with_contact(client, member):
    response = client.post(
        reverse("client_create"),
        {
            "name": "Nowak Sp. z o.o.",
            "status": "active",
            "payment_terms_days": "14",
            "prepaid_amount": "0",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Anna Nowak",
            "contacts-0-email": "anna@example.pl",
            "contacts-0-language": "pl",
            "contacts-0-form_of_address": "feminine",
            "contacts-0-is_primary": "on",
            "grants-TOTAL_FORMS": "1",
            "grants-INITIAL_FORMS": "0",
            "work-TOTAL_FORMS": "1",
            "work-INITIAL_FORMS": "0",
            "work-0-name": "Annual accounts 2026",
            "work-0-due_on": "2027-03-31",
            "logins-TOTAL_FORMS": "1",
            "logins-INITIAL_FORMS": "0",
            "logins-0-name": "Domain registrar",
            "grants-0-name": "Bank",
            "grants-0-kind": "bank",
            "grants-0-level": "view",
        },
    )
    saved = Client.objects.get(firm=member.firm, name="Nowak Sp. z o.o.")
    assert response.status_code == 302
    assert saved.contacts.get().language == "pl"
    assert saved.access_grants.get().level == "view"
    assert saved.engagements.get().due_on.isoformat() == "2027-03-31"
    assert saved.credentials.get().name == "Domain registrar"
    assert saved.engagements.get().due_on.isoformat() == "2027-03-31"
    assert saved.credentials.get().name == "Domain registrar"


def test_bad_client_form_says_which_field_and_saves_nothing(client, member):
    response = client.post(
        reverse("client_create"),
        {
            "name": "Broken",
            "status": "active",
            "payment_terms_days": "soon",
            "prepaid_amount": "-5",
            "contract_start": "2026-05-01",
            "contract_end": "2026-04-01",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "X",
            "contacts-0-email": "not-an-email",
            "contacts-0-language": "en",
            "contacts-0-form_of_address": "neutral",
            "grants-TOTAL_FORMS": "0",
            "grants-INITIAL_FORMS": "0",
            "work-TOTAL_FORMS": "0",
            "work-INITIAL_FORMS": "0",
            "logins-TOTAL_FORMS": "0",
            "logins-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was saved" in html
    assert "Enter a whole number." in html
    assert "The contract cannot end before it starts." in html
    assert "Enter a valid email address." in html
    assert not Client.objects.filter(name="Broken").exists()


def test_logging_an_invoice_by_hand_updates_the_score(client, member):
    acme = ClientFactory(firm=member.firm, name="Acme")
    today = member.firm.today()  # days late are counted in the firm's time zone
    response = client.post(
        reverse("evidence_log", args=[acme.pk, "invoice"]),
        {
            "number": "F-1",
            "issued_on": (today - dt.timedelta(days=60)).isoformat(),
            "due_on": (today - dt.timedelta(days=45)).isoformat(),
            "amount": "500",
            "currency": "EUR",
            "fx_rate": "1",
            "reminders_sent": "3",
            "discount_given": "0",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("client_detail", args=[acme.pk])).content.decode()
    assert "Paid 1 of 1 invoice late, on average 45 days late; 1 still unpaid; chased 3 times" in html


def test_invoice_due_before_issue_is_refused_with_the_field_named(client, member):
    acme = ClientFactory(firm=member.firm)
    response = client.post(
        reverse("evidence_log", args=[acme.pk, "invoice"]),
        {
            "number": "F-2",
            "issued_on": "2026-05-10",
            "due_on": "2026-05-01",
            "amount": "abc",
            "currency": "EUR",
            "fx_rate": "1",
            "reminders_sent": "0",
            "discount_given": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "An invoice cannot fall due before it is issued." in html
    assert "Enter a number." in html
    assert not Invoice.objects.exists()


def test_cancelled_meeting_needs_the_time_of_cancellation_w4(client, member):
    acme = ClientFactory(firm=member.firm)
    response = client.post(
        reverse("evidence_log", args=[acme.pk, "meeting"]),
        {
            "starts_at": "2026-05-10T10:00",
            "ends_at": "2026-05-10T11:00",
            "status": "cancelled_by_client",
            "minutes_late": "0",
        },
    )
    assert "Say when the meeting was cancelled" in response.content.decode()


def test_incident_records_who_logged_it(client, member):
    acme = ClientFactory(firm=member.firm)
    client.post(
        reverse("evidence_log", args=[acme.pk, "incident"]),
        {"kind": "disrespect", "occurred_on": "2026-05-10", "hours_lost": "0", "note": "Shouted at Ana"},
    )
    assert Incident.objects.get(client=acme).logged_by == member.user


def test_unknown_evidence_kind_and_sign_are_404_not_500(client, member):
    acme = ClientFactory(firm=member.firm)
    assert client.get(reverse("evidence_log", args=[acme.pk, "rumour"])).status_code == 404
    assert client.get(reverse("client_sign", args=[acme.pk, "W99"])).status_code == 404


def test_owner_changes_the_policy_and_staff_cannot(client, member):
    response = client.post(reverse("policy"), policy_post(W7_poor="60"))
    assert response.status_code == 302
    member.firm.policy.refresh_from_db()
    assert member.firm.policy.signs["W7"]["poor"] == 60.0
    assert member.firm.policy.dealbreakers == [{"type": "overdue_invoice", "days": 60}]
    staff = MembershipFactory(firm=member.firm, staff=True)
    client.force_login(staff.user)
    response = client.post(reverse("policy"), policy_post(W7_poor="80"), follow=True)
    assert "Only owners and partners can change the policy." in response.content.decode()
    member.firm.policy.refresh_from_db()
    assert member.firm.policy.signs["W7"]["poor"] == 60.0


def test_owner_sets_notice_in_working_days_and_retention_on_the_policy_page(client, member):
    response = client.post(
        reverse("policy"),
        policy_post(notice_days="10", notice_business_days="on", retention_days="60", case_approvals="2"),
    )
    assert response.status_code == 302
    policy = member.firm.policy
    policy.refresh_from_db()
    assert (policy.notice_days, policy.notice_business_days, policy.retention_days, policy.case_approvals) == (
        10,
        True,
        60,
        2,
    )
    response = client.post(reverse("policy"), policy_post(accounting_retention_years="0"))
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()


def test_policy_with_poor_below_concerning_is_refused(client, member):
    response = client.post(reverse("policy"), policy_post(W7_poor="10"))
    assert response.status_code == 200
    assert "W7: the poor threshold must be above the concerning one." in response.content.decode()


def policy_post(**overrides):
    from parting.signs.catalogue import SIGNS

    data = {
        "window_months": "12",
        "talk_below": "70",
        "part_below": "45",
        "case_approvals": "1",
        "cooling_off_hours": "48",
        "notice_days": "14",
        "retention_days": "30",
        "accounting_retention_years": "5",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-0-type": "overdue_invoice",
        "rules-0-days": "60",
    }
    for sign in SIGNS:
        data.update(
            {
                f"{sign.id}_enabled": "on",
                f"{sign.id}_weight": str(sign.weight),
                f"{sign.id}_concerning": str(sign.concerning),
                f"{sign.id}_poor": str(sign.poor),
            }
        )
    data.update(overrides)
    return data


def test_hebrew_member_gets_right_to_left_pages(client, member):
    client.post(reverse("language"), {"language": "he", "next": "/"})
    member.refresh_from_db()
    assert member.language == "he"
    html = client.get(reverse("dashboard")).content.decode()
    assert re.search(r'<html lang="he" dir="rtl">', html)


def test_language_switch_refuses_an_outside_redirect(client, member):
    response = client.post(reverse("language"), {"language": "pl", "next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard")


def test_owner_sets_working_hours_focus_and_target_rate(client, member):
    from parting.firms.models import Service, WorkingDay

    response = client.post(
        reverse("firm_settings"),
        {
            "name": "Renamed",
            "time_zone": "Asia/Jerusalem",
            "currency": "ILS",
            "target_hourly_rate": "350",
            "new_services": "Payroll\nTax returns",
            "letterhead": "1 Herzl Street, Tel Aviv\n+972 3 555 0101",
            "email": "office@renamed.example",
            "paper": "us-letter",
            "days-TOTAL_FORMS": "1",
            "days-INITIAL_FORMS": "0",
            "days-0-weekday": "6",
            "days-0-starts": "08:00",
            "days-0-ends": "16:00",
        },
    )
    assert response.status_code == 302
    member.firm.refresh_from_db()
    assert (member.firm.time_zone, member.firm.currency) == ("Asia/Jerusalem", "ILS")
    assert (member.firm.paper, member.firm.email) == ("us-letter", "office@renamed.example")  # for letters
    assert member.firm.letterhead.splitlines() == ["1 Herzl Street, Tel Aviv", "+972 3 555 0101"]
    assert set(Service.objects.filter(firm=member.firm).values_list("name", flat=True)) == {"Payroll", "Tax returns"}
    assert WorkingDay.objects.filter(firm=member.firm, weekday=6).exists()


def test_unknown_time_zone_is_refused_and_staff_cannot_open_firm_settings(client, member):
    response = client.post(
        reverse("firm_settings"),
        {
            "name": "X",
            "time_zone": "Mars/Olympus",
            "currency": "eur",
            "target_hourly_rate": "0",
            "days-TOTAL_FORMS": "0",
            "days-INITIAL_FORMS": "0",
        },
    )
    html = response.content.decode()
    assert "Mars/Olympus is not a known time zone" in html
    assert "Use a three-letter ISO 4217 code" in html
    staff = MembershipFactory(firm=member.firm, staff=True)
    client.force_login(staff.user)
    assert client.get(reverse("firm_settings")).status_code == 403


def test_prepaid_amount_smaller_than_the_currencys_unit_is_refused(client, member):
    firm = member.firm
    firm.currency = "JPY"
    firm.save()
    response = client.post(
        reverse("client_create"),
        {
            "name": "Tanaka KK",
            "status": "active",
            "payment_terms_days": "14",
            "prepaid_amount": "1000.40",
            **{
                f"{p}-{k}": "0"
                for p in ("contacts", "grants", "work", "logins")
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )
    assert response.status_code == 200
    assert "JPY has no amounts smaller than 1." in response.content.decode()
    assert not Client.objects.filter(name="Tanaka KK").exists()


def test_dashboard_table_shows_fifty_clients_a_page_and_the_next_page_goes_on(client, member):
    """A large firm's table stays one screen of work per page (bench/pages.py): 50 rows, then page 2."""
    from parting.web.views.dashboard import TABLE_PAGE

    assert TABLE_PAGE == 50
    ClientFactory.create_batch(51, firm=member.firm)
    first = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true").content.decode()
    second = client.get(reverse("dashboard"), {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    row_links = re.compile(r'<td><a href="/clients/(\d+)/">')
    assert len(row_links.findall(first)) == 50
    assert len(row_links.findall(second)) == 1
    assert not set(row_links.findall(first)) & set(row_links.findall(second))
