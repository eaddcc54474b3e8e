import datetime as dt
import os

import pytest
from hypothesis import settings as hypothesis_settings

from parting.cases.services import case_open, case_reason_add, case_review, case_submit
from parting.evidence.models import Incident
from tests.factories import ClientFactory, FirmFactory, IncidentFactory, InvoiceFactory, MembershipFactory

# Property tests draw the same examples on every run (derandomize): CI and a developer's machine then
# see the same inputs, and a run never fails on an input no one can replay. Exploring new inputs is a
# deliberate act: HYPOTHESIS_PROFILE=explore runs them with fresh randomness (docs/testing.md).
hypothesis_settings.register_profile("parting", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "parting"))

AS_OF = dt.date(2026, 6, 30)

# One clock (issue 9): PARTING_TEST_FROZEN_AT=2026-12-03T23:30:00Z runs the whole suite with the clock
# started at that moment (and ticking). At 23:30 UTC the Warsaw test firm is already a day ahead, so a
# test that mixes the machine's or UTC's date with the firm's fails. See docs/testing.md.
FROZEN_AT = os.environ.get("PARTING_TEST_FROZEN_AT", "").strip()
_traveller = None


def pytest_configure(config):
    global _traveller
    if FROZEN_AT and _traveller is None:
        import time_machine

        moment = dt.datetime.fromisoformat(FROZEN_AT.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise pytest.UsageError("PARTING_TEST_FROZEN_AT needs a UTC offset, e.g. 2026-12-03T23:30:00Z")
        _traveller = time_machine.travel(moment, tick=True)
        _traveller.start()


def pytest_unconfigure(config):
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


@pytest.fixture(autouse=True)
def _audit_journal_of_its_own(settings, tmp_path):
    """Each test journals its audit entries in a file of its own: test databases reuse firm and entry
    ids, so a shared journal would hold another test's hashes and fail a later check."""
    settings.AUDIT_JOURNAL_FILE = str(tmp_path / "audit_journal")


@pytest.fixture(autouse=True)
def _default_language_and_zone_after_each_test():
    """A page served in Hebrew leaves Hebrew active in the thread (the middleware activates the
    member's language and zone): every test starts from the defaults, whatever ran before it."""
    yield
    from django.utils import timezone, translation

    translation.deactivate()
    timezone.deactivate()


def pytest_report_header(config):
    return f"clock frozen at {FROZEN_AT} (PARTING_TEST_FROZEN_AT), ticking" if FROZEN_AT else None


@pytest.fixture
def firm(db):
    return FirmFactory()


@pytest.fixture
def client_row(firm):
    return ClientFactory(firm=firm, name="Acme")


@pytest.fixture
def owner(firm):
    return MembershipFactory(firm=firm, user__username="olga")


@pytest.fixture
def team(firm):
    return {
        "owner": MembershipFactory(firm=firm).user,
        "partner": MembershipFactory(firm=firm, partner=True).user,
        "staff": MembershipFactory(firm=firm, staff=True).user,
    }


def troubled_client(firm, name="Trouble Ltd"):
    """Three invoices paid late over weeks (W7) and a disrespect incident (W15): a pattern, not one incident."""
    client = ClientFactory(firm=firm, name=name)
    today = firm.today()  # the firm's day (Europe/Warsaw), not the machine's or UTC's
    for n in range(3):
        InvoiceFactory(
            client=client,
            issued_on=today - dt.timedelta(days=80),
            due_on=today - dt.timedelta(days=60 - n),
            paid_on=today - dt.timedelta(days=10),
            amount_paid=1000,
        )
    incident = IncidentFactory(client=client, kind=Incident.Kind.DISRESPECT, occurred_on=today - dt.timedelta(days=5))
    return client, incident


@pytest.fixture
def client_in_trouble(firm):
    return troubled_client(firm)


def submitted_case(client, by, incident, **kwargs):
    case = case_open(client=client, by=by, **kwargs)
    case_reason_add(case=case, by=by, sign_id="W7")
    case_reason_add(case=case, by=by, sign_id="W15")
    case_reason_add(case=case, by=by, text="Shouted at Ana on the phone", evidence=[("incident", incident.pk)])
    return case_submit(case=case, by=by)


@pytest.fixture
def approved_case(team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    return case_review(case=case, by=team["partner"], decision="approve")
