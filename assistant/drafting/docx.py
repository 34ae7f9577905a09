"""A rationale draft as a .docx in official-document layout, with an annex of every cited clause in full."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from assistant.domain import Citation
from assistant.drafting.draft import Draft
from assistant.drafting.layout import (
    add_body,
    add_heading,
    add_page_break,
    add_signature,
    add_title,
    new_document,
)
from assistant.drafting.sources import source_line
from assistant.drafting.templates import mark
from assistant.errors import InputError
from assistant.knowledge import KnowledgeBase
from assistant.settings import get_settings

ANNEX_HEADING = "附件：引用条文原文"
UNVERIFIED = "条文待核：此条文字尚未与官方发布文本核对一致，正式使用前请核对原文。"


def to_docx(draft: Draft, kb: KnowledgeBase, out: str | Path | IO[bytes]) -> None:
    """Write ``draft`` as a .docx to a path or a binary stream (e.g. io.BytesIO for an HTTP response).

    Layout: A4; title in 小标宋 (fallback SimSun); body in 仿宋_GB2312 (fallback FangSong) 三号 with a
    two-character first-line indent; the four sections with numbered citations 〔n〕; the closing
    statement; then, on a new page, the annex with each cited unit's full title and article, its
    whole text, its source, and 条文待核 for units not yet checked against an official text.
    Raises InputError when the path cannot be written.
    """
    doc = new_document()
    add_title(doc, draft.title)
    if draft.mode == "llm":
        # A rewrite that passed the grounding checks is one text; keep its paragraphs as written.
        for line in draft.text.splitlines()[1:]:
            if line.strip() and line.strip() not in draft.signature:  # placed below, right-aligned
                _line(doc, line, [h for h, _ in draft.sections])
    else:
        for heading, paragraphs in draft.sections:
            add_heading(doc, heading)
            for paragraph in paragraphs:
                add_body(doc, paragraph)
        add_body(doc, draft.closing)
    add_signature(doc, draft.signature)
    add_page_break(doc)
    add_heading(doc, ANNEX_HEADING, indent=False)
    for number, citation in enumerate(draft.citations, 1):
        _annex_entry(doc, kb, number, citation)
    _save(doc, out)


def _line(doc: Any, line: str, headings: list[str]) -> None:
    if line.strip() in headings:
        add_heading(doc, line.strip())
    else:
        add_body(doc, line.strip())


def _annex_entry(doc: Any, kb: KnowledgeBase, number: int, citation: Citation) -> None:
    unit = kb.units[citation.id]
    document = kb.documents[unit.doc_id]
    add_body(doc, f"{mark(number)}{citation.title}", indent=False, bold=True)
    for line in unit.text.splitlines():
        add_body(doc, line)
    add_body(doc, source_line(document, get_settings().knowledge_dir), indent=False)
    if not unit.verified:
        add_body(doc, UNVERIFIED, indent=False)


def _save(doc: Any, out: str | Path | IO[bytes]) -> None:
    if isinstance(out, str | Path):
        path = Path(out)
        if path.suffix.lower() != ".docx":
            raise InputError(f"输出文件须以 .docx 结尾：{path}")
        try:
            doc.save(str(path))
        except OSError as exc:
            raise InputError(f"无法写入文件 {path}：{exc.strerror or type(exc).__name__}") from exc
    else:
        doc.save(out)
