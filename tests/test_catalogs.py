from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import DATA, REPO, TODAY
from handouts.catalogs import (
    Lookup,
    dump_catalog,
    extract_messages,
    extract_template_messages,
    po_path,
    pot_path,
    read_catalog,
    update_catalogs,
    validate_po,
    write_catalog,
)
from handouts.errors import CatalogError
from handouts.languages import TRANSLATED
from handouts.loader import load_project

Cli = Callable[..., tuple[int, str, str]]


def _msgfmt(path: Path) -> None:
    # The real GNU tool translators' editors rely on: header, format strings, syntax.
    result = subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_extract_gives_context_comments_and_locations(project: Path) -> None:
    template = extract_messages(load_project(project))
    claim = template.get(
        "A 2021 law limits what state workers may share for immigration enforcement.",
        context="CO/state-law-limit")
    assert claim is not None
    assert claim.locations == [("sheets/CO.yaml", 4)]
    assert "Claim CO/state-law-limit, section: state-law." in claim.auto_comments
    assert "Source: An Act About Data" in claim.auto_comments
    assert any("Keep unchanged" in c for c in claim.auto_comments)
    ui = template.get("Facts checked on %(date)s")
    assert ui is not None and ui.locations[0][0] == "templates/handout.html"
    assert "python-format" in ui.flags


def test_update_keeps_work_marks_changes_fuzzy_and_keeps_removed(project: Path) -> None:
    sheet = project / "sheets/CO.yaml"
    text = sheet.read_text()
    text = text.replace("A 2021 law limits what state workers may share",
                        "Since 2021, a law limits what state agency workers may share")
    # Remove the hotline entirely (everything from its id to the end of the file).
    text = text[: text.index("  - id: hotline")]
    sheet.write_text(text)
    update_catalogs(project, extract_messages(load_project(project)), ["es"])
    catalog = read_catalog(po_path(project, "es"), project, "es")
    changed = next(m for m in catalog if m.context == "CO/state-law-limit")
    assert changed.fuzzy
    assert changed.string == ("ES: A 2021 law limits what state workers may share for "
                              "immigration enforcement.")
    assert changed.previous_id == [
        "A 2021 law limits what state workers may share for immigration enforcement."]
    kept = next(m for m in catalog if m.context == "US/federal-ruling")
    assert not kept.fuzzy and kept.string.startswith("ES: ")
    assert any(m.context == "CO/hotline" for m in catalog.obsolete.values())
    raw = po_path(project, "es").read_text()
    assert '#| msgid "A 2021 law limits' in raw
    assert '#~ msgctxt "CO/hotline"' in raw
    _msgfmt(po_path(project, "es"))


def test_generated_catalogs_pass_msgfmt(project: Path) -> None:
    write_catalog(pot_path(project), extract_messages(load_project(project)))
    _msgfmt(pot_path(project))
    _msgfmt(po_path(project, "es"))


def test_repository_catalogs_are_valid_and_current(cli: Cli, tmp_path: Path) -> None:
    for path in sorted((REPO / "translations").rglob("*.po")):
        _msgfmt(path)
        with path.open("rb") as handle:
            header = read_po(handle).mime_headers
        names = {name for name, _value in header}
        assert {"Language", "Plural-Forms", "Content-Type"} <= names
    root = tmp_path / "repo"
    for name in ("sheets", "translations", "templates"):
        shutil.copytree(REPO / name, root / name)
    code, out, _err = cli("catalog", "extract", "--check", "--root", str(root))
    assert code == 0, f"{out}: run `sheets catalog update` and commit the result"


def test_extract_check_detects_outdated_template(project: Path, cli: Cli) -> None:
    assert cli("catalog", "extract", "--root", str(project))[0] == 0
    assert cli("catalog", "extract", "--check", "--root", str(project))[0] == 0
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("call the hotline at", "call the rapid hotline at"))
    code, out, _err = cli("catalog", "extract", "--check", "--root", str(project))
    assert code == 1 and "OUT OF DATE" in out


