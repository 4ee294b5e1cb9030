"""The parts of a sentence a translation must keep exactly: numbers, URLs, e-mail addresses,
phone numbers, bill and statute identifiers, placeholders and markup.

Used by the translation QA rules (compare English and translation) and by the renderer (which
isolates these left-to-right runs inside right-to-left text so they read in the right order).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

URL = r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]"
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
#: A phone number's edges are ASCII, not word boundaries: Korean particles and CJK text
#: attach to a number with no space between ("919-716-0058로", "请拨打919-716-0058").
PHONE = r"(?<![0-9A-Za-z_-])(?:\+?1[-. ])?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?![0-9A-Za-z_-])"
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


# --- Numbers as numbers ----------------------------------------------------------------------
#
# A translation keeps a fact only if it keeps each number's *value*: "79 millones" and
# "7,9 millones" hold the same digits and different facts. So numbers are read with the
# separators of the language they are written in (Babel's CLDR data: "7,9" is 7.9 in Spanish,
# "7,900" is 7900 in English), and a following scale word counts (7900万 and 7,900만 are
# 79 million, like "79 million"). Where a language spells the scale as a word CLDR does not
# give ("79 millones"), the number as written must equal the English number as written.


@dataclass(frozen=True)
class Number:
    """One number of a text: as written, its value, and its value with a scale word after
    it (``79 million`` → 79 and 79000000; None without one)."""

    raw: str
    value: Decimal
    scaled: Decimal | None
    start: int

    def values(self) -> set[Decimal]:
        return {self.value} if self.scaled is None else {self.value, self.scaled}


_NUMBER_RUN = re.compile(r"\d+(?:[.,'\u066B\u066C\u00A0\u202F ]\d+)*")
_ENGLISH_SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_ENGLISH_SCALE = re.compile(r"\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
#: CJK scale characters, written right after the digits: 7900万 (zh), 7,900만 (ko).
_CJK_SCALES = {"千": 3, "천": 3, "万": 4, "萬": 4, "만": 4, "亿": 8, "億": 8, "억": 8,
               "兆": 12, "조": 12}
_CJK_SCALE = re.compile(r"\s?([千천万萬만亿億억兆조])")
#: Scale words after the digits, per language (powers of ten; longest first where one starts
#: another): "79 millones" is 79 million, "79 mil" is 79 thousand, so a changed scale word is a
#: changed number. Latin-script words must end there; other scripts join suffixes to words.
_WORD_SCALES: dict[str, list[tuple[str, int]]] = {
    "es": [("mil millones", 9), ("millones", 6), ("millón", 6), ("billones", 12),
           ("billón", 12), ("mil", 3)],
    "fr": [("milliards", 9), ("milliard", 9), ("millions", 6), ("million", 6), ("mille", 3)],
    "pt": [("bilhões", 9), ("bilhão", 9), ("milhões", 6), ("milhão", 6), ("mil", 3)],
    "ru": [("миллиард", 9), ("миллион", 6), ("тысяч", 3), ("тыс.", 3)],
    "vi": [("nghìn", 3), ("ngàn", 3), ("triệu", 6), ("tỷ", 9), ("tỉ", 9)],
    "tl": [("libong", 3), ("libo", 3), ("milyong", 6), ("milyon", 6), ("bilyong", 9),
           ("bilyon", 9)],
    "ht": [("milya", 9), ("milyon", 6), ("mil", 3)],
    "so": [("kun", 3), ("malyan", 6), ("bilyan", 9)],
    "am": [("ሺ", 3), ("ሚሊዮን", 6), ("ቢሊዮን", 9)],
    "ar": [("ألف", 3), ("آلاف", 3), ("مليون", 6), ("ملايين", 6), ("مليار", 9)],
    "fa": [("هزار", 3), ("میلیون", 6), ("میلیارد", 9)],
    "hi": [("हज़ार", 3), ("हजार", 3), ("लाख", 5), ("मिलियन", 6), ("करोड़", 7), ("अरब", 9)],
    "my": [("ထောင်", 3), ("သောင်း", 4), ("သိန်း", 5), ("သန်း", 6)],
}
_LATIN_SCALE_LANGS = {"es", "fr", "pt", "vi", "tl", "ht", "so"}


def _word_scale(after: str, lang: str) -> int | None:
    """The power of ten a scale word right after a number gives it in ``lang``, if any."""
    words = _WORD_SCALES.get(lang.split("_")[0])
    if not words:
        return None
    rest = after.lstrip(_SPACES)
    if len(rest) == len(after) and lang not in ("my", "am"):
        return None  # no space between digits and a word: "79mil" is not a scale
    folded = rest.casefold()
    for word, power in words:
        if folded.startswith(word):
            following = rest[len(word):len(word) + 1]
            if lang in _LATIN_SCALE_LANGS and following and (following.isalnum()):
                continue
            return power
    return None
_SPACES = "\u00a0\u202f "


@functools.lru_cache(maxsize=64)
def _separators(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """(decimal marks, group marks) of ``lang``: CLDR's Latin-digit symbols and its native
    ones (Arabic ٫ and ٬)."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol, get_group_symbol

    try:
        locale = Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("en")
    decimals, groups = {"\u066b"}, {"\u066c", "'"}
    systems = {"latn", locale.default_numbering_system or "latn"}
    for system in systems:
        try:
            decimals.add(get_decimal_symbol(locale, numbering_system=system))
            groups.add(get_group_symbol(locale, numbering_system=system))
        except Exception:  # noqa: BLE001 (an unknown numbering system: Latin symbols suffice)
            continue
    if groups & set(_SPACES):
        groups |= set(_SPACES)  # French 79 000: any space between digit groups
    return frozenset(decimals - groups), frozenset(groups - decimals)


