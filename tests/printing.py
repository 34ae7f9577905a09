"""Rendering documents to PDF for the print tests: Debian's LibreOffice (soffice) converts, poppler's
pdftotext reads each page. ``make office`` installs both (as root); without them the tests skip and say so."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

MISSING = (
    "print tests need LibreOffice (soffice) and poppler (pdftotext, pdfinfo): "
    "make office installs them as root (apt-get install libreoffice-writer-nogui poppler-utils)"
)


def require_office() -> None:
    """Skip the calling test, saying why, when the renderers are not installed."""
    if not all(shutil.which(tool) for tool in ("soffice", "pdftotext", "pdfinfo")):
        pytest.skip(MISSING)


def to_pdf(document: Path, out_dir: Path) -> Path:
    """``document`` (.docx) rendered to PDF by LibreOffice, with a profile of its own (parallel runs of
    soffice sharing one profile fail)."""
    profile = out_dir / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = out_dir / (document.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {document}"
    return pdf


def pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf``, in order."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def squash(text: str) -> str:
    """Page text without the spaces and line breaks layout puts inside Chinese lines."""
    return "".join(text.split())


_PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.M)


def joined(texts: list[str]) -> str:
    """The pages' text as one squashed run without the page numbers, so a sentence broken by a page
    break reads whole."""
    return squash("".join(_PAGE_NUMBER.sub("", page) for page in texts))
