"""An ingested measure as a document of the knowledge spec: metadata checked, units checked against
the extracted text, the YAML written, and the review table an officer reads before confirming."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any

import yaml

from assistant.domain import SourceType
from assistant.ingest.extract import Extracted, IngestError
from assistant.ingest.structure import Structure, tag_names
from assistant.intent import Provinces
from assistant.knowledge import DOC_ID_RE, STATUSES

NATIONAL = "全国"
DATE_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
FIRST_WORDS = 24


@dataclass(frozen=True)
class Metadata:
    """What the officer says about the document (the command's options, the upload's fields)."""

    doc_id: str
    title: str
    jurisdiction: str
    type: str
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    short_title: str | None = None
    status: str | None = None


def checked_metadata(meta: Metadata, knowledge_dir: Path) -> Metadata:
    """The metadata with the jurisdiction in its canonical form; IngestError naming what is wrong."""
    doc_id = meta.doc_id.strip()
    if not DOC_ID_RE.match(doc_id) or not re.search(r"-\d{4}$", doc_id):
        raise IngestError(
            f"文件编号“{meta.doc_id}”不合规范：须为小写英文单词和数字，以“-”连接，以年份结尾，"
            "如 mianyang-tolerance-2018。"
        )
    title = meta.title.strip().strip("《》")
    if not title:
        raise IngestError("请给出文件标题（--title）。")
    try:
        kind = SourceType(meta.type)
    except ValueError:
        raise IngestError(
            f"未知的文件类型“{meta.type}”：应为 regulation（条文）、disclosure（官方披露）、case（案例）"
            "或 commentary（评论）。"
        ) from None
    if meta.date is not None and not _valid_date(meta.date):
        raise IngestError(f"日期“{meta.date}”格式不对：应为 YYYY-MM-DD（或 YYYY-MM、YYYY）。")
    if meta.status is not None and meta.status not in STATUSES:
        raise IngestError(f"未知的效力状态“{meta.status}”：应为 {'、'.join(sorted(STATUSES))}。")
    return Metadata(
        doc_id=doc_id,
        title=title,
        jurisdiction=_jurisdiction(meta.jurisdiction, knowledge_dir),
        type=str(kind),
        issuer=(meta.issuer or "").strip() or None,
        doc_number=(meta.doc_number or "").strip() or None,
        date=meta.date,
        short_title=(meta.short_title or "").strip() or None,
        status=meta.status,
    )


def _valid_date(value: str) -> bool:
    if not DATE_RE.match(value):
        return False
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        Date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def _jurisdiction(value: str, knowledge_dir: Path) -> str:
    value = (value or "").strip()
    if value in (NATIONAL, "中央", "全国性"):
        return NATIONAL
    try:
        name = Provinces(knowledge_dir).resolve(value)
    except Exception:
        name = None
    if not name:
        raise IngestError(
            f"未知的适用地区“{value}”：--jurisdiction 应为“全国”或省级行政区名称（如“四川”“湖北”）；"
            "市县的办法请填所在省份。"
        )
    return name


def check_exact(structure: Structure, extracted: Extracted) -> None:
    """Every unit's text is the document's own words: each paragraph of it occurs in the extracted
    text (whitespace aside), so nothing was paraphrased or lost on the way."""
    source = re.sub(r"\s", "", extracted.text)
    for unit in structure.units:
        for paragraph in unit.paragraphs:
            if re.sub(r"\s", "", paragraph) not in source:
                raise IngestError(f"内部核对失败：单元 {unit.id}（{unit.label}）的文字与原文不一致，未写入。")


def document_yaml(meta: Metadata, structure: Structure, source_file: str, original_name: str) -> str:
    """The document in the format of knowledge/docs (see knowledge/README.md)."""
    doc: dict[str, Any] = {
        "id": meta.doc_id,
        "title": meta.title,
        "short_title": meta.short_title or f"《{meta.title}》",
        "type": meta.type,
        "issuer": meta.issuer or "未注明",
        "doc_number": meta.doc_number,
        "date": meta.date or "未知",
        "effective": None,
        "status": meta.status or "未知",
        "jurisdiction": meta.jurisdiction,
        "source": {
            "file": source_file,
            "publication": f"部署单位导入的文件：{original_name}（assistant ingest）",
            "page_markers": False,
        },
        "summary": f"由 {original_name} 导入的{meta.jurisdiction}文件，按文件自身结构分为 {len(structure.units)} 个单元。",
        "units": [
            {
                "id": unit.id,
                "label": unit.label,
                "heading": unit.heading,
                "text": unit.text,
                "verified": True,  # the deploying organisation's own copy of its measure
                **({"tags": list(unit.tags)} if unit.tags else {}),
            }
            for unit in structure.units
        ],
    }
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000)


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks, as the hand-written documents have them."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def review_rows(structure: Structure) -> list[dict[str, str]]:
    """One row per unit: id, label, tag, first words."""
    rows = []
    for unit in structure.units:
        words = unit.text.replace("\n", " ")
        rows.append(
            {
                "id": unit.id,
                "label": unit.label,
                "tag": tag_names(unit.tags),
                "first_words": words[:FIRST_WORDS] + ("…" if len(words) > FIRST_WORDS else ""),
            }
        )
    return rows


def review_table(meta: Metadata, structure: Structure) -> str:
    """The table an officer checks before the document is added."""
    kinds = {"articles": "按“第X条”分条", "outline": "按“一、（一）”等层级编号", "paragraphs": "按段落"}
    lines = [
        f"《{meta.title}》 编号 {meta.doc_id} · {meta.jurisdiction} · {meta.type} · "
        f"{kinds[structure.kind]}，共 {len(structure.units)} 个单元",
        "单元编号\t标注\t标签\t开头文字",
    ]
    for row in review_rows(structure):
        lines.append(f"{meta.doc_id}:{row['id']}\t{row['label']}\t{row['tag'] or '—'}\t{row['first_words']}")
    if structure.context:
        shown = "；".join(c[:20] for c in structure.context[:6])
        lines.append(f"未作为单元（标题、文号、章节标题等）：{shown}")
    return "\n".join(lines)
