from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import REPO, TODAY
from handouts.catalogs import (
    Lookup,
    dump_catalog,
    extract_messages,
    extract_template_messages,
    po_path,
    pot_path,
    read_catalog,
    update_catalogs,
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
    # Template strings + the state's name + its claims (CO: 3 claims, MA: 2).
    ui = len(extract_template_messages(project)) + 1
    assert rows[("es", "CO")] == [str(ui + 1), "1", "1", "NO"]
    assert rows[("es", "MA")] == [str(ui + 2), "0", "0", "yes"]
    assert rows[("fr", "CO")] == [str(ui + 3), "0", "0", "yes"]


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
    assert code == 1
    assert "error[translation-fuzzy]: CO/state-law-limit" in err
    assert "blocked build/CO/CO-es-letter.pdf" in err and "blocked build/CO/CO-ar-letter.pdf" in err
    for built in ("CO-en", "MA-en", "MA-es", "MA-ar"):
        assert f"wrote   build/{built[:2]}/{built}-letter.pdf" in out


def test_lookup_is_strict_and_escapes(project: Path) -> None:
    catalog = read_catalog(po_path(project, "es"), project, "es")
    message = next(m for m in catalog if m.id == "Sources")
    message.string = "<b>Fuentes</b>"
    lookup = Lookup("es", catalog)
    assert str(lookup.gettext("Sources")) == "&lt;b&gt;Fuentes&lt;/b&gt;"
    with pytest.raises(CatalogError, match="no current translation"):
        lookup.gettext("A string nobody translated")
    message.flags.add("fuzzy")
    with pytest.raises(CatalogError):
        lookup.gettext("Sources")
    assert str(Lookup("en", None).gettext("Sources")) == "Sources"


def test_removed_then_restored_claim_gets_its_translations_back(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    original = sheet.read_text()
    sheet.write_text(original[: original.index("  - id: hotline")])
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    for lang in TRANSLATED:
        catalog = read_catalog(po_path(project, lang), project, lang)
        assert catalog.get("To report immigration enforcement activity, call the hotline at "
                           "1-800-555-0100.", context="CO/hotline") is None
    sheet.write_text(original)
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    for lang in TRANSLATED:
        catalog = read_catalog(po_path(project, lang), project, lang)
        back = catalog.get("To report immigration enforcement activity, call the hotline at "
                           "1-800-555-0100.", context="CO/hotline")
        assert back is not None and not back.fuzzy, lang
        assert back.string.startswith(f"{lang.upper()}: To report"), lang
        assert not catalog.obsolete
    assert cli("check", "--root", str(project), "--today", TODAY.isoformat())[0] == 0


def test_changed_template_string_becomes_fuzzy_with_previous(project: Path) -> None:
    template = project / "templates/handout.html"
    template.write_text(template.read_text().replace(
        '_("Where to get help")', '_("Where to get help now")'))
    update_catalogs(project, extract_messages(load_project(project)), ["es"])
    catalog = read_catalog(po_path(project, "es"), project, "es")
    changed = catalog.get("Where to get help now")
    assert changed is not None and changed.fuzzy
    assert changed.string == "ES: Where to get help"
    assert changed.previous_id == ["Where to get help"]


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
    sources = first.get("Sources")
    assert sources is not None and sources.string and not sources.fuzzy

    def no_parse(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("an unchanged catalog must come from the cache")

    monkeypatch.setattr(catalogs, "read_catalog", no_parse)
    assert catalogs.read_translations(project, "es").entries == first.entries
    monkeypatch.undo()
    path = po_path(project, "es")
    catalog = read_catalog(path, project, "es")
    next(m for m in catalog if m.id == "Sources").string = "Fuentes (editado)"
    write_catalog(path, catalog)
    edited = catalogs.read_translations(project, "es").get("Sources")
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
    assert any(m.id == "Sources" for m in first)

    def no_extract(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("unchanged templates must not be parsed again")

    monkeypatch.setattr(catalogs, "extract_from_file", no_extract)
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
