"""Mutation testing of the rule modules with mutmut 3, one module at a time, then a score per module.

    make mutate                                   # every module listed in [tool.mutmut] only_mutate
    make mutate MODULES="signs/scoring.py"        # some of them (paths under src/parting/)
    uv run --frozen python scripts/mutate.py --survivors letters/tone.py   # re-test only last run's survivors

mutmut copies src/ and tests/ to mutants/, mutates the listed modules there and runs, for each mutant, the
tests that reached the mutated function during a first, full run (cached in mutants/mutmut-stats.json).
mutmut puts mutants/src first on sys.path and removes ./src from it, so the mutated copy is what the tests
import, not the editable install of the checkout. The table counts mutmut's verdicts from its meta files
(mutants/src/parting/<module>.py.meta). How to read it: docs/testing.md, "Mutation testing".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "src/parting/"
# mutmut's exit codes (mutmut.stats.status_by_exit_code), grouped for the table.
KILLED = {1, 3, 37}  # a test failed, pytest errored, or the type checker caught it
SURVIVED = {0}
NO_TESTS = {5, 33}  # no test reaches the mutated function: as bad as surviving
SKIPPED = {34}
NOT_CHECKED = {None}
TIMEOUT = {24, -24, 152, 255, 36}
SHOWN = 40  # surviving mutants listed per module at the end


def configured_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    return [path.removeprefix(PACKAGE) for path in config["only_mutate"]]


def dotted(module: str) -> str:
    """signs/scoring.py -> parting.signs.scoring, as mutmut names the module's mutants."""
    return "parting." + module.removesuffix(".py").replace("/", ".")


def meta(module: str) -> dict[str, int | None]:
    path = ROOT / "mutants" / PACKAGE / (module + ".meta")
    if not path.exists():
        return {}
    return json.loads(path.read_text("utf-8"))["exit_code_by_key"]


