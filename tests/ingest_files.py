"""Documents for the ingestion tests, written the way an officer's files come: .docx (python-docx),
.pdf (reportlab, lines wrapped as a layout wraps them, page numbers between pages), .txt and .md."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"  # one of reportlab's built-in CJK fonts: nothing to download
MIANYANG_SOURCE = "sources/provincial/sichuan-mianyang-2018-tolerance-measures.txt"
MIANYANG_TITLE = "绵阳市容错纠错实施办法（试行）"


def mianyang_paragraphs(shared_dir: Path) -> list[str]:
    """The 绵阳 2018 measure as far as the source gives it: its title, chapter heading, articles and
    item, in the source's own words (the truncated item and the source's notes left out)."""
    lines = (shared_dir / MIANYANG_SOURCE).read_text(encoding="utf-8").splitlines()
    body = [
        line.strip()
        for line in lines
        if line.startswith(("第一章", "第一条", "第二条", "第三条", "第四条", "（一）")) and "【" not in line
    ]
    return [MIANYANG_TITLE, "（绵委办发〔2018〕25号）", *body]


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(paragraphs: list[str], chars_per_line: int = 28, lines_per_page: int = 30) -> bytes:
    """A PDF with a text layer: each paragraph wrapped at ``chars_per_line``, a page number at the
    foot of each page, as a word processor's export has it."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    lines = [p[i : i + chars_per_line] for p in paragraphs for i in range(0, max(len(p), 1), chars_per_line)]
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for page, start in enumerate(range(0, len(lines), lines_per_page), 1):
        pdf.setFont(FONT, 12)
        for row, line in enumerate(lines[start : start + lines_per_page]):
            pdf.drawString(60, 780 - row * 22, line)
        pdf.drawString(280, 40, f"- {page} -")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A PDF whose page is a picture only (drawn shapes, no text layer), as a scan is."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for row in range(20):
        pdf.rect(60, 760 - row * 30, 400, 12, fill=1)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
