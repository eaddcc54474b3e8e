"""Issue 13 §5: the audit page reads each action by a label in the reader's language. Every action
written anywhere in ``src/parting`` — found by reading every ``audit_record(...)`` call in the source —
has one in ``cases.selectors.ACTIONS``, so a new kind of entry cannot reach the page as a bare code."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest
from django.utils import translation

import parting
from parting.cases.models import OffboardingCase
from parting.cases.selectors import ACTIONS
from parting.evidence.services import EVIDENCE_AUDIT_ACTIONS

SOURCE = Path(parting.__file__).parent


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "text"`` assignments, and names imported from modules that define them."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node.value.value
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("parting."):
            path = SOURCE.joinpath(*node.module.split(".")[1:]).with_suffix(".py")
            if path.exists():
                theirs = _constants(ast.parse(path.read_text()))
                out.update(
                    {alias.asname or alias.name: theirs[alias.name] for alias in node.names if alias.name in theirs}
                )
    return out


def _transition_targets(tree: ast.Module) -> set[str]:
    """The states passed as ``to=State.X`` to ``_transition(...)``: its action is ``"case." + to``."""
    states = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_transition":
            for keyword in node.keywords:
                if keyword.arg == "to" and isinstance(keyword.value, ast.Attribute):
                    states.add(OffboardingCase.State[keyword.value.attr].value)
    return states


def _actions(node: ast.expr, tree: ast.Module, where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _actions(node.body, tree, where) | _actions(node.orelse, tree, where)
    if isinstance(node, ast.Name) and node.id in _constants(tree):
        return {_constants(tree)[node.id]}
    if isinstance(node, ast.JoinedStr) and ast.unparse(node) == "f'evidence.{action}'":
        return {f"evidence.{action}" for action in EVIDENCE_AUDIT_ACTIONS}
    if isinstance(node, ast.BinOp) and ast.unparse(node) == "'case.' + to":
        return {f"case.{state}" for state in _transition_targets(tree)}
    raise AssertionError(f"{where}: cannot tell which action {ast.unparse(node)} is; teach this test to read it")


@cache
def recorded_actions() -> dict[str, str]:
    """Every action any ``audit_record(...)`` call in the source writes, with where it is written."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record":
                where = f"{path.relative_to(SOURCE)}:{node.lineno}"
                (action,) = [k.value for k in node.keywords if k.arg == "action"]
                for name in _actions(action, tree, where):
                    found.setdefault(name, where)
    return found


def test_the_source_is_read_for_every_kind_of_entry():
    """The reader itself: an action of each family is found, so an empty list cannot pass the next test."""
    actions = recorded_actions()
    for expected in (
        "case.opened",
        "case.approved",
        "case.closed",
        "case.letter_sent",
        "firm.settings_saved",
        "evidence.deleted",
        "import.failed",
        "import.done",
        "bundle.downloaded",
        "retention.purged",
        "retention.certificate",
        "document.uploaded",
        "policy.changed",
    ):
        assert expected in actions, expected


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_recorded_action_has_a_readable_label(action):
    where = recorded_actions()[action]
    assert action in ACTIONS, f"{action} (written at {where}) has no label in cases.selectors.ACTIONS"
    with translation.override("en"):
        label = str(ACTIONS[action])
    assert label and label != action


def test_labels_are_marked_for_translation():
    """Each label is lazy (``gettext_lazy``): it is read in the language of the member reading the page,
    not fixed in the language the server started in."""
    assert all(type(label).__name__ == "__proxy__" for label in ACTIONS.values())
