"""PDF inspection with poppler-utils (pdffonts, pdftotext): fonts embedded and text extractable."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def _run(tool: str, *args: str) -> str:
    exe = shutil.which(tool)
    assert exe, f"{tool} (poppler-utils) is not installed"
    return subprocess.run([exe, *args], capture_output=True, check=True, text=True).stdout


def pdf_text(path: Path, *, layout: bool = True) -> str:
    return _run("pdftotext", *(["-layout"] if layout else []), str(path), "-")


def pdf_info(path: Path) -> dict[str, str]:
    lines = _run("pdfinfo", str(path)).splitlines()
    return {k.strip(): v.strip() for k, _sep, v in (line.partition(":") for line in lines)}


def pdf_fonts(path: Path) -> list[dict]:
    """Rows of `pdffonts`: name, type, emb (yes/no)."""
    lines = _run("pdffonts", str(path)).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type… encoding emb sub uni object ID: emb is the 5th field from the end
        rows.append({"name": parts[0], "emb": parts[-5], "line": line})
    return rows


def flat(text: str) -> str:
    return "".join(text.split())
