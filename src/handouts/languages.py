"""The languages handouts are printed in: one entry each, the only place a language is set up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from babel import Locale

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    code: str
    """Catalog folder name and Babel locale identifier (``es``, ``zh_Hans``)."""
    direction: Literal["ltr", "rtl"]
    fonts: tuple[str, ...]
    """Font families, first match wins; fontconfig names of Debian's Noto packages."""
    reviewed: bool
    """True once a qualified translator has reviewed the catalog; otherwise the page says so."""

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


_LATIN = ("Noto Sans", "DejaVu Sans")

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "ltr", _LATIN, reviewed=True),
        Language("es", "ltr", _LATIN, reviewed=False),
    )
}

#: Languages that need a translation catalog (every one but the source language).
TRANSLATED = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
