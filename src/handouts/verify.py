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
import functools
import http.client
import io
import ipaddress
import json
import re
import socket
import ssl
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .errors import shown
from .fonts import visible_text
from .loader import Project, read_content
from .output import write_atomic
from .urls import url_problem

USER_AGENT = f"sheets-verify-sources/{__version__} (+source check for printed handouts)"
MAX_BYTES = 8_000_000
#: Requests at a time, whatever -j asks.
MAX_REQUESTS = 16
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


class Refused(Exception):
    """An address or a redirect that verify-sources will not follow (never retried)."""


Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    return list(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM)))


def address_allowed(address: str) -> bool:
    """Only public unicast addresses: a cited page is on the public web, and a page on this
    machine or its network (127.0.0.1, 10.x, 169.254.169.254 cloud metadata, ::1, fc00::/7)
    must never be read into a report."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local
                                 or ip.is_reserved or ip.is_multicast or ip.is_unspecified)


@dataclass
class NetPolicy:
    """How verify-sources reaches the network; tests swap the resolver, the address rule and
    the TLS context (a fixture server on 127.0.0.1 with its own certificate)."""

    resolver: Resolver = system_resolver
    allowed: Callable[[str], bool] = address_allowed
    context: ssl.SSLContext | None = None
    max_bytes: int = MAX_BYTES

    def tls(self) -> ssl.SSLContext:
        return self.context or ssl.create_default_context()


#: The policy :func:`fetch` uses unless given one.
POLICY = NetPolicy()


class _GuardedConnection(http.client.HTTPSConnection):
    """An HTTPS connection that resolves the host itself, refuses it if ANY of its addresses
    is not public, and connects to an address it checked. Checking at connect time, not
    before the request, is what defeats DNS rebinding: the name cannot resolve to a public
    address for the check and to 127.0.0.1 for the connection."""

    def __init__(self, *args: Any, policy: NetPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._policy = policy

    def connect(self) -> None:
        addresses = self._policy.resolver(self.host, self.port)
        if not addresses:
            raise OSError(f"{self.host}: no address")
        refused = [a for a in addresses if not self._policy.allowed(a)]
        if refused:
            raise Refused(f"{self.host} resolves to {refused[0]}, which is not a public "
                          "address")
        error: OSError = OSError(f"{self.host}: cannot connect")
        for address in addresses:
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
                break
            except OSError as exc:
                error = exc
        else:
            raise error
        context: ssl.SSLContext = self._context  # type: ignore[attr-defined]
        self.sock = context.wrap_socket(sock, server_hostname=self.host)


class _GuardedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, policy: NetPolicy) -> None:
        super().__init__(context=policy.tls())
        self._policy = policy

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_GuardedConnection, policy=self._policy), req,
                            context=self._context)  # type: ignore[attr-defined]


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects (at most 5) to https addresses only: a redirect to ``file:``,
    ``ftp:``, ``data:`` or plain http is refused, not followed."""

    max_redirections = 5

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                       headers: Any) -> Any:
        # Checked before urllib's own scheme test, so every refusal reads the same.
        location = headers.get("location") or headers.get("uri") or ""
        newurl = urllib.parse.urljoin(req.full_url, location)
        problem = url_problem(newurl)
        if problem is not None:
            raise Refused(f"redirect to {shown(newurl, 80)} refused: {problem[1]}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(policy: NetPolicy) -> urllib.request.OpenerDirector:
    """urllib with only what an https fetch needs. ``build_opener`` would add handlers for
    ``file:``, ``ftp:`` and ``data:`` (the way a sheet once read /etc/shadow into the report)
    and the environment's proxies (which would connect to addresses we never checked)."""
    opener = urllib.request.OpenerDirector()
    for handler in (_GuardedHTTPS(policy), _Redirects(), urllib.request.UnknownHandler(),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def fetch(url: str, timeout: float, retries: int = 1, policy: NetPolicy | None = None) -> Page:
    policy = policy or POLICY
    page = Page(url)
    problem = url_problem(url)
    if problem is not None:
        page.error = f"refused: {problem[1]}"
        return page
    opener = _opener(policy)
    for attempt in range(retries + 1):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with opener.open(request, timeout=timeout) as response:
                page.status = response.status
                page.final_url = response.geturl()
                body = response.read(policy.max_bytes + 1)
                kind = response.headers.get_content_type()
                charset = response.headers.get_content_charset() or "utf-8"
            try:
                page.text = _extract(body[:policy.max_bytes], kind, charset)
            except Exception as exc:  # noqa: BLE001 (pypdf raises many kinds on a bad file)
                page.error = f"cannot read the page: {type(exc).__name__}"
                return page
            if len(body) > policy.max_bytes:
                page.error = f"page larger than {policy.max_bytes} bytes; searched the first part"
            return page
        except Refused as exc:
            page.error = f"refused: {exc}"
            return page
        except urllib.error.HTTPError as exc:
            page.status, page.error = exc.code, f"HTTP {exc.code} {shown(str(exc.reason))}"
            if exc.code < 500:
                return page
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, Refused):
                page.error = f"refused: {exc.reason}"
                return page
            page.error = f"{type(exc.reason).__name__}: {shown(str(exc.reason))}"
        except (TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
            page.error = f"{type(exc).__name__}: {shown(str(exc))}"
        if attempt == retries:
            break
    return page


def _extract(body: bytes, kind: str, charset: str) -> str:
    if kind == "application/pdf" or body.startswith(b"%PDF-"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        return " ".join(page.extract_text() or "" for page in reader.pages)
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: read it as UTF-8
        text = body.decode("utf-8", errors="replace")
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
        if code not in project.states or code in project.broken:
            continue  # the CLI reports an unknown state; a broken sheet has no claims to fetch
        for claim in project.printed_claims(code):
            for citation in claim.citations:
                if (claim.key, citation.quote) not in seen and citation.source in project.sources:
                    seen.add((claim.key, citation.quote))
                    citations.append((claim, citation))
    urls = {project.sources[c.source].url for _claim, c in citations}
    # Capped: `-j 10000` must not start ten thousand threads.
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, MAX_REQUESTS))) as pool:
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
    """Set ``accessed`` to today for sources whose every citation was found.

    Only the characters of that one value change (located through the YAML node tree, so a
    flow-style ``{id: x, accessed: 2026-01-10, kind: news}`` keeps its commas), and the new
    text must parse to exactly the old data but for that field, or nothing is written."""
    results: dict[str, set[str]] = {}
    for finding in verification.findings:
        results.setdefault(finding.source, set()).add(finding.result)
    updated = []
    by_file: dict[str, list[str]] = {}
    for source_id, found in sorted(results.items()):
        source = project.sources.get(source_id)
        if source is None or not found <= {"ok", "redirected"} or source.accessed is None:
            continue
        if source.accessed != today:
            by_file.setdefault(source.path, []).append(source_id)
    for relpath, source_ids in by_file.items():
        path = project.root / relpath
        try:
            text = read_content(path, project.root).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        new = text
        done = []
        for source_id in source_ids:
            edited = set_accessed(new, source_id, today)
            if edited is not None:
                new = edited
                done.append(source_id)
        if done and _same_but_accessed(text, new, set(done), today):
            write_atomic(path, new.encode("utf-8"))
            updated += done
    return updated


