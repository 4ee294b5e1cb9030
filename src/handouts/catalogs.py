"""Gettext catalogs: extract the template from sheets and templates, update, read, look up.

We call Babel's API (``extract``, ``Catalog.update``, ``read_po``/``write_po``) and add
the one thing our content needs: claims are keyed by a stable context (``CO/claim-id``), so when
the English of a claim changes its old translation is carried over *as fuzzy*, with the previous
English kept for the translator, even when the sentence changed too much for difflib to match.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import importlib.util
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import babel
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.pofile import PoFileError, escape, read_po, unescape, write_po
from markupsafe import Markup
from markupsafe import escape as escape_html

from . import memo
from .errors import CatalogError, Problem, shown
from .languages import SOURCE_LANGUAGE, languages_of
from .loader import ContentReadError, Project, read_content
from .memo import code_digest, key_of
from .models import Claim
from .output import write_atomic
from .qa import Finding, differences, rules_version
from .tokens import is_blank

TRANSLATIONS_DIR = "translations"
TEMPLATES_DIR = "templates"
DOMAIN = "messages"
PROJECT_NAME = "sheets"
COPYRIGHT = "the sheets contributors"
#: Until a qualified translator reviews it (review records: translations/<lang>/reviews.yaml).
MACHINE_TRANSLATOR = "machine-assisted translation, unreviewed <>"
KEEP_NOTE = ("Keep unchanged: numbers, years, dates' digits, bill and statute ids, "
             "phone numbers, URLs.")
#: Real catalogs are under 100 KB; a catalog is read whole, so it has a cap like sheets.
MAX_CATALOG_BYTES = 8_000_000
#: What each template placeholder stands for: translators move it, never translate it.
PLACEHOLDER_NOTES = {
    "%(date)s": "%(date)s is the date the facts were last checked, already written out in "
                "your language (e.g. 1 de marzo de 2026); keep it as is, where your grammar "
                "puts a date.",
    "%(state)s": "%(state)s is the state's name, as translated in its own entry.",
    "%(edition)s": "%(edition)s is the edition's short code (e.g. 3f9a2c1b).",
}
#: How much of each quote the catalog shows: enough to see what the claim rests on.
QUOTE_CHARS = 200
#: Stable header date so that regenerating an unchanged template changes no byte.
_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def pot_path(root: Path) -> Path:
    return root / TRANSLATIONS_DIR / f"{DOMAIN}.pot"


def po_path(root: Path, lang: str) -> Path:
    return root / TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


@dataclass(frozen=True)
class UiMessage:
    """A string of the template (heading, label, disclaimer): translated, never a fact."""

    id: str
    path: str
    line: int


def extract_template_messages(root: Path,
                              templates: Mapping[str, str] | None = None) -> list[UiMessage]:
    """Every ``_()``/``{% trans %}`` string in the templates, in file order.

    ``templates``: the snapshot a build loaded (:attr:`Project.templates`), so the strings
    checked are those of the templates it renders; without it, the files are read.
    Kept in ``build/.cache/`` under the templates' bytes and the extractor's code: importing
    Jinja and parsing the templates took a tenth of a `sheets check` that needs no Jinja else.
    """
    if templates is None:
        texts = {path.name: read_content(path, root)
                 for path in sorted((root / TEMPLATES_DIR).glob("*.html"))}
    else:
        texts = {name: text.encode() for name, text in sorted(templates.items())
                 if name.endswith(".html")}
    key = key_of(_extractor_code(), *(part for name, data in texts.items()
                                      for part in (name, data)))
    kept = memo.load(root, "ui-messages.json", key)
    if kept is not None:
        with suppress(ValueError, TypeError):  # damaged: extract again
            return [UiMessage(message, path, line) for message, path, line in kept]
    found: dict[str, UiMessage] = {}
    for name, data in texts.items():
        for lineno, message, _comments, _context in extract(
            "jinja2.ext:babel_extract", io.BytesIO(data), options={"trimmed": "true"}
        ):
            if isinstance(message, str) and message not in found:
                found[message] = UiMessage(message, f"{TEMPLATES_DIR}/{name}", lineno)
    memo.save(root, "ui-messages.json", key, [[m.id, m.path, m.line] for m in found.values()])
    return list(found.values())


def _extractor_code() -> bytes:
    """Our code, Babel's version and Jinja's extractor, found without importing Jinja."""
    spec = importlib.util.find_spec("jinja2")
    folders = list(spec.submodule_search_locations or []) if spec else []
    jinja_ext = b"".join(Path(folder, "ext.py").read_bytes() for folder in folders)
    return code_digest().encode() + babel.__version__.encode() + jinja_ext


def _claims_in_order(project: Project) -> Iterator[Claim]:
    yield from project.federal.values()
    for code in project.state_codes():
        for claim in project.printed_claims(code):
            if not claim.key.startswith("US/"):
                yield claim


def extract_messages(project: Project) -> Catalog:
    """Build the catalog template (``messages.pot``) from templates and every loaded sheet."""
    catalog = Catalog(project=PROJECT_NAME, version="1", charset="utf-8",
                      copyright_holder=COPYRIGHT, creation_date=_EPOCH, fuzzy=False)
    for ui in extract_template_messages(project.root, project.templates):
        placeholders = [note for name, note in PLACEHOLDER_NOTES.items() if name in ui.id]
        if "%(" in ui.id and not placeholders:
            placeholders = ["Keep each %(...)s placeholder exactly as it is."]
        catalog.add(ui.id, locations=[(ui.path, ui.line)],
                    auto_comments=["Handout template text (headings, labels).", KEEP_NOTE,
                                   *placeholders],
                    flags=("python-format",) if "%(" in ui.id else ())
    for code in project.state_codes():
        sheet = project.states[code]
        catalog.add(sheet.name, context=f"{code}/name", locations=[(sheet.path, sheet.line)],
                    auto_comments=[f"The name of the state {code}, printed in the handout's "
                                   "title. Use the usual name in your language."])
    for claim in _claims_in_order(project):
        titles = []
        for citation in claim.citations:
            source = project.sources.get(citation.source)
            if source is not None and source.title not in titles:
                titles.append(source.title)
        comments = [f"Claim {claim.key}, section: {claim.section}."]
        if claim.renamed_from:
            comments.append(f"Renamed from {claim.key.split('/')[0]}/{claim.renamed_from}.")
        comments += [f"Source: {title}" for title in titles]
        comments += translator_context(project.root, claim)
        comments.append(KEEP_NOTE)
        catalog.add(claim.text, context=claim.key, locations=[(claim.path, claim.line)],
                    auto_comments=comments)
        for text, context in contact_messages(claim):
            catalog.add(text, context=context, locations=[(claim.path, claim.line)],
                        auto_comments=[f"The {context.rsplit('/', 1)[1]} of the help contact "
                                       f"{claim.contact.organization if claim.contact else ''}"
                                       f" ({claim.key}), printed in its help box.", KEEP_NOTE])
    return catalog


def contact_messages(claim: Claim) -> list[tuple[str, str]]:
    """A help contact's hours and languages: printed prose, so translated like claims."""
    contact = claim.contact
    if contact is None:
        return []
    return [(text, f"{claim.key}/{name}") for name, text in
            (("hours", contact.hours), ("languages", contact.languages)) if text]




