"""The languages handouts are printed in: data in ``translations/languages.yaml``, not code.

A translator adds a language by editing that file and running `sheets catalog init CODE`
(docs/translators.md). Whether a translation was reviewed is no longer a property of the
language: it is recorded per entry, bound to the exact text (:mod:`handouts.reviews`).

``status`` says what a language's problems do: a ``published`` language is built by default
and its handouts are withheld until every string they print is translated; a ``draft``
language is built only when asked for and never makes `sheets check` fail.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from pydantic import Field

from .errors import Problem
from .models import Node

SOURCE_LANGUAGE = "en"
LANGUAGES_FILE = "translations/languages.yaml"

Status = Literal["draft", "published"]


class LanguageEntry(Node):
    """One entry of ``translations/languages.yaml`` (the field reference for that file)."""

    code: str = Field(pattern=r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$",
                      description="Babel locale id and catalog folder name (es, zh_Hans).")
    name: str = Field(min_length=1, description="English name, for maintainers' output.")
    native: str = Field("", description="The language's own name for itself.")
    direction: Literal["ltr", "rtl"] = Field("ltr", description="Writing direction.")
    fonts: list[str] = Field(min_length=1, description="Font families, first match wins.")
    status: Status = Field("draft", description="published: built by default; draft: built "
                           "only on request, never blocks `sheets check`.")


class LanguagesFile(Node):
    """``translations/languages.yaml`` (its JSON Schema; entries are validated one by one)."""

    languages: list[LanguageEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Language:
    code: str
    """Catalog folder name and Babel locale identifier (``es``, ``zh_Hans``)."""
    direction: Literal["ltr", "rtl"]
    fonts: tuple[str, ...]
    """Font families, first match wins."""
    name: str = ""
    """English name, for maintainers' output."""
    native: str = ""
    status: Status = "published"

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    @property
    def tag(self) -> str:
        """BCP 47 tag for ``<html lang>`` and the PDF's /Lang (``zh-Hans``, not ``zh_Hans``)."""
        return self.code.replace("_", "-")

    @property
    def native_name(self) -> str:
        return self.native or self.locale.get_display_name(self.locale) or self.code


#: Always configured, even in a project without a languages file: the source language.
ENGLISH = Language(SOURCE_LANGUAGE, "ltr", ("Noto Sans",), "English", "English")


@dataclass(frozen=True)
class Languages:
    """The configured languages of one project, and the problems met reading the file."""

    by_code: dict[str, Language]
    problems: list[Problem] = field(default_factory=list)

    @property
    def published(self) -> list[str]:
        return [code for code, lang in self.by_code.items() if lang.published]

    @property
    def drafts(self) -> frozenset[str]:
        return frozenset(code for code, lang in self.by_code.items() if not lang.published)

    @property
    def translated(self) -> list[str]:
        """Every configured language but the source language (each has a catalog)."""
        return [code for code in self.by_code if code != SOURCE_LANGUAGE]


def load_languages(root: Path) -> Languages:
    """Read and validate ``translations/languages.yaml``; every problem has its line."""
    path = root / LANGUAGES_FILE
    try:
        # A regular file inside the project only, size-limited, never a FIFO or device.
        from .loader import read_content

        data = read_content(path, root)
    except FileNotFoundError:
        return Languages({SOURCE_LANGUAGE: ENGLISH})
    except OSError as exc:
        return Languages({SOURCE_LANGUAGE: ENGLISH},
                         [Problem(LANGUAGES_FILE, 1, "file-unreadable", exc.strerror or str(exc))])
    return _parse(root, data)


@functools.lru_cache(maxsize=8)
def _parse(root: Path, data: bytes) -> Languages:
    """Keyed by the file's bytes: an edit is seen at once, an unchanged file is read once."""
    from .loader import read_yaml, validate

    data, lines, problems = read_yaml(root / LANGUAGES_FILE, root)
    entries: list[LanguageEntry] = []
    items: object = data.get("languages") if isinstance(data, dict) else None
    if data is not None and not isinstance(items, list):
        problems.append(Problem(LANGUAGES_FILE, 1, "language-invalid",
                                "the file must hold `languages:`, a list of languages"))
    # Each entry on its own: one bad language must not take the others down with it.
    for index, item in enumerate(items if isinstance(items, list) else []):
        prefix = ("languages", index)
        sub = {key[2:]: line for key, line in lines.items() if key[:2] == prefix}
        entry, more = validate(LanguageEntry, item, sub, LANGUAGES_FILE)
        problems += [Problem(p.path, p.line, p.rule, f"languages[{index}]{_tail(p.message)}")
                     for p in more]
        if entry is not None:
            entries.append(entry)
    by_code: dict[str, Language] = {}
    for entry in entries:
        line = entry.line_of("code")
        if entry.code in by_code:
            problems.append(Problem(LANGUAGES_FILE, line, "language-invalid",
                                    f"language {entry.code!r} is configured twice"))
            continue
        try:
            Locale.parse(entry.code)
        except (UnknownLocaleError, ValueError):
            problems.append(Problem(LANGUAGES_FILE, line, "language-invalid",
                                    f"{entry.code!r} is not a locale Babel knows (dates and "
                                    "month names need one)"))
            continue
        if entry.code == SOURCE_LANGUAGE and entry.status != "published":
            problems.append(Problem(LANGUAGES_FILE, entry.line_of("status"), "language-invalid",
                                    "English is the source language; it is always published"))
        by_code[entry.code] = Language(entry.code, entry.direction, tuple(entry.fonts),
                                       entry.name, entry.native, entry.status)
    by_code.setdefault(SOURCE_LANGUAGE, ENGLISH)
    # English first, then the file's order.
    ordered = {SOURCE_LANGUAGE: by_code.pop(SOURCE_LANGUAGE), **by_code}
    return Languages(ordered, problems)


def _tail(message: str) -> str:
    # validate() names fields from the entry ("code: ..."); say which entry.
    return message if message.startswith((".", "[")) else "." + message


def languages_of(root: Path) -> Languages:
    """The project's languages (read once per content of the file)."""
    return load_languages(root)


class _CheckoutLanguages(Mapping[str, Language]):
    """The languages of this source checkout, for tests and benchmarks that use the project's
    own content; every stage asks :func:`languages_of` for its project's languages instead."""

    def _all(self) -> dict[str, Language]:
        return languages_of(Path(__file__).resolve().parents[2]).by_code

    def __getitem__(self, code: str) -> Language:
        return self._all()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


LANGUAGES: Mapping[str, Language] = _CheckoutLanguages()


def __getattr__(name: str) -> object:
    # ``TRANSLATED`` stays importable for code written before languages became data.
    if name == "TRANSLATED":
        return tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
    raise AttributeError(name)
