"""The audit page (issue 13 §5): owners and partners read the firm's log, newest first, filtered by
action, by who acted (as recorded) and by the firm's days, 50 entries a page. Staff may not; another
firm's entries never show. The URL name is "audit"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from parting.audit.selectors import PAGE_SIZE
from parting.audit.services import audit_record
from tests.factories import FirmFactory, MembershipFactory


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


def rows(response) -> str:
    return response.content.decode()


def test_owner_reads_the_firms_log_and_not_another_firms(signed_in, firm, member):
    audit_record(firm=firm, actor=member.user, action="case.approved", target="case:12", data={"client": 7})
    other = FirmFactory()
    audit_record(firm=other, actor=MembershipFactory(firm=other).user, action="case.withdrawn", target="case:99")
    page = rows(signed_in.get(reverse("audit")))
    assert 'data-action="case.approved"' in page and "Olga Nowak (olga)" in page
    assert "case:12" in page and "client: 7" in page
    assert "case.withdrawn" not in page and "case:99" not in page


def test_a_partner_may_read_it_and_staff_may_not(client, firm):
    partner = MembershipFactory(firm=firm, partner=True).user
    staff = MembershipFactory(firm=firm, staff=True).user
    client.force_login(partner)
    assert client.get(reverse("audit")).status_code == 200
    client.force_login(staff)
    assert client.get(reverse("audit")).status_code == 403


def test_filter_by_action_and_by_who_acted_as_recorded(signed_in, firm, member):
    ana = MembershipFactory(firm=firm, user__username="ana").user
    audit_record(firm=firm, actor=member.user, action="case.approved", target="case:1")
    audit_record(firm=firm, actor=ana, action="case.approved", target="case:2")
    audit_record(firm=firm, actor=ana, action="policy.changed", target="policy:1")
    get_user_model().objects.filter(pk=ana.pk).delete()  # a deleted member's entries stay findable by name
    page = rows(signed_in.get(reverse("audit"), {"action": "case.approved"}))
    assert "case:1" in page and "case:2" in page and "policy:1" not in page
    page = rows(signed_in.get(reverse("audit"), {"actor": "ana"}))
    assert "case:1" not in page and "case:2" in page and "policy:1" in page
    page = rows(signed_in.get(reverse("audit"), {"action": "case.approved", "actor": "ana"}))
    assert "case:1" not in page and "case:2" in page and "policy:1" not in page


def test_dates_are_the_firms_days(signed_in, firm, member):
    # 23:30 UTC on 3 Dec is already 4 Dec in Warsaw (UTC+1, the test firm's zone); 23:30 UTC on 2 Dec is 3 Dec.
    assert firm.time_zone == "Europe/Warsaw"
    with time_machine.travel(dt.datetime(2026, 12, 2, 22, 59, tzinfo=dt.UTC), tick=False):
        audit_record(firm=firm, actor=member.user, action="case.opened", target="case:2dec-late")
    with time_machine.travel(dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC), tick=False):
        audit_record(firm=firm, actor=member.user, action="case.opened", target="case:3dec")
    with time_machine.travel(dt.datetime(2026, 12, 3, 22, 59, tzinfo=dt.UTC), tick=False):
        audit_record(firm=firm, actor=member.user, action="case.opened", target="case:3dec-late")
    with time_machine.travel(dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC), tick=False):
        audit_record(firm=firm, actor=member.user, action="case.opened", target="case:4dec")
    page = rows(signed_in.get(reverse("audit"), {"from": "2026-12-03", "to": "2026-12-03"}))
    assert "case:3dec<" in page and "case:3dec-late<" in page
    assert "case:2dec-late" not in page and "case:4dec" not in page
    page = rows(signed_in.get(reverse("audit"), {"from": "2026-12-04"}))
    assert "case:3dec" not in page and "case:4dec" in page
    assert rows(signed_in.get(reverse("audit"), {"to": "2026-12-02"})).count("data-action=") == 1


def test_a_range_that_ends_before_it_starts_says_so_and_shows_everything(signed_in, firm, member):
    audit_record(firm=firm, actor=member.user, action="case.opened", target="case:1")
    page = rows(signed_in.get(reverse("audit"), {"from": "2026-12-04", "to": "2026-12-03"}))
    assert "The end of the range is before its start." in page
    assert "case:1" in page


def test_fifty_entries_a_page_newest_first_with_older_and_newer_links(signed_in, firm, member):
    for n in range(PAGE_SIZE + 1):
        audit_record(firm=firm, actor=member.user, action="case.task_updated", target=f"case:{n}")
    first = rows(signed_in.get(reverse("audit"), {"action": "case.task_updated"}))
    assert first.count('data-action="case.task_updated"') == PAGE_SIZE
    assert f"case:{PAGE_SIZE}<" in first and "case:0<" not in first
    assert "action=case.task_updated&amp;page=2" in first
    second = rows(signed_in.get(reverse("audit"), {"action": "case.task_updated", "page": "2"}))
    assert second.count('data-action="case.task_updated"') == 1 and "case:0<" in second
    assert rows(signed_in.get(reverse("audit"), {"page": "x"})).count("data-action=") == PAGE_SIZE


def test_a_value_kept_by_its_hash_shows_the_hash(signed_in, firm, member):
    audit_record(
        firm=firm, actor=member.user, action="case.plan_overridden", target="case:1", data={"reason": "x" * 5000}
    )
    page = rows(signed_in.get(reverse("audit")))
    assert "reason: text recorded by its hash: sha256 " in page and "5,000 bytes" in page
    assert "x" * 200 not in page
