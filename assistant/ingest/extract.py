"""The text of a measure as the officer received it: .docx, .pdf with a text layer, .txt or .md.

Every failure is an IngestError with a Chinese message saying what to do; nothing is written here.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from assistant.errors import InputError

SUFFIXES = (".docx", ".pdf", ".txt", ".md")
# A PDF page of a measure carries hundreds of characters; fewer than this in the whole file means
# the pages are images (a scan) and the text layer is missing.
MIN_PDF_CHARS = 20
# Page numbers a PDF viewer's text layer carries between pages: "- 3 -", "—3—", "3".
PAGE_NUMBER_RE = re.compile(r"^[-—－\s]*\d{1,4}[-—－\s]*$")
MD_MARKUP_RE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s*)")


class IngestError(InputError):
    """A document that cannot be ingested as given; ``found`` lists what was found, for the user."""

    code = "ingest_error"

    def __init__(self, message: str, found: list[str] | None = None) -> None:
        super().__init__(message)
        self.found = found or []


@dataclass(frozen=True)
class Extracted:
    """The text of a file as paragraphs; ``wrapped`` when lines were broken by layout (a PDF), so that
    a paragraph may run over several lines."""

    paragraphs: list[str]
    wrapped: bool
    kind: str

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def extract(name: str, data: bytes, max_bytes: int) -> Extracted:
    """The paragraphs of a document named ``name`` (its suffix says the format) with bytes ``data``."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUFFIXES:
        raise IngestError(
            f"不支持的文件类型“{suffix or name}”：请提供 .docx、.pdf（含文字层）、.txt 或 .md 文件"
            "（旧版 .doc、.wps 请先另存为 .docx）。"
        )
    if len(data) > max_bytes:
        raise IngestError(
            f"文件过大：{len(data) / 1024 / 1024:.1f} MB，超过上限 {max_bytes / 1024 / 1024:.0f} MB"
            "（ASSISTANT_INGEST_MAX_BYTES）。请只提供办法正文。"
        )
    if not data.strip():
        raise IngestError("文件是空的。")
    if suffix == ".docx":
        paragraphs, wrapped = _docx(data), False
    elif suffix == ".pdf":
        paragraphs, wrapped = _pdf(data), True
    else:
        paragraphs, wrapped = _plain(data, markdown=suffix == ".md"), False
    paragraphs = [p for p in (_clean(p) for p in paragraphs) if p]
    if not paragraphs:
        raise IngestError("文件中没有可读的文字。")
    return Extracted(paragraphs, wrapped, suffix[1:])


def _clean(line: str) -> str:
    return line.replace("\u00a0", " ").strip()


def _plain(data: bytes, markdown: bool) -> list[str]:
    for encoding in ("utf-8-sig", "gb18030"):  # UTF-8 first; then the encoding of older Chinese files
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise IngestError("无法读取文本文件：既不是 UTF-8 也不是 GB18030 编码，请另存为 UTF-8。")
    if "\x00" in text:
        raise IngestError("文本文件含有二进制内容，请确认文件类型（.docx、.pdf 请用原扩展名）。")
    lines = text.splitlines()
    if markdown:  # headings, quotes and bold marks are markup, not words of the measure
        lines = [MD_MARKUP_RE.sub("", line).replace("**", "").replace("__", "") for line in lines]
    return lines


def _docx(data: bytes) -> list[str]:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestError(
            "无法打开 .docx 文件：文件已损坏或不是 Word 文档（.docx）。请用 Word/WPS 打开后重新另存为 .docx。"
        ) from exc
    except Exception as exc:  # python-docx raises its own types for a package it cannot read
        raise IngestError("无法打开 .docx 文件：文件已损坏或格式不受支持。请重新另存为 .docx。") from exc
    paragraphs: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):  # a table's cells, row by row (a measure rarely has one)
            for row in block.rows:
                for cell in row.cells:
                    paragraphs.extend(p.text for p in cell.paragraphs)
        else:
            # A manual line break inside a paragraph (Shift+Enter) separates paragraphs too.
            paragraphs.extend(block.text.split("\n"))
    return paragraphs


def _pdf(data: bytes) -> list[str]:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("PDF 文件已加密，无法读取文字。请提供未加密的版本。")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except Exception as exc:  # a malformed PDF may fail anywhere inside the reader, in any way
        raise IngestError("无法读取 PDF 文件：文件已损坏或格式不受支持。") from exc
    text = "\n".join(pages)
    if len(re.sub(r"\s", "", text)) < MIN_PDF_CHARS:
        raise IngestError(
            f"PDF 中没有可提取的文字（共 {len(pages)} 页）：这可能是扫描件或图片。"
            "请提供带文字层的版本（如原始 .docx，或由 Word/WPS 导出的 PDF），或先做文字识别（OCR）并人工校对后以 .docx/.txt 提交。"
        )
    return [line for line in text.splitlines() if not PAGE_NUMBER_RE.match(line)]
