"""The orchestrator: load → check → render every requested handout → write them.

Everything is loaded and checked first; a handout that any error touches is blocked and never
written (an older copy of it is removed, so nobody prints yesterday's facts as today's). Only
then are PDFs rendered, and each is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import (
    OutputKeys,
    build_digest,
    drop_manifest,
    file_digests,
    forget,
    is_fresh,
    load_manifest,
    read_record,
    record,
    save_manifest,
)
from .catalogs import Lookup, Translations, po_path
from .check import Checked, Report, check_project
from .errors import BuildError, CatalogError, Problem, RenderError, SheetsError, shown
from .fitting import Tried, first_step, next_step
from .fonts import family_files, uncovered_characters, visible_text
from .languages import SOURCE_LANGUAGE, languages_of
from .loader import Project, load_project
from .output import ensure_inside, write_atomic
from .pdf import lay_out, on_first_page, pages_used, write_document
from .render import FIT_STEPS, HELP_BOX, MAX_PAGES, render_html

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
    catalogs: Mapping[str, Translations] = field(default_factory=dict)
    """The catalogs the check saw and the PDFs were rendered from (the site's web editions
    use these, never the files again)."""

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
                    hint: int | None = None) -> tuple[bytes, int, int, bool]:
    """Render at the largest type that fits on ``MAX_PAGES`` pages (see :mod:`.fitting`),
    starting the search at ``hint``, the step this handout's previous build chose. Returns
    the PDF, its pages, the step, and whether the help box starts on page 1."""
    language = languages_of(project.root).by_code[target.lang]
    tried: Tried = {}
    best: tuple[int, Any, str] | None = None
    fallback: tuple[int, Any, str] | None = None
    pages = 0
    step: int | None = first_step(hint, FIT_STEPS)
    while step is not None:
        html, _handout = render_html(project, target.state, language, lookup, target.paper, step,
                                     target.print_shop)
        if not tried:
            _check_fonts(html, language.fonts)
        document = lay_out(html, project.root / "templates")
        pages = len(document.pages)
        # Fitting means one sheet with the help box on page 1; a sheet whose help box went
        # to page 2 at every step still prints (at its largest such type), help on page 2.
        fits = pages <= MAX_PAGES and on_first_page(document, HELP_BOX)
        tried[step] = (fits, pages_used(document))
        if fits and (best is None or step < best[0]):
            best = (step, document, html)
        elif pages <= MAX_PAGES and (fallback is None or step < fallback[0]):
            fallback = (step, document, html)
        step = next_step(tried, FIT_STEPS, MAX_PAGES)
    help_first = best is not None
    best = best or fallback
    if best is None:
        raise PageOverflow(f"{target.state} {target.lang} {target.paper}: {pages} pages at the "
                           f"smallest type (limit {MAX_PAGES}: one sheet, both sides)")
    fit, document, html = best
    return write_document(document, html), len(document.pages), fit, help_first


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
    help_first: bool = True
    """Whether the help box starts on page 1 (else it printed with help on page 2)."""


class _Renderer:
    """Renders targets from one snapshot: the project and catalogs the check saw (one per
    worker process). It never opens a sheet or a catalog itself."""

    def __init__(self, project: Project, catalogs: Mapping[str, Translations]) -> None:
        self.project = project
        self.catalogs = catalogs
        self.lookups: dict[str, Lookup] = {}

    def __call__(self, job: Job) -> _Rendered:
        target, hint = job
        try:
            if target.lang not in self.lookups:
                catalog = self.catalogs.get(target.lang)
                if catalog is None and target.lang != SOURCE_LANGUAGE:
                    raise CatalogError(f"{target.lang}: no catalog in this build's snapshot")
                self.lookups[target.lang] = Lookup(target.lang, catalog)
            data, pages, fit, help_first = _render_fitting(self.project, target,
                                               self.lookups[target.lang], hint)
        except PageOverflow as exc:
            return _Rendered(target, rule="page-overflow", message=str(exc))
        except SheetsError as exc:
            return _Rendered(target, rule="render-failed", message=str(exc))
        except (ValueError, KeyError, TypeError) as exc:
            # A translation the check let through that %-formatting still refuses: this
            # handout is blocked, the build goes on (translation-format should have said so).
            return _Rendered(target, rule="render-failed",
                             message=f"{target.lang}: {type(exc).__name__}: {shown(exc)}")
        return _Rendered(target, data, pages, fit, help_first=help_first)


#: A handout to render and the type step its previous build chose, if any.
Job = tuple[Target, "int | None"]

_worker: _Renderer | None = None


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the build that started it dies (``kill -9`` of the
    build must not leave workers rendering): prctl(PR_SET_PDEATHSIG, SIGTERM). Elsewhere the
    pool's own pipe closing ends idle workers."""
    if not sys.platform.startswith("linux"):
        return
    with suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
        # The parent may have died before prctl took effect: then we were re-parented.
        if os.getppid() == 1:
            os._exit(1)


