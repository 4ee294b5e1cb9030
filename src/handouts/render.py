"""Turn one (state, language) into HTML: the view model, the Jinja environment, the template.

The only free prose a handout prints is claims; headings, labels and disclaimers live in the
template and are translated like any UI string. Claims reach the template as plain text, so
autoescaping makes any markup in content or catalogs print as the characters it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import jinja2
from babel.dates import format_date
from babel.lists import format_list
from markupsafe import Markup, escape

from . import __version__
from .catalogs import TEMPLATES_DIR, Lookup
from .errors import RenderError
from .languages import Language
from .loader import Project
from .models import PROGRAM_SECTIONS, SECTIONS, Claim
from .pdf import weasyprint_version
from .reviews import handout_reviewed
from .tokens import LTR_RUN

TEMPLATE = "handout.html"
STYLESHEET = "handout.css"
PAPERS = ("letter", "a4")
#: A handout is one sheet of paper, printed on both sides.
MAX_PAGES = 2
#: Type steps the stylesheet defines (.fit-0 ... .fit-3): body 12, 11.5, 11.25, 11 pt.
FIT_STEPS = 4


@dataclass
class SourceEntry:
    number: int
    title: str
    """The full title, as published (the online sources page prints it)."""
    short_title: str
    """What the back page prints: the source's ``short_title``, or its title."""
    publisher: str
    url: str
    date: str
    """The source's own date, formatted for the handout's language (empty when unknown)."""


@dataclass
class ContactEntry:
    """A help contact; every field that is given is printed."""

    organization: str
    phone: str = ""
    website: str = ""
    """The full https address (a link in the web edition)."""
    website_label: str = ""
    """The address as printed: no ``https://``, no trailing slash."""
    hours: str = ""
    languages: str = ""


@dataclass
class ClaimEntry:
    key: str
    text: str
    """The claim in the handout's language, as plain text (the template escapes it)."""
    marks: list[int]
    """Numbers of the sources it cites, ascending."""
    marks_label: str = ""
    """The same numbers as one compact group: ``7, 13–16``."""
    contact: ContactEntry | None = None


@dataclass
class SectionEntry:
    name: str
    """A section id of :data:`handouts.models.SECTIONS`; the template gives its heading."""
    claims: list[ClaimEntry]


@dataclass
class Handout:
    """Everything a handout prints, already translated and formatted: the object the print
    template (and a web edition) receives. No field holds markup.

    Page 1 prints ``key_points`` (the "What this means for you" box) and ``help`` (the help
    box), then ``details``: the other sections that have claims, in print order. ``programs``
    names the program sections the handout covers, for its subtitle.
    """

    state: str
    state_name: str
    lang: str
    lang_tag: str
    direction: str
    fonts: list[str]
    reviewed: bool
    paper: str
    checked: str
    checked_iso: str
    created: str
    """PDF creation date: $SOURCE_DATE_EPOCH when set, else the facts' check date (never now)."""
    sections: dict[str, list[ClaimEntry]]
    """Every section id (print order) with its claims; empty lists for unused sections."""
    sources: list[SourceEntry]
    online_url: str = ""
    """This handout's online sources page, when the project has one (settings.yaml)."""
    online_label: str = ""
    """The same address as printed under the QR code (no ``https://``)."""
    qr_svg: str = ""
    """The same address as a QR code (inline SVG, generated here; no network)."""
    edition: str = ""
    print_shop: bool = False
    fit: int = 0
    """Type step (0 = largest type); see FIT_STEPS and handout.css."""

    @property
    def key_points(self) -> list[ClaimEntry]:
        return self.sections["key-points"]

    @property
    def help(self) -> list[ClaimEntry]:
        return self.sections["get-help"]

    @property
    def details(self) -> list[SectionEntry]:
        return [SectionEntry(name, claims) for name, claims in self.sections.items()
                if claims and name not in PAGE_ONE_SECTIONS]

    @property
    def programs(self) -> list[str]:
        return [name for name in PROGRAM_SECTIONS if self.sections[name]]


#: The class of the help box's contact cards in the template: page fitting keeps the first
#: one (a number to call) on page 1.
HELP_BOX = "contact"
#: Sections printed in page 1's boxes rather than among the details.
PAGE_ONE_SECTIONS = ("key-points", "get-help")


def checked_date(claims: list[Claim]) -> dt.date:
    """The handout's "facts checked on" date: the oldest check, so it never overstates."""
    return min(claim.checked for claim in claims)


def marks_label(marks: list[int]) -> str:
    """``[7, 13, 14, 15, 16]`` → ``7, 13–16``: runs of three or more become a range."""
    groups: list[list[int]] = []
    for mark in sorted(set(marks)):
        if groups and mark == groups[-1][-1] + 1:
            groups[-1].append(mark)
        else:
            groups.append([mark])
    parts: list[str] = []
    for group in groups:
        if len(group) >= 3:
            parts.append(f"{group[0]}\u2013{group[-1]}")
        else:
            parts.extend(str(mark) for mark in group)
    return ", ".join(parts)


