from __future__ import annotations

from pathlib import Path

import pytest
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from conftest import REPO
from handouts.catalogs import load_lookup
from handouts.errors import RenderError
from handouts.languages import LANGUAGES
from handouts.loader import load_project
from handouts.pdf import (
    _make_fetcher,
    font_configuration,
    lay_out,
    on_first_page,
    write_document,
    write_pdf,
)
from handouts.render import render_html

PAGE = "<html lang='en'><head>{head}</head><body><p>Hello</p></body></html>"


def test_renders_a_page(tmp_path: Path) -> None:
    data, pages = write_pdf(PAGE.format(head=""), tmp_path)
    assert data.startswith(b"%PDF-") and pages == 1


@pytest.mark.parametrize("href", [
    "file:///etc/passwd",
    "../outside.css",
    "http://127.0.0.1:9/x.css",
    "https://example.org/x.css",
])
def test_fetches_nothing_outside_the_project(tmp_path: Path, href: str) -> None:
    (tmp_path / "outside.css").write_text("p { color: red }")
    base = tmp_path / "templates"
    base.mkdir()
    with pytest.raises(RenderError, match="refused"):
        write_pdf(PAGE.format(head=f"<link rel='stylesheet' href='{href}'>"), base)


def test_a_weasyprint_warning_fails_the_render(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="WeasyPrint reported a problem"):
        write_pdf(PAGE.format(head="<style>p { colour: red }</style>"), tmp_path)


def test_allowed_local_stylesheet(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("p { font-size: 20pt }")
    data, _pages = write_pdf(PAGE.format(head="<link rel='stylesheet' href='a.css'>"), tmp_path)
    assert data.startswith(b"%PDF-")


def test_kept_font_configuration_writes_the_same_bytes_as_a_fresh_one() -> None:
    """The process keeps one font configuration; documents laid out after others (other
    scripts, other sizes) must come out exactly as WeasyPrint alone writes them."""
    project = load_project(REPO, ["CO"])
    pages = {code: render_html(project, "CO", LANGUAGES[code], load_lookup(REPO, code),
                               "letter", 0)[0] for code in ("zh_Hans", "ar", "en")}
    kept = font_configuration()
    for code, html in pages.items():
        assert font_configuration() is kept
        ours = write_document(lay_out(html, REPO / "templates"), html)
        # Same URL fetching as ours, so only the font configuration differs.
        alone = HTML(string=html, base_url=str(REPO / "templates") + "/",
                     url_fetcher=_make_fetcher([REPO / "templates"])).render(
            font_config=FontConfiguration())
        assert ours == write_document(alone, html), code


@pytest.mark.parametrize(("spacer", "expected"), [("1in", True), ("12in", False)])
def test_on_first_page_finds_where_the_help_box_starts(tmp_path: Path, spacer: str,
                                                       expected: bool) -> None:
    html = PAGE.format(head="").replace(
        "<p>Hello</p>", f"<div style='height: {spacer}'></div><div class='get-help'>Help</div>")
    assert on_first_page(lay_out(html, tmp_path), "get-help") is expected
