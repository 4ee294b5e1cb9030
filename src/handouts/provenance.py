"""Which English each translation was made from, so that outdated English never prints unmarked.

Gettext says "outdated" with one flag, ``#, fuzzy``, and removing it is one click in Poedit:
the translation of the old English would then print as current. So `sheets catalog update`
writes down, per language, the English each current translation was made from
(``translations/<lang>/translated-from.yaml``: context, that English, the translation's
SHA-256). The check then tells three cases apart, whatever the fuzzy flag says:

- the English is the one recorded: current;
- the English changed and the translation did not: error ``translation-outdated``, naming the
  words that changed (the translator cleared the flag without translating the change);
- the English changed and the translator edited the translation: accepted; the next
  `catalog update` records the new pair.

A review record (:mod:`handouts.reviews`) that approves the exact pair also makes it current:
that is how a translation that needs no change after an English edit is confirmed.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from pydantic import Field

from . import memo
from .catalogs import Translations, UiMessage, printed_messages
from .errors import Problem
from .loader import Project, read_data_file
from .memo import code_digest, key_of
from .models import Node
from .output import write_atomic
from .reviews import SHA_PATTERN, Reviews, read_reviews, text_sha

BASIS_FILE = "translated-from.yaml"
RULE = "translation-outdated"


def basis_relpath(lang: str) -> str:
    return f"translations/{lang}/{BASIS_FILE}"


def po_relpath(lang: str) -> str:
    return f"translations/{lang}/LC_MESSAGES/messages.po"


class BasisEntry(Node):
    context: str | None = Field(None, description="The entry's msgctxt (None: template text).")
    english: str = Field(description="The English the translation was made from.")
    translation_sha256: str = Field(pattern=SHA_PATTERN,
                                    description="SHA-256 of that translation.")


class BasisFile(Node):
    translated_from: list[BasisEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Basis:
    context: str | None
    english: str
    translation_sha256: str


def _key(context: str | None, english: str) -> tuple[str | None, str]:
    # A claim is known by its context whatever its English; a template string has no other
    # name than its English.
    return (context, "") if context else (None, english)


@dataclass
class Bases:
    records: dict[tuple[str | None, str], Basis] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def of(self, context: str | None, english: str) -> Basis | None:
        return self.records.get(_key(context, english))

    def template_strings_with(self, translation: str) -> list[Basis]:
        sha = text_sha(translation)
        return [b for b in self.records.values()
                if b.context is None and b.translation_sha256 == sha]


def read_bases(root: Path, lang: str) -> Bases:
    data, problems = read_data_file(root, basis_relpath(lang), lang, "warning")
    if data is None:
        return Bases(problems=problems)
    return _parse(root, lang, data)


@functools.lru_cache(maxsize=64)
def _parse(root: Path, lang: str, data: bytes) -> Bases:
    """Kept in build/.cache/ under the file's bytes and our code: sixteen YAML files of a few
    hundred entries each were a third of `sheets check`'s time."""
    from .loader import load_file

    name, key = f"translated-from/{lang}.json", key_of(data, code_digest())
    kept = memo.load(root, name, key)
    if isinstance(kept, list):
        with suppress(ValueError, TypeError):
            return Bases({_key(context, english): Basis(context, english, sha)
                          for context, english, sha in kept})
    parsed, problems = load_file(BasisFile, root / basis_relpath(lang), root)
    bases = Bases(problems=[Problem(p.path, p.line, "reviews-invalid", p.message, "warning",
                                    lang=lang) for p in problems])
    for entry in parsed.translated_from if parsed is not None else []:
        bases.records[_key(entry.context, entry.english)] = Basis(
            entry.context, entry.english, entry.translation_sha256)
    if not bases.problems:
        memo.save(root, name, key, [[b.context, b.english, b.translation_sha256]
                                    for b in bases.records.values()])
    return bases


@dataclass(frozen=True)
class Outdated:
    """A translation left unchanged since it was made for other English."""

    old_english: str | None
    """The English it was made from, when recorded (a review records only its hash)."""
    since: str
    """"translated" or "reviewed on 2026-12-01"."""

    def message(self, label: str, english: str) -> str:
        if self.old_english is None:
            what = "the English changed since it was " + self.since
        else:
            what = f"the English changed since it was {self.since}: " + describe_change(
                self.old_english, english)
        return (f"{label}: translation of outdated English ({what}); the fuzzy flag was "
                "removed but the translation was not changed")


def judge(context: str | None, english: str, translation: str, bases: Bases,
          reviews: Reviews, current_template: frozenset[str]) -> Outdated | None:
    """Whether a translated, non-fuzzy entry translates other English than the current one."""
    if reviews.approves(context, english, translation) is not None:
        return None
    sha = text_sha(translation)
    if context:
        basis = bases.of(context, english)
        if basis is not None and basis.english != english and basis.translation_sha256 == sha:
            return Outdated(basis.english, "translated")
        if basis is not None:
            return None
        for review in reviews.by_context(context):
            if review.english_sha256 != text_sha(english) and review.translation_sha256 == sha:
                return Outdated(None, f"reviewed on {review.date}")
        return None
    if bases.of(None, english) is not None:
        return None
    # A template string whose English changed is a new msgid; its old translation, carried
    # over as fuzzy, is recognised by its hash under an English the templates no longer use.
    for basis in bases.template_strings_with(translation):
        if basis.english != english and basis.english not in current_template:
            return Outdated(basis.english, "translated")
    return None


