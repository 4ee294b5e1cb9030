"""The published site: build/site/, plain HTML that works from file:// or any host.

Layout (relative links only, so the folder can be opened from disk or served anywhere)::

    index.html              "Which state?" and how to print (English)
    CO/index.html           "Which language?": every language by its own name
    CO/es/index.html        the Spanish edition page, in Spanish: Letter and A4 PDFs, the date
                            the facts were checked, the review status, then the web edition
    CO/es/CO-es-letter.pdf  the PDFs the build just wrote (nothing older, nothing blocked)
    CO/sources.html         every claim with its sources and exact quotes (English)
    CO/CO-handouts.zip      every PDF of the state, for an office that prints them all

An edition the build blocked gets a page saying it is being updated, with a link to the English
edition; why it is blocked (rule ids, lines) is the maintainer's business and is printed to the
terminal by the CLI, never written here. The web edition is rendered from the same handout data
object as the PDF (:func:`handouts.render.build_web_edition`), so both print the same claims,
sources and notice. The site is written to a temporary folder beside ``build/site`` and swapped
in with renames, so a visitor (or a deploy step) never sees half a site.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from markupsafe import Markup

from .build import BuildResult, Outcome, Target
from .catalogs import TEMPLATES_DIR, Lookup, Translations
from .errors import BuildError, CatalogError, Problem, RenderError
from .languages import SOURCE_LANGUAGE, Language, languages_of
from .loader import Project
from .models import SECTIONS
from .render import (
    Handout,
    Quote,
    build_web_edition,
    edition_path,
    isolate,
    make_environment,
    section_headings,
)
from .reviews import review_status

SITE_DIR = "build/site"
STYLESHEET = "site.css"
PAPERS = ("letter", "a4")
#: Zip entries get this timestamp (the earliest a zip can hold), so the same PDFs give the same
#: bytes: a release asset or a Pages deploy changes only when a handout did.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
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
class LanguageLink:
    """One language of a state, as the pickers show it."""

    code: str
    tag: str
    native: str
    english: str
    direction: str
    href: str
    published: bool


@dataclass
class StateEntry:
    code: str
    name: str
    published: int
    """How many of its languages can be downloaded now."""


@dataclass
class EditionPage:
    """What an edition page shows besides the handout itself."""

    state: str
    state_name: str
    lang_tag: str
    direction: str
    downloads: dict[str, str]
    """Paper → PDF file name (empty when the edition is blocked)."""
    english_href: str
    """The English edition's page, when it is published and this is another language."""
    languages: list[LanguageLink]
    canonical: str
    sources: bool
    """Whether the state's sources page exists (it lists the English claims)."""
    reviewer: str = ""


