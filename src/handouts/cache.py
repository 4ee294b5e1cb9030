"""Incremental builds: each PDF is rebuilt only when something it prints has changed.

An output's key hashes exactly its inputs: the claims and sources it prints, the catalog entries
it uses, the state's name, the templates and stylesheet, the files of its fonts, the paper,
this package's code and version, WeasyPrint's version and ``SOURCE_DATE_EPOCH``. The key is
recorded (with the PDF's own hash) only after the PDF has been renamed into place, so an
interrupted build can never leave a record that vouches for a PDF it did not write.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .catalogs import TEMPLATES_DIR, Translations, UiMessage, printed_messages
from .fonts import family_files
from .languages import languages_of
from .loader import Project, read_content
from .memo import CACHE_DIR, code_digest
from .output import write_atomic
from .pdf import FONT_DIRS, weasyprint_version
from .reviews import all_reviewed, handout_entries, snapshot_reviews

#: Larger than any file the build reads (catalogs are capped at 8 MB, sheets at 2 MB).
DIGEST_LIMIT = 16_000_000
#: What the last clean build was asked and read, and what it wrote (see :func:`build_digest`).
MANIFEST = f"{CACHE_DIR}/last-build.json"


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()


class OutputKeys:
    """The cache keys of one build's outputs. What many outputs share is hashed once: a state's
    claims and sources print in every language and paper, a language's fonts and catalog
    entries on both papers. (Hashed again for each output, the keys of 850 handouts took
    longer than rendering the one a claim edit changed.)"""

    def __init__(self, project: Project, ui: list[UiMessage], assets: str) -> None:
        self.project = project
        self.ui = ui
        self.common = _hash(__version__, code_digest(), weasyprint_version(), assets,
                            project.settings.sources_url, project.settings.site_url,
                            os.environ.get("SOURCE_DATE_EPOCH", ""))
        self._content: dict[str, str] = {}
        self._fonts: dict[str, str] = {}
        self._texts: dict[tuple[str, str], str] = {}

    def key(self, state: str, lang: str, paper: str, print_shop: bool,
            catalog: Translations | None) -> str:
        return _hash(self.common, state, lang, paper, print_shop, self._fonts_of(lang),
                     self._content_of(state), self._texts_of(state, lang, catalog))

    def _content_of(self, state: str) -> str:
        """The claims the state's handout prints and the sources they cite."""
        if state not in self._content:
            claims = self.project.printed_claims(state)
            cited = dict.fromkeys(c.source for claim in claims for c in claim.citations)
            sources = {source_id: self.project.sources.get(source_id) for source_id in cited}
            self._content[state] = _hash(
                [(claim.key, claim.model_dump(mode="json")) for claim in claims],
                [(source_id, source.model_dump(mode="json") if source else None)
                 for source_id, source in sources.items()])
        return self._content[state]

    def _fonts_of(self, lang: str) -> str:
        if lang not in self._fonts:
            self._fonts[lang] = _hash([
                (family, [(str(p), p.stat().st_size, p.stat().st_mtime_ns)
                          for p in family_files(family)])
                for family in languages_of(self.project.root).by_code[lang].fonts])
        return self._fonts[lang]

    def _texts_of(self, state: str, lang: str, catalog: Translations | None) -> str:
        """The translations the handout prints (English: the state's name, all else is in
        the content and the templates)."""
        if (state, lang) not in self._texts:
            if catalog is None:
                texts: list[object] = [self.project.states[state].name]
            else:
                texts = []
                for msgid, context in printed_messages(self.project, state, self.ui):
                    found = catalog.get(msgid, context=context)
                    texts.append((context, msgid, found.string if found else None))
                # Review records decide whether the "not yet reviewed" notice prints.
                texts.append(all_reviewed(self.project.root, lang, handout_entries(
                    self.project, state, self.ui, catalog), snapshot_reviews(catalog)))
            self._texts[(state, lang)] = _hash(texts)
        return self._texts[(state, lang)]


#: Larger than any handout or record; a link to /dev/zero in build/ must not be read forever.
KEPT_LIMIT = 64_000_000


def _read_kept(root: Path, path: Path) -> bytes:
    """A file under build/, read only if it is a regular file there (not through a link out
    of build/)."""
    return read_content(path, root / "build", KEPT_LIMIT)


def _record_path(root: Path, relpath: str) -> Path:
    return root / CACHE_DIR / (relpath.replace("/", "__") + ".json")


