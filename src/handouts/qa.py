"""Translation QA: a translation must carry the same facts as its English.

A translated handout that says "2012" where the English says "2021", drops a phone number or
changes a bill number prints a wrong fact, so these differences block (errors). Style findings
(identical to English, odd length, doubled words, end punctuation) are warnings and never block.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from unicodedata import unidata_version

from .memo import code_digest, key_of
from .tokens import _KINDS, _NUMBER, extract_tokens, forbidden_controls, normalize_digits

PHONE_PATTERN = _KINDS["phone"]
NUMBER_PATTERN = _NUMBER

#: One finding: (severity, rule id, message).
Finding = tuple[str, str, str]

#: Rule id per kind of protected token (all errors).
TOKEN_RULES = {
    "number": "translation-number",
    "url": "translation-url",
    "email": "translation-email",
    "phone": "translation-phone",
    "identifier": "translation-identifier",
    "placeholder": "translation-placeholder",
    "markup": "translation-markup",
}
CONTROL_RULE = "translation-control"
WARNING_RULES = {
    "translation-identical": "the translation is the English text unchanged",
    "translation-length": "the translation is much longer or shorter than the English",
    "translation-doubled-word": "a word is repeated (\"the the\")",
    "translation-punctuation": "the English ends a sentence and the translation does not",
}

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
#: Scripts whose sentences are much shorter in characters than English.
_COMPACT = ("zh", "ko", "ja")
_SENTENCE_END = ".!?。！？።။।۔؟…"


def _allowed_month_numbers(english: str) -> Counter[str]:
    """Month names become numbers in some languages (2025年12月): those numbers are allowed."""
    numbers: Counter[str] = Counter()
    for word in re.findall(r"[a-z]+", english.lower()):
        for index, month in enumerate(_MONTHS):
            # "December", and the abbreviations "Dec." and "Sept."
            if word == month or (len(word) >= 3 and month.startswith(word)):
                numbers[str(index + 1)] += 1
                break
    return numbers


#: The same English is compared with every language's translation: tokenize it once.
#: (The cached dicts are only read, never changed.)
_english_tokens = functools.lru_cache(maxsize=1 << 14)(extract_tokens)


@functools.cache
def rules_version() -> str:
    """What findings depend on besides the two strings and the language: this package's code
    and the Unicode data behind ``\\w`` and control characters. Findings kept between runs
    (with the parsed catalog) are dropped when it changes."""
    return key_of(code_digest(), unidata_version)


@functools.lru_cache(maxsize=1 << 16)
def differences(english: str, translation: str, lang: str) -> tuple[Finding, ...]:
    """:func:`compare`, remembered: template strings print on every state's handout, so the
    check meets the same (English, translation) pair once per state."""
    return tuple(compare(english, translation, lang))


def compare(english: str, translation: str, lang: str) -> Iterator[Finding]:
    """Yield (severity, rule, message) for each difference between English and translation."""
    controls = [c for c in forbidden_controls(translation) if c not in "\u200e\u200f"]
    if controls:
        codes = ", ".join(f"U+{ord(c):04X}" for c in controls)
        yield "error", "translation-control", f"invisible control characters ({codes})"
    source, target = _english_tokens(english), extract_tokens(translation)
    for kind, rule in TOKEN_RULES.items():
        want, got = source[kind], target[kind]
        if kind == "number" and (surplus := got - want):
            got = got - (surplus & _allowed_month_numbers(english))
        if want != got:
            missing = _as_written(english, kind, sorted((want - got).elements()))
            extra = _as_written(translation, kind, sorted((got - want).elements()))
            if kind in ("number", "phone") and len(missing) == len(extra) == 1:
                # One number changed: say it as a person would check it against the English.
                yield "error", rule, f"{kind} must be exactly {missing[0]}; found {extra[0]}"
                continue
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if extra:
                parts.append(f"not in the English: {', '.join(extra)}")
            yield "error", rule, f"{kind} differs from the English ({'; '.join(parts)})"
    yield from _month_findings(english, translation, lang)
    yield from _warnings(english, translation, lang)


def _as_written(text: str, kind: str, values: list[str]) -> list[str]:
    """Numbers and phone numbers as the text spells them (1-844-864-8341, ٢٠٢١), not the
    digit strings they are compared as."""
    if kind not in ("number", "phone") or not values:
        return values
    normalized = normalize_digits(text)  # one character for one: offsets are kept
    pattern = PHONE_PATTERN if kind == "phone" else NUMBER_PATTERN
    spelled: dict[str, str] = {}
    for match in pattern.finditer(normalized):
        spelled.setdefault(re.sub(r"\D", "", match.group()),
                           text[match.start():match.end()].strip())
    return [spelled.get(value, value) for value in values]


MONTH_RULE = "translation-month"
#: "May" is also a verb: it names the month only beside a number ("May 2025", "1 May").
_ENGLISH_MONTH = re.compile(r"\b(January|February|March|April|June|July|August|September|"
                            r"October|November|December)\b|\bMay(?= \d)|(?<=\d )May\b|"
                            r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.")


@functools.lru_cache(maxsize=64)
def _month_names(lang: str) -> tuple[tuple[int, re.Pattern[str]], ...]:
    """The language's CLDR month names (wide; format and stand-alone forms), one pattern per
    month. Abbreviations are left out: "mar" is also the Spanish for sea."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_month_names

    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return ()
    names: dict[int, set[str]] = {}
    for context in ("format", "stand-alone"):
        for number, name in get_month_names("wide", context, locale).items():
            # Two-letter names ("မေ", "一月") hide inside longer words in scripts written
            # without spaces: too short to judge by.
            if len(name) >= 3:
                names.setdefault(number, set()).add(name.casefold())
    return tuple((number, re.compile("|".join(
        rf"(?<!\w){re.escape(name)}(?!\w)" for name in sorted(forms, key=len, reverse=True))))
        for number, forms in names.items() if forms)


