"""Caps that keep hostile input from making a build slow or huge, each with a clear message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import TODAY
from handouts.loader import MAX_FILE_BYTES

Cli = Callable[..., tuple[int, str, str]]


def _check(cli: Cli, project: Path) -> str:
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "en")
    assert code == 1
    return err


def test_file_over_the_size_limit(project: Path, cli: Cli) -> None:
    (project / "sheets/CO.yaml").write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert "sheets/CO.yaml:1: error[file-too-large]: over 2000000 bytes" in _check(cli, project)


def test_unreadable_file(project: Path, cli: Cli) -> None:
    path = project / "sheets/CO.yaml"
    path.unlink()
    path.mkdir()  # a folder where a file should be: reading it fails
    assert "sheets/CO.yaml:1: error[file-unreadable]" in _check(cli, project)


def test_too_many_claims(project: Path, cli: Cli) -> None:
    entries = "".join("  - include: US/federal-ruling\n" for _ in range(61))
    (project / "sheets/CO.yaml").write_text(f"state: CO\nname: Colorado\nclaims:\n{entries}")
    assert "sheets/CO.yaml:3: error[too-many-claims]: 61 entries (limit 60)" in _check(cli, project)


def test_claim_text_too_long(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace(
        "A 2021 law limits what state workers may share for immigration enforcement.",
        "A 2021 law limits sharing. " * 50))
    assert "sheets/CO.yaml:6: error[text-too-long]: CO/state-law-limit: 1349 characters" in (
        _check(cli, project))


def test_translation_with_bidi_override_is_blocked(project: Path, cli: Cli) -> None:
    from handouts.catalogs import po_path, read_catalog, write_catalog

    path = po_path(project, "ar")
    catalog = read_catalog(path, project, "ar")
    message = next(m for m in catalog if m.context == "CO/state-law-limit")
    message.string = "قانون عام 2021 \u202eيحد من المشاركة."
    write_catalog(path, catalog)
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "ar")
    assert code == 1 and "error[translation-control]: CO/state-law-limit: invisible control" in err
