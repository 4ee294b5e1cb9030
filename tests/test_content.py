"""The repository's real content keeps its structural guarantees (independent of the calendar).

Whether each quote matches the research notes it was copied from is a maintainer's check, not a
test (the notes live outside the project): `scripts/audit-quotes ../shared/research`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from handouts.check import check_content
from handouts.loader import load_project
from handouts.models import SECTIONS
from handouts.readability import MAX_CLAIM_GRADE, MAX_HANDOUT_GRADE, combined_grade, grade

PROJECT = load_project(REPO)
#: Content is judged as of its own newest check date, never the calendar's.
AS_OF = max(claim.checked for claim in PROJECT.all_claims)


def test_real_content_passes_every_rule() -> None:
    problems = [p.format() for p in check_content(PROJECT, AS_OF)]
    assert problems == []


@pytest.mark.parametrize("state", PROJECT.state_codes())
def test_every_sheet_leads_with_key_points_and_help_and_is_cited(state: str) -> None:
    claims = PROJECT.printed_claims(state)
    sections = [claim.section for claim in claims]
    assert set(sections) <= set(SECTIONS)
    assert 3 <= sections.count("key-points") <= 5, state
    helps = [c for c in claims if c.section == "get-help"]
    assert helps and all(c.contact is not None for c in helps), state
    assert any(c.contact and c.contact.phone for c in helps), f"{state}: no phone to call"
    for claim in claims:
        assert claim.open is None, claim.key
        assert claim.citations, claim.key
        for citation in claim.citations:
            assert citation.source in PROJECT.sources
            assert citation.quote and citation.locator, claim.key


@pytest.mark.parametrize("state", PROJECT.state_codes())
def test_english_handout_reads_at_grade_8_or_below(state: str) -> None:
    claims = PROJECT.printed_claims(state)
    assert combined_grade(c.text for c in claims) <= MAX_HANDOUT_GRADE
    assert all(grade(c.text) <= MAX_CLAIM_GRADE for c in claims), state


def test_english_page_one_shows_key_points_and_a_phone(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every state's English handout, built: two pages at 11 pt or more, and page 1 carries
    the key points and the help box with a phone number (what a parent looks at first)."""
    import shutil
    import subprocess

    from typer.testing import CliRunner

    import pdfinfo
    from handouts.cli import app

    # A real build as of the content's check date (another --today would be a what-if).
    monkeypatch.setenv("SHEETS_TODAY", AS_OF.isoformat())
    root = tmp_path / "repo"
    for name in ("sheets", "translations", "templates"):
        shutil.copytree(REPO / name, root / name)
    result = CliRunner().invoke(app, ["build", "--all", "--lang", "en", "--root", str(root),
                                      "--today", AS_OF.isoformat(), "-j", "2"])
    assert result.exit_code == 0, result.stdout + result.stderr
    for state in PROJECT.state_codes():
        pdf = root / f"build/{state}/{state}-en-letter.pdf"
        assert pdfinfo.pages(pdf) == 2
        page_one = " ".join(subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
            text=True, check=True).stdout.split())
        assert "What this means for you" in page_one and "Free help" in page_one, state
        phones = [c.contact.phone for c in PROJECT.printed_claims(state)
                  if c.contact and c.contact.phone]
        assert any(phone in page_one for phone in phones), state
        claims = [" ".join(c.text.split())[:30] for c in PROJECT.printed_claims(state)]
        sizes = [size for text, size in pdfinfo.text_sizes(pdf)
                 if any(" ".join(text.split()).startswith(start) for start in claims)]
        assert sizes and min(sizes) >= 11, (state, sizes)


def test_every_source_is_cited_and_https() -> None:
    cited = {c.source for claim in PROJECT.all_claims for c in claim.citations}
    assert set(PROJECT.sources) == cited
    assert all(s.url.startswith("https://") and s.accessed for s in PROJECT.sources.values())


def test_no_claim_repeats_a_known_false_claim() -> None:
    text = " ".join(claim.text for claim in PROJECT.all_claims)
    for false in ("Senate Bill 216", "Privacy Rights Act", "TRUST Act", "completely bans"):
        assert false not in text
    assert Path(REPO / "sheets").is_dir()