#: Babel writes its own version into the header; a Babel upgrade would then make every catalog
#: "out of date" without one message changing, so the header names the tool without a version.
_GENERATED_BY = re.compile(r'^"Generated-By: [^"]*"$', re.MULTILINE)


def dump_catalog(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    # No wrapping: one line per string gives translators small diffs.
    write_po(buf, catalog, width=0, sort_output=False, include_previous=False)
    text = _GENERATED_BY.sub(r'"Generated-By: sheets (Babel)\\n"', buf.getvalue().decode("utf-8"),
                             count=1)
    return _add_previous_ids(text, catalog).encode("utf-8")


def _add_previous_ids(text: str, catalog: Catalog) -> str:
    """Write ``#| msgid "..."`` before each fuzzy entry that has a previous English.

    Babel's own ``include_previous`` wraps long previous strings into invalid lines, so we write
    them ourselves (and read them back in :func:`_restore_previous_ids`). A multi-line English
    (a claim written as a YAML block) is written over several ``#|`` lines, as msgmerge does.
    """
    previous = {(m.context, m.id): m.previous_id[0] for m in catalog
                if m.previous_id and isinstance(m.id, str)}
    if not previous:
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgctxt ") or (
                line.startswith("msgid ") and not (i and _continues_msgctxt(lines, i))):
            context, j = (None, i)
            if line.startswith("msgctxt "):
                context, j = _read_string(lines, i, "msgctxt ")
            if j < len(lines) and lines[j].startswith("msgid "):
                msgid, _end = _read_string(lines, j, "msgid ")
                old = previous.get((context, msgid))
                if old is not None:
                    out += _previous_lines(old)
        out.append(line)
        i += 1
    return "\n".join(out)


def _continues_msgctxt(lines: list[str], i: int) -> bool:
    """Whether the msgid at ``i`` belongs to a msgctxt just above (over any continuations)."""
    j = i - 1
    while j >= 0 and lines[j].startswith('"'):
        j -= 1
    return j >= 0 and lines[j].startswith("msgctxt ")


