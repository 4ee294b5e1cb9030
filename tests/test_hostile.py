"""Hostile content: markup in claims, source titles and translations prints as text, and no
request leaves the machine (a recording server on 127.0.0.1 must see none)."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import pdfinfo
from conftest import TODAY, pseudo_translate
from handouts import loader
from handouts.catalogs import extract_messages, update_catalogs
from handouts.loader import load_project

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: black }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_recorder_sees_what_an_unguarded_renderer_fetches(recorder: tuple[str, list[str]]) -> None:
    # Control: WeasyPrint with its default fetcher does request these, so a zero below means
    # our guards worked, not that the server was deaf.
    from weasyprint import HTML

    base, hits = recorder
    HTML(string=f'<link rel="stylesheet" href="{base}/control.css"><p>x</p>').write_pdf()
    assert hits == ["/control.css"]


def test_injection_prints_literally_and_fetches_nothing(project: Path, cli: Cli,
                                                         recorder: tuple[str, list[str]]) -> None:
    base, hits = recorder
    payload = (f'<script>alert(1)</script> <img src="{base}/img.png"> '
               f'<link rel="stylesheet" href="{base}/x.css"> <style>@import url({base}/i.css);'
               f'</style> url({base}/u.png) &amp; &#60;b&#62;')
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace(
        "A 2021 law limits what state workers may share for immigration enforcement.",
        f"A 2021 law limits sharing. {payload}").replace(
        # The payload's numbers (alert(1), &#60;) must be quoted like any number printed.
        "Since 2021, a state agency employee is prohibited from disclosing information.",
        f"Since 2021, a state agency employee is prohibited from disclosing. {payload}"))
    sources = project / "sheets/sources.yaml"
    sources.write_text(sources.read_text().replace(
        '"An Act About Data"', f'"An Act <img src=\\"{base}/title.png\\"> About Data"'))
    update_catalogs(project, extract_messages(load_project(project)), ["es"])
    pseudo_translate(project, "es")
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "--lang", "es", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 0, err
    for lang in ("en", "es"):
        text = pdfinfo.text(project / f"build/CO/CO-{lang}-letter.pdf").replace(" ", "")
        assert payload.replace(" ", "") in text
        assert f'AnAct<imgsrc="{base}/title.png">AboutData'.replace(" ", "") in text
    assert hits == []


# --- Content files are opened as regular files inside the project only --------------------


def _check_err(cli: Cli, project: Path, *extra: str) -> tuple[int, str]:
    code, out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                         "--lang", "en", *extra)
    return code, out + err


def test_a_sheet_linked_to_a_file_outside_the_project_is_not_read(project: Path,
                                                                   cli: Cli) -> None:
    secret = project.parent / "secret.yaml"
    secret.write_text("state: ZZ\nname: SECRET-OUTSIDE\nclaims: []\n")
    (project / "sheets/ZZ.yaml").symlink_to(secret)
    code, text = _check_err(cli, project)
    assert code == 1 and "SECRET-OUTSIDE" not in text
    assert "sheets/ZZ.yaml:1: error[file-unreadable]: a link to a file outside the project" \
        in text


def test_a_link_inside_the_project_is_read(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    (project / "CO-real.yaml").write_text(sheet.read_text())
    sheet.unlink()
    sheet.symlink_to(project / "CO-real.yaml")
    assert _check_err(cli, project)[0] == 0


def test_a_fifo_named_like_a_sheet_does_not_hang_the_check(project: Path, cli: Cli) -> None:
    os.mkfifo(project / "sheets/ZZ.yaml")
    code, text = _check_err(cli, project)  # would block forever on open() without O_NONBLOCK
    assert code == 1 and "sheets/ZZ.yaml:1: error[file-unreadable]: not a regular file" in text


def test_a_device_behind_a_sheet_is_not_read(project: Path, cli: Cli) -> None:
    (project / "sheets/ZZ.yaml").symlink_to("/dev/zero")
    code, text = _check_err(cli, project)
    assert code == 1 and "sheets/ZZ.yaml:1: error[file-unreadable]" in text


def test_the_size_limit_applies_before_reading(project: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # A file that is larger than the limit is never read whole: at most limit + 1 bytes.
    path = project / "sheets/ZZ.yaml"
    path.write_bytes(b"#" * 5000)
    reads: list[int] = []
    real_read = os.read

    def counting(fd: int, size: int) -> bytes:
        data = real_read(fd, size)
        reads.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counting)
    with pytest.raises(loader.ContentReadError, match="over 100 bytes"):
        loader.read_content(path, project, limit=100)
    assert sum(reads) <= 101


def test_a_catalog_linked_outside_is_refused(project: Path, cli: Cli) -> None:
    catalog = project / "translations/es/LC_MESSAGES/messages.po"
    outside = project.parent / "outside.po"
    outside.write_bytes(catalog.read_bytes())
    catalog.unlink()
    catalog.symlink_to(outside)
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "es")
    assert code == 1 and "error[catalog-syntax]: a link to a file outside the project" in err


def test_two_sheet_files_for_one_state_are_an_error(project: Path, cli: Cli) -> None:
    (project / "sheets/co.yaml").write_text((project / "sheets/CO.yaml").read_text())
    code, text = _check_err(cli, project)
    assert code == 1
    assert "sheets/co.yaml:1: error[duplicate-state]: co.yaml and CO.yaml are both the sheet " \
        "of CO" in text


def test_deep_nesting_is_a_located_error(project: Path, cli: Cli) -> None:
    (project / "sheets/CO.yaml").write_text("a: " + "[" * 1200 + "]" * 1200 + "\n")
    code, text = _check_err(cli, project)
    assert code == 1 and "sheets/CO.yaml:1: error[file-too-large]: nested deeper" in text


# --- Output that cannot lie to a terminal or a CI log -----------------------------------------


def test_values_in_messages_are_escaped(project: Path, cli: Cli) -> None:
    sources = project / "sheets/sources.yaml"
    sources.write_text(sources.read_text().replace(
        "url: https://news.example.org/story",
        'url: "http://x/\\e[2J\\nsheets/CO.yaml:1: error[forged]: fake"'))
    code, text = _check_err(cli, project)
    assert code == 1
    assert "\x1b" not in text and "error[forged]" in text
    assert not any(line.startswith("sheets/CO.yaml:1: error[forged]")
                   for line in text.splitlines())
    assert "\\x1b[2J\\x0asheets/CO.yaml:1" in text


@pytest.mark.parametrize("value", ["\u00b2", "-1", "1e9", "99999999999999999999", "now"])
def test_a_bad_source_date_epoch_is_one_line(project: Path, cli: Cli, value: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "-j", "1", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 1 and err.startswith("error: SOURCE_DATE_EPOCH=")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_catalog_and_schema_commands_on_a_read_only_folder(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("A 2021 law", "A 2021 state law"))
    folder = project / "translations/es/LC_MESSAGES"
    folder.chmod(0o555)
    try:
        code, _out, err = cli("catalog", "update", "--lang", "es", "--root", str(project))
        assert code == 1 and err.startswith("error: cannot write")
    finally:
        folder.chmod(0o755)


def test_catalog_commands_on_a_full_disk(project: Path, cli: Cli,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "translations/x.po")

    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("A 2021 law", "A 2021 state law"))
    for module in ("catalogs", "schemas"):
        monkeypatch.setattr(f"handouts.{module}.write_atomic", full)
    before = po_path_bytes(project)
    for args in (("catalog", "update"), ("catalog", "extract"), ("schema",)):
        (project / "schemas").mkdir(exist_ok=True)
        for stale in (project / "schemas").glob("*.json"):
            stale.unlink()
        code, _out, err = cli(*args, "--root", str(project))
        assert code == 1 and "error: cannot write translations/x.po: No space left" in err, args
    assert po_path_bytes(project) == before


def po_path_bytes(project: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in project.glob("translations/**/*.po*")}


def test_verify_sources_never_reads_local_files_from_content(
        project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from handouts import verify

    # No network in tests: every name "resolves" to this machine, which is refused anyway.
    monkeypatch.setattr(verify, "POLICY", verify.NetPolicy(resolver=lambda _h, _p: ["127.0.0.1"]))
    # Even a sheet that somehow passed the check (here: not checked at all) cannot make
    # verify-sources read a local file: the fetcher refuses every scheme but https.
    sources = project / "sheets/sources.yaml"
    sources.write_text(sources.read_text().replace(
        "url: https://news.example.org/story", "url: file:///etc/passwd"))
    code, out, err = cli("verify-sources", "--root", str(project), "--timeout", "1",
                         "--state", "CO")
    report = (project / "build/verify-sources.json").read_text()
    assert "root:" not in report + out + err
    assert "refused: must start with https://" in report and code == 1


@pytest.mark.parametrize("name", ["translations/languages.yaml", "translations/glossary.yaml",
                                  "translations/es/reviews.yaml",
                                  "translations/es/translated-from.yaml"])
@pytest.mark.parametrize("kind", ["fifo", "device", "outside"])
def test_workflow_files_are_read_as_content_files(project: Path, cli: Cli, name: str,
                                                  kind: str, tmp_path: Path) -> None:
    # The languages, glossary, review and translated-from files are read like sheets: a FIFO
    # would hang the check, /dev/zero would fill memory, a link out leaks a local file.
    path = project / name
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        secret = tmp_path / "secret.yaml"
        secret.write_text("SECRET-TOKEN: 1\n")
        path.symlink_to(secret)
    # (Without its languages file only English is configured.)
    langs = () if name.endswith("languages.yaml") else ("--lang", "es")
    code, text = _check_err(cli, project, *langs)
    assert "SECRET-TOKEN" not in text
    assert "Traceback" not in text
    if name in ("translations/languages.yaml", "translations/es/reviews.yaml"):
        assert f"{name}:1: error[file-unreadable]" in text, text
    assert code in (0, 1)
