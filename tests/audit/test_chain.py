"""The audit log as proof (issue 13 §5): every way someone with only database access could rewrite
history — change, insert, remove, cut the tail, re-chain an edit — is caught by the check; deleting
a member's user, which is allowed, is not."""

from __future__ import annotations

import hashlib
import json
import os
import stat

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from parting.audit.keys import audit_key, journal_read, key_path
from parting.audit.models import AuditEntry
from parting.audit.services import (
    GENESIS,
    LARGE_VALUE_BYTES,
    _payload,
    audit_check,
    audit_record,
    audit_verify,
)
from tests.audit.conftest import journalled, record_some
from tests.factories import FirmFactory, MembershipFactory

FIELDS = ("firm_id", "actor_ref", "actor_name", "action", "target", "data", "at", "scheme")


def fields_of(entry: AuditEntry) -> dict:
    return {name: getattr(entry, name) for name in FIELDS}


def rechain_without_key(entries, *, scheme=AuditEntry.Scheme.HMAC_SHA256):
    """What someone with only database access can do after an edit: recompute every hash from there
    on with plain SHA-256 (the code is open; the key is not in the database)."""
    previous = AuditEntry.objects.filter(id__lt=entries[0].id, firm_id=entries[0].firm_id).order_by("-id").first()
    previous = previous.hash if previous else GENESIS
    for entry in entries:
        entry.refresh_from_db()
        entry.scheme = scheme
        digest = hashlib.sha256(_payload(fields_of(entry), previous)).hexdigest()
        AuditEntry.objects.filter(pk=entry.pk).update(previous_hash=previous, hash=digest, scheme=scheme)
        previous = digest


def legacy_entry(firm, actor, previous, action="case.opened", data=None):
    """An entry as Parting wrote them before issue 13: plain SHA-256 over the actor's user id."""
    from django.utils import timezone

    at = timezone.now()
    data = data or {}
    payload = json.dumps(
        [previous, firm.pk, actor.pk if actor else None, action, "case:1", data, at.isoformat()],
        sort_keys=True,
        default=str,
    )
    return AuditEntry.objects.create(
        firm=firm,
        actor=actor,
        actor_ref=actor.pk if actor else None,
        action=action,
        target="case:1",
        data=data,
        at=at,
        scheme=AuditEntry.Scheme.SHA256,
        previous_hash=previous,
        hash=hashlib.sha256(payload.encode()).hexdigest(),
    )


def test_an_untouched_log_is_intact_and_keyed(firm, member):
    entries = record_some(firm, member.user)
    assert audit_verify(firm=firm) is None
    assert {e.scheme for e in entries} == {AuditEntry.Scheme.HMAC_SHA256}
    assert entries[1].previous_hash == entries[0].hash
    # keyed: the plain SHA-256 of the same contents is not the hash
    assert entries[0].hash != hashlib.sha256(_payload(fields_of(entries[0]), GENESIS)).hexdigest()


def test_an_altered_entry_is_caught_at_that_entry(firm, member):
    entries = record_some(firm, member.user)
    AuditEntry.objects.filter(pk=entries[2].pk).update(data={"n": 99})
    problem = audit_check(firm=firm)
    assert (problem.entry_id, problem.action) == (entries[2].pk, "case.opened")
    assert "changed after it was written" in problem.what
    assert problem.at == entries[2].at


def test_an_altered_actor_name_is_caught(firm, member):
    entries = record_some(firm, member.user, n=2)
    AuditEntry.objects.filter(pk=entries[0].pk).update(actor_name="Someone Else (else)")
    assert audit_check(firm=firm).entry_id == entries[0].pk


def test_an_entry_inserted_between_two_is_caught(firm, member):
    first, *rest = record_some(firm, member.user, n=3)
    # make room after the first entry, then slip a made-up entry in, chained onto it
    for entry in reversed(rest):
        AuditEntry.objects.filter(pk=entry.pk).update(id=entry.pk + 10)
    forged = AuditEntry(
        id=first.pk + 1,
        firm=firm,
        actor_ref=member.user.pk,
        actor_name=first.actor_name,
        action="case.approved",
        target="case:0",
        data={},
        at=first.at,
        scheme=AuditEntry.Scheme.HMAC_SHA256,
        previous_hash=first.hash,
    )
    forged.hash = hashlib.sha256(_payload(fields_of(forged), first.hash)).hexdigest()
    forged.save(force_insert=True)
    problem = audit_check(firm=firm)
    assert (problem.entry_id, problem.action) == (forged.pk, "case.approved")
    assert "recomputed without the audit key" in problem.what


def test_an_unkeyed_entry_appended_after_keyed_ones_is_caught(firm, member):
    entries = record_some(firm, member.user, n=2)
    forged = legacy_entry(firm, member.user, entries[-1].hash, action="case.approved")
    problem = audit_check(firm=firm)
    assert problem.entry_id == forged.pk
    assert "hashed without the audit key after keyed entries" in problem.what


