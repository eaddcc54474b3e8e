"""`parting`, `parting help` and `parting --help` (issue 11): Parting's own commands come first, apart,
each with a line saying what it does; Django's follow under a heading of their own; `parting help
<command>` still prints that command's options."""

from __future__ import annotations

from pathlib import Path

import pytest

from parting.cli import main

COMMANDS_DIR = Path(__file__).resolve().parents[2] / "src" / "parting" / "core" / "management" / "commands"
PRODUCT = sorted(p.stem for p in COMMANDS_DIR.glob("*.py") if not p.stem.startswith("_"))


def run(capsys, *args: str) -> str:
    main(["parting", *args])
    return capsys.readouterr().out


@pytest.fixture(params=[(), ("help",), ("--help",), ("-h",)], ids=["bare", "help", "--help", "-h"])
def listing(request, capsys) -> str:
    return run(capsys, *request.param)


def sections(text: str) -> tuple[str, str]:
    ours, marker, django = text.partition("Django's commands")
    assert marker, text
    return ours, django


def test_product_commands_are_listed_first_each_with_a_description(listing):
    ours, _django = sections(listing)
    assert ours.index("Parting's commands:") < ours.index("  case ")
    listed = [line.split()[0] for line in ours.splitlines() if line.startswith("  ") and line.split()[0] in PRODUCT]
    assert listed == PRODUCT  # every product command, alphabetical, none left out
    for name in PRODUCT:
        line = next(line for line in ours.splitlines() if line.startswith(f"  {name} "))
        description = line[len(name) + 2 :].strip()
        assert len(description.split()) >= 4 and description.endswith("."), line
        assert len(line) <= 100, line


def test_djangos_commands_are_listed_apart_below_the_products(listing):
    ours, django = sections(listing)
    for name in ("flush", "sqlflush", "migrate", "createsuperuser", "axes_reset_username", "collectstatic"):
        assert name in django
        assert name not in ours
    for name in PRODUCT:
        assert f" {name}," not in django and not django.rstrip().endswith(f" {name}")


def test_parting_help_migrate_still_prints_migrates_options(capsys):
    out = run(capsys, "help", "migrate")
    assert out.startswith("usage: parting migrate")
    assert "--fake" in out


def test_parting_help_demo_prints_the_demos_options(capsys):
    out = run(capsys, "help", "demo")
    assert out.startswith("usage: parting demo")
    assert "--load-only" in out


def test_help_commands_still_gives_the_bare_list_for_shell_completion(capsys):
    names = run(capsys, "help", "--commands").split()
    assert names == sorted(names)
    assert {"demo", "flush", "migrate", "score"} <= set(names)
