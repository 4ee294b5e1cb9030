"""Live preview for editors and translators: `sheets serve`.

One warm process (as ``mkdocs serve`` keeps its build): the content and catalogs are loaded by
each rebuild, but Python, Jinja's compiled templates and WeasyPrint with its font configuration
stay loaded, so a save shows up in the browser within a second. A watcher thread polls the
modification times of sheets/, translations/ and templates/ (a few dozen stats every 0.1 s is
cheaper than a dependency); on a change it runs the check for the one handout being previewed,
renders its web edition (the browser reloads at once), then its Letter PDF.

The page is the published edition page plus a small toolbar, the check's problems with their
file and line, and a script that polls ``/__version`` to reload: only here, never in the site.
Bound to 127.0.0.1 unless told otherwise; it serves only what it rendered and templates/site.css.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import Markup

from .build import Target, _render_fitting
from .catalogs import TEMPLATES_DIR, TRANSLATIONS_DIR, Lookup
from .check import check_project
from .errors import LoadError, Problem, SheetsError
from .languages import SOURCE_LANGUAGE, languages_of
from .loader import CONTENT_DIR
from .render import build_web_edition, edition_path
from .site import STYLESHEET, EditionPage, LanguageLink, render_edition, reviewer_of

log = logging.getLogger(__name__)

#: Seconds between two looks at the watched files.
POLL_SECONDS = 0.1
WATCHED = (CONTENT_DIR, TRANSLATIONS_DIR, TEMPLATES_DIR)

#: Polls /__version; reloads the page when the web edition changed, the PDF frame when the
#: PDF did. Served only by `sheets serve`.
_RELOAD_SCRIPT = """<script>
(function () {
  var web = %(web)d, pdf = %(pdf)d;
  function tick() {
    fetch("/__version", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (v) {
        if (v.web !== web) { location.reload(); return; }
        if (v.pdf !== pdf) {
          pdf = v.pdf;
          var frame = document.getElementById("sheets-pdf");
          if (frame) { frame.src = "/preview.pdf?v=" + pdf; }
          document.getElementById("sheets-status").textContent = v.status;
        }
      }).catch(function () {}).then(function () { setTimeout(tick, 250); });
  }
  setTimeout(tick, 250);
})();
</script>"""


@dataclass
class Timing:
    """How long the last rebuild took, in seconds, from noticing the change."""

    check: float = 0.0
    web: float = 0.0
    pdf: float = 0.0
    changed_at: float = 0.0
    """Modification time of the newest watched file, when a change started the rebuild."""
    web_ready: float = 0.0
    pdf_ready: float = 0.0


@dataclass
class Snapshot:
    """What the server hands out; replaced whole by each rebuild."""

    page: bytes = b""
    pdf: bytes = b""
    web_version: int = 0
    pdf_version: int = 0
    problems: list[Problem] = field(default_factory=list)
    status: str = ""


class Preview:
    """Rebuilds one handout's web edition and PDF whenever a watched file changes."""

    def __init__(self, root: Path, state: str | None, lang: str, today: dt.date,
                 poll: float = POLL_SECONDS) -> None:
        if lang not in languages_of(root).by_code:
            raise LoadError(f"unknown language {lang!r}")
        self.root = root
        self.lang = lang
        self.today = today
        self.poll = poll
        self.state = state or ""
        self.snapshot = Snapshot()
        self.timing = Timing()
        self._fit: int | None = None
        self._lock = threading.Lock()
        self._rebuild_lock = threading.Lock()
        self._stop = threading.Event()
        self._stamp = self._scan()
        self.rebuild()
        self._thread = threading.Thread(target=self._watch, name="sheets-watch", daemon=True)
        self._thread.start()

    # -- watching ---------------------------------------------------------------------------

    def _scan(self) -> tuple[tuple[str, int, int], ...]:
        found = []
        for folder in WATCHED:
            for dirpath, dirnames, filenames in os.walk(self.root / folder):
                dirnames.sort()
                for name in sorted(filenames):
                    if name.startswith(".") or name.endswith("~"):
                        continue  # editors' swap and backup files
                    path = os.path.join(dirpath, name)
                    try:
                        info = os.stat(path)
                    except OSError:
                        continue
                    found.append((path, info.st_mtime_ns, info.st_size))
        return tuple(found)

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            stamp = self._scan()
            if stamp != self._stamp:
                self._stamp = stamp
                self.timing.changed_at = max((m for _p, m, _s in stamp), default=0) / 1e9
                self.rebuild()

    def stop(self) -> None:
        self._stop.set()

    # -- building ---------------------------------------------------------------------------

    def summary(self) -> str:
        t = self.timing
        problems = [p for p in self.snapshot.problems if p.severity == "error"]
        return (f"check {t.check * 1000:.0f} ms, web {t.web * 1000:.0f} ms, "
                f"PDF {t.pdf * 1000:.0f} ms; {len(problems)} problem(s)")

    def switch(self, state: str, lang: str, wait: float = 30.0) -> None:
        """Preview another handout (the page's language links lead here); returns once its
        web edition is ready, while its PDF is still being made."""
        if (state, lang) == (self.state, self.lang):
            return
        before = self.snapshot.web_version
        self.state, self.lang, self._fit = state, lang, None
        threading.Thread(target=self.rebuild, name="sheets-switch", daemon=True).start()
        deadline = time.monotonic() + wait
        while self.snapshot.web_version == before and time.monotonic() < deadline:
            time.sleep(0.01)

    def rebuild(self) -> None:
        """Check, then render the web edition (published at once), then the PDF."""
        with self._rebuild_lock:
            try:
                self._rebuild()
            except Exception as exc:  # a live preview reports a bug instead of dying
                log.exception("rebuild failed")
                self._publish_error(f"{type(exc).__name__}: {exc}")

    def _rebuild(self) -> None:
        start = time.perf_counter()
        language = languages_of(self.root).by_code[self.lang]
        try:
            checked = check_project(self.root, [self.state] if self.state else None,
                                    [self.lang], self.today)
        except SheetsError as exc:
            self._publish_error(str(exc))
            return
        project = checked.project
        if not self.state or self.state not in project.states:
            if not project.states:
                self._publish_error(f"no sheet in {CONTENT_DIR}/")
                return
            self.state = project.state_codes()[0]
        state = self.state
        report = checked.report
        problems = [p for p in report.sorted() if p.state in (None, state)
                    and p.lang in (None, self.lang)]
        blockers = report.blockers(state, self.lang)
        self.timing.check = time.perf_counter() - start
        lookup = Lookup(self.lang, checked.catalogs.get(self.lang))
        page = EditionPage(
            state=state, state_name=project.states[state].name, lang_tag=language.tag,
            direction=language.direction,
            downloads={"letter": f"{state}-{self.lang}-letter.pdf",
                       "a4": f"{state}-{self.lang}-a4.pdf"},
            english_href="" if self.lang == SOURCE_LANGUAGE else "../en/index.html",
            languages=[LanguageLink(other.code, other.tag, other.native_name, other.name,
                                    other.direction, f"../{other.tag}/index.html", True)
                       for other in languages_of(self.root).by_code.values()],
            canonical="", sources=False,
            reviewer=reviewer_of(project, state, self.lang, checked.catalogs.get(self.lang)))
        if blockers:
            # Not printable: the page shows why, in English (the catalog may lack the strings).
            page.lang_tag, page.direction = "en", "ltr"
            html = render_edition(project, Lookup(SOURCE_LANGUAGE, None), page, None, {},
                                  self._extra(problems, pdf=False))
            self._publish(html, b"", problems, web_only=True)
            self.timing.web = time.perf_counter() - start - self.timing.check
            return
        handout, quotes = build_web_edition(project, state, language, lookup)
        page.state_name = handout.state_name
        html = render_edition(project, lookup, page, handout, quotes,
                              self._extra(problems, pdf=True))
        self.timing.web = time.perf_counter() - start - self.timing.check
        self._publish(html, None, problems, web_only=True)
        pdf_start = time.perf_counter()
        target = Target(state, self.lang, "letter")
        data, pages, self._fit, _help = _render_fitting(project, target, lookup, self._fit)
        self.timing.pdf = time.perf_counter() - pdf_start
        self._publish(None, data, problems, web_only=False,
                      status=f"PDF: {pages} pages, rebuilt in {self.timing.pdf * 1000:.0f} ms")

    def _extra(self, problems: list[Problem], pdf: bool) -> Markup:
        version = self.snapshot
        items = Markup("").join(
            Markup('<li class="{}"><code>{}</code></li>').format(p.severity, p.format())
            for p in problems)
        listing = (Markup('<ol class="sheets-problems">{}</ol>').format(items) if problems
                   else Markup("<p>No problems.</p>"))
        frame = (Markup('<details><summary>PDF preview (US Letter)</summary>'
                        '<iframe id="sheets-pdf" title="PDF preview" src="/preview.pdf?v={}" '
                        'style="width:100%;height:80vh;border:1px solid #999"></iframe>'
                        '</details>').format(version.pdf_version) if pdf else Markup(""))
        toolbar = Markup(
            '<aside id="sheets-preview" lang="en" dir="ltr" aria-label="Live preview" '
            'style="border:3px solid #d97706;padding:.5rem 1rem;margin:.5rem;'
            'font:15px/1.4 system-ui,sans-serif;background:#fffaf0">'
            '<strong>Live preview</strong> · {} · {} · check {:.0f} ms · '
            '<span id="sheets-status">{}</span>{}{}</aside>').format(
                self.state, self.lang, self.timing.check * 1000,
                "PDF is being made" if pdf else "no PDF (blocked)", listing, frame)
        # The PDF is made after the page is shown: the frame reloads when its version moves.
        script = Markup(_RELOAD_SCRIPT % {"web": version.web_version + 1,
                                          "pdf": version.pdf_version + (0 if pdf else 1)})
        return toolbar + script

    def _publish(self, html: str | None, pdf: bytes | None, problems: list[Problem],
                 web_only: bool, status: str = "") -> None:
        with self._lock:
            old = self.snapshot
            new = Snapshot(old.page, old.pdf, old.web_version, old.pdf_version, problems,
                           status or old.status)
            now = time.time()
            if html is not None:
                new.page, new.web_version = html.encode("utf-8"), old.web_version + 1
                self.timing.web_ready = now
            if pdf is not None:
                new.pdf, new.pdf_version = pdf, old.pdf_version + 1
                if not web_only:
                    self.timing.pdf_ready = now
            self.snapshot = new

    def _publish_error(self, message: str) -> None:
        body = Markup(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Preview: '
            'error</title></head><body><h1>The preview could not be built</h1><pre>{}</pre>'
            '{}</body></html>').format(message, Markup(_RELOAD_SCRIPT % {
                "web": self.snapshot.web_version + 1, "pdf": self.snapshot.pdf_version}))
        self._publish(str(body), None, [], web_only=True)


