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
