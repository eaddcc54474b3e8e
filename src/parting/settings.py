"""Parting's settings: one module, configured through ``PARTING_*`` environment variables.

Every variable is documented with its default in docs/configuration.md. The helpers below refuse
values they cannot read instead of guessing, so a typo fails at start-up, not in production.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected true/false, yes/no, on/off or 1/0")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None


def env_int_at_least(name: str, default: int, minimum: int) -> int:
    value = env_int(name, default)
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={os.environ.get(name)!r}: expected at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str, data_dir: Path) -> dict:
    """Turn ``PARTING_DATABASE_URL`` into a Django DATABASES entry.

    ``sqlite:///path`` (or empty: the data directory's parting.sqlite3) and
    ``postgres://user:password@host:port/name`` are understood.
    """
    if not url:
        return sqlite_database(data_dir / "parting.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if path in ("", "/"):
            raise ImproperlyConfigured(
                f"PARTING_DATABASE_URL={url!r}: a SQLite URL needs a file, e.g. sqlite:////var/parting/db.sqlite3"
            )
        return sqlite_database(Path(path[1:] if path.startswith("//") else path))
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "parting",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("PARTING_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": options.pop("test_name", None)},
        }
    raise ImproperlyConfigured(f"PARTING_DATABASE_URL={url!r}: the scheme must be sqlite:// or postgres://")


def sqlite_database(path: Path) -> dict:
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write
    # lock up front, so two writers wait on busy_timeout instead of failing with "database is locked".
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATA_DIR = Path(env_str("PARTING_DATA_DIR", str(Path.home() / ".local" / "share" / "parting"))).expanduser()
# The largest upload the Import page takes in one request (issue 10 §7).
IMPORT_MAX_BYTES = env_int_at_least("PARTING_IMPORT_MAX_MB", 200, 1) * 1024 * 1024
# What the child process that reads an .xls, .ods or .xlsb workbook may take (imports/workbook.py).
WORKBOOK_MEMORY_MB = env_int_at_least("PARTING_WORKBOOK_MEMORY_MB", 1024, 256)
# The largest client document (issue 13 §1), one file.
DOCUMENT_MAX_BYTES = env_int_at_least("PARTING_DOCUMENT_MAX_MB", 25, 1) * 1024 * 1024
# Handover bundles (issue 13 §2): built within the request while the client's documents add up to at
# most this many megabytes, else by the worker; the download link shared with the client opens for
# this many days (docs/configuration.md).
BUNDLE_INLINE_MAX_BYTES = env_int_at_least("PARTING_BUNDLE_INLINE_MAX_MB", 20, 0) * 1024 * 1024
BUNDLE_LINK_DAYS = env_int_at_least("PARTING_BUNDLE_LINK_DAYS", 30, 1)
# Webhooks (issue 15 §3): attempts per delivery before it is marked failed, and seconds a receiver has to answer.
PARTING_WEBHOOK_MAX_ATTEMPTS = env_int_at_least("PARTING_WEBHOOK_MAX_ATTEMPTS", 6, 1)
PARTING_WEBHOOK_TIMEOUT_SECONDS = env_int_at_least("PARTING_WEBHOOK_TIMEOUT_SECONDS", 10, 1)
# Off by default: a webhook is never delivered to a loopback, private, link-local or reserved address
# (a firm's URL must not reach the server's own network: databases, cloud metadata). On for an
# install whose receivers live on the internal network (docs/webhooks.md).
PARTING_WEBHOOK_ALLOW_PRIVATE = env_bool("PARTING_WEBHOOK_ALLOW_PRIVATE", False)
# Stored scores (issue 12): a firm is re-scored this many seconds after its last change (debounce),
# and a firm with up to this many clients is re-scored within the page request after a change.
PARTING_SCORE_DEBOUNCE_SECONDS = env_int_at_least("PARTING_SCORE_DEBOUNCE_SECONDS", 5, 0)
PARTING_SCORE_SYNC_CLIENTS = env_int_at_least("PARTING_SCORE_SYNC_CLIENTS", 300, 0)
# Alerts (issue 12 §3): the digest e-mail of the day (or week) before is sent from this hour of the
# firm's day, and links to client pages start with the base URL the members reach Parting at.
PARTING_ALERT_DIGEST_HOUR = env_int_at_least("PARTING_ALERT_DIGEST_HOUR", 7, 0)
if PARTING_ALERT_DIGEST_HOUR > 23:
    raise ImproperlyConfigured(f"PARTING_ALERT_DIGEST_HOUR={PARTING_ALERT_DIGEST_HOUR}: expected an hour from 0 to 23")
PARTING_BASE_URL = env_str("PARTING_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if not PARTING_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"PARTING_BASE_URL={PARTING_BASE_URL!r}: expected the address members open, e.g. https://parting.example.com"
    )
# Team (issue 15 §1): an owner's invitation link works for this many days, once.
PARTING_INVITE_DAYS = env_int_at_least("PARTING_INVITE_DAYS", 7, 1)


def load_secret_key() -> str:
    """The secret key: PARTING_SECRET_KEY, else one generated on first start and kept in DATA_DIR."""
    given = os.environ.get("PARTING_SECRET_KEY", "")
    if given:
        return given
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: if two processes start at once, exactly one writes and the other reads its key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = load_secret_key()
DEBUG = env_bool("PARTING_DEBUG", False)
ALLOWED_HOSTS = env_list("PARTING_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("PARTING_CSRF_TRUSTED_ORIGINS", [])
SECURE_COOKIES = env_bool("PARTING_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A login lasts hours, not Django's two weeks: a laptop left open in a shared office should not keep
# a firm's client records open for days.
SESSION_COOKIE_AGE = env_int_at_least("PARTING_SESSION_HOURS", 12, 1) * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
BEHIND_PROXY = env_bool("PARTING_BEHIND_PROXY", False)
if BEHIND_PROXY:
    # The proxy terminates TLS and says so in X-Forwarded-Proto; it must overwrite a value the client sent.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Redirect plain HTTP to HTTPS and tell browsers to use HTTPS only (HSTS). Off by default so that
# `parting demo` on http://127.0.0.1 works; docs/deployment.md gives the production values.
SECURE_SSL_REDIRECT = env_bool("PARTING_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int_at_least("PARTING_HSTS_SECONDS", 0, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PARTING_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("PARTING_HSTS_PRELOAD", False)

# Content-Security-Policy: only the app's own scripts and styles (htmx and Chart.js are vendored as
# static files), no inline code, no framing, forms post only to the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "csp",
    "parting.core",
    "parting.firms",
    "parting.clients",
    "parting.evidence",
    "parting.signs",
    "parting.audit",
    "parting.cases",
    "parting.letters",
    "parting.imports",
    "parting.scores",
    "parting.documents",
    "parting.retention",
    "parting.webhooks",
    "parting.api",
    "ninja",
    "parting.web",
    "parting.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parting.web.middleware.PrivateCacheMiddleware",
    "parting.web.middleware.MethodNotAllowedPageMiddleware",
    "parting.firms.middleware.FirmMiddleware",
    "parting.web.middleware.DatabaseBusyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parting.urls"
WSGI_APPLICATION = "parting.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parting.firms.context_processors.firm",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(env_str("PARTING_DATABASE_URL", ""), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "rows": the dashboard table's rendered rows, keyed by their whole content (scores.templatetags.scores
# .client_row), in each process's memory: about 3 KB a row, so 10,000 rows hold 30 MB at most.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rows": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "parting-rows",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# REST API (issue 15 §2): requests per token (per member for session calls), "<n>/<s|min|hour|day>".
PARTING_API_RATE = env_str("PARTING_API_RATE", "600/min").strip()
_count, _slash, _period = PARTING_API_RATE.partition("/")
if not (_count.isdigit() and int(_count) > 0 and _period in ("s", "sec", "m", "min", "h", "hour", "d", "day")):
    raise ImproperlyConfigured(f"PARTING_API_RATE={PARTING_API_RATE!r}: expected a rate such as 600/min")

# Failed logins (django-axes): after PARTING_LOGIN_FAILURE_LIMIT failures within the cool-off time,
# logins to that account (from anywhere) and from that address (to any account) are refused until
# PARTING_LOGIN_COOLOFF_MINUTES have passed without another failure. Counting per account stops a
# guesser who spreads over many addresses; counting per address stops one who tries many accounts.
AXES_FAILURE_LIMIT = env_int_at_least("PARTING_LOGIN_FAILURE_LIMIT", 5, 1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int_at_least("PARTING_LOGIN_COOLOFF_MINUTES", 15, 1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A successful login does not wipe the count: it would let anyone with an account reset the
# address count between guesses at someone else's password.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "parting.web.views.account.account_locked"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no start-up banner on every command's output; lockouts are still logged
# The client's address: REMOTE_ADDR, or behind a proxy the address the proxy saw (X-Forwarded-For).
AXES_CLIENT_IP_CALLABLE = "parting.web.middleware.client_ip_address"
# How many proxies in front of Parting append to X-Forwarded-For (used with PARTING_BEHIND_PROXY).
PARTING_PROXY_COUNT = env_int_at_least("PARTING_PROXY_COUNT", 1, 1)

LANGUAGE_CODE = env_str("PARTING_LANGUAGE", "en")
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("pl", _("Polish")),
    ("ro", _("Romanian")),
    ("he", _("Hebrew")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Dates name their month in every language ("3 Dec 2026, 07:26"): 12/03/2026 reads two ways.
FORMAT_MODULE_PATH = ["parting.formats"]
TIME_ZONE = "UTC"


def documents_storage(data_dir: Path) -> dict:
    """The "documents" storage (issue 13 §1): a folder in the data directory, or with
    ``PARTING_DOCUMENTS_S3_BUCKET`` an S3-compatible bucket through django-storages, which must then be
    installed. Code reaches the files only through this alias, so the switch is configuration only;
    members get them only through the download view, which checks the firm, never by a storage URL."""
    bucket = env_str("PARTING_DOCUMENTS_S3_BUCKET", "")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": env_str("PARTING_DOCUMENTS_DIR", "") or str(data_dir / "documents"),
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    options = {
        "bucket_name": bucket,
        "location": env_str("PARTING_DOCUMENTS_S3_PREFIX", "documents"),
        # Stored names are random: never overwrite, never public, never a URL handed out.
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    for option, name in (
        ("endpoint_url", "PARTING_DOCUMENTS_S3_ENDPOINT"),
        ("region_name", "PARTING_DOCUMENTS_S3_REGION"),
        ("access_key", "PARTING_DOCUMENTS_S3_ACCESS_KEY"),
        ("secret_key", "PARTING_DOCUMENTS_S3_SECRET_KEY"),
    ):
        value = env_str(name, "")
        if value:  # otherwise boto3 looks for them itself (AWS_* variables, instance roles)
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    # Django's own defaults for these two, spelled out because STORAGES replaces them all.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": documents_storage(DATA_DIR),
}

STATIC_URL = "static/"
# Whitenoise serves straight from the apps' static folders: no collectstatic step to forget.
# Set PARTING_STATIC_ROOT (and run `parting collectstatic`) to serve compressed, collected files instead.
STATIC_ROOT = env_str("PARTING_STATIC_ROOT", "") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env_str("PARTING_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("PARTING_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("PARTING_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("PARTING_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("PARTING_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PARTING_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("PARTING_EMAIL_TIMEOUT", 30)  # seconds; a hung mail server must not hang a page
DEFAULT_FROM_EMAIL = env_str("PARTING_FROM_EMAIL", "parting@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PARTING_LOG_LEVEL", "INFO")},
    # django-axes logs every failed login at INFO with housekeeping lines; failures and lockouts are
    # warnings, which is what an operator needs to see.
    "loggers": {"axes": {"level": "WARNING"}},
}
