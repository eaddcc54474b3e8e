"""Issue 11: a checklist is read in the reader's language, whoever generated it. Tasks keep codes and
names (the kind, the system's name, the level's code, an amount and its currency); the words are made
when the task is shown. A task a member typed keeps the member's words."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from parting.cases.checklist import task_title
from parting.cases.models import CaseTask
from parting.cases.services import case_review, task_add
from tests.conftest import submitted_case
from tests.factories import AccessGrantFactory

HEBREW = re.compile(r"[\u0590-\u05ff]")


@pytest.fixture
def hebrew_checklist(team, client_in_trouble):
    """A case approved by a partner whose pages are in Hebrew: the checklist is generated then."""
    client, incident = client_in_trouble
    AccessGrantFactory(client=client, name="Bank portal", level="view")
    case = submitted_case(client, team["staff"], incident)
    with translation.override("he"):
        case_review(case=case, by=team["partner"], decision="approve")
        task_add(case=case, by=team["partner"], title="להחזיר את המפתח למשרד", due_on=dt.date(2026, 12, 31))
    return case


def titles(case, lang: str) -> dict[str, str]:
    with translation.override(lang):
        return {task.kind: task_title(task) for task in case.tasks.all()}


def test_a_checklist_generated_in_hebrew_reads_in_english_for_an_english_reader(hebrew_checklist):
    english = titles(hebrew_checklist, "en")
    assert english["access"] == "Have the client remove our access: Bank portal (View only) (O2)"
    assert english["conversation"].startswith("Tell the client in a call or a meeting")
    generated = [title for kind, title in english.items() if kind != "custom"]
    assert not [title for title in generated if HEBREW.search(title)]


def test_the_same_checklist_reads_in_polish_for_a_polish_reader(hebrew_checklist):
    polish = titles(hebrew_checklist, "pl")
    assert polish["access"] == "Poprosić klienta o cofnięcie dostępu firmy: Bank portal (Tylko podgląd) (O2)"
    generated = [title for kind, title in polish.items() if kind != "custom"]
    assert not [title for title in generated if HEBREW.search(title)]


def test_a_task_added_by_hand_keeps_the_words_its_author_typed(hebrew_checklist):
    assert titles(hebrew_checklist, "en")["custom"] == "להחזיר את המפתח למשרד"
    assert titles(hebrew_checklist, "pl")["custom"] == "להחזיר את המפתח למשרד"


def test_the_access_task_stores_the_level_as_a_code_not_as_words(hebrew_checklist):
    task = hebrew_checklist.tasks.get(kind="access")
    assert task.params == {"name": "Bank portal", "level": "view"}


def test_an_amount_in_a_task_is_written_as_the_readers_language_writes_money():
    task = CaseTask(kind="final_invoice", params={"amount": "926122.46", "currency": "EUR"})
    with translation.override("en"):
        assert task_title(task) == "Issue the final invoice for work up to the end date: €926,122.46 (D10)"
    with translation.override("pl"):
        assert "926\u00a0122,46\u00a0€" in task_title(task)
    refund = CaseTask(kind="refund", params={"amount": "1200", "currency": "PLN", "kind": "credit"})
    with translation.override("en"):
        assert (
            task_title(refund) == "Return the prepaid share of work not done as a credit note: PLN\u00a01,200.00 (N4)"
        )


BEFORE = [("cases", "0004_casetask_version")]
AFTER = [("cases", "0005_task_params_as_codes")]


@pytest.mark.django_db(transaction=True)
def test_tasks_generated_before_keep_codes_after_the_migration_and_hand_added_ones_their_words():
    executor = MigrationExecutor(connection)
    if BEFORE[0] not in executor.loader.graph.nodes:
        pytest.skip("migrations are turned off (pytest --no-migrations, as make mutate runs the suite)")
    # Every other app at its latest migration, the cases app just before this one. An app whose latest
    # migration needs a later one of the cases app (retention needs the purged state) is left for the
    # executor to take back with it, and brought back at the end.
    graph = executor.loader.graph
    later = {node for node in graph.nodes if node[0] == "cases"} - set(graph.forwards_plan(AFTER[0]))
    others = [node for node in graph.leaf_nodes() if node[0] != "cases" and not set(graph.forwards_plan(node)) & later]
    executor.migrate(others + BEFORE)
    apps = executor.loader.project_state(others + BEFORE).apps
    Firm, Client, User = (apps.get_model(*m) for m in (("firms", "Firm"), ("clients", "Client"), ("auth", "User")))
    AccessGrant, Case, Task = (
        apps.get_model(*m) for m in (("clients", "AccessGrant"), ("cases", "OffboardingCase"), ("cases", "CaseTask"))
    )
    firm = Firm.objects.create(name="Old data", slug="old-data")
    client = Client.objects.create(firm=firm, name="Acme")
    user = User.objects.create(username="old-approver")
    case = Case.objects.create(firm=firm, client=client, opened_by=user, state="approved")
    grant = AccessGrant.objects.create(client=client, name="Bank portal", level="admin")
    day = dt.date(2026, 12, 31)
    rows = {
        # the grant still exists: its name and level are read from it
        "grant": Task.objects.create(
            case=case, kind="access", key=str(grant.pk), params={"name": "Bank portal (מנהל מערכת)"}, due_on=day
        ),
        # the grant is gone: the Hebrew words for "View only" are read back to the code
        "gone": Task.objects.create(
            case=case, kind="access", key="999999", params={"name": "Old CRM (צפייה בלבד)"}, due_on=day
        ),
        # words no language uses for a level stay as they were
        "unknown": Task.objects.create(
            case=case, kind="access", key="999998", params={"name": "Payroll (read)"}, due_on=day
        ),
        "invoice": Task.objects.create(case=case, kind="final_invoice", params={"amount": "926122.00 EUR"}, due_on=day),
        "refund": Task.objects.create(
            case=case, kind="refund", key="", params={"amount": "120.50 PLN", "kind": "credit"}, due_on=day
        ),
        "custom": Task.objects.create(
            case=case, kind="custom", key="1", params={"title": "Return the office key (מפתח)"}, due_on=day
        ),
    }

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(others + AFTER)
    apps = executor.loader.project_state(others + AFTER).apps
    Task = apps.get_model("cases", "CaseTask")
    after = {name: Task.objects.get(pk=row.pk).params for name, row in rows.items()}
    assert after == {
        "grant": {"name": "Bank portal", "level": "admin"},
        "gone": {"name": "Old CRM", "level": "view"},
        "unknown": {"name": "Payroll (read)"},
        "invoice": {"amount": "926122.00", "currency": "EUR"},
        "refund": {"amount": "120.50", "currency": "PLN", "kind": "credit"},
        "custom": {"title": "Return the office key (מפתח)"},
    }
    assert Decimal(after["invoice"]["amount"]) == Decimal("926122")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_reason_added_in_hebrew_reads_in_english_and_keeps_its_frozen_numbers(team, client_in_trouble):
    """D8 freezes a sign's value and rows when added; the words around them are the reader's."""
    from parting.cases.selectors import reasons_shown
    from parting.cases.services import case_open, case_reason_add

    client, incident = client_in_trouble
    case = case_open(client=client, by=team["staff"])
    with translation.override("he"):
        case_reason_add(case=case, by=team["staff"], sign_id="W7")
        case_reason_add(case=case, by=team["staff"], text="Shouted", evidence=[("incident", incident.pk)])
    with translation.override("en"):
        sign, written = reasons_shown(case)
        assert sign.title == "Payment trouble"
        assert sign.explanation.startswith("Paid 3 of 3 invoices late")
        assert written.rows[0]["text"] == f"Disrespect to staff {incident.occurred_on.isoformat()}"
    assert HEBREW.search(sign.snapshot["explanation"])  # as frozen, in the adder's words
    stored = case.reasons.get(sign_id="W7")
    stored.snapshot.pop("components")  # a reason kept before the numbers were: its words stand
    stored.save()
    with translation.override("en"):
        assert HEBREW.search(reasons_shown(case)[0].explanation)
