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
    spanish = languages.LANGUAGES["es"]
    monkeypatch.setitem(languages.LANGUAGES, "es", languages.Language(
        "es", "ltr", ("No Such Font Family",), name=spanish.name))
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


# --- What prints is what was checked: one snapshot per build --------------------------------

ORIGINAL = "A 2021 law limits what state workers may share for immigration enforcement."


def _edit_after_load(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edit the sheet and the catalog on disk right after the check loaded them (as a
    maintainer saving a file one second into a build would)."""
    from handouts import build

    real = build.check_project

    def check_then_edit(*args: object, **kwargs: object) -> object:
        checked = real(*args, **kwargs)  # type: ignore[arg-type]
        sheet = project / "sheets/CO.yaml"
        sheet.write_text(sheet.read_text().replace(ORIGINAL, "POISONED sentence, no source."))
        catalog = project / "translations/es/LC_MESSAGES/messages.po"
        catalog.write_text(catalog.read_text().replace('msgstr "ES: ', 'msgstr "POISONED: '))
        return checked

    monkeypatch.setattr(build, "check_project", check_then_edit)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_edit_after_load_is_not_printed(project: Path, cli: Cli, jobs: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import pdfinfo

    _edit_after_load(project, monkeypatch)
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "--lang", "es", "-j", jobs,
                          "--force", "--root", str(project), "--today", TODAY.isoformat())
    assert code == 0, err
    for lang in ("en", "es"):
        text = pdfinfo.text(project / f"build/CO/CO-{lang}-letter.pdf")
        assert "POISONED" not in text
    assert ORIGINAL.split()[-1] in pdfinfo.text(project / "build/CO/CO-en-letter.pdf")
    # The files changed during the build: it must not vouch for them. The next build checks
    # the edited files (here: the new claim text is printed, as its catalog is out of date
    # for Spanish, only English) instead of replaying the last one.
    monkeypatch.undo()
    code, out, err = cli("build", "--state", "CO", "--lang", "en", "-j", jobs, "--root",
                         str(project), "--today", TODAY.isoformat())
    assert code == 0, err
    assert "wrote   build/CO/CO-en-letter.pdf" in out
    assert "POISONED" in pdfinfo.text(project / "build/CO/CO-en-letter.pdf")


def test_j_is_capped_at_the_cpu_count() -> None:
    import os

    from handouts.build import worker_count

    assert worker_count(1000, 850) == (os.cpu_count() or 1)
    assert worker_count(1000, 1) == 1 and worker_count(1, 850) == 1
