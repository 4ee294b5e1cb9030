"""Problems (located findings) and the small exception tree the CLI maps to exit codes."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

#: Longest value quoted in a message; a 3,000-character URL says no more than its start.
SHOWN_CHARS = 200


_UNSAFE_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))


def _escape_char(char: str) -> str:
    # Cc: C0/C1 controls (ESC clears a terminal, a newline forges a line of the report);
    # Cf: bidi overrides and zero-width characters; Zl/Zp: line and paragraph separators.
    if unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """``value`` as a message may show it: control, bidi and invisible characters escaped
    (``\\x1b``, ``\\u202e``), newlines too, and cut at ``limit`` characters."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():  # the usual case, and str.isprintable is fast
        return text
    return "".join(map(_escape_char, text))


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, always tied to a place in a file so an editor can jump to it.

    ``state`` and ``lang`` say which handouts the problem blocks: ``None`` means "all".
    """

    path: str
    line: int
    rule: str
    message: str
    severity: Severity = "error"
    state: str | None = None
    lang: str | None = None

    def format(self) -> str:
        # Escaped here, once for every rule: a value quoted from content can never clear the
        # terminal or forge another ``path:line: error`` line in a CI log.
        return (f"{shown(self.path)}:{self.line}: {self.severity}[{self.rule}]: "
                f"{shown(self.message, limit=2000)}")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def blocks(self, state: str, lang: str) -> bool:
        """Whether this problem stops the handout for ``state`` in ``lang`` from printing."""
        return (
            self.severity == "error"
            and self.state in (None, state)
            and self.lang in (None, lang)
        )


class SheetsError(Exception):
    """Base of every error the CLI reports as a failure (exit 1) without a traceback."""


class LoadError(SheetsError):
    """Content could not be read at all (e.g. the project folder is missing)."""


class CatalogError(SheetsError):
    """A translation catalog could not be read, written or compiled."""

    def __init__(self, message: str, path: str = "", line: int = 1) -> None:
        super().__init__(f"{path}:{line}: {message}" if path else message)
        self.reason, self.path, self.line = message, path, line


class RenderError(SheetsError):
    """The template or WeasyPrint refused to produce a faithful PDF."""


class BuildError(SheetsError):
    """An output could not be written safely."""
