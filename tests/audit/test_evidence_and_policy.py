"""Evidence created, changed and deleted, and policy changes, are audit entries (issue 13 §5). An
evidence entry names the row and its client by id and a change by the fields changed — never their
values, which are the client's personal data and go in a purge while the log stays."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from parting.audit.models import AuditEntry
from parting.audit.services import audit_check
from parting.evidence.services import evidence_audit
from tests.factories import ClientFactory, ClientRequestFactory, FirmFactory, MembershipFactory
from tests.web.test_pages import policy_post as page_post


def policy_post(**overrides):
    """The policy page's form as a browser sends it back once the one rule in it is saved."""
    return page_post(**{"rules-INITIAL_FORMS": "1"} | overrides)


@pytest.fixture
def request_row(firm):
    return ClientRequestFactory(client=ClientFactory(firm=firm, name="Acme Secret Ltd"), description="Tax form for Ana")


def test_evidence_created_changed_and_deleted_are_each_an_entry_by_id(firm, member, request_row):
    with transaction.atomic():
        evidence_audit(firm=firm, actor=member.user, action="created", row=request_row, kind="request")
    evidence_audit(
        firm=firm,
        actor=member.user,
        action="changed",
        row=request_row,
        kind="request",
        fields=["due_on", "description"],
    )
    row_id, client_id = request_row.pk, request_row.client_id
    evidence_audit(firm=firm, actor=member.user, action="deleted", row=request_row, kind="request")
    request_row.delete()
    entries = list(AuditEntry.objects.filter(firm=firm).order_by("id"))
    assert [(e.action, e.target) for e in entries] == [
        ("evidence.created", f"request:{row_id}"),
        ("evidence.changed", f"request:{row_id}"),
        ("evidence.deleted", f"request:{row_id}"),
    ]
    assert entries[1].data == {"client": client_id, "kind": "request", "fields": ["description", "due_on"]}
    assert entries[2].data == {"client": client_id, "kind": "request"}
    stored = repr([(e.target, e.data) for e in entries])
    assert "Acme" not in stored and "Tax form" not in stored and "Ana" not in stored
    assert audit_check(firm=firm) is None


def test_another_firms_evidence_or_an_unsaved_row_is_refused(firm, member, request_row):
    other = FirmFactory()
    theirs = ClientRequestFactory(client=ClientFactory(firm=other))
    with pytest.raises(ValueError, match="saved row of this firm"):
        evidence_audit(firm=firm, actor=member.user, action="created", row=theirs, kind="request")
    request_row.delete()  # the row lost its id: record before deleting
    with pytest.raises(ValueError, match="saved row of this firm"):
        evidence_audit(firm=firm, actor=member.user, action="deleted", row=request_row, kind="request")
    with pytest.raises(ValueError, match="is not one of"):
        evidence_audit(firm=firm, actor=member.user, action="edited", row=theirs, kind="request")
    assert not AuditEntry.objects.exists()


def test_an_evidence_entry_goes_with_a_rolled_back_save(firm, member, request_row):
    with pytest.raises(RuntimeError), transaction.atomic():
        evidence_audit(firm=firm, actor=member.user, action="created", row=request_row, kind="request")
        raise RuntimeError("the save failed")
    assert not AuditEntry.objects.exists()


# -- policy (D7: the firm's decision, so who changed what is kept) --------------------------------


def test_a_policy_change_records_who_changed_which_values_from_what_to_what(client, firm, member):
    client.force_login(member.user)
    client.post(reverse("policy"), page_post())  # the page's values as they stand
    AuditEntry.objects.all().delete()
    response = client.post(reverse("policy"), policy_post(W7_poor="60", notice_days="21"))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(firm=firm, action="policy.changed")
    assert entry.actor_name == "Olga Nowak (olga)" and entry.target == f"policy:{firm.policy.pk}"
    assert entry.data["notice_days"] == {"from": 14, "to": 21}
    assert entry.data["signs"]["from"]["W7"]["poor"] != 60 and entry.data["signs"]["to"]["W7"]["poor"] == 60
    assert set(entry.data) == {"notice_days", "signs"}


def test_saving_the_policy_unchanged_or_by_staff_records_nothing(client, firm, member):
    client.force_login(member.user)
    client.post(reverse("policy"), page_post())
    before = AuditEntry.objects.filter(action="policy.changed").count()
    client.post(reverse("policy"), policy_post())
    assert AuditEntry.objects.filter(action="policy.changed").count() == before
    client.force_login(MembershipFactory(firm=firm, staff=True).user)
    client.post(reverse("policy"), policy_post(W7_poor="70"))
    assert AuditEntry.objects.filter(action="policy.changed").count() == before


def test_the_evidence_pages_record_a_logged_a_changed_and_a_deleted_row(client, firm):
    """Issue 13 §5 through the pages a member uses: logging, editing and deleting a request are each
    an entry naming the row and its client by id, the changed field by name."""
    from parting.audit.models import AuditEntry
    from parting.evidence.models import ClientRequest

    member = MembershipFactory(firm=firm).user
    client.force_login(member)
    acme = ClientFactory(firm=firm)
    url = reverse("evidence_log", args=[acme.pk, "request"])
    data = {"description": "Bank statements for May", "requested_on": "2026-06-01", "due_on": "2026-06-10"}
    assert client.post(url, data).status_code == 302
    row = ClientRequest.objects.get(client=acme)
    edit = reverse("evidence_edit", args=[acme.pk, "request", row.pk])
    assert client.post(edit, data | {"received_on": "2026-06-12"}).status_code == 302
    assert client.post(reverse("evidence_delete", args=[acme.pk, "request", row.pk])).status_code == 302
    entries = list(
        AuditEntry.objects.filter(firm=firm, action__startswith="evidence.")
        .order_by("id")
        .values_list("action", "target", "data")
    )
    assert entries == [
        ("evidence.created", f"request:{row.pk}", {"client": acme.pk, "kind": "request"}),
        ("evidence.changed", f"request:{row.pk}", {"client": acme.pk, "kind": "request", "fields": ["received_on"]}),
        ("evidence.deleted", f"request:{row.pk}", {"client": acme.pk, "kind": "request"}),
    ]
    assert "Bank statements" not in str(entries)  # values never reach the log
