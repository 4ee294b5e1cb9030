"""verify-sources against fixture pages served over HTTPS on 127.0.0.1 (HTML, PDF, redirect,
404, slow, huge): each citation is classified correctly, and nothing else on the network is
touched. The fixture host is ``fixture.test``, resolved by a fake resolver, with its own
certificate (tests/data/tls, valid until 2126); only 127.0.0.1 is let through, and only for it.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import DATA, TODAY
from handouts import verify

Cli = Callable[..., tuple[int, str, str]]
QUOTE = "A state agency employee is prohibited from disclosing information."


def _pdf_with(text: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=f"<p>{text}</p>").write_pdf())


TLS = DATA / "tls"
#: Requests the fixture server saw: a refused fetch must add none.
requests_seen: list[str] = []


def fixture_policy() -> verify.NetPolicy:
    """Names resolve as a test says; 127.0.0.1 is allowed (the fixture server) and nothing
    else that is not public."""
    table = {"fixture.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}
    context = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    return verify.NetPolicy(
        resolver=lambda host, _port: table.get(host, [host]),
        allowed=lambda address: address == "127.0.0.1" or verify.address_allowed(address),
        context=context)


@pytest.fixture(autouse=True)
def _fixture_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "POLICY", fixture_policy())


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
            requests_seen.append(self.path)
            redirects = {"/old.html": "/page.html", "/to-file.html": "file:///etc/passwd",
                         "/to-http.html": f"http://fixture.test:{port}/page.html",
                         "/to-ftp.html": "ftp://fixture.test/page.html",
                         "/to-data.html": "data:text/html,<p>" + QUOTE + "</p>",
                         "/to-local.html": f"https://rebind.test:{port}/page.html"}
            if self.path in redirects:
                self.send_response(301)
                self.send_header("Location", redirects[self.path])
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
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda *_args: None  # type: ignore[method-assign]  # a cut read
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://fixture.test:{port}"
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


def _fetch(url: str, policy: verify.NetPolicy | None = None) -> verify.Page:
    requests_seen.clear()
    return verify.fetch(url, timeout=1, retries=0, policy=policy)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "file:///proc/self/environ", "data:text/plain,secret",
    "ftp://fixture.test/x", "http://127.0.0.1/", "http://fixture.test/page.html",
    "https://user:pw@fixture.test/page.html", "javascript:alert(1)",
])
def test_only_https_is_fetched(url: str, site: str) -> None:
    page = _fetch(url)
    assert page.error.startswith("refused: ") and not page.text, page
    assert requests_seen == []


@pytest.mark.parametrize("target", ["to-file", "to-http", "to-ftp", "to-data"])
def test_a_redirect_away_from_https_is_refused(target: str, site: str) -> None:
    page = _fetch(f"{site}/{target}.html")
    assert page.error.startswith("refused: redirect to ") and not page.text, page
    assert requests_seen == [f"/{target}.html"]


def test_loopback_and_private_addresses_are_refused(site: str) -> None:
    port = site.rsplit(":", 1)[1]
    # The real rule, not the fixture's: 127.0.0.1 is this machine, whatever the name says.
    strict = verify.NetPolicy(resolver=fixture_policy().resolver, context=fixture_policy().context)
    for url in (f"https://127.0.0.1:{port}/page.html", f"https://fixture.test:{port}/page.html"):
        page = _fetch(url, strict)
        assert "refused: " in page.error and "127.0.0.1" in page.error and requests_seen == [], page
    for address in ("127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                    "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
                    "2002:7f00:1::", "224.0.0.1", "240.0.0.1", "not-an-address"):
        assert not verify.address_allowed(address), address
    assert verify.address_allowed("93.184.216.34") and verify.address_allowed("2606:4700::1")


def test_every_resolved_address_is_checked_at_connect_time(site: str) -> None:
    port = site.rsplit(":", 1)[1]
    calls: list[str] = []

    def mixed(host: str, _port: int) -> list[str]:
        # One public answer is not enough: any local answer could be the one connected to.
        calls.append(host)
        return ["93.184.216.34", "127.0.0.1"]

    policy = verify.NetPolicy(resolver=mixed, context=fixture_policy().context)
    page = _fetch(f"https://rebind.test:{port}/page.html", policy)
    assert "refused: rebind.test resolves to 127.0.0.1" in page.error and requests_seen == []
    # Resolved once, by the connection itself: nothing resolves the name again between the
    # check and the connect (which is how DNS rebinding slips a local address in).
    assert calls == ["rebind.test"]


def test_a_redirect_to_a_local_address_is_refused(site: str) -> None:
    policy = fixture_policy()
    table = {"fixture.test": ["127.0.0.1"], "rebind.test": ["10.0.0.8"]}
    policy.resolver = lambda host, _port: table[host]
    page = _fetch(f"{site}/to-local.html", policy)
    assert "refused: rebind.test resolves to 10.0.0.8" in page.error and not page.text


def test_the_body_read_is_capped(site: str) -> None:
    policy = fixture_policy()
    policy.max_bytes = 1000
    page = _fetch(f"{site}/huge.html", policy)
    assert "larger than 1000 bytes" in page.error and len(page.text) <= 1000


def test_an_archive_url_on_this_machine_is_never_read(project: Path, site: str,
                                                      cli: Cli) -> None:
    _project_with_sources(project, site)
    sources = project / "sheets/sources.yaml"
    sources.write_text(sources.read_text().replace(
        f"archive_url: {site}/archived.html", "archive_url: file:///etc/passwd"))
    code, out, err = cli("verify-sources", "--root", str(project), "--timeout", "1")
    report = (project / "build/verify-sources.json").read_text()
    assert code == 1 and "root:" not in report and "root:" not in out + err
    archived = next(f for f in json.loads(report) if f["source"] == "archived")
    assert archived["result"] == "unreachable"


def test_an_unknown_state_is_a_usage_error(project: Path, cli: Cli) -> None:
    code, _out, err = cli("verify-sources", "--root", str(project), "--state", "ZZ")
    assert code == 2 and "error[unknown-state]: no sheet sheets/ZZ.yaml" in err


FLOW = """# registry (kept comment)
sources:
  - {id: leg-act, title: "An Act", publisher: Leg, url: "https://leg.example.org/a",
     accessed: 2026-01-10, kind: legislature}
  - id: news-story
    title: "Judge rules"
    publisher: News
    url: https://news.example.org/story
    accessed: "2026-01-10"   # quoted, with a comment
    kind: news
