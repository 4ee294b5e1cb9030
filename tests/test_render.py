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
from handouts.render import marks_label, render_html

GOLDEN = Path(__file__).resolve().parent / "golden"
Cli = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize("lang", ["en", "es", "ar", "zh_Hans"])
def test_html_matches_golden(project: Path, lang: str) -> None:
    loaded = load_project(project)
    html, _handout = render_html(loaded, "CO", LANGUAGES[lang], load_lookup(project, lang))
    # The stylesheet is inlined from the snapshot; the golden files name it instead of
    # repeating it (the edition id in the footer still changes with it).
    css = loaded.templates["handout.css"]
    assert css in html
    html = html.replace(css, "/* templates/handout.css */")
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
    # The QR code holds the full address; the page prints it as a person types it.
    assert handout.online_label == "handouts.example.org/CO/es"
    assert '<div class="qr" dir="ltr"><svg' in html
    assert cli("build", "--state", "CO", "--lang", "es", "--root", str(project), "--today",
               TODAY.isoformat())[0] == 0
    assert "handouts.example.org/CO/es" in pdfinfo.text(
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


def test_subtitle_lists_the_programs_the_handout_covers(project: Path) -> None:
    html, handout = render_html(load_project(project), "CO", LANGUAGES["en"],
                                load_lookup(project, "en"))
    assert handout.programs == []
    assert "you give state benefit programs when immigration officers ask" in html
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text() + (
        "  - id: snap-data\n    section: food\n    text: USDA asked for SNAP data.\n"
        "    checked: 2026-01-10\n    citations:\n      - source: news-story\n"
        "        locator: fifth paragraph\n        quote: USDA asked states for SNAP data.\n"
        "  - id: dmv-data\n    section: driving\n    text: The DMV shares some records.\n"
        "    checked: 2026-01-10\n    citations:\n      - source: news-story\n"
        "        locator: sixth paragraph\n        quote: The DMV shares some records.\n"))
    html, handout = render_html(load_project(project), "CO", LANGUAGES["en"],
                                load_lookup(project, "en"))
    assert handout.programs == ["food", "driving"]
    assert ("What happens to the information you give for food benefits (SNAP) and "
            "driver&#39;s licenses when immigration officers ask for it.") in html
    assert "health coverage" not in html


def test_marks_are_one_compact_group() -> None:
    assert marks_label([16, 7, 13, 14, 15]) == "7, 13\u201316"
    assert marks_label([1, 2]) == "1, 2"
    assert marks_label([3, 3]) == "3"


def test_page_one_has_key_points_help_and_local_contact(project: Path) -> None:
    html, handout = render_html(load_project(project), "CO", LANGUAGES["en"],
                                load_lookup(project, "en"))
    assert [c.key for c in handout.key_points] == ["CO/key-share", "CO/key-apply",
                                                   "CO/key-call"]
    assert [s.name for s in handout.details] == ["state-law", "courts"]
    order = [html.index(text) for text in (
        "What this means for you", "Free help", "Example Network",
        '<p class="phone" dir="ltr">1-800-555-0100</p>', "Your local contact",
        "What does state law protect?", "What have courts decided?",
        "Where these facts come from")]
    assert order == sorted(order)
    # The back page's list: publisher, short title, date; never the URL.
    assert "legislature.example.org" not in html.split("Where these facts come from")[1]


def test_every_contact_field_given_is_printed(project: Path, cli: Cli) -> None:
    code, _out, _err = cli("build", "--state", "MA", "--lang", "en", "--root", str(project),
                           "--today", TODAY.isoformat())
    assert code == 0
    page_one = pdfinfo.text(project / "build/MA/MA-en-letter.pdf").split("What does state")[0]
    for field in ("Example Office", "617-555-0123", "office.example.org",
                  "Hours: Monday to Friday, 9 a.m. to 5 p.m.",
                  "Languages: English, Spanish, Portuguese", "Your local contact",
                  "What this means for you", "Workers may not share your data."):
        assert field in page_one, field
