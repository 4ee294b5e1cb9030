"""Read the YAML content into models, keeping every node's line.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of two
duplicate keys. We compose the node tree instead, build plain data while recording the line of
every key and list item, and map pydantic's error locations back to those lines. Every problem
in every file is collected; nothing raises on bad content.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import LoadError, Problem
from .models import (
    Claim,
    FederalFile,
    Include,
    Node,
    Settings,
    Source,
    SourceRegistry,
    StateFile,
)

PathKey = tuple[str | int, ...]
M = TypeVar("M", bound=Node)

CONTENT_DIR = "sheets"
SOURCES_FILE = "sources.yaml"
SOURCES_DIR = "sources"
FEDERAL_FILE = "US.yaml"
SETTINGS_FILE = "settings.yaml"
#: Bigger than any real sheet; stops alias bombs and runaway files before they eat memory.
MAX_NODES = 50_000
MAX_FILE_BYTES = 2_000_000
#: Deeper than any real sheet (a claim's contact sits at depth 5); 1,200 levels fit in 3 KB.
MAX_DEPTH = 32


class ContentReadError(OSError):
    """A content file that may not be read: not a regular file, outside the project, too big."""

    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def read_content(path: Path, root: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a content file, read safely: only a regular file inside the project
    (a symlink may point elsewhere in it, never out of it), opened without blocking (a FIFO
    named like a sheet would hang the check), and never more than ``limit`` bytes read
    (``/dev/zero`` behind a sheet's name must not fill memory before a size test).

    Raises :class:`ContentReadError` (``file-unreadable`` or ``file-too-large``) or OSError.
    """
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise ContentReadError("file-unreadable", "a link to a file outside the project")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(
        os, "O_CLOEXEC", 0)
    fd = os.open(real, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ContentReadError("file-unreadable", "not a regular file (a device, FIFO or "
                                   "socket)")
        if info.st_size > limit:
            raise ContentReadError("file-too-large", f"over {limit} bytes")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew while we read it
        raise ContentReadError("file-too-large", f"over {limit} bytes")
    return data


@dataclass
class Project:
    """Everything loaded from ``sheets/``, plus the problems met while loading it."""

    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    federal: dict[str, Claim] = field(default_factory=dict)
    states: dict[str, StateFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    #: States whose sheet could not be loaded at all: blocked, and not checked further.
    broken: set[str] = field(default_factory=set)
    #: True when every state was loaded (only then can a source be called unused).
    complete: bool = True
    #: Every source and claim as loaded, duplicates included, for the duplicate-id rule.
    all_sources: list[Source] = field(default_factory=list)
    all_claims: list[Claim] = field(default_factory=list)
    #: SHA-256 of the bytes each file was parsed from (relative path → hex): this snapshot is
    #: what the check saw and every renderer prints; a build compares it with the files'
    #: digest before recording that nothing changed.
    file_digests: dict[str, str] = field(default_factory=dict)
    #: The templates and stylesheets (file name → text), read once with the content: every
    #: renderer (PDF, web edition, site) prints from these, never from the files again, so an
    #: edit of a template during a build cannot print strings the check did not see.
    templates: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def templates_digest(self) -> str:
        """SHA-256 of the template snapshot (names and texts), computed once: the renderers'
        environment cache and the outputs' cache keys are keyed by it."""
        digest = hashlib.sha256()
        for name in sorted(self.templates):
            digest.update(name.encode() + b"\0" + self.templates[name].encode() + b"\0")
        return digest.hexdigest()

    def template(self, name: str) -> str:
        """A template's text from the snapshot (RenderError when there is none)."""
        if name not in self.templates:
            from .errors import RenderError

            raise RenderError(f"template {TEMPLATES_SUBDIR}/{name} not found or not readable")
        return self.templates[name]

    def state_codes(self) -> list[str]:
        return sorted(self.states)

    def printed_claims(self, state: str) -> list[Claim]:
        """The claims a state's handout prints, in file order (includes resolved). A claim
        with an open question (``open:``) never prints."""
        claims: list[Claim] = []
        for entry in self.states[state].claims:
            if isinstance(entry, Include):
                federal = self.federal.get(entry.include.removeprefix("US/"))
                if federal is not None and federal.open is None:
                    claims.append(federal)
            elif entry.open is None:
                claims.append(entry)
        return claims


#: The only YAML types content may use (what PyYAML's resolver gives untagged values).
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in
               ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")}


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class _Composer:
    """Turns a composed YAML node tree into plain data and a map of lines by data path."""

    def __init__(self, relpath: str, problems: list[Problem]) -> None:
        self.relpath = relpath
        self.problems = problems
        self.lines: dict[PathKey, int] = {}
        self.constructor = yaml.constructor.SafeConstructor()
        self.count = 0

    def build(self, node: yaml.Node, key: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise LoadError(f"more than {MAX_NODES} YAML nodes (aliases expanded)")
        if len(key) > MAX_DEPTH:
            raise LoadError(f"nested deeper than {MAX_DEPTH} levels")
        self.lines.setdefault(key, node.start_mark.line + 1)
        if node.tag not in _PLAIN_TAGS:
            # Content is plain data: a tag such as !!python/object names code, not data.
            self._problem(node, "yaml-tag", f"{_dotted(key)}: tag {node.tag!r} is not allowed")
            return None
        if isinstance(node, yaml.MappingNode):
            data: dict[Any, Any] = {}
            first_line: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self._problem(key_node, "yaml-merge-key", "merge keys (<<) are not allowed")
                    continue
                name = self.constructor.construct_object(key_node)
                line = key_node.start_mark.line + 1
                if not isinstance(name, str):
                    self._problem(key_node, "invalid-value", f"key {name!r} is not text")
                    continue
                if name in data:
                    self._problem(
                        key_node,
                        "duplicate-key",
                        f"{_dotted(key + (name,))}: key {name!r} repeats line {first_line[name]}"
                        " (YAML would silently keep only the last one)",
                    )
                    continue
                first_line[name] = line
                self.lines[key + (name,)] = line
                data[name] = self.build(value_node, key + (name,))
            return data
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, key + (i,)) for i, item in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node)
        except (yaml.constructor.ConstructorError, ValueError) as exc:
            # e.g. 2026-02-30: looks like a date to YAML, is not one.
            reason = getattr(exc, "problem", None) or str(exc)
            self._problem(node, "invalid-value", f"{_dotted(key)}: {node.value!r}: {reason}")
            return node.value

    def _problem(self, node: yaml.Node, rule: str, message: str) -> None:
        self.problems.append(Problem(self.relpath, node.start_mark.line + 1, rule, message))


def _dotted(key: PathKey) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top)"