def _month_findings(english: str, translation: str, lang: str) -> Iterator[Finding]:
    """A month the English does not name (julio → junio). A translation that names no month
    in CLDR's words (a number, another calendar's names) is not judged."""
    wanted = {next(i for i, month in enumerate(_MONTHS, start=1)
                   if month.startswith(m.group().rstrip(".").lower()))
              for m in _ENGLISH_MONTH.finditer(english)}
    if not wanted:
        return
    text = translation.casefold()
    found = {number for number, pattern in _month_names(lang) if pattern.search(text)}
    extra = found - wanted
    if extra:
        say = ", ".join(_MONTHS[n - 1].capitalize() for n in sorted(wanted))
        names = ", ".join(m.group() for n, p in _month_names(lang) if n in extra
                          for m in [p.search(text)] if m)
        yield "error", MONTH_RULE, f"month differs from the English: it says {say}; found {names}"


def _warnings(english: str, translation: str, lang: str) -> Iterator[Finding]:
    # Single words may well be spelled the same ("Sources" in French); sentences may not.
    if translation.strip() == english.strip() and len(re.findall(r"[A-Za-z]{2,}", english)) >= 3:
        yield "warning", "translation-identical", "the translation is the English unchanged"
    ratio = len(translation) / max(len(english), 1)
    low, high = (0.15, 1.5) if lang.split("_")[0] in _COMPACT else (0.5, 2.5)
    if len(english) > 20 and not low <= ratio <= high:
        yield "warning", "translation-length", (
            f"{len(translation)} characters for {len(english)} in English")
    # Case-sensitive: "tháng Năm năm 2025" (May 2025) repeats a word legitimately.
    doubled = re.search(r"\b(\w{2,})\s+\1\b", normalize_digits(translation))
    word = re.escape(doubled.group(1)) if doubled else ""
    if doubled and not re.search(rf"\b{word}\s+{word}\b", english, re.IGNORECASE):
        yield "warning", "translation-doubled-word", f"doubled word {doubled.group(1)!r}"
    if english.rstrip().endswith((".", "!", "?")) and not translation.rstrip().endswith(
            tuple(_SENTENCE_END)):
        yield "warning", "translation-punctuation", "the English ends a sentence; this does not"