def _parse(raw: str, lang: str) -> list[tuple[str, Decimal, int]]:
    """Read a run of digits and separators as one or more numbers in ``lang``'s notation."""
    decimals, groups = _separators(lang)
    parts = re.split(r"(\D)", raw)
    numbers: list[tuple[str, Decimal, int]] = []
    digits, written, offset, start, has_decimal = parts[0], parts[0], 0, 0, False
    for index in range(1, len(parts), 2):
        sep, chunk = parts[index], parts[index + 1]
        offset += len(parts[index - 1]) + 1
        if sep in groups and len(chunk) == 3 and not has_decimal:
            digits += chunk
        elif sep in decimals and not has_decimal:
            digits, has_decimal = digits + "." + chunk, True
        else:  # not a separator here: "2025, 39" or "1 2": another number starts
            numbers.append((written, Decimal(digits), start))
            digits, written, start, has_decimal = chunk, "", offset, False
        written = raw[start:offset + len(chunk)]
    numbers.append((written, Decimal(digits), start))
    return numbers


def find_numbers(text: str, lang: str = "en") -> list[Number]:
    """Every number of ``text`` outside URLs, e-mail addresses, phone numbers, identifiers
    and placeholders, in order, read in ``lang``'s notation (see :class:`Number`)."""
    text = normalize_digits(text)
    rest = text
    for kind in ("url", "email", "phone", "identifier", "placeholder", "markup"):
        rest = _KINDS[kind].sub(lambda m: " " * len(m.group()), rest)
    found = []
    for match in _NUMBER_RUN.finditer(rest):
        raw = match.group().rstrip(_SPACES + ".,'")
        for written, value, offset in _parse(raw, lang):
            start = match.start() + offset
            after = rest[start + len(written):]
            scaled = None
            if scale := _CJK_SCALE.match(after):
                scaled = value * 10 ** _CJK_SCALES[scale.group(1)]
            elif lang == "en" and (scale := _ENGLISH_SCALE.match(after)):
                scaled = value * 10 ** _ENGLISH_SCALES[scale.group(1).lower()]
            elif (power := _word_scale(after, lang)) is not None:
                scaled = value * 10 ** power
            found.append(Number(written, value, scaled, start))
    return found


# --- Months by name (CLDR) ---------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
#: A month name in English: capitalized, full or a usual abbreviation ("Jan.", "Sept.").
#: "May" is a month only beside a day or year number or after "in"/"of"/"since"/"until":
#: "may" is also a verb, and a sentence can start with it.
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct"
                    r"|Nov|Dec)\b(\.)?")


def english_months(text: str) -> list[tuple[int, int]]:
    """(month number, position) of each month named in English ``text``."""
    found = []
    for match in _MONTH.finditer(text):
        name = match.group(1)
        if len(name) <= 4 and name not in ("May", "June", "July") and not match.group(2):
            continue  # "Mar" without its dot is more likely a word than March
        if name == "May":
            before = text[max(0, match.start() - 7):match.start()].lower()
            after = text[match.end():match.end() + 6]
            if not (re.match(r"\s*\d", after) or re.search(r"\b(in|of|since|until)\s+$",
                                                           before)):
                continue
        number = next(i for i, month in enumerate(MONTHS, start=1) if month.startswith(name))
        found.append((number, match.start()))
    return found


#: Forms CLDR does not list that running text uses: Vietnamese month words (tháng Bảy),
#: Sino-Korean and Chinese numeral months (칠월, 七月 in Traditional Chinese too) and the
#: Russian prepositional of May ("в мае"; the other months' stems already cover theirs).
_VI = ("Một", "Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Mười Một",
       "Mười Hai")