"""


def test_update_accessed_edits_only_that_value_even_in_flow_style(tmp_path: Path) -> None:
    import datetime as dt

    from handouts.loader import load_project

    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets/sources.yaml").write_text(FLOW)
    (tmp_path / "sheets/US.yaml").write_text("scope: US\nname: United States\nclaims: []\n")
    project = load_project(tmp_path)
    found = verify.Verification([verify.Finding(s, "US/x", "", "ok")
                                 for s in ("leg-act", "news-story")])
    today = dt.date(2026, 3, 1)
    assert verify.update_accessed(project, found, today) == ["leg-act", "news-story"]
    text = (tmp_path / "sheets/sources.yaml").read_text()
    assert text == FLOW.replace("accessed: 2026-01-10,", "accessed: 2026-03-01,").replace(
        'accessed: "2026-01-10"', 'accessed: "2026-03-01"')


def test_an_edit_that_would_change_other_data_is_not_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from handouts.loader import load_project

    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets/sources.yaml").write_text(FLOW)
    (tmp_path / "sheets/US.yaml").write_text("scope: US\nname: United States\nclaims: []\n")
    project = load_project(tmp_path)
    # An editor that eats the comma after the value (the old line-regex edit did).
    monkeypatch.setattr(verify, "set_accessed", lambda text, _id, today: text.replace(
        "accessed: 2026-01-10, kind", "accessed: 2026-03-01 kind"))
    found = verify.Verification([verify.Finding("leg-act", "US/x", "", "ok")])
    assert verify.update_accessed(project, found, dt.date(2026, 3, 1)) == []
    assert (tmp_path / "sheets/sources.yaml").read_text() == FLOW
