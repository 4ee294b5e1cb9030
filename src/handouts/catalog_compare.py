"""`catalog update --check`: is a catalog what `catalog update` would write, as a catalog?

Comparing bytes failed every save from Poedit or Weblate: they add headers (X-Generator,
Last-Translator) and re-wrap long strings at 79 columns. What matters is the entries: each
msgid with its context, translation, fuzzy flag, the translator comments we extract and the
source locations. Headers, wrapping and obsolete (#~) entries are not compared.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

Entry = tuple[object, ...]


def _entries(catalog: Catalog) -> dict[tuple[str | None, str], Entry]:
    out: dict[tuple[str | None, str], Entry] = {}
    for m in catalog:
        if not m.id:
            continue
        msgid = m.id if isinstance(m.id, str) else "\0".join(m.id)
        string = m.string if isinstance(m.string, str) else "\0".join(m.string or ())
        out[(m.context, msgid)] = (
            string, m.fuzzy,
            # A tool may re-wrap a long comment over several lines: compare the words.
            " ".join(" ".join(m.auto_comments).split()),
            tuple(sorted(m.locations)))
    return out


def _parse(data: bytes) -> Catalog:
    return read_po(io.BytesIO(data), abort_invalid=True)


def difference(current: bytes, planned: bytes) -> str | None:
    """Why two catalog files differ as catalogs (None: they do not)."""
    try:
        have = _entries(_parse(current))
    except (PoFileError, ValueError) as exc:
        return f"unreadable: {exc}"
    want = _entries(_parse(planned))
    added = [key for key in want if key not in have]
    removed = [key for key in have if key not in want]
    if added:
        return f"{_entries_count(len(added))} to add, e.g. {_label(added[0])}"
    if removed:
        return f"{_entries_count(len(removed))} to remove, e.g. {_label(removed[0])}"
    for key, entry in want.items():
        if have[key] != entry:
            field = ("translation", "fuzzy flag", "comments", "locations")[
                next(i for i, (a, b) in enumerate(zip(have[key], entry, strict=True)) if a != b)]
            return f"{_label(key)}: {field} differs"
    return None


def _entries_count(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _label(key: tuple[str | None, str]) -> str:
    context, msgid = key
    return context or repr(msgid[:40])


def differences_from(root: Path, planned: dict[Path, bytes]) -> dict[Path, str]:
    """Each planned file whose catalog differs from the one on disk, with the reason."""
    found = {}
    for path, data in planned.items():
        if not path.exists():
            found[path] = "missing"
            continue
        why = difference(path.read_bytes(), data)
        if why is not None:
            found[path] = why
    return found
