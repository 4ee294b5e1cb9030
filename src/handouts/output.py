"""Atomic writes: a reader (or a crash) never sees half a PDF or half a catalog."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutsideFolder(OSError):
    """A write whose folder, through a symbolic link, is not inside the folder it must be in."""


def ensure_inside(folder: Path, within: Path) -> None:
    """Create ``folder`` if needed and refuse it if, links resolved, it is not inside
    ``within`` (``build/CO`` linked to ``/etc`` must not receive a PDF or a preview)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not folder.resolve().is_relative_to(within.resolve()):
        raise OutsideFolder(f"{folder} leads outside {within.name}/ (a symbolic link); "
                            "refusing to write there")


def write_atomic(path: Path, data: bytes, within: Path | None = None) -> None:
    """Write to a temporary file beside ``path``, then rename it into place. With ``within``,
    refuse a ``path`` whose folder is outside it (see :func:`ensure_inside`)."""
    if within is not None:
        ensure_inside(path.parent, within)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; handouts and catalogs are shared files, readable like any other.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
