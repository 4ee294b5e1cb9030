"""The one summary of translations that are merely pending, instead of one line per entry.

After an English edit every catalog lacks the new string: one line per catalog and handout is
noise with no next step. The summary says how many strings, which catalogs, what to run, and
which handouts are withheld until then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .check import Report


def _string_key(message: str) -> str:
    # "CO/claim-id: ..." or "'Sources': ..." → the entry's label.
    return message.split(": ", 1)[0]


def withheld_handouts(report: Report, states: Iterable[str],
                      langs: Iterable[str]) -> dict[str, list[str]]:
    """state → languages whose handout is blocked by pending problems only."""
    out: dict[str, list[str]] = defaultdict(list)
    for state in states:
        for lang in langs:
            blockers = report.blockers(state, lang)
            if blockers and not any(report.fails(p) for p in blockers):
                out[state].append(lang)
    return dict(out)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def pending_summary(report: Report, states: Iterable[str], langs: Iterable[str]) -> list[str]:
    """Lines for people: what is pending, the next step, what is withheld meanwhile."""
    pending = report.pending
    if not pending:
        return []
    lines = []
    stale = [p for p in pending if p.rule == "catalog-not-updated"]
    if stale:
        changed = {_string_key(p.message) for p in stale if "English changed" in p.message}
        added = {_string_key(p.message) for p in stale} - changed
        what = " and ".join(part for part in (
            _count(len(changed), "English string") + " changed" if changed else "",
            _count(len(added), "English string") + " added" if added else "") if part)
        catalogs = {p.lang for p in stale}
        lines.append(f"{what} → {_count(len(catalogs), 'catalog')} need translation; "
                     "run `sheets catalog update`")
    untranslated = [p for p in pending if p.rule in ("translation-missing", "translation-fuzzy")]
    if untranslated:
        per_lang: dict[str | None, set[str]] = defaultdict(set)
        for p in untranslated:
            per_lang[p.lang].add(_string_key(p.message))
        counts = ", ".join(f"{lang} {len(keys)}" for lang, keys in sorted(
            per_lang.items(), key=lambda item: str(item[0])))
        lines.append(f"strings to translate (missing or fuzzy): {counts}; "
                     "`sheets catalog stats` shows them per state")
    missing = sorted({str(p.lang) for p in pending if p.rule == "catalog-missing"})
    if missing:
        lines.append(f"no catalog for {', '.join(missing)}: run `sheets catalog init LANG`")
    draft_states = sorted({str(p.state) for p in pending if p.state in report.draft_states})
    if draft_states:
        lines.append(f"draft state(s) {', '.join(draft_states)}: the problems above withhold "
                     "their handouts and never fail the check; set `status: published` once "
                     "it checks clean")
    drafts = sorted({str(p.lang) for p in pending if p.lang in report.drafts})
    if drafts:
        lines.append(f"draft language(s) {', '.join(drafts)}: problems withhold their handouts "
                     "and never fail the check")
    withheld = withheld_handouts(report, states, langs)
    total = sum(len(v) for v in withheld.values())
    if total:
        shown = "; ".join(f"{state}: {' '.join(codes)}" for state, codes in
                          sorted(withheld.items()))
        these = "this handout is" if total == 1 else f"these {total} handouts are"
        lines.append(f"until then {these} withheld: {shown}")
    lines.append("(not a failure; `--require-translations` or `--release` makes it one)")
    return lines
