"""What this machine lacks to build every handout: fonts per script, HarfBuzz subsetting, Pango.

Nothing here imports WeasyPrint (a broken Pango would make that import itself fail); libraries
are looked up the way WeasyPrint's cffi bindings look them up.
"""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .languages import languages_of


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


APT = "apt-get install -y"


def _has_font(family: str) -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", f"{family}", "family"], capture_output=True, text=True,
                         check=False).stdout
    return bool(out.strip())


def diagnose(root: Path = Path(".")) -> list[Finding]:
    findings = []
    pango = ctypes.util.find_library("pango-1.0")
    findings.append(Finding("Pango", pango is not None, pango or "libpango-1.0 not found",
                            f"{APT} libpango-1.0-0 libpangoft2-1.0-0"))
    subset = ctypes.util.find_library("harfbuzz-subset")
    findings.append(Finding(
        "HarfBuzz subsetting", subset is not None,
        subset or "libharfbuzz-subset not found: fonts are subset by fontTools, 30-50x slower "
        "for Chinese, Japanese and Korean",
        f"{APT} libharfbuzz-subset0", required=False))
    findings.append(Finding("fontconfig", shutil.which("fc-list") is not None,
                            shutil.which("fc-list") or "fc-list not found", f"{APT} fontconfig"))
    for lang in languages_of(root).by_code.values():
        family = lang.fonts[0]
        ok = _has_font(family)
        findings.append(Finding(
            f"font for {lang.code} ({lang.native_name})", ok,
            family if ok else f"{family} not installed", f"{APT} fonts-noto-core"))
    for tool, package in (("msgfmt", "gettext"), ("pdftotext", "poppler-utils")):
        path = shutil.which(tool)
        findings.append(Finding(f"{tool} (tests, translators)", path is not None,
                                path or f"{tool} not found", f"{APT} {package}", required=False))
    return findings
