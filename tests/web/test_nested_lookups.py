"""Every URL with a nested id looks the inner row up inside the outer one, not only inside the firm.

The outer lookup (the client or the case in the URL) is checked elsewhere; here the outer object is
always the member's own, and the inner id names a row that is not under it: another firm's row, or a
row of a different client (case) of the same firm. Each must be a 404 on GET and POST, and the row
must come out unchanged — an evidence form saved through the wrong URL would otherwise *move* the row
to the client in the URL (the form sets the client and the firm from the URL).

Each group has a control — the same request on the member's own row succeeds — so a 404 here means the
lookup refused, not that the POST was malformed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parting.cases.models import CaseTask, InvoiceWriteOff, OffboardingCase, ReferralProvider
from parting.cases.services import CaseError, case_reason_add, invoice_write_off
from parting.clients.models import Client
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, TimeEntry
from parting.letters.models import Letter, LetterVersion
from tests.factories import (
    ClientFactory,
    ClientRequestFactory,
    FirmFactory,
    IncidentFactory,
    InvoiceFactory,
    MeetingFactory,
    MembershipFactory,
    MessageFactory,
    TimeEntryFactory,
)

State = OffboardingCase.State

# kind -> (model, factory, a valid form POST that changes the row)
KINDS = {
    "invoice": (
        Invoice,
        InvoiceFactory,
        {
            "number": "HIJACKED-1",
            "issued_on": "2026-02-01",
            "due_on": "2026-02-15",
            "amount": "1.00",
            "currency": "EUR",
            "fx_rate": "1",
            "reminders_sent": "0",
            "discount_given": "0",
        },
    ),
    "meeting": (
        Meeting,
        MeetingFactory,
        {
            "subject": "Hijacked",
            "starts_at": "2026-02-02T10:00",
            "ends_at": "2026-02-02T11:00",
            "status": "held",
            "minutes_late": "0",
        },
    ),
    "message": (
        Message,
        MessageFactory,
        {"sent_at": "2026-02-02T10:00", "channel": "email", "direction": "in", "summary": "Hijacked"},
    ),
    "request": (
        ClientRequest,
        ClientRequestFactory,
        {"description": "Hijacked", "requested_on": "2026-02-01", "due_on": "2026-02-10"},
    ),
    "incident": (
        Incident,
        IncidentFactory,
        {"kind": "other", "occurred_on": "2026-02-05", "hours_lost": "0", "note": "Hijacked"},
    ),
    "time": (
        TimeEntry,
        TimeEntryFactory,
        {"date": "2026-02-05", "hours": "7.00", "billable": "on", "note": "Hijacked"},
    ),
}
KIND_NAMES = sorted(KINDS)


def snapshot(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


@pytest.fixture
def world(db):
    """Our firm with two clients (ours, sibling) and another firm with one; one row of every kind each."""
    ours, theirs = FirmFactory(name="Ours"), FirmFactory(name="Theirs")
    me = MembershipFactory(firm=ours, user__username="me").user
    MembershipFactory(firm=theirs, user__username="them")
    own = ClientFactory(firm=ours, name="Own Client")
    sibling = ClientFactory(firm=ours, name="Sibling Client")
    foreign = ClientFactory(firm=theirs, name="Their Client")
    rows = {
        who: {kind: factory(client=client) for kind, (_m, factory, _p) in KINDS.items()}
        for who, client in (("own", own), ("sibling", sibling), ("foreign", foreign))
    }
    return {"me": me, "ours": ours, "theirs": theirs, "own": own, "sibling": sibling, "foreign": foreign, "rows": rows}


@pytest.fixture
def me_client(client, world):
    client.force_login(world["me"])
    return client


# -- evidence: clients/<pk>/log/<kind>/<item>/ and .../delete/ -----------------------------------


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_own_row_is_editable_through_own_client_url_control(me_client, world, kind):
    """The control for the tests below: the POST data is valid and does change a row."""
    model, _factory, post = KINDS[kind]
    row = world["rows"]["own"][kind]
    before = snapshot(model, row.pk)
    response = me_client.post(reverse("evidence_edit", args=[world["own"].pk, kind, row.pk]), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert snapshot(model, row.pk) != before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("owner", ["foreign", "sibling"])
@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_row_not_of_own_client_cannot_be_edited_through_own_client_url(me_client, world, kind, owner, method):
    """Own client URL + another firm's row, or a same-firm row of another client: 404, row unchanged."""
    model, _factory, post = KINDS[kind]
    row = world["rows"][owner][kind]
    before = snapshot(model, row.pk)
    url = reverse("evidence_edit", args=[world["own"].pk, kind, row.pk])
    response = me_client.post(url, post) if method == "post" else me_client.get(url)
    assert response.status_code == 404
    assert snapshot(model, row.pk) == before
    if method == "get":
        assert str(row) not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("owner", ["foreign", "sibling"])
