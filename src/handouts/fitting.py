"""Choosing the type step: the largest type at which a handout fits on one sheet of paper.

A layout costs about as much as writing the PDF, so the search lays out as few steps as it can.
Each layout tells how long the handout is (:func:`handouts.pdf.pages_used`); a step whose
length, bounded by how much a step can change it, is sure to overflow is never laid out. The
bounds come from measuring every state × language × paper at every step and are widened by a
margin, so a skipped step is one that would not have fitted: the chosen step is always the
smallest that fits, whatever order the steps were tried in. A build starts at the step the
previous build of that handout chose (a hint), which after a small edit is usually the answer.
"""

from __future__ import annotations

#: How much a handout's length changes from step ``j`` to a later step ``k``: (least, most)
#: of length(k) / length(j). "Least" is measured over layouts that overflow at ``j`` (the only
#: ones the forward skip is used on), "most" over all. Measured with
#: ``benchmarks/fit_calibration.py --paper letter --paper a4`` on the translated content of
#: 2026-12-03 (body 12 / 11.5 / 11.25 / 11 pt; 170 handouts, 680 layouts): (0, 1)
#: 0.762-0.994, (0, 2) 0.751-1.167, (0, 3) 0.695-0.943, (1, 2) 0.876-1.212, (1, 3)
#: 0.840-0.980, (2, 3) 0.764-0.997. "Least" is widened by about 0.02; "most" is capped at 1:
#: the layouts measured longer at smaller type are ones whose help card moves between pages
#: (Burmese, past two pages), where nothing is decided. The translations' lows are well under
#: the English-only ones measured before (0.87 for (0, 1)): a skip bound from English alone
#: would skip steps that fit. Re-measure after changing the fitting steps, the layout in
#: ``templates/handout.css`` or much of the content.
LENGTH_RATIO: dict[tuple[int, int], tuple[float, float]] = {
    (0, 1): (0.74, 1.0),
    (0, 2): (0.73, 1.0),
    (0, 3): (0.675, 0.95),
    (1, 2): (0.855, 1.0),
    (1, 3): (0.82, 1.0),
    (2, 3): (0.745, 1.0),
}

#: Step -> (fits, length in pages or None when unknown).
Tried = dict[int, tuple[bool, float | None]]


def surely_overflows(step: int, tried: Tried, limit: int) -> bool:
    """Whether the lengths measured at other steps prove ``step`` cannot fit ``limit`` pages."""
    for other, (_fits, length) in tried.items():
        if length is None or other == step:
            continue
        low, high = LENGTH_RATIO.get((min(other, step), max(other, step)), (0.0, 1.0))
        if other < step and length * low > limit:
            return True
        if other > step and length / high > limit:
            return True
    return False


def next_step(tried: Tried, steps: int, limit: int) -> int | None:
    """The step to lay out next, or None when the answer is known (the smallest step that
    fitted, or none: the handout does not fit even at the last step)."""
    fitted = [step for step, (fits, _length) in tried.items() if fits]
    overflowed = [step for step, (fits, _length) in tried.items() if not fits]
    # Smaller type never makes a handout longer: the answer lies above every step that
    # overflowed and at or below every step that fitted.
    low = max(overflowed) + 1 if overflowed else 0
    high = min(fitted) if fitted else steps
    if fitted:
        # Something fits (often the hint): look one step larger; if that cannot fit, done.
        step = high - 1
        if step >= low and not surely_overflows(step, tried, limit):
            return step
        return None
    for step in range(low, high):
        if not surely_overflows(step, tried, limit):
            return step
    if steps - 1 not in tried:
        # Even a step that is sure to overflow is laid out once, for its true page count.
        return steps - 1
    return None


def first_step(hint: int | None, steps: int) -> int:
    return hint if hint is not None and 0 <= hint < steps else 0
