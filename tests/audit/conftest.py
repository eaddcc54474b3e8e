"""Every audit test gets its own key and journal, so journal lines of another test's database (whose
ids may repeat) never meet this one's chain."""

import pytest

from parting.audit.keys import journal_read
from parting.audit.services import audit_record
from tests.factories import FirmFactory, MembershipFactory


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    settings.AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit_key")
    settings.AUDIT_JOURNAL_FILE = str(tmp_path / "audit_journal")
    return tmp_path


@pytest.fixture
def firm(db):
    return FirmFactory()


@pytest.fixture
def member(firm):
    return MembershipFactory(firm=firm, user__username="olga", user__first_name="Olga", user__last_name="Nowak")


def record_some(firm, actor, n=4, committed=None):
    """``n`` entries on ``firm``'s chain, each journalled as on commit when ``committed`` (pytest-django's
    django_capture_on_commit_callbacks) is given."""
    entries = []
    for i in range(n):
        if committed is None:
            entries.append(
                audit_record(firm=firm, actor=actor, action="case.opened", target=f"case:{i}", data={"n": i})
            )
        else:
            with committed(execute=True):
                entries.append(
                    audit_record(firm=firm, actor=actor, action="case.opened", target=f"case:{i}", data={"n": i})
                )
    return entries


def journalled(firm):
    return journal_read()[0].get(firm.pk, [])