def outdated_problems(project: Project, state: str, lang: str, ui: list[UiMessage],
                      catalog: Translations, bases: Bases, reviews: Reviews) -> list[Problem]:
    """``translation-outdated`` for each entry of the ``state`` handout in ``lang``."""
    current = frozenset(m.id for m in ui)
    problems = []
    for msgid, context in printed_messages(project, state, ui):
        found = catalog.get(msgid, context=context)
        if found is None or not found.string or found.fuzzy:
            continue
        verdict = judge(context, msgid, found.string, bases, reviews, current)
        if verdict is not None:
            label = context or repr(msgid)
            problems.append(Problem(po_relpath(lang), found.lineno, RULE,
                                    verdict.message(label, msgid),
                                    state=state if context else None, lang=lang))
    return problems


def describe_change(old: str, new: str, limit: int = 3) -> str:
    """The words that changed, for a person: '"may" → "must"; added "all"'."""
    a, b = old.split(), new.split()
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        was, now = _short(" ".join(a[i1:i2])), _short(" ".join(b[j1:j2]))
        if tag == "replace":
            parts.append(f"\"{was}\" → \"{now}\"")
        elif tag == "delete":
            parts.append(f"removed \"{was}\"")
        elif tag == "insert":
            parts.append(f"added \"{now}\"")
    if not parts:
        return "spacing only"
    more = f"; and {len(parts) - limit} more change(s)" if len(parts) > limit else ""
    return "; ".join(parts[:limit]) + more


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def record_bases(root: Path, lang: str, catalog: Catalog, reviews: Reviews) -> bool:
    """Record what each current translation of ``catalog`` was made from (before a merge: the
    English it holds is the English its translations were made for). Outdated ones are not
    recorded again, or a second `catalog update` would launder them. True if the file changed.
    """
    bases = read_bases(root, lang)
    current = frozenset(str(m.id) for m in catalog if m.id and not m.context)
    records = dict(bases.records)
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        string = message.string if isinstance(message.string, str) else ""
        if not string:
            continue
        if message.fuzzy:
            # Fuzzy before anything was recorded (a catalog older than these records): its
            # translation was made for the previous English that gettext kept under #|.
            previous = message.previous_id[0] if message.previous_id else None
            if previous and bases.of(message.context, previous) is None and (
                    message.context or bases.of(None, message.id) is None):
                basis = Basis(message.context, str(previous), text_sha(string))
                records.setdefault(_key(basis.context, basis.english), basis)
            continue
        if judge(message.context, message.id, string, bases, reviews, current) is None:
            basis = Basis(message.context, message.id, text_sha(string))
            records[_key(basis.context, basis.english)] = basis
    records = _prune(records, catalog)
    if records == bases.records:
        return False
    write_bases(root, lang, records.values())
    return True


def _prune(records: dict[tuple[str | None, str], Basis],
           catalog: Catalog) -> dict[tuple[str | None, str], Basis]:
    """Keep what can still matter: claims the catalog still holds (active or obsolete), and
    template strings whose translation is still somewhere in the catalog."""
    messages = [*catalog, *catalog.obsolete.values()]
    contexts = {m.context for m in messages if m.context}
    strings = {text_sha(m.string) for m in messages if isinstance(m.string, str) and m.string}
    return {key: basis for key, basis in records.items()
            if (basis.context in contexts if basis.context
                else basis.translation_sha256 in strings)}


def write_bases(root: Path, lang: str, records: Iterable[Basis]) -> None:
    ordered = sorted(records, key=lambda b: (b.context is not None, b.context or "", b.english))
    data = {"translated_from": [{"context": b.context, "english": b.english,
                                 "translation_sha256": b.translation_sha256} for b in ordered]}
    header = (f"# Written by `sheets catalog update`: the English each {lang} translation was "
              "made from.\n# A translation left unchanged after its English changed is "
              "blocked (translation-outdated).\n# Not for editing by hand.\n")
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    write_atomic(root / basis_relpath(lang), text.encode("utf-8"))
    _parse.cache_clear()


def record_all(root: Path, langs: Iterable[str]) -> list[Path]:
    """Before `catalog update` merges: record each existing catalog's current translations."""
    from .catalogs import po_path, read_catalog

    written = []
    for lang in langs:
        path = po_path(root, lang)
        if path.exists() and record_bases(root, lang, read_catalog(path, root, lang),
                                          read_reviews(root, lang)):
            written.append(root / basis_relpath(lang))
    return written
