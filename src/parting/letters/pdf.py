"""PDF through Typst: the document goes in as JSON through ``sys.inputs`` and the template places each
value as text, so a name like ``#set page(...)`` or ``<b>`` prints as written. Fonts are Typst's
embedded ones (Libertinus Serif: Latin with Polish and Romanian letters, Cyrillic and Hebrew), so the
PDF looks the same on every machine; Hebrew is laid out right to left.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from functools import cache
from pathlib import Path

import typst

TEMPLATES = Path(__file__).parent / "templates" / "letters"
_lock = threading.Lock()


@cache
def _compiler(name: str) -> typst.Compiler:
    """One compiler per template, kept warm: fonts and the parsed template are loaded once per process."""
    return typst.Compiler(str(TEMPLATES / name), root=str(TEMPLATES), ignore_system_fonts=True)


def render_pdf(data: dict, *, template: str = "letter.typ", when: dt.datetime | None = None) -> bytes:
    """Compile ``template`` with ``data`` (plain values, JSON-serialisable) into PDF bytes."""
    payload = json.dumps(data, ensure_ascii=False)
    with _lock:
        return _compiler(template).compile(
            sys_inputs={"letter": payload}, timestamp=when or dt.datetime.now(dt.UTC).replace(microsecond=0)
        )
