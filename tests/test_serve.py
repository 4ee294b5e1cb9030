"""`sheets serve`: a real server on a free loopback port, a real edit, bounded polling."""

from __future__ import annotations

import io
import json
import re
import select
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import TODAY
from handouts.serve import Preview, run_server

#: Longest a test waits for a rebuild before failing (the preview itself takes well under 1 s).
TIMEOUT = 30.0


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def _wait(condition: Callable[[], bool], what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < TIMEOUT:
        if condition():
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"timed out after {TIMEOUT} s waiting for {what}")


@pytest.fixture
def served(project: Path) -> Iterator[tuple[Preview, str]]:
    preview = Preview(project, "CO", "en", TODAY, poll=0.05)
    server = run_server(preview, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield preview, f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        preview.stop()
        thread.join(timeout=5)


def _version(base: str) -> dict[str, int]:
    data: dict[str, int] = json.loads(_get(f"{base}/__version")[2])
    return data


def _pdf_text(base: str) -> str:
    status, kind, data = _get(f"{base}/preview.pdf")
    assert status == 200 and kind == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_binds_to_loopback_and_serves_the_edition_page(served: tuple[Preview, str]) -> None:
    preview, base = served
    assert base.startswith("http://127.0.0.1:")
    status, kind, body = _get(f"{base}/CO/en/")
    assert status == 200 and kind.startswith("text/html")
    page = body.decode()
    assert "A 2021 law limits what state workers may share" in page
    assert 'fetch("/__version"' in page and "Live preview" in page and "No problems." in page
    assert _get(f"{base}/site.css")[0] == 200
    assert _get(f"{base}/../../etc/passwd")[0] == 404
    assert "A 2021 law limits" in _pdf_text(base)


def test_a_saved_claim_edit_reaches_the_page_and_the_pdf(served: tuple[Preview, str],
                                                         project: Path) -> None:
    preview, base = served
    before = _version(base)
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace(
        "A 2021 law limits what state workers", "A 2021 law strictly limits what state workers"))
    saved = time.monotonic()
    _wait(lambda: b"strictly limits" in _get(f"{base}/CO/en/")[2], "the web edition")
    web = time.monotonic() - saved
    _wait(lambda: _version(base)["pdf"] > before["pdf"], "the PDF")
    pdf = time.monotonic() - saved
    assert "strictly limits" in _pdf_text(base)
    timing = preview.timing
    # Reported for the record (pytest -s): from the save to each output being served.
    print(f"\nserve after a claim edit: page {web * 1000:.0f} ms, PDF {pdf * 1000:.0f} ms after "
          f"the save (check {timing.check * 1000:.0f} ms, web {timing.web * 1000:.0f} ms, "
          f"PDF render {timing.pdf * 1000:.0f} ms)")
    assert _version(base)["web"] > before["web"]


def test_check_problems_show_on_the_page_with_their_place(served: tuple[Preview, str],
                                                          project: Path) -> None:
    _preview, base = served
    sheet = project / "sheets/CO.yaml"
    text = sheet.read_text()
    sheet.write_text(text.replace("    checked: 2026-01-10\n", "    checked: 2025-01-10\n", 1))
    expected = b"sheets/CO.yaml:8: error[claim-stale]"
    _wait(lambda: expected in _get(f"{base}/CO/en/")[2], "the problem on the page")
    assert _get(f"{base}/preview.pdf")[0] == 404  # blocked: no PDF to print
    sheet.write_text(text)
    _wait(lambda: b"No problems." in _get(f"{base}/CO/en/")[2], "the fix")


def test_a_broken_template_is_reported_not_fatal(served: tuple[Preview, str],
                                                 project: Path) -> None:
    _preview, base = served
    template = project / "templates/web.html"
    good = template.read_text()
    template.write_text(good.replace("{% endfor %}", "{% endfor", 1))
    _wait(lambda: b"could not be built" in _get(f"{base}/CO/en/")[2], "the error page")
    assert b"templates/web.html" in _get(f"{base}/CO/en/")[2]
    template.write_text(good)
    _wait(lambda: b"No problems." in _get(f"{base}/CO/en/")[2], "the repaired page")


def test_language_links_switch_the_preview(served: tuple[Preview, str]) -> None:
    preview, base = served
    status, _kind, body = _get(f"{base}/CO/es/index.html")
    assert status == 200 and b"ES: Download and print" in body
    assert preview.lang == "es"
    _wait(lambda: "ES: A 2021 law limits" in _pdf_text(base), "the Spanish PDF")


def test_the_command_listens_on_loopback_and_stops(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "handouts", "serve", "--state", "CO", "--port", "0",
         "--root", str(project), "--today", TODAY.isoformat()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        ready, _w, _x = select.select([process.stdout], [], [], TIMEOUT)
        assert ready, "the server did not start"
        line = process.stdout.readline()
        found = re.search(r"serving CO en at (http://127\.0\.0\.1:\d+/)", line)
        assert found, line
        status, _kind, body = _get(found.group(1))
        assert status == 200 and b"A 2021 law limits" in body
    finally:
        process.terminate()
        process.wait(timeout=10)
