"""Benchmark the pipeline on the repository's content (not part of the test run).

    .venv/bin/python benchmarks/run.py [--repeat N]

Reports medians of: `sheets check` on all content (in process), rendering one handout's HTML,
our PDF step, and WeasyPrint alone on the same HTML (the floor our overhead is measured against).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_seconds(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    import weasyprint

    from handouts.catalogs import load_lookup
    from handouts.check import check_project
    from handouts.languages import LANGUAGES
    from handouts.loader import load_project
    from handouts.pdf import write_pdf
    from handouts.render import render_html

    imports = time.perf_counter() - start
    project = load_project(ROOT)
    today = max(c.checked for c in project.all_claims)
    rows = [("import (weasyprint + package)", imports)]
    rows.append(("check, all states and languages", median_seconds(
        lambda: check_project(ROOT, None, list(LANGUAGES), today), args.repeat)))
    for lang in LANGUAGES:
        lookup = load_lookup(ROOT, lang)
        html, _ = render_html(project, "CO", LANGUAGES[lang], lookup)
        rows.append((f"render HTML, CO {lang}", median_seconds(
            lambda lookup=lookup, lang=lang: render_html(project, "CO", LANGUAGES[lang], lookup),
            args.repeat)))
        rows.append((f"PDF (ours), CO {lang}", median_seconds(
            lambda html=html: write_pdf(html, ROOT / "templates"), args.repeat)))
        rows.append((f"PDF (WeasyPrint floor), CO {lang}", median_seconds(
            lambda html=html: weasyprint.HTML(
                string=html, base_url=str(ROOT / "templates") + "/").write_pdf(),
            args.repeat)))
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