def _start_worker(project: Project, catalogs: dict[str, Translations]) -> None:
    global _worker
    _die_with_parent()
    # The snapshot arrives pickled from the parent: the worker reads no content file.
    _worker = _Renderer(project, catalogs)


def _render_in_worker(job: Job) -> _Rendered:
    assert _worker is not None
    return _worker(job)


Progress = Callable[[Target], None]


def worker_count(requested: int, jobs: int) -> int:
    """Processes to start: never more than the CPUs (``-j 1000`` started one ~190 MB worker
    per handout) nor than the handouts to render."""
    return max(1, min(requested, os.cpu_count() or 1, jobs))


def _render_all(project: Project, catalogs: dict[str, Translations], jobs: list[Job],
                processes: int) -> Iterator[_Rendered]:
    """Render ``jobs``, yielding each result as it is ready (in order)."""
    processes = worker_count(processes, len(jobs))
    if processes <= 1:
        renderer = _Renderer(project, catalogs)
        for job in jobs:
            yield renderer(job)
        return
    langs = {target.lang for target, _hint in jobs}
    pool = ProcessPoolExecutor(max_workers=processes, initializer=_start_worker,
                               initargs=(project, {lang: catalog for lang, catalog
                                                   in catalogs.items() if lang in langs}))
    try:
        yield from pool.map(_render_in_worker, jobs)
    finally:
        # If writing failed (or the caller stopped), do not render the rest.
        pool.shutdown(wait=True, cancel_futures=True)


