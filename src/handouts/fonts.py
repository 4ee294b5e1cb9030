"""Glyph coverage: every character a handout prints must exist in its language's fonts.

WeasyPrint does not report a character that no font can draw; it prints an empty box (.notdef)
or silently takes a glyph from whatever fallback font fontconfig finds. On a handout either is a
wrong page, so the build checks coverage against the configured font stack first.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from fontTools.ttLib import TTFont


@cache
def family_files(family: str) -> tuple[Path, ...]:
    """Files of an installed font family, regular face first (empty if not installed)."""
    if shutil.which("fc-list") is None:
        return ()
    found: list[str] = []
    for query in (f"{family}:style=Regular", family):
        out = subprocess.run(["fc-list", query, "file"], capture_output=True, text=True,
                             check=False).stdout
        found += sorted(line.split(":")[0] for line in out.splitlines() if line.strip())
    return tuple(Path(p) for p in dict.fromkeys(found))


@cache
def family_charset(family: str) -> frozenset[int]:
    """Code points of the regular face of an installed font family (empty if not installed)."""
    files = family_files(family)
    if not files:
        return frozenset()
    # fontNumber=0: the first face of a collection (.ttc); CJK collections share one cmap.
    with TTFont(files[0], fontNumber=0, lazy=True) as font:
        cmap = font.getBestCmap() or {}
    return frozenset(cmap)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def uncovered_characters(text: str, families: Iterable[str]) -> list[str]:
    """Characters of ``text`` that none of ``families`` can draw, in order of appearance."""
    covered: set[int] = set()
    for family in families:
        covered |= family_charset(family)
    missing: dict[str, None] = {}
    for char in text:
        # Spaces and format controls (bidi marks, joiners) are never drawn as glyphs.
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
            continue
        if ord(char) not in covered:
            missing[char] = None
    return list(missing)
