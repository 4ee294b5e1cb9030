"""The published edition site: build/site/, plain HTML that works from file:// or any host.

An index lists every state × language edition (Letter and A4 PDFs, a thumbnail of page 1, the
checked date, whether the translation was reviewed); each state's sources page lists every claim
with its citations and exact quotes — the page a handout's QR code can point to.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from babel.dates import format_date

from .build import BuildResult, Target
from .catalogs import TEMPLATES_DIR
from .errors import BuildError
from .languages import languages_of
from .loader import Project
from .models import SECTIONS
from .render import checked_date
from .reviews import review_status

SITE_DIR = "build/site"
SECTION_TITLES = {
    "state-law": "What state law says",
    "federal-actions": "What the federal government has done",
    "courts": "What courts have said so far",
    "what-you-can-do": "What you can do",
    "get-help": "Where to get help",
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


def write_site(project: Project, result: BuildResult, langs: list[str]) -> Path:
    """Write build/site/ from a finished build (Letter and A4 outputs)."""
    root = project.root
    site = root / SITE_DIR
    if site.exists():
        shutil.rmtree(site)
    outcomes = {(o.target.state, o.target.lang, o.target.paper): o for o in result.outcomes}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root / TEMPLATES_DIR),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    states = []
    for code in project.state_codes():
        page = StatePage(code, project.states[code].name)
        claims = project.printed_claims(code)
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