def tel_href(phone: str) -> str:
    """``tel:`` address of a printed US phone number: digits only, with the country code."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}"


def withheld_states(project: Project, result: BuildResult) -> dict[str, list[Problem]]:
    """States whose content the build refused (any error that blocks every language): their
    sources page is not published, like their handouts."""
    withheld = {}
    for code in project.state_codes():
        problems = [p for p in result.report.blockers(code, SOURCE_LANGUAGE) if p.lang is None]
        if problems:
            withheld[code] = problems
    return withheld


#: A short left-to-right run (a phone number, a bill id) as :func:`isolate` marks it up.
_SHORT_RUN = re.compile(r'<bdi dir="ltr">([^<]{1,24})</bdi>')


def isolate_web(text: str, rtl: bool = False) -> Markup:
    """:func:`handouts.render.isolate`, with short runs kept on one line: a phone number broken
    after "1-844-" in right-to-left text reads in the wrong order. (Long runs such as URLs must
    still wrap on a phone's screen.) Only a fixed class is added to already escaped markup."""
    marked = _SHORT_RUN.sub(r'<bdi dir="ltr" class="run">\1</bdi>', str(isolate(text, rtl)))
    return Markup(marked)  # noqa: S704 (escaped by isolate; the pattern adds a fixed class)


def _environment(project: Project, lookup: Lookup) -> jinja2.Environment:
    env = make_environment(project, lookup)
    env.filters["tel"] = tel_href
    env.filters["isolate_web"] = isolate_web
    return env


def _published(outcomes: dict[tuple[str, str, str], Outcome], state: str, lang: str) -> bool:
    """Published means the build wrote both papers in this very build request."""
    found = [outcomes.get((state, lang, paper)) for paper in PAPERS]
    return all(o is not None and o.written and o.path.is_file() for o in found)


def write_site(project: Project, result: BuildResult, langs: Sequence[str],
               site_dir: Path | None = None) -> Path:
    """Write the site from a finished build of Letter and A4; return its index page.

    Only states and languages of this build appear; only PDFs this build wrote are copied.
    """
    root = project.root
    final = site_dir or root / SITE_DIR
    final.parent.mkdir(parents=True, exist_ok=True)
    _recover(final)
    staging = Path(tempfile.mkdtemp(prefix=".site-new-", dir=final.parent))
    try:
        _write_pages(project, result, list(langs), staging)
        _swap_in(staging, final)
    except OSError as exc:
        raise BuildError(f"cannot write {SITE_DIR}/: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final / "index.html"


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


def _write_pages(project: Project, result: BuildResult, langs: list[str], site: Path) -> None:
    root = project.root
    outcomes = {(o.target.state, o.target.lang, o.target.paper): o for o in result.outcomes}
    built_states = sorted({o.target.state for o in result.outcomes} & set(project.states))
    configured = languages_of(root).by_code
    lookups: dict[str, Lookup] = {SOURCE_LANGUAGE: Lookup(SOURCE_LANGUAGE, None)}
    english = _environment(project, lookups[SOURCE_LANGUAGE])
    entries = []
    for state in built_states:
        links = [_language_link(state, configured[lang], _published(outcomes, state, lang))
                 for lang in langs]
        entries.append(StateEntry(state, project.states[state].name,
                                  sum(link.published for link in links)))
        for link in links:
            language = configured[link.code]
            folder = site / edition_path(state, language)
            folder.mkdir(parents=True)
            downloads = {}
            if link.published:
                for paper in PAPERS:
                    source = outcomes[(state, link.code, paper)].path
                    name = Path(Target(state, link.code, paper).relpath()).name
                    shutil.copyfile(source, folder / name)
                    downloads[paper] = name
            page = EditionPage(
                state=state, state_name=project.states[state].name, lang_tag=language.tag,
                direction=language.direction, downloads=downloads,
                english_href=("../en/index.html" if link.code != SOURCE_LANGUAGE and any(
                    other.code == SOURCE_LANGUAGE and other.published for other in links)
                    else ""),
                languages=[_relative(other) for other in links],
                canonical=_canonical(project, state, language), sources=any(
                    other.code == SOURCE_LANGUAGE and other.published for other in links),
                reviewer=reviewer_of(project, state, link.code,
                                     result.catalogs.get(link.code)))
            html = _edition_html(project, page, language, lookups, result.catalogs,
                                 link.published)
            (folder / "index.html").write_text(html, encoding="utf-8")
        # The sources page lists the English claims: only when the English edition passed.
        sources = any(link.code == SOURCE_LANGUAGE and link.published for link in links)
        if sources:
            (site / state / "sources.html").write_text(english.get_template(
                "site-sources.html").render(state=entries[-1], sections=_source_sections(
                    project, state)), encoding="utf-8")
        (site / state / "index.html").write_text(english.get_template("site-state.html").render(
            state=entries[-1], languages=links, zip_name=_write_zip(site, state),
            sources=sources), encoding="utf-8")
    (site / "index.html").write_text(english.get_template("site-index.html").render(
        states=entries, languages=[configured[lang] for lang in langs]), encoding="utf-8")
    (site / STYLESHEET).write_text(project.template(STYLESHEET), encoding="utf-8")


def _language_link(state: str, language: Language, published: bool) -> LanguageLink:
    """The link as the state's page (``CO/index.html``) gives it."""
    folder = edition_path(state, language).removeprefix(f"{state}/")
    return LanguageLink(language.code, language.tag, label(language), language.name,
                        language.direction, f"{folder}index.html", published)


def label(language: Language) -> str:
    """A language's own name as a picker shows it: "Español", not CLDR's in-sentence
    "español" (capitalizing changes nothing in scripts without case)."""
    native = language.native_name
    return native[:1].upper() + native[1:]


def _relative(link: LanguageLink) -> LanguageLink:
    """The same link as seen from a sibling edition page (``CO/es/`` → ``../fr/``)."""
    return LanguageLink(link.code, link.tag, link.native, link.english, link.direction,
                        f"../{link.tag}/index.html", link.published)


def _canonical(project: Project, state: str, language: Language) -> str:
    base = project.settings.site_url
    return f"{base.rstrip('/')}/{edition_path(state, language)}" if base else ""


def _edition_html(project: Project, page: EditionPage, language: Language,
                  lookups: dict[str, Lookup], catalogs: Mapping[str, Translations],
                  published: bool) -> str:
    """The edition page in its language; a blocked edition whose catalog the build did not
    load (or cannot give the page's own strings) gets the page in English (never half
    translated)."""
    handout: Handout | None = None
    quotes: dict[str, list[Quote]] = {}
    if language.code in catalogs or language.code == SOURCE_LANGUAGE:
        if language.code not in lookups:
            # The catalog the build checked and printed from, never the file again.
            lookups[language.code] = Lookup(language.code, catalogs[language.code])
        lookup = lookups[language.code]
        try:
            if published:
                handout, quotes = build_web_edition(project, page.state, language, lookup)
                page.state_name = handout.state_name
            return render_edition(project, lookup, page, handout, quotes)
        except (CatalogError, KeyError, ValueError, TypeError):
            if published:
                raise  # the build printed this language: its catalog must give every string
    elif published:
        raise BuildError(f"{language.code}: published but not in the build's snapshot")
    english = languages_of(project.root).by_code[SOURCE_LANGUAGE]
    page.lang_tag, page.direction = english.tag, english.direction
    lookup = lookups.setdefault(SOURCE_LANGUAGE, Lookup(SOURCE_LANGUAGE, None))
    return render_edition(project, lookup, page, None, {})


def reviewer_of(project: Project, state: str, lang: str,
                catalog: Translations | None = None) -> str:
    """Who reviewed every entry of this handout, for "Translation reviewed by …"."""
    status = review_status(project, state, lang, catalog)
    return status.removeprefix("reviewed by ") if status.startswith("reviewed by ") else ""


def render_edition(project: Project, lookup: Lookup, page: EditionPage, handout: Handout | None,
                   quotes: dict[str, list[Quote]], extra: Markup | None = None) -> str:
    """One edition page; ``extra`` is markup appended to the body (only the live preview's
    reload script and problem list use it; the published site passes nothing)."""
    env = _environment(project, lookup)
    try:
        headings = section_headings(env, handout, project) if handout is not None else {}
        return env.get_template("site-edition.html").render(
            page=page, h=handout, quotes=quotes, extra=extra or Markup(""), headings=headings)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{TEMPLATES_DIR}/{exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {TEMPLATES_DIR}/{exc.name} not found") from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{TEMPLATES_DIR}/site-edition.html: {exc.message}") from exc


def _write_zip(site: Path, state: str) -> str:
    """Every PDF of the state in one zip: sorted names, fixed timestamps, fixed permissions."""
    pdfs = sorted(site.glob(f"{state}/*/{state}-*.pdf"))
    if not pdfs:
        return ""
    name = f"{state}-handouts.zip"
    with zipfile.ZipFile(site / state / name, "w", zipfile.ZIP_DEFLATED) as archive:
        for pdf in pdfs:
            info = zipfile.ZipInfo(pdf.name, ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, pdf.read_bytes())
    return name


def _source_sections(project: Project, state: str) -> list[dict[str, Any]]:
    claims = project.printed_claims(state)
    sections: list[dict[str, Any]] = []
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
            sections.append({"id": section, "title": SECTION_TITLES[section], "claims": items})
    return sections
