"""Derived data kept between runs in ``build/.cache/``, each under a key made from everything it
was computed from: a different key means compute it again, so what is kept is never stale.

Only for data that is cheap to lose: a missing, damaged or unwritable cache costs time, never
a wrong answer (a read-only checkout still checks, only slower).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

from .loader import read_content
from .output import write_atomic

CACHE_DIR = "build/.cache"


def key_of(*parts: bytes | str) -> str:
    """A key from the inputs, each one delimited so that ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@cache
def code_digest() -> str:
    """This package's own source: a change to how handouts are made or checked (a working copy
    after `git pull`) must redo that work even when the version number stayed the same."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load(root: Path, name: str, key: str) -> Any:
    """The value kept as ``name`` under ``key``, or None (nothing kept, another key, damaged).
    The caller still validates its shape: a hand-edited file must not crash a check."""
    try:
        # Read like content: a link out of build/ or a FIFO here is ignored, not followed.
        saved = json.loads(read_content(root / CACHE_DIR / name, root / "build", 64_000_000))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("key") != key:
        return None
    return saved.get("value")


#: Set while a what-if run (``--today`` other than the real date) must leave build/ untouched.
_frozen = False


@contextmanager
def frozen() -> Iterator[None]:
    """Nothing is kept while this lasts (a what-if run writes nothing under build/)."""
    global _frozen
    before, _frozen = _frozen, True
    try:
        yield
    finally:
        _frozen = before


def is_frozen() -> bool:
    return _frozen


def save(root: Path, name: str, key: str, value: Any) -> None:
    if _frozen:
        return
    with suppress(OSError):
        write_atomic(root / CACHE_DIR / name,
                     json.dumps({"key": key, "value": value}, ensure_ascii=False).encode(),
                     root / "build")
