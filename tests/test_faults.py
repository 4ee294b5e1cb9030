"""Faults a maintainer can meet: missing template or font, two builds at once, bad codes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
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


# --- What prints is what was checked: one snapshot per build --------------------------------

ORIGINAL = "A 2021 law limits what state workers may share for immigration enforcement."


def _edit_after_load(project: Path, monkeypatch: pytest.MonkeyPatch) -> object:
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
        # The templates too: a heading no catalog knows, and a stylesheet that hides the text.
        template = project / "templates/handout.html"
        template.write_text(template.read_text().replace(
            '_("Where these facts come from")', '"POISONED heading"'))
        css = project / "templates/handout.css"
        css.write_text(css.read_text() + "\nbody { visibility: hidden }\n")
        return checked

    monkeypatch.setattr(build, "check_project", check_then_edit)
    return real


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_edit_after_load_is_not_printed(project: Path, cli: Cli, jobs: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import pdfinfo

    real = _edit_after_load(project, monkeypatch)
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
    from handouts import build

    monkeypatch.setattr(build, "check_project", real)  # (undo() would drop SHEETS_TODAY too)
    css = project / "templates/handout.css"
    css.write_text(css.read_text().replace("\nbody { visibility: hidden }\n", ""))
    code, out, err = cli("build", "--state", "CO", "--lang", "en", "-j", jobs, "--root",
                         str(project), "--today", TODAY.isoformat())
    assert code == 0, err
    assert "wrote   build/CO/CO-en-letter.pdf" in out
    assert "POISONED sentence" in pdfinfo.text(project / "build/CO/CO-en-letter.pdf")
    assert "POISONED heading" in pdfinfo.text(project / "build/CO/CO-en-letter.pdf")


def test_j_is_capped_at_the_cpu_count() -> None:
    import os

    from handouts.build import worker_count

    assert worker_count(1000, 850) == (os.cpu_count() or 1)
    assert worker_count(1000, 1) == 1 and worker_count(1, 850) == 1


# --- Every write inside build/ ---------------------------------------------------------------

def _build(cli: Cli, project: Path, *extra: str) -> tuple[int, str, str]:
    return cli("build", "--state", "CO", "--lang", "en", "-j", "1", "--root", str(project),
               "--today", TODAY.isoformat(), *extra)


def test_a_state_folder_linked_out_of_build_is_refused(project: Path, cli: Cli,
                                                       tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "build").mkdir()
    (project / "build/CO").symlink_to(outside)
    code, _out, err = _build(cli, project)
    assert code == 1 and "refusing to write" in err
    assert list(outside.iterdir()) == []


def test_a_preview_folder_linked_out_of_build_is_refused(project: Path, cli: Cli,
                                                         tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "build/CO").mkdir(parents=True)
    (project / "build/CO/preview").symlink_to(outside)
    code, _out, err = _build(cli, project, "--png")
    assert code == 1 and "refusing to write there" in err
    assert list(outside.iterdir()) == []


def test_a_cache_linked_out_of_build_is_neither_read_nor_written(project: Path, cli: Cli,
                                                                  tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "last-build.json").write_text("{}")
    (project / "build").mkdir()
    (project / "build/.cache").symlink_to(outside)
    code, _out, err = _build(cli, project)
    # The cache is only a saving: refused, it costs time; the PDF itself is written.
    assert code in (0, 1)
    assert sorted(p.name for p in outside.iterdir()) == ["last-build.json"]
    assert (outside / "last-build.json").read_text() == "{}"


def test_a_record_linked_to_a_device_is_not_read(project: Path, cli: Cli) -> None:
    assert _build(cli, project)[0] == 0
    pdf = project / "build/CO/CO-en-letter.pdf"
    pdf.unlink()
    pdf.symlink_to("/dev/zero")  # is_fresh would hash it forever
    code, _out, err = _build(cli, project)  # refused at once, nothing read through the link
    assert code == 1 and "build/CO/CO-en-letter.pdf: refusing to write outside build/" in err


# --- kill -9 at several points: no worker left, no partial PDF, site or catalog -------------

def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _gone(marker: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _processes_mentioning(marker):
            return True
        time.sleep(0.2)
    return False


def _kill_at(command: list[str], delay: float) -> None:
    """Start ``command`` and SIGKILL (``Popen.kill``) only that process, not its group,
    after ``delay``: its workers must notice by themselves."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.kill()
    process.wait()


def _all_intact(project: Path) -> None:
    from pypdf import PdfReader

    from handouts.catalogs import validate_po

    for pdf in (project / "build").rglob("*.pdf"):
        assert 1 <= len(PdfReader(pdf).pages) <= 2, pdf
    for catalog in project.glob("translations/**/*.po*"):
        validate_po(catalog.read_bytes())
    site = project / "build/site"
    if site.exists():
        assert (site / "index.html").is_file()


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_kill_9_of_build_update_and_site_leaves_nothing_partial(project: Path) -> None:
    base = [sys.executable, "-m", "handouts"]
    marker = str(project)
    build = [*base, "build", "--all", "--lang", "en", "--lang", "es", "-j", "2", "--force",
             "--root", marker, "--today", TODAY.isoformat()]
    translated = {p: p.read_text().count('msgstr "ES: ') for p in
                  project.glob("translations/es/LC_MESSAGES/*.po")}
    for delay in (1.2, 2.5, 4.0):
        _kill_at(build, delay)
        # Workers end with their build (PR_SET_PDEATHSIG): none is left rendering.
        assert _gone(marker), f"workers left running after a kill at {delay} s"
        _all_intact(project)
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("A 2021 law", "A 2021 state law"))
    update = [*base, "catalog", "update", "--root", marker]
    for delay in (0.6, 1.0, 1.5):
        _kill_at(update, delay)
        assert _gone(marker)
        _all_intact(project)
        for path, count in translated.items():
            assert path.read_text().count('"ES: ') >= count, "a translation was lost"
    site = [*base, "site", "--lang", "en", "-j", "2", "--root", marker, "--today",
            TODAY.isoformat()]
    subprocess.run(site, capture_output=True, check=False)
    for delay in (1.5, 3.0):
        _kill_at(site, delay)
        assert _gone(marker)
        _all_intact(project)
        assert (project / "build/site/index.html").is_file()
    # And the next run of each finishes cleanly.
    assert subprocess.run([*update], capture_output=True).returncode == 0
    assert subprocess.run(site, capture_output=True).returncode == 0
    _all_intact(project)
    assert not list((project / "build").glob(".site-*"))


def test_review_records_removed_during_a_build_are_not_what_it_prints(
        project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notice is decided from the review records the check read, not the file again."""
    import pdfinfo
    from handouts import build

    assert cli("review", "--lang", "es", "--state", "CO", "--reviewer",
               "Ana Ruiz <ana@example.org>", "--yes", "--root", str(project))[0] == 0
    real = build.check_project

    def check_then_remove(*args: object, **kwargs: object) -> object:
        checked = real(*args, **kwargs)  # type: ignore[arg-type]
        (project / "translations/es/reviews.yaml").unlink()
        return checked

    monkeypatch.setattr(build, "check_project", check_then_remove)
    code, _out, err = cli("build", "--state", "CO", "--lang", "es", "-j", "2", "--force",
                          "--root", str(project), "--today", TODAY.isoformat())
    assert code == 0, err
    text = pdfinfo.text(project / "build/CO/CO-es-letter.pdf")
    assert "not yet reviewed" not in text  # reviewed as checked: no notice