def test_a_removed_entry_is_caught_at_the_one_after_it(firm, member):
    entries = record_some(firm, member.user)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    problem = audit_check(firm=firm)
    assert problem.entry_id == entries[2].pk
    assert "does not follow the entry before it" in problem.what


def test_a_deleted_tail_is_caught_by_the_journal(firm, member, django_capture_on_commit_callbacks):
    entries = record_some(firm, member.user, committed=django_capture_on_commit_callbacks)
    assert audit_check(firm=firm) is None
    AuditEntry.objects.filter(pk__in=[entries[-2].pk, entries[-1].pk]).delete()
    # what is left is a perfect chain; only the journal outside the database knows it was longer
    problem = audit_check(firm=firm)
    assert problem.entry_id == entries[-2].pk
    assert "no longer holds it: entries were deleted" in problem.what


def test_a_whole_log_deleted_is_caught_by_the_journal(firm, member, django_capture_on_commit_callbacks):
    entries = record_some(firm, member.user, n=2, committed=django_capture_on_commit_callbacks)
    AuditEntry.objects.filter(firm=firm).delete()
    assert audit_check(firm=firm).entry_id == entries[0].pk


def test_an_edit_rechained_with_plain_sha256_is_caught(firm, member):
    entries = record_some(firm, member.user)
    AuditEntry.objects.filter(pk=entries[1].pk).update(data={"n": 99})
    rechain_without_key(entries[1:])
    problem = audit_check(firm=firm)
    assert problem.entry_id == entries[1].pk
    assert "re-chained" in problem.what


def test_an_edit_rechained_as_old_style_entries_is_caught(firm, member):
    entries = record_some(firm, member.user)
    AuditEntry.objects.filter(pk=entries[2].pk).update(data={"n": 99})
    rechain_without_key(entries[2:], scheme=AuditEntry.Scheme.SHA256)  # a perfect old-style chain from there on
    assert audit_check(firm=firm).entry_id == entries[2].pk


def test_a_whole_log_rewritten_old_style_is_caught_by_the_journal(firm, member, django_capture_on_commit_callbacks):
    entries = record_some(firm, member.user, committed=django_capture_on_commit_callbacks)
    AuditEntry.objects.filter(pk=entries[0].pk).update(data={"n": 99})
    previous = GENESIS
    for entry in entries:  # every entry recomputed with the unkeyed digest, so no keyed entry is left
        entry.refresh_from_db()
        fields = fields_of(entry) | {"scheme": AuditEntry.Scheme.SHA256}
        digest = hashlib.sha256(_payload(fields, previous)).hexdigest()
        AuditEntry.objects.filter(pk=entry.pk).update(previous_hash=previous, hash=digest, scheme=1)
        previous = digest
    problem = audit_check(firm=firm)
    assert problem.entry_id == entries[0].pk
    assert "rewritten" in problem.what


def test_deleting_a_member_who_has_entries_is_not_a_false_alarm(firm, member):
    entries = record_some(firm, member.user)
    user_id = member.user.pk
    get_user_model().objects.filter(pk=user_id).delete()
    entry = AuditEntry.objects.get(pk=entries[0].pk)
    assert entry.actor_id is None  # the link goes (SET_NULL) …
    assert (entry.actor_ref, entry.actor_name) == (user_id, "Olga Nowak (olga)")  # … what was recorded stays
    assert audit_check(firm=firm) is None


def test_renaming_a_member_keeps_the_name_written_at_the_time(firm, member):
    entries = record_some(firm, member.user, n=1)
    member.user.first_name = "Olga Renamed"
    member.user.save()
    entry = AuditEntry.objects.get(pk=entries[0].pk)
    assert entry.actor_name == "Olga Nowak (olga)"
    assert audit_check(firm=firm) is None


def test_entries_without_a_member_are_recorded_as_partings_own(firm):
    entry = audit_record(firm=firm, actor=None, action="import.done", target="import:1")
    assert (entry.actor_ref, entry.actor_name) == (None, "")
    assert audit_check(firm=firm) is None


def test_old_entries_still_verify_and_the_keyed_chain_continues_from_them(firm, member):
    first = legacy_entry(firm, member.user, GENESIS)
    second = legacy_entry(firm, None, first.hash, data={"note": "by the worker"})
    third = audit_record(firm=firm, actor=member.user, action="case.approved", target="case:1")
    assert third.previous_hash == second.hash and third.scheme == AuditEntry.Scheme.HMAC_SHA256
    assert audit_check(firm=firm) is None
    get_user_model().objects.filter(pk=member.user.pk).delete()  # the old digest used the user id: kept in actor_ref
    assert audit_check(firm=firm) is None
    AuditEntry.objects.filter(pk=first.pk).update(data={"x": 1})
    assert audit_check(firm=firm).entry_id == first.pk


