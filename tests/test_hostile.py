"""Hostile content: markup in claims, source titles and translations prints as text, and no
request leaves the machine (a recording server on 127.0.0.1 must see none)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import pdfinfo
from conftest import TODAY, pseudo_translate
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
