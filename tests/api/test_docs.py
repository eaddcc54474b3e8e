"""docs/api.md documents every operation of the API: an integrator reads the docs, not the code, so a
new endpoint without its section (and the rate-limit anchor docs/configuration.md links to) fails here."""

import re
from pathlib import Path

import pytest

from parting.api.tokens import token_create

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
METHODS = ("get", "post", "put", "patch", "delete")


def documented_headings(text: str) -> set[str]:
    """The operations named by headings, as "METHOD /path" (### or #### GET /api/v1/…)."""
    return {m.group(1) for m in re.finditer(r"^#{2,4} ((?:GET|POST|PUT|PATCH|DELETE) /\S+)\s*$", text, re.M)}


@pytest.fixture
def schema(client, member):
    _token, secret = token_create(membership=member, name="docs check", scope="read")
    response = client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    return response.json()


def operations(schema) -> set[str]:
    return {
        f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item if method in METHODS
    }


@pytest.mark.django_db
def test_every_operation_of_the_schema_has_a_heading_in_the_api_docs(schema):
    ops = operations(schema)
    assert len(ops) >= 50  # the schema really was read
    missing = sorted(ops - documented_headings(DOCS.read_text(encoding="utf-8")))
    assert not missing, "docs/api.md has no heading for: " + ", ".join(missing)


@pytest.mark.django_db
def test_the_api_docs_name_no_operation_the_api_does_not_have(schema):
    extra = sorted(documented_headings(DOCS.read_text(encoding="utf-8")) - operations(schema))
    assert not extra, "docs/api.md documents operations that do not exist: " + ", ".join(extra)


def test_the_rate_limits_section_the_configuration_links_to_exists():
    text = DOCS.read_text(encoding="utf-8")
    assert re.search(r"^## Rate limits\s*$", text, re.M)
    assert "api.md#rate-limits" in (DOCS.parent / "configuration.md").read_text(encoding="utf-8")


def test_a_missing_heading_is_noticed():
    """The check itself: the same text with one operation's heading taken out names it as missing."""
    text = DOCS.read_text(encoding="utf-8")
    heading = "### GET /api/v1/clients/{client_id}\n"
    assert heading in text
    assert "GET /api/v1/clients/{client_id}" not in documented_headings(text.replace(heading, "", 1))
