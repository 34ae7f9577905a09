"""What the base holds for each province: clause text (regulation units), official disclosures,
cases and commentary, per document (printed by ``assistant check``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
    # place → kind → document → [units, of which unverified]
    counts: dict[str, dict[SourceType, dict[str, list[int]]]] = defaultdict(lambda: defaultdict(dict))
    for unit in kb:
        if unit.jurisdiction == NATIONAL:
            continue
        tally = counts[unit.jurisdiction][unit.type].setdefault(unit.doc_id, [0, 0])
        tally[0] += 1
        tally[1] += not unit.verified
    for doc in kb.documents.values():  # a document known only by its title and number: no units yet
        if doc.jurisdiction != NATIONAL and not any(u.doc_id == doc.id for u in kb):
            counts[doc.jurisdiction][doc.type].setdefault(doc.id, [0, 0])
    out: dict[str, dict[str, list[str]]] = {}
    for place in sorted(counts):
        out[place] = {
            KIND_NAMES[kind]: [
                f"《{kb.documents[doc_id].title}》" + _count(n, unverified)
                for doc_id, (n, unverified) in counts[place][kind].items()
            ]
            for kind in SourceType
            if counts[place][kind]
        }
    return out


def _count(n: int, unverified: int) -> str:
    if n == 0:
        return "仅标题与文号，无条文"
    return f"{n} 个单元" + (f"（{unverified} 个条文待核）" if unverified else "")


def coverage_lines(kb: KnowledgeBase, provinces: Iterable[str] = ()) -> list[str]:
    """The lines ``assistant check`` prints: each province's documents by kind, then the provinces
    with none (answered from the national rules only)."""
    lines = ["各省（区、市）文件：条文 = 正式文本的条款；披露 = 官方公开介绍（非条文原文）"]
    found = coverage(kb)
    for place, kinds in found.items():
        lines.append(f"  {place}：")
        for kind, docs in kinds.items():
            lines.append(f"    {kind}：{'；'.join(docs)}")
    missing = [p for p in provinces if p not in found]
    if missing:
        lines.append(f"  无本省文件（只按全国性规定回答）：{'、'.join(missing)}")
    return lines
