"""The check: named rules over loaded content and catalogs. Nothing prints that fails them.

Each rule yields :class:`~handouts.errors.Problem` with a rule id, so a maintainer can look a
finding up and a test can assert it. ``today`` is always passed in: the check never reads the
clock itself, so tests do not depend on the calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .catalogs import (
    Translations,
    UiMessage,
    extract_template_messages,
    open_catalog,
    translation_problems,
)
from .errors import Problem
from .freshness import due_soon
from .glossary import glossary_problems, load_glossary
from .languages import SOURCE_LANGUAGE, languages_of
from .loader import Project, load_project
from .models import MAX_CLAIMS, MAX_QUOTE_CHARS, MAX_TEXT_CHARS, Claim, Include, Source
from .provenance import outdated_problems, read_bases
from .qa import CONTROL_RULE, MONTH_RULE, TOKEN_RULES, WARNING_RULES
from .reviews import read_reviews, unreviewed_problems
from .tokens import forbidden_controls

#: Rule ids with a one-line description, listed by ``sheets check --list-rules``.
RULES: dict[str, str] = {
    "yaml-syntax": "the file is not valid YAML",
    "yaml-tag": "a YAML tag (!!python/object, !custom): content is plain data",
    "yaml-merge-key": "a YAML merge key (<<)",
    "file-too-large": "a content file over the size or node limit",
    "file-unreadable": "a content file cannot be read",
    "duplicate-key": "a key appears twice in one mapping",
    "unknown-key": "a key the format does not define",
    "missing-field": "a required key is absent",
    "invalid-value": "a value of the wrong type or form",
    "empty-file": "a content file holds no data",
    "state-mismatch": "a sheet's state code differs from its file name",
    "unknown-state": "no sheet for a requested state",
    "duplicate-id": "two claims or two sources share an id",
    "claim-no-citation": "a claim cites nothing",
    "contact-no-citation": "a help contact cites nothing",
    "contact-phone-unquoted": "a contact's phone number appears in none of its quotes",
    "citation-unknown-source": "a citation names a source not in sources.yaml",
    "citation-no-locator": "a citation does not say where in the source",
    "citation-no-quote": "a citation has no quote",
    "quote-too-long": f"a quote is over {MAX_QUOTE_CHARS} characters",
    "source-incomplete": "a cited source lacks a title, publisher, URL or accessed date",
    "source-not-https": "a source URL is not https",
    "claim-stale": "a claim is past its re-check date",
    "date-in-future": "a checked, accessed or published date after today",
    "include-unknown": "a sheet includes a federal claim that does not exist",
    "source-unused": "a source no claim cites (warning)",
    "duplicate-url": "two source ids for one URL (warning)",
    "catalog-missing": "no catalog for a requested language",
    "catalog-syntax": "a catalog cannot be read",
    "translation-missing": "a printed string has no translation",
    "translation-fuzzy": "a printed string's translation is marked fuzzy (outdated)",
    "catalog-not-updated": "a printed string is new or changed in English and the catalog "
                           "has not been updated since",
    "translation-outdated": "a translation of outdated English whose fuzzy flag was removed",
    "translation-unreviewed": "a handout prints entries no review record approves "
                              "(--release only)",
    "claim-due-soon": "a claim's re-check date is within 30 days (warning)",
    "translation-glossary": "a translation does not use the glossary's rendering of a term "
                            "(warning)",
    "glossary-invalid": "translations/glossary.yaml cannot be used",
    "language-invalid": "an entry of translations/languages.yaml is not a usable language",
    "reviews-invalid": "a review or translated-from file cannot be read (warning)",
    **{rule: f"a translation's {kind}s differ from the English"
       for kind, rule in TOKEN_RULES.items()},
    **{rule: f"{text} (warning)" for rule, text in WARNING_RULES.items()},
    CONTROL_RULE: "a translation holds control or bidi-override characters",
    MONTH_RULE: "a translation names a month the English does not (CLDR month names)",
    "settings-invalid": "sources_url is not an https address with {state}",
    "text-control-chars": "control or bidi-override characters in printed text",
    "contact-website-not-https": "a contact's website is not https",
    "too-many-claims": f"a sheet has more than {MAX_CLAIMS} claims",
    "text-too-long": f"a claim is over {MAX_TEXT_CHARS} characters",
    "render-failed": "WeasyPrint or the glyph check refused a handout (build only)",
    "page-overflow": "a handout is over two pages at the smallest type (build only)",
}


#: Translations merely missing or fuzzy after an English change: they withhold their handouts
#: and are reported as one summary with the next step; they fail only with
#: ``--require-translations`` (implied by ``--release``).
PENDING_RULES = frozenset({"catalog-not-updated", "translation-missing", "translation-fuzzy",
                           "catalog-missing"})


@dataclass
class Report:
    """All problems found, and which handouts they block."""

    problems: list[Problem] = field(default_factory=list)
    require_translations: bool = False
    drafts: frozenset[str] = frozenset()
    """Draft languages: their problems withhold their handouts but never fail."""

    def fails(self, problem: Problem) -> bool:
        """Whether ``problem`` makes check, build and site exit 1."""
        if problem.severity != "error" or (problem.lang is not None
                                           and problem.lang in self.drafts):
            return False
        return self.require_translations or problem.rule not in PENDING_RULES

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if self.fails(p)]

    @property
    def pending(self) -> list[Problem]:
        """Errors that withhold handouts without failing (see :data:`PENDING_RULES`)."""
        return [p for p in self.problems if p.severity == "error" and not self.fails(p)]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def blockers(self, state: str, lang: str) -> list[Problem]:
        return [p for p in self.problems if p.blocks(state, lang)]

    def extend(self, problems: Iterable[Problem]) -> None:
        seen = set(self.problems)
        for problem in problems:
            if problem not in seen:
                seen.add(problem)
                self.problems.append(problem)

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.path, p.line, p.rule, p.message))


def check_content(project: Project, today: dt.date) -> list[Problem]:
    """Every content rule over the whole project. Problems are scoped to the states they block."""
    problems = list(project.problems)
    problems += _duplicate_ids(project)
    problems += _settings_rules(project)
    problems += _unused_sources(project)
    for source in project.sources.values():
        problems += _future_dates(source, today, scope=None)
    for state in project.state_codes():
        sheet = project.states[state]
        for entry in sheet.claims:
            if (isinstance(entry, Include)
                    and entry.include.removeprefix("US/") not in project.federal):
                problems.append(Problem(
                    entry.path, entry.line, "include-unknown",
                    f"no federal claim {entry.include!r} in sheets/US.yaml", state=state))
        if len(sheet.claims) > MAX_CLAIMS:
            problems.append(Problem(sheet.path, sheet.line_of("claims"), "too-many-claims",
                                    f"{len(sheet.claims)} entries (limit {MAX_CLAIMS})",
                                    state=state))
            continue
        for claim in project.printed_claims(state):
            problems += [_scope(p, state) for p in _claim_rules(claim, project, today)]
    return problems


def _scope(problem: Problem, state: str) -> Problem:
    return Problem(problem.path, problem.line, problem.rule, problem.message,
                   problem.severity, state, problem.lang)


def _claim_rules(claim: Claim, project: Project, today: dt.date) -> Iterator[Problem]:
    if not claim.citations:
        if claim.contact is not None:
            yield Problem(claim.path, claim.line, "contact-no-citation",
                          f"{claim.key}: help contact {claim.contact.organization!r} cites "
                          "no source; a wrong phone number is harm")
        else:
            yield Problem(claim.path, claim.line, "claim-no-citation",
                          f"{claim.key}: claim cites no source; no source, no print")
    if claim.checked > today:
        yield Problem(claim.path, claim.line_of("checked"), "date-in-future",
                      f"{claim.key}: checked {claim.checked} is after today ({today})")
    elif claim.due < today:
        yield Problem(claim.path, claim.line_of("checked"), "claim-stale",
                      f"{claim.key}: last checked {claim.checked}, re-check was due {claim.due} "
                      f"(every {claim.recheck_interval} days)")
    if len(claim.text) > MAX_TEXT_CHARS:
        yield Problem(claim.path, claim.line_of("text"), "text-too-long",
                      f"{claim.key}: {len(claim.text)} characters (limit {MAX_TEXT_CHARS})")
    yield from _controls(claim.text, claim.path, claim.line_of("text"), claim.key)
    for citation in claim.citations:
        yield from _controls(citation.quote, citation.path, citation.line_of("quote"), claim.key)
        source = project.sources.get(citation.source)
        if source is None:
            yield Problem(citation.path, citation.line_of("source"), "citation-unknown-source",
                          f"{claim.key}: cites unknown source {citation.source!r}")
        else:
            yield from _source_rules(source)
        if not citation.locator:
            yield Problem(citation.path, citation.line, "citation-no-locator",
                          f"{claim.key}: citation of {citation.source!r} has no locator")
        if not citation.quote:
            yield Problem(citation.path, citation.line, "citation-no-quote",
                          f"{claim.key}: citation of {citation.source!r} has no quote")
        elif len(citation.quote) > MAX_QUOTE_CHARS:
            yield Problem(citation.path, citation.line_of("quote"), "quote-too-long",
                          f"{claim.key}: quote is {len(citation.quote)} characters "
                          f"(limit {MAX_QUOTE_CHARS})")
    contact = claim.contact
    if contact is not None and contact.website and not contact.website.startswith("https://"):
        yield Problem(contact.path, contact.line_of("website"), "contact-website-not-https",
                      f"{claim.key}: website must start with https:// ({contact.website})")
    if contact is not None:
        for name in ("organization", "phone", "website"):
            yield from _controls(getattr(contact, name) or "", contact.path,
                                 contact.line_of(name), claim.key)
    if contact is not None and contact.phone and claim.citations:
        digits = _digits(contact.phone)
        if not any(digits in _digits(c.quote) for c in claim.citations):
            yield Problem(contact.path, contact.line_of("phone"), "contact-phone-unquoted",
                          f"{claim.key}: phone {contact.phone} appears in none of the quotes")


def _controls(text: str, path: str, line: int, label: str) -> Iterator[Problem]:
    found = forbidden_controls(text)
    if found:
        codes = ", ".join(f"U+{ord(c):04X}" for c in found)
        yield Problem(path, line, "text-control-chars",
                      f"{label}: invisible control characters could reorder text ({codes})")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _source_rules(source: Source) -> Iterator[Problem]:
    for name in ("title", "publisher", "url"):
        yield from _controls(getattr(source, name), source.path, source.line_of(name),
                             f"source {source.id!r}")
    missing = [name for name in ("title", "publisher", "url", "accessed")
               if not getattr(source, name)]
    if missing:
        yield Problem(source.path, source.line, "source-incomplete",
                      f"source {source.id!r} lacks {', '.join(missing)}")
    if source.url and not source.url.startswith("https://"):
        yield Problem(source.path, source.line_of("url"), "source-not-https",
                      f"source {source.id!r}: URL must start with https:// ({source.url})")


def _future_dates(source: Source, today: dt.date, scope: str | None) -> Iterator[Problem]:
    for name in ("accessed", "published"):
        value = getattr(source, name)
        if value is not None and value > today:
            yield Problem(source.path, source.line_of(name), "date-in-future",
                          f"source {source.id!r}: {name} {value} is after today ({today})",
                          state=scope)


def _duplicate_ids(project: Project) -> Iterator[Problem]:
    first: dict[str, Source] = {}
    for source in project.all_sources:
        if source.id in first:
            yield Problem(source.path, source.line_of("id"), "duplicate-id",
                          f"source id {source.id!r} already used at "
                          f"{first[source.id].path}:{first[source.id].line}")
        else:
            first[source.id] = source
    by_url: dict[str, Source] = {}
    for source in project.all_sources:
        other = by_url.setdefault(source.url, source)
        if other is not source and other.id != source.id and source.url:
            yield Problem(source.path, source.line_of("url"), "duplicate-url",
                          f"source {source.id!r} has the URL of {other.id!r} "
                          f"({other.path}:{other.line}); cite one id", severity="warning")
    seen: dict[str, Claim] = {}
    for claim in project.all_claims:
        if claim.key in seen:
            state = None if claim.key.startswith("US/") else claim.key.split("/")[0]
            yield Problem(claim.path, claim.line_of("id"), "duplicate-id",
                          f"claim id {claim.key!r} already used at "
                          f"{seen[claim.key].path}:{seen[claim.key].line}",
                          state=state)
        else:
            seen[claim.key] = claim


def _settings_rules(project: Project) -> Iterator[Problem]:
    url = project.settings.sources_url
    if url is not None and not (url.startswith("https://") and "{state}" in url
                                and set(re.findall(r"{(\w*)}", url)) <= {"state", "lang"}):
        yield Problem(project.settings.path, project.settings.line_of("sources_url"),
                      "settings-invalid", f"sources_url {url!r} must be https and use {{state}} "
                      "(and optionally {lang})")


def _unused_sources(project: Project) -> Iterator[Problem]:
    # Only meaningful when every sheet was loaded; a partial load would flag false positives.
    if not project.complete:
        return
    cited = {c.source for claim in project.all_claims for c in claim.citations}
    for source in project.sources.values():
        if source.id not in cited:
            yield Problem(source.path, source.line, "source-unused",
                          f"source {source.id!r} is cited by no claim", severity="warning")


@dataclass
class Checked:
    """The loaded content, every problem found, and the catalogs read on the way."""

    project: Project
    report: Report
    catalogs: dict[str, Translations] = field(default_factory=dict)
    ui: list[UiMessage] = field(default_factory=list)


def check_project(root: Path, states: Sequence[str] | None, langs: Sequence[str],
                  today: dt.date, *, require_translations: bool = False,
                  release: bool = False) -> Checked:
    """Load the content and run every rule for the requested states and languages.

    ``release``: every printed entry needs a matching review record, and missing
    translations fail (as with ``require_translations``); draft languages count too.
    """
    project = load_project(root, list(states) if states else None)
    languages = languages_of(root)
    report = Report(require_translations=require_translations or release,
                    drafts=frozenset() if release else languages.drafts)
    checked = Checked(project, report, ui=extract_template_messages(root))
    checked.report.extend(languages.problems)
    checked.report.extend(check_content(project, today))
    checked.report.extend(due_soon(project, today))
    glossary = load_glossary(root)
    checked.report.extend(glossary.problems)
    for lang in langs:
        if lang == SOURCE_LANGUAGE:
            continue
        catalog, problems = open_catalog(root, lang)
        checked.report.extend(problems)
        if catalog is None:
            continue
        checked.catalogs[lang] = catalog
        bases, reviews = read_bases(root, lang), read_reviews(root, lang)
        checked.report.extend(bases.problems + reviews.problems)
        for state in project.state_codes():
            if state not in project.broken:
                checked.report.extend(
                    translation_problems(project, state, lang, checked.ui, catalog))
                checked.report.extend(outdated_problems(project, state, lang, checked.ui,
                                                        catalog, bases, reviews))
                checked.report.extend(glossary_problems(project, state, lang, catalog,
                                                        glossary))
                if release:
                    checked.report.extend(unreviewed_problems(project, state, lang, checked.ui,
                                                              catalog, reviews))
    return checked
