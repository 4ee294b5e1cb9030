"""Problems (located findings) and the small exception tree the CLI maps to exit codes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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
        return f"{self.path}:{self.line}: {self.severity}[{self.rule}]: {self.message}"

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
