"""The repository's real content keeps its structural guarantees (independent of the calendar)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from handouts.check import check_content
from handouts.loader import load_project
from handouts.models import SECTIONS

PROJECT = load_project(REPO)
#: Content is judged as of its own newest check date, never the calendar's.
AS_OF = max(claim.checked for claim in PROJECT.all_claims)


def test_real_content_passes_every_rule() -> None:
    problems = [p.format() for p in check_content(PROJECT, AS_OF)]
    assert problems == []


@pytest.mark.parametrize("state", PROJECT.state_codes())
def test_every_section_is_filled_and_cited(state: str) -> None:
    claims = PROJECT.printed_claims(state)
    assert {claim.section for claim in claims} == set(SECTIONS), state
    for claim in claims:
        assert claim.citations, claim.key
        for citation in claim.citations:
            assert citation.source in PROJECT.sources
            assert citation.quote and citation.locator, claim.key
    helps = [c for c in claims if c.section == "get-help"]
    assert all(c.contact is not None for c in helps)


def test_every_source_is_cited_and_https() -> None:
    cited = {c.source for claim in PROJECT.all_claims for c in claim.citations}
    assert set(PROJECT.sources) == cited
    assert all(s.url.startswith("https://") and s.accessed for s in PROJECT.sources.values())


def test_quotes_come_from_the_research_notes() -> None:
    research = REPO.parent / "shared" / "research"
    if not research.is_dir():
        pytest.skip("../shared/research is not beside this checkout")
    notes = " ".join(" ".join(p.read_text().split()) for p in research.glob("*.yaml"))
    for claim in PROJECT.all_claims:
        for citation in claim.citations:
            assert " ".join(citation.quote.split()) in notes, (claim.key, citation.quote[:60])


def test_no_claim_repeats_a_known_false_claim() -> None:
    text = " ".join(claim.text for claim in PROJECT.all_claims)
    for false in ("Senate Bill 216", "Privacy Rights Act", "TRUST Act", "completely bans"):
        assert false not in text
    assert Path(REPO / "sheets").is_dir()


def test_cited_urls_have_verified_quotes_in_the_audit() -> None:
    import yaml

    audit_path = REPO.parent / "shared" / "research" / "AUDIT.yaml"
    if not audit_path.is_file():
        pytest.skip("../shared/research/AUDIT.yaml is not beside this checkout")
    verified = {c["url"] for entry in yaml.safe_load(audit_path.read_text())
                for c in entry.get("citations", [])
                if c.get("result") in ("verified", "verified-with-differences")}
    for claim in PROJECT.all_claims:
        for citation in claim.citations:
            url = PROJECT.sources[citation.source].url
            assert url in verified, (claim.key, url)