def build_handouts(root: Path, states: Sequence[str] | None, langs: Sequence[str],
                   papers: Sequence[str], today: dt.date, jobs: int = 1,
                   print_shop: bool = False, previews: bool = False,
                   force: bool = False, progress: Progress | None = None,
                   planned: Callable[[int], None] | None = None,
                   replay: bool = True, *,
                   dry_run: bool = False, require_translations: bool = False,
                   release: bool = False) -> BuildResult:
    """Check, then render what changed, then write. ``planned`` hears how many handouts will be
    rendered and ``progress`` each one as it is done (for a progress bar). ``replay=False``
    always loads and checks (the site needs the snapshot the outputs were made from).

    ``dry_run`` (a what-if ``--today``): check and plan only; nothing under build/ is written
    or removed, and each outcome says what a real build would do.
    """
    _check_source_date_epoch()
    request = {"states": sorted(states) if states else None, "langs": list(langs),
               "papers": list(papers), "today": today.isoformat(), "print_shop": print_shop,
               "require_translations": require_translations, "release": release}
    files = file_digests(root)
    digest = build_digest(root, request, files)
    if replay and not force and not previews and not dry_run:
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
    # A draft state is built only when asked for by name (--state XX), never by --all or site.
    built_states = [state for state in project.state_codes()
                    if states or project.states[state].status != "draft"]
    targets = [Target(state, lang, paper, print_shop)
               for state in built_states for lang in langs for paper in papers]
    _guard_outputs(root, targets)
    outcomes = {t: Outcome(t, root / t.relpath(), blockers=report.blockers(t.state, t.lang))
                for t in targets}
    output_keys = OutputKeys(project, checked.ui, project.templates_digest)
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
        return BuildResult(report, list(outcomes.values()), root, states, project,
                           checked.catalogs)
    if planned:
        planned(len(todo))
    written: list[Outcome] = []
    try:
        for outcome in outcomes.values():
            if outcome.blockers:
                _remove_stale(root, outcome)
        # Each PDF is written as soon as it is rendered: memory stays flat however many
        # handouts there are, and an interrupted build keeps what it finished.
        for result in _render_all(project, checked.catalogs, todo, jobs):
            outcome = outcomes[result.target]
            if result.rule:
                outcome.blockers = [Problem(result.target.relpath(), 1, result.rule,
                                            result.message, state=result.target.state,
                                            lang=result.target.lang)]
                report.extend(outcome.blockers)
                _remove_stale(root, outcome)
            else:
                if not result.help_first:
                    # Printed, but the reader's first look misses the number to call.
                    report.extend([Problem(
                        result.target.relpath(), 1, "help-not-on-page-1",
                        f"{result.target.state} {result.target.lang} {result.target.paper}: the "
                        "help box is on page 2 at every type step; shorten the key points or "
                        "the help cards", "warning", result.target.state, result.target.lang)])
                outcome.pages, outcome.fit = result.pages, result.fit
                write_atomic(outcome.path, result.data, root / BUILD_DIR)
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
    built = BuildResult(report, list(outcomes.values()), root, states, project,
                        checked.catalogs)
    if built.clean and _unchanged_since_load(checked, files, root):
        try:
            save_manifest(root, digest, [p.as_dict() for p in report.problems], [
                {"path": o.target.relpath(), "state": o.target.state, "lang": o.target.lang,
                 "paper": o.target.paper, "print_shop": o.target.print_shop, "pages": o.pages,
                 "fit": o.fit} for o in built.outcomes])
        except OSError as exc:
            raise _write_error(exc) from exc
    return built


#: 9999-12-31T23:59:59Z, the last second a PDF date can hold.
_LAST_EPOCH = 253402300799


def _check_source_date_epoch() -> None:
    """``SOURCE_DATE_EPOCH`` must be whole seconds in ASCII digits ("²" passes str.isdigit
    and then breaks int(); 10**30 overflows the date)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value and not (re.fullmatch(r"[0-9]{1,12}", value) and int(value) <= _LAST_EPOCH):
        raise BuildError(f"SOURCE_DATE_EPOCH={shown(value, 40)!r} is not a time: give whole "
                         "seconds since 1970-01-01 (digits 0-9), or unset it")


def _unchanged_since_load(checked: Checked, files: dict[str, str], root: Path) -> bool:
    """Whether the files are still what the digest hashed and what the snapshot parsed. If a
    file changed during the build, recording the digest would vouch for outputs made from
    other bytes (an edit 1 s into a build, restored later, would be replayed as unchanged)."""
    seen = dict(checked.project.file_digests)
    for lang, catalog in checked.catalogs.items():
        seen[po_path(root, lang).relative_to(root).as_posix()] = catalog.sha256
    if any(files.get(name) != sha for name, sha in seen.items()):
        return False
    return file_digests(root) == files


def _remove_stale(root: Path, outcome: Outcome) -> None:
    """A blocked handout's older copy goes: nobody may print yesterday's facts as today's."""
    forget(root, outcome.target.relpath())
    if outcome.path.exists() or outcome.path.is_symlink():
        # Through a link out of build/, the file is not ours to remove: the link is.
        ensure_inside(outcome.path.parent, root / BUILD_DIR)
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
    ensure_inside(prefix.parent, root / BUILD_DIR)  # pdftoppm would follow a link anywhere
    for old in prefix.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(root / target.relpath()),
                    str(prefix)], check=True, capture_output=True)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))
