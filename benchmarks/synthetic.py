"""Synthetic-scale benchmark: N states × every configured language, measured in one run.

    .venv/bin/python benchmarks/synthetic.py [--states 50] [--jobs 2] [--repeat 3]
                                              [--cold-repeat 1] [--json F]

The project holds the repository's real states plus synthetic ones up to N, each a copy of a
real state in turn (claims, sources and translations), so the mix of long and short handouts
is the real one. Measures, as medians over --repeat runs where they are cheap enough to repeat:
- cold full build (all states × languages, Letter) with the `sheets` CLI, and how many
  handouts needed each type step;
- the WeasyPrint floor: the final HTML of every handout rendered by WeasyPrint alone, with the
  same PDF options (PDF/UA, fixed identifier), in the same number of processes, so the
  pipeline's overhead is a ratio measured in one run (in wall time and in CPU seconds; with
  --cold-repeat N the cold build and the floor alternate N times and medians are reported).
  The floor is WeasyPrint as a script would call it, a new font configuration per document;
  a "warm floor" keeps one per process as the build's workers do, to show what that is worth;
- no-op rebuild; rebuild after one claim of one state changes; rebuild after one Spanish
  catalog entry changes;
- `sheets check` on all of it;
- per-script time for one handout (Latin, CJK, Arabic, Burmese), WeasyPrint alone and through
  the pipeline, and the peak memory of a build process.
Nothing here is part of the test run.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handouts.build import Target, _render_fitting  # noqa: E402
from handouts.catalogs import (  # noqa: E402
    extract_messages,
    load_lookup,
    po_path,
    read_catalog,
    update_catalogs,
    write_catalog,
)
from handouts.languages import LANGUAGES, TRANSLATED  # noqa: E402
from handouts.loader import load_project  # noqa: E402
from handouts.pdf import font_configuration  # noqa: E402
from handouts.render import render_html  # noqa: E402


def make_project(dest: Path, states: int) -> dict[str, str]:
    """Copy the repository's content and add synthetic states up to ``states`` in all.

    Returns each synthetic state's code with the real state it copies.
    """
    for name in ("sheets", "templates", "translations"):
        shutil.copytree(ROOT / name, dest / name)
    real = load_project(ROOT).state_codes()
    free = (f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(26 * 26))
    codes = [code for code in free if code not in real][:max(states - len(real), 0)]
    copies = {code: real[i % len(real)] for i, code in enumerate(codes)}
    for code, original in copies.items():
        sheet = yaml.safe_load((ROOT / f"sheets/{original}.yaml").read_text())
        sheet.update(state=code, name=f"State {code}")
        (dest / f"sheets/{code}.yaml").write_text(yaml.safe_dump(sheet, allow_unicode=True))
    project = load_project(dest)
    update_catalogs(dest, extract_messages(project), TRANSLATED)
    names = {code: project.states[code].name for code in real}
    for lang in TRANSLATED:
        path = po_path(dest, lang)
        catalog = read_catalog(path, dest, lang)
        for message in catalog:
            code, _, rest = (message.context or "").partition("/")
            if code in copies and (not message.string or message.fuzzy):
                # The copy's claims (and name) get the original state's translations.
                original = copies[code]
                msgid = names[original] if rest == "name" else message.id
                found = catalog.get(msgid, context=f"{original}/{rest}")
                if found is not None and found.string:
                    message.string = found.string
                    message.flags.discard("fuzzy")
        write_catalog(path, catalog)
    return copies


def sheets(args: list[str], root: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([str(ROOT / ".venv/bin/sheets"), *args, "--root", str(root)],
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(result.stderr)
    return elapsed, result.stdout


def _floor_render(html: str, warm: bool = False) -> None:
    """WeasyPrint alone, with the PDF options every handout is written with; ``warm`` keeps
    one font configuration per process (as the build does) instead of a new one per call."""
    from weasyprint import HTML

    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    HTML(string=html, base_url=str(ROOT / "templates") + "/").write_pdf(
        pdf_identifier=identifier, pdf_variant="pdf/ua-1",
        font_config=font_configuration() if warm else None)


_WARM_FLOOR = functools.partial(_floor_render, warm=True)


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process (CLI runs, their workers,
    the floor's pool)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(func: object, *args: object) -> float:
    start = time.perf_counter()
    func(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--states", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold-repeat", type=int, default=1,
                        help="cold builds and floors, alternating (medians are reported)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()
    # Bytecode as a normal install has it after its first run: with PYTHONDONTWRITEBYTECODE
    # set, every `sheets` run below would compile the package's changed modules again.
    compileall.compile_dir(ROOT / "src", quiet=1)
    rows: list[tuple[str, float, str]] = []

    def add(name: str, value: float, unit: str = "s") -> None:
        rows.append((name, value, unit))
        print(f"{name:<58} {value:9.2f} {unit}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        copies = make_project(root, options.states)
        project = load_project(root)
        today = max(c.checked for c in project.all_claims).isoformat()
        # The tools take SHEETS_TODAY as today: `--today` that day is a real build, not a
        # what-if (which would write nothing).
        os.environ["SHEETS_TODAY"] = today
        count = len(project.state_codes()) * len(LANGUAGES)
        build = ["build", "--all", "-j", str(options.jobs), "--today", today]
        # Cold build and floor alternate, --cold-repeat times each, so that a slow spell of
        # this shared machine weighs on both; CPU seconds (all processes) are less noisy still.
        colds: list[tuple[float, float]] = []
        floors: list[tuple[float, float]] = []
        warm_floors: list[tuple[float, float]] = []
        htmls: list[str] = []
        for _ in range(options.cold_repeat):
            shutil.rmtree(root / "build", ignore_errors=True)
            cpu = _children_cpu()
            wall, out = sheets([*build, "--format", "json"], root)
            colds.append((wall, _children_cpu() - cpu))
            outputs = json.loads(out)["outputs"]
            if not htmls:
                for o in outputs:
                    if o["status"] == "written":
                        html, _ = render_html(project, o["state"], LANGUAGES[o["lang"]],
                                              load_lookup(root, o["lang"]), o["paper"],
                                              o["type_step"])
                        htmls.append(html)
            for render, times in ((_floor_render, floors), (_WARM_FLOOR, warm_floors)):
                cpu = _children_cpu()
                start = time.perf_counter()
                with ProcessPoolExecutor(options.jobs) as pool:
                    list(pool.map(render, htmls, chunksize=4))
                times.append((time.perf_counter() - start, _children_cpu() - cpu))
        cold, cold_cpu = (statistics.median(x) for x in zip(*colds, strict=True))
        floor, floor_cpu = (statistics.median(x) for x in zip(*floors, strict=True))
        warm, warm_cpu = (statistics.median(x) for x in zip(*warm_floors, strict=True))
        runs = f"median of {options.cold_repeat}"
        add(f"cold full build, {count} handouts, -j {options.jobs} ({runs})", cold)
        steps = Counter(o["type_step"] for o in outputs if o["status"] == "written")
        for step in sorted(steps):
            add(f"  handouts at type step {step}", steps[step], "")
        add("  handouts blocked", sum(o["status"] == "blocked" for o in outputs), "")
        add(f"WeasyPrint floor, same {len(htmls)} final documents ({runs})", floor)
        add("overhead ratio, wall (cold build / floor)", cold / floor, "x")
        add("  CPU seconds, cold build (all processes)", cold_cpu)
        add("  CPU seconds, floor (all processes)", floor_cpu)
        add("overhead ratio, CPU seconds", cold_cpu / floor_cpu, "x")
        add(f"warm floor (one font configuration per process) ({runs})", warm)
        add("  CPU seconds, warm floor (all processes)", warm_cpu)
        add("overhead ratio vs warm floor, CPU seconds", cold_cpu / warm_cpu, "x")

        add("no-op rebuild (median)", statistics.median(
            sheets(build, root)[0] for _ in range(options.repeat)))
        # A synthetic state when there is one, so the real content stays as it is.
        edited = next(iter(copies), project.state_codes()[0])
        sheet_path = root / f"sheets/{edited}.yaml"
        sheet = yaml.safe_load(sheet_path.read_text())
        claim = next(c for c in sheet["claims"] if "text" in c)
        claim["text"] += " (edited)"
        sheet_path.write_text(yaml.safe_dump(sheet, allow_unicode=True))
        elapsed, out = sheets([*build, "--format", "json"], root)
        written = [o for o in json.loads(out)["outputs"] if o["status"] == "written"]
        add(f"rebuild after one {edited} claim changed", elapsed)
        add(f"  handouts rebuilt (withheld until translated: {len(LANGUAGES) - 1})",
            len(written), "")
        path = po_path(root, "es")
        catalog = read_catalog(path, root, "es")
        other = list(copies)[1] if len(copies) > 1 else "CO"
        next(m for m in catalog if m.context == f"{other}/name").string = "Estado editado"
        write_catalog(path, catalog)
        elapsed, out = sheets([*build, "--format", "json"], root)
        written = [o for o in json.loads(out)["outputs"] if o["status"] == "written"]
        add(f"rebuild after one Spanish catalog entry ({other}) changed", elapsed)
        add("  handouts rebuilt", len(written), "")
        add("sheets check, all states and languages (median)", statistics.median(
            sheets(["check", "--today", today], root)[0] for _ in range(options.repeat)))

        for lang in ("en", "zh_Hans", "ar", "my"):
            lookup = load_lookup(root, lang)
            html, _ = render_html(project, "CO", LANGUAGES[lang], lookup)
            _floor_render(html)  # warm: imports, this script's fonts in fontconfig's cache
            add(f"one CO handout, WeasyPrint only, {lang} (median)", statistics.median(
                _timed(_floor_render, html) for _ in range(options.repeat)))
            add(f"one CO handout, WeasyPrint, kept font configuration, {lang} (median)",
                statistics.median(_timed(_WARM_FLOOR, html)
                                  for _ in range(options.repeat)))
            add(f"one CO handout, pipeline incl. fitting, {lang} (median)", statistics.median(
                _timed(_render_fitting, project, Target("CO", lang, "letter"), lookup)
                for _ in range(options.repeat)))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    add("peak memory of one build process", peak, "MB")
    if options.json:
        options.json.write_text(json.dumps(
            [{"name": name, "value": round(value, 3), "unit": unit} for name, value, unit in rows],
            indent=2) + "\n")


if __name__ == "__main__":
    main()
