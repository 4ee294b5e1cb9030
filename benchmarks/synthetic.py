"""Synthetic-scale benchmark: N states (copies of Colorado) × every configured language.

    .venv/bin/python benchmarks/synthetic.py [--states 50] [--jobs 2] [--repeat 3]

Measures, each as a median over --repeat runs where it is cheap enough to repeat:
- cold full build (all states × languages, Letter) with the `sheets` CLI;
- the WeasyPrint floor: the same HTML documents rendered by WeasyPrint alone, in the same number
  of processes, so the pipeline's overhead is a ratio measured in one run;
- no-op rebuild; rebuild after one catalog entry changes (one state, one language);
- `sheets check` on all of it;
- per-script render time for one handout (Latin, CJK, Arabic, Burmese) and peak memory.
Nothing here is part of the test run.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handouts.catalogs import (  # noqa: E402
    extract_messages,
    po_path,
    read_catalog,
    update_catalogs,
    write_catalog,
)
from handouts.languages import LANGUAGES, TRANSLATED  # noqa: E402
from handouts.loader import load_project  # noqa: E402


def make_project(dest: Path, states: int) -> list[str]:
    """Copy the repository's content and add states S01..Snn, each a copy of Colorado."""
    for name in ("sheets", "templates", "translations"):
        shutil.copytree(ROOT / name, dest / name)
    for other in (dest / "sheets").glob("*.yaml"):
        # Only Colorado is copied: the benchmark must not depend on other states' progress.
        if other.stem.isupper() and other.stem not in ("CO", "US"):
            other.unlink()
    source = yaml.safe_load((ROOT / "sheets/CO.yaml").read_text())
    codes = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(states)]
    codes = [c for c in codes if not (ROOT / f"sheets/{c}.yaml").exists()][:states]
    for code in codes:
        sheet = dict(source, state=code, name=f"State {code}")
        (dest / f"sheets/{code}.yaml").write_text(yaml.safe_dump(sheet, allow_unicode=True))
    project = load_project(dest)
    update_catalogs(dest, extract_messages(project), TRANSLATED)
    for lang in TRANSLATED:
        path = po_path(dest, lang)
        catalog = read_catalog(path, dest, lang)
        for message in catalog:
            if message.context and (not message.string or message.fuzzy):
                # Reuse Colorado's translation of the same claim (or name) for the copies.
                _code, _, rest = message.context.partition("/")
                original = catalog.get(message.id if rest != "name" else "Colorado",
                                       context=f"CO/{rest}")
                if original is not None and original.string:
                    message.string = original.string
                    message.flags.discard("fuzzy")
        write_catalog(path, catalog)
    return codes


def run(args: list[str], root: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run([str(ROOT / ".venv/bin/sheets"), *args, "--root", str(root)],
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(result.stderr)
    return elapsed


def _floor_render(html: str) -> None:
    from weasyprint import HTML

    HTML(string=html, base_url=str(ROOT / "templates") + "/").write_pdf()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--states", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        codes = make_project(root, options.states)
        project = load_project(root)
        today = max(c.checked for c in project.all_claims).isoformat()
        count = len(project.state_codes()) * len(LANGUAGES)
        build = ["build", "--all", "-j", str(options.jobs), "--today", today]
        rows: list[tuple[str, float]] = []
        rows.append((f"cold full build, {count} handouts", run(build, root)))
        rows.append(("no-op rebuild", statistics.median(
            run(build, root) for _ in range(options.repeat))))
        path = po_path(root, "es")
        catalog = read_catalog(path, root, "es")
        next(m for m in catalog if m.context == f"{codes[0]}/name").string = "Estado editado"
        write_catalog(path, catalog)
        rows.append(("rebuild after one catalog entry changed", run(build, root)))
        rows.append(("sheets check (CLI, all)", statistics.median(
            run(["check", "--today", today], root) for _ in range(options.repeat))))

        from handouts.catalogs import load_lookup
        from handouts.render import render_html

        htmls = []
        for state in project.state_codes():
            for code, language in LANGUAGES.items():
                html, _ = render_html(project, state, language, load_lookup(root, code))
                htmls.append(html)
        start = time.perf_counter()
        with ProcessPoolExecutor(options.jobs) as pool:
            list(pool.map(_floor_render, htmls, chunksize=8))
        floor = time.perf_counter() - start
        rows.append((f"WeasyPrint floor, same {len(htmls)} documents, {options.jobs} processes",
                     floor))
        for lang in ("en", "zh_Hans", "ar", "my"):
            html, _ = render_html(project, "CO", LANGUAGES[lang], load_lookup(root, lang))
            rows.append((f"one handout, WeasyPrint only, {lang}", statistics.median(
                _timed(_floor_render, html) for _ in range(options.repeat))))
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:8.2f} s")
    print(f"{'overhead ratio (cold build / floor)':<{width}}  {rows[0][1] / floor:8.2f}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{'peak memory of one build process':<{width}}  {peak:8.0f} MB")


def _timed(func: object, *args: object) -> float:
    start = time.perf_counter()
    func(*args)  # type: ignore[operator]
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
