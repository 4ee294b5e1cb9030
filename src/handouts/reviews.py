"""Review records: a qualified translator's approval of one entry, bound to its exact text.

``translations/<lang>/reviews.yaml`` holds one record per approved entry: its context (None for
template strings), the SHA-256 of the English and of the translation it approved, who and when.
An edit to either text voids the approval, so no edit anywhere carries an approval it did not
earn. A handout prints without the "not yet reviewed" notice only when every entry it prints
has a matching record. `sheets review` writes the file; people only read it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import Field

from .catalogs import Lookup, Translations, UiMessage, printed_messages
from .errors import CatalogError, Problem

if TYPE_CHECKING:
    from .check import Checked
from .languages import SOURCE_LANGUAGE
from .loader import Project, read_data_file
from .models import Node
from .output import write_atomic

REVIEWS_FILE = "reviews.yaml"
SHA_PATTERN = r"^[0-9a-f]{64}$"
#: "Name <email>": an approval names someone who can be asked about it.
REVIEWER = re.compile(r"^[^<>\n]+ <[^<>@\s]+@[^<>@\s]+>$")


@functools.lru_cache(maxsize=1 << 14)
def text_sha(text: str) -> str:
    # The same English is hashed once per language and state: remembered.
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reviews_relpath(lang: str) -> str:
    return f"translations/{lang}/{REVIEWS_FILE}"


class ReviewEntry(Node):
    context: str | None = Field(None, description="The entry's msgctxt (None: template text).")
    english: str = Field("", description="The English's start, for people reading the file; "
                         "not used for matching.")
    english_sha256: str = Field(pattern=SHA_PATTERN, description="SHA-256 of the English.")
    translation_sha256: str = Field(pattern=SHA_PATTERN,
                                    description="SHA-256 of the approved translation.")
    reviewer: str = Field(min_length=3, description="Name <email> of the reviewer.")
    date: dt.date = Field(description="When the entry was reviewed.")


class ReviewsFile(Node):
    reviews: list[ReviewEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Review:
    context: str | None
    english_sha256: str
    translation_sha256: str
    reviewer: str
    date: dt.date
    english: str = ""


@dataclass
class Reviews:
    """The review records of one language, looked up by (context, English hash)."""

    records: dict[tuple[str | None, str], Review] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def approves(self, context: str | None, english: str, translation: str) -> Review | None:
        """The record that approved exactly this English and this translation, if any."""
        found = self.records.get((context, text_sha(english)))
        if found is not None and found.translation_sha256 == text_sha(translation):
            return found
        return None

    def voided(self, context: str | None, english: str, translation: str) -> Review | None:
        """A record for this entry that no longer matches its text (English or translation
        edited since); template strings have no stable key, so only claims can say so."""
        if context is None or self.approves(context, english, translation):
            return None
        return next((r for (ctx, _sha), r in self.records.items() if ctx == context), None)

    def by_context(self, context: str | None) -> list[Review]:
        return [r for (ctx, _sha), r in self.records.items() if ctx == context]


def read_reviews(root: Path, lang: str) -> Reviews:
    """``lang``'s review records; a broken file gives problems (with lines) and no records."""
    data, problems = read_data_file(root, reviews_relpath(lang), lang)
    if data is None:
        return Reviews(problems=problems)
    return _parse(root, lang, data)


@functools.lru_cache(maxsize=64)
def _parse(root: Path, lang: str, data: bytes) -> Reviews:
    """Keyed by the file's bytes: every handout of a build asks, the file is read once."""
    from .loader import load_file

    parsed, problems = load_file(ReviewsFile, root / reviews_relpath(lang), root)
    reviews = Reviews(problems=[_scoped(p, lang) for p in problems])
    for entry in parsed.reviews if parsed is not None else []:
        reviews.records[(entry.context, entry.english_sha256)] = Review(
            entry.context, entry.english_sha256, entry.translation_sha256, entry.reviewer,
            entry.date, entry.english)
    return reviews


def _scoped(problem: Problem, lang: str) -> Problem:
    # A broken review file only costs that language its approvals: it blocks nothing.
    return Problem(problem.path, problem.line, "reviews-invalid", problem.message, "warning",
                   lang=lang)


