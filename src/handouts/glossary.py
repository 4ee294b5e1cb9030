"""The glossary: recurring legal terms and how each language renders them.

``translations/glossary.yaml`` maps an English term (subpoena, judicial warrant, detainer) to
its rendering per language, with an optional note for translators. The catalog's comments show
each claim's terms; the check warns (``translation-glossary``) when a translation of English
that uses a term does not contain that language's rendering. A warning, not an error: grammar
may inflect a term, and the translator may know better.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from .catalogs import Translations
from .errors import Problem
from .loader import Project
from .models import Node

GLOSSARY_FILE = "translations/glossary.yaml"


class TermEntry(Node):
    term: str = Field(min_length=2, description="The English term, as it appears in claims.")
    note: str = Field("", description="What the term means here, for translators.")
    renderings: dict[str, str] = Field(default_factory=dict,
                                       description="Language code → the agreed rendering.")


class GlossaryFile(Node):
    terms: list[TermEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Term:
    term: str
    note: str
    renderings: dict[str, str]

    def used_in(self, english: str) -> bool:
        return _term_pattern(self.term).search(english) is not None


@functools.lru_cache(maxsize=1024)
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term)}s?(?!\w)", re.IGNORECASE)


@dataclass
class Glossary:
    terms: list[Term] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _found: dict[str, list[Term]] = field(default_factory=dict, repr=False)

    def terms_in(self, english: str) -> list[Term]:
        """The terms ``english`` uses (each claim is asked once per language: remembered)."""
        if english not in self._found:
            self._found[english] = [term for term in self.terms if term.used_in(english)]
        return self._found[english]


def load_glossary(root: Path) -> Glossary:
    path = root / GLOSSARY_FILE
    try:
        # A regular file inside the project only, size-limited, never a FIFO or device.
        from .loader import read_content

        data = read_content(path, root)
    except OSError:
        return Glossary()
    return _parse(root, data)


@functools.lru_cache(maxsize=8)
def _parse(root: Path, data: bytes) -> Glossary:
    from .loader import load_file

    parsed, problems = load_file(GlossaryFile, root / GLOSSARY_FILE, root)
    glossary = Glossary(problems=[
        Problem(p.path, p.line, "glossary-invalid", p.message) for p in problems])
    for entry in parsed.terms if parsed is not None else []:
        glossary.terms.append(Term(entry.term, entry.note, dict(entry.renderings)))
    return glossary


def glossary_problems(project: Project, state: str, lang: str, catalog: Translations,
                      glossary: Glossary) -> list[Problem]:
    """A warning per printed claim whose translation lacks a term's agreed rendering."""
    if not glossary.terms:
        return []
    problems = []
    for claim in project.printed_claims(state):
        found = catalog.get(claim.text, context=claim.key)
        if found is None or not found.string or found.fuzzy:
            continue
        for term in glossary.terms_in(claim.text):
            rendering = term.renderings.get(lang)
            if rendering and rendering.casefold() not in found.string.casefold():
                problems.append(Problem(
                    f"translations/{lang}/LC_MESSAGES/messages.po", found.lineno,
                    "translation-glossary",
                    f"{claim.key}: the English says {term.term!r}; the glossary renders it "
                    f"{rendering!r} in {lang}", "warning", state=state, lang=lang))
    return problems