@dataclass(frozen=True)
class Record:
    """What the last build of one output wrote down about it."""

    key: str
    sha256: str
    fit: int | None
    """The type step it chose: where the next build's search starts (only a starting point;
    it never changes which step is chosen)."""
    pages: int | None


def read_record(root: Path, relpath: str) -> Record | None:
    try:
        saved = json.loads(_read_kept(root, _record_path(root, relpath)))
        fit, pages = saved.get("fit"), saved.get("pages")
        return Record(str(saved["key"]), str(saved["sha256"]),
                      fit if isinstance(fit, int) else None,
                      pages if isinstance(pages, int) else None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def is_fresh(root: Path, relpath: str, key: str, saved: Record | None) -> bool:
    """The PDF exists, was written for exactly this key (``saved``, its record), and is the
    file we wrote."""
    if saved is None or saved.key != key:
        return False
    try:
        return saved.sha256 == hashlib.sha256(_read_kept(root, root / relpath)).hexdigest()
    except OSError:
        return False


def record(root: Path, relpath: str, key: str, data: bytes, fit: int = 0, pages: int = 0) -> None:
    payload = {"key": key, "sha256": hashlib.sha256(data).hexdigest(), "fit": fit,
               "pages": pages}
    write_atomic(_record_path(root, relpath), json.dumps(payload).encode(), root / "build")


def forget(root: Path, relpath: str) -> None:
    _remove_kept(root, _record_path(root, relpath))


def _remove_kept(root: Path, path: Path) -> None:
    """Remove a file of build/.cache, never one reached through a link out of build/."""
    with suppress(OSError):
        if path.parent.resolve().is_relative_to((root / "build").resolve()):
            path.unlink(missing_ok=True)


def file_digests(root: Path) -> dict[str, str]:
    """SHA-256 of every file under sheets/, translations/ and templates/ (relative path → hex),
    read the way the loader reads them."""
    digests: dict[str, str] = {}
    for base in (root / "sheets", root / "translations", root / TEMPLATES_DIR):
        for path in sorted(base.rglob("*")):
            if "__pycache__" in path.parts or path.is_dir():
                continue
            try:
                # A FIFO, a device or a link out of the project is never opened (the check
                # refuses it), only named in the digest.
                content = hashlib.sha256(read_content(path, root, DIGEST_LIMIT)).hexdigest()
            except OSError as exc:
                content = f"unreadable: {exc}"
            digests[path.relative_to(root).as_posix()] = content
    return digests


def build_digest(root: Path, request: object, files: dict[str, str] | None = None) -> str:
    """Everything a build reads and what it was asked, in one hash.

    The content, catalogs and templates byte for byte (``files``, from :func:`file_digests`),
    this package's code, the font files (by size and date), the versions,
    ``SOURCE_DATE_EPOCH``, and the request, which includes the day (the date rules depend on
    it). Two builds with the same digest check and render the same, so a repeated build can
    skip loading and checking everything when nothing changed.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([__version__, code_digest(), weasyprint_version(),
                              os.environ.get("SOURCE_DATE_EPOCH", ""), request],
                             default=str).encode())
    for name, content in (file_digests(root) if files is None else files).items():
        digest.update(f"{name}\0{content}\n".encode())
    for font_dir in FONT_DIRS:
        for folder, subfolders, names in os.walk(font_dir):
            subfolders.sort()
            for name in sorted(names):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def save_manifest(root: Path, digest: str, problems: list[dict[str, object]],
                  outputs: list[dict[str, object]]) -> None:
    """Record a clean build: its digest, its warnings, and each output with its file stamp."""
    for output in outputs:
        output["stamp"] = _stamp(root / str(output["path"]))
    payload = {"digest": digest, "problems": problems, "outputs": outputs}
    write_atomic(root / MANIFEST, json.dumps(payload, ensure_ascii=False).encode(),
                 root / "build")


def load_manifest(root: Path, digest: str) -> dict[str, list[dict[str, Any]]] | None:
    """The last clean build's record if it had this digest and its outputs are untouched."""
    try:
        saved = json.loads(_read_kept(root, root / MANIFEST))
        if saved["digest"] != digest:
            return None
        for output in saved["outputs"]:
            if _stamp(root / output["path"]) != output["stamp"]:
                return None
        return {"problems": saved["problems"], "outputs": saved["outputs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def drop_manifest(root: Path) -> None:
    # Nothing recorded, or no build folder yet: nothing to drop.
    _remove_kept(root, root / MANIFEST)