def write_reviews(root: Path, lang: str, records: Iterable[Review]) -> Path:
    """Write the records sorted (small diffs), atomically."""
    ordered = sorted(records, key=lambda r: (r.context is not None, r.context or "",
                                             r.english, r.english_sha256))
    data = {"reviews": [{
        "context": r.context, "english": r.english, "english_sha256": r.english_sha256,
        "translation_sha256": r.translation_sha256, "reviewer": r.reviewer,
        "date": r.date} for r in ordered]}
    header = (f"# Review records for {lang}, written by `sheets review`: each approves one "
              "entry's exact English\n# and translation (SHA-256); an edit to either voids it. "
              "See docs/translators.md.\n")
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path = root / reviews_relpath(lang)
    write_atomic(path, text.encode("utf-8"))
    _parse.cache_clear()
    return path


def check_reviewer(reviewer: str) -> str:
    if not REVIEWER.match(reviewer.strip()):
        raise CatalogError(f"reviewer {reviewer!r} must be given as \"Name <email>\"")
    return reviewer.strip()


def english_start(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def entry_reviewed(reviews: Reviews, context: str | None, english: str,
                   translation: str | None, fuzzy: bool) -> bool:
    return bool(translation) and not fuzzy and reviews.approves(
        context, english, translation or "") is not None


def all_reviewed(root: Path, lang: str, entries: Iterable[tuple[str, str | None, str | None,
                                                              bool]],
                 reviews: Reviews | None = None) -> bool:
    """Whether every (msgid, context, translation, fuzzy) has a matching record (English is
    the original: always). ``reviews``: the records a build's check read (its snapshot);
    without them the file is read."""
    if lang == SOURCE_LANGUAGE:
        return True
    if reviews is None:
        reviews = read_reviews(root, lang)
    return all(entry_reviewed(reviews, context, msgid, string, fuzzy)
               for msgid, context, string, fuzzy in entries)


def handout_entries(project: Project, state: str, ui: list[UiMessage],
                    catalog: Translations | None
                    ) -> list[tuple[str, str | None, str | None, bool]]:
    """(msgid, context, translation, fuzzy) of every entry the ``state`` handout prints."""
    entries = []
    for msgid, context in printed_messages(project, state, ui):
        found = catalog.get(msgid, context=context) if catalog is not None else None
        entries.append((msgid, context, found.string if found else None,
                        found.fuzzy if found else False))
    return entries


def unreviewed_problems(project: Project, state: str, lang: str, ui: list[UiMessage],
                        catalog: Translations, reviews: Reviews) -> list[Problem]:
    """One ``translation-unreviewed`` per handout that prints unapproved entries (--release)."""
    missing = [(msgid, context) for msgid, context, string, fuzzy
               in handout_entries(project, state, ui, catalog)
               if not entry_reviewed(reviews, context, msgid, string, fuzzy)]
    if not missing:
        return []
    msgid, context = missing[0]
    found = catalog.get(msgid, context=context)
    first = context or repr(english_start(msgid, 40))
    return [Problem(f"translations/{lang}/LC_MESSAGES/messages.po",
                    found.lineno if found else 1, "translation-unreviewed",
                    f"{state} in {lang}: {len(missing)} printed string(s) have no matching "
                    f"review record (first: {first})", state=state, lang=lang)]


def handout_reviewed(project: Project, state: str, lang: str, lookup: Lookup) -> bool:
    """Whether the ``state`` handout in ``lang`` prints only approved entries (the renderer's
    question: no notice then)."""
    if lang == SOURCE_LANGUAGE:
        return True
    from .catalogs import extract_template_messages

    catalog = lookup.catalog
    if not isinstance(catalog, Translations):
        return False
    ui = extract_template_messages(project.root, project.templates)
    return all_reviewed(project.root, lang, handout_entries(project, state, ui, catalog),
                        snapshot_reviews(catalog))


def snapshot_reviews(catalog: Translations) -> Reviews | None:
    """The review records the check read along with ``catalog`` (None: not from a check)."""
    return catalog.reviews if isinstance(catalog.reviews, Reviews) else None


@dataclass(frozen=True)
class ReviewCounts:
    reviewed: int
    unreviewed: int
    outdated: int


def count_reviews(reviews: Reviews, entries: Iterable[tuple[str, str | None, str | None, bool]]
                  ) -> ReviewCounts:
    """Among translated, current entries: approved, never reviewed, and reviewed but edited
    since (English or translation)."""
    reviewed = unreviewed = outdated = 0
    for msgid, context, string, fuzzy in entries:
        if not string or fuzzy:
            continue
        if reviews.approves(context, msgid, string):
            reviewed += 1
        elif reviews.voided(context, msgid, string):
            outdated += 1
        else:
            unreviewed += 1
    return ReviewCounts(reviewed, unreviewed, outdated)


@dataclass(frozen=True)
class Candidate:
    context: str | None
    english: str
    translation: str

    @property
    def label(self) -> str:
        return self.context or repr(english_start(self.english, 40))

    @property
    def english_start(self) -> str:
        return english_start(self.english)

    @property
    def translation_start(self) -> str:
        return english_start(self.translation)


@dataclass
class ReviewPlan:
    approve: list[Candidate] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    already: int = 0


def plan_review(checked: Checked, lang: str, only: Iterable[str]) -> ReviewPlan:
    """What `sheets review` would approve: every translated entry the checked handouts print
    (``only``: those contexts or template strings), except entries that are missing, fuzzy or
    have an error (a reviewer cannot approve a wrong number or outdated English)."""
    wanted = set(only)
    catalog = checked.catalogs.get(lang)
    if catalog is None:
        raise CatalogError(f"no readable catalog for {lang}; see `sheets check --lang {lang}`")
    reviews = read_reviews(checked.project.root, lang)
    # A translation left as it was after an English change may be confirmed by a reviewer
    # (that is how a still-right translation becomes current); any other error may not.
    broken = {(p.state, p.message.split(": ", 1)[0]) for p in checked.report.problems
              if p.lang == lang and p.severity == "error" and p.rule != "translation-outdated"}
    plan = ReviewPlan()
    seen: set[tuple[str | None, str]] = set()
    for state in checked.project.state_codes():
        for msgid, context, string, fuzzy in handout_entries(checked.project, state,
                                                             checked.ui, catalog):
            if (context, msgid) in seen or (wanted and (context or msgid) not in wanted):
                continue
            seen.add((context, msgid))
            label = context or repr(english_start(msgid, 40))
            scope = state if context else None
            if not string or fuzzy:
                plan.refused.append(f"{label}: {'fuzzy' if string else 'not translated'}")
            elif (scope, context or repr(msgid)) in broken:
                plan.refused.append(f"{label}: has errors (see `sheets check --lang {lang}`)")
            elif reviews.approves(context, msgid, string):
                plan.already += 1
            else:
                plan.approve.append(Candidate(context, msgid, string))
    unknown = wanted - {context or msgid for context, msgid in seen}
    if unknown:
        raise CatalogError(f"no printed entry {', '.join(sorted(unknown))} in {lang}")
    return plan


def record_review(root: Path, lang: str, plan: ReviewPlan, reviewer: str,
                  day: dt.date) -> Path:
    """Add the plan's approvals, replacing older records of the same entries."""
    records = dict(read_reviews(root, lang).records)
    for candidate in plan.approve:
        if candidate.context is not None:
            # A claim has one current approval: an older one (other English) is history.
            for key in [k for k in records if k[0] == candidate.context]:
                del records[key]
        record = Review(candidate.context, text_sha(candidate.english),
                        text_sha(candidate.translation), reviewer, day,
                        english_start(candidate.english))
        records[(record.context, record.english_sha256)] = record
    return write_reviews(root, lang, records.values())


def review_status(project: Project, state: str, lang: str,
                  catalog: Translations | None = None) -> str:
    """For people (the site's pages): who reviewed this handout, or that nobody has.
    ``catalog``: the one a build checked (with its review records); else the files are read."""
    if lang == SOURCE_LANGUAGE:
        return "English original"
    from .catalogs import extract_template_messages, read_translations

    if catalog is None:
        try:
            catalog = read_translations(project.root, lang)
        except CatalogError:
            return "machine-assisted, not yet reviewed"
    ui = extract_template_messages(project.root, project.templates)
    entries = handout_entries(project, state, ui, catalog)
    reviews = snapshot_reviews(catalog) or read_reviews(project.root, lang)
    found = [reviews.approves(context, msgid, string or "") for msgid, context, string, fuzzy
             in entries if string and not fuzzy]
    if len(found) != len(entries) or not all(found):
        return "machine-assisted, not yet reviewed"
    names = sorted({r.reviewer.split(" <")[0] for r in found if r is not None})
    latest = max(r.date for r in found if r is not None)
    return f"reviewed by {', '.join(names)}, {latest}"