#: libyaml's parser when PyYAML was built with it (its wheels are): several times faster than the
#: pure-Python one, which dominated `sheets check` on many states. Both give the same node tree
#: with line marks; a file libyaml refuses is parsed again by the pure-Python parser, whose
#: error messages say more (and are the ones the tests pin down).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def read_yaml(path: Path, root: Path, digests: dict[str, str] | None = None
              ) -> tuple[Any, dict[PathKey, int], list[Problem]]:
    """Parse one YAML file into plain data, its line map, and the problems found (``digests``
    hears the hash of the bytes parsed)."""
    relpath = _relpath(path, root)
    problems: list[Problem] = []
    try:
        raw = read_content(path, root)
    except ContentReadError as exc:
        return None, {}, [Problem(relpath, 1, exc.rule, exc.reason)]
    except OSError as exc:
        return None, {}, [Problem(relpath, 1, "file-unreadable", exc.strerror or str(exc))]
    if digests is not None:
        digests[relpath] = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, {}, [Problem(relpath, line, "yaml-syntax", f"not UTF-8 text: {exc.reason}")]
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the broken construct began (an unclosed quote's opening),
        # which is where the fix goes; the problem mark may be the end of the file.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark else 1
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        if mark and exc.problem_mark and exc.problem_mark.line != mark.line:
            reason += f" (line {exc.problem_mark.line + 1})"
        return None, {}, [Problem(relpath, line, "yaml-syntax", reason or "invalid YAML")]
    except yaml.YAMLError as exc:
        return None, {}, [Problem(relpath, 1, "yaml-syntax", str(exc))]
    except RecursionError:
        # PyYAML's composer recurses once per level of nesting.
        return None, {}, [Problem(relpath, 1, "file-too-large",
                                  f"nested deeper than {MAX_DEPTH} levels")]
    if node is None:
        return None, {}, [Problem(relpath, 1, "empty-file", "the file holds no data")]
    composer = _Composer(relpath, problems)
    try:
        data = composer.build(node, ())
    except LoadError as exc:
        return None, {}, [Problem(relpath, 1, "file-too-large", str(exc))]
    except RecursionError:
        return None, {}, [Problem(relpath, 1, "file-too-large",
                                  f"nested deeper than {MAX_DEPTH} levels")]
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        return None, {}, [Problem(relpath, mark.line + 1 if mark else 1, "invalid-value",
                                  str(exc.problem))]
    return data, composer.lines, problems


_PYDANTIC_RULES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-key",
}