def test_stats_per_language_and_state(project: Path, cli: Cli) -> None:
    path = po_path(project, "es")
    catalog = read_catalog(path, project, "es")
    next(m for m in catalog if m.context == "CO/hotline").flags.add("fuzzy")
    next(m for m in catalog if m.context == "CO/state-law-limit").string = ""
    write_catalog(path, catalog)
    code, out, _err = cli("catalog", "stats", "--lang", "es", "--lang", "fr", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 0
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in out.splitlines()[1:]}
    # Template strings + the state's name + its claims (CO: 6 claims; MA: 6, and its help
    # contact's hours and languages).
    ui = len(extract_template_messages(project)) + 1
    # translated, fuzzy, missing, reviewed, unreviewed, outdated (review voided), printable
    assert rows[("es", "CO")] == [str(ui + 4), "1", "1", "0", str(ui + 4), "0", "withheld"]
    assert rows[("es", "MA")] == [str(ui + 8), "0", "0", "0", str(ui + 8), "0", "yes"]
    assert rows[("fr", "CO")] == [str(ui + 6), "0", "0", "0", str(ui + 6), "0", "yes"]


def test_update_check_and_init(project: Path, cli: Cli) -> None:
    assert cli("catalog", "update", "--check", "--root", str(project))[0] == 0
    sheet = project / "sheets/MA.yaml"
    sheet.write_text(sheet.read_text().replace("another state", "a neighbouring state"))
    code, out, _err = cli("catalog", "update", "--check", "--root", str(project))
    assert code == 1
    assert "translations/messages.pot: out of date" in out
    assert "translations/es/LC_MESSAGES/messages.po: out of date" in out
    po_path(project, "fr").unlink()
    code, out, _err = cli("catalog", "init", "fr", "--root", str(project))
    assert code == 0 and "created translations/fr/LC_MESSAGES/messages.po" in out
    assert cli("catalog", "init", "fr", "--root", str(project))[0] == 1
    assert cli("catalog", "init", "xx", "--root", str(project))[0] == 2
    _msgfmt(po_path(project, "fr"))


def test_one_english_edit_turns_exactly_its_entries_fuzzy(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("A 2021 law limits what state workers",
                                               "A 2021 Colorado law limits what state workers"))
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    for lang in TRANSLATED:
        catalog = read_catalog(po_path(project, lang), project, lang)
        assert [m.context for m in catalog if m.fuzzy] == ["CO/state-law-limit"], lang
        assert catalog.get("Colorado", context="CO/name").string == f"{lang.upper()}: Colorado"
    code, out, err = cli("build", "--all", "--lang", "en", "--lang", "es", "--lang", "ar",
                         "--root", str(project), "--today", TODAY.isoformat())
    # Pending translations withhold their handouts without failing the build.
    assert code == 0, err
    assert "withheld build/CO/CO-es-letter.pdf" in err
    assert "withheld build/CO/CO-ar-letter.pdf" in err
    assert "strings to translate (missing or fuzzy): ar 1, es 1" in err
    for built in ("CO-en", "MA-en", "MA-es", "MA-ar"):
        assert f"wrote   build/{built[:2]}/{built}-letter.pdf" in out


def test_lookup_is_strict_and_escapes(project: Path) -> None:
    catalog = read_catalog(po_path(project, "es"), project, "es")
    message = next(m for m in catalog if m.id == "Free help")
    message.string = "<b>Fuentes</b>"
    lookup = Lookup("es", catalog)
    assert str(lookup.gettext("Free help")) == "&lt;b&gt;Fuentes&lt;/b&gt;"
    with pytest.raises(CatalogError, match="no current translation"):
        lookup.gettext("A string nobody translated")
    message.flags.add("fuzzy")
    with pytest.raises(CatalogError):
        lookup.gettext("Free help")
    assert str(Lookup("en", None).gettext("Free help")) == "Free help"


