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
        f"A 2021 law limits sharing. {payload}"))
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
