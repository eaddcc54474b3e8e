"""Test settings: the real settings module, with a throwaway data directory and fast hashing."""

import os
import tempfile

os.environ.setdefault("PARTING_DATA_DIR", tempfile.mkdtemp(prefix="parting-test-"))
os.environ.setdefault("PARTING_SECRET_KEY", "test-only-not-secret")

from parting.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]  # the test client and live server use "testserver" and 127.0.0.1

# SQLite tests use a file in the data directory, not memory: threads in the concurrency tests need
# connections of their own to one database, with the same IMMEDIATE transactions as production.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["PARTING_DATA_DIR"], "test.sqlite3")}  # noqa: F405
