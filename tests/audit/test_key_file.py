"""The audit key file is created once, whole: processes starting together all read the same key,
and none reads it half written (a thread once read an empty file made by another's O_EXCL create)."""

from __future__ import annotations

import stat
import threading

from parting.audit.keys import KEY_BYTES, audit_key


def test_threads_that_create_the_key_at_once_all_get_the_same_whole_key(settings, tmp_path):
    settings.AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit_key")
    start = threading.Barrier(8)
    keys, errors = [], []

    def take():
        start.wait()
        try:
            keys.append(audit_key())
        except Exception as error:  # the test reports whatever went wrong
            errors.append(error)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(keys)) == 1 and len(keys[0]) == KEY_BYTES
    path = tmp_path / "keys" / "audit_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["audit_key"]  # no drafts left behind
