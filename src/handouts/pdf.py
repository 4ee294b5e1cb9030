"""HTML to PDF with WeasyPrint, offline and strict.

WeasyPrint *logs* a missing font glyph or an unreachable resource and carries on; on a printed
handout that is a wrong page, so every warning it logs while rendering fails the render. Its
URL fetcher is replaced by one that serves only files under the allowed folders (templates,
system fonts) and refuses everything else: no network, nothing outside the project.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import RenderError

#: Font folders the renderer may read (fontconfig loads fonts itself; @font-face would not).
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


def _make_fetcher(allowed: Sequence[Path]) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = [root.resolve() for root in allowed]

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"refused to fetch {url!r}: only local files may be used")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in roots):
                raise ValueError(f"refused to read {path}: outside the allowed folders")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    # fail_on_errors turns a refused fetch into a fatal error instead of a logged warning.
    return LocalFetcher(fail_on_errors=True)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _weasyprint_warnings() -> Iterator[list[logging.LogRecord]]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def _raise_on_warnings(records: list[logging.LogRecord]) -> None:
    if records:
        messages = "; ".join(record.getMessage() for record in records)
        raise RenderError(f"WeasyPrint reported a problem: {messages}")


_font_config: tuple[int, Any] | None = None


def font_configuration() -> Any:
    """This process's WeasyPrint font configuration, made on first use and kept.

    WeasyPrint makes a new one per document unless given one: fontconfig's font list is loaded
    again and Pango's font map starts empty, so every font file is opened and every glyph
    measured anew. Kept, WeasyPrint used 16 % less CPU over 170 handouts
    (``benchmarks/synthetic.py``, "warm floor") and writes the same bytes (a test compares
    them). It is never inherited across ``fork``: FreeType reads font files through
    descriptors a child would share with its parent.
    """
    global _font_config
    if _font_config is None or _font_config[0] != os.getpid():
        from weasyprint.text.fonts import FontConfiguration

        _font_config = (os.getpid(), FontConfiguration())
    return _font_config[1]


def lay_out(html: str, base_dir: Path, allowed: Sequence[Path] = ()) -> Any:
    """Lay ``html`` out into pages (WeasyPrint's Document) without writing a PDF.

    Page fitting only needs the page count, so a layout that turns out too long is thrown away
    before paying for font subsetting and PDF writing.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _make_fetcher([base_dir, *allowed, *FONT_DIRS])
    with _weasyprint_warnings() as records:
        try:
            document = HTML(string=html, base_url=str(base_dir) + "/",
                            url_fetcher=fetcher).render(font_config=font_configuration())
        except FatalURLFetchingError as exc:
            raise RenderError(f"{exc}: {exc.__cause__}") from exc
    _raise_on_warnings(records)
    return document


@cache
def weasyprint_version() -> str:
    """The renderer's version: part of every output's cache key and of the edition id, since a
    new WeasyPrint writes other bytes."""
    from importlib.metadata import version

    return version("weasyprint")


def pages_used(document: Any) -> float | None:
    """How many pages' worth of content a layout holds: every page before the last, plus the
    filled share of the last. None when WeasyPrint does not expose its page boxes.

    The stylesheet lets multi-column content fill its first column to the bottom of the page
    before starting the next (balancing columns would cost a layout pass per try); the length
    counts such columns as if balanced, so it keeps growing and shrinking with the content.
    Page fitting uses it to skip type steps that cannot possibly be enough.
    """
    try:
        # Page boxes are not public API; requirements.lock pins the WeasyPrint this was read from.
        last = document.pages[-1]._page_box
        root = next(box for box in last.children if getattr(box, "element_tag", None) == "html")
        height = root.margin_height() - _column_slack(root)
        return float(len(document.pages) - 1 + height / last.height)
    except (AttributeError, IndexError, StopIteration, TypeError, ZeroDivisionError):
        return None


def on_first_page(document: Any, css_class: str) -> bool:
    """Whether an element of ``css_class`` starts on page 1 (True when WeasyPrint does not
    expose its page boxes, so a renderer change never blocks a handout).

    The help box belongs on page 1, where a reader looks first; page fitting counts a layout
    that pushed it to page 2 as one that does not fit.
    """
    try:
        # Page boxes are not public API; requirements.lock pins the WeasyPrint this was read from.
        stack = [document.pages[0]._page_box]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            if element is not None and css_class in (element.get("class") or "").split():
                return True
            stack.extend(getattr(box, "children", None) or ())
        return not any(css_class in (element.get("class") or "").split()
                       for page in document.pages[1:]
                       for element in _elements(page._page_box))
    except (AttributeError, IndexError, TypeError):
        return True


def _elements(box: Any) -> Iterator[Any]:
    element = getattr(box, "element", None)
    if element is not None:
        yield element
    for child in getattr(box, "children", None) or ():
        yield from _elements(child)


def _column_slack(box: Any) -> float:
    """How much taller the columns that end ``box`` are than they would be balanced (0 when
    it does not end in columns): a box ends where its last in-flow child does."""
    from weasyprint.formatting_structure.boxes import BlockContainerBox

    while isinstance(box, BlockContainerBox):
        children = [child for child in box.children if child.is_in_normal_flow()]
        columns = [child for child in children if child.is_column]
        if columns:
            heights = [_filled_height(column) for column in columns]
            # Content that fits in the first column makes only that one column box.
            count = box.style["column_count"]
            count = max(len(columns), count if isinstance(count, int) else 1)
            return max(heights) - sum(heights) / count
        if not children:
            return 0.0
        box = children[-1]
    return 0.0


def _filled_height(column: Any) -> float:
    children = [child for child in column.children if child.is_in_normal_flow()]
    if not children:
        return 0.0
    last = children[-1]
    return float(last.position_y + last.margin_height() - column.position_y)


def write_document(document: Any, html: str) -> bytes:
    """Write a laid-out document as PDF/UA-1 (tagged, with title and language, so screen
    readers follow the logical reading order, right-to-left included).

    The PDF identifier is derived from the HTML so the same input gives byte-identical output.
    """
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    with _weasyprint_warnings() as records:
        data = document.write_pdf(pdf_identifier=identifier, pdf_variant="pdf/ua-1")
    _raise_on_warnings(records)
    assert isinstance(data, bytes)
    return data


def write_pdf(html: str, base_dir: Path, allowed: Sequence[Path] = ()) -> tuple[bytes, int]:
    """Render ``html`` to PDF bytes; return them and the page count."""
    document = lay_out(html, base_dir, allowed)
    return write_document(document, html), len(document.pages)
