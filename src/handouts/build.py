"""The orchestrator: load → check → render every requested handout → write them.

Everything is loaded and checked first; a handout that any error touches is blocked and never
written (an older copy of it is removed, so nobody prints yesterday's facts as today's). Only
then are PDFs rendered, and each is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .catalogs import Lookup, extract_template_messages, load_lookup, translation_problems
from .check import Report, check_content
from .errors import BuildError, Problem, RenderError, SheetsError
from .fonts import uncovered_characters, visible_text
from .languages import LANGUAGES
from .loader import Project, load_project
from .output import write_atomic
from .pdf import write_pdf
from .render import FIT_STEPS, MAX_PAGES, render_html

BUILD_DIR = "build"


@dataclass(frozen=True)
class Target:
    state: str
    lang: str
    paper: str

    def relpath(self) -> str:
        return f"{BUILD_DIR}/{self.state}/{self.state}-{self.lang}-{self.paper}.pdf"


@dataclass
class Outcome:
    target: Target
    path: Path
    pages: int = 0
    blockers: list[Problem] = field(default_factory=list)
    removed_stale: bool = False

    @property
    def written(self) -> bool:
        return not self.blockers


@dataclass
class BuildResult:
    report: Report
    outcomes: list[Outcome]

    @property
    def ok(self) -> bool:
        return all(o.written for o in self.outcomes) and not self.report.errors


def check_project(root: Path, states: Sequence[str] | None, langs: Sequence[str],
                  today: dt.date) -> tuple[Project, Report]:
    """Load the content and run every rule for the requested states and languages."""
    project = load_project(root, list(states) if states else None)
    report = Report()
    report.extend(check_content(project, today))
    ui = extract_template_messages(root)
    for state in project.state_codes():
        for lang in langs:
            report.extend(translation_problems(project, state, lang, ui))
    return project, report


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


def _render_fitting(project: Project, target: Target, lookup: Lookup) -> tuple[bytes, int]:
    """Render, stepping the type down until the handout fits on ``MAX_PAGES`` pages."""
    language = LANGUAGES[target.lang]
    pages = 0
    for fit in range(FIT_STEPS):
        html, _handout = render_html(project, target.state, language, lookup, target.paper, fit)
        if fit == 0:
            missing = uncovered_characters(visible_text(html), language.fonts)
            if missing:
                shown = " ".join(f"{c!r} U+{ord(c):04X}" for c in missing[:10])
                raise RenderError(f"no glyph in {', '.join(language.fonts)} for {shown}")
        data, pages = write_pdf(html, project.root / "templates")
        if pages <= MAX_PAGES:
            return data, pages
    raise PageOverflow(f"{target.state} {target.lang} {target.paper}: {pages} pages at the "
                       f"smallest type (limit {MAX_PAGES}: one sheet, both sides)")


def build_handouts(root: Path, states: Sequence[str] | None, langs: Sequence[str],
                   papers: Sequence[str], today: dt.date) -> BuildResult:
    project, report = check_project(root, states, langs, today)
    targets = [Target(state, lang, paper)
               for state in project.state_codes() for lang in langs for paper in papers]
    _guard_outputs(root, targets)
    outcomes = [Outcome(t, root / t.relpath(), blockers=report.blockers(t.state, t.lang))
                for t in targets]
    rendered: list[tuple[Outcome, bytes]] = []
    lookups = {}
    for outcome in outcomes:
        if outcome.blockers:
            continue
        target = outcome.target
        try:
            if target.lang not in lookups:
                lookups[target.lang] = load_lookup(root, target.lang)
            data, outcome.pages = _render_fitting(project, target, lookups[target.lang])
        except PageOverflow as exc:
            outcome.blockers = [Problem(target.relpath(), 1, "page-overflow", str(exc),
                                        state=target.state, lang=target.lang)]
        except SheetsError as exc:
            outcome.blockers = [Problem(target.relpath(), 1, "render-failed", str(exc),
                                        state=target.state, lang=target.lang)]
        if outcome.blockers:
            report.extend(outcome.blockers)
            continue
        rendered.append((outcome, data))
    for outcome in outcomes:
        if outcome.blockers and outcome.path.exists():
            outcome.path.unlink()
            outcome.removed_stale = True
    for outcome, data in rendered:
        write_atomic(outcome.path, data)
    return BuildResult(report, outcomes)