def _read_string(lines: list[str], i: int, keyword: str) -> tuple[str, int]:
    """The string that starts at ``lines[i]`` after ``keyword``, with its continuation lines,
    and the index of the line after it."""
    value = unescape(lines[i][len(keyword):])
    i += 1
    while i < len(lines) and lines[i].startswith('"'):
        value += unescape(lines[i])
        i += 1
    return value, i


def _previous_lines(old: str) -> list[str]:
    if "\n" not in old.rstrip("\n"):
        return [f"#| msgid {escape(old)}"]
    parts = old.splitlines(keepends=True)
    return ['#| msgid ""', *(f"#| {escape(part)}" for part in parts)]


def write_catalog(path: Path, catalog: Catalog) -> None:
    write_atomic(path, dump_catalog(catalog))


def read_catalog(path: Path, root: Path, lang: str | None = None, *,
                 previous: bool = True) -> Catalog:
    """Read a ``.po``/``.pot`` file; a malformed file raises CatalogError with its line.

    ``previous=False`` skips reading back the ``#|`` previous English, which only matters to a
    catalog that will be written again.
    """
    try:
        return parse_catalog(read_content(path, root, MAX_CATALOG_BYTES), lang, previous=previous)
    except PoSyntaxError as exc:
        raise CatalogError(exc.reason, _rel(path, root), exc.line) from exc
    except PoFileError as exc:
        # PoFileError counts lines from 0.
        raise CatalogError(str(exc), _rel(path, root), exc.lineno + 1) from exc
    except ContentReadError as exc:
        raise CatalogError(exc.reason, _rel(path, root)) from exc
    except (OSError, ValueError, LookupError) as exc:
        raise CatalogError(str(exc), _rel(path, root)) from exc


class PoSyntaxError(ValueError):
    """What GNU ``msgfmt -c`` would refuse, with its line (counted from 1)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


_PO_KEYWORD = re.compile(r'(msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])[ \t]+(".*)$')
_PO_STRING = re.compile(r'"(?:[^"\\]|\\(?:[\\"abfnrtv?\']|[0-7]{1,3}|x[0-9a-fA-F]+))*"[ \t]*$')
_CHARSET = re.compile(r"charset=([^\s;\\]+)", re.IGNORECASE)


def validate_po(data: bytes) -> None:
    """Refuse what GNU ``msgfmt -c`` refuses and Babel lets through: text that is not UTF-8
    or declares another charset (mojibake with no error), an unterminated or badly escaped
    string (Babel drops its last letter), a keyword out of place, an entry without msgstr,
    and two entries with one msgctxt and msgid (Babel keeps one silently).
    Raises :class:`PoSyntaxError`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoSyntaxError(data[:exc.start].count(b"\n") + 1, "not UTF-8 text") from exc
    seen: dict[tuple[str | None, str], int] = {}
    entry: dict[str, str] = {}
    entry_line = 0
    last: str | None = None  # the keyword a continuation string belongs to

    def close(line: int) -> None:
        if not entry:
            return
        if "msgid" not in entry or not any(k.startswith("msgstr") for k in entry):
            raise PoSyntaxError(entry_line, "an entry needs both msgid and msgstr")
        if entry.get("obsolete") is None:
            key = (entry.get("msgctxt"), entry["msgid"])
            if key in seen:
                raise PoSyntaxError(entry_line, f"duplicate entry (first at line {seen[key]})")
            seen[key] = entry_line
            if entry["msgid"] == "" and key[0] is None:
                _check_header(entry.get("msgstr", ""), entry_line)
        entry.clear()

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].lstrip(" ")
        elif line.startswith("#") or not line.strip():
            last = None  # a comment or a blank line ends a string
            continue
        stripped = line.strip()
        if stripped.startswith('"'):
            if last is None:
                raise PoSyntaxError(number, "a string that continues no keyword")
            if not _PO_STRING.fullmatch(stripped):
                raise PoSyntaxError(number, "unterminated or badly escaped string")
            entry[last] += unescape(stripped)
            continue
        match = _PO_KEYWORD.match(stripped)
        if match is None:
            raise PoSyntaxError(number, f"unexpected text {shown(stripped, 40)}")
        keyword, value = match.groups()
        if not _PO_STRING.fullmatch(value.strip()):
            raise PoSyntaxError(number, "unterminated or badly escaped string")
        if keyword in ("msgctxt", "msgid") and (
                keyword in entry or (keyword == "msgctxt" and "msgid" in entry)
                or any(k.startswith("msgstr") for k in entry)):
            close(number)
        if not entry:
            entry_line = number
            if obsolete:
                entry["obsolete"] = "1"
        if keyword in entry:
            raise PoSyntaxError(number, f"{keyword} twice in one entry")
        entry[keyword] = unescape(value.strip())
        last = keyword
    close(len(text.split("\n")))


