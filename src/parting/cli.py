"""The ``parting`` command: a thin front to the management commands.

``parting demo``, ``parting serve``, ``parting worker``, ``parting score``, ``parting firm`` and every
Django command (``parting migrate``, ``parting createsuperuser`` …) run through here. ``parting``,
``parting help`` and ``parting --help`` list Parting's own commands first, each with one line saying
what it does, and Django's (and its add-ons') apart below them.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections import defaultdict

PRODUCT_APPS = "parting."


def summary(app: str, name: str) -> str:
    """One line about a command: its ``summary`` if it has one, else the first sentence of its help."""
    from django.core.management import load_command_class

    try:
        command = load_command_class(app, name)
    except Exception:  # a command that cannot even load still gets listed, without a line
        return ""
    text = getattr(command, "summary", "") or " ".join(str(command.help or "").split())
    first, dot, _rest = text.partition(". ")
    return first + ("." if dot else "")


def _utility_class():
    from django.core.management import ManagementUtility, get_commands
    from django.core.management.color import color_style

    class PartingUtility(ManagementUtility):
        def main_help_text(self, commands_only=False):
            if commands_only:  # `parting help --commands`: the bare list, for shell completion
                return super().main_help_text(commands_only=True)
            style = color_style()
            commands = get_commands()
            ours = sorted(name for name, app in commands.items() if app.startswith(PRODUCT_APPS))
            width = max((len(name) for name in ours), default=0)
            lines = [
                f"Usage: {self.prog_name} <command> [options]",
                "",
                style.NOTICE("Parting's commands:"),
            ]
            lines += [f"  {name.ljust(width)}  {summary(commands[name], name)}".rstrip() for name in ours]
            lines += [
                "",
                f"Type '{self.prog_name} help <command>' for a command's options, e.g. '{self.prog_name} help demo'.",
                "",
                style.NOTICE("Django's commands (database, accounts, static files, failed logins …):"),
            ]
            others = defaultdict(list)
            for name, app in commands.items():
                if not app.startswith(PRODUCT_APPS):
                    others["django" if app == "django.core" else app.rpartition(".")[-1]].append(name)
            for app in sorted(others):
                names = f"[{app}] " + ", ".join(sorted(others[app]))
                lines += textwrap.wrap(
                    names, 100, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False
                )
            if self.settings_exception is not None:
                lines += [
                    "",
                    style.NOTICE(
                        f"Only Django's own commands are listed: the settings failed ({self.settings_exception})."
                    ),
                ]
            return "\n".join(lines)

    return PartingUtility


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parting.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "parting"
    if len(args) == 1:
        args.append("help")
    try:
        _utility_class()(args).execute()
    except BrokenPipeError:  # `parting score | head`: the reader left; not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)


if __name__ == "__main__":
    main()
