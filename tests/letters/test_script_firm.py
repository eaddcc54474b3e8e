"""`parting script` acts in the firm --firm or $PARTING_FIRM names, like `letter`, `case` and `score`:
a member of several firms chooses, an unknown firm is a one-line error."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parting.letters.management.commands.script import Command as ScriptCommand
from tests.factories import FirmFactory, MembershipFactory


@pytest.fixture
def member_of_two_firms(letter_case, team):
    """The case's staff member also works for a second firm."""
    MembershipFactory(user=team["staff"], firm=FirmFactory(slug="second"), staff=True)
    return team["staff"]


def test_parting_script_asks_a_member_of_two_firms_which_one(letter_case, member_of_two_firms, tmp_path):
    with pytest.raises(CommandError, match="several firms"):
        call_command(
            "script", str(letter_case.pk), "-o", str(tmp_path / "x.txt"), "--user", member_of_two_firms.username
        )


def test_parting_script_acts_in_the_firm_given_by_firm(letter_case, member_of_two_firms, tmp_path):
    out = tmp_path / "script.txt"
    call_command(
        "script",
        str(letter_case.pk),
        "-o",
        str(out),
        "--user",
        member_of_two_firms.username,
        "--firm",
        letter_case.firm.slug,
        stdout=io.StringIO(),
    )
    assert out.read_text().strip()
    with pytest.raises(CommandError, match=f"No case {letter_case.pk} in"):  # the case is not the second firm's
        call_command(
            "script", str(letter_case.pk), "-o", str(out), "--user", member_of_two_firms.username, "--firm", "second"
        )


def test_parting_script_reads_the_firm_from_parting_firm(letter_case, member_of_two_firms, tmp_path, monkeypatch):
    monkeypatch.setenv("PARTING_FIRM", letter_case.firm.slug)
    out = tmp_path / "script.txt"
    call_command(
        "script", str(letter_case.pk), "-o", str(out), "--user", member_of_two_firms.username, stdout=io.StringIO()
    )
    assert out.read_text().strip()


def test_parting_script_with_an_unknown_firm_fails_with_one_line(letter_case, team, tmp_path, capsys):
    argv = ["parting", "script", str(letter_case.pk), "-o", str(tmp_path / "x.txt")]
    argv += ["--user", team["staff"].username, "--firm", "nowhere"]
    with pytest.raises(SystemExit) as exit_:
        ScriptCommand().run_from_argv(argv)
    assert exit_.value.code != 0
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "nowhere" in error
    assert not (tmp_path / "x.txt").exists()
