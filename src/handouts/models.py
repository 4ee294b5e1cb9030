"""The content model: sources, claims with citations, contacts, state sheets.

These pydantic models are the one documented home for the YAML format: each field says what it
means. Structural rules (types, unknown keys) live here; editorial rules (a claim needs a citation,
a quote has a size limit, a claim goes stale) live in :mod:`handouts.check`, so that every such
problem gets its own rule id and line instead of a generic validation error.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag

Section = Literal[
    "key-points", "get-help", "health", "food", "cash-aid", "driving", "state-law", "courts",
    "what-you-can-do",
]
#: The fixed order sections print in. Headings come from the template, never from content:
#: ``key-points`` and ``get-help`` print on page 1 in boxes, the rest are the details.
SECTIONS: tuple[str, ...] = get_args(Section)
#: Sections about one benefit program; the subtitle lists the ones a handout has claims in.
PROGRAM_SECTIONS: tuple[str, ...] = ("health", "food", "cash-aid", "driving")

SourceKind = Literal[
    "statute", "legislature", "court", "agency", "press-release", "news", "organization"
]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

#: Re-check intervals in days (a claim may override with ``recheck_days``).
RECHECK_DAYS_TIME_SENSITIVE = 90
RECHECK_DAYS_DEFAULT = 365
#: Longest quote accepted: a citation supports a claim with a sentence, not a page.
MAX_QUOTE_CHARS = 400
#: Caps that keep a hostile sheet from making a build run for minutes (a handout is 2 pages).
MAX_TEXT_CHARS = 1200
MAX_CLAIMS = 60
#: A fact is re-checked at least every five years, whatever a claim asks.
MAX_RECHECK_DAYS = 1826
#: Page 1's "What this means for you" box: enough to answer, few enough to read in ten seconds.
MIN_KEY_POINTS = 3
MAX_KEY_POINTS = 5


class Node(BaseModel):
    """Base for every YAML mapping: unknown keys are errors, and each node remembers its place."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _path: str = PrivateAttr(default="")
    _line: int = PrivateAttr(default=0)
    _field_lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> str:
        return self._path

    @property
    def line(self) -> int:
        return self._line

    def line_of(self, field: str) -> int:
        """Line of ``field`` in the YAML file, or of the mapping itself when the key is absent."""
        return self._field_lines.get(field, self._line)

    def set_place(self, path: str, line: int, field_lines: dict[str, int]) -> None:
        self._path, self._line, self._field_lines = path, line, field_lines


class Source(Node):
    id: str = Field(pattern=ID_PATTERN, description="Stable id that citations refer to.")
    title: str = Field("", description="Title of the page or document, as published.")
    publisher: str = Field("", description="Who published it (legislature, court, outlet).")
    url: str = Field("", description="Where to read it; must be https.")
    published: dt.date | None = Field(None, description="The source's own date, if known.")
    accessed: dt.date | None = Field(None, description="When we last read it.")
    kind: SourceKind = Field(description="What sort of source it is.")
    short_title: str | None = Field(
        None, description="Short title for the printed source list (falls back to title).")
    archive_url: str | None = Field(
        None, description="An archived copy (e.g. a web archive), tried when the page fails.")


class Citation(Node):
    source: str = Field(description="Id of a source in sheets/sources.yaml.")
    locator: str = Field("", description="Where in the source: section, paragraph.")
    quote: str = Field("", description="The exact words of the source that support the claim.")


class Contact(Node):
    organization: str = Field(description="Name of the organization, as its sources give it.")
    phone: str | None = Field(None, description="Phone number; must appear in a cited quote.")
    website: str | None = Field(None, description="https address of the organization.")
    hours: str | None = Field(
        None, description="When it answers, as its source gives it; numbers should be quoted.")
    languages: str | None = Field(None, description="Languages it serves in, as its source says.")


class Claim(Node):
    id: str = Field(pattern=ID_PATTERN, description="Stable id; with the scope it keys catalogs.")
    section: Section = Field(description="Which section of the handout prints it.")
    text: str = Field(min_length=1, description="The English sentence(s) to print.")
    checked: dt.date = Field(description="When the claim was last checked against its sources.")
    time_sensitive: bool = Field(
        False, description="Litigation or agency action: re-checked every 90 days, not 365."
    )
    recheck_days: int | None = Field(
        None, gt=0, le=MAX_RECHECK_DAYS,
        description="Overrides the re-check interval for this claim (at most 5 years)."
    )
    citations: list[Citation] = Field(default_factory=list, description="What supports it.")
    contact: Contact | None = Field(None, description="For help entries: who to contact.")
    notes: str = Field("", description="Caveats for maintainers. Never printed.")
    renamed_from: str | None = Field(
        None, pattern=ID_PATTERN, description="The claim's former id, after a rename: its "
        "translations follow it (`sheets catalog update`); remove it once catalogs are updated.")
    open: str | None = Field(
        None, description="What is still to confirm; a claim with an open question never prints.")
    translator_note: str = Field(
        "", description="A caution for translators, shown with the string in every catalog "
        "(e.g. 'order here means a court order, not a request'). Never printed.")

    _scope: str = PrivateAttr(default="")

    @property
    def key(self) -> str:
        """``CO/claim-id``: the stable message context translators see."""
        return f"{self._scope}/{self.id}"

    @property
    def recheck_interval(self) -> int:
        if self.recheck_days is not None:
            return self.recheck_days
        return RECHECK_DAYS_TIME_SENSITIVE if self.time_sensitive else RECHECK_DAYS_DEFAULT

    @property
    def due(self) -> dt.date:
        try:
            return self.checked + dt.timedelta(days=self.recheck_interval)
        except OverflowError:  # checked in the year 9999: the date-in-future rule says so
            return dt.date.max


class Include(Node):
    include: str = Field(
        pattern=r"^US/[a-z0-9]+(-[a-z0-9]+)*$",
        description="A federal claim to print here: ``US/<claim-id>``.",
    )


def _entry_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "include" if "include" in value else "claim"
    return "include" if isinstance(value, Include) else "claim"


SheetEntry = Annotated[
    Annotated[Claim, Tag("claim")] | Annotated[Include, Tag("include")],
    Discriminator(_entry_kind),
]


class SourceRegistry(Node):
    sources: list[Source] = Field(default_factory=list)


class FederalFile(Node):
    scope: Literal["US"] = Field(description="Always US: claims true in every state.")
    name: str = Field(description="Display name of the scope.")
    claims: list[Claim] = Field(default_factory=list)


class StateFile(Node):
    state: str = Field(pattern=r"^[A-Z]{2}$", description="Two-letter postal code.")
    name: str = Field(min_length=1, description="The state's name in English.")
    claims: list[SheetEntry] = Field(default_factory=list, description="Claims and includes.")
    status: Literal["draft", "published"] = Field(
        "published", description="draft: a state still being written. Its problems withhold "
        "its handouts but never fail the check (except with --release); it is built only when "
        "named (--state XX) and never published by `sheets site` until set to published.")


class Settings(Node):
    """Project-wide publishing settings (``sheets/settings.yaml``, optional)."""

    sources_url: str | None = Field(
        None, description="https address of each handout's online sources page; {state} and "
        "{lang} are filled in. Printed as a QR code; nothing is printed when unset.")
    site_url: str | None = Field(
        None, pattern=r"^https://[^\s{}<>\"'#?]+$",
        description="https address where `sheets site` output is published (for example the "
        "repository's GitHub Pages site). Each handout's QR code and printed address point to "
        "its web edition there: {site_url}/{state}/{lang}/. Takes the place of sources_url "
        "when both are set.")
