"""The child process that reads an .xls, .ods or .xlsb workbook into CSV (``workbook.write_csv_calamine``).

``python -m parting.imports.calamine_child LIMIT MEMORY_MB CPU_SECONDS CHANNEL``: the workbook on
standard input, its sheet's CSV to standard output (``LIMIT`` rows, 0 for all), one JSON object a
line on the descriptor ``CHANNEL`` (``{"sheets": n, "name": …}``, ``{"progress": share}``,
``{"refused": code, "detail": …}``, ``{"done": true}``). Before calamine is loaded the process limits
its address space to ``MEMORY_MB`` and its CPU time to ``CPU_SECONDS``: a workbook that declares a
grid larger than that fails here, not in the server or worker that asked. Django is not set up:
nothing here is translated (the parent says the refusal in the member's language).
"""

from __future__ import annotations

import json
import os
import sys


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time where the system has such limits (Linux; macOS
    keeps the CPU one; elsewhere the workbook is read without them)."""
    try:
        import resource
    except ImportError:  # Windows
        return
    for which, value in ((getattr(resource, "RLIMIT_AS", None), memory_mb << 20), (resource.RLIMIT_CPU, cpu_seconds)):
        if which is None:
            continue
        try:
            _soft, hard = resource.getrlimit(which)
            resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
        except (ValueError, OSError):
            pass


def main(argv: list[str]) -> int:
    limit, memory_mb, cpu_seconds, channel_fd = (int(value) for value in argv[1:5])
    _limit(memory_mb, cpu_seconds)
    from parting.imports.workbook import Refused, calamine_csv

    with os.fdopen(channel_fd, "w", encoding="utf-8", buffering=1) as channel:

        def tell(**message) -> None:
            channel.write(json.dumps(message) + "\n")

        source = open(0, "rb", closefd=False)  # noqa: SIM115 - the descriptors the parent gave
        source.seek(0)  # the whole file, wherever the parent's reading left the descriptor
        out = open(1, "wb", buffering=0, closefd=False)  # noqa: SIM115
        try:
            calamine_csv(source, out, tell, limit or None)
        except Refused as refused:
            tell(refused=refused.code, detail=refused.detail)
        except MemoryError:
            tell(refused="memory")
        else:
            tell(done=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
