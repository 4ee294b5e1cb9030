"""Measure how much each type step shortens a handout, to set ``handouts.fitting.LENGTH_RATIO``.

    .venv/bin/python benchmarks/fit_calibration.py [--paper letter --paper a4] [--fallback-english]

Lays out every state × language × paper of the repository's content at every step and prints,
for each pair of steps (j, k), the least ratio length(k) / length(j) over layouts that overflow
at j and the greatest over all. Run it after changing the fitting steps or the layout in the
stylesheet, then set LENGTH_RATIO a little wider than what it prints. A handout whose catalog
lacks an entry is skipped, unless ``--fallback-english`` sets the English there instead (to
calibrate new steps before the catalogs are translated again; lengths then lean English).
"""

from __future__ import annotations

import argparse
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handouts.catalogs import Lookup, load_lookup  # noqa: E402
from handouts.errors import CatalogError  # noqa: E402
from handouts.languages import LANGUAGES  # noqa: E402
from handouts.loader import load_project  # noqa: E402
from handouts.pdf import lay_out, pages_used  # noqa: E402
from handouts.render import FIT_STEPS, MAX_PAGES, render_html  # noqa: E402


class _EnglishFallback(Lookup):
    def _find(self, message: str, context: str | None) -> str:
        try:
            return super()._find(message, context)
        except CatalogError:
            return message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paper", action="append", choices=["letter", "a4"])
    parser.add_argument("--fallback-english", action="store_true")
    options = parser.parse_args()
    project = load_project(ROOT)
    lengths: list[list[float]] = []
    for paper in options.paper or ["letter", "a4"]:
        for state in project.state_codes():
            for code, language in LANGUAGES.items():
                lookup = load_lookup(ROOT, code)
                if options.fallback_english:
                    lookup = _EnglishFallback(code, lookup.catalog)
                row = []
                for step in range(FIT_STEPS):
                    try:
                        html, _ = render_html(project, state, language, lookup, paper, step)
                    except CatalogError:
                        print(paper, state, code, "skipped: catalog incomplete", flush=True)
                        break
                    used = pages_used(lay_out(html, ROOT / "templates"))
                    assert used is not None, "this WeasyPrint does not expose page boxes"
                    row.append(used)
                if len(row) == FIT_STEPS:
                    lengths.append(row)
                    print(paper, state, code, " ".join(f"{x:.3f}" for x in row), flush=True)
    for j, k in combinations(range(FIT_STEPS), 2):
        over = [row[k] / row[j] for row in lengths if row[j] > MAX_PAGES]
        every = [row[k] / row[j] for row in lengths]
        least = f"{min(over):.3f}" if over else "n/a (nothing overflows)"
        print(f"steps ({j}, {k}): least {least}, most {max(every):.3f}")


if __name__ == "__main__":
    main()
