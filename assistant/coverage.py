"""What the base holds for each province: clause text (regulation units), official disclosures,
cases and commentary, per document (printed by ``assistant check``)."""

from __future__ import annotations

from collections import defaultdict

from assistant.domain import SourceType
from assistant.knowledge import KnowledgeBase

KIND_NAMES = {
    SourceType.REGULATION: "条文",
    SourceType.DISCLOSURE: "披露",
    SourceType.CASE: "案例",
    SourceType.COMMENTARY: "评论",
}
NATIONAL = "全国"


def coverage(kb: KnowledgeBase) -> dict[str, dict[str, list[str]]]:
    """Per jurisdiction other than 全国, per kind (条文 / 披露 / 案例 / 评论): "《title》N 个单元" entries."""
    counts: dict[str, dict[SourceType, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for unit in kb:
        if unit.jurisdiction == NATIONAL:
            continue
        per_doc = counts[unit.jurisdiction][unit.type]
        per_doc[unit.doc_id] = per_doc.get(unit.doc_id, 0) + 1
    for doc in kb.documents.values():  # a document known only by its title and number: no units yet
        if doc.jurisdiction != NATIONAL and not any(u.doc_id == doc.id for u in kb):
            counts[doc.jurisdiction][doc.type].setdefault(doc.id, 0)
    out: dict[str, dict[str, list[str]]] = {}
    for place in sorted(counts):
        out[place] = {
            KIND_NAMES[kind]: [
                f"《{kb.documents[doc_id].title}》{n} 个单元" for doc_id, n in counts[place][kind].items()
            ]
            for kind in SourceType
            if counts[place][kind]
        }
    return out


def coverage_lines(kb: KnowledgeBase) -> list[str]:
    lines = ["各省（区、市）文件：条文 = 正式文本的条款；披露 = 官方公开介绍（非条文原文）"]
    for place, kinds in coverage(kb).items():
        lines.append(f"  {place}：")
        for kind, docs in kinds.items():
            lines.append(f"    {kind}：{'；'.join(docs)}")
    return lines