@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_row_not_of_own_client_cannot_be_deleted_through_own_client_url(me_client, world, kind, owner, method):
    model, _factory, _post = KINDS[kind]
    row = world["rows"][owner][kind]
    before = snapshot(model, row.pk)
    url = reverse("evidence_delete", args=[world["own"].pk, kind, row.pk])
    response = me_client.post(url) if method == "post" else me_client.get(url)
    assert response.status_code == 404
    assert snapshot(model, row.pk) == before


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_own_row_is_deleted_through_own_client_url_control(me_client, world, kind):
    model, _factory, _post = KINDS[kind]
    row = world["rows"]["own"][kind]
    assert me_client.get(reverse("evidence_delete", args=[world["own"].pk, kind, row.pk])).status_code == 200
    assert me_client.post(reverse("evidence_delete", args=[world["own"].pk, kind, row.pk])).status_code == 302
    assert not model.objects.filter(pk=row.pk).exists()


# -- clients/<pk>/signs/<sign_id>/: the rows behind a sign ------------------------------------

SIGN_OF_KIND = {"invoice": "W7", "meeting": "W4", "message": "W2", "request": "W1", "incident": "W5", "time": "W13"}


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_sign_page_lists_only_the_rows_of_the_client_in_the_url(me_client, world, kind):
    """W1–W15 pages link every row they read; rows of another client or firm are never among them."""
    ours = world["ours"]
    _model, factory, _post = KINDS[kind]
    today = ours.today()
    dated = {
        "invoice": {"issued_on": today - dt.timedelta(days=40), "due_on": today - dt.timedelta(days=20)},
        "meeting": {
            "starts_at": dt.datetime.combine(today - dt.timedelta(days=3), dt.time(8), dt.UTC),
            "status": Meeting.Status.NO_SHOW,
        },
        "message": {"sent_at": dt.datetime.combine(today - dt.timedelta(days=3), dt.time(8), dt.UTC)},
        "request": {"requested_on": today - dt.timedelta(days=20), "due_on": today - dt.timedelta(days=10)},
        "incident": {"occurred_on": today - dt.timedelta(days=3), "kind": Incident.Kind.REWORK},
        "time": {"date": today - dt.timedelta(days=3)},
    }[kind]
    rows = {who: factory(client=world[who], **dated) for who in ("own", "sibling", "foreign")}
    page = me_client.get(reverse("client_sign", args=[world["own"].pk, SIGN_OF_KIND[kind]])).content.decode()
    own_pk = world["own"].pk
    assert reverse("evidence_edit", args=[own_pk, kind, rows["own"].pk]) in page
    for who in ("sibling", "foreign"):
        assert reverse("evidence_edit", args=[own_pk, kind, rows[who].pk]) not in page, who


# -- cases/<pk>/tasks/<task>/ ------------------------------------------------------------------


def live_case(client, by) -> OffboardingCase:
    case = OffboardingCase.objects.create(firm=client.firm, client=client, opened_by=by, state=State.APPROVED)
    CaseTask.objects.create(
        case=case, kind="custom", key="1", params={"title": "Return the files"}, due_on=dt.date(2026, 1, 9), owner=by
    )
    return case


@pytest.fixture
def cases(world):
    them = Client.objects.get(pk=world["foreign"].pk).firm.memberships.get().user
    return {
        "own": live_case(world["own"], world["me"]),
        "sibling": live_case(world["sibling"], world["me"]),
        "foreign": live_case(world["foreign"], them),
    }


def task_post(task, status="done", notes="Hijacked"):
    return {f"task{task.pk}-status": status, f"task{task.pk}-notes": notes, f"task{task.pk}-owner": ""}


def test_own_task_is_updated_through_own_case_url_control(me_client, cases):
    task = cases["own"].tasks.get()
    response = me_client.post(reverse("case_task", args=[cases["own"].pk, task.pk]), task_post(task))
    assert response.status_code == 302
    assert CaseTask.objects.get(pk=task.pk).notes == "Hijacked"


@pytest.mark.parametrize("owner", ["foreign", "sibling"])
def test_a_task_of_another_case_cannot_be_updated_through_own_case_url(me_client, cases, owner):
    """Own case URL + another firm's task, or a task of another case of the same firm: 404, unchanged."""
    task = cases[owner].tasks.get()
    before = snapshot(CaseTask, task.pk)
    response = me_client.post(reverse("case_task", args=[cases["own"].pk, task.pk]), task_post(task))
    assert response.status_code == 404
    assert snapshot(CaseTask, task.pk) == before
    assert me_client.get(reverse("case_task", args=[cases["own"].pk, task.pk])).status_code in (404, 405)


