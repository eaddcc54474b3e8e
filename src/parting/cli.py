"""The ``parting`` command: a thin front to the management commands.

``parting demo``, ``parting serve``, ``parting worker``, ``parting score``, ``parting firm`` and every
Django command (``parting migrate``, ``parting createsuperuser`` …) run through here.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parting.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "parting"
    if len(args) == 1:
        args.append("help")
    try:
        execute_from_command_line(args)
    except BrokenPipeError:  # `parting score | head`: the reader left; not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)


if __name__ == "__main__":
    main()