def _error_key(data: Any, loc: tuple[str | int, ...]) -> PathKey:
    """Drop the parts of a pydantic location that are not data keys (union tags)."""
    key: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if in_dict or in_list:
            current = current[part]
            key.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and index == len(loc) - 1:
            # A missing field: keep its name for the message, the line comes from the parent.
            key.append(part)
        # Anything else is a union tag pydantic inserted ("claim", "include"): not data.
    return tuple(key)


def _line_for(key: PathKey, lines: dict[PathKey, int]) -> int:
    for end in range(len(key), -1, -1):
        if key[:end] in lines:
            return lines[key[:end]]
    return 1


def validate(
    model: type[M], data: Any, lines: dict[PathKey, int], relpath: str
) -> tuple[M | None, list[Problem]]:
    """Validate plain data against ``model``; map each error to its line."""
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = _error_key(data, tuple(err["loc"]))
            rule = _PYDANTIC_RULES.get(err["type"], "invalid-value")
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = f"unknown key {key[-1]!r}"
            elif err["type"] == "missing":
                msg = f"required key {key[-1]!r} is missing"
            problems.append(Problem(relpath, _line_for(key, lines), rule, f"{_dotted(key)}: {msg}"))
        return None, problems
    _attach_places(obj, (), lines, relpath)
    return obj, []


def _attach_places(node: BaseModel, key: PathKey, lines: dict[PathKey, int], relpath: str) -> None:
    if isinstance(node, Node):
        field_lines = {name: lines[key + (name,)] for name in type(node).model_fields
                       if key + (name,) in lines}
        node.set_place(relpath, lines.get(key, 1), field_lines)
    for name in type(node).model_fields:
        value = getattr(node, name)
        if isinstance(value, BaseModel):
            _attach_places(value, key + (name,), lines, relpath)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _attach_places(item, key + (name, i), lines, relpath)


def load_file(model: type[M], path: Path, root: Path, digests: dict[str, str] | None = None
              ) -> tuple[M | None, list[Problem]]:
    data, lines, problems = read_yaml(path, root, digests)
    if data is None:
        return None, problems
    obj, more = validate(model, data, lines, _relpath(path, root))
    return obj, problems + more


def _state_files(content: Path) -> Iterator[Path]:
    for path in sorted(content.glob("*.yaml")):
        if path.name not in (SOURCES_FILE, FEDERAL_FILE, SETTINGS_FILE):
            yield path