class _Handler(BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass made by run_server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        log.debug(format, *args)

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        preview = self.preview
        path = urlsplit(self.path).path
        snap = preview.snapshot
        configured = languages_of(preview.root).by_code
        if path == "/__version":
            self._send(json.dumps({"web": snap.web_version, "pdf": snap.pdf_version,
                                   "status": snap.status}).encode(), "application/json")
            return
        if path in ("/", "/index.html"):
            self._redirect(f"/{edition_path(preview.state, configured[preview.lang])}")
            return
        if path == f"/{STYLESHEET}":
            self._send((preview.root / TEMPLATES_DIR / STYLESHEET).read_bytes(), "text/css")
            return
        if path in ("/preview.pdf", f"/{preview.state}/{configured[preview.lang].tag}/"
                    f"{preview.state}-{preview.lang}-letter.pdf"):
            if snap.pdf:
                self._send(snap.pdf, "application/pdf")
            else:
                self._send(b"no PDF: the handout is blocked (see the problems)",
                           "text/plain", HTTPStatus.NOT_FOUND)
            return
        parts = [part for part in path.split("/") if part]
        if len(parts) in (2, 3) and parts[2:] in ([], ["index.html"]):
            tags = {language.tag: code for code, language in configured.items()}
            if parts[1] in tags and len(parts[0]) == 2 and parts[0].isalpha():
                preview.switch(parts[0].upper(), tags[parts[1]])
                self._send(preview.snapshot.page, "text/html; charset=utf-8")
                return
        self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, data: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


def run_server(preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``preview``, listening but not yet serving (call ``serve_forever``)."""
    handler = type("PreviewHandler", (_Handler,), {"preview": preview})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server

