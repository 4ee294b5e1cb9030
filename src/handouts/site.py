"""The published edition site: build/site/, plain HTML that works from file:// or any host.

An index lists every state × language edition (Letter and A4 PDFs, a thumbnail of page 1, the
checked date, whether the translation was reviewed); each state's sources page lists every claim
with its citations and exact quotes — the page a handout's QR code can point to.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from babel.dates import format_date

from .build import BuildResult, Target
from .catalogs import TEMPLATES_DIR
from .errors import BuildError, Problem
from .languages import SOURCE_LANGUAGE, languages_of
from .loader import Project
from .models import SECTIONS
from .render import checked_date
from .reviews import review_status

SITE_DIR = "build/site"
SECTION_TITLES = {
    "key-points": "What this means for you",
    "get-help": "Free help",
    "health": "If I apply for Medicaid or health coverage, can immigration officers get my "
              "information?",
    "food": "If I apply for SNAP food benefits, can immigration officers get my information?",
    "cash-aid": "What about cash aid?",
    "driving": "What about my driver's license records?",
    "state-law": "What does state law protect?",
    "courts": "What have courts decided?",
    "what-you-can-do": "What can I do?",
}


@dataclass
class Edition:
    tag: str
    direction: str
    native: str
    english: str
    letter: str = ""
    a4: str = ""
    thumbnail: str = ""
    checked: str = ""
    review: str = ""
    reason: str = ""


@dataclass
class StatePage:
    code: str
    name: str
    editions: list[Edition] = field(default_factory=list)


def _copy(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, dest)


def _thumbnail(pdf: Path, dest: Path) -> bool:
    if shutil.which("pdftoppm") is None:
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "14", "-png", "-singlefile", "-f", "1", "-l", "1",
                    str(pdf), str(dest.with_suffix(""))], check=True, capture_output=True)
    return dest.exists()


def withheld_states(project: Project, result: BuildResult) -> dict[str, list[Problem]]:
    """States whose content the build refused (any error that blocks every language): their
    sources page is not published, like their handouts."""
    withheld = {}
    for code in project.state_codes():
        problems = [p for p in result.report.blockers(code, SOURCE_LANGUAGE) if p.lang is None]
        if problems:
            withheld[code] = problems
    return withheld


_BEING_UPDATED = jinja2.Template(
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{{ name }}: being updated</title>"
    '<link rel="stylesheet" href="../site.css"></head>\n<body><main><h1>{{ name }}</h1>'
    "<p>This page is being updated: its facts are being checked again. It will be back "
    "when every one of them is sourced and current.</p></main></body></html>\n",
    autoescape=True)


def write_site(project: Project, result: BuildResult, langs: list[str]) -> Path:
    """Write build/site/ from a finished build (Letter and A4 outputs).

    The site is written into a temporary folder beside it and swapped in only when complete,
    so a reader (or a killed run) never sees half a site."""
    root = project.root
    final = root / SITE_DIR
    _recover(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    site = Path(tempfile.mkdtemp(prefix=".site-new-", dir=final.parent))
    try:
        index = _write_site(project, result, langs, site)
        _swap_in(site, final)
    except BaseException:
        shutil.rmtree(site, ignore_errors=True)
        raise
    return final / index.relative_to(site)


def _recover(final: Path) -> None:
    """A run killed between the two renames of :func:`_swap_in` left the old site aside."""
    if not final.exists():
        old = sorted(final.parent.glob(".site-old-*"))
        if old:
            old[-1].rename(final)
    for stale in [*final.parent.glob(".site-new-*"), *final.parent.glob(".site-old-*")]:
        shutil.rmtree(stale, ignore_errors=True)


def _swap_in(new: Path, final: Path) -> None:
    os.chmod(new, 0o755)  # mkdtemp makes 0700; the site is served to everyone
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=".site-old-", dir=final.parent))
        os.replace(final, old / "site")
        os.replace(new, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, final)


def _write_site(project: Project, result: BuildResult, langs: list[str], site: Path) -> Path:
    root = project.root
    withheld = withheld_states(project, result)
    outcomes = {(o.target.state, o.target.lang, o.target.paper): o for o in result.outcomes}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root / TEMPLATES_DIR),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    states = []
    for code in project.state_codes():
        page = StatePage(code, project.states[code].name)
        claims = project.printed_claims(code)
        if code in withheld:
            # Blocked content is not published in any form: not its PDFs, not its sources.
            configured = languages_of(project.root).by_code
            page.editions = [Edition(configured[lang].tag, configured[lang].direction,
                                     configured[lang].native_name, configured[lang].name,
                                     reason="being updated") for lang in langs]
            states.append(page)
            out = site / code / "sources.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(_BEING_UPDATED.render(name=page.name), encoding="utf-8")
            continue
        for lang in langs:
            language = languages_of(project.root).by_code[lang]
            edition = Edition(language.tag, language.direction, language.native_name,
                              language.name)
            letter = outcomes.get((code, lang, "letter"))
            if letter is None or not letter.written:
                blockers = letter.blockers if letter else []
                edition.reason = (f"{len(blockers)} problem(s), e.g. {blockers[0].rule}"
                                  if blockers else "not built")
                page.editions.append(edition)
                continue
            for paper in ("letter", "a4"):
                outcome = outcomes.get((code, lang, paper))
                if outcome is not None and outcome.written:
                    name = Path(Target(code, lang, paper).relpath()).name
                    _copy(outcome.path, site / code / name)
                    setattr(edition, paper, f"{code}/{name}")
            thumb = site / code / f"{code}-{lang}-page1.png"
            if _thumbnail(letter.path, thumb):
                edition.thumbnail = f"{code}/{thumb.name}"
            edition.checked = format_date(checked_date(claims), "long", locale="en")
            edition.review = review_status(project, code, lang)
            page.editions.append(edition)
        states.append(page)
        sections = []
        for section in SECTIONS:
            items = []
            for claim in (c for c in claims if c.section == section):
                citations = []
                for citation in claim.citations:
                    source = project.sources[citation.source]
                    citations.append({
                        "url": source.url, "title": source.title, "publisher": source.publisher,
                        "published": format_date(source.published, "long", locale="en")
                        if source.published else "",
                        "locator": citation.locator, "quote": citation.quote})
                items.append({"anchor": claim.key.replace("/", "-"), "text": claim.text,
                              "checked": format_date(claim.checked, "long", locale="en"),
                              "time_sensitive": claim.time_sensitive,
                              "interval": claim.recheck_interval, "citations": citations})
            if items:
                sections.append({"id": section, "title": SECTION_TITLES[section],
                                 "claims": items})
        out = site / code / "sources.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(env.get_template("site-sources.html").render(
            state=page, sections=sections), encoding="utf-8")
    try:
        (site / "index.html").write_text(env.get_template("site-index.html").render(
            states=states, languages=langs), encoding="utf-8")
        shutil.copyfile(root / TEMPLATES_DIR / "site.css", site / "site.css")
    except OSError as exc:
        raise BuildError(f"cannot write {SITE_DIR}/: {exc}") from exc
    return site / "index.html"
