from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import REPO
from handouts.catalogs import (
    Lookup,
    extract_messages,
    po_path,
    pot_path,
    read_catalog,
    update_catalogs,
    write_catalog,
)
from handouts.errors import CatalogError
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


def test_stats(project: Path, cli: Cli) -> None:
    code, out, _err = cli("catalog", "stats", "--root", str(project))
    assert code == 0
    assert out.startswith("es: ") and " 0 fuzzy, 0 missing" in out


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
