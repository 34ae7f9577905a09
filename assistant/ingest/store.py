"""The deployment's own documents (settings.local_knowledge_dir): add, replace and remove, each checked
and re-indexed, or undone.

A document is two files: ``docs/<id>.yaml`` and the text it was cut from, ``sources/<id>.txt``. They
are written aside and renamed into place; then the whole base is checked and the index rebuilt. If the
check or the build fails, the files are put back as they were, so the base and the served index stay
what they were. One change at a time (a lock file in the folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.errors import KnowledgeError
from assistant.index import folder_lock
from assistant.ingest.document import (
    Metadata,
    check_exact,
    checked_metadata,
    document_yaml,
    review_rows,
    review_table,
)
from assistant.ingest.extract import IngestError, extract
from assistant.ingest.structure import parse
from assistant.knowledge import load_knowledge
from assistant.settings import Settings

Rebuild = Callable[[], dict[str, Any]]
PENDING_HOURS = 24  # an upload not confirmed within this is dropped


@dataclass(frozen=True)
class Prepared:
    """A document read, parsed and checked, not yet added: what the review table shows."""

    doc_id: str
    title: str
    jurisdiction: str
    yaml_text: str
    source_text: str
    table: str
    rows: list[dict[str, str]]
    replace: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def prepare(
    name: str,
    data: bytes,
    meta: Metadata,
    settings: Settings,
    as_paragraphs: bool = False,
    replace: bool = False,
) -> Prepared:
    """Read ``data`` (a file named ``name``) into a document; IngestError on anything wrong. Writes nothing."""
    extracted = extract(name, data, settings.ingest_max_bytes)
    meta = checked_metadata(meta, settings.knowledge_dir)
    _check_id(meta.doc_id, settings, replace)
    structure = parse(extracted, as_paragraphs)
    check_exact(structure, extracted)
    source_file = f"local/sources/{meta.doc_id}.txt"
    return Prepared(
        doc_id=meta.doc_id,
        title=meta.title,
        jurisdiction=meta.jurisdiction,
        yaml_text=document_yaml(meta, structure, source_file, Path(name).name),
        source_text=extracted.text + "\n",
        table=review_table(meta, structure),
        rows=review_rows(structure),
        replace=replace,
    )


def _paths(settings: Settings, doc_id: str) -> tuple[Path, Path]:
    local = settings.local_knowledge_dir
    return local / "docs" / f"{doc_id}.yaml", local / "sources" / f"{doc_id}.txt"


def _check_id(doc_id: str, settings: Settings, replace: bool) -> None:
    if (settings.knowledge_dir / "docs" / f"{doc_id}.yaml").exists():
        raise IngestError(f"文件编号 {doc_id} 已被项目自带的文件使用，请换一个编号（如加上市县名）。")
    exists = _paths(settings, doc_id)[0].exists()
    if exists and not replace:
        raise IngestError(
            f"文件编号 {doc_id} 已存在（此前导入）。要更正它，请加 --replace 重新导入；要删除，请用 assistant remove {doc_id}。"
        )
    if replace and not exists:
        raise IngestError(f"没有可替换的文件 {doc_id}：请去掉 --replace。")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{os.getpid()}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)  # atomic: a reader sees the old file or the new, never half


@contextmanager
def _undo_on_failure(settings: Settings, paths: tuple[Path, ...]) -> Iterator[None]:
    """Put ``paths`` back as they were if the body raises (the index was never swapped: a failed build
    is discarded), and clear the failure the build recorded, since the base is back to what is served."""
    before = {p: p.read_text(encoding="utf-8") if p.exists() else None for p in paths}
    try:
        yield
    except BaseException:
        for path, text in before.items():
            if text is None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            else:
                _write(path, text)
        _forget_failure(settings)
        raise


def _forget_failure(settings: Settings) -> None:
    from assistant.embedder import make_embedder
    from assistant.index import build_index, is_fresh

    with contextlib.suppress(Exception):
        if is_fresh(settings, make_embedder(settings)):
            build_index(settings)  # fresh: returns at once and clears the recorded failure


def _check_and_rebuild(settings: Settings, rebuild: Rebuild) -> dict[str, Any]:
    try:
        load_knowledge(settings.knowledge_dir, settings.local_knowledge_dir)
        return rebuild()
    except KnowledgeError as exc:
        raise IngestError(
            "导入后知识库校验未通过，已撤销，知识库和索引保持原样："
            + "；".join(exc.problems[:3] or [exc.message])
        ) from exc


def add(prepared: Prepared, settings: Settings, rebuild: Rebuild) -> dict[str, Any]:
    """Write the document, check the base and rebuild the index (``rebuild``); undone on any failure."""
    doc_path, source_path = _paths(settings, prepared.doc_id)
    with folder_lock(settings.local_knowledge_dir):
        _check_id(prepared.doc_id, settings, prepared.replace)  # another upload may have taken the id
        with _undo_on_failure(settings, (doc_path, source_path)):
            _write(source_path, prepared.source_text)
            _write(doc_path, prepared.yaml_text)
            return _check_and_rebuild(settings, rebuild)


def remove(doc_id: str, settings: Settings, rebuild: Rebuild) -> dict[str, Any]:
    """Remove a document added by ingest (never one of the project's) and rebuild the index."""
    doc_path, source_path = _paths(settings, doc_id)
    with folder_lock(settings.local_knowledge_dir):
        if not doc_path.exists():
            if (settings.knowledge_dir / "docs" / f"{doc_id}.yaml").exists():
                raise IngestError(f"{doc_id} 是项目自带的文件，不能用 remove 删除。")
            raise IngestError(f"没有导入过编号为 {doc_id} 的文件（assistant check 列出全部文件）。")
        with _undo_on_failure(settings, (doc_path, source_path)):
            doc_path.unlink()
            with contextlib.suppress(FileNotFoundError):
                source_path.unlink()
            return _check_and_rebuild(settings, rebuild)


def local_documents(settings: Settings) -> list[str]:
    """The ids of the documents added by ingest."""
    folder = settings.local_knowledge_dir / "docs"
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


# Uploads waiting for an administrator's confirmation (the HTTP review step), shared by every worker.


def _pending_dir(settings: Settings) -> Path:
    return settings.data_dir / "ingest-pending"


def save_pending(prepared: Prepared, settings: Settings) -> str:
    """Keep a reviewed upload until it is confirmed; return the id the confirmation names."""
    folder = _pending_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - PENDING_HOURS * 3600
    for old in folder.glob("*.json"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    review_id = secrets.token_hex(12)
    _write(folder / f"{review_id}.json", json.dumps(prepared.to_json(), ensure_ascii=False))
    return review_id


def take_pending(review_id: str, settings: Settings) -> tuple[Prepared, Path]:
    """The upload a confirmation names; IngestError if there is none (expired, or already added)."""
    if not review_id.isalnum() or len(review_id) > 64:
        raise IngestError("review_id 无效。")
    path = _pending_dir(settings) / f"{review_id}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Prepared(**raw), path
    except (OSError, ValueError, TypeError) as exc:
        raise IngestError("找不到待确认的导入（已确认、已过期或 review_id 有误），请重新上传。") from exc


__all__ = ["IngestError", "Metadata", "Prepared", "add", "checked_metadata", "prepare", "remove"]
