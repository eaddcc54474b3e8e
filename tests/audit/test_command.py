"""``parting audit verify``: exit 0 with a count when every firm's log is whole, exit 1 naming the
first bad entry — id, action, time and what is wrong — when one is not."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parting.audit.models import AuditEntry
from parting.cli import summary
from tests.audit.conftest import record_some
from tests.factories import FirmFactory, MembershipFactory


def verify(*args) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_an_intact_log_exits_0_with_the_number_of_entries(firm, member):
    record_some(firm, member.user, n=3)
    empty = FirmFactory(slug="empty")
    output = verify()
    assert f"{firm.slug}: intact, 3 entries" in output
    assert f"{empty.slug}: intact, 0 entries" in output


def test_a_broken_log_exits_1_with_the_first_bad_entry(firm, member):
    entries = record_some(firm, member.user, n=3)
    AuditEntry.objects.filter(pk__in=[entries[1].pk, entries[2].pk]).update(data={"n": 7})
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", stdout=out)
    assert raised.value.returncode == 1
    line = out.getvalue()
    assert f"{firm.slug}: BROKEN at entry {entries[1].pk} (case.opened at {entries[1].at.isoformat()})" in line
    assert "changed after it was written" in line
    assert f"entry {entries[2].pk}" not in line  # the first bad entry, not every one


def test_firm_chooses_one_firm_and_another_firms_break_does_not_fail_it(firm, member):
    other = FirmFactory(slug="other")
    broken = record_some(other, MembershipFactory(firm=other).user, n=2)
    AuditEntry.objects.filter(pk=broken[0].pk).update(target="case:999")
    record_some(firm, member.user, n=1)
    assert verify("--firm", firm.slug).strip() == f"{firm.slug}: intact, 1 entry"
    with pytest.raises(CommandError):
        verify("--firm", "other")


def test_a_deleted_tail_fails_the_command(firm, member, django_capture_on_commit_callbacks):
    entries = record_some(firm, member.user, n=2, committed=django_capture_on_commit_callbacks)
    gone = entries[-1].pk
    entries[-1].delete()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=out)
    assert f"BROKEN at entry {gone}: the journal recorded" in out.getvalue()


def test_an_unknown_firm_is_refused(db):
    with pytest.raises(CommandError, match="no firm has this name"):
        verify("--firm", "nobody")


def test_parting_help_lists_the_command_in_one_line():
    assert (
        summary("parting.core", "audit") == "Check that the audit log is whole: no entry changed, inserted or removed."
    )