def test_removed_then_restored_claim_gets_its_translations_back(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    original = sheet.read_text()
    sheet.write_text(original[: original.index("  - id: hotline")])
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    for lang in TRANSLATED:
        catalog = read_catalog(po_path(project, lang), project, lang)
        assert catalog.get("To report what you see, call the hotline at 1-800-555-0100.",
                           context="CO/hotline") is None
    sheet.write_text(original)
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    for lang in TRANSLATED:
        catalog = read_catalog(po_path(project, lang), project, lang)
        back = catalog.get("To report what you see, call the hotline at 1-800-555-0100.",
                           context="CO/hotline")
        assert back is not None and not back.fuzzy, lang
        assert back.string.startswith(f"{lang.upper()}: To report"), lang
        assert not catalog.obsolete
    assert cli("check", "--root", str(project), "--today", TODAY.isoformat())[0] == 0


def test_changed_template_string_becomes_fuzzy_with_previous(project: Path) -> None:
    template = project / "templates/handout.html"
    template.write_text(template.read_text().replace(
        '_("Free help")', '_("Free help now")'))
    update_catalogs(project, extract_messages(load_project(project)), ["es"])
    catalog = read_catalog(po_path(project, "es"), project, "es")
    changed = catalog.get("Free help now")
    assert changed is not None and changed.fuzzy
    assert changed.string == "ES: Free help"
    assert changed.previous_id == ["Free help"]


def test_new_claims_are_not_paired_with_unrelated_translations(project: Path) -> None:
    sheet = project / "sheets/MA.yaml"
    sheet.write_text(sheet.read_text() + (
        "  - id: new-limit\n    section: state-law\n    text: >-\n"
        "      A 2021 law limits what state workers may share for immigration enforcement.\n"
        "    checked: 2026-01-10\n    citations:\n      - source: ma-report\n"
        "        locator: page 2\n        quote: Workers may not share information.\n"))
    update_catalogs(project, extract_messages(load_project(project)), ["es"])
    catalog = read_catalog(po_path(project, "es"), project, "es")
    new = catalog.get("A 2021 law limits what state workers may share for immigration "
                      "enforcement.", context="MA/new-limit")
    # Same English as CO/state-law-limit, but a different claim: translated afresh, not guessed.
    assert new is not None and not new.string and not new.fuzzy


def test_catalog_header_does_not_depend_on_the_babel_version() -> None:
    # A Babel upgrade must not make every committed catalog "out of date".
    import babel
    from babel.messages.catalog import Catalog

    text = dump_catalog(Catalog(locale="es")).decode()
    assert '"Generated-By: sheets (Babel)\\n"' in text
    assert babel.__version__ not in text


def test_parsed_catalog_is_reused_until_the_file_changes(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import handouts.catalogs as catalogs

    first = catalogs.read_translations(project, "es")
    sources = first.get("Free help")
    assert sources is not None and sources.string and not sources.fuzzy

    def no_parse(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("an unchanged catalog must come from the cache")

    monkeypatch.setattr(catalogs, "read_catalog", no_parse)
    assert catalogs.read_translations(project, "es").entries == first.entries
    monkeypatch.undo()
    path = po_path(project, "es")
    catalog = read_catalog(path, project, "es")
    next(m for m in catalog if m.id == "Free help").string = "Fuentes (editado)"
    write_catalog(path, catalog)
    edited = catalogs.read_translations(project, "es").get("Free help")
    assert edited is not None and edited.string == "Fuentes (editado)"


def test_damaged_or_unwritable_catalog_cache_only_costs_time(project: Path) -> None:
    from handouts.catalogs import read_translations
    from handouts.memo import CACHE_DIR

    expected = read_translations(project, "es").entries
    cached = project / CACHE_DIR / "catalogs/es.json"
    cached.write_text('{"sha256": ')
    assert read_translations(project, "es").entries == expected
    shutil.rmtree(project / "build")
    (project / "build").write_text("not a folder")
    assert read_translations(project, "es").entries == expected


def test_template_strings_are_kept_until_a_template_changes(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import handouts.catalogs as catalogs

    first = catalogs.extract_template_messages(project)
    assert any(m.id == "Free help" for m in first)

    def no_extract(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("unchanged templates must not be parsed again")

    monkeypatch.setattr(catalogs, "extract", no_extract)
    assert catalogs.extract_template_messages(project) == first
    template = project / "templates/handout.html"
    template.write_text(template.read_text() + '{{ _("A new label") }}\n')
    with pytest.raises(AssertionError, match="parsed again"):
        catalogs.extract_template_messages(project)
    monkeypatch.undo()
    again = catalogs.extract_template_messages(project)
    # Other templates (the site's) sort after handout.html: the new label is among its strings.
    assert [m.id for m in again if m.path == "templates/handout.html"][-1] == "A new label"
    assert [m for m in again if m.id != "A new label"] == first


# --- The parser refuses what GNU msgfmt -c refuses ------------------------------------------

BAD_PO = sorted((DATA / "bad" / "po").glob("*.po"))
msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext")


def _msgfmt_accepts(path: Path) -> bool:
    run = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True)
    return run.returncode == 0


@msgfmt
@pytest.mark.parametrize("path", sorted(REPO.glob("translations/*/LC_MESSAGES/*.po"))
                         + [REPO / "translations/messages.pot"], ids=lambda p: p.parent.parent.name)
def test_every_real_catalog_passes_msgfmt_and_our_parser(path: Path) -> None:
    assert _msgfmt_accepts(path), f"msgfmt -c refuses {path}"
    validate_po(path.read_bytes())


@pytest.mark.parametrize("path", BAD_PO, ids=lambda p: p.name)
def test_a_malformed_catalog_is_refused_with_its_line(path: Path, project: Path,
                                                      cli: Cli) -> None:
    text = path.read_text(encoding="utf-8")
    fragment = re.search(r"^# expect: (.*)$", text, re.MULTILINE)
    assert fragment is not None
    if "msgfmt accepts" not in text and shutil.which("msgfmt"):
        assert not _msgfmt_accepts(path), "the oracle accepts it: not a parser case"
    (project / "translations/es/LC_MESSAGES/messages.po").write_bytes(path.read_bytes())
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "es")
    assert code == 1
    assert re.search(r"translations/es/LC_MESSAGES/messages\.po:\d+: error\[catalog-syntax\]: "
                     + re.escape(fragment.group(1)), err), err
    # Nor does `catalog update` merge into it (nothing is written).
    before = (project / "translations/es/LC_MESSAGES/messages.po").read_bytes()
    assert cli("catalog", "update", "--lang", "es", "--root", str(project))[0] == 1
    assert (project / "translations/es/LC_MESSAGES/messages.po").read_bytes() == before


# --- No translator's work lost ---------------------------------------------------------------

HOTLINE = "To report what you see, call the hotline at 1-800-555-0100."


def _catalog(project: Path, lang: str = "es") -> object:
    return read_catalog(po_path(project, lang), project, lang)


def _update(cli: Cli, project: Path) -> None:
    code, _out, err = cli("catalog", "update", "--root", str(project))
    assert code == 0, err


def test_an_explicit_rename_keeps_every_translation(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("  - id: hotline\n",
                                               "  - id: report-line\n    renamed_from: hotline\n"))
    _update(cli, project)
    for lang in TRANSLATED:
        catalog = read_catalog(po_path(project, lang), project, lang)
        kept = catalog.get(HOTLINE, context="CO/report-line")
        assert kept is not None and not kept.fuzzy, lang
        assert kept.string == f"{lang.upper()}: {HOTLINE}", lang
        assert not any(m.context == "CO/hotline" for m in catalog.obsolete.values())
    assert cli("check", "--root", str(project), "--today", TODAY.isoformat())[0] == 0


def test_a_rename_with_the_same_text_is_offered_as_fuzzy(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("  - id: hotline\n", "  - id: report-line\n"))
    _update(cli, project)
    offered = _catalog(project).get(HOTLINE, context="CO/report-line")
    assert offered is not None and offered.fuzzy and offered.string == f"ES: {HOTLINE}"


def test_removed_then_restored_with_new_english_gets_its_translation_as_fuzzy(
        project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    original = sheet.read_text()
    sheet.write_text(original[: original.index("  - id: hotline")])
    _update(cli, project)
    sheet.write_text(original.replace("call the hotline at", "call the help line at"))
    _update(cli, project)
    back = _catalog(project).get(HOTLINE.replace("the hotline", "the help line"),
                                 context="CO/hotline")
    assert back is not None and back.fuzzy and back.string == f"ES: {HOTLINE}"
    assert back.previous_id == [HOTLINE]


def test_a_heading_reworded_at_its_place_keeps_its_translation(project: Path,
                                                                cli: Cli) -> None:
    template = project / "templates/handout.html"
    template.write_text(template.read_text().replace('_("What have courts decided?")',
                                                     '_("Court rulings")'))
    _update(cli, project)
    offered = _catalog(project).get("Court rulings")
    assert offered is not None and offered.fuzzy
    assert offered.string == "ES: What have courts decided?"


def test_update_is_idempotent_and_check_passes_right_after(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace(
        "A 2021 law limits what state workers may share for immigration enforcement.",
        "A 2021 law limits what state workers\n      may share.\n\n      For immigration "
        "enforcement.").replace("    text: >-\n      A 2021", "    text: |-\n      A 2021"))
    template = project / "templates/handout.html"
    template.write_text(template.read_text().replace('_("Free help")',
                                                     '_("Free help near you")'))
    _update(cli, project)
    files = sorted(project.glob("translations/**/*.po*"))
    first = {path: path.read_bytes() for path in files}
    assert cli("catalog", "update", "--check", "--root", str(project))[0] == 0
    _update(cli, project)
    assert {path: path.read_bytes() for path in files} == first
    text = po_path(project, "es").read_text()
    assert '#| msgid "Free help"' in text
    # A multi-line English keeps its previous English too, over several #| lines.
    assert ('#| msgid "A 2021 law limits what state workers may share for immigration '
            'enforcement."') in text
    for path in files:
        if path.suffix == ".po":
            assert "# |" not in path.read_text(), path
    if shutil.which("msgfmt"):
        for path in files:
            assert _msgfmt_accepts(path), path


def test_a_multi_line_english_keeps_its_previous_lines(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    multi = "    text: |-\n      Line one of the hotline.\n      Line two: 1-800-555-0100.\n"
    text = sheet.read_text()
    start = text.index("    text: >-\n      To report")
    end = text.index("    checked:", start)
    sheet.write_text(text[:start] + multi + text[end:])
    _update(cli, project)
    sheet.write_text(sheet.read_text().replace("Line two:", "Line 2:"))
    _update(cli, project)
    po = po_path(project, "es").read_text()
    assert '#| msgid ""\n#| "Line one of the hotline.\\n"\n#| "Line two: 1-800-555-0100."' in po
    assert cli("catalog", "update", "--check", "--root", str(project))[0] == 0


def test_update_refuses_when_the_content_does_not_load(project: Path, cli: Cli) -> None:
    before = {path: path.read_bytes() for path in project.glob("translations/**/*.po*")}
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("name: Colorado", "name: [Colorado"))
    code, _out, err = cli("catalog", "update", "--root", str(project))
    assert code == 1 and "sheets/CO.yaml:" in err and "error[yaml-syntax]" in err
    assert "no catalog was written" in err
    assert {path: path.read_bytes() for path in before} == before
    assert cli("catalog", "extract", "--root", str(project))[0] == 1