def address_label(url: str) -> str:
    """An https address as a person types it: ``example.org/CO/es`` (a "www." stays: not
    every site answers without it)."""
    return url.removeprefix("https://").rstrip("/")


def reading_order(claims: list[Claim]) -> list[Claim]:
    """Claims in the order the reader meets them (page 1's boxes first): sources are numbered
    in this order, on paper and on the web alike."""
    order = {name: index for index, name in enumerate(SECTIONS)}
    return sorted(claims, key=lambda c: order[c.section])


def build_handout(project: Project, state: str, language: Language, lookup: Lookup,
                  paper: str = "letter") -> Handout:
    claims = project.printed_claims(state)
    numbers: dict[str, int] = {}
    sources: list[SourceEntry] = []
    sections: dict[str, list[ClaimEntry]] = {name: [] for name in SECTIONS}
    locale = language.locale
    for claim in reading_order(claims):
        marks = []
        for citation in claim.citations:
            source = project.sources[citation.source]
            if source.id not in numbers:
                numbers[source.id] = len(numbers) + 1
                date = (format_date(source.published, "long", locale=locale)
                        if source.published else "")
                if date and language.direction == "rtl":
                    # An Arabic date inside the left-to-right reference list: isolate it
                    # (RLI ... PDI) so its day, month and year keep their order.
                    date = f"\u2067{date}\u2069"
                sources.append(SourceEntry(numbers[source.id], source.title,
                                           source.short_title or source.title,
                                           source.publisher, source.url, date))
            if numbers[source.id] not in marks:
                marks.append(numbers[source.id])
        entry = ClaimEntry(claim.key, lookup.claim(claim), sorted(marks), marks_label(marks))
        if claim.contact is not None:
            contact = claim.contact
            entry.contact = ContactEntry(
                contact.organization, contact.phone or "", contact.website or "",
                address_label(contact.website or ""),
                lookup.content(contact.hours, f"{claim.key}/hours") if contact.hours else "",
                lookup.content(contact.languages, f"{claim.key}/languages")
                if contact.languages else "")
        sections[claim.section].append(entry)
    checked = checked_date(claims)
    online_url = online_address(project, state, language)
    handout = Handout(
        state=state,
        state_name=lookup.content(project.states[state].name, f"{state}/name"),
        lang=language.code,
        lang_tag=language.tag,
        direction=language.direction,
        fonts=list(language.fonts),
        reviewed=handout_reviewed(project, state, language.code, lookup),
        paper=paper,
        checked=format_date(checked, "long", locale=locale),
        checked_iso=checked.isoformat(),
        created=_creation_date(checked),
        sections=sections,
        sources=sources,
        online_url=online_url,
        online_label=address_label(online_url),
        qr_svg=_qr_svg(online_url) if online_url else "",
    )
    return handout


def edition_path(state: str, language: Language) -> str:
    """Where a handout's web edition lives in the site, relative to its root: ``CO/es/``."""
    return f"{state}/{language.tag}/"


def online_address(project: Project, state: str, language: Language) -> str:
    """The address a handout's QR code and printed short address give: its web edition under
    ``site_url``, else the older ``sources_url`` pattern; empty when neither is set."""
    settings = project.settings
    if settings.site_url:
        return f"{settings.site_url.rstrip('/')}/{edition_path(state, language)}"
    if settings.sources_url:
        return settings.sources_url.format(state=state, lang=language.tag)
    return ""


