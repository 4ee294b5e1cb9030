"""End to end: sheets → check → catalogs → render → PDF, asserted on the real PDFs."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po, write_po

import pdfinfo
from conftest import DATA, REPO, TODAY
from handouts.catalogs import load_lookup, po_path, read_catalog
from handouts.languages import LANGUAGES
from handouts.loader import load_project
from handouts.render import render_html
from handouts.tokens import extract_tokens

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def repo_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The repository's own Colorado content, built in a temp copy (en + es, Letter)."""
    root = tmp_path_factory.mktemp("repo")
    for name in ("sheets", "translations", "templates"):
        shutil.copytree(REPO / name, root / name)
    project = load_project(root)
    # "Today" is the newest check date in the content: never the calendar.
    today = max(c.checked for c in project.all_claims).isoformat()
    from typer.testing import CliRunner

    from handouts.cli import app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHEETS_TODAY", today)  # a real build on that day, not a what-if
        result = CliRunner().invoke(app, ["build", "--state", "CO", "--root", str(root),
                                          "--today", today, "-j", "2"])
    assert result.exit_code == 0, result.stdout + result.stderr
    return root, today


#: Scripts whose shaping (ligatures, reordered vowel signs) pdftotext cannot map back to the
#: original characters one for one: for them the test checks that nearly all of each claim's
#: character pairs appear in the extracted text (measured: 0.90 to 0.97 per claim).
COMPLEX_SCRIPTS = {"ar", "fa", "hi", "my"}


def _pairs(value: str) -> list[str]:
    value = re.sub(r"\s", "", value)
    return [value[i:i + 2] for i in range(len(value) - 1)]
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_repo_handout_prints_claims_sources_and_date(repo_build: tuple[Path, str],
                                                     lang: str) -> None:
    root, _today = repo_build
    pdf = root / f"build/CO/CO-{lang}-letter.pdf"
    project = load_project(root)
    language = LANGUAGES[lang]
    text = BIDI_CONTROLS.sub("", pdfinfo.text(pdf))
    assert pdfinfo.pages(pdf) <= 2
    assert pdfinfo.lang(pdf) == language.tag
    assert language.fonts[0].replace(" ", "-") in pdfinfo.fonts(pdf)
    assert pdfinfo.is_tagged(pdf)
    meta = pdfinfo.metadata(pdf)
    assert meta["/Author"] == "sheets" and meta["/Title"]
    claims = project.printed_claims("CO")
    checked = format_date(min(c.checked for c in claims), "long", locale=language.locale)
    assert re.sub(r"\s", "", checked) in re.sub(r"\s", "", text)
    if lang == "en":
        printed = [claim.text for claim in claims]
    else:
        catalog = read_catalog(po_path(root, lang), root, lang)
        printed = [str(catalog.get(c.text, context=c.key).string) for c in claims]
        # Unreviewed: the notice prints in the language and in English.
        assert "Machine-assisted translation, not yet reviewed." in text
    pairs = set(_pairs(text))
    # Line breaks put spaces inside Chinese sentences: compare without whitespace.
    flat = re.sub(r"\s", "", text)
    for claim, sentence in zip(claims, printed, strict=True):
        for number in extract_tokens(sentence)["number"]:
            assert number in re.sub(r"\D", " ", text).split(), (claim.key, number)
        if lang in COMPLEX_SCRIPTS:
            own = _pairs(sentence)
            assert sum(p in pairs for p in own) / len(own) >= 0.85, claim.key
        else:
            assert re.sub(r"\s", "", sentence)[:60] in flat, claim.key
    # pdftotext mirrors brackets on lines it reads as right-to-left (the page images show them
    # the right way round), and joins a word hyphenated at a line end ("non-" "citizens" reads
    # "noncitizens"), so brackets and hyphens are left out of this comparison.
    unbracketed = re.sub(r"[\[\]()-]", "", text)
    for claim in claims:
        for citation in claim.citations:
            source = project.sources[citation.source]
            # The back page's compact list: publisher and short title, never the URL.
            title = re.sub(r"[\[\]()-]", "", pdfinfo.squash(source.short_title or source.title))
            if language.direction == "rtl":
                # pdftotext reorders a right-to-left line around the date's run, so a title
                # that wraps there comes out of order: look for its words instead.
                assert all(word in unbracketed for word in title.split()[:5]), source.id
            else:
                assert title[:30] in unbracketed, source.id
            assert source.url not in text, source.id


