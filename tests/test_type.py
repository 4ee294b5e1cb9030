"""Type for readers, measured in the PDF: body text at 11 pt or more at every type step,
headings at 13 pt or more, nothing (source list, marks, footer) under 8 pt."""

from __future__ import annotations

from pathlib import Path

import pytest

import pdfinfo
from handouts.catalogs import load_lookup
from handouts.languages import LANGUAGES
from handouts.loader import load_project
from handouts.pdf import write_pdf
from handouts.render import FIT_STEPS, render_html

#: Body text of the test project's Colorado sheet (claims, help), and its headings.
BODY = ("A 2021 law limits", "State workers may not share", "To report what you see",
        "Example Network", "Facts checked on", "This handout gives general information")
HEADINGS = ("What this means for you", "Free help", "What does state law protect?",
            "What have courts decided?", "Where these facts come from")


def _sizes(project: Path, tmp_path: Path, step: int, paper: str) -> list[tuple[str, float]]:
    html, _handout = render_html(load_project(project), "CO", LANGUAGES["en"],
                                 load_lookup(project, "en"), paper, step)
    data, _pages = write_pdf(html, project / "templates")
    path = tmp_path / f"CO-{step}-{paper}.pdf"
    path.write_bytes(data)
    return pdfinfo.text_sizes(path)


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("step", range(FIT_STEPS))
def test_type_sizes_at_every_step(project: Path, tmp_path: Path, step: int,
                                  paper: str) -> None:
    runs = _sizes(project, tmp_path, step, paper)
    for start in BODY:
        sizes = [size for text, size in runs if text.startswith(start)]
        assert sizes and min(sizes) >= 11, (start, sizes)
    for heading in HEADINGS:
        sizes = [size for text, size in runs if text.strip() == heading]
        assert sizes and min(sizes) >= 13, (heading, sizes)
    assert min(size for _text, size in runs) >= 8
    phone = [size for text, size in runs if text.strip() == "1-800-555-0100"]
    assert phone and max(phone) >= 20  # the help box sets it large (the claim text too)


def test_largest_step_starts_at_12_pt(project: Path, tmp_path: Path) -> None:
    runs = _sizes(project, tmp_path, 0, "letter")
    assert [size for text, size in runs if text.startswith("A 2021 law limits")] == [12]
    runs = _sizes(project, tmp_path, FIT_STEPS - 1, "letter")
    assert [size for text, size in runs if text.startswith("A 2021 law limits")] == [11]
