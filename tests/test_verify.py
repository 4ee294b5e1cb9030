"""verify-sources against fixture pages served on 127.0.0.1 (HTML, PDF, redirect, 404, slow,
huge): each citation is classified correctly, and nothing else on the network is touched."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import TODAY

Cli = Callable[..., tuple[int, str, str]]
QUOTE = "A state agency employee is prohibited from disclosing information."


def _pdf_with(text: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=f"<p>{text}</p>").write_pdf())


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    pdf = _pdf_with("Preamble. " + QUOTE + " More text.")
    pages: dict[str, tuple[int, str, bytes]] = {
        # Curly apostrophes, a non-breaking space and a line break: still the same quote.
        "/page.html": (200, "text/html", (
            "<html><body><script>var x = 1;</script><p>Intro.</p><p>A state agency "
            "employee is\n prohibited from disclosing\u00a0information.</p></body></html>"
        ).encode()),
        "/doc.pdf": (200, "application/pdf", pdf),
        "/changed.html": (200, "text/html",
                          b"<p>A state agency employee may disclose information.</p>"),
        "/missing.html": (404, "text/html", b"not here"),
        "/archived.html": (200, "text/html", f"<p>{QUOTE}</p>".encode()),
        "/huge.html": (200, "text/html", b"<p>" + b"x" * 9_000_000 + b"</p>"),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            if self.path == "/old.html":
                self.send_response(301)
                self.send_header("Location", "/page.html")
                self.end_headers()
                return
            if self.path == "/slow.html":
                time.sleep(2.5)
            status, kind, body = pages.get(self.path, (200, "text/html", f"<p>{QUOTE}</p>"
                                                       .encode()))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


CASES = {
    "html": ("/page.html", "ok"),
    "pdf": ("/doc.pdf", "ok"),
    "redirect": ("/old.html", "redirected"),
    "changed": ("/changed.html", "quote-not-found"),
    "missing": ("/missing.html", "unreachable"),
    "slow": ("/slow.html", "unreachable"),
    "huge": ("/huge.html", "quote-not-found"),
}


def _project_with_sources(project: Path, base: str) -> None:
    sources = ["# Fixture sources served on 127.0.0.1 (kept comment)", "sources:"]
    claims = ["state: CO", "name: Colorado", "claims:"]
    for name, (path, _result) in CASES.items():
        sources += [f"  - id: {name}", f"    title: {name}", "    publisher: Test",
                    f"    url: {base}{path}", "    accessed: 2026-01-10  # keep me",
                    "    kind: news"]
        claims += [f"  - id: {name}", "    section: state-law", "    text: A claim.",
                   "    checked: 2026-01-10", "    citations:", f"      - source: {name}",
                   "        locator: first paragraph", f"        quote: {QUOTE}"]
    sources += ["  - id: archived", "    title: archived", "    publisher: Test",
                f"    url: {base}/missing.html", f"    archive_url: {base}/archived.html",
                "    accessed: 2026-01-10", "    kind: news"]
    claims += ["  - id: archived", "    section: courts", "    text: A claim.",
               "    checked: 2026-01-10", "    citations:", "      - source: archived",
               "        locator: first paragraph", f"        quote: {QUOTE}"]
    (project / "sheets/sources.yaml").write_text("\n".join(sources) + "\n")
    (project / "sheets/CO.yaml").write_text("\n".join(claims) + "\n")
    (project / "sheets/US.yaml").write_text("scope: US\nname: United States\nclaims: []\n")
    (project / "sheets/MA.yaml").unlink()
    for extra in (project / "sheets/sources").glob("*.yaml"):
        extra.unlink()


def test_each_fixture_is_classified(project: Path, site: str, cli: Cli) -> None:
    _project_with_sources(project, site)
    code, _out, err = cli("verify-sources", "--root", str(project), "--timeout", "1",
                          "--update-accessed", "--today", TODAY.isoformat())
    assert code == 1
    report = json.loads((project / "build/verify-sources.json").read_text())
    results = {f["source"]: f["result"] for f in report}
    assert results == {**{name: result for name, (_p, result) in CASES.items()},
                       "archived": "ok"}
    changed = next(f for f in report if f["source"] == "changed")
    assert "a state agency employee may disclose information" in changed["closest"]
    assert "sheets/CO.yaml:" in err and "quote-not-found: CO/changed" in err
    # Only sources whose quotes were all found get today's date; comments survive.
    text = (project / "sheets/sources.yaml").read_text()
    assert text.startswith("# Fixture sources served on 127.0.0.1 (kept comment)")
    assert text.count(f"accessed: {TODAY.isoformat()}  # keep me") == 3  # html, pdf, redirect
    assert text.count("accessed: 2026-01-10  # keep me") == 4


def test_all_found_exits_zero(project: Path, site: str, cli: Cli) -> None:
    _project_with_sources(project, site)
    sheet = project / "sheets/CO.yaml"
    kept = sheet.read_text().split("  - id: redirect")[0]
    sheet.write_text(kept)
    code, out, _err = cli("verify-sources", "--root", str(project), "--timeout", "1")
    assert code == 0 and "ok: CO/html" in out and "ok: CO/pdf" in out
