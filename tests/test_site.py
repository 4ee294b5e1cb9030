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
    sheet.write_text(sheet.read_text().replace("checked: 2026-01-10", "checked: 2025-01-10", 1))
    code, out, err = cli("site", "--lang", "en", "--root", str(project), "--today",
                         TODAY.isoformat())
    # As `sheets build` does: exit 1, every problem located, everything withheld listed.
    assert code == 1 and "(2 PDFs, 2 blocked)" in out
    assert "sheets/MA.yaml:" in err and "error[claim-stale]" in err
    assert "withheld build/MA/MA-en-letter.pdf: 1 problem(s)" in err
    assert 'withheld MA/sources.html: published as "being updated"' in err
    assert "Not available yet: being updated" in (project / "build/site/index.html").read_text()
    # The blocked state's stale claims and quotes are not published on its sources page.
    page = (project / "build/site/MA/sources.html").read_text()
    assert "being updated" in page and "checked" not in page.lower().replace(
        "being checked", "")
    assert not list((project / "build/site/MA").glob("*.pdf"))


def test_the_site_is_swapped_in_whole(project: Path, cli: Cli,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from handouts import site as site_module

    assert cli("site", "--lang", "en", "--root", str(project), "--today",
               TODAY.isoformat())[0] == 0
    before = (project / "build/site/index.html").read_bytes()

    def killed(*_args: object) -> None:
        raise KeyboardInterrupt  # a run stopped while it writes the new site

    monkeypatch.setattr(site_module, "_thumbnail", killed)
    # (click turns the interrupt into exit 130)
    assert cli("site", "--lang", "en", "--root", str(project), "--today",
               TODAY.isoformat())[0] == 130
    assert (project / "build/site/index.html").read_bytes() == before
    assert not list((project / "build").glob(".site-*"))


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
