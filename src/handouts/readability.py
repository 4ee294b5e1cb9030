"""Reading level: the Flesch-Kincaid grade of the English a handout prints.

Health-literacy guidance for public materials asks for grade 8 or below, so the check scores
every printed claim and each handout as a whole. The formula is the usual one::

    grade = 0.39 * words / sentences + 11.8 * syllables / words - 15.59

Syllables come from ``pyphen``'s bundled en_US hyphenation dictionary (installed with
WeasyPrint; nothing is loaded from the network): a word has one syllable more than the hyphens
pyphen would insert. Phone numbers, URLs and bill ids count as one one-syllable word each (a
reader takes them in at a glance; scoring "1-800-555-0100" as four words or a URL as twenty
syllables would make the grade say nothing about the sentence), and initialisms such as
"U.S." are one word, not sentence ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .tokens import LTR_RUN

#: A claim above this grade is a warning; a handout whose claims together score above
#: ``MAX_HANDOUT_GRADE`` is an error.
MAX_CLAIM_GRADE = 9.0
MAX_HANDOUT_GRADE = 8.0

#: Abbreviations whose period does not end a sentence.
_ABBREVIATIONS = re.compile(
    r"\b(?:[A-Z]\.){2,}|\b(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Dr|Mr|Mrs|Ms|St|No|Nos|vs|"
    r"etc|Inc|Co|Corp|Dept|Gov|Sen|Rep|Gen|Stat|Rev|Ch|Sec|Art|a\.m|p\.m)\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"')\]]|$)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Counts:
    """What the grade is computed from; counts add up across claims."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.words + other.words, self.sentences + other.sentences,
                      self.syllables + other.syllables)

    @property
    def grade(self) -> float:
        if not self.words:
            return 0.0
        return round(0.39 * self.words / max(self.sentences, 1)
                     + 11.8 * self.syllables / self.words - 15.59, 1)


@cache
def _dictionary() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


@cache
def syllables(word: str) -> int:
    if not word.isalpha():
        return 1
    return int(_dictionary().inserted(word.lower()).count("-")) + 1


def count_text(text: str) -> Counts:
    """Words, sentences and syllables of an English text."""
    text = LTR_RUN.sub(" X ", text)
    text = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", ""), text)
    words = _WORD.findall(text)
    if not words:
        return Counts()
    sentences = len(_SENTENCE_END.findall(text.rstrip() + ("" if text.rstrip()[-1:] in ".!?"
                                                            else ".")))
    return Counts(len(words), sentences, sum(syllables(word) for word in words))


def grade(text: str) -> float:
    """The Flesch-Kincaid grade of one text (a claim)."""
    return count_text(text).grade


def combined_grade(texts: Iterable[str]) -> float:
    """The grade of several texts read together (a handout): counts are summed, so a long
    claim weighs more than a short one, as it does for the reader."""
    total = Counts()
    for text in texts:
        total += count_text(text)
    return total.grade