def _check_header(header: str, line: int) -> None:
    found = _CHARSET.search(header)
    charset = found.group(1) if found else ""
    if charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise PoSyntaxError(line, f"the header's charset is {shown(charset or 'missing', 40)}; "
                            "it must be UTF-8 (the file is read as UTF-8)")


def parse_catalog(data: bytes, lang: str | None, *, previous: bool = True) -> Catalog:
    """Parse the bytes of a ``.po`` file (read once: what is checked is what is parsed),
    after :func:`validate_po`."""
    validate_po(data)
    catalog = read_po(io.BytesIO(data), locale=lang, abort_invalid=True)
    if previous:
        _restore_previous_ids(catalog, data.decode("utf-8", errors="replace"))
    return catalog


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalog entry as the check and the renderer read it."""

    string: str
    fuzzy: bool
    lineno: int
    #: What translation QA finds in it (:func:`handouts.qa.differences`); none when it is
    #: empty or fuzzy (then it is not printed, and the check says so instead).
    findings: tuple[Finding, ...] = ()


class Translations:
    """A catalog for reading: (context, English) → :class:`Entry`, with Babel's ``get``.

    Babel parses the ``.po`` file and QA compares each translation with its English; both
    results are kept in ``build/.cache/catalogs/`` under the file's SHA-256 and the QA rules'
    version, because parsing sixteen catalogs was a third of `sheets check`'s time and QA
    another quarter. A changed file has another hash, so what is kept is never stale.
    """

    def __init__(self, entries: dict[tuple[str | None, str], Entry], sha256: str = "") -> None:
        self.entries = entries
        #: Hash of the file's bytes this was parsed from (the snapshot's witness).
        self.sha256 = sha256
        #: The language's review records as the check read them (:class:`reviews.Reviews`),
        #: so renderers decide the "not yet reviewed" notice from the snapshot, not the file.
        self.reviews: Any = None

    def get(self, msgid: str, context: str | None = None) -> Entry | None:
        return self.entries.get((context, msgid))

    def line_of_context(self, context: str | None) -> int:
        """Where an entry of this context is (its older English), else line 1."""
        if context is not None:
            for (ctx, _msgid), entry in self.entries.items():
                if ctx == context:
                    return entry.lineno
        return 1

    @classmethod
    def from_catalog(cls, catalog: Catalog, lang: str) -> Translations:
        """The entries of ``catalog`` in ``lang``, with each current translation's findings."""
        entries = {}
        for m in catalog:
            if not m.id or not isinstance(m.id, str):
                continue
            string = m.string if isinstance(m.string, str) else ""
            if is_blank(string):
                string = ""  # a space or U+200B only: missing, as the check reports it
            # Template strings (no context) are %-formatted by Jinja; claims are not.
            findings = (differences(m.id, string, lang, m.context is None)
                        if string and not m.fuzzy else ())
            entries[(m.context, m.id)] = Entry(string, m.fuzzy, m.lineno or 1, findings)
        return cls(entries)


def read_translations(root: Path, lang: str) -> Translations:
    """``lang``'s catalog for reading (see :class:`Translations`); CatalogError if malformed."""
    path = po_path(root, lang)
    try:
        data = read_content(path, root, MAX_CATALOG_BYTES)
    except ContentReadError as exc:
        raise CatalogError(exc.reason, _rel(path, root)) from exc
    except OSError as exc:
        raise CatalogError(exc.strerror or str(exc), _rel(path, root)) from exc
    name, key = f"catalogs/{lang}.json", key_of(data, lang, rules_version())
    sha256 = hashlib.sha256(data).hexdigest()
    saved = memo.load(root, name, key)
    if saved is not None:
        with suppress(ValueError, TypeError):  # damaged: parse the file
            return Translations({
                (context, msgid): Entry(string, fuzzy, lineno, tuple(map(tuple, found)))
                for context, msgid, string, fuzzy, lineno, found in saved}, sha256)
    try:
        catalog = parse_catalog(data, lang, previous=False)
    except PoSyntaxError as exc:
        raise CatalogError(exc.reason, _rel(path, root), exc.line) from exc
    except PoFileError as exc:
        raise CatalogError(str(exc), _rel(path, root), exc.lineno + 1) from exc
    except (ValueError, LookupError) as exc:
        raise CatalogError(str(exc), _rel(path, root)) from exc
    translations = at_msgstr_lines(Translations.from_catalog(catalog, lang), data)
    translations.sha256 = sha256
    memo.save(root, name, key, [[context, msgid, e.string, e.fuzzy, e.lineno, e.findings]
                                for (context, msgid), e in translations.entries.items()])
    return translations