def test_rtl_handout_is_laid_out_right_to_left(repo_build: tuple[Path, str]) -> None:
    root, _today = repo_build
    project = load_project(root)
    html, _handout = render_html(project, "CO", LANGUAGES["ar"], load_lookup(root, "ar"))
    assert '<html lang="ar" dir="rtl">' in html
    # The help box's phone number is a left-to-right run in the right-to-left page.
    phone = next(c.contact.phone for c in project.printed_claims("CO")
                 if c.contact is not None and c.contact.phone)
    assert f'<p class="phone" dir="ltr">{phone}</p>' in html
    text = pdfinfo.text(root / "build/CO/CO-ar-letter.pdf")
    assert phone in text
    publisher = project.sources[project.printed_claims("CO")[0].citations[0].source].publisher
    assert pdfinfo.squash(publisher)[:30] in pdfinfo.squash(text)


def test_build_is_byte_identical(repo_build: tuple[Path, str], cli: Cli,
                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, today = repo_build
    monkeypatch.setenv("SHEETS_TODAY", today)
    before = (root / "build/CO/CO-en-letter.pdf").read_bytes()
    copy = tmp_path / "again"
    for name in ("sheets", "translations", "templates"):
        shutil.copytree(root / name, copy / name)
    assert cli("build", "--state", "CO", "--lang", "en", "--root", str(copy),
               "--today", today)[0] == 0
    assert (copy / "build/CO/CO-en-letter.pdf").read_bytes() == before


def test_fixture_builds_both_languages_and_a4(project: Path, cli: Cli) -> None:
    code, out, _err = cli("build", "--state", "CO", "--root", str(project), "--today",
                          TODAY.isoformat(), "--paper", "letter", "--paper", "a4",
                          "--lang", "en", "--lang", "es")
    assert code == 0
    for lang in ("en", "es"):
        for paper in ("letter", "a4"):
            assert f"wrote   build/CO/CO-{lang}-{paper}.pdf" in out
    text = pdfinfo.text(project / "build/CO/CO-es-letter.pdf")
    assert "ES: A 2021 law limits" in text
    assert "1 de marzo de 2026" not in text  # the date printed is the check date, not today
    assert "10 de enero de 2026" in text


def test_unsourced_claim_blocks_check_and_build(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    line = len(sheet.read_text().splitlines()) + 1
    sheet.write_text(sheet.read_text() + (
        "  - id: invented-law\n"
        "    section: state-law\n"
        "    text: >-\n"
        "      Colorado passed Senate Bill 216 in 2019.\n"
        "    checked: 2026-01-10\n"))
    expected = f"sheets/CO.yaml:{line}: error[claim-no-citation]: CO/invented-law"
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat())
    assert code == 1 and expected in err
    code, out, err = cli("build", "--state", "CO", "--root", str(project), "--today",
                         TODAY.isoformat())
    assert code == 1 and expected in err
    assert "wrote" not in out
    assert not list((project / "build").rglob("*.pdf")) if (project / "build").exists() else True


def test_fuzzy_spanish_entry_blocks_only_spanish(project: Path, cli: Cli) -> None:
    path = po_path(project, "es")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    message = next(m for m in catalog if m.context == "CO/hotline")
    message.flags.add("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)
    with path.open("rb") as handle:
        line = next(m for m in read_po(handle) if m.context == "CO/hotline").lineno
    while not path.read_text().splitlines()[line - 1].startswith("msgstr"):
        line += 1  # problems point at the msgstr
    # A Spanish PDF from an earlier build must not survive as if it were current.
    stale = project / "build/CO/CO-es-letter.pdf"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF-old")
    code, out, err = cli("build", "--state", "CO", "--root", str(project), "--today",
                         TODAY.isoformat(), "--lang", "en", "--lang", "es")
    assert code == 0  # withheld until translated: not a failure
    assert "withheld build/CO/CO-es-letter.pdf: translation pending" in err
    assert "wrote   build/CO/CO-en-letter.pdf" in out
    assert not stale.exists()
    code, out, err = cli("build", "--state", "CO", "--root", str(project), "--today",
                         TODAY.isoformat(), "--lang", "en", "--lang", "es",
                         "--require-translations")
    assert code == 1
    rel = "translations/es/LC_MESSAGES/messages.po"
    assert f"{rel}:{line}: error[translation-fuzzy]: CO/hotline" in err
    assert "blocked build/CO/CO-es-letter.pdf" in err
    assert (project / "build/CO/CO-en-letter.pdf").exists()


def test_missing_translation_blocks_with_its_line(project: Path, cli: Cli) -> None:
    path = po_path(project, "es")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    next(m for m in catalog if m.context == "US/federal-ruling").string = ""
    with path.open("wb") as handle:
        write_po(handle, catalog)
    with path.open("rb") as handle:
        line = next(m for m in read_po(handle) if m.context == "US/federal-ruling").lineno
    while not path.read_text().splitlines()[line - 1].startswith("msgstr"):
        line += 1  # problems point at the msgstr, where the translator types
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "es")
    assert code == 0 and "until then these 2 handouts are withheld: CO: es; MA: es" in err
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "es", "--require-translations")
    assert code == 1
    assert (f"translations/es/LC_MESSAGES/messages.po:{line}: error[translation-missing]: "
            "US/federal-ruling: not translated") in err


