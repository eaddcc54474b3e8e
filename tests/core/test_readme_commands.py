"""The README's commands for a real firm work on an empty data directory, as a newcomer runs them:
the database is brought up to date first, never "no such table: auth_user"."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_command(prefix: str) -> list[str]:
    """The first `parting …` command in the README that starts with ``prefix``, as argv."""
    for found in re.findall(r"`(parting [^`]+)`", README.read_text()):
        if found.startswith(prefix):
            return shlex.split(found)
    raise AssertionError(f"README.md no longer shows `{prefix} …`")


def parting(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PARTING_", "DJANGO_SETTINGS"))}
    env |= {"PARTING_DATA_DIR": str(data_dir), "PARTING_SECRET_KEY": "readme-test"}
    return subprocess.run(  # noqa: S603 — an argument list, no shell: the README's own command
        [sys.executable, "-m", "parting.cli", *args[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def empty_data_dir(tmp_path) -> Path:
    data = tmp_path / "parting-data"
    data.mkdir()
    return data


def test_the_readme_firm_create_command_works_on_an_empty_data_directory(empty_data_dir):
    create = readme_command("parting firm create")
    done = parting(create, empty_data_dir)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Bringing the database up to date" in done.stderr
    assert "Owner me of “My Firm”" in done.stdout
    assert (empty_data_dir / "parting.sqlite3").exists()

    # Then the command line works on the new firm: the score (no clients yet) and a case refused politely.
    score = parting(["parting", "score"], empty_data_dir)
    assert score.returncode == 0, score.stderr
    assert "Bringing the database up to date" not in score.stderr  # already up to date: nothing to say
    opened = parting(["parting", "case", "open", "--client", "Nobody"], empty_data_dir)
    assert opened.returncode == 1 and "Traceback" not in opened.stderr
    assert opened.stderr.strip().count("\n") == 0  # one line that says what is wrong


def test_the_worker_on_an_empty_data_directory_says_in_one_line_what_to_run(empty_data_dir):
    done = parting(["parting", "worker", "--once"], empty_data_dir)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "run `parting migrate`" in done.stderr