def _restore_previous_ids(catalog: Catalog, text: str) -> None:
    """Read back ``#| msgid`` comments, which Babel writes but does not parse.

    Without this, the previous English shown to translators for a fuzzy entry would be lost
    the second time a catalog is updated.
    """
    previous: dict[int, str] = {}
    pending: list[str] = []
    # split("\n"), not splitlines(): a U+2028 inside a string is no line break to Babel.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.startswith("#| msgid "):
            pending = [line[len("#| msgid "):]]
        elif line.startswith('#| "') and pending:
            pending.append(line[3:])
        elif line.startswith("msgid ") and pending:
            previous[number] = "".join(unescape(part.strip()) for part in pending)
            pending = []
        elif not line.strip():
            pending = []
    for message in catalog:
        if message.lineno in previous and message.fuzzy:
            message.previous_id = [previous[message.lineno]]


def new_catalog(lang: str, template: Catalog) -> Catalog:
    """A fresh, empty catalog for ``lang`` with complete headers (Language, Plural-Forms)."""
    catalog = Catalog(locale=lang, project=PROJECT_NAME, version="1", charset="utf-8",
                      copyright_holder=COPYRIGHT, creation_date=template.creation_date,
                      revision_date=_EPOCH, fuzzy=False, last_translator=MACHINE_TRANSLATOR,
                      language_team=f"{lang} (machine-assisted, unreviewed)")
    catalog.update(template, no_fuzzy_matching=True)
    return catalog


def init_catalog(root: Path, lang: str, template: Catalog) -> Path:
    """Create the catalog for a newly configured language (refuses to overwrite one)."""
    path = po_path(root, lang)
    if path.exists():
        raise CatalogError("catalog exists; use `sheets catalog update`", _rel(path, root))
    write_catalog(path, new_catalog(lang, template))
    return path


#: How the template names a claim's former key (from ``renamed_from:``), for the merge.
_RENAMED = re.compile(r"^Renamed from (\S+)\.$")


def update_catalog(old: Catalog, template: Catalog) -> Catalog:
    """Merge ``template`` into ``old``, keeping every translation (changed ones become fuzzy).

    No translator's work is lost: a claim that was removed (kept as obsolete) and comes back
    gets its translation back (fuzzy if its English changed meanwhile); a renamed claim
    (``renamed_from:``) keeps its translation, fuzzy only if its English changed; a claim
    whose key vanished and whose exact English reappears under a new key is offered the old
    translation as fuzzy; a reworded template string is offered the translation of the one
    it replaced (same place in the template, or the closest removed string) as fuzzy.
    Merging is idempotent: a second merge of the same template changes nothing.
    """
    # Babel's update adds the template's own Message objects to ``old``: without a copy,
    # a translation set below would leak into the template, and from it into the next
    # language's catalog.
    template = copy.deepcopy(template)
    for message in [*old, *old.obsolete.values()]:
        # Babel reads our "#| msgid" lines as translator comments ("| msgid ..."): they are
        # the previous English, restored by _restore_previous_ids, not comments.
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    previous_ids = {(m.context, m.id): list(m.previous_id) for m in old
                    if m.previous_id and m.fuzzy}
    for stale in list(old.obsolete.values()):
        if template.get(stale.id, context=stale.context) is not None and _translated(stale):
            old[stale.id] = stale  # back among the active messages; update() then keeps it
            _drop_obsolete(old, stale.context, str(stale.id))
    # Every translation the catalog holds, by context: active ones win over obsolete ones.
    by_context: dict[str, Message] = {}
    for m in [*old.obsolete.values(), *old]:
        if m.id and m.context and _translated(m):
            by_context[m.context] = m
    wanted = {m.context for m in template if m.context}
    # Claims whose key is gone from the template, by English: where a renamed claim was.
    vanished: dict[str, Message] = {}
    for context, m in by_context.items():
        if context not in wanted:
            vanished.setdefault(str(m.id), m)
    renames = {m.context: match.group(1) for m in template if m.context
               for comment in m.auto_comments if (match := _RENAMED.match(comment))}
    # Babel's own fuzzy matching compares every new string with every translated one
    # (difflib, quadratic: minutes for a few states) and pairs unrelated claims. Claims have
    # stable contexts, so we match them by context; only template strings get difflib.
    old.update(template, no_fuzzy_matching=True, update_creation_date=True)
    for message in old:
        key = (message.context, message.id)
        if message.fuzzy and not message.previous_id and key in previous_ids:
            message.previous_id = previous_ids[key]
        if _translated(message) and ("fuzzy" not in message.flags or message.previous_id):
            continue
        previous, fuzzy = None, True
        if message.context:
            former = renames.get(message.context)
            if former is not None and former in by_context:
                previous = by_context[former]
                fuzzy = previous.id != message.id  # renamed, same English: still translated
            elif message.context in by_context:
                previous = by_context[message.context]
            elif str(message.id) in vanished:
                previous = vanished[str(message.id)]
        else:
            previous = _closest_template_string(message, old)
        if previous is None or (previous.id == message.id and previous.context
                                == message.context):
            continue
        # Keep the old translation for the translator; fuzzy (it blocks printing until
        # someone confirms it) unless only the key changed, on purpose.
        message.string = previous.string
        if fuzzy:
            message.flags.add("fuzzy")
            message.previous_id = [str(previous.id)]
        else:
            message.flags.discard("fuzzy")
        _drop_obsolete(old, previous.context, str(previous.id))
    return old