def test_broken_catalog_is_a_located_error(project: Path, cli: Cli) -> None:
    path = po_path(project, "es")
    path.write_text(path.read_text() + '\nmsgid "unterminated\n')
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat())
    assert code == 1
    assert "translations/es/LC_MESSAGES/messages.po:" in err and "[catalog-syntax]" in err


def test_missing_catalog(project: Path, cli: Cli) -> None:
    po_path(project, "es").unlink()
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat())
    assert code == 0 and "no catalog for es: run `sheets catalog init LANG`" in err
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--require-translations")
    assert code == 1 and "error[catalog-missing]: no catalog for es" in err


def test_markup_in_content_and_catalog_prints_as_text(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace(
        "A 2021 law limits what state workers may share for immigration enforcement.",
        'A 2021 law <img src="https://tracker.example/x.png"> limits <b>sharing</b>.'))
    from handouts.catalogs import extract_messages, update_catalogs

    update_catalogs(project, extract_messages(load_project(project)), ["es"])
    path = po_path(project, "es")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    for message in catalog:
        if message.id:
            # Same markup as the English, so translation QA lets it through to the renderer.
            message.string = f"ES: {message.id}"
            message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)
    code, _out, err = cli("build", "--state", "CO", "--root", str(project), "--today",
                          TODAY.isoformat(), "--lang", "en", "--lang", "es")
    assert code == 0, err
    en = pdfinfo.text(project / "build/CO/CO-en-letter.pdf")
    assert '<img src="https://tracker.example/x.png"> limits <b>sharing</b>.' in en
    es = pdfinfo.text(project / "build/CO/CO-es-letter.pdf")
    assert 'ES: A 2021 law <img src="https://tracker.example/x.png"> limits <b>sharing</b>.' in es


def test_build_requires_a_state(project: Path, cli: Cli) -> None:
    assert cli("build", "--root", str(project))[0] == 2


def test_corpus_files_exist() -> None:
    assert list((DATA / "bad").glob("*.yaml"))


def test_character_without_glyph_blocks_the_handout(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("call the hotline at", "call the hotline ሰላም at"))
    from handouts.catalogs import extract_messages, update_catalogs

    update_catalogs(project, extract_messages(load_project(project)), ["es"])
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "--root", str(project),
                          "--today", TODAY.isoformat())
    assert code == 1
    assert "error[render-failed]: no glyph in Noto Sans" in err and "U+1230" in err
    assert not (project / "build/CO/CO-en-letter.pdf").exists()


def test_handout_over_two_pages_is_blocked(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    long_text = " ".join(["A 2021 law limits what state workers may share."] * 23)
    claims = "".join(
        f"  - id: long-{i}\n    section: state-law\n    text: {long_text}\n"
        "    checked: 2026-01-10\n    citations:\n      - source: leg-act\n"
        "        locator: Bill Summary\n        quote: Since 2021, a state agency employee.\n"
        for i in range(12))
    sheet.write_text(sheet.read_text() + claims)
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "--root", str(project),
                          "--today", TODAY.isoformat())
    assert code == 1
    assert ("build/CO/CO-en-letter.pdf:1: error[page-overflow]: CO en letter: " in err
            and "(limit 2: one sheet, both sides)" in err)
    assert not (project / "build/CO/CO-en-letter.pdf").exists()


