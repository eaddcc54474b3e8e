"""Settings refuse values they cannot read and keep a generated secret key (docs/configuration.md)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from parting import settings as parting_settings


@pytest.mark.parametrize(("raw", "expected"), [("yes", True), ("0", False), ("On", True), ("", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("PARTING_X", raw)
    assert parting_settings.env_bool("PARTING_X", False) is expected


def test_env_bool_refuses_a_typo_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("PARTING_DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="PARTING_DEBUG='ture'"):
        parting_settings.env_bool("PARTING_DEBUG", False)


def test_database_url_for_postgres_and_sqlite(tmp_path):
    pg = parting_settings.database_from_url("postgres://ann:s%40cret@db.local:5433/parting?sslmode=require", tmp_path)
    assert (pg["ENGINE"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "django.db.backends.postgresql",
        "ann",
        "s@cret",
        "db.local",
        "5433",
        "parting",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    default = parting_settings.database_from_url("", tmp_path)
    assert default["NAME"] == str(tmp_path / "parting.sqlite3")
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert parting_settings.database_from_url("sqlite:////var/x.sqlite3", tmp_path)["NAME"] == "/var/x.sqlite3"


def test_database_url_with_an_unknown_scheme_is_refused(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="sqlite:// or postgres://"):
        parting_settings.database_from_url("mysql://x/y", tmp_path)


def test_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("PARTING_SECRET_KEY", raising=False)
    monkeypatch.setattr(parting_settings, "DATA_DIR", tmp_path)
    first = parting_settings.load_secret_key()
    assert len(first) > 40
    assert parting_settings.load_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_debug_is_off_and_hosts_are_local_by_default():
    assert parting_settings.DEBUG is False
    assert parting_settings.ALLOWED_HOSTS == ["127.0.0.1", "localhost"]
