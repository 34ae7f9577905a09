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
# Unit tags, from the headings of a measure (容错情形 / 不予容错情形 / 免责 / 从轻减轻).
UNIT_TAGS = ("situations", "exclusions", "exemption", "mitigation")
# Inside a build's snapshot, the deployment's own documents (settings.local_knowledge_dir) are kept
# apart from the project's, under this folder.
LOCAL = "local"


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


# The reading corpus (.jsonl) counts too: the index is built from a snapshot of these files, and a
# snapshot taken before the corpus changed would keep the old clause model serving.
DATA_SUFFIXES = {".yaml", ".txt", ".jsonl"}


def knowledge_files(knowledge_dir: Path) -> list[Path]:
    """Every data file of the project's knowledge whose change must rebuild the index (a snapshot's
    ``local/`` folder, the deployment's own documents, is hashed apart: see ``content_hash``)."""
    local = knowledge_dir / LOCAL
    return sorted(
        p
        for p in knowledge_dir.rglob("*")
        if p.is_file() and p.suffix in DATA_SUFFIXES and not p.is_relative_to(local)
    )


def local_dir_of(knowledge_dir: Path, local_dir: Path | None = None) -> Path:
    """Where the deployment's own documents are: ``local_dir`` if given, else the snapshot's ``local/``."""
    return local_dir if local_dir is not None else knowledge_dir / LOCAL


def content_hash(knowledge_dir: Path, local_dir: Path | None = None) -> str:
    """The hash of the project's knowledge and the deployment's own documents, the same whether they
    are read where they live or from a build's snapshot (with no local documents: the project's hash)."""
    project = knowledge_hash(knowledge_files(knowledge_dir))
    local = local_dir_of(knowledge_dir, local_dir)
    own = (
        sorted(p for p in local.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES)
        if local.is_dir()
        else []
    )
    if not own:
        return project
    return hashlib.sha256(f"{project}+{knowledge_hash(own)}".encode()).hexdigest()


def document_files(knowledge_dir: Path, local_dir: Path | None = None) -> list[Path]:
    """The document files: the project's, then the deployment's own."""
    local = local_dir_of(knowledge_dir, local_dir) / "docs"
    own = sorted(local.glob("*.yaml")) if local.is_dir() else []
    return sorted((knowledge_dir / "docs").glob("*.yaml")) + own


class _Mapping(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on (for error messages)."""

    line = 0


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are _Mapping, so a problem can name the line of its unit."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_Mapping]:
    data = _Mapping()
    data.line = node.start_mark.line + 1
    yield data  # first the empty mapping, then its contents: recursive structures need both steps
    data.update(loader.construct_mapping(node))


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line(raw: Any) -> int:
    return int(getattr(raw, "line", 0)) or 1


def yaml_error_line(exc: yaml.YAMLError) -> int:
    """The line a YAML syntax error is on (1 when the parser did not say)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def yaml_problems(knowledge_dir: Path) -> list[str]:
    """Every YAML file of the knowledge folder (documents and rules) that does not parse, as
    ``rules/verdict.yaml:12: cannot parse: …``."""
    problems: list[str] = []
    for path in sorted(knowledge_dir.rglob("*.yaml")):
        try:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            where = path.relative_to(knowledge_dir)
            problems.append(f"{where}:{yaml_error_line(exc)}: cannot parse: {_first_line(exc)}")
        except UnicodeDecodeError:
            problems.append(f"{path.relative_to(knowledge_dir)}:1: not UTF-8 text")
    return problems


def _first_line(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else str(exc).splitlines()[0]


def _problem(problems: list[str], file: Path, where: str, message: str, line: int = 1) -> None:
    problems.append(f"{file.name}:{line}: {where}: {message}")


def _parse_document(path: Path, raw: Any, problems: list[str]) -> Document | None:
    if not isinstance(raw, dict):
        _problem(problems, path, "(document)", "not a mapping")
        return None
    line = _line(raw)
    missing = [f for f in DOC_FIELDS if raw.get(f) in (None, "")]
    for name in missing:
        _problem(problems, path, "(document)", f"missing field '{name}'", line)
    if missing:
        return None
    doc_id = str(raw["id"])
    if not DOC_ID_RE.match(doc_id):
        _problem(problems, path, doc_id, "document id must be lowercase ASCII words joined by '-'", line)
    if path.stem != doc_id:
        _problem(problems, path, doc_id, f"file name must be {doc_id}.yaml", line)
    try:
        doc_type = SourceType(raw["type"])
    except ValueError:
        _problem(problems, path, doc_id, f"unknown source type '{raw['type']}'", line)
        return None
    if raw["status"] not in STATUSES:
        _problem(problems, path, doc_id, f"unknown status '{raw['status']}'", line)
    source = raw["source"]
    if not isinstance(source, dict) or not source.get("file"):
        _problem(problems, path, doc_id, "source.file missing", line)
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


def _parse_units(
    path: Path, doc: Document, raw_units: Any, problems: list[str], lines: dict[str, int]
) -> list[Unit]:
    """The units of a document; ``lines`` gets the line each unit starts on."""
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
        line = _line(raw)
        if raw.get("id") is not None:
            where = f"{doc.id}:{raw['id']}"
        missing = [f for f in UNIT_FIELDS if raw.get(f) is None or raw.get(f) == ""]
        for name in missing:
            _problem(problems, path, where, f"missing field '{name}'", line)
        if missing:
            continue
        local_id = str(raw["id"])
        lines[f"{doc.id}:{local_id}"] = line
        if not UNIT_ID_RE.match(local_id):
            _problem(problems, path, where, "unit id must be lowercase ASCII words, '.' between levels", line)
        text = str(raw["text"]).strip()
        if not text:
            _problem(problems, path, where, "empty text", line)
            continue
        if not isinstance(raw["verified"], bool):
            _problem(problems, path, where, "verified must be true or false", line)
        tags = raw.get("tags") or []
        if not isinstance(tags, list) or any(t not in UNIT_TAGS for t in tags):
            _problem(problems, path, where, f"tags must be a list of {', '.join(UNIT_TAGS)}", line)
            tags = []
        unit_type = doc.type
        if raw.get("type") is not None:
            try:
                unit_type = SourceType(raw["type"])
            except ValueError:
                _problem(problems, path, where, f"unknown source type '{raw['type']}'", line)
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
                tags=tuple(str(t) for t in tags),
            )
        )
    return units


