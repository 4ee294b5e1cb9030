from __future__ import annotations

from pathlib import Path

import pytest

from handouts.errors import RenderError
from handouts.pdf import write_pdf

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