_ZH = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_KO = ("일", "이", "삼", "사", "오", "유", "칠", "팔", "구", "시", "십일", "십이")
_EXTRA_MONTHS: dict[str, dict[int, tuple[str, ...]]] = {
    "vi": {i: (f"tháng {word}",) for i, word in enumerate(_VI, start=1)}
    | {1: ("tháng một", "tháng giêng"), 12: ("tháng mười hai", "tháng chạp")},
    "zh": {i: (f"{word}月",) for i, word in enumerate(_ZH, start=1)},
    "ko": {i: (f"{word}월",) for i, word in enumerate(_KO, start=1)},
    "ru": {5: ("мае",)},
}


@functools.lru_cache(maxsize=64)
def month_names(lang: str) -> dict[int, tuple[str, ...]]:
    """Each month's names in ``lang`` from CLDR (wide and abbreviated, in a date and standing
    alone), digits in ASCII, case-folded, cut to a stem where a language inflects them
    (Russian "июля", "июль", "июле" share "июл"). Empty when CLDR has only placeholders."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_month_names

    try:
        locale = Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return {}
    names: dict[int, set[str]] = {number: set() for number in range(1, 13)}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale).items():
                name = normalize_digits(str(name)).casefold().rstrip(".")
                if re.fullmatch(r"m\d+", name):
                    return {}  # CLDR gives "M07": no real names to compare
                if name.isalpha() and len(name) >= 5:
                    name = name[:max(3, len(name) - 2)]
                names[number].add(name)
    for number, extra in _EXTRA_MONTHS.get(lang.split("_")[0], {}).items():
        names[number] |= {name.casefold() for name in extra}
    return {number: tuple(sorted(found)) for number, found in names.items()}


def has_month(translation: str, lang: str, month: int) -> bool | None:
    """Whether ``translation`` names ``month`` (None: no CLDR names to tell). The English
    name counts too: a translation may keep it (and a test's pseudo-translation does)."""
    names = month_names(lang)
    if not names:
        return None
    if any(number == month for number, _position in english_months(translation)):
        return True
    text = normalize_digits(translation).casefold()
    for name in names[month]:
        # A numeric name ("7月", "7월", "tháng 7") must not be the end of another number.
        pattern = (r"(?<!\d)" if name[:1].isdigit() else "") + re.escape(name) + (
            r"(?!\d)" if name[-1:].isdigit() else "")
        if re.search(pattern, text):
            return True
    return False


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing to a reader: empty, spaces, or only invisible characters
    (U+200B, U+FEFF, soft hyphens, Hangul fillers, a braille blank). Such a translation is a
    missing one: printed, the claim would be gone and its source mark left alone."""
    return all(unicodedata.category(c)[0] in "ZC" or c in "\u115f\u1160\u3164\uffa0\u2800"
               for c in text)


# --- Phone numbers and the numbers of a claim, against its quotes ----------------------------

_PHONE = re.compile(PHONE)


def _phone_digits(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    # A North American number with or without its country code is the same number.
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def phone_numbers(text: str) -> list[str]:
    """The digits of each phone number written in ``text`` (``(508) 293-1871`` →
    ``5082931871``; a leading country code 1 is dropped), in order. Digits that are not
    written as a phone number ("2", "CALL-NOW", two numbers run together) are none."""
    return [_phone_digits(match.group()) for match in _PHONE.finditer(normalize_digits(text))]


def as_phone_number(text: str) -> str | None:
    """The digits of ``text`` if all of it is one phone number, else None."""
    text = normalize_digits(text.strip())
    return _phone_digits(text) if _PHONE.fullmatch(text) else None


def missing_numbers(text: str, quotes: list[str]) -> list[str]:
    """What ``text`` (English) states in figures that none of ``quotes`` holds, as written
    in ``text``, in order: each phone number must be one of the quotes' phone numbers (digit
    for digit), each number (year, day, count, dollar amount; ``79 million`` matches
    ``79 million`` or ``79,000,000``) the value of a number of a quote, and each month it
    names a month a quote names (by name; ``Jan.`` is January). Empty: all are quoted.

    For rules that hold a sentence to its sources, e.g.::

        missing = tokens.missing_numbers(claim.text, [c.quote for c in claim.citations])
    """
    phones = {digits for quote in quotes for digits in phone_numbers(quote)}
    values: set[Decimal] = set()
    months: set[int] = set()
    for quote in quotes:
        for number in find_numbers(quote, "en"):
            values |= number.values()
        months |= {month for month, _position in english_months(quote)}
    missing: list[tuple[int, str]] = []
    for match in _PHONE.finditer(normalize_digits(text)):
        if _phone_digits(match.group()) not in phones:
            missing.append((match.start(), match.group()))
    for number in find_numbers(text, "en"):
        if not number.values() & values:
            missing.append((number.start, number.raw))
    for month, position in english_months(text):
        if month not in months:
            missing.append((position, MONTHS[month - 1]))
    return list(dict.fromkeys(raw for _position, raw in sorted(missing)))