def _creation_date(checked: dt.date) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    else:
        moment = dt.datetime.combine(checked, dt.time(), tzinfo=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _qr_svg(url: str) -> str:
    import segno

    # Error level M survives a smudge or a fold; a border of 4 modules is the scanners' minimum.
    return str(segno.make(url, error="m").svg_inline(scale=2, border=4, omitsize=True))


def isolate(text: str, rtl: bool = False) -> Markup:
    """Escape ``text``, isolating URLs, phone numbers and bill ids as left-to-right runs.

    Each piece is escaped on its own, so content and translations still cannot inject markup;
    the only tags in the result are the ``<bdi>`` we add around matches of fixed patterns. In
    right-to-left text the runs are also wrapped in Unicode isolates (LRI ... PDI), which Pango's
    bidi algorithm honours even where CSS ``unicode-bidi`` is not supported.
    """
    start, end_mark = ("\u2066", "\u2069") if rtl else ("", "")
    out = Markup()
    end = 0
    for match in LTR_RUN.finditer(text):
        out += escape(text[end:match.start()])
        out += Markup('<bdi dir="ltr">%s%s%s</bdi>') % (start, match.group(0), end_mark)
        end = match.end()
    return out + escape(text[end:])


def join_list(items: Iterable[str], lang: str) -> Markup:
    """Translated names joined with the language's own list pattern ("A, B and C", "A、B和C").

    The names are escaped once (template strings arrive as Markup); the pattern's own words
    are escaped here, so neither can inject markup.
    """
    names = [escape(item) for item in items]
    slots = [f"\x00{index}\x00" for index in range(len(names))]
    joined = escape(format_list(slots, locale=lang))
    return Markup(re.sub("\x00(\\d+)\x00", lambda m: str(names[int(m.group(1))]), joined))


_ENVIRONMENTS: dict[tuple[str, Lookup], jinja2.Environment] = {}


def make_environment(project: Project, lookup: Lookup) -> jinja2.Environment:
    """One environment per (template snapshot, language): templates are compiled once per
    process. It loads templates from ``project.templates``, the snapshot read with the content,
    never from the disk."""
    key = (project.templates_digest, lookup)
    env = _ENVIRONMENTS.get(key)
    if env is not None:
        return env
    env = jinja2.Environment(
        loader=jinja2.DictLoader(dict(project.templates)),
        autoescape=True,
        # An empty gap on a printed handout is a silent lie: undefined names must fail.
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(lookup, newstyle=True)  # type: ignore[attr-defined]
    env.filters["isolate"] = isolate
    env.filters["join_list"] = lambda items: join_list(items, lookup.lang)
    if len(_ENVIRONMENTS) >= 64:
        _ENVIRONMENTS.clear()
    _ENVIRONMENTS[key] = env
    return env


def edition_id(handout: Handout, project: Project) -> str:
    """A short hash of everything that shapes the page: facts, translations, template, code,
    and the renderer's version (a new WeasyPrint lays out and writes other bytes, so it makes a
    new edition: two copies with the same id are the same file)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(asdict(handout), sort_keys=True, ensure_ascii=False).encode())
    for name in (TEMPLATE, STYLESHEET):
        digest.update(project.template(name).encode())
    digest.update(__version__.encode() + b"\0" + weasyprint_version().encode())
    return digest.hexdigest()[:10]


def render_html(project: Project, state: str, language: Language, lookup: Lookup,
                paper: str = "letter", fit: int = 0,
                print_shop: bool = False) -> tuple[str, Handout]:
    handout = build_handout(project, state, language, lookup, paper)
    handout.fit = fit
    handout.print_shop = print_shop
    handout.edition = edition_id(handout, project)
    env = make_environment(project, lookup)
    try:
        template = env.get_template(TEMPLATE)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {TEMPLATES_DIR}/{exc.name} not found") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{TEMPLATES_DIR}/{TEMPLATE}:{exc.lineno}: {exc.message}") from exc
    try:
        html = template.render(template_context(handout, project))
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{TEMPLATES_DIR}/{TEMPLATE}: {exc.message}") from exc
    return html, handout


@dataclass
class Quote:
    """One citation of a claim, for the web edition: which numbered source, where, what."""

    number: int
    locator: str
    quote: str


def build_web_edition(project: Project, state: str, language: Language,
                      lookup: Lookup) -> tuple[Handout, dict[str, list[Quote]]]:
    """The handout's data exactly as the PDF gets it, plus each claim's quotes by claim key
    (the web edition shows them; the printed page has no room). Numbers match ``sources``."""
    handout = build_handout(project, state, language, lookup)
    handout.edition = edition_id(handout, project)
    numbers: dict[str, int] = {}
    quotes: dict[str, list[Quote]] = {}
    for claim in reading_order(project.printed_claims(state)):
        for citation in claim.citations:
            number = numbers.setdefault(citation.source, len(numbers) + 1)
            quotes.setdefault(claim.key, []).append(
                Quote(number, citation.locator, citation.quote))
    return handout, quotes


def template_context(handout: Handout, project: Project) -> dict[str, object]:
    """What the handout template is rendered with (the PDF, and the web edition's headings).
    The stylesheet is inlined from the snapshot: WeasyPrint then reads no template file."""
    return {"h": handout, "stylesheet": Markup(project.template(STYLESHEET)),  # noqa: S704
            "qr": Markup(handout.qr_svg)}


def section_headings(env: jinja2.Environment, handout: Handout,
                     project: Project) -> dict[str, str]:
    """The printed template's section headings (its top-level ``headings`` mapping) in the
    handout's language: the web edition prints exactly these, so the two cannot drift apart
    and translators see each heading once."""
    try:
        module = env.get_template(TEMPLATE).make_module(template_context(handout, project))
    except jinja2.TemplateError as exc:
        raise RenderError(f"{TEMPLATES_DIR}/{TEMPLATE}: {exc}") from exc
    headings = getattr(module, "headings", None)
    if not isinstance(headings, dict):
        raise RenderError(f"{TEMPLATES_DIR}/{TEMPLATE} defines no `headings` mapping (the web "
                          "edition takes its section headings from it)")
    return {str(name): str(text) for name, text in headings.items()}