def _translated(message: Message) -> bool:
    return isinstance(message.string, str) and not is_blank(message.string)


def _drop_obsolete(catalog: Catalog, context: str | None, msgid: str) -> None:
    for key, stale in list(catalog.obsolete.items()):
        if stale.context == context and stale.id == msgid:
            del catalog.obsolete[key]


def _closest_template_string(message: Message, catalog: Catalog) -> Message | None:
    """The removed template string (no context) that ``message`` replaced: the one that was
    at the same place in the same template, else the most alike if any is close."""
    candidates = {str(m.id): m for m in catalog.obsolete.values()
                  if not m.context and _translated(m) and isinstance(m.id, str)}
    places = set(message.locations)
    same_place = [m for m in candidates.values() if places & set(m.locations)]
    if len(same_place) == 1:
        return same_place[0]
    found = difflib.get_close_matches(str(message.id), list(candidates), n=1, cutoff=0.6)
    return candidates[found[0]] if found else None


def plan_updates(root: Path, template: Catalog, langs: Iterable[str]) -> dict[Path, bytes]:
    """The new content of each catalog after merging ``template`` (nothing is written)."""
    planned: dict[Path, bytes] = {pot_path(root): dump_catalog(template)}
    for lang in langs:
        path = po_path(root, lang)
        if path.exists():
            catalog = update_catalog(read_catalog(path, root, lang), template)
        else:
            catalog = new_catalog(lang, template)
        planned[path] = dump_catalog(catalog)
    return planned


def outdated(planned: dict[Path, bytes]) -> list[Path]:
    """Catalog files whose content differs from what `catalog update` would write."""
    return [path for path, data in planned.items() if _current_bytes(path) != data]


def _current_bytes(path: Path) -> bytes | None:
    """What a catalog file holds now (None: absent or not a file we may read)."""
    try:
        return read_content(path, path.parent, MAX_CATALOG_BYTES * 2)
    except OSError:
        return None


def update_catalogs(root: Path, template: Catalog, langs: Iterable[str]) -> list[Path]:
    """Write the template and merge it into each language's catalog; return what changed."""
    changed = []
    for path, data in plan_updates(root, template, langs).items():
        if _current_bytes(path) != data:
            write_atomic(path, data)
            changed.append(path)
    return changed


@dataclass(frozen=True)
class Counts:
    translated: int
    fuzzy: int
    missing: int


def count_entries(catalog: Translations | None,
                  wanted: Iterable[tuple[str, str | None]]) -> Counts:
    """Translated / fuzzy / missing among ``wanted`` (msgid, context) pairs."""
    done = fuzzy = missing = 0
    for msgid, context in wanted:
        found = catalog.get(msgid, context=context) if catalog is not None else None
        if found is None or not found.string:
            missing += 1
        elif found.fuzzy:
            fuzzy += 1
        else:
            done += 1
    return Counts(done, fuzzy, missing)


def printed_messages(project: Project, state: str,
                     ui: list[UiMessage]) -> list[tuple[str, str | None]]:
    """Every (msgid, context) the ``state`` handout prints."""
    wanted: list[tuple[str, str | None]] = [(m.id, None) for m in ui]
    wanted.append((project.states[state].name, f"{state}/name"))
    for claim in project.printed_claims(state):
        wanted.append((claim.text, claim.key))
        wanted += contact_messages(claim)
    return wanted


def load_problems(project: Project) -> list[Problem]:
    """The errors that stop catalogs from being extracted or merged: a sheet that does not
    load would drop its claims from the template, and the merge would obsolete their
    translations (and turn its state's name fuzzy in every language)."""
    return [p for p in project.problems if p.severity == "error"]


def pot_is_current(root: Path, template: Catalog) -> bool:
    path = pot_path(root)
    return _current_bytes(path) == dump_catalog(template)