def test_the_migration_keeps_each_old_entrys_actor_before_users_can_be_deleted(firm, member):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("parting.audit.migrations.0002_keyed_chain")
    old = legacy_entry(firm, member.user, GENESIS)
    AuditEntry.objects.filter(pk=old.pk).update(actor_ref=None, actor_name="")
    migration.keep_actors(apps, None)
    old.refresh_from_db()
    assert (old.actor_ref, old.actor_name) == (member.user.pk, "olga")
    assert audit_check(firm=firm) is None


def test_another_firms_broken_log_does_not_touch_this_one(firm, member, django_capture_on_commit_callbacks):
    other = FirmFactory()
    stranger = MembershipFactory(firm=other).user
    ours = record_some(firm, member.user, n=2, committed=django_capture_on_commit_callbacks)
    theirs = record_some(other, stranger, n=2, committed=django_capture_on_commit_callbacks)
    assert ours[1].previous_hash == ours[0].hash  # one chain per firm, interleaved ids or not
    AuditEntry.objects.filter(pk=theirs[1].pk).delete()
    assert audit_check(firm=firm) is None
    assert audit_check(firm=other).entry_id == theirs[1].pk


# -- large values ------------------------------------------------------------------------------


def test_a_value_at_the_limit_is_kept_and_one_byte_more_is_kept_by_its_hash(firm, member):
    at_limit = "a" * LARGE_VALUE_BYTES
    over = "é" * (LARGE_VALUE_BYTES // 2) + "a"  # 4097 bytes in UTF-8, 2049 characters
    entry = audit_record(
        firm=firm, actor=member.user, action="case.plan_overridden", target="case:1", data={"a": at_limit, "b": over}
    )
    entry.refresh_from_db()
    assert entry.data["a"] == at_limit
    assert entry.data["b"] == {"sha256": hashlib.sha256(over.encode()).hexdigest(), "bytes": LARGE_VALUE_BYTES + 1}
    assert audit_check(firm=firm) is None


def test_a_one_megabyte_reason_is_not_copied_into_the_log(firm, member):
    reason = "Late again. " * 90_000
    entry = audit_record(
        firm=firm,
        actor=member.user,
        action="case.plan_overridden",
        target="case:1",
        data={"reason": reason, "field": "x"},
    )
    entry.refresh_from_db()
    assert entry.data == {
        "reason": {"sha256": hashlib.sha256(reason.encode()).hexdigest(), "bytes": len(reason)},
        "field": "x",
    }
    assert len(json.dumps(entry.data)) < 200


def test_a_large_list_is_kept_by_the_hash_of_its_canonical_json(firm, member):
    rows = [{"id": n, "kind": "invoice"} for n in range(400)]
    entry = audit_record(firm=firm, actor=member.user, action="import.done", target="import:1", data={"rows": rows})
    canonical = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert entry.data["rows"] == {"sha256": hashlib.sha256(canonical).hexdigest(), "bytes": len(canonical)}


# -- the key and the journal -------------------------------------------------------------------


def test_the_key_is_made_on_first_use_readable_by_its_owner_only(firm, member, audit_files):
    path = key_path()
    assert not path.exists()
    audit_record(firm=firm, actor=member.user, action="case.opened", target="case:1")
    assert path.exists() and path.parent == audit_files / "keys"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(audit_key()) == 32
    assert audit_key() == audit_key()  # made once, then read


def test_the_key_file_setting_comes_from_the_environment(settings, monkeypatch, tmp_path):
    settings.AUDIT_KEY_FILE = None
    monkeypatch.setenv("PARTING_AUDIT_KEY_FILE", str(tmp_path / "elsewhere"))
    assert key_path() == tmp_path / "elsewhere"
    monkeypatch.delenv("PARTING_AUDIT_KEY_FILE")
    assert key_path() == settings.DATA_DIR / "audit_key"


def test_a_lost_key_is_reported_and_not_silently_replaced(firm, member):
    entries = record_some(firm, member.user, n=2)
    key_path().unlink()
    problem = audit_check(firm=firm)
    assert problem.entry_id == entries[0].pk and "audit key file" in problem.what
    assert not key_path().exists()  # checking never makes a new key


def test_another_key_fails_every_keyed_entry(firm, member):
    entries = record_some(firm, member.user, n=2)
    key_path().write_text("ab" * 32)
    assert audit_check(firm=firm).entry_id == entries[0].pk


def test_the_journal_gets_a_line_only_when_the_entry_commits(firm, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        audit_record(firm=firm, actor=member.user, action="case.opened", target="case:1")
        raise RuntimeError("the action failed")
    assert journalled(firm) == []
    with django_capture_on_commit_callbacks(execute=True):
        kept = audit_record(firm=firm, actor=member.user, action="case.opened", target="case:1")
    assert journalled(firm) == [(kept.pk, kept.hash)]


def test_a_line_cut_short_by_a_crash_is_ignored_and_an_edited_line_is_reported(audit_files):
    (audit_files / "audit_journal").write_text(f"1 2 {'a' * 64}\nnot a line\n3 4 {'b' * 30}")
    lines, bad = journal_read()
    assert lines == {1: [(2, "a" * 64)]}
    assert bad == [2]
