"""How a printed draft names its sources: the publication only (knowledge/publications.yaml), never the
curation notes a document's own record keeps for maintainers (mirrors, archive pages, how it was checked)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.domain import Document

PUBLICATIONS_FILE = "publications.yaml"
# Words that mark a curation note rather than a publication: such a part or bracket is left out.
_NOTES = (
    "seed",
    "存档",
    "镜像",
    "转载",
    "逐字",
    "仅含",
    "截断",
    "单一来源",
    "仓库",
    "文号据",
    "出处见",
    "未找到",
    "引注",
)
_BRACKET = re.compile(r"[（(][^（）()]*[）)]")


@lru_cache(maxsize=4)
def _names(knowledge_dir: Path) -> dict[str, str]:
    path = knowledge_dir / PUBLICATIONS_FILE
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in raw.items()}


def without_notes(text: str) -> str:
    """``text`` without the brackets that hold a curation note (innermost first, so nested ones go too)."""
    previous = None
    while previous != text:
        previous = text
        text = _BRACKET.sub(lambda m: "" if any(n in m.group(0) for n in _NOTES) else m.group(0), text)
    return text


def publication_name(document: Document, knowledge_dir: Path) -> str:
    """The publication a draft's annex names for ``document``."""
    named = _names(knowledge_dir).get(document.id)
    if named:
        return named
    text = without_notes(document.publication.split("——")[0])
    parts = [p.strip(" ，,：:") for p in re.split(r"[；;]", text)]
    return "；".join(p for p in parts if p and not any(n in p for n in _NOTES))


def chinese_date(date: str) -> str:
    """2019-08-25 → 2019年8月25日 (other forms as given)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", date.strip())
    if not m:
        return date
    year, month, day = m.groups()
    return f"{year}年{int(month)}月" + (f"{int(day)}日" if day else "")


def source_line(document: Document, knowledge_dir: Path) -> str:
    """来源：issuer, document number and date, then the publication."""
    parts = (without_notes(document.issuer), document.doc_number or "", chinese_date(document.date or ""))
    issued = "，".join(x for x in parts if x)
    publication = publication_name(document, knowledge_dir)
    return f"来源：{issued}。" + (f"载于{publication}。" if publication else "")
