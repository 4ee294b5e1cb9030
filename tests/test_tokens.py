"""The token machinery (tokens.py): phone numbers, numbers as values, months."""

from __future__ import annotations

import pytest

from handouts.tokens import as_phone_number, find_numbers, missing_numbers, phone_numbers

# --- tokens.missing_numbers: the shared "figures are quoted" machinery ----------------------

@pytest.mark.parametrize(("text", "quotes", "missing"), [
    ("Call 1-844-864-8341 today.", ["Call our hotline at 1-844-864-8341."], []),
    ("Call 844-864-8341 today.", ["Call (844) 864-8341."], []),
    ("Call 1-844-864-8341 today.", ["Call 1-844-864-8342 or 8341."], ["1-844-864-8341"]),
    ("All 79 million enrollees.", ["covers 79 million Medicaid enrollees"], []),
    ("All 79 million enrollees.", ["covers 79,000,000 enrollees"], []),
    ("All 79 million enrollees.", ["covers 7.9 million enrollees"], ["79"]),
    ("On June 25, 2021, it passed.", ["Signed June 25, 2021."], []),
    ("On July 25, 2021, it passed.", ["Signed June 25, 2021."], ["July"]),
    ("A $1,200 fine since 2019.", ["a fine of $1,200", "in 2019"], []),
    ("A $1,500 fine since 2019.", ["a fine of $1,200 in 2019"], ["1,500"]),
    ("Workers may not share it.", ["State workers may not disclose."], []),
])
def test_missing_numbers(text: str, quotes: list[str], missing: list[str]) -> None:
    assert missing_numbers(text, quotes) == missing


def test_phone_numbers_are_whole_tokens() -> None:
    assert phone_numbers("Call 1-800-555-0100 or (508) 293-1871.") == ["8005550100",
                                                                      "5082931871"]
    assert phone_numbers("Call 2 or 18005550100 or 555-0100") == []
    # Scripts that write a number against the word around it.
    assert phone_numbers("919-716-0058로 전화하십시오") == ["9197160058"]
    assert phone_numbers("请拨打919-716-0058。") == ["9197160058"]
    assert phone_numbers("x919-716-0058 or 919-716-0058x") == []
    assert as_phone_number("1-800-555-0100") == "8005550100"
    assert as_phone_number("CALL-NOW") is None and as_phone_number("2") is None


def test_numbers_keep_their_place_and_scale() -> None:
    found = find_numbers("In 2025, 39 agencies; 79 million people; 1,200 dollars.", "en")
    assert [(n.raw, str(n.value)) for n in found] == [("2025", "2025"), ("39", "39"),
                                                      ("79", "79"), ("1,200", "1200")]
    assert found[2].scaled == 79_000_000
