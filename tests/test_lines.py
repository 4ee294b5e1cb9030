"""No two lines' glyphs touch, in any language: the stylesheet's line height per script
(``--lh`` in templates/handout.css) must clear the marks above and below each line.

Each language's handout is built from the test project with every claim and label set in that
language's real translations (the committed catalogs: Burmese stacked marks, Devanagari vowel
signs, Ethiopic, Arabic and Persian marks), at the tightest type step, and the ink of every
glyph is read back from the PDF (tests/pdfinfo.py: glyph outline boxes of the embedded fonts,
placed by the content stream's text operators).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pdfinfo
from conftest import REPO
from handouts.catalogs import Lookup, read_translations
from handouts.languages import LANGUAGES
from handouts.loader import load_project
from handouts.pdf import write_pdf
from handouts.render import FIT_STEPS, render_html

#: Clear space required between the ink of one line and the next (points).
MIN_GAP = 0.25


class _Samples(Lookup):
    """Every string in the language: its own translation when the catalog has one, else one
    of the catalog's longest translations (so claims run over several lines)."""

    def __init__(self, lang: str) -> None:
        catalog = read_translations(REPO, lang)
        super().__init__(lang, catalog)
        texts = sorted({e.string for e in catalog.entries.values() if e.string and
                        "%(" not in e.string}, key=len)
        self.samples = texts[-40:]
        self.used = 0

    def _find(self, message: str, context: str | None) -> str:
        assert self.catalog is not None
        found = self.catalog.get(message, context=context)
        if found is not None and found.string:
            return str(found.string)
        if "%(" in message:
            return message  # a placeholder string keeps its English (still has to format)
        self.used += 1
        return self.samples[self.used % len(self.samples)]


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_no_two_lines_touch(project: Path, tmp_path: Path, lang: str) -> None:
    html, _handout = render_html(load_project(project), "CO", LANGUAGES[lang], _Samples(lang),
                                 "letter", FIT_STEPS - 1)
    data, pages = write_pdf(html, project / "templates")
    path = tmp_path / f"CO-{lang}.pdf"
    path.write_bytes(data)
    for page in range(pages):
        gap, where = pdfinfo.closest_lines(path, page)
        assert gap >= MIN_GAP, f"{lang} page {page + 1}: lines {gap:.2f} pt apart at {where}"


def test_the_measure_sees_a_collision(project: Path, tmp_path: Path) -> None:
    """The same Burmese page set solid (line height 1) must be caught."""
    html, _handout = render_html(load_project(project), "CO", LANGUAGES["my"], _Samples("my"),
                                 "letter", FIT_STEPS - 1)
    html = html.replace("</style>", "html:lang(my) { --lh: 1; --lh-tight: 1; }</style>")
    data, _pages = write_pdf(html, project / "templates")
    path = tmp_path / "solid.pdf"
    path.write_bytes(data)
    gap, _where = pdfinfo.closest_lines(path, 0)
    assert gap < 0
