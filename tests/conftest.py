"""Shared fixtures: a small valid project in a temp folder, a fixed clock, a CLI runner."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handouts.catalogs import (
    extract_messages,
    lock_translations,
    po_path,
    read_catalog,
    update_catalogs,
    write_catalog,
)
from handouts.cli import app
from handouts.languages import TRANSLATED
from handouts.loader import load_project

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
#: The tests' "today": fixture content is dated relative to it, never to the calendar.
TODAY = dt.date(2026, 3, 1)


def pseudo_translate(root: Path, lang: str = "es") -> None:
    """Fill every entry of a catalog with a marked copy of the English (placeholders kept)."""
    path = po_path(root, lang)
    catalog = read_catalog(path, root, lang)
    for message in catalog:
        if message.id:
            message.string = f"{lang.upper()}: {message.id}"
            message.flags.discard("fuzzy")
    write_catalog(path, catalog)


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """`sheets` takes SHEETS_TODAY as today, so `--today TODAY` is a real run, not a what-if
    (which would write nothing under build/); subprocesses inherit it."""
    monkeypatch.setenv("SHEETS_TODAY", TODAY.isoformat())


@pytest.fixture(scope="session")
def _project_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "project"
    shutil.copytree(DATA / "project", root)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "translations").mkdir()
    shutil.copy(REPO / "translations/languages.yaml", root / "translations/languages.yaml")
    update_catalogs(root, extract_messages(load_project(root)), TRANSLATED)
    for lang in TRANSLATED:
        pseudo_translate(root, lang)
    # The fixture's notice translations count as reviewed (see catalogs.lock_translations).
    lock_translations(root, TRANSLATED)
    # Each test starts without build/ (extracting the template strings kept them there).
    shutil.rmtree(root / "build", ignore_errors=True)
    return root


@pytest.fixture
def project(tmp_path: Path, _project_template: Path) -> Path:
    """A copy of tests/data/project with the real templates and complete catalogs."""
    root = tmp_path / "project"
    shutil.copytree(_project_template, root)
    return root


@pytest.fixture
def cli() -> Callable[..., tuple[int, str, str]]:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args), prog_name="sheets", catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run