# -- cases/<pk>/letter/<lang>.<fmt> ----------------------------------------------------------


def letter_with(case, by, *, lang="en", numbers=(1,)):
    letter = Letter.objects.create(case=case, lang=lang)
    for n in numbers:
        LetterVersion.objects.create(
            letter=letter,
            number=n,
            subject=f"Case {case.pk} v{n}",
            body=f"Text of case {case.pk}",
            source="edited",
            by=by,
        )
    return letter


@pytest.mark.parametrize("owner", ["foreign", "sibling"])
def test_another_cases_letter_is_not_downloaded_through_own_case_url(me_client, world, cases, owner):
    """Own case with no English letter; another case has one: own case's en.docx is a 404, not theirs."""
    letter_with(cases[owner], cases[owner].opened_by)
    for fmt in ("docx", "eml", "pdf"):
        assert me_client.get(reverse("letter_download", args=[cases["own"].pk, "en", fmt])).status_code == 404


@pytest.mark.parametrize("owner", ["foreign", "sibling"])
def test_another_letters_version_is_not_downloaded_through_own_case_url(me_client, world, cases, owner):
    """Own letter has version 1 only; ?v=2 exists only on another case's letter: 404."""
    letter_with(cases["own"], world["me"], numbers=(1,))
    letter_with(cases[owner], cases[owner].opened_by, numbers=(1, 2))
    url = reverse("letter_download", args=[cases["own"].pk, "en", "docx"])
    assert me_client.get(url, {"v": "2"}).status_code == 404
    control = me_client.get(url, {"v": "1"})
    assert control.status_code == 200 and control.content[:2] == b"PK"


# -- referrals/<item>/ -----------------------------------------------------------------------


def test_another_firms_referral_provider_cannot_be_read_edited_or_removed(me_client, world):
    theirs = ReferralProvider.objects.create(firm=world["theirs"], name="Their Partner", contact="x@their.example")
    own = ReferralProvider.objects.create(firm=world["ours"], name="Our Partner", contact="x@our.example")
    before = snapshot(ReferralProvider, theirs.pk)
    url = reverse("referral_edit", args=[theirs.pk])
    assert me_client.get(url).status_code == 404
    assert me_client.post(url, {"name": "Hijacked", "contact": "evil@example.com"}).status_code == 404
    assert me_client.post(url, {"delete": "1"}).status_code == 404
    assert snapshot(ReferralProvider, theirs.pk) == before
    # control: the same requests on our own provider work
    own_url = reverse("referral_edit", args=[own.pk])
    assert me_client.get(own_url).status_code == 200
    assert me_client.post(own_url, {"delete": "1"}).status_code == 302
    assert not ReferralProvider.objects.filter(pk=own.pk).exists()


# -- ids inside a POST: a case's reason evidence and write-offs (D8, D10) -----------------------


@pytest.mark.parametrize("owner", ["foreign", "sibling"])
@pytest.mark.parametrize("kind", KIND_NAMES)
def test_d8_a_written_reason_cannot_point_at_a_row_of_another_client(world, kind, owner):
    case = OffboardingCase.objects.create(firm=world["ours"], client=world["own"], opened_by=world["me"])
    row = world["rows"][owner][kind]
    with pytest.raises(CaseError, match="is not a record of this client"):
        case_reason_add(case=case, by=world["me"], text="Pattern of trouble", evidence=[(kind, row.pk)])
    assert not case.reasons.exists()
    # control: the own row of the same kind is accepted
    case_reason_add(
        case=case, by=world["me"], text="Pattern of trouble", evidence=[(kind, world["rows"]["own"][kind].pk)]
    )
    assert case.reasons.count() == 1


@pytest.mark.parametrize("owner", ["foreign", "sibling"])
def test_d10_an_invoice_of_another_client_cannot_be_written_off_on_own_case(world, cases, owner):
    invoice = world["rows"][owner]["invoice"]
    with pytest.raises(CaseError, match="is not an invoice of this client"):
        invoice_write_off(case=cases["own"], by=world["me"], invoice_id=invoice.pk, reason="Not worth chasing")
    assert not InvoiceWriteOff.objects.exists()
    # control: the own unpaid invoice can be written off
    invoice_write_off(case=cases["own"], by=world["me"], invoice_id=world["rows"]["own"]["invoice"].pk, reason="Small")
    assert InvoiceWriteOff.objects.count() == 1
