"""The check: named rules over loaded content and catalogs. Nothing prints that fails them.

Each rule yields :class:`~handouts.errors.Problem` with a rule id, so a maintainer can look a
finding up and a test can assert it. ``today`` is always passed in: the check never reads the
clock itself, so tests do not depend on the calendar.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .catalogs import (
    LOCK_RULE,
    Translations,
    UiMessage,
    extract_template_messages,
    locked_problems,
    open_catalog,
    translation_problems,
)
from .errors import Problem, shown
from .freshness import due_soon
from .glossary import glossary_problems, load_glossary
from .languages import SOURCE_LANGUAGE, languages_of
from .loader import Project, load_project
from .models import (
    MAX_CLAIMS,
    MAX_KEY_POINTS,
    MAX_QUOTE_CHARS,
    MAX_TEXT_CHARS,
    MIN_KEY_POINTS,
    Citation,
    Claim,
    Contact,
    Include,
    Source,
    StateFile,
)
from .provenance import outdated_problems, read_bases
from .qa import CONTROL_RULE, FORMAT_RULE, MONTH_RULE, TOKEN_RULES, WARNING_RULES
from .readability import MAX_CLAIM_GRADE, MAX_HANDOUT_GRADE, combined_grade, grade
from .reviews import Reviews, read_reviews, unreviewed_problems
from .tokens import as_phone_number, forbidden_controls, missing_numbers, phone_numbers
from .urls import url_problem

#: Caps that keep a name or a title on its line of the page (a 1,600-character state name ran
#: off it), and the shortest quote that can support anything unless it is a whole sentence.
MAX_NAME_CHARS = 60
MAX_TITLE_CHARS = 300
MAX_LOCATOR_CHARS = 200
MIN_QUOTE_CHARS = 20

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
    "duplicate-state": "two sheet files map to one state code (co.yaml and CO.yaml)",
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
    "source-not-https": "a source URL or archive_url is not a plain https address",
    "url-credentials": "an address holds a user name or password",
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
    MONTH_RULE: "a month the English names is not named in the translation (CLDR names)",
    FORMAT_RULE: "a template string's translation the template cannot fill in (a lone %)",
    LOCK_RULE: "the not-yet-reviewed notice's translation differs from its recorded review",
    "settings-invalid": "sources_url is not an https address with {state}",
    "text-control-chars": "control or bidi-override characters in printed text",
    "contact-website-not-https": "a contact's website is not https",
    "too-many-claims": f"a sheet has more than {MAX_CLAIMS} claims",
    "text-too-long": f"a claim is over {MAX_TEXT_CHARS} characters",
    "sheet-empty": "a state's handout would print no claim",
    "duplicate-include": "a sheet includes the same federal claim twice",
    "quote-too-short": f"a quote under {MIN_QUOTE_CHARS} characters that is not a whole sentence",
    "key-points-count": f"a sheet prints fewer than {MIN_KEY_POINTS} or more than "
                        f"{MAX_KEY_POINTS} key points",
    "help-missing": "a sheet has no get-help contact that prints a phone number or a website",
    "help-not-on-page-1": "a handout whose help box lands on page 2 at every type step "
                          "(warning; it still prints)",
    "claim-number-unquoted": "a number, phone, year, date or amount in a claim's text (or its "
                             "contact's hours) appears in none of its quotes",
    "claim-open": "a claim has an open question (open:); it never prints",
    "claim-reading-level": f"a claim's English is above Flesch-Kincaid grade "
                           f"{MAX_CLAIM_GRADE:g} (warning)",
    "reading-level": f"a handout's English averages above Flesch-Kincaid grade "
                     f"{MAX_HANDOUT_GRADE:g}",
    "source-title-placeholder": "a source's title is a bracketed placeholder, not a real title",
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
    draft_states: frozenset[str] = frozenset()
    """Draft states (``status: draft``): likewise, for every language of the state."""

    def fails(self, problem: Problem) -> bool:
        """Whether ``problem`` makes check, build and site exit 1."""
        if problem.severity != "error" or (problem.lang is not None
                                           and problem.lang in self.drafts):
            return False
        if problem.state is not None and problem.state in self.draft_states:
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
        problems += _sheet_rules(project, state)
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
        problems += [_scope(p, state) for p in _open_claims(sheet, project)]
        if state not in project.broken:
            problems += [_scope(p, state)
                         for p in _handout_rules(sheet, project.printed_claims(state))]
    return problems


def _sheet_rules(project: Project, state: str) -> Iterator[Problem]:
    """What a sheet itself must be: some claim to print, each include once, a plain name."""
    sheet = project.states[state]
    if state in project.broken:
        return
    if not project.printed_claims(state):
        yield Problem(sheet.path, sheet.line_of("claims"), "sheet-empty",
                      f"{state}: the handout would print no claim; add claims or includes",
                      state=state)
    seen: dict[str, int] = {}
    for entry in sheet.claims:
        if isinstance(entry, Include):
            if entry.include in seen:
                yield Problem(entry.path, entry.line, "duplicate-include",
                              f"{entry.include} is already included at line "
                              f"{seen[entry.include]}; it would print twice", state=state)
            else:
                seen[entry.include] = entry.line
    for problem in _controls(sheet.name, sheet.path, sheet.line_of("name"), f"{state} name"):
        yield _scope(problem, state)
    if len(sheet.name) > MAX_NAME_CHARS:
        yield Problem(sheet.path, sheet.line_of("name"), "text-too-long",
                      f"{state}: name is {len(sheet.name)} characters (limit {MAX_NAME_CHARS})",
                      state=state)


def _too_long(node: Source | Contact | Citation, field: str, limit: int,
              label: str) -> Iterator[Problem]:
    value = getattr(node, field) or ""
    if len(value) > limit:
        yield Problem(node.path, node.line_of(field), "text-too-long",
                      f"{label}: {field} is {len(value)} characters (limit {limit})")


def _whole_sentence(quote: str) -> bool:
    """A short quote may stand if it is a whole sentence ("Records are confidential.")."""
    return bool(re.fullmatch(r"[\"'\u201c(]?[A-Z0-9].*\s.*[.!?][\"'\u201d)]?", quote))


def _open_claims(sheet: StateFile, project: Project) -> Iterator[Problem]:
    for entry in sheet.claims:
        claim = (project.federal.get(entry.include.removeprefix("US/"))
                 if isinstance(entry, Include) else entry)
        if claim is not None and claim.open is not None:
            yield Problem(claim.path, claim.line_of("open"), "claim-open",
                          f"{claim.key}: open question ({claim.open}); a claim with an open "
                          "question never prints: resolve it and remove `open:`, or remove the "
                          "claim from the sheet")


def _handout_rules(sheet: StateFile, claims: list[Claim]) -> Iterator[Problem]:
    """What every handout needs: its key points, a way to get help, plain English."""
    line = sheet.line_of("claims")
    key_points = sum(claim.section == "key-points" for claim in claims)
    if not MIN_KEY_POINTS <= key_points <= MAX_KEY_POINTS:
        yield Problem(sheet.path, line, "key-points-count",
                      f"{sheet.state}: {key_points} key points print; page 1 needs "
                      f"{MIN_KEY_POINTS} to {MAX_KEY_POINTS} (section: key-points), each one "
                      "short sentence a family can act on")
    if not any(claim.section == "get-help" and claim.contact is not None
               and (claim.contact.phone or claim.contact.website) for claim in claims):
        yield Problem(sheet.path, line, "help-missing",
                      f"{sheet.state}: no help to print; add a get-help claim whose contact "
                      "gives a phone number or a website (with a quote that holds it)")
    average = combined_grade(claim.text for claim in claims)
    if claims and average > MAX_HANDOUT_GRADE:
        yield Problem(sheet.path, line, "reading-level",
                      f"{sheet.state}: the printed English reads at Flesch-Kincaid grade "
                      f"{average:.1f} (limit {MAX_HANDOUT_GRADE:g}); shorten sentences and use "
                      "common words, starting with the claims graded highest")


@dataclass(frozen=True)
class ReadingLevel:
    """A handout's Flesch-Kincaid grade (its printed English together) and each claim's."""

    state: str
    grade: float
    claims: dict[str, float]


def reading_levels(project: Project) -> list[ReadingLevel]:
    levels = []
    for state in project.state_codes():
        if state in project.broken:
            continue
        claims = project.printed_claims(state)
        levels.append(ReadingLevel(state, combined_grade(c.text for c in claims),
                                   {c.key: grade(c.text) for c in claims}))
    return levels


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
    yield from _number_rules(claim)
    level = grade(claim.text)
    if level > MAX_CLAIM_GRADE:
        yield Problem(claim.path, claim.line_of("text"), "claim-reading-level",
                      f"{claim.key}: reads at Flesch-Kincaid grade {level:.1f} (aim for 8 or "
                      "below): shorter sentences, common words, the answer first",
                      severity="warning")
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
        elif len(re.findall(r"\w", citation.locator)) < 2:
            yield Problem(citation.path, citation.line_of("locator"), "citation-no-locator",
                          f"{claim.key}: locator {shown(citation.locator, 40)!r} names no "
                          "place (a section, page or paragraph)")
        yield from _too_long(citation, "locator", MAX_LOCATOR_CHARS, claim.key)
        if citation.quote and len(citation.quote) < MIN_QUOTE_CHARS and not _whole_sentence(
                citation.quote):
            yield Problem(citation.path, citation.line_of("quote"), "quote-too-short",
                          f"{claim.key}: quote {shown(citation.quote, 40)!r} is under "
                          f"{MIN_QUOTE_CHARS} characters and not a whole sentence; quote "
                          "the words that support the claim")
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
                      f"{claim.key}: website must start with https:// "
                      f"({shown(contact.website, 80)})")
    elif contact is not None and contact.website and url_problem(contact.website):
        rule, reason = url_problem(contact.website) or ("", "")
        yield Problem(contact.path, contact.line_of("website"),
                      "url-credentials" if rule == "url-credentials"
                      else "contact-website-not-https",
                      f"{claim.key}: website {reason} ({shown(contact.website, 80)})")
    if contact is not None:
        yield from _too_long(contact, "organization", MAX_NAME_CHARS * 2, claim.key)
        for name in ("organization", "phone", "website", "hours", "languages"):
            yield from _controls(getattr(contact, name) or "", contact.path,
                                 contact.line_of(name), claim.key)
    if contact is not None and contact.phone and claim.citations:
        # Compared as phone numbers, digit for digit: not a substring of all of a quote's
        # digits run together ("2" or two quoted numbers stitched together would pass).
        digits = as_phone_number(contact.phone)
        if digits is None:
            yield Problem(contact.path, contact.line_of("phone"), "contact-phone-unquoted",
                          f"{claim.key}: phone {shown(contact.phone, 40)!r} is not a phone "
                          "number (write it as in the quote, e.g. 1-800-555-0100)")
        elif not any(digits in phone_numbers(c.quote) for c in claim.citations):
            yield Problem(contact.path, contact.line_of("phone"), "contact-phone-unquoted",
                          f"{claim.key}: phone {shown(contact.phone, 40)} is none of the "
                          "phone numbers in the quotes")


def _number_rules(claim: Claim) -> Iterator[Problem]:
    """Every number printed in a claim must be one its sources give (or its contact's own)."""
    quotes = [citation.quote for citation in claim.citations]
    contact = claim.contact
    own = [contact.phone or "", contact.website or ""] if contact is not None else []
    missing = missing_numbers(claim.text, quotes + own)
    if missing and claim.citations:
        yield Problem(claim.path, claim.line_of("text"), "claim-number-unquoted",
                      f"{claim.key}: {', '.join(missing)} appear(s) in none of the quotes; "
                      "copy the number from the source or quote the passage that holds it")
    if contact is not None and contact.hours and claim.citations:
        missing = missing_numbers(contact.hours, quotes)
        if missing:
            yield Problem(contact.path, contact.line_of("hours"), "claim-number-unquoted",
                          f"{claim.key}: hours {', '.join(missing)} appear(s) in none of the "
                          "quotes")


def _controls(text: str, path: str, line: int, label: str) -> Iterator[Problem]:
    found = forbidden_controls(text)
    if found:
        codes = ", ".join(f"U+{ord(c):04X}" for c in found)
        yield Problem(path, line, "text-control-chars",
                      f"{label}: invisible control characters could reorder text ({codes})")


def _source_rules(source: Source) -> Iterator[Problem]:
    for name in ("title", "short_title", "publisher", "url"):
        yield from _controls(getattr(source, name) or "", source.path, source.line_of(name),
                             f"source {source.id!r}")
    label = f"source {source.id!r}"
    yield from _too_long(source, "title", MAX_TITLE_CHARS, label)
    yield from _too_long(source, "publisher", MAX_NAME_CHARS * 2, label)
    missing = [name for name in ("title", "publisher", "url", "accessed")
               if not getattr(source, name)]
    if missing:
        yield Problem(source.path, source.line, "source-incomplete",
                      f"source {source.id!r} lacks {', '.join(missing)}")
    for name in ("title", "short_title"):
        value = (getattr(source, name) or "").strip()
        if value.startswith("[") and value.endswith("]"):
            yield Problem(source.path, source.line_of(name), "source-title-placeholder",
                          f"source {source.id!r}: {name} {value!r} is a placeholder; give the "
                          "title as the source publishes it")
    yield from _url_rules(source)


def _url_rules(source: Source) -> Iterator[Problem]:
    """``url`` and ``archive_url`` under the same rules: verify-sources fetches both."""
    for name in ("url", "archive_url"):
        value = getattr(source, name)
        problem = url_problem(value) if value else None
        if problem is not None:
            rule, reason = problem
            label = "URL" if name == "url" else "archive_url"
            yield Problem(source.path, source.line_of(name), rule,
                          f"source {source.id!r}: {label} {reason} ({shown(value, 80)})")


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
    if url is not None and not _valid_sources_url(url):
        yield Problem(project.settings.path, project.settings.line_of("sources_url"),
                      "settings-invalid", f"sources_url {shown(url, 80)!r} must be an https "
                      "address using {state} (and optionally {lang}), nothing else in braces")


def _valid_sources_url(url: str) -> bool:
    """Only ``{state}`` and ``{lang}`` as bare fields: the renderer calls ``str.format`` on
    it, and ``{state.__class__}`` would print Python's insides under every QR code."""
    try:
        fields = [(name, spec, conversion) for _text, name, spec, conversion
                  in string.Formatter().parse(url) if name is not None]
    except ValueError:  # a stray { or }
        return False
    if not all(name in ("state", "lang") and not spec and conversion is None
               for name, spec, conversion in fields):
        return False
    if "state" not in {name for name, _spec, _conversion in fields}:
        return False
    return url_problem(url.format(state="CO", lang="es")) is None


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


def _notice_approved(reviews: Reviews, msgid: str, translation: str) -> bool:
    """A review record approves this exact translation of a template string."""
    return reviews.approves(None, msgid, translation) is not None


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
                    drafts=frozenset() if release else languages.drafts,
                    draft_states=frozenset() if release else frozenset(
                        code for code, sheet in project.states.items()
                        if sheet.status == "draft"))
    checked = Checked(project, report, ui=extract_template_messages(root, project.templates))
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
        checked.report.extend(locked_problems(root, lang, catalog, checked.ui,
                                              functools.partial(_notice_approved, reviews)))
        catalog.reviews = reviews  # the renderers' snapshot of the review records
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
