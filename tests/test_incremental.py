"""Incremental builds and faults: unchanged outputs are skipped, edits rebuild only what they
touch, and a build killed at any moment leaves nothing that the next build would trust."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import TODAY
from handouts.catalogs import po_path, read_catalog, write_catalog

Cli = Callable[..., tuple[int, str, str]]
LANGS = ["--lang", "en", "--lang", "es"]


def _build(cli: Cli, project: Path, *extra: str, langs: list[str] = LANGS) -> str:
    code, out, err = cli("build", "--all", *langs, "--root", str(project), "--today",
                         TODAY.isoformat(), *extra)
    assert code == 0, err
    return out


def _written(out: str) -> list[str]:
    return sorted(line.split()[1] for line in out.splitlines() if line.startswith("wrote"))


def test_second_build_skips_everything(project: Path, cli: Cli) -> None:
    assert len(_written(_build(cli, project))) == 4
    out = _build(cli, project)
    assert _written(out) == [] and out.count("unchanged") == 4
    assert len(_written(_build(cli, project, "--force"))) == 4


def test_claim_edit_rebuilds_only_its_state(project: Path, cli: Cli) -> None:
    _build(cli, project)
    sheet = project / "sheets/MA.yaml"
    sheet.write_text(sheet.read_text().replace("another state", "a neighbouring state"))
    # The English edit makes MA's Spanish entry outdated (not yet updated): build English.
    out = _build(cli, project, langs=["--lang", "en"])
    assert _written(out) == ["build/MA/MA-en-letter.pdf"]


def test_catalog_edit_rebuilds_only_that_language(project: Path, cli: Cli) -> None:
    _build(cli, project)
    path = po_path(project, "es")
    catalog = read_catalog(path, project, "es")
    next(m for m in catalog if m.context == "MA/state-law-limit").string += " (revisado)"
    write_catalog(path, catalog)
    assert _written(_build(cli, project)) == ["build/MA/MA-es-letter.pdf"]


def test_a_tampered_pdf_is_rebuilt(project: Path, cli: Cli) -> None:
    _build(cli, project)
    (project / "build/CO/CO-en-letter.pdf").write_bytes(b"%PDF-1.7 not ours")
    assert _written(_build(cli, project)) == ["build/CO/CO-en-letter.pdf"]


def test_unwritable_build_folder_is_a_clear_error(project: Path, cli: Cli) -> None:
    (project / "build").write_text("a file where the build folder should be")
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "--root", str(project),
                          "--today", TODAY.isoformat())
    assert code == 1 and "error: cannot write under build/" in err


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "build").rglob("*.pdf"))}


def test_killed_builds_leave_nothing_corrupt(project: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    shutil.copytree(project, clean)
    command = [sys.executable, "-m", "handouts", "build", "--all", *LANGS, "--paper", "letter",
               "--paper", "a4", "-j", "2", "--today", TODAY.isoformat()]
    subprocess.run([*command, "--root", str(clean)], check=True, capture_output=True)
    rng = random.Random(20261122)
    for _ in range(20):
        process = subprocess.Popen([*command, "--root", str(project), "--force"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(rng.uniform(0.3, 2.5))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for leftover in (project / "build").rglob("*.tmp"):
        leftover.unlink()  # a killed writer's temporary file: never read, safe to remove
    subprocess.run([*command, "--root", str(project)], check=True, capture_output=True)
    assert _hashes(project) == _hashes(clean) and len(_hashes(clean)) == 8
    for pdf in (project / "build").rglob("*.pdf"):
        assert len(PdfReader(pdf).pages) <= 2


def test_repeated_build_replays_without_loading_anything(
        project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(cli, project)
    import handouts.build

    def no_check(*_args: object) -> object:
        raise AssertionError("a build with nothing changed must not load and check again")

    monkeypatch.setattr(handouts.build, "check_project", no_check)
    out = _build(cli, project)
    assert _written(out) == [] and out.count("unchanged") == 4


def test_replay_is_refused_when_anything_it_depends_on_changed(
        project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import handouts.build

    real = handouts.build.check_project
    calls: list[int] = []

    def counting(*args: object, **options: bool) -> object:
        calls.append(1)
        return real(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(handouts.build, "check_project", counting)
    _build(cli, project)
    # A comment in a sheet changes nothing printed, but the build must look again.
    sheet = project / "sheets/MA.yaml"
    sheet.write_text(sheet.read_text() + "\n# a comment\n")
    calls.clear()
    assert _written(_build(cli, project)) == [] and calls == [1]
    calls.clear()
    cli("build", "--all", *LANGS, "--root", str(project), "--today", "2026-03-02")
    assert calls == [1], "another day: the date rules must run again"
    calls.clear()
    _build(cli, project)  # back to the tests' day: checked again (the last build was another day)
    (project / "build/MA/MA-es-letter.pdf").unlink()
    calls.clear()
    assert _written(_build(cli, project)) == ["build/MA/MA-es-letter.pdf"] and calls == [1]


def test_a_build_with_problems_is_never_replayed(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/MA.yaml"
    sheet.write_text(sheet.read_text().replace("checked: ", "checked: 1999-01-01 #", 1))
    code, _out, _err = cli("build", "--all", *LANGS, "--root", str(project), "--today",
                           TODAY.isoformat())
    assert code == 1
    assert not (project / "build/.cache/last-build.json").exists()


def test_a_change_to_the_code_rebuilds_everything(
        project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(cli, project)
    import handouts.cache

    # As after `git pull` brought a new renderer without a new version number.
    monkeypatch.setattr(handouts.cache, "code_digest", lambda: "other code")
    assert len(_written(_build(cli, project))) == 4