def load_project(root: Path, states: list[str] | None = None) -> Project:
    """Load sources, federal claims and the requested states (all when ``states`` is None).

    Content problems never raise: they are collected on ``Project.problems`` so the check can
    report every one of them at once.
    """
    content = root / CONTENT_DIR
    if not content.is_dir():
        raise LoadError(f"{content}: no content folder (is this a sheets project?)")
    project = Project(root=root)
    digests = project.file_digests

    if (content / SETTINGS_FILE).exists():
        settings, problems = load_file(Settings, content / SETTINGS_FILE, root, digests)
        project.problems += problems
        if settings is not None:
            project.settings = settings

    # One registry file, plus any number under sheets/sources/ (one per scope keeps 50 states'
    # sources reviewable); ids are unique across all of them.
    registry_files = [content / SOURCES_FILE, *sorted((content / SOURCES_DIR).glob("*.yaml"))]
    for path in registry_files:
        if path.name == SOURCES_FILE and not path.exists() and len(registry_files) > 1:
            continue
        registry, problems = load_file(SourceRegistry, path, root, digests)
        project.problems += problems
        if registry is not None:
            project.all_sources += registry.sources
            for source in registry.sources:
                project.sources.setdefault(source.id, source)

    federal, problems = load_file(FederalFile, content / FEDERAL_FILE, root, digests)
    project.problems += problems
    if federal is not None:
        for claim in federal.claims:
            claim._scope = "US"
            project.all_claims.append(claim)
            project.federal.setdefault(claim.id, claim)

    wanted = {s.upper() for s in states} if states else None
    project.complete = wanted is None
    files_by_code: dict[str, Path] = {}
    for path in _state_files(content):
        code = path.stem.upper()
        if wanted is not None and code not in wanted:
            continue
        if code in files_by_code:
            # co.yaml and CO.yaml: one would silently replace the other.
            project.problems.append(Problem(
                _relpath(path, root), 1, "duplicate-state",
                f"{path.name} and {files_by_code[code].name} are both the sheet of {code}; "
                "keep one", state=code))
            project.broken.add(code)
            continue
        files_by_code[code] = path
        sheet, problems = load_file(StateFile, path, root, digests)
        # A state file that does not load blocks that state only.
        project.problems += [_scoped(p, code) for p in problems]
        if sheet is None:
            # Keep the state listed (so it is reported as blocked), with nothing to print.
            project.states.setdefault(code, StateFile(state=code, name=code))
            project.broken.add(code)
            continue
        if sheet.state != code:
            project.problems.append(Problem(
                sheet.path, sheet.line_of("state"), "state-mismatch",
                f"state {sheet.state!r} does not match the file name {path.name!r}", state=code))
        for entry in sheet.claims:
            if isinstance(entry, Claim):
                entry._scope = code
                project.all_claims.append(entry)
        project.states[code] = sheet
    if wanted:
        for code in sorted(wanted - set(project.states)):
            project.problems.append(Problem(
                CONTENT_DIR, 1, "unknown-state", f"no sheet {CONTENT_DIR}/{code}.yaml", state=code))
    project.templates = _load_templates(root, digests)
    return project


def read_data_file(root: Path, relpath: str, lang: str | None = None,
                   severity: Literal["error", "warning"] = "error"
                   ) -> tuple[bytes | None, list[Problem]]:
    """An optional data file read as content files are (a regular file inside the project,
    size-limited, never a FIFO or device): its bytes, or None with the problem (none when
    the file is simply absent)."""
    try:
        return read_content(root / relpath, root), []
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [Problem(relpath, 1, "file-unreadable", exc.strerror or str(exc), severity,
                              lang=lang)]


#: The templates folder (catalogs.TEMPLATES_DIR; not imported: catalogs imports this module).
TEMPLATES_SUBDIR = "templates"


def _load_templates(root: Path, digests: dict[str, str]) -> dict[str, str]:
    """Every template and stylesheet, read the way content files are (regular files inside
    the project, size-limited). One that cannot be read is left out: rendering with it then
    fails with a located error instead of reading the disk again."""
    folder = root / TEMPLATES_SUBDIR
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".html", ".css") or path.is_dir():
            continue
        try:
            data = read_content(path, root)
            found[path.name] = data.decode("utf-8")
        except (OSError, ContentReadError, UnicodeDecodeError):
            continue
        digests[path.relative_to(root).as_posix()] = hashlib.sha256(data).hexdigest()
    return found


def _scoped(problem: Problem, state: str) -> Problem:
    return Problem(problem.path, problem.line, problem.rule, problem.message,
                   problem.severity, state, problem.lang)


def parse_date(value: str) -> dt.date:
    """Parse an ISO date given on the command line or in the environment."""
    return dt.date.fromisoformat(value)