class Lookup:
    """Strict translations for one language: a missing or fuzzy entry raises, never falls back.

    English is the identity. Template strings come back escaped as Markup, so that a catalog
    entry can never inject markup even though Jinja treats translated strings as safe.
    """

    def __init__(self, lang: str, catalog: Translations | Catalog | None) -> None:
        self.lang = lang
        self.catalog = catalog

    def _find(self, message: str, context: str | None) -> str:
        if self.lang == SOURCE_LANGUAGE or self.catalog is None:
            return message
        found = self.catalog.get(message, context=context)
        if found is None or not found.string or found.fuzzy or is_blank(str(found.string)):
            label = f"{context}: " if context else ""
            raise CatalogError(f"{self.lang}: no current translation for {label}{message!r}")
        return str(found.string)

    def gettext(self, message: str) -> Markup:
        return escape_html(self._find(message, None))

    def ngettext(self, singular: str, plural: str, n: int) -> Markup:
        # Templates use no plural forms yet; one form per count keeps the check simple.
        return self.gettext(singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> Markup:
        return escape_html(self._find(message, context))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> Markup:
        return self.pgettext(context, singular if n == 1 else plural)

    def claim(self, claim: Claim) -> str:
        """A claim's text in this language, as plain text (autoescaped by the template)."""
        return self._find(claim.text, claim.key)

    def content(self, message: str, context: str) -> str:
        """Other content (a state's name) in this language, as plain text."""
        return self._find(message, context)


def open_catalog(root: Path, lang: str) -> tuple[Translations | None, list[Problem]]:
    """Read ``lang``'s catalog once for the whole check and build; a missing or broken one
    blocks it."""
    path = po_path(root, lang)
    rel = _rel(path, root)
    if lang not in languages_of(root).by_code:
        return None, [Problem(TRANSLATIONS_DIR, 1, "catalog-missing",
                              f"{lang}: not a configured language", lang=lang)]
    if not path.exists():
        return None, [Problem(rel, 1, "catalog-missing",
                              f"no catalog for {lang}; run `sheets catalog update`", lang=lang)]
    try:
        return read_translations(root, lang), []
    except CatalogError as exc:
        return None, [Problem(rel, exc.line, "catalog-syntax", exc.reason, lang=lang)]


def translation_problems(project: Project, state: str, lang: str, ui: list[UiMessage],
                         catalog: Translations) -> list[Problem]:
    """What would make the ``state`` handout in ``lang`` print missing or outdated text."""
    rel = _rel(po_path(project.root, lang), project.root)
    # Template strings print on every state's handout, so their problems block the language.
    wanted = [(msgid, context, context or repr(msgid), state if context else None)
              for msgid, context in printed_messages(project, state, ui)]
    problems = []
    for msgid, context, label, scope in wanted:
        found = catalog.get(msgid, context=context)
        if found is None:
            # The English is new or changed and `catalog update` has not run since.
            line = catalog.line_of_context(context)
            what = "the English changed" if line > 1 else "new English"
            problems.append(Problem(rel, line, "catalog-not-updated",
                                    f"{label}: {what} since this catalog was updated",
                                    state=scope, lang=lang))
        elif not found.string:
            line = found.lineno if found is not None and found.lineno else 1
            problems.append(Problem(rel, line, "translation-missing",
                                    f"{label}: not translated", state=scope, lang=lang))
        elif found.fuzzy:
            problems.append(Problem(rel, found.lineno or 1, "translation-fuzzy",
                                    f"{label}: translation is fuzzy (outdated); review it and "
                                    "remove the fuzzy flag", state=scope, lang=lang))
        else:
            for severity, rule, message in found.findings:
                problems.append(Problem(rel, found.lineno or 1, rule, f"{label}: {message}",
                                        severity, state=scope, lang=lang))  # type: ignore[arg-type]
    return problems


def load_lookup(root: Path, lang: str) -> Lookup:
    if lang == SOURCE_LANGUAGE:
        return Lookup(lang, None)
    return Lookup(lang, read_translations(root, lang))


# --- Locked translations ---------------------------------------------------------------------
#
# The notice that a translation is machine-assisted and not yet reviewed protects the reader;
# a translation of it that says "reviewed and certified" passes every token rule. So its
# translations are locked: each is recorded by hash in translations/locked.json, and a
# translation that differs from its record blocks its language. A qualified reviewer's record
# of that exact translation (`sheets review`, translations/<lang>/reviews.yaml) also unlocks
# it; `sheets catalog lock` records the hash directly. Either shows in the change's diff;
# nothing else can change what the notice says.

LOCK_FILE = f"{TRANSLATIONS_DIR}/locked.json"
LOCK_RULE = "translation-locked"


def is_locked(msgid: str) -> bool:
    """Template strings whose translation may change only with a recorded review."""
    return "not yet reviewed" in msgid.casefold()


def _string_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_locks(root: Path) -> dict[str, dict[str, str]]:
    """msgid → language → SHA-256 of the recorded translation (empty without the file).
    Raises CatalogError when the file is malformed."""
    path = root / LOCK_FILE
    if not path.exists():
        return {}
    try:
        saved = json.loads(read_content(path, root, MAX_CATALOG_BYTES))
        strings = saved["strings"]
        if not all(isinstance(k, str) and isinstance(v, dict)
                   and all(isinstance(x, str) for x in v.values()) for k, v in strings.items()):
            raise TypeError("strings must map text to {language: hash}")
        return {msgid: dict(by_lang) for msgid, by_lang in strings.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CatalogError(f"cannot read the locks: {shown(exc)}", LOCK_FILE) from exc


def locked_problems(root: Path, lang: str, catalog: Translations, ui: list[UiMessage],
                    approved: Callable[[str, str], bool] | None = None) -> list[Problem]:
    """A locked string whose translation is not the recorded one blocks ``lang``, unless
    ``approved(msgid, translation)``: a review record approves that exact translation."""
    try:
        locks = read_locks(root)
    except CatalogError as exc:
        return [Problem(LOCK_FILE, 1, LOCK_RULE, exc.reason)]
    rel = _rel(po_path(root, lang), root)
    problems = []
    for message in ui:
        found = catalog.get(message.id)
        if not is_locked(message.id) or found is None or not found.string or found.fuzzy:
            continue  # missing or fuzzy: translation-missing / -fuzzy say so
        recorded = locks.get(message.id, {}).get(lang)
        if recorded == _string_hash(found.string) or (
                approved is not None and approved(message.id, found.string)):
            continue
        why = ("has no recorded review" if recorded is None
               else "differs from the one whose review was recorded")
        problems.append(Problem(
            rel, found.lineno, LOCK_RULE,
            f"the translation of {shown(message.id, 60)!r} {why}; it says whether the page "
            "was reviewed, so it changes only with a review: a qualified translator records it "
            f"with `sheets review --lang {lang} --entry '{shown(message.id, 60)}'`", lang=lang))
    return problems


def lock_translations(root: Path, langs: Iterable[str]) -> list[str]:
    """Record the current translation of every locked string in ``langs``; return the
    languages whose record changed."""
    locks = read_locks(root)
    ui = extract_template_messages(root)
    changed = []
    for lang in langs:
        catalog = read_translations(root, lang)
        for message in ui:
            found = catalog.get(message.id)
            if is_locked(message.id) and found is not None and found.string and not found.fuzzy:
                new = _string_hash(found.string)
                if locks.setdefault(message.id, {}).get(lang) != new:
                    locks[message.id][lang] = new
                    if lang not in changed:
                        changed.append(lang)
    payload = {"version": 1, "strings": {msgid: dict(sorted(by_lang.items()))
                                         for msgid, by_lang in sorted(locks.items())}}
    write_atomic(root / LOCK_FILE, (json.dumps(payload, indent=2, ensure_ascii=False)
                                    + "\n").encode("utf-8"))
    return changed
def at_msgstr_lines(translations: Translations, data: bytes) -> Translations:
    """Entries whose line is their ``msgstr``'s (Babel gives the msgid's): a problem with a
    translation points where the translator types."""
    lines = data.decode("utf-8", "replace").split("\n")
    for key, entry in translations.entries.items():
        number = entry.lineno
        while number <= len(lines) and not lines[number - 1].startswith("msgstr"):
            number += 1
        if number <= len(lines) and number != entry.lineno:
            translations.entries[key] = replace(entry, lineno=number)
    return translations


def translator_context(root: Path, claim: Claim) -> list[str]:
    """What a careful legal translation needs beside the English: the quotes the claim rests
    on (their start), the maintainers' caution for translators, the glossary terms it uses."""
    from .glossary import load_glossary

    lines = []
    for citation in claim.citations:
        quote = " ".join(citation.quote.split())
        if quote:
            cut = quote if len(quote) <= QUOTE_CHARS else quote[:QUOTE_CHARS - 1] + "…"
            lines.append(f"Quote ({citation.locator or citation.source}): \u201c{cut}\u201d")
    if claim.translator_note:
        lines.append("Note for translators: " + " ".join(claim.translator_note.split()))
    terms = load_glossary(root).terms_in(claim.text)
    if terms:
        lines.append("Glossary (translations/glossary.yaml): " + "; ".join(
            f"{t.term}" + (f" ({t.note})" if t.note else "") for t in terms))
    return lines
