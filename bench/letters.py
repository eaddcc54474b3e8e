#!/usr/bin/env python
"""Benchmark: one case's letter in each format, in a warm process — compose (the content model from
the case), PDF (Typst), DOCX (python-docx) and the e-mail (.eml, with its PDF) — per language.

Run from the project root::

    .venv/bin/python bench/letters.py              # the demo firm's approved case, 50 rounds
    .venv/bin/python bench/letters.py --rounds 200

It loads the demo firm into a temporary SQLite database, takes its approved case and, after one warm-up
round per language (fonts and the Typst template load once per process), times each step ``--rounds``
times (each round a letter that differs by one line, so no cache answers for the work), printing the median and the 95th percentile in milliseconds. The target is a PDF under 100 ms.
A benchmark reports; it never fails a build. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup() -> None:
    os.environ["PARTING_DATA_DIR"] = tempfile.mkdtemp(prefix="parting-bench-")
    os.environ.setdefault("PARTING_SECRET_KEY", "bench-only")
    os.environ.pop("PARTING_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parting.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def timed(function, rounds: int) -> tuple[float, float]:
    samples = []
    for n in range(rounds):
        start = time.perf_counter()
        function(n)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    setup()
    from parting.cases.models import OffboardingCase
    from parting.demo.builder import demo_load
    from parting.letters import content, services
    from parting.letters.phrases import LANGUAGES

    demo_load(today=dt.date.today())
    case = OffboardingCase.objects.select_related("firm", "client").get(state="approved")
    sender = case.opened_by
    print(f"Letter of case {case.pk} ({case.client.name}), {args.rounds} rounds, median / p95 in ms")
    print(f"{'lang':<5} {'compose':>15} {'pdf':>15} {'docx':>15} {'eml':>15} {'pdf bytes':>10}")
    for lang in LANGUAGES:
        subject, body = content.letter_compose(case, lang, sender=sender)
        doc = content.document(case, lang, subject=subject, body=body, sender=sender)
        for fmt in services.FORMATS:  # warm-up: fonts, template, python-docx's default document
            services.render(doc, fmt)

        def render(n: int, fmt: str, doc=doc, body=body, lang=lang) -> bytes:
            # A different letter each round: Typst memoises layout, and the same input again would only
            # measure its cache. Each round's body gains a sentence of its own.
            doc.body = f"{body}\n\nRef. {lang}-{n}-{fmt}"
            return services.render(doc, fmt)

        figures = [timed(lambda n, lang=lang: content.letter_compose(case, lang, sender=sender), args.rounds)]
        figures += [timed(lambda n, fmt=fmt: render(n, fmt), args.rounds) for fmt in services.FORMATS]
        size = len(services.render(doc, "pdf"))
        cells = " ".join(f"{median:>7.1f} / {p95:>5.1f}" for median, p95 in figures)
        print(f"{lang:<5} {cells} {size:>10,}")


if __name__ == "__main__":
    main()