def load_knowledge(knowledge_dir: Path, local_dir: Path | None = None) -> KnowledgeBase:
    """Load every document, the project's (``knowledge_dir/docs``) and the deployment's own
    (``local_dir/docs``; by default a snapshot's ``local/docs``); raise KnowledgeError listing every
    problem found, not just the first."""
    docs_dir = knowledge_dir / "docs"
    files = document_files(knowledge_dir, local_dir)
    problems: list[str] = []
    if not files:
        raise KnowledgeError(f"知识库为空：{docs_dir} 下没有文件", [f"{docs_dir}: no documents"])
    documents: dict[str, Document] = {}
    units: dict[str, Unit] = {}
    lines: dict[str, int] = {}
    for path in files:
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - safe
        except yaml.YAMLError as exc:
            _problem(problems, path, "(file)", f"cannot parse: {_first_line(exc)}", yaml_error_line(exc))
            continue
        except UnicodeDecodeError:
            _problem(problems, path, "(file)", "not UTF-8 text")
            continue
        doc = _parse_document(path, raw, problems)
        if doc is None:
            continue
        if doc.id in documents:
            _problem(problems, path, doc.id, "duplicate document id", _line(raw))
            continue
        documents[doc.id] = doc
        unit_lines: dict[str, int] = {}
        for unit in _parse_units(path, doc, raw.get("units"), problems, unit_lines):
            if unit.id in units:
                _problem(problems, path, unit.id, "duplicate unit id", unit_lines.get(unit.id, 1))
                continue
            units[unit.id] = unit
            lines[unit.id] = unit_lines.get(unit.id, 1)
        for unit in [u for u in units.values() if u.doc_id == doc.id]:
            if unit.parent_id and unit.parent_id not in units:
                message = f"parent {unit.parent_id} does not exist"
                _problem(problems, path, unit.id, message, lines.get(unit.id, 1))
    if problems:
        raise KnowledgeError(f"知识库有 {len(problems)} 处错误", problems)
    local = local_dir_of(knowledge_dir, local_dir) / "docs"
    project_files = [f for f in files if not f.is_relative_to(local)]
    own = [f for f in files if f.is_relative_to(local)]
    version = knowledge_hash(project_files)
    if own:  # the same version whether read in place or from a build's snapshot
        version = hashlib.sha256(f"{version}+{knowledge_hash(own)}".encode()).hexdigest()
    return KnowledgeBase(documents=documents, units=units, version=version[:12])
