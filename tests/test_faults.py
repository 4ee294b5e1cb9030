"""Faults a maintainer can meet: missing template or font, two builds at once, bad codes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import TODAY
from handouts import languages

Cli = Callable[..., tuple[int, str, str]]


def test_missing_template_is_named(project: Path, cli: Cli) -> None:
    (project / "templates/handout.html").unlink()
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "-j", "1", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 1
    assert "error[render-failed]: template templates/handout.html not found" in err


def test_missing_stylesheet_is_named(project: Path, cli: Cli) -> None:
    (project / "templates/handout.css").unlink()
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "-j", "1", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 1 and "handout.css" in err and "error[render-failed]" in err


def test_missing_font_is_named(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    config = project / languages.LANGUAGES_FILE
    config.write_text(config.read_text().replace(
        "{code: es, name: Spanish, native: español, direction: ltr, fonts: [Noto Sans]",
        "{code: es, name: Spanish, native: español, direction: ltr, "
        "fonts: [No Such Font Family]"))
    code, _out, err = cli("build", "--state", "CO", "--lang", "es", "-j", "1", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 1 and "font 'No Such Font Family' is not installed" in err


def test_bad_state_codes_are_usage_errors(project: Path, cli: Cli) -> None:
    for code in ("../../etc", "CO/../x", "C"):
        assert cli("build", "--state", code, "--root", str(project))[0] == 2
        assert cli("check", "--state", code, "--root", str(project))[0] == 2


def test_two_builds_at_once_do_not_corrupt_each_other(project: Path) -> None:
    command = [sys.executable, "-m", "handouts", "build", "--all", "--lang", "en", "--lang",
               "es", "--force", "-j", "1", "--root", str(project), "--today", TODAY.isoformat()]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    assert [run.wait(timeout=300) for run in runs] == [0, 0]
    first = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (project / "build").rglob("*.pdf")}
    subprocess.run(command, check=True, capture_output=True)
    again = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (project / "build").rglob("*.pdf")}
    assert first == again and len(first) == 4
    assert not list((project / "build").rglob("*.tmp"))
