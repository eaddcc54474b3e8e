"""The checklist is one form (issue 11): a member changes several tasks and saves them at once, sees
"3 of 12 tasks done", and never overwrites unseen a task someone else changed meanwhile (O1–O9, C1)."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from parting.cases.models import CaseTask
from parting.cases.services import case_notify, task_update
from parting.clients.models import AccessGrant
from tests.conftest import submitted_case, troubled_client
from tests.factories import AccessGrantFactory, MembershipFactory

Status = CaseTask.Status


class FormReader(HTMLParser):
    """What a browser would send for the form ``form_id`` as the page shows it."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "form":
            self.inside = attr.get("id") == self.form_id
        elif not self.inside or not attr.get("name"):
            if tag == "option" and self._select and "selected" in attr:
                self.data[self._select] = attr.get("value", "")
            return
        elif tag == "input" and attr.get("type") not in ("submit", "checkbox"):
            self.data[attr["name"]] = attr.get("value", "")
        elif tag == "select":
            self._select = attr["name"]
            self.data.setdefault(self._select, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None


def form_of(response, form_id="checklist-form") -> dict:
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.data, f"no form #{form_id} on the page"
    return reader.data


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def field_of(data: dict, task: CaseTask, name: str) -> str:
    """The name of ``task``'s field ``name`` in the form (rows are numbered in the page's order)."""
    (prefix,) = [key[: -len("-id")] for key, value in data.items() if key.endswith("-id") and value == str(task.pk)]
    return f"{prefix}-{name}"


@pytest.fixture
def notified_case(team, approved_case):
    case_notify(case=approved_case, by=team["staff"], on=dt.date(2026, 12, 1))
    return approved_case


@pytest.fixture
def staff_client(client, team):
    client.force_login(team["staff"])
    return client


def page(member_client, case):
    return member_client.get(reverse("case_detail", args=[case.pk]))


def save(member_client, case, data):
    return member_client.post(reverse("case_detail", args=[case.pk]), data, follow=True)


def test_several_tasks_are_saved_at_once_with_one_press(staff_client, notified_case):
    data = form_of(page(staff_client, notified_case))
    conversation = notified_case.tasks.get(kind="conversation")
    letter = notified_case.tasks.get(kind="letter")
    data[field_of(data, conversation, "status")] = "done"
    data[field_of(data, conversation, "notes")] = "Called on Monday"
    data[field_of(data, letter, "status")] = "done"
    response = save(staff_client, notified_case, data)
    assert "2 tasks saved." in text(response)
    conversation.refresh_from_db()
    letter.refresh_from_db()
    assert (conversation.status, conversation.notes, letter.status) == ("done", "Called on Monday", "done")
    assert (conversation.version, letter.version) == (1, 1)
    untouched = notified_case.tasks.exclude(pk__in=[conversation.pk, letter.pk])
    assert set(untouched.values_list("version", flat=True)) == {0}  # rows not changed are not written


def test_the_progress_counts_done_tasks_of_those_needed(staff_client, team, notified_case):
    tasks = list(notified_case.tasks.all())
    assert len(tasks) > 3
    assert f"0 of {len(tasks)} tasks done" in text(page(staff_client, notified_case))
    for task in notified_case.tasks.filter(kind__in=["conversation", "letter"]):
        task_update(task=task, by=team["staff"], status=Status.DONE)
    assert f"2 of {len(tasks)} tasks done" in text(page(staff_client, notified_case))
    optional = notified_case.tasks.get(kind="billing")
    CaseTask.objects.filter(pk=optional.pk).update(required=False)  # only an optional task can be "not needed"
    task_update(task=optional, by=team["staff"], status=Status.SKIPPED)
    assert f"2 of {len(tasks) - 1} tasks done" in text(page(staff_client, notified_case))  # not needed: not counted


def test_the_progress_says_task_for_one_and_tasks_for_more(staff_client, team, notified_case):
    keep = notified_case.tasks.get(kind="conversation")
    notified_case.tasks.exclude(pk=keep.pk).delete()
    assert "0 of 1 task done" in text(page(staff_client, notified_case))
    task_update(task=keep, by=team["staff"], status=Status.DONE)
    assert "1 of 1 task done" in text(page(staff_client, notified_case))


def test_a_task_someone_else_changed_since_the_page_was_loaded_is_not_overwritten(
    client, staff_client, team, notified_case
):
    data = form_of(page(staff_client, notified_case))
    task = notified_case.tasks.get(kind="conversation")
    # Meanwhile the partner marks it done with a note.
    task_update(task=task, by=team["partner"], status=Status.DONE, notes="Partner called them")
    data[field_of(data, task, "notes")] = "Staff will call"
    other = notified_case.tasks.get(kind="letter")
    data[field_of(data, other, "notes")] = "Draft ready"
    response = save(staff_client, notified_case, data)
    page_text = text(response)
    assert "Someone else changed this task after you opened the page: it is now Done." in page_text
    assert "The checklist was not saved" in page_text
    task.refresh_from_db()
    other.refresh_from_db()
    assert (task.status, task.notes) == ("done", "Partner called them")
    assert other.notes == ""  # one transaction: nothing of the batch was saved
    # The member's entry is still on the page; saving again, having seen the change, goes through.
    again = form_of(response)
    assert again[field_of(again, task, "notes")] == "Staff will call"
    assert again[field_of(again, task, "version")] == str(task.version)
    response = save(staff_client, notified_case, again)
    task.refresh_from_db()
    other.refresh_from_db()
    assert (task.status, task.notes, other.notes) == ("done", "Staff will call", "Draft ready")


def test_a_task_changed_by_someone_else_but_not_by_me_does_not_stop_my_save(staff_client, team, notified_case):
    data = form_of(page(staff_client, notified_case))
    theirs = notified_case.tasks.get(kind="conversation")
    task_update(task=theirs, by=team["partner"], notes="Partner's note")
    mine = notified_case.tasks.get(kind="letter")
    data[field_of(data, mine, "notes")] = "Draft ready"
    response = save(staff_client, notified_case, data)
    assert "1 task saved." in text(response)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.notes, mine.notes) == ("Partner's note", "Draft ready")


