"""How fast `sheets serve` shows an edit (not part of the test run).

    .venv/bin/python benchmarks/serve.py [--state CO] [--lang en] [--edits 6]

Copies the repository's content to a temporary folder, starts the live preview on it (the
watcher thread polling every 0.1 s, as `sheets serve` does), waits for the first build, then
saves an edited English claim ``--edits`` times, alternating two wordings. For each save it
reports the time from the save to the new web edition and to the new PDF being served, and
the medians at the end. The first build is reported apart: it loads fonts and compiles the
templates once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The start of a claim of sheets/CO.yaml, and a second wording of it (no new number or date).
ORIGINAL = "Colorado Medicaid says it cannot promise that ICE will not see"
EDITED = "Colorado Medicaid says it cannot promise that ICE will never see"


def _wait(predicate: object, timeout: float = 60.0) -> float:
    start = time.perf_counter()
    while not predicate():  # type: ignore[operator]
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the preview did not update")
        time.sleep(0.005)
    return time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default="CO")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--edits", type=int, default=6)
    args = parser.parse_args()

    from handouts.serve import Preview

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("sheets", "translations", "templates"):
            shutil.copytree(ROOT / name, root / name)
        sheet = root / "sheets" / f"{args.state}.yaml"
        text = " ".join(sheet.read_text(encoding="utf-8").split())
        if ORIGINAL not in text:
            raise SystemExit(f"the benchmark's claim is not in {sheet.name}; update ORIGINAL")
        start = time.perf_counter()
        preview = Preview(root, args.state, args.lang, dt.date(2026, 12, 3))
        _wait(lambda: preview.snapshot.pdf_version > 0)
        print(f"first build: {time.perf_counter() - start:.2f} s "
              f"(web {preview.timing.web * 1000:.0f} ms, PDF {preview.timing.pdf * 1000:.0f} ms)")
        web_times, pdf_times = [], []
        for edit in range(args.edits):
            old, new = (ORIGINAL, EDITED) if edit % 2 == 0 else (EDITED, ORIGINAL)
            content = sheet.read_text(encoding="utf-8")
            web, pdf = preview.snapshot.web_version, preview.snapshot.pdf_version
            saved = time.perf_counter()
            sheet.write_text(content.replace(old, new, 1), encoding="utf-8")
            web_at = _wait(lambda web=web: preview.snapshot.web_version > web)
            pdf_at = _wait(lambda pdf=pdf: preview.snapshot.pdf_version > pdf)
            web_times.append(web_at - saved)
            pdf_times.append(pdf_at - saved)
            errors = [p for p in preview.snapshot.problems if p.severity == "error"]
            print(f"edit {edit + 1}: web edition after {web_times[-1] * 1000:.0f} ms, "
                  f"PDF after {pdf_times[-1] * 1000:.0f} ms ({len(errors)} error(s))")
        preview.stop()
        print(f"median: web edition {statistics.median(web_times) * 1000:.0f} ms, "
              f"PDF {statistics.median(pdf_times) * 1000:.0f} ms (save to served, "
              f"{args.state} {args.lang}, poll 0.1 s)")


if __name__ == "__main__":
    main()
