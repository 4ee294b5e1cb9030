"""Golden files at the HTML stage, and the render-level guarantees.

Regenerate the golden files after an intended template or content change with:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py

and review the diff before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import pdfinfo
from conftest import TODAY
from handouts.catalogs import load_lookup
from handouts.languages import LANGUAGES
from handouts.loader import load_project
from handouts.render import render_html

GOLDEN = Path(__file__).resolve().parent / "golden"
Cli = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize("lang", ["en", "es", "ar", "zh_Hans"])
def test_html_matches_golden(project: Path, lang: str) -> None:
    html, _handout = render_html(load_project(project), "CO", LANGUAGES[lang],
                                 load_lookup(project, lang))
    golden = GOLDEN / f"CO-{lang}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if intended: UPDATE_GOLDEN=1 pytest tests/test_render.py")


def test_qr_code_and_online_address_when_configured(project: Path, cli: Cli) -> None:
    (project / "sheets/settings.yaml").write_text(
        "sources_url: https://handouts.example.org/{state}/{lang}/\n")
    html, handout = render_html(load_project(project), "CO", LANGUAGES["es"],
                                load_lookup(project, "es"))
    assert handout.online_url == "https://handouts.example.org/CO/es/"
    assert '<div class="qr" dir="ltr"><svg' in html
    assert cli("build", "--state", "CO", "--lang", "es", "--root", str(project), "--today",
               TODAY.isoformat())[0] == 0
    assert "https://handouts.example.org/CO/es/" in pdfinfo.text(
        project / "build/CO/CO-es-letter.pdf").replace(" ", "")


def test_no_qr_code_without_settings(project: Path) -> None:
    html, handout = render_html(load_project(project), "CO", LANGUAGES["en"],
                                load_lookup(project, "en"))
    assert handout.online_url == "" and "<svg" not in html


def test_creation_date_is_the_check_date_or_source_date_epoch(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html, _ = render_html(load_project(project), "CO", LANGUAGES["en"], load_lookup(project, "en"))
    assert '<meta name="dcterms.created" content="2026-01-10T00:00:00Z">' in html
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    html, _ = render_html(load_project(project), "CO", LANGUAGES["en"], load_lookup(project, "en"))
    assert '<meta name="dcterms.created" content="2026-01-01T00:00:00Z">' in html


def test_paper_sizes_print_shop_and_previews(project: Path, cli: Cli) -> None:
    code, out, _err = cli("build", "--state", "CO", "--lang", "en", "--paper", "letter",
                          "--paper", "a4", "--root", str(project), "--today", TODAY.isoformat())
    assert code == 0
    assert pdfinfo.page_size(project / "build/CO/CO-en-letter.pdf") == (612, 792)
    assert pdfinfo.page_size(project / "build/CO/CO-en-a4.pdf") == (595, 842)
    code, out, _err = cli("build", "--state", "CO", "--lang", "en", "--print-shop", "--png",
                          "--root", str(project), "--today", TODAY.isoformat())
    assert code == 0
    shop = project / "build/CO/CO-en-letter-printshop.pdf"
    assert pdfinfo.page_size(shop) == (630, 810)  # 0.125 in bleed on each side
    assert "preview build/CO/preview/CO-en-letter-printshop-1.png" in out
    assert (project / "build/CO/preview/CO-en-letter-printshop-1.png").read_bytes()[:4] == (
        b"\x89PNG")
