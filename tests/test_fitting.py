"""Type-step search: as few layouts as possible, and always the step an exhaustive search picks."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from handouts import build as build_module
from handouts.build import Target, _render_fitting
from handouts.catalogs import load_lookup
from handouts.fitting import LENGTH_RATIO, next_step, surely_overflows
from handouts.languages import LANGUAGES
from handouts.loader import Project, load_project
from handouts.pdf import lay_out, on_first_page, pages_used
from handouts.render import FIT_STEPS, HELP_BOX, MAX_PAGES, render_html


def test_fits_at_first_try_needs_no_other_layout() -> None:
    assert next_step({0: (True, 1.8)}, 3, 2) is None


def test_far_overflow_skips_a_step_that_cannot_be_enough() -> None:
    # 2.8 pages at step 0: even the largest shrink measured for step 1 leaves it over 2 pages.
    assert 2.8 * LENGTH_RATIO[(0, 1)][0] > 2
    assert next_step({0: (False, 2.8)}, 3, 2) == 2


def test_slight_overflow_tries_the_next_step() -> None:
    assert next_step({0: (False, 2.05)}, 3, 2) == 1


def test_hint_that_fits_looks_one_step_larger_unless_that_cannot_fit() -> None:
    assert next_step({2: (True, 1.80)}, 3, 2) == 1
    # Step 3's length proves step 0 too long (length(3) / length(0) is at most 0.95).
    assert 1.93 / LENGTH_RATIO[(0, 3)][1] > 2
    assert next_step({1: (True, 1.99), 3: (True, 1.93)}, 4, 2) is None
    assert next_step({1: (True, 1.99), 3: (True, 1.85)}, 4, 2) == 0
    assert next_step({2: (True, 1.80), 1: (False, 2.1)}, 3, 2) is None
    assert next_step({2: (True, 1.80), 1: (True, 1.95)}, 3, 2) == 0


def test_overflow_at_every_step_ends_after_the_last() -> None:
    assert next_step({0: (False, 3.5)}, 3, 2) == 2
    assert next_step({0: (False, 3.5), 2: (False, 2.9)}, 3, 2) is None


def test_unknown_lengths_fall_back_to_trying_each_step() -> None:
    assert not surely_overflows(1, {0: (False, None)}, 2)
    assert next_step({0: (False, None)}, 3, 2) == 1
    assert next_step({0: (False, None), 1: (False, None)}, 3, 2) == 2


def _exhaustive(project: Project, target: Target) -> int | None:
    """The largest type with two pages and a help card on page 1; failing that, the largest
    with two pages."""
    lookup = load_lookup(REPO, target.lang)
    two_pages = []
    for step in range(FIT_STEPS):
        html, _ = render_html(project, target.state, LANGUAGES[target.lang], lookup,
                              target.paper, step)
        document = lay_out(html, REPO / "templates")
        if len(document.pages) <= MAX_PAGES:
            if on_first_page(document, HELP_BOX):
                return step
            two_pages.append(step)
    return two_pages[0] if two_pages else None


@pytest.mark.parametrize("lang", ["en", "fa", "es"])
def test_search_picks_the_smallest_fitting_step_from_any_hint(
        lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    project = load_project(REPO, ["CO"])
    target = Target("CO", lang, "letter")
    expected = _exhaustive(project, target)
    layouts: list[int] = []
    real = build_module.lay_out

    def counting(html: str, base: Path) -> object:
        layouts.append(1)
        return real(html, base)

    monkeypatch.setattr(build_module, "lay_out", counting)
    lookup = load_lookup(REPO, lang)
    for hint in (None, *range(FIT_STEPS)):
        layouts.clear()
        _data, pages, fit, _help = _render_fitting(project, target, lookup, hint)
        assert (fit, pages <= MAX_PAGES) == (expected, True), f"hint {hint}"
        assert len(layouts) <= FIT_STEPS
    # Started at the right step, a handout is laid out at most twice (once more to rule out
    # the next larger type), and only once when its length proves the larger type too long.
    layouts.clear()
    _render_fitting(project, target, lookup, expected)
    assert len(layouts) <= 2


def test_pages_used_measures_the_filled_part_of_the_last_page() -> None:
    project = load_project(REPO, ["CO"])
    html, _ = render_html(project, "CO", LANGUAGES["en"], load_lookup(REPO, "en"), "letter", 0)
    used = pages_used(lay_out(html, REPO / "templates"))
    assert used is not None and 1.0 < used <= 2.0


@pytest.mark.parametrize(("lang", "step"), [("en", 0), ("es", 0), ("es", 2)])
def test_pages_used_counts_unbalanced_columns_as_balanced(lang: str, step: int) -> None:
    """The sources list fills its first column first; the length must not jump to the foot of
    the page for it (es at step 0 overflows, its last column on page 3 alone)."""
    project = load_project(REPO, ["CO"])
    html, _ = render_html(project, "CO", LANGUAGES[lang], load_lookup(REPO, lang), "letter", step)
    assert "column-fill: auto" in (REPO / "templates/handout.css").read_text()
    unbalanced = lay_out(html, REPO / "templates")
    balanced = lay_out(html.replace("</style>", ".sources ol { column-fill: balance }</style>"),
                       REPO / "templates")
    assert len(unbalanced.pages) == len(balanced.pages)
    measured, expected = pages_used(unbalanced), pages_used(balanced)
    assert measured is not None and expected is not None
    assert abs(measured - expected) < 0.015
