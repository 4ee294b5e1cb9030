"""The orchestrator: load → check → render every requested handout → write them.

Everything is loaded and checked first; a handout that any error touches is blocked and never
written (an older copy of it is removed, so nobody prints yesterday's facts as today's). Only
then are PDFs rendered, and each is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import (
    OutputKeys,
    assets_digest,
    build_digest,
    drop_manifest,
    forget,
    is_fresh,
    load_manifest,
    read_record,
    record,
    save_manifest,
)
from .catalogs import Lookup, load_lookup
from .check import Report, check_project
from .errors import BuildError, Problem, RenderError, SheetsError
from .fitting import Tried, first_step, next_step
from .fonts import family_files, uncovered_characters, visible_text
from .languages import languages_of
from .loader import Project, load_project
from .output import write_atomic
from .pdf import lay_out, pages_used, write_document
from .render import FIT_STEPS, MAX_PAGES, render_html

BUILD_DIR = "build"


@dataclass(frozen=True)
class Target:
    state: str
    lang: str
    paper: str
    print_shop: bool = False
    """With bleed and crop marks, for a print shop (office printers want the plain one)."""

    def relpath(self) -> str:
        variant = "-printshop" if self.print_shop else ""
        return f"{BUILD_DIR}/{self.state}/{self.state}-{self.lang}-{self.paper}{variant}.pdf"

    def preview_prefix(self) -> str:
        """pdftoppm adds ``-1.png``, ``-2.png`` to this."""
        return self.relpath().removesuffix(".pdf").replace(
            f"{BUILD_DIR}/{self.state}/", f"{BUILD_DIR}/{self.state}/preview/", 1)


@dataclass
class Outcome:
    target: Target
    path: Path
    pages: int = 0
    fit: int = 0
    """How many type steps down it took to fit (0: none)."""
    blockers: list[Problem] = field(default_factory=list)
    removed_stale: bool = False
    unchanged: bool = False
    """Skipped: the PDF on disk was built from exactly these inputs."""
    previews: list[Path] = field(default_factory=list)
    dry_run: bool = False
    """A what-if run (``--today`` another day): nothing was rendered, written or removed."""

    @property
    def written(self) -> bool:
        return not self.blockers and not self.dry_run


@dataclass
class BuildResult:
    report: Report
    outcomes: list[Outcome]
    root: Path
    states: Sequence[str] | None = None
    loaded: Project | None = None
    """The content, when the build loaded it (a build that found nothing changed does not)."""

    @property
    def ok(self) -> bool:
        """No content error: handouts merely withheld for missing translations do not fail
        (see :meth:`Report.fails`)."""
        return not self.report.errors

    @property
    def clean(self) -> bool:
        """Every requested handout written and no error at all (what a replay may repeat)."""
        return (all(o.written for o in self.outcomes)
                and not any(p.severity == "error" for p in self.report.problems))

    def withheld(self, outcome: Outcome) -> bool:
        """Blocked only by translations still to do (or a draft language's problems)."""
        return bool(outcome.blockers) and not any(self.report.fails(p) for p in outcome.blockers)

    @property
    def project(self) -> Project:
        if self.loaded is None:
            self.loaded = load_project(self.root, list(self.states) if self.states else None)
        return self.loaded


def _guard_outputs(root: Path, targets: Sequence[Target]) -> None:
    build_dir = (root / BUILD_DIR).resolve()
    seen: set[Path] = set()
    for target in targets:
        path = (root / target.relpath()).resolve()
        if not path.is_relative_to(build_dir):
            raise BuildError(f"{target.relpath()}: refusing to write outside {BUILD_DIR}/")
        if path in seen:
            raise BuildError(f"{target.relpath()}: two outputs would share this path")
        seen.add(path)




class PageOverflow(RenderError):
    """The handout does not fit on one sheet of paper even at the smallest type."""


def _render_fitting(project: Project, target: Target, lookup: Lookup,
                    hint: int | None = None) -> tuple[bytes, int, int]:
    """Render at the largest type that fits on ``MAX_PAGES`` pages (see :mod:`.fitting`),
    starting the search at ``hint``, the step this handout's previous build chose."""
    language = languages_of(project.root).by_code[target.lang]
    tried: Tried = {}
    best: tuple[int, Any, str] | None = None
    pages = 0
    step: int | None = first_step(hint, FIT_STEPS)
    while step is not None:
        html, _handout = render_html(project, target.state, language, lookup, target.paper, step,
                                     target.print_shop)
        if not tried:
            _check_fonts(html, language.fonts)
        document = lay_out(html, project.root / "templates")
        pages = len(document.pages)
        tried[step] = (pages <= MAX_PAGES, pages_used(document))
        if pages <= MAX_PAGES and (best is None or step < best[0]):
            best = (step, document, html)
        step = next_step(tried, FIT_STEPS, MAX_PAGES)
    if best is None:
        raise PageOverflow(f"{target.state} {target.lang} {target.paper}: {pages} pages at the "
                           f"smallest type (limit {MAX_PAGES}: one sheet, both sides)")
    fit, document, html = best
    return write_document(document, html), len(document.pages), fit


def _check_fonts(html: str, fonts: Sequence[str]) -> None:
    absent = [family for family in fonts if not family_files(family)]
    if absent:
        raise RenderError(f"font {absent[0]!r} is not installed (see `sheets doctor`; "
                          "Debian: apt-get install fonts-noto-core fonts-noto-cjk)")
    missing = uncovered_characters(visible_text(html), fonts)
    if missing:
        shown = " ".join(f"{c!r} U+{ord(c):04X}" for c in missing[:10])
        raise RenderError(f"no glyph in {', '.join(fonts)} for {shown}")


@dataclass
class _Rendered:
    target: Target
    data: bytes = b""
    pages: int = 0
    fit: int = 0
    rule: str = ""
    message: str = ""


class _Renderer:
    """Renders targets with the project and catalogs loaded once (one per worker process)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.lookups: dict[str, Lookup] = {}

    def __call__(self, job: Job) -> _Rendered:
        target, hint = job
        try:
            if target.lang not in self.lookups:
                self.lookups[target.lang] = load_lookup(self.project.root, target.lang)
            data, pages, fit = _render_fitting(self.project, target,
                                               self.lookups[target.lang], hint)
        except PageOverflow as exc:
            return _Rendered(target, rule="page-overflow", message=str(exc))
        except SheetsError as exc:
            return _Rendered(target, rule="render-failed", message=str(exc))
        return _Rendered(target, data, pages, fit)


#: A handout to render and the type step its previous build chose, if any.
Job = tuple[Target, "int | None"]

_worker: _Renderer | None = None


def _start_worker(root: Path, states: list[str]) -> None:
    global _worker
    _worker = _Renderer(load_project(root, states))


def _render_in_worker(job: Job) -> _Rendered:
    assert _worker is not None
    return _worker(job)


Progress = Callable[[Target], None]


def _render_all(project: Project, jobs: list[Job], processes: int) -> Iterator[_Rendered]:
    """Render ``jobs``, yielding each result as it is ready (in order)."""
    if processes <= 1 or len(jobs) <= 1:
        renderer = _Renderer(project)
        for job in jobs:
            yield renderer(job)
        return
    states = sorted({target.state for target, _hint in jobs})
    # Each worker loads the content and catalogs once, then renders many handouts.
    pool = ProcessPoolExecutor(max_workers=min(processes, len(jobs)), initializer=_start_worker,
                               initargs=(project.root, states))
    try:
        yield from pool.map(_render_in_worker, jobs)
    finally:
        # If writing failed (or the caller stopped), do not render the rest.
        pool.shutdown(wait=True, cancel_futures=True)


def build_handouts(root: Path, states: Sequence[str] | None, langs: Sequence[str],
                   papers: Sequence[str], today: dt.date, jobs: int = 1,
                   print_shop: bool = False, previews: bool = False,
                   force: bool = False, progress: Progress | None = None,
                   planned: Callable[[int], None] | None = None, *,
                   dry_run: bool = False, require_translations: bool = False,
                   release: bool = False) -> BuildResult:
    """Check, then render what changed, then write. ``planned`` hears how many handouts will be
    rendered and ``progress`` each one as it is done (for a progress bar).

    ``dry_run`` (a what-if ``--today``): check and plan only; nothing under build/ is written
    or removed, and each outcome says what a real build would do.
    """
    request = {"states": sorted(states) if states else None, "langs": list(langs),
               "papers": list(papers), "today": today.isoformat(), "print_shop": print_shop,
               "require_translations": require_translations, "release": release}
    digest = build_digest(root, request)
    if not force and not previews and not dry_run:
        replayed = _replay(root, digest, states)
        if replayed is not None:
            if planned:
                planned(0)
            return replayed
    if not dry_run:
        drop_manifest(root)
    checked = check_project(root, states, langs, today,
                            require_translations=require_translations, release=release)
    project, report = checked.project, checked.report
    targets = [Target(state, lang, paper, print_shop)
               for state in project.state_codes() for lang in langs for paper in papers]
    _guard_outputs(root, targets)
    outcomes = {t: Outcome(t, root / t.relpath(), blockers=report.blockers(t.state, t.lang))
                for t in targets}
    output_keys = OutputKeys(project, checked.ui, assets_digest(root))
    keys: dict[Target, str] = {}
    todo: list[Job] = []
    for target, outcome in outcomes.items():
        if outcome.blockers:
            continue
        keys[target] = output_keys.key(target.state, target.lang, target.paper,
                                       target.print_shop, checked.catalogs.get(target.lang))
        saved = read_record(root, target.relpath())
        if not force and is_fresh(root, target.relpath(), keys[target], saved):
            assert saved is not None
            outcome.unchanged = True
            outcome.fit, outcome.pages = saved.fit or 0, saved.pages or 0
        else:
            todo.append((target, saved.fit if saved else None))
    if dry_run:
        for outcome in outcomes.values():
            outcome.dry_run = True
        return BuildResult(report, list(outcomes.values()), root, states, project)
    if planned:
        planned(len(todo))
    written: list[Outcome] = []
    try:
        for outcome in outcomes.values():
            if outcome.blockers:
                _remove_stale(root, outcome)
        # Each PDF is written as soon as it is rendered: memory stays flat however many
        # handouts there are, and an interrupted build keeps what it finished.
        for result in _render_all(project, todo, jobs):
            outcome = outcomes[result.target]
            if result.rule:
                outcome.blockers = [Problem(result.target.relpath(), 1, result.rule,
                                            result.message, state=result.target.state,
                                            lang=result.target.lang)]
                report.extend(outcome.blockers)
                _remove_stale(root, outcome)
            else:
                outcome.pages, outcome.fit = result.pages, result.fit
                write_atomic(outcome.path, result.data)
                record(root, outcome.target.relpath(), keys[outcome.target], result.data,
                       result.fit, result.pages)
                written.append(outcome)
            if progress:
                progress(result.target)
        if previews:
            for outcome in written:
                outcome.previews = write_previews(root, outcome.target)
    except OSError as exc:
        raise _write_error(exc) from exc
    built = BuildResult(report, list(outcomes.values()), root, states, project)
    if built.clean:
        try:
            save_manifest(root, digest, [p.as_dict() for p in report.problems], [
                {"path": o.target.relpath(), "state": o.target.state, "lang": o.target.lang,
                 "paper": o.target.paper, "print_shop": o.target.print_shop, "pages": o.pages,
                 "fit": o.fit} for o in built.outcomes])
        except OSError as exc:
            raise _write_error(exc) from exc
    return built


def _remove_stale(root: Path, outcome: Outcome) -> None:
    """A blocked handout's older copy goes: nobody may print yesterday's facts as today's."""
    forget(root, outcome.target.relpath())
    if outcome.path.exists():
        outcome.path.unlink()
        outcome.removed_stale = True


def _write_error(exc: OSError) -> BuildError:
    return BuildError(f"cannot write under {BUILD_DIR}/: {exc.strerror or exc} "
                      f"({exc.filename or BUILD_DIR})")


def _replay(root: Path, digest: str, states: Sequence[str] | None) -> BuildResult | None:
    """The last build's result, when it was clean and nothing it read or wrote has changed
    since: then loading, checking and hashing every handout's inputs again would find every
    output unchanged, only slower (a no-op build of 850 handouts took 2.6 s that way)."""
    manifest = load_manifest(root, digest)
    if manifest is None:
        return None
    report = Report()
    outcomes = []
    try:
        report.extend(Problem(**problem) for problem in manifest["problems"])
        for saved in manifest["outputs"]:
            target = Target(saved["state"], saved["lang"], saved["paper"], saved["print_shop"])
            outcomes.append(Outcome(target, root / target.relpath(), pages=saved["pages"],
                                    fit=saved["fit"], unchanged=True))
    except (KeyError, TypeError, ValueError):
        return None  # a damaged record: do the full build
    return BuildResult(report, outcomes, root, states)


def write_previews(root: Path, target: Target, dpi: int = 80) -> list[Path]:
    """Page images of a written handout, for translators and maintainers to look at."""
    if shutil.which("pdftoppm") is None:
        raise BuildError("previews need pdftoppm (apt-get install poppler-utils)")
    prefix = root / target.preview_prefix()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    for old in prefix.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(root / target.relpath()),
                    str(prefix)], check=True, capture_output=True)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))
