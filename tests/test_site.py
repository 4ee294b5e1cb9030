"""The edition site: every link resolves to a file that exists; a real browser renders it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import TODAY

Cli = Callable[..., tuple[int, str, str]]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def _local_links(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return [link for link in parser.links if not link.startswith(("https://", "http://"))]


@pytest.fixture
def site(project: Path, cli: Cli) -> Path:
    code, out, err = cli("site", "--lang", "en", "--lang", "es", "--lang", "ar", "--root",
                         str(project), "--today", TODAY.isoformat())
    assert code == 0, err
    assert "wrote build/site/index.html (12 PDFs, 0 blocked)" in out
    return project / "build/site"


def test_every_link_resolves(site: Path) -> None:
    pages = [site / "index.html", *sorted(site.glob("*/sources.html"))]
    assert len(pages) == 3
    for page in pages:
        for link in _local_links(page):
            assert (page.parent / link).is_file(), f"{page.name}: {link}"
    index = (site / "index.html").read_text()
    assert '<span lang="ar" dir="rtl">العربية</span>' in index
    assert "machine-assisted, not yet reviewed" in index
    assert index.count(".pdf") == 12
    sources = (site / "CO/sources.html").read_text()
    assert "A state agency employee is prohibited from disclosing information." in sources


def test_blocked_editions_are_listed_with_a_reason(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/MA.yaml"
    sheet.write_text(sheet.read_text().replace("checked: 2026-01-10", "checked: 2025-01-10"))
    code, out, _err = cli("site", "--lang", "en", "--root", str(project), "--today",
                          TODAY.isoformat())
    assert code == 1 and "(2 PDFs, 2 blocked)" in out  # a content error fails, as in build
    assert "Not available yet: 1 problem(s), e.g. claim-stale" in (
        project / "build/site/index.html").read_text()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium not installed")
def test_headless_chromium_renders_the_index(site: Path, tmp_path: Path) -> None:
    shot = tmp_path / "index.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={shot}", "--window-size=1000,1400",
                    (site / "index.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 20_000