def test_bad_input_is_a_form_error_on_its_row_not_a_server_error(staff_client, notified_case):
    data = form_of(page(staff_client, notified_case))
    task = notified_case.tasks.get(kind="conversation")
    data[field_of(data, task, "status")] = "finished"
    data[field_of(data, task, "notes")] = "x" * 5000
    response = staff_client.post(reverse("case_detail", args=[notified_case.pk]), data)
    assert response.status_code == 200
    row = re.search(rf'<tr [^>]*id="task-{task.pk}".*?</tr>', response.content.decode(), re.S).group(0)
    assert "Select a valid choice." in row
    assert 'aria-describedby="' in row and 'aria-invalid="true"' in row
    described = re.search(r'aria-describedby="([^"]+)"', row).group(1)
    assert f'id="{described}"' in row  # the errors the control points at are on the page
    task.refresh_from_db()
    assert (task.status, task.notes) == ("open", "")


def test_a_rule_refusal_names_its_task_and_saves_nothing(staff_client, notified_case):
    data = form_of(page(staff_client, notified_case))
    required = notified_case.tasks.get(kind="files")
    letter = notified_case.tasks.get(kind="letter")
    data[field_of(data, required, "status")] = "skipped"
    data[field_of(data, letter, "status")] = "done"
    response = staff_client.post(reverse("case_detail", args=[notified_case.pk]), data)
    row = re.search(rf'<tr [^>]*id="task-{required.pk}".*?</tr>', response.content.decode(), re.S).group(0)
    assert "A required task cannot be skipped" in row
    letter.refresh_from_db()
    assert letter.status == "open"


def test_another_firms_task_in_the_form_is_refused(staff_client, notified_case):
    stranger = MembershipFactory(partner=True)
    theirs_client, incident = troubled_client(stranger.firm, name="Their client")
    AccessGrantFactory(client=theirs_client, name="Their bank")
    from parting.cases.services import case_review

    after_cooling_off = timezone.now() + dt.timedelta(days=3)  # a firm of one approves its own case (D3)
    theirs = case_review(
        case=submitted_case(theirs_client, stranger.user, incident),
        by=stranger.user,
        decision="approve",
        now=after_cooling_off,
    )
    foreign = theirs.tasks.get(kind="access")
    data = form_of(page(staff_client, notified_case))
    mine = notified_case.tasks.get(kind="conversation")
    status = field_of(data, mine, "status")
    data[field_of(data, mine, "id")] = str(foreign.pk)
    data[status] = "done"
    response = staff_client.post(reverse("case_detail", args=[notified_case.pk]), data)
    assert response.status_code == 200
    assert "not one of the rows listed here" in text(response)
    foreign.refresh_from_db()
    assert (foreign.status, foreign.version) == ("open", 0)
    assert AccessGrant.objects.get(client=theirs_client).revoked_on is None


def test_nothing_changed_saves_nothing(staff_client, notified_case):
    response = save(staff_client, notified_case, form_of(page(staff_client, notified_case)))
    assert "Nothing on the checklist changed." in text(response)
    assert set(notified_case.tasks.values_list("version", flat=True)) == {0}


def test_the_checklist_is_read_only_before_approval_and_after_closing(staff_client, team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    assert 'id="checklist-form"' not in page(staff_client, case).content.decode()
    response = staff_client.post(reverse("case_detail", args=[case.pk]), {"tasks-TOTAL_FORMS": "0"})
    assert response.status_code == 200
