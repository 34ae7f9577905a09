"""Load and validate the clause base in ``knowledge/docs``; look units up by id."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.domain import Citation, Document, SourceType, Unit
from assistant.errors import KnowledgeError

DOC_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UNIT_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")
DOC_FIELDS = ("id", "title", "short_title", "type", "issuer", "date", "status", "jurisdiction", "source")
UNIT_FIELDS = ("id", "label", "text", "verified")
STATUSES = {"现行有效", "已修订", "已废止", "未知"}


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole base: documents by id, units by citation id (in file order)."""

    documents: dict[str, Document]
    units: dict[str, Unit]
    version: str

    def get(self, unit_id: str) -> Unit | None:
        return self.units.get(unit_id)

    def document_of(self, unit: Unit) -> Document:
        return self.documents[unit.doc_id]

    def children(self, unit_id: str) -> list[Unit]:
        prefix = unit_id + "."
        return [
            u for uid, u in self.units.items() if uid.startswith(prefix) and "." not in uid[len(prefix) :]
        ]

    def citation(self, unit: Unit, quote: str) -> Citation:
        """A citation of ``unit`` by its full title and label (the quote is checked by verify, not here)."""
        doc = self.documents[unit.doc_id]
        return Citation(
            id=unit.id,
            doc_id=unit.doc_id,
            title=f"《{doc.title}》{unit.label}",
            quote=quote,
            source_type=unit.type,
            verified=unit.verified,
        )

    def title_of(self, unit: Unit) -> str:
        """How an answer names a unit: 《问责条例》第十七条."""
        return f"{self.documents[unit.doc_id].short_title}{unit.label}"

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units.values())


def knowledge_hash(paths: Iterable[Path]) -> str:
    """Content hash of the given files (names and bytes), stable across machines."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def knowledge_files(knowledge_dir: Path) -> list[Path]:
    """Every data file whose change must rebuild the index."""
    return sorted(p for p in knowledge_dir.rglob("*") if p.is_file() and p.suffix in {".yaml", ".txt"})


def _problem(problems: list[str], file: Path, where: str, message: str) -> None:
    problems.append(f"{file.name}: {where}: {message}")


def _parse_document(path: Path, raw: Any, problems: list[str]) -> Document | None:
    if not isinstance(raw, dict):
        _problem(problems, path, "(document)", "not a mapping")
        return None
    missing = [f for f in DOC_FIELDS if raw.get(f) in (None, "")]
    for name in missing:
        _problem(problems, path, "(document)", f"missing field '{name}'")
    if missing:
        return None
    doc_id = str(raw["id"])
    if not DOC_ID_RE.match(doc_id):
        _problem(problems, path, doc_id, "document id must be lowercase ASCII words joined by '-'")
    if path.stem != doc_id:
        _problem(problems, path, doc_id, f"file name must be {doc_id}.yaml")
    try:
        doc_type = SourceType(raw["type"])
    except ValueError:
        _problem(problems, path, doc_id, f"unknown source type '{raw['type']}'")
        return None
    if raw["status"] not in STATUSES:
        _problem(problems, path, doc_id, f"unknown status '{raw['status']}'")
    source = raw["source"]
    if not isinstance(source, dict) or not source.get("file"):
        _problem(problems, path, doc_id, "source.file missing")
        return None
    return Document(
        id=doc_id,
        title=str(raw["title"]),
        short_title=str(raw["short_title"]),
        type=doc_type,
        issuer=str(raw["issuer"]),
        doc_number=raw.get("doc_number"),
        date=str(raw["date"]),
        effective=None if raw.get("effective") is None else str(raw["effective"]),
        status=str(raw["status"]),
        jurisdiction=str(raw["jurisdiction"]),
        source_file=str(source["file"]),
        publication=str(source.get("publication") or ""),
        summary=str(raw.get("summary") or ""),
        page_markers=bool(source.get("page_markers", False)),
    )


def _parse_units(path: Path, doc: Document, raw_units: Any, problems: list[str]) -> list[Unit]:
    if raw_units is None:
        raw_units = []
    if not isinstance(raw_units, list):
        _problem(problems, path, doc.id, "units must be a list")
        return []
    units: list[Unit] = []
    for index, raw in enumerate(raw_units):
        where = f"{doc.id}:#{index}"
        if not isinstance(raw, dict):
            _problem(problems, path, where, "unit is not a mapping")
            continue
        if raw.get("id") is not None:
            where = f"{doc.id}:{raw['id']}"
        missing = [f for f in UNIT_FIELDS if raw.get(f) is None or raw.get(f) == ""]
        for name in missing:
            _problem(problems, path, where, f"missing field '{name}'")
        if missing:
            continue
        local_id = str(raw["id"])
        if not UNIT_ID_RE.match(local_id):
            _problem(problems, path, where, "unit id must be lowercase ASCII words, '.' between levels")
        text = str(raw["text"]).strip()
        if not text:
            _problem(problems, path, where, "empty text")
            continue
        if not isinstance(raw["verified"], bool):
            _problem(problems, path, where, "verified must be true or false")
        unit_type = doc.type
        if raw.get("type") is not None:
            try:
                unit_type = SourceType(raw["type"])
            except ValueError:
                _problem(problems, path, where, f"unknown source type '{raw['type']}'")
        units.append(
            Unit(
                id=f"{doc.id}:{local_id}",
                doc_id=doc.id,
                local_id=local_id,
                label=str(raw["label"]),
                heading=str(raw.get("heading") or ""),
                text=text,
                verified=bool(raw["verified"]),
                type=unit_type,
                source_file=str(raw.get("source_file") or doc.source_file),
                jurisdiction=doc.jurisdiction,
            )
        )
    return units


def load_knowledge(knowledge_dir: Path) -> KnowledgeBase:
    """Load every document; raise KnowledgeError listing every problem found, not just the first."""
    docs_dir = knowledge_dir / "docs"
    files = sorted(docs_dir.glob("*.yaml"))
    problems: list[str] = []
    if not files:
        raise KnowledgeError(f"知识库为空：{docs_dir} 下没有文件", [f"{docs_dir}: no documents"])
    documents: dict[str, Document] = {}
    units: dict[str, Unit] = {}
    for path in files:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            _problem(problems, path, "(file)", f"cannot parse: {exc}")
            continue
        doc = _parse_document(path, raw, problems)
        if doc is None:
            continue
        if doc.id in documents:
            _problem(problems, path, doc.id, "duplicate document id")
            continue
        documents[doc.id] = doc
        for unit in _parse_units(path, doc, raw.get("units"), problems):
            if unit.id in units:
                _problem(problems, path, unit.id, "duplicate unit id")
                continue
            units[unit.id] = unit
        for unit in [u for u in units.values() if u.doc_id == doc.id]:
            if unit.parent_id and unit.parent_id not in units:
                _problem(problems, path, unit.id, f"parent {unit.parent_id} does not exist")
    if problems:
        raise KnowledgeError(f"知识库有 {len(problems)} 处错误", problems)
    return KnowledgeBase(documents=documents, units=units, version=knowledge_hash(files)[:12])
