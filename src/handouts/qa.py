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

from markupsafe import Markup

from .memo import code_digest, key_of
from .tokens import (
    _KINDS,
    MONTHS,
    Number,
    english_months,
    extract_tokens,
    find_numbers,
    forbidden_controls,
    has_month,
    month_names,
    normalize_digits,
)

#: How a phone number is found in text, to show it as written.
PHONE_PATTERN = _KINDS["phone"]

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
#: A template string's translation that %-formatting would refuse (a lone %, a new name).
FORMAT_RULE = "translation-format"
#: A month the English names is missing from the translation (CLDR names; julio for July).
MONTH_RULE = "translation-month"
WARNING_RULES = {
    "translation-identical": "the translation is the English text unchanged",
    "translation-length": "the translation is much longer or shorter than the English",
    "translation-doubled-word": "a word is repeated (\"the the\")",
    "translation-punctuation": "the English ends a sentence and the translation does not",
}

#: Words a language repeats by its grammar: French reflexive verbs ("nous nous appuyons"),
#: Haitian Creole "pa pa ou" ("not yours").
_GRAMMATICAL_PAIRS = {"fr": ("nous", "vous"), "ht": ("pa",)}

#: Scripts whose sentences are much shorter in characters than English.
_COMPACT = ("zh", "ko", "ja")
_SENTENCE_END = ".!?。！？።။।۔؟…"


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
def differences(english: str, translation: str, lang: str,
                formatted: bool = False) -> tuple[Finding, ...]:
    """:func:`compare`, remembered: template strings print on every state's handout, so the
    check meets the same (English, translation) pair once per state."""
    return tuple(compare(english, translation, lang, formatted))


def format_problem(english: str, translation: str) -> str | None:
    """Why ``translation`` cannot be used the way the template uses its English, if it
    cannot: Jinja fills every template string with ``string % variables`` (variables: the
    English's ``%(name)s`` placeholders), so a lone ``%`` or an unknown name would stop the
    build of every handout in that language."""
    names = {name: "x" for name in re.findall(r"%\((\w+)\)", english)}
    # "%s" with a mapping does not fail: it prints the mapping ("{} fuentes").
    if re.search(r"%(?!\(\w+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])",
                 translation.replace("%%", "")):
        return "a % that is not part of a %(name)s placeholder"
    try:
        Markup(translation) % names
    except (ValueError, KeyError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def compare(english: str, translation: str, lang: str,
            formatted: bool = False) -> Iterator[Finding]:
    """Yield (severity, rule, message) for each difference between English and translation.
    ``formatted``: the string is a template string, %-formatted when it is printed."""
    if formatted and (problem := format_problem(english, translation)) is not None:
        yield "error", FORMAT_RULE, (f"the template cannot fill this translation in "
                                     f"({problem}); write a literal % as %%")
    controls = [c for c in forbidden_controls(translation) if c not in "\u200e\u200f"]
    if controls:
        codes = ", ".join(f"U+{ord(c):04X}" for c in controls)
        yield "error", "translation-control", f"invisible control characters ({codes})"
    source, target = _english_tokens(english), extract_tokens(translation)
    for kind, rule in TOKEN_RULES.items():
        if kind == "number":
            for message in number_differences(english, translation, lang):
                yield "error", rule, message
            continue
        want, got = source[kind], target[kind]
        if want != got:
            missing = _as_written(english, kind, sorted((want - got).elements()))
            extra = _as_written(translation, kind, sorted((got - want).elements()))
            if kind == "phone" and len(missing) == len(extra) == 1:
                # One number changed: say it as a person would check it against the English.
                yield "error", rule, f"{kind} must be exactly {missing[0]}; found {extra[0]}"
                continue
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if extra:
                parts.append(f"not in the English: {', '.join(extra)}")
            yield "error", rule, f"{kind} differs from the English ({'; '.join(parts)})"
    for month, _position in english_months(english):
        if has_month(translation, lang, month) is False:
            names = ", ".join(month_names(lang)[month])
            yield "error", MONTH_RULE, (f"{MONTHS[month - 1]} is not named (in {lang}: "
                                        f"{names})")
    yield from _warnings(english, translation, lang)


def _as_written(text: str, kind: str, values: list[str]) -> list[str]:
    """Phone numbers as the text spells them (1-844-864-8341), not the digit strings they
    are compared as (numbers are compared by :func:`number_differences`, which keeps them
    as written already)."""
    if kind != "phone" or not values:
        return values
    normalized = normalize_digits(text)  # one character for one: offsets are kept
    spelled: dict[str, str] = {}
    for match in PHONE_PATTERN.finditer(normalized):
        spelled.setdefault(re.sub(r"\D", "", match.group()),
                           text[match.start():match.end()].strip())
    return [spelled.get(value, value) for value in values]


def number_differences(english: str, translation: str, lang: str) -> list[str]:
    """How the numbers of ``translation`` differ from the English's, as values in order.

    Each translated number must have the value of one English number (read in its own
    language's notation; a scale word or character may scale it), every English number must
    be matched, and matched numbers must come in the English order, except the day and year
    of a date (Chinese and Korean put the year first). A translated number equal to the
    number of a month the English names is allowed (2025年7月 for "July 2025").
    """
    source, target = find_numbers(english, "en"), find_numbers(translation, lang)
    months = Counter(str(month) for month, _position in english_months(english))
    used = [False] * len(source)
    order: list[int] = []
    extra: list[str] = []
    for number in target:
        value = number.scaled if number.scaled is not None else number.value
        index = next((i for i, e in enumerate(source) if not used[i] and value in e.values()),
                     None)
        if index is None:
            if months[str(value)] > 0:
                months[str(value)] -= 1
                continue
            # As the translator wrote it (٢٠١٢, not 2012): digits are normalized one for one.
            extra.append(translation[number.start:number.start + len(number.raw)])
            continue
        used[index] = True
        order.append(index)
    missing = [e.raw for e, matched in zip(source, used, strict=True) if not matched]
    problems = []
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"not in the English: {', '.join(extra)}")
        problems.append(f"number differs from the English ({'; '.join(parts)})")
    dated = _date_parts(english, source)
    ordered = [i for i in order if i not in dated]
    if ordered != sorted(ordered):
        problems.append("numbers in another order than the English (English: "
                        f"{', '.join(source[i].raw for i in sorted(ordered))}; translation: "
                        f"{', '.join(source[i].raw for i in ordered)})")
    return problems


def _date_parts(english: str, numbers: list[Number]) -> set[int]:
    """Indexes of numbers that are the day or year of a named month ("June 25, 2021",
    "25 June 2021"): languages order a date's parts their own way."""
    parts = set()
    for _month, position in english_months(english):
        for index, number in enumerate(numbers):
            if -4 <= number.start - position <= 16:
                parts.add(index)
    return parts


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
    if doubled and doubled.group(1) in _GRAMMATICAL_PAIRS.get(lang.split("_")[0], ()):
        doubled = None  # grammar, not a slip
    if doubled and not re.search(rf"\b{word}\s+{word}\b", english, re.IGNORECASE):
        yield "warning", "translation-doubled-word", f"doubled word {doubled.group(1)!r}"
    if english.rstrip().endswith((".", "!", "?")) and not translation.rstrip().endswith(
            tuple(_SENTENCE_END)):
        yield "warning", "translation-punctuation", "the English ends a sentence; this does not"
