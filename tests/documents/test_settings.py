"""Where client documents are stored, configured by environment only (issue 13 §1, docs/configuration.md):
a folder in the data directory by default, an S3-compatible bucket through django-storages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from parting.settings import documents_storage

S3_VARIABLES = [
    "PARTING_DOCUMENTS_S3_BUCKET",
    "PARTING_DOCUMENTS_S3_PREFIX",
    "PARTING_DOCUMENTS_S3_ENDPOINT",
    "PARTING_DOCUMENTS_S3_REGION",
    "PARTING_DOCUMENTS_S3_ACCESS_KEY",
    "PARTING_DOCUMENTS_S3_SECRET_KEY",
    "PARTING_DOCUMENTS_DIR",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_by_default_documents_are_a_private_folder_in_the_data_directory():
    config = documents_storage(Path("/srv/parting"))
    assert config == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": "/srv/parting/documents",
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }


def test_the_folder_can_be_moved_elsewhere(monkeypatch):
    monkeypatch.setenv("PARTING_DOCUMENTS_DIR", "/mnt/big-disk/documents")
    assert documents_storage(Path("/srv/parting"))["OPTIONS"]["location"] == "/mnt/big-disk/documents"


def test_a_bucket_switches_to_s3_compatible_storage_never_public_never_overwriting(monkeypatch):
    monkeypatch.setenv("PARTING_DOCUMENTS_S3_BUCKET", "firm-documents")
    monkeypatch.setenv("PARTING_DOCUMENTS_S3_ENDPOINT", "https://s3.eu-central-003.backblazeb2.com")
    monkeypatch.setenv("PARTING_DOCUMENTS_S3_REGION", "eu-central-003")
    config = documents_storage(Path("/srv/parting"))
    assert config == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "firm-documents",
            "location": "documents",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "endpoint_url": "https://s3.eu-central-003.backblazeb2.com",
            "region_name": "eu-central-003",
        },
    }


def test_s3_keys_are_passed_only_when_given(monkeypatch):
    monkeypatch.setenv("PARTING_DOCUMENTS_S3_BUCKET", "b")
    assert "access_key" not in documents_storage(Path("/x"))["OPTIONS"]  # boto3 then finds its own
    monkeypatch.setenv("PARTING_DOCUMENTS_S3_ACCESS_KEY", "id")
    monkeypatch.setenv("PARTING_DOCUMENTS_S3_SECRET_KEY", "secret")
    monkeypatch.setenv("PARTING_DOCUMENTS_S3_PREFIX", "parting/docs")
    options = documents_storage(Path("/x"))["OPTIONS"]
    assert (options["access_key"], options["secret_key"], options["location"]) == ("id", "secret", "parting/docs")


def test_the_settings_module_defines_the_documents_alias_and_the_25_mb_default():
    from parting import settings as module

    assert module.STORAGES["documents"] == documents_storage(module.DATA_DIR)
    assert set(module.STORAGES) == {"default", "staticfiles", "documents"}
    assert settings.DOCUMENT_MAX_BYTES == 25 * 1024 * 1024