def test_release_refuses_unreviewed_languages(project: Path, cli: Cli) -> None:
    code, _out, err = cli("build", "--state", "CO", "--release", "--root", str(project),
                          "--today", TODAY.isoformat())
    assert code == 1 and "error[translation-unreviewed]: CO in es: " in err
    assert "blocked build/CO/CO-es-letter.pdf" in err
    assert not list((project / "build").rglob("CO-es-*.pdf"))
    assert cli("build", "--state", "CO", "--release", "--lang", "en", "--root", str(project),
               "--today", TODAY.isoformat())[0] == 0


def test_parallel_build_matches_serial(project: Path, cli: Cli) -> None:
    args = ["build", "--all", "--lang", "en", "--lang", "es", "--root", str(project),
            "--today", TODAY.isoformat()]
    assert cli(*args, "-j", "1")[0] == 0
    serial = {p.name: p.read_bytes() for p in (project / "build").rglob("*.pdf")}
    assert cli(*args, "-j", "2")[0] == 0
    parallel = {p.name: p.read_bytes() for p in (project / "build").rglob("*.pdf")}
    assert len(serial) == 4 and serial == parallel


def test_two_processes_give_identical_pdfs_and_pdfinfo_agrees(project: Path) -> None:
    import hashlib
    import sys

    def build() -> dict[str, str]:
        subprocess.run([sys.executable, "-m", "handouts", "build", "--all", "--lang", "en",
                        "--lang", "ar", "--paper", "letter", "--paper", "a4", "--root",
                        str(project), "--today", TODAY.isoformat()], check=True,
                       capture_output=True)
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((project / "build").rglob("*.pdf"))}

    first = build()
    shutil.rmtree(project / "build")
    assert build() == first and len(first) == 8
    info = subprocess.run(["pdfinfo", str(project / "build/CO/CO-ar-a4.pdf")],
                          capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    assert "AR: Colorado: your benefits information and immigration enforcement" in info


def test_json_and_quiet_output(project: Path, cli: Cli) -> None:
    import json

    code, out, _err = cli("build", "--state", "CO", "--lang", "en", "--lang", "es", "--format",
                          "json", "--root", str(project), "--today", TODAY.isoformat())
    report = json.loads(out)
    assert code == 0 and report["problems"] == []
    assert [(o["path"], o["status"], o["pages"]) for o in report["outputs"]] == [
        ("build/CO/CO-en-letter.pdf", "written", 1), ("build/CO/CO-es-letter.pdf", "written", 1)]
    code, out, err = cli("build", "--state", "CO", "--lang", "en", "--lang", "es", "-q",
                         "--root", str(project), "--today", TODAY.isoformat())
    assert code == 0 and out == "" and "0 written, 2 unchanged, 0 blocked" in err


def test_help_box_pushed_off_page_one_at_every_step_still_prints(project: Path,
                                                                  cli: Cli) -> None:
    """Fitting wants the help box on page 1; when no type step gets it there, the sheet still
    prints at the largest type that fits two pages (help on page 2 beats no sheet)."""
    sheet = project / "sheets/CO.yaml"
    long_text = " ".join(["You can still apply for food and health help."] * 22)
    sheet.write_text(sheet.read_text().replace(
        "      You can still apply for food and health help.\n", f"      {long_text}\n").replace(
        "      State workers may not share your data for immigration enforcement.\n",
        f"      {long_text}\n").replace(
        "      Call the free hotline if you have questions.\n", f"      {long_text}\n"))
    code, out, err = cli("build", "--state", "CO", "--lang", "en", "--root", str(project),
                         "--today", TODAY.isoformat())
    assert code == 0, out + err
    path = project / "build/CO/CO-en-letter.pdf"
    assert pdfinfo.pages(path) == 2
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "What this means for you" in first and "Free help" not in first
    # ... and says so: the maintainer learns the reader's first look misses the number.
    assert ("build/CO/CO-en-letter.pdf:1: warning[help-not-on-page-1]: CO en letter: the help "
            "box is on page 2") in out + err
