"""Freshness ahead of time: which claims come due for re-checking, and when.

On its re-check date a claim blocks every handout that prints it, English included, so the
check warns ``claim-due-soon`` a month before, and `sheets due` lists what is coming with the
addresses to re-read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import Problem
from .loader import Project
from .models import Claim

#: Days before a claim's re-check date that the check starts warning.
DUE_SOON_DAYS = 30


def due_soon(project: Project, today: dt.date, days: int = DUE_SOON_DAYS) -> list[Problem]:
    """``warning[claim-due-soon]`` for each printed claim due within ``days`` (not yet due:
    past its date it is ``claim-stale``, an error)."""
    problems = []
    for claim in _printed(project):
        left = (claim.due - today).days
        if 0 <= left <= days and claim.checked <= today:
            problems.append(Problem(
                claim.path, claim.line_of("checked"), "claim-due-soon",
                f"{claim.key}: re-check due {claim.due} (in {left} day(s)); after that date "
                "every handout that prints it is blocked", "warning"))
    return problems


def _printed(project: Project) -> Iterator[Claim]:
    seen: set[str] = set()
    for state in project.state_codes():
        if state in project.broken:
            continue
        for claim in project.printed_claims(state):
            if claim.key not in seen:
                seen.add(claim.key)
                yield claim


@dataclass(frozen=True)
class Due:
    claim: Claim
    states: tuple[str, ...]
    urls: tuple[str, ...]


def parse_within(value: str) -> int:
    """``60d``, ``8w`` or a plain number of days."""
    match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", value)
    if match is None:
        raise ValueError(f"{value!r} is not a number of days (60d) or weeks (8w)")
    return int(match[1]) * (7 if match[2] == "w" else 1)


def list_due(project: Project, today: dt.date, within: int) -> list[Due]:
    """Claims due by ``today + within`` days (overdue ones too), soonest first."""
    printed_in: dict[str, list[str]] = {}
    for state in project.state_codes():
        if state in project.broken:
            continue
        for claim in project.printed_claims(state):
            printed_in.setdefault(claim.key, []).append(state)
    limit = today + dt.timedelta(days=within)
    found = []
    for claim in _printed(project):
        if claim.due <= limit:
            urls = tuple(dict.fromkeys(
                project.sources[c.source].url for c in claim.citations
                if c.source in project.sources))
            found.append(Due(claim, tuple(printed_in.get(claim.key, ())), urls))
    return sorted(found, key=lambda d: (d.claim.due, d.claim.key))
