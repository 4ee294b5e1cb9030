"""The languages handouts are printed in: one entry each, the only place a language is set up.

Adding a language: add an entry here, then run `sheets catalog update --lang CODE` to create its
catalog. Font families are fontconfig names from Debian's `fonts-noto-core` / `fonts-noto-cjk`;
each stack ends with Noto Sans so Latin runs (URLs, bill numbers) in any script have glyphs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from babel import Locale

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Review:
    """Who reviewed a translation, and when: a qualified human translator, not a tool."""

    reviewer: str
    date: dt.date


@dataclass(frozen=True)
class Language:
    code: str
    """Catalog folder name and Babel locale identifier (``es``, ``zh_Hans``)."""
    direction: Literal["ltr", "rtl"]
    fonts: tuple[str, ...]
    """Font families, first match wins."""
    review: Review | None = None
    """None until a qualified translator has reviewed the catalog; the page says so meanwhile."""
    name: str = ""
    """English name, for maintainers' output."""

    @property
    def reviewed(self) -> bool:
        return self.code == SOURCE_LANGUAGE or self.review is not None

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    @property
    def tag(self) -> str:
        """BCP 47 tag for ``<html lang>`` and the PDF's /Lang (``zh-Hans``, not ``zh_Hans``)."""
        return self.code.replace("_", "-")

    @property
    def native_name(self) -> str:
        return self.locale.get_display_name(self.locale) or self.code


LATIN = ("Noto Sans",)
ARABIC = ("Noto Sans Arabic", "Noto Sans")

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "ltr", LATIN, name="English"),
        Language("es", "ltr", LATIN, name="Spanish"),
        Language("zh_Hans", "ltr", ("Noto Sans CJK SC", "Noto Sans"),
                 name="Chinese (Simplified)"),
        Language("zh_Hant", "ltr", ("Noto Sans CJK TC", "Noto Sans"),
                 name="Chinese (Traditional)"),
        Language("vi", "ltr", LATIN, name="Vietnamese"),
        Language("tl", "ltr", LATIN, name="Tagalog"),
        Language("ko", "ltr", ("Noto Sans CJK KR", "Noto Sans"), name="Korean"),
        Language("ar", "rtl", ARABIC, name="Arabic"),
        Language("fa", "rtl", ARABIC, name="Persian (Farsi)"),
        Language("ht", "ltr", LATIN, name="Haitian Creole"),
        Language("fr", "ltr", LATIN, name="French"),
        Language("pt", "ltr", LATIN, name="Portuguese"),
        Language("ru", "ltr", LATIN, name="Russian"),
        Language("am", "ltr", ("Noto Sans Ethiopic", "Noto Sans"), name="Amharic"),
        Language("my", "ltr", ("Noto Sans Myanmar", "Noto Sans"), name="Burmese"),
        Language("hi", "ltr", ("Noto Sans Devanagari", "Noto Sans"), name="Hindi"),
        Language("so", "ltr", LATIN, name="Somali"),
    )
}

#: Languages that need a translation catalog (every one but the source language).
TRANSLATED = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
