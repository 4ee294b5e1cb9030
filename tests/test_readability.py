"""Reading level (Flesch-Kincaid with pyphen syllables) and the number rule's token check."""

from __future__ import annotations

from handouts.readability import combined_grade, count_text, grade
from handouts.tokens import missing_numbers


def test_counts_words_sentences_and_syllables() -> None:
    counts = count_text("Call the hotline. It is free.")
    assert (counts.words, counts.sentences, counts.syllables) == (6, 2, 7)


def test_initialisms_and_phone_numbers_do_not_inflate_the_count() -> None:
    # "U.S." is one word and ends no sentence; a phone number is one short word.
    assert count_text("Your U.S. citizen child can get help.").sentences == 1
    assert count_text("Call 1-800-555-0100 now.").words == 3


def test_plain_text_scores_lower_than_legal_prose() -> None:
    plain = "You can still apply for food help. Your child can get it too."
    legal = ("Eligibility determinations for supplemental nutrition assistance proceed "
             "independently of immigration-related administrative considerations.")
    assert grade(plain) < 4 < 15 < grade(legal)
    assert grade(plain) < combined_grade([plain, legal]) < grade(legal)


def test_missing_numbers_compares_with_the_quotes() -> None:
    quotes = ["Call (800) 555-0100 since 2021.", "It pays $1,500 from January 6, 2026."]
    assert missing_numbers("Call 1-800-555-0100 since 2021.", quotes) == []
    assert missing_numbers("It pays $1,500 from Jan. 6, 2026.", quotes) == []
    assert missing_numbers("Call 1-800-555-0111 since 2022.", quotes) == ["1-800-555-0111",
                                                                          "2022"]
    assert missing_numbers("No numbers here.", []) == []
