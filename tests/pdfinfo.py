"""Small facts about a real PDF, read with poppler and pypdf (what a reader or printer sees)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pypdf import PdfReader


def text(path: Path) -> str:
    """Extracted text with whitespace collapsed, as pdftotext reads it in reading order."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s+", " ", out)


def fonts(path: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                         check=True).stdout
    rows = out.splitlines()[2:]
    assert all(" yes yes " in row for row in rows), f"a font is not embedded+subset:\n{out}"
    return [row.split()[0].split("+")[-1] for row in rows]


def pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def lang(path: Path) -> str:
    return str(PdfReader(path).trailer["/Root"]["/Lang"])


def squash(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def metadata(path: Path) -> dict[str, str]:
    reader = PdfReader(path)
    return {str(k): str(v) for k, v in (reader.metadata or {}).items()}


def is_tagged(path: Path) -> bool:
    root = PdfReader(path).trailer["/Root"]
    return "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])


def page_size(path: Path) -> tuple[int, int]:
    box = PdfReader(path).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


# --- Glyph boxes: where the ink of every glyph lies, read from the PDF itself -----------------

Matrix = tuple[float, float, float, float, float, float]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _outline_box(font: object, name: str) -> tuple[float, float] | None:
    """(yMin, yMax) of a glyph's outline in font units; None for a glyph with no ink."""
    if "glyf" in font:  # type: ignore[operator]
        glyf = font["glyf"]  # type: ignore[index]
        glyph = glyf[name]
        if glyph.numberOfContours == 0:
            return None
        glyph.recalcBounds(glyf)
        return glyph.yMin, glyph.yMax
    charstrings = font["CFF "].cff.topDictIndex[0].CharStrings  # type: ignore[index]
    bounds = charstrings[name].calcBounds(charstrings)
    return None if bounds is None else (bounds[1], bounds[3])


class _Font:
    """An embedded CID font (WeasyPrint writes Type0 / Identity-H, CIDToGIDMap /Identity):
    each 2-byte code is a glyph id of the embedded subset, whose glyph boxes are the ink."""

    def __init__(self, font: object) -> None:
        import io

        from fontTools.ttLib import TTFont

        font = font.get_object()  # type: ignore[attr-defined]
        descendant = font["/DescendantFonts"][0].get_object()  # type: ignore[index]
        descriptor = descendant["/FontDescriptor"].get_object()
        self.name = str(font["/BaseFont"])  # type: ignore[index]
        self.default_width = float(descendant.get("/DW", 1000))
        self.widths: dict[int, float] = {}
        table = list(descendant.get("/W", []))
        i = 0
        while i < len(table):
            first = int(table[i])
            if isinstance(table[i + 1], list) or hasattr(table[i + 1], "__iter__"):
                for offset, width in enumerate(table[i + 1]):
                    self.widths[first + offset] = float(width)
                i += 2
            else:
                for code in range(first, int(table[i + 1]) + 1):
                    self.widths[code] = float(table[i + 2])
                i += 3
        # TrueType outlines (FontFile2) or CFF in an OpenType wrapper (FontFile3, CJK fonts).
        stream = descriptor.get("/FontFile2") or descriptor["/FontFile3"]
        tt = TTFont(io.BytesIO(stream.get_object().get_data()))
        self.upem = tt["head"].unitsPerEm
        self.boxes: dict[int, tuple[float, float] | None] = {}
        for gid, name in enumerate(tt.getGlyphOrder()):
            box = _outline_box(tt, name)
            self.boxes[gid] = None if box is None else (box[0] / self.upem, box[1] / self.upem)
            if name.startswith("cid") and name[3:].isdigit():
                # CID-keyed CFF: the PDF's codes are CIDs, not glyph indexes.
                self.boxes[int(name[3:])] = self.boxes[gid]

    def width(self, gid: int) -> float:
        return self.widths.get(gid, self.default_width) / 1000


#: One glyph's ink on the page, in points from the top-left corner: (x0, x1, top, bottom),
#: with the baseline of its line (before any rise) and its font size.
Ink = tuple[float, float, float, float, float, float]


def glyph_ink(path: Path, page_number: int) -> list[Ink]:
    """Every inked glyph on a page: its horizontal extent (advance) and vertical ink extent
    (the glyph's outline box), from the content stream's text operators."""
    from pypdf.generic import ContentStream

    reader = PdfReader(path)
    page = reader.pages[page_number]
    height = float(page.mediabox.height)
    resources = page["/Resources"]
    fonts = {str(name): _Font(ref) for name, ref in resources["/Font"].items()}
    content = ContentStream(page.get_contents(), reader)
    ctm: Matrix = (1, 0, 0, 1, 0, 0)
    stack: list[Matrix] = []
    tm: Matrix = (1, 0, 0, 1, 0, 0)
    line: Matrix = tm
    font: _Font | None = None
    size = rise = 0.0
    out: list[Ink] = []
    for operands, op in content.operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            ctm = _multiply(tuple(map(float, operands)), ctm)  # type: ignore[arg-type]
        elif op == b"BT":
            tm = line = (1, 0, 0, 1, 0, 0)
        elif op == b"Tm":
            tm = line = tuple(map(float, operands))  # type: ignore[assignment]
        elif op == b"Td":
            line = _multiply((1, 0, 0, 1, float(operands[0]), float(operands[1])), line)
            tm = line
        elif op == b"Tf":
            font, size = fonts[str(operands[0])], float(operands[1])
        elif op == b"Ts":
            rise = float(operands[0])
        elif op in (b"TJ", b"Tj") and font is not None:
            items = operands[0] if op == b"TJ" else [operands[0]]
            for item in items:
                if isinstance(item, (int, float)) or hasattr(item, "as_numeric"):
                    tm = _multiply((1, 0, 0, 1, -float(item) / 1000 * size, 0), tm)
                    continue
                raw = bytes(item.original_bytes if hasattr(item, "original_bytes") else item)
                for i in range(0, len(raw) - 1, 2):
                    gid = raw[i] << 8 | raw[i + 1]
                    advance = font.width(gid) * size
                    box = font.boxes.get(gid)
                    if box is not None:
                        m = _multiply(tm, ctm)
                        # Text space: y up from the baseline (raised by Ts); m maps it to
                        # PDF space (y up from the page's foot), then flip to "from the top".
                        x0 = m[4]
                        x1 = m[0] * advance + m[4]
                        y_base = m[5] + m[3] * rise
                        top = y_base + m[3] * box[1] * size
                        bottom = y_base + m[3] * box[0] * size
                        out.append((min(x0, x1), max(x0, x1), height - max(top, bottom),
                                    height - min(top, bottom), height - m[5],
                                    abs(m[3]) * size))
                    tm = _multiply((1, 0, 0, 1, advance, 0), tm)
    return out


def closest_lines(path: Path, page_number: int) -> tuple[float, str]:
    """The smallest vertical gap (points; negative: overlap) between the ink of a line and the
    ink of the line above it, wherever the two share horizontal space, with where it is."""
    rows: dict[float, list[Ink]] = {}
    for ink in glyph_ink(path, page_number):
        rows.setdefault(round(ink[4], 1), []).append(ink)
    baselines = sorted(rows)
    best, where = float("inf"), ""
    for i, upper in enumerate(baselines):
        for lower in baselines[i + 1:]:
            size = max(ink[5] for ink in rows[upper] + rows[lower])
            if lower - upper > 3 * size:
                break
            if lower - upper < 0.6 * size:
                continue  # a superscript on the same line, not the next line
            for a in rows[upper]:
                for b in rows[lower]:
                    if min(a[1], b[1]) - max(a[0], b[0]) > 0.1:
                        gap = b[2] - a[3]
                        if gap < best:
                            best, where = gap, f"baselines {upper:.1f} / {lower:.1f} pt"
    return best, where


def text_sizes(path: Path) -> list[tuple[str, float]]:
    """Each run of text with the size it is set at on the page (points), as pypdf reads the
    content stream (font size scaled by the text and page matrices)."""
    runs: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0])
            runs.append((text, round(size * scale, 2)))

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return runs