def _accessed_node(text: str, source_id: str) -> yaml.ScalarNode | None:
    """The value node of ``accessed`` in the source ``source_id`` of a registry file."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    sources = next((v for k, v in root.value if k.value == "sources"), None)
    if not isinstance(sources, yaml.SequenceNode):
        return None
    for item in sources.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        fields = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        ident = fields.get("id")
        if isinstance(ident, yaml.ScalarNode) and ident.value == source_id:
            node = fields.get("accessed")
            return node if isinstance(node, yaml.ScalarNode) else None
    return None


def set_accessed(text: str, source_id: str, today: dt.date) -> str | None:
    """``text`` with only the ``accessed`` value of ``source_id`` replaced (its quoting
    kept), or None when there is no such plain value to replace."""
    node = _accessed_node(text, source_id)
    if node is None:
        return None
    start, end = node.start_mark.index, node.end_mark.index
    quote = text[start] if node.style in ("'", '"') else ""
    return text[:start] + f"{quote}{today.isoformat()}{quote}" + text[end:]


def _same_but_accessed(old: str, new: str, source_ids: set[str], today: dt.date) -> bool:
    """Whether ``new`` parses to ``old``'s data with only those sources' ``accessed`` set."""
    try:
        before = yaml.safe_load(old)
        after = yaml.safe_load(new)
    except yaml.YAMLError:
        return False
    try:
        for item in before["sources"]:
            if isinstance(item, dict) and item.get("id") in source_ids:
                # A quoted date stays text: what we compare is YAML's data, not ours.
                quoted = isinstance(item.get("accessed"), str)
                item["accessed"] = today.isoformat() if quoted else today
    except (TypeError, KeyError):
        return False
    return bool(before == after)
