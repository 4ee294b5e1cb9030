"""The published site: its layout, languages, blocked editions, zips, QR targets, atomic swap."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

import pdfinfo
from conftest import TODAY
from handouts import site as site_module
from handouts.catalogs import load_lookup, po_path, read_catalog, write_catalog
from handouts.check import RULES
from handouts.languages import LANGUAGES
from handouts.loader import load_project
from handouts.render import build_handout, build_web_edition, online_address
from handouts.site import tel_href

Cli = Callable[..., tuple[int, str, str]]
SITE_URL = "https://handouts.example.org/sheets"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.html_attrs: dict[str, str | None] = {}
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html_attrs = found
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "link" and found.get("rel") == "alternate":
            self.alternates[str(found["hreflang"])] = str(found["href"])
        for name in ("href", "src"):
            if found.get(name):
                self.links.append(str(found[name]))


def _parse(page: Path) -> _Page:
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _site(project: Path, cli: Cli, *args: str) -> tuple[Path, str, str]:
    code, out, err = cli("site", *args, "--root", str(project), "--today", TODAY.isoformat())
    assert code == 0, err
    return project / "build/site", out, err


@pytest.fixture
def site(project: Path, cli: Cli) -> Path:
    (project / "sheets/settings.yaml").write_text(f"site_url: {SITE_URL}/\n")
    root, out, _err = _site(project, cli, "--lang", "en", "--lang", "es", "--lang", "ar")
    assert "wrote build/site/index.html (12 PDFs, 0 blocked)" in out
    return root


def test_layout_and_every_local_link_resolves(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert [p.relative_to(site).as_posix() for p in pages] == [
        "CO/ar/index.html", "CO/en/index.html", "CO/es/index.html", "CO/index.html",
        "CO/sources.html", "MA/ar/index.html", "MA/en/index.html", "MA/es/index.html",
        "MA/index.html", "MA/sources.html", "index.html"]
    for page in pages:
        parsed = _parse(page)
        for link in parsed.links:
            if link.startswith(("https://", "tel:")):
                continue
            assert not link.startswith(("/", "http:")), f"{page}: {link} (breaks file://)"
            target, _, fragment = link.partition("#")
            path = (page.parent / target) if target else page
            assert path.is_file(), f"{page.relative_to(site)}: {link}"
            if fragment:
                assert fragment in _parse(path).ids, f"{page.relative_to(site)}: {link}"
    home = (site / "index.html").read_text()
    assert 'href="CO/index.html"' in home and "Which state?" in home
    state = (site / "CO/index.html").read_text()
    assert "Which language?" in state
    assert '<span class="name" lang="ar" dir="rtl">العربية</span>' in state


def test_edition_pages_are_in_their_language(site: Path) -> None:
    es = _parse(site / "CO/es/index.html")
    assert es.html_attrs == {"lang": "es", "dir": "ltr"}
    assert set(es.alternates) == {"en", "es", "ar"}
    assert es.alternates["ar"] == "../ar/index.html"
    text = (site / "CO/es/index.html").read_text()
    # Site strings come through the catalog (the fixture's catalogs are marked copies).
    assert "ES: Download and print" in text and "ES: US Letter" in text
    assert 'href="CO-es-letter.pdf"' in text and 'href="CO-es-a4.pdf"' in text
    assert f'<link rel="canonical" href="{SITE_URL}/CO/es/">' in text
    assert "ES: Machine-assisted translation, not yet reviewed" in text
    ar = _parse(site / "CO/ar/index.html")
    assert ar.html_attrs == {"lang": "ar", "dir": "rtl"}
    en = (site / "CO/en/index.html").read_text()
    assert "Original English edition." in en and "Download and print" in en


def test_web_edition_prints_the_pdfs_claims_sources_and_quotes(site: Path,
                                                               project: Path) -> None:
    loaded = load_project(project)
    language = LANGUAGES["es"]
    lookup = load_lookup(project, "es")
    handout = build_handout(loaded, "CO", language, lookup)
    _same, quotes = build_web_edition(loaded, "CO", language, lookup)
    page = (site / "CO/es/index.html").read_text()
    # Phone numbers, URLs and bill ids are isolated as left-to-right runs (as in the PDF).
    page = re.sub(r'</?bdi[^>]*>', "", page)
    claims = [claim for entries in handout.sections.values() for claim in entries]
    assert claims
    for claim in claims:
        assert escape(claim.text, quote=False) in page, claim.key
        for quote in quotes[claim.key]:
            assert escape(quote.quote, quote=False) in page
        if claim.contact and claim.contact.phone:
            assert f'href="{tel_href(claim.contact.phone)}"' in page
    assert page.count("<details") == len(claims)
    for source in handout.sources:
        assert f'<li id="source-{source.number}" value="{source.number}"><a href="' \
               f'{escape(source.url)}">' in page
    # The PDF prints the same claims.
    pdf = pdfinfo.text(site / "CO/es/CO-es-letter.pdf").replace(" ", "")
    for claim in claims:
        assert claim.text.replace(" ", "").replace("-", "")[:40] in pdf.replace("-", ""), \
            claim.key


def test_tel_links() -> None:
    assert tel_href("1-800-555-0100") == "tel:+18005550100"
    assert tel_href("(303) 555-0100") == "tel:+13035550100"


def test_every_qr_target_written_into_a_pdf_exists_in_the_site(site: Path) -> None:
    pdfs = sorted(site.rglob("*.pdf"))
    assert len(pdfs) == 12
    for pdf in pdfs:
        text = pdfinfo.text(pdf).replace(" ", "")
        # Printed as a person types it (no https://); the QR code holds the same address.
        printed = SITE_URL.removeprefix("https://")
        found = re.findall(re.escape(printed) + r"/[A-Z]{2}/[a-z]{2,3}(?:-[A-Z][a-z]{3})?", text)
        assert found, f"{pdf.name}: no site address printed"
        for url in found:
            target = site / url.removeprefix(printed + "/") / "index.html"
            assert target.is_file(), f"{pdf.name}: QR target {url} is not in build/site/"
            assert target.parent == pdf.parent, f"{pdf.name} points to another edition"


def test_site_url_takes_the_place_of_sources_url(project: Path) -> None:
    (project / "sheets/settings.yaml").write_text(
        "sources_url: https://old.example.org/{state}/{lang}/\nsite_url: https://x.example.org\n")
    loaded = load_project(project)
    assert online_address(loaded, "CO", LANGUAGES["zh_Hans"]) == \
        "https://x.example.org/CO/zh-Hans/"
    (project / "sheets/settings.yaml").write_text("site_url: http://x.example.org/{state}\n")
    problems = load_project(project).problems
    assert [(p.path, p.line, p.rule) for p in problems] == [
        ("sheets/settings.yaml", 1, "invalid-value")]


def test_no_rule_ids_or_diagnostics_anywhere_in_the_site(project: Path, cli: Cli) -> None:
    # es loses one claim's translation: that edition is blocked; the terminal says why.
    path = po_path(project, "es")
    catalog = read_catalog(path, project, "es")
    for message in catalog:
        if message.context == "CO/state-law-limit":
            message.string = ""
    write_catalog(path, catalog)
    site, out, err = _site(project, cli, "--lang", "en", "--lang", "es")
    # Withheld (a translation still to do), not failed; the terminal says which and why.
    assert "(6 PDFs, 0 blocked, 2 withheld)" in out
    assert "withheld build/CO/CO-es-letter.pdf: translation pending" in err
    page = (site / "CO/es/index.html").read_text()
    assert "ES: Being updated — the English edition is available." in page
    assert 'href="../en/index.html"' in page
    assert not list((site / "CO/es").glob("*.pdf"))
    assert "being updated" in (site / "CO/index.html").read_text()
    text = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    for rule in RULES:
        assert rule not in text, rule
    assert "error[" not in text and "problem(s)" not in text


def test_blocked_edition_without_its_site_strings_is_in_english(project: Path,
                                                                 cli: Cli) -> None:
    path = po_path(project, "es")
    catalog = read_catalog(path, project, "es")
    for message in catalog:
        if message.id == "Other languages":
            message.string = ""
    write_catalog(path, catalog)
    site, out, _err = _site(project, cli, "--lang", "en", "--lang", "es")
    assert "(4 PDFs, 0 blocked, 4 withheld)" in out
    page = (site / "CO/es/index.html").read_text()
    assert _parse(site / "CO/es/index.html").html_attrs == {"lang": "en", "dir": "ltr"}
    assert "Being updated — the English edition is available." in page
    assert "ES:" not in page


def test_english_blocked_too_says_check_again(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/MA.yaml"
    sheet.write_text(sheet.read_text().replace("checked: 2026-01-10", "checked: 2025-01-10"))
    code, out, err = cli("site", "--lang", "en", "--lang", "es", "--root", str(project),
                         "--today", TODAY.isoformat())
    site = project / "build/site"
    # As `sheets build` does: exit 1, every problem located, everything withheld listed.
    assert code == 1 and "(4 PDFs, 4 blocked)" in out and "error[claim-stale]" in err
    assert "sheets/MA.yaml:" in err
    assert re.search(r"withheld build/MA/MA-en-letter.pdf: \d+ problem\(s\)", err)
    assert "withheld MA/sources.html: not published while its content is blocked" in err
    assert "Being updated. Please check again soon." in (site / "MA/en/index.html").read_text()
    assert not (site / "MA/sources.html").exists()
    assert not (site / "MA/MA-handouts.zip").exists()


def test_state_option_publishes_only_those_states(project: Path, cli: Cli) -> None:
    site, out, _err = _site(project, cli, "--state", "MA", "--lang", "en")
    assert "(2 PDFs, 0 blocked)" in out
    assert sorted(p.name for p in site.iterdir()) == ["MA", "index.html", "site.css"]
    assert "Colorado" not in (site / "index.html").read_text()


def test_zip_per_state_is_deterministic(project: Path, cli: Cli) -> None:
    site, _out, _err = _site(project, cli, "--lang", "en", "--lang", "es")
    first = (site / "CO/CO-handouts.zip").read_bytes()
    with zipfile.ZipFile(site / "CO/CO-handouts.zip") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["CO-en-a4.pdf", "CO-en-letter.pdf",
                                               "CO-es-a4.pdf", "CO-es-letter.pdf"]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("CO-es-a4.pdf") == (site / "CO/es/CO-es-a4.pdf").read_bytes()
    site, _out, _err = _site(project, cli, "--lang", "en", "--lang", "es")
    assert (site / "CO/CO-handouts.zip").read_bytes() == first


def test_site_is_swapped_in_whole(project: Path, cli: Cli,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site, _out, _err = _site(project, cli, "--lang", "en")
    (site / "stale.html").write_text("old")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))

    def broken(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    real = site_module._write_pages
    monkeypatch.setattr(site_module, "_write_pages", broken)
    code, _out, err = cli("site", "--lang", "en", "--root", str(project), "--today",
                          TODAY.isoformat())
    assert code == 1 and "cannot write build/site/" in err
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    monkeypatch.setattr(site_module, "_write_pages", real)  # (undo() drops SHEETS_TODAY)
    _site(project, cli, "--lang", "en")
    assert not (site / "stale.html").exists()
    assert sorted(p.name for p in site.parent.iterdir() if p.name.startswith(".site")) == []


def test_a_killed_site_run_leaves_the_old_site(project: Path, cli: Cli,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    site, _out, _err = _site(project, cli, "--lang", "en")
    before = (site / "index.html").read_bytes()

    def killed(*_args: object) -> None:
        raise KeyboardInterrupt  # a run stopped while it writes the new site

    monkeypatch.setattr(site_module, "_write_zip", killed)
    # (click turns the interrupt into exit 130)
    assert cli("site", "--lang", "en", "--root", str(project), "--today",
               TODAY.isoformat())[0] == 130
    assert (site / "index.html").read_bytes() == before
    assert not list((project / "build").glob(".site-*"))

