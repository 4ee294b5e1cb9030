"""Online source verification: does each cited page still say what we quote?

This is the only part of sheets that uses the network, and only when asked
(`sheets verify-sources`); building and checking never do. Each citation is classified as
``ok``, ``redirected`` (found, at another address), ``quote-not-found`` (with the closest passage
on the page) or ``unreachable`` (status or error). Quotes are compared after normalizing Unicode,
quotation marks, dashes and whitespace, so a curly apostrophe or a line break is not a mismatch.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import re
import unicodedata
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .fonts import visible_text
from .loader import Project
from .output import write_atomic

USER_AGENT = f"sheets-verify-sources/{__version__} (+source check for printed handouts)"
MAX_BYTES = 8_000_000
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"',
                         "\u00bb": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-",
                         "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00ad": ""})


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass
class Page:
    url: str
    final_url: str = ""
    status: int | None = None
    text: str = ""
    error: str = ""


@dataclass
class Finding:
    source: str
    claim: str
    url: str
    result: str
    detail: str = ""
    final_url: str = ""
    closest: str = ""
    path: str = ""
    line: int = 0
    checked_archive: bool = False


@dataclass
class Verification:
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.result in ("quote-not-found", "unreachable")]

    def as_json(self) -> bytes:
        return json.dumps([asdict(f) for f in self.findings], indent=2,
                          ensure_ascii=False).encode()


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects (at most 5), remembering that we did."""

    max_redirections = 5


def fetch(url: str, timeout: float, retries: int = 1) -> Page:
    page = Page(url)
    opener = urllib.request.build_opener(_Redirects())
    for attempt in range(retries + 1):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with opener.open(request, timeout=timeout) as response:
                page.status = response.status
                page.final_url = response.geturl()
                body = response.read(MAX_BYTES + 1)
                kind = response.headers.get_content_type()
                charset = response.headers.get_content_charset() or "utf-8"
            page.text = _extract(body[:MAX_BYTES], kind, charset)
            if len(body) > MAX_BYTES:
                page.error = f"page larger than {MAX_BYTES} bytes; searched the first part"
            return page
        except urllib.error.HTTPError as exc:
            page.status, page.error = exc.code, f"HTTP {exc.code} {exc.reason}"
            if exc.code < 500:
                return page
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            page.error = f"{type(reason).__name__}: {reason}"
        if attempt == retries:
            break
    return page


def _extract(body: bytes, kind: str, charset: str) -> str:
    if kind == "application/pdf" or body.startswith(b"%PDF-"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        return " ".join(page.extract_text() or "" for page in reader.pages)
    text = body.decode(charset, errors="replace")
    return visible_text(text) if "html" in kind or "<html" in text[:2000].lower() else text


def closest_passage(text: str, quote: str) -> tuple[str, float]:
    """The stretch of ``text`` most like ``quote`` and how alike they are (0 to 1)."""
    if not text:
        return "", 0.0
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    start = max(0, block.a - block.b)
    window = text[start:start + len(quote)]
    return window, difflib.SequenceMatcher(None, window, quote).ratio()


def verify_sources(project: Project, states: list[str] | None = None, timeout: float = 10.0,
                   jobs: int = 4, retries: int = 1) -> Verification:
    citations = []
    seen: set[tuple[str, str]] = set()
    for code in states or project.state_codes():
        for claim in project.printed_claims(code):
            for citation in claim.citations:
                if (claim.key, citation.quote) not in seen and citation.source in project.sources:
                    seen.add((claim.key, citation.quote))
                    citations.append((claim, citation))
    urls = {project.sources[c.source].url for _claim, c in citations}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        pages = dict(zip(urls, pool.map(lambda u: fetch(u, timeout, retries), urls), strict=True))
    archives: dict[str, Page] = {}
    verification = Verification()
    for claim, citation in citations:
        source = project.sources[citation.source]
        page = pages[source.url]
        used_archive = False
        if page.error and not page.text and source.archive_url:
            if source.archive_url not in archives:
                archives[source.archive_url] = fetch(source.archive_url, timeout, retries)
            page, used_archive = archives[source.archive_url], True
        finding = Finding(source.id, claim.key, source.url, "ok", path=citation.path,
                          line=citation.line_of("quote"), checked_archive=used_archive)
        if page.error and not page.text:
            finding.result, finding.detail = "unreachable", page.error
        else:
            haystack, needle = normalize(page.text), normalize(citation.quote)
            if needle in haystack:
                if page.final_url and page.final_url != page.url:
                    finding.result, finding.final_url = "redirected", page.final_url
                    finding.detail = f"found at {page.final_url}"
            else:
                passage, ratio = closest_passage(haystack, needle)
                finding.result, finding.closest = "quote-not-found", passage
                finding.detail = f"closest passage is {ratio:.0%} alike"
        verification.findings.append(finding)
    return verification


def write_report(verification: Verification, path: Path) -> None:
    write_atomic(path, verification.as_json())


def update_accessed(project: Project, verification: Verification, today: dt.date) -> list[str]:
    """Set ``accessed`` to today for sources whose every citation was found; edit only that
    line of the YAML, so comments, order and formatting stay exactly as the maintainers wrote."""
    results: dict[str, set[str]] = {}
    for finding in verification.findings:
        results.setdefault(finding.source, set()).add(finding.result)
    updated = []
    for source_id, found in sorted(results.items()):
        source = project.sources[source_id]
        if not found <= {"ok", "redirected"} or "accessed" not in source._field_lines:
            continue
        path = project.root / source.path
        lines = path.read_text(encoding="utf-8").split("\n")
        index = source.line_of("accessed") - 1
        new = re.sub(r"(accessed:\s*)\S+", rf"\g<1>{today.isoformat()}", lines[index], count=1)
        if new != lines[index]:
            lines[index] = new
            write_atomic(path, "\n".join(lines).encode("utf-8"))
            updated.append(source_id)
    return updated
