"""Reading printed sheets back as a reader would: each PDF page rendered by poppler's
``pdftoppm``, the text layer by ``pdftotext``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from matplotlib.image import imread

__all__ = ["page_images", "page_text", "poppler"]


def poppler(tool: str) -> str:
    """The path of a poppler-utils tool (Makefile APT_PACKAGES installs them)."""
    path = shutil.which(tool)
    assert path is not None, f"{tool} missing: install the Debian package poppler-utils"
    return path


def page_images(pdf: Path, out: Path, dpi: int = 40) -> list[np.ndarray]:
    """Every page of ``pdf`` rendered to PNG at ``dpi``, as RGB arrays (0–1)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([poppler("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(out / "page")],
                   check=True, capture_output=True, timeout=120)
    return [np.asarray(imread(p))[..., :3] for p in sorted(out.glob("page*.png"))]


def page_text(pdf: Path) -> str:
    """The PDF's text layer (what search and copy see)."""
    done = subprocess.run([poppler("pdftotext"), "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=120)
    return done.stdout
