"""The production environment docs/deployment.md gives passes Django's deployment check.

The environment is read from the document itself, so the page and the settings cannot drift apart.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT = ROOT / "docs" / "deployment.md"


def documented_environment() -> dict[str, str]:
    """The variables of the first fenced block under the "Production environment" heading."""
    text = DEPLOYMENT.read_text()
    section = text.split("\n## Production environment\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.DOTALL).group(1)
    pairs = [line.split("=", 1) for line in block.splitlines() if line.strip() and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def deploy_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """``parting check --deploy`` in a fresh process with only ``env`` (and a data directory of its own)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("PARTING_", "DJANGO_"))}
    clean.update(env, PARTING_DATA_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-m", "parting.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_the_documented_block_sets_what_a_server_behind_tls_needs():
    env = documented_environment()
    for name in ("PARTING_ALLOWED_HOSTS", "PARTING_SECURE_COOKIES", "PARTING_BEHIND_PROXY", "PARTING_SSL_REDIRECT"):
        assert name in env
    assert int(env["PARTING_HSTS_SECONDS"]) >= 31536000


def test_the_documented_production_environment_passes_the_deployment_check(tmp_path):
    result = deploy_check(documented_environment(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_without_the_https_variables_the_check_names_what_is_missing(tmp_path):
    env = documented_environment()
    for name in ("PARTING_SSL_REDIRECT", "PARTING_HSTS_SECONDS"):
        env.pop(name)
    result = deploy_check(env, tmp_path)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_the_deployment_check_warns_while_links_would_use_the_development_address(tmp_path):
    """Digest e-mails and the client's handover link start with PARTING_BASE_URL (O4)."""
    env = documented_environment()
    env.pop("PARTING_BASE_URL")
    result = deploy_check(env, tmp_path)
    assert result.returncode != 0
    assert "parting.W001" in result.stderr and "parting.W002" in result.stderr


def test_the_deployment_check_warns_when_the_base_url_names_another_host(tmp_path):
    env = {**documented_environment(), "PARTING_BASE_URL": "https://elsewhere.example.com"}
    result = deploy_check(env, tmp_path)
    assert result.returncode != 0
    assert "parting.W002" in result.stderr and "parting.W001" not in result.stderr
