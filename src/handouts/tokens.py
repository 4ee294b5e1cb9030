"""The parts of a sentence a translation must keep exactly: numbers, URLs, e-mail addresses,
phone numbers, bill and statute identifiers, placeholders and markup.

Used by the translation QA rules (compare English and translation) and by the renderer (which
isolates these left-to-right runs inside right-to-left text so they read in the right order).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

URL = r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]"
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
PHONE = r"(?<![\w-])(?:\+?1[-. ])?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?![\w-])"
#: Bill and statute identifiers: SB21-131, HB19-1124, SB25-276, § 24-74-103, C.R.S. 24-74-104.
IDENTIFIER = (r"\b(?:[A-Z]{1,3} ?\d{2}-\d{2,5})\b"
              r"|§+ ?\d+(?:[-.]\d+)*(?:\([0-9a-z]+\))*"
              r"|\bC\.R\.S\. ?\d+(?:-\d+)+")
PLACEHOLDER = r"%\([a-z_]+\)[sd]|\{[a-z_]+\}"
MARKUP = r"</?[a-zA-Z][^>]*>|&[a-zA-Z]+;|&#\d+;"

#: Runs that must read left to right even inside Arabic or Persian text.
LTR_RUN = re.compile("|".join(f"(?:{p})" for p in (URL, EMAIL, PHONE, IDENTIFIER)))

_KINDS = {
    "url": re.compile(URL),
    "email": re.compile(EMAIL),
    "phone": re.compile(PHONE),
    "identifier": re.compile(IDENTIFIER),
    "placeholder": re.compile(PLACEHOLDER),
    "markup": re.compile(MARKUP),
}
#: Text each kind cannot match without; None: the kind needs a digit (phone, identifier).
_HINTS: dict[str, tuple[str, ...] | None] = {
    "url": ("http",), "email": ("@",), "phone": None, "identifier": None,
    "placeholder": ("%(", "{"), "markup": ("<", "&"),
}
_ASCII_DIGIT = re.compile(r"[0-9]")
_NUMBER = re.compile(r"\d+(?:[.,\u066B\u066C\u00A0\u202F' ]\d{3})*(?:[.,\u066B]\d+)?")


#: A decimal digit other than 0-9 (``\\d`` matches every script's digits in a str pattern).
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")


def normalize_digits(text: str) -> str:
    """Map every decimal digit (Eastern Arabic ٣, Persian ۳, Devanagari ३, ...) to ASCII."""
    if text.isascii():
        return text
    return _NON_ASCII_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)


def _number_value(raw: str) -> str:
    """``2,021`` / ``2.021`` / ``2 021`` / ``٢٬٠٢١`` → ``2021``: separators are locale dress."""
    return re.sub(r"\D", "", raw)


def extract_tokens(text: str) -> dict[str, Counter[str]]:
    """Every protected token of ``text``, by kind; numbers counted outside the other tokens."""
    text = normalize_digits(text)
    found: dict[str, Counter[str]] = {}
    rest = text
    has_digit = _ASCII_DIGIT.search(text) is not None
    for kind, pattern in _KINDS.items():
        # Most strings hold no URL, markup or digit: a substring test is much cheaper than
        # running every pattern, and the check meets thousands of strings.
        hint = _HINTS.get(kind)
        if (hint is None and not has_digit) or (hint and not any(h in text for h in hint)):
            found[kind] = Counter()
            continue
        matches = pattern.findall(rest)
        found[kind] = Counter(re.sub(r"\s+", " ", m) for m in matches)
        if kind in ("url", "email", "phone", "identifier"):
            rest = pattern.sub(" ", rest)
    found["number"] = Counter(_number_value(m) for m in _NUMBER.findall(rest)) if has_digit \
        else Counter()
    if kind_phone := found["phone"]:
        found["phone"] = Counter(re.sub(r"\D", "", p) for p in kind_phone.elements())
    return found


#: Bidi embedding/override/isolate controls: in content they could make text display in an
#: order other than the one that was reviewed (U+202E turns "evil" into "live").
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


#: Unicode category Cc (C0, DEL, C1) except newline and tab, and the bidi controls above.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")


def forbidden_controls(text: str) -> list[str]:
    """Control characters (other than newline and tab) and bidi controls in ``text``."""
    # A regex, not a loop over characters: the check runs this over every string it loads.
    return list(dict.fromkeys(_FORBIDDEN.findall(text)))


def _quoted_numbers(text: str) -> set[str]:
    """Every number a source text holds, leading zeros dropped, plus its phone numbers' digits
    (generous on purpose: a number inside a date, an id or a phone number still counts)."""
    text = normalize_digits(text)
    found = {_number_value(m).lstrip("0") or "0" for m in _NUMBER.findall(text)}
    found |= {m.lstrip("0") or "0" for m in re.findall(r"\d+", text)}
    return found


def missing_numbers(text: str, quotes: Iterable[str]) -> list[str]:
    """Numbers, phone numbers, years, dates and dollar amounts of ``text`` that none of
    ``quotes`` holds, as written in ``text`` (the same token rules the translation QA uses)."""
    quotes = list(quotes)
    digits = [re.sub(r"\D", "", normalize_digits(q)) for q in quotes]
    pool: set[str] = set().union(*(_quoted_numbers(q) for q in quotes)) if quotes else set()
    missing: list[str] = []
    normalized = normalize_digits(text)
    for phone in re.findall(PHONE, normalized):
        number = re.sub(r"\D", "", phone)
        # A leading country code 1 may be written or not: 1-800-… and (800) … are one number.
        local = number[1:] if len(number) == 11 and number.startswith("1") else number
        if not any(local in d for d in digits):
            missing.append(phone)
    rest = re.sub(PHONE, " ", re.sub(URL, " ", re.sub(EMAIL, " ", normalized)))
    rest = re.sub(IDENTIFIER, " ", rest)
    for raw in _NUMBER.findall(rest):
        value = _number_value(raw).lstrip("0") or "0"
        if value not in pool:
            missing.append(raw.strip())
    return list(dict.fromkeys(missing))