def tally(codes: dict[str, int | None]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for code in codes.values():
        if code in KILLED:
            counts["killed"] += 1
        elif code in SURVIVED:
            counts["survived"] += 1
        elif code in NO_TESTS:
            counts["no tests"] += 1
        elif code in SKIPPED:
            counts["skipped"] += 1
        elif code in NOT_CHECKED:
            counts["not checked"] += 1
        elif code in TIMEOUT:
            counts["timeout"] += 1
        else:
            counts["suspicious"] += 1  # crashed or killed by a signal: look at it with `mutmut show`
    counts["mutants"] = len(codes)
    return counts


def score(counts: dict[str, int]) -> float | None:
    """Killed mutants as a share of those tested. Timeouts, suspicious and untested ones are not kills."""
    tested = counts["mutants"] - counts["skipped"] - counts["not checked"]
    return None if not tested else 100.0 * counts["killed"] / tested


def lingering(module: str) -> list[str]:
    """Mutants of ``module`` that the last run did not kill (worth a new test, or a note if equivalent)."""
    return sorted(name for name, code in meta(module).items() if code not in KILLED)


def run(module: str, max_children: int, survivors: bool) -> float | None:
    names = lingering(module) if survivors else [dotted(module) + ".*"]
    if not names:
        print(f"{module}: nothing to re-test")
        return 0.0
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut), "run", "--max-children", str(max_children), *names]
    what = f"{len(names)} survivors of the last run" if survivors else dotted(module) + ".*"
    print(f"\n=== {module}: mutmut run {what}")
    started = time.monotonic()
    finished = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 (our own venv's mutmut)
    elapsed = time.monotonic() - started
    if finished.returncode:
        print(f"mutmut stopped with exit code {finished.returncode} on {module}", file=sys.stderr)
        return None
    return elapsed


def table(modules: list[str], seconds: dict[str, float | None]) -> str:
    header = ("module", "mutants", "killed", "survived", "no tests", "timeout/suspicious", "score", "time")
    rows = [header]
    for module in modules:
        c = tally(meta(module))
        s = score(c)
        took = seconds.get(module)
        rows.append(
            (
                module,
                str(c["mutants"]),
                str(c["killed"]),
                str(c["survived"]),
                str(c["no tests"]),
                f"{c['timeout']}/{c['suspicious']}",
                "-" if s is None else f"{s:.1f}%",
                "-" if took is None else f"{took / 60:.1f} min",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- a pytest plugin for mutmut's test runs (`-p scripts.mutate` in [tool.mutmut] pytest_add_cli_args) ------------


_TEST_DATABASE: str | None = None


def pytest_sessionstart(session) -> None:
    """A test database of its own for each mutant's run. The tests keep SQLite in a file of the data
    directory (tests/settings.py), and that directory is chosen once, in mutmut's main process: two
    mutants tested at once would create, fill and drop the same file, and fail each other's tests."""
    from django.db import connections

    global _TEST_DATABASE
    test = connections["default"].settings_dict.setdefault("TEST", {})
    _TEST_DATABASE = _TEST_DATABASE or test.get("NAME")  # as set by tests/settings.py, before any run renamed it
    if _TEST_DATABASE and _TEST_DATABASE != ":memory:" and connections["default"].vendor == "sqlite":
        stem, dot, suffix = str(_TEST_DATABASE).rpartition(".")
        test["NAME"] = f"{stem}-{os.getpid()}{dot}{suffix}" if dot else f"{_TEST_DATABASE}-{os.getpid()}"


def pytest_collection_modifyitems(items) -> None:
    """mutmut names a mutant's tests in no particular order: run them in the suite's order, file by
    file, the mutated module's own tests first (tests/cases/test_checks*.py, then tests/cases/, for a
    mutant of cases/checks.py). A mutant dies at its first failing test (``-x``), and a function such
    as cases.checks.case_checks is reached by some 300 tests, most of them pages and API calls that
    only pass through it: in plain suite order the tests that pin it down came after minutes of those."""
    package, module = _mutated_module(os.environ.get("MUTANT_UNDER_TEST", ""))

    def key(item):
        path = item.path.relative_to(ROOT).as_posix() if item.path.is_relative_to(ROOT) else str(item.path)
        own = path.startswith(f"tests/{package}/") if package else False
        named = own and module and item.path.name.startswith(f"test_{module}")
        return (0 if named else 1 if own else 2, path, item.location[1] or 0)

    items.sort(key=key)


def _mutated_module(mutant: str) -> tuple[str, str]:
    """parting.cases.checks.x_case_checks__mutmut_3 -> ("cases", "checks"); ("", "") otherwise."""
    parts = mutant.split(".")
    if len(parts) >= 4 and parts[0] == "parting":
        return parts[1], parts[2]
    return "", ""


def pytest_runtest_teardown(item) -> None:
    """Each test starts from the default language and time zone, as in a run of the whole suite: a page
    served in Polish leaves Polish active in the thread, and a test that ran after it in a subset would
    read Polish messages."""
    from django.utils import timezone, translation

    translation.deactivate()
    timezone.deactivate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths under src/parting/, e.g. signs/scoring.py (default: all)")
    parser.add_argument("--max-children", type=int, default=int(os.environ.get("MUTATE_JOBS", "2")))
    parser.add_argument("--survivors", action="store_true", help="re-test only the mutants the last run left alive")
    parser.add_argument("--report", action="store_true", help="print the table of the last runs, run nothing")
    args = parser.parse_args()

    known = configured_modules()
    modules = [m.removeprefix(PACKAGE) for m in args.modules] or known
    unknown = [m for m in modules if m not in known]
    if unknown:
        parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)} (known: {', '.join(known)})")

    seconds: dict[str, float | None] = {}
    failed = False
    if not args.report:
        for module in modules:
            seconds[module] = run(module, args.max_children, args.survivors)
            if seconds[module] is None:
                failed = True  # the same failure (a failing test, a broken setup) would stop every module
                break
    print()
    print(table(modules, seconds))
    for module in modules:
        left = lingering(module)
        if left:
            print(f"\n{module}: {len(left)} not killed (see one with `uv run --frozen mutmut show NAME`)")
            for name in left[:SHOWN]:
                print("   ", name)
            if len(left) > SHOWN:
                print(f"    … and {len(left) - SHOWN} more (`uv run --frozen mutmut results`)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
