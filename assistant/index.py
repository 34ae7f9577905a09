"""Build, swap and open the search index (BM25 + Chroma vectors) for the knowledge base.

A build goes to a fresh folder and is swapped in by renaming a symlink, so a crash never leaves a
half-written index; it is rebuilt whenever the content hash of knowledge/ or the embedder changes.

Each build keeps a snapshot of the knowledge/ it was built from, and everything that serves it reads
the snapshot, never knowledge/ itself: a file being edited, or left broken, on disk cannot stop a
worker from starting on the last good index. A build that fails (a file that does not parse, a unit
that does not validate, rules that do not load) is never swapped in; the failure is recorded beside
the index (``failed.json``, each problem with its file and line) for /healthz to report.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.embedder import Embedder, make_embedder
from assistant.errors import KnowledgeError, RetrievalError
from assistant.knowledge import LOCAL, KnowledgeBase, content_hash, load_knowledge, yaml_problems
from assistant.lexical import LexicalIndex
from assistant.settings import Settings
from assistant.textseg import Tokenizer, tokenize_corpus
from assistant.vectorstore import ChromaStore, VectorStore, chroma_client

MANIFEST = "manifest.json"
SNAPSHOT = "knowledge"  # the knowledge/ a build was made from, inside its folder
FAILED = "failed.json"  # the last build that failed, beside the builds
FORMAT_VERSION = 2  # 2: builds carry their knowledge snapshot


@dataclass
class SearchIndex:
    """Everything retrieval reads: the base, the tokenizer, BM25, the vector store and its embedder."""

    kb: KnowledgeBase
    tokenizer: Tokenizer
    lexical: LexicalIndex
    vectors: VectorStore
    embedder: Embedder
    unit_ids: list[str]
    manifest: dict[str, Any]
    knowledge_dir: Path | None = None  # the build's snapshot of knowledge/ (None: read knowledge/ itself)


def unit_document(kb: KnowledgeBase, unit_id: str) -> str:
    """The text a unit is indexed by: its title and heading carry words the clause itself may lack."""
    unit = kb.units[unit_id]
    return f"{kb.title_of(unit)} {unit.heading} {unit.text}"


def expected_state(
    settings: Settings, embedder: Embedder, knowledge_dir: Path | None = None
) -> dict[str, Any]:
    if knowledge_dir is None:  # the files where they live: the project's and the deployment's own
        content = content_hash(settings.knowledge_dir, settings.local_knowledge_dir)
    else:  # a build's snapshot, with the deployment's own documents inside it
        content = content_hash(knowledge_dir)
    backend = f"server:{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "embedded"
    return {
        "format": FORMAT_VERSION,
        "knowledge_hash": content,
        "embedder": embedder.id,
        "backend": backend,
    }


def _current(settings: Settings) -> Path:
    return settings.index_dir / "current"


def read_manifest(settings: Settings) -> dict[str, Any] | None:
    path = _current(settings) / MANIFEST
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def is_fresh(settings: Settings, embedder: Embedder) -> bool:
    manifest = read_manifest(settings)
    if manifest is None:
        return False
    want = expected_state(settings, embedder)
    return all(manifest.get(k) == v for k, v in want.items())


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One process at a time in ``folder`` (an index being built, a knowledge folder being written)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_vectors(
    settings: Settings, folder: Path, embedder: Embedder, name: str, create: bool
) -> ChromaStore:
    if settings.chroma_host:
        client = chroma_client(host=settings.chroma_host, port=settings.chroma_port)
    else:
        client = chroma_client(path=folder / "chroma")
    return ChromaStore(client, name, embedder, create=create)


Validator = Callable[[Path], object]


def build_index(settings: Settings, force: bool = False, validate: Validator | None = None) -> dict[str, Any]:
    """Build the index if stale (or ``force``); return the manifest in use.

    ``validate(folder)`` runs on the finished build before it is swapped in (the server opens a whole
    Assistant on it); if it raises, or the knowledge does not load, the build is discarded, the
    failure recorded (``read_failure``) and a KnowledgeError raised: the current index stays."""
    embedder = make_embedder(settings)
    with folder_lock(settings.index_dir):
        if not force and is_fresh(settings, embedder):
            manifest = read_manifest(settings)
            assert manifest is not None
            _clear_failure(settings)  # knowledge/ is back to what is served: an old failure is moot
            return manifest
        builds = settings.index_dir / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        folder = builds / f"build-{time.time_ns()}"
        try:
            manifest = _build(settings, embedder, folder)
            if validate is not None:
                _validated(validate, folder)
        except KnowledgeError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            _record_failure(settings, folder / SNAPSHOT, exc)
            raise
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # a crashed build leaves nothing half-written
            raise
        previous = read_manifest(settings)
        _swap_in(settings, folder)
        _clear_failure(settings)
        if settings.chroma_host:
            keep = {manifest["collection"], (previous or {}).get("collection")}
            _drop_collections(settings, keep)
        return manifest


def _build(settings: Settings, embedder: Embedder, folder: Path) -> dict[str, Any]:
    """Write a whole index into ``folder``: the knowledge snapshot first, then everything from it."""
    started = time.perf_counter()
    folder.mkdir()
    snapshot = folder / SNAPSHOT
    # Copied before reading, so that an edit made during the build cannot mix two versions.
    shutil.copytree(settings.knowledge_dir, snapshot, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    if settings.local_knowledge_dir.is_dir():  # the deployment's own documents (assistant ingest)
        shutil.copytree(
            settings.local_knowledge_dir, snapshot / LOCAL, ignore=shutil.ignore_patterns(".*", "__pycache__")
        )
    problems = yaml_problems(snapshot)
    if problems:
        raise KnowledgeError(f"知识库有 {len(problems)} 处错误", problems)
    kb = load_knowledge(snapshot)
    state = expected_state(settings, embedder, snapshot)
    tokenizer = Tokenizer(snapshot, settings.data_dir / "cache")
    unit_ids = list(kb.units)
    documents = [unit_document(kb, uid) for uid in unit_ids]
    LexicalIndex.build(tokenize_corpus(tokenizer, documents)).save(folder / "bm25")
    # A collection of its own per build: on a shared Chroma server the one being served is never
    # touched while the next is written; superseded ones are dropped after the swap.
    embedder_tag = hashlib.sha256(embedder.id.encode()).hexdigest()[:8]
    collection = f"units-{state['knowledge_hash'][:12]}-{embedder_tag}-{folder.name.rsplit('-', 1)[-1]}"
    store = _open_vectors(settings, folder, embedder, collection, create=True)
    metadatas = [
        {
            "doc_id": kb.units[u].doc_id,
            "type": str(kb.units[u].type),
            "jurisdiction": kb.units[u].jurisdiction,
        }
        for u in unit_ids
    ]
    store.add(unit_ids, embedder.embed(documents), metadatas)
    manifest = {
        **state,
        "collection": collection,
        "units": len(unit_ids),
        "knowledge_version": kb.version,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.perf_counter() - started, 3),
    }
    (folder / "units.json").write_text(json.dumps(unit_ids, ensure_ascii=False), encoding="utf-8")
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _validated(validate: Validator, folder: Path) -> None:
    """Run the validator; anything it raises becomes a KnowledgeError naming what failed."""
    try:
        validate(folder)
    except KnowledgeError:
        raise
    except Exception as exc:  # rules that do not load: a bad pattern, a missing key, a wrong type
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        raise KnowledgeError("知识库规则无法加载", [f"(rules): {detail}"]) from exc


def _record_failure(settings: Settings, snapshot: Path, exc: KnowledgeError) -> None:
    """Remember the failed build for /healthz (atomically: workers read it at any moment)."""
    try:
        content = content_hash(snapshot) if snapshot.exists() else None
    except OSError:
        content = None
    record = {
        "error": exc.message,
        "problems": exc.problems[:20],
        "knowledge_hash": content,
        "failed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    temporary = settings.index_dir / f".{FAILED}-{os.getpid()}"
    temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, settings.index_dir / FAILED)


def _clear_failure(settings: Settings) -> None:
    with contextlib.suppress(FileNotFoundError):
        (settings.index_dir / FAILED).unlink()


def read_failure(settings: Settings) -> dict[str, Any] | None:
    """The last failed build (error, problems with file and line, when), if none has succeeded since."""
    try:
        return dict(json.loads((settings.index_dir / FAILED).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _drop_collections(settings: Settings, keep: set[str | None]) -> None:
    """Server mode: remove this assistant's superseded collections (the previous one stays for readers
    that opened it just before the swap)."""
    client = chroma_client(host=settings.chroma_host, port=settings.chroma_port)
    for item in client.list_collections():
        name = getattr(item, "name", item)
        if isinstance(name, str) and name.startswith("units-") and name not in keep:
            with contextlib.suppress(Exception):  # another builder dropped it first
                client.delete_collection(name)


def _swap_in(settings: Settings, folder: Path) -> None:
    current = _current(settings)
    previous = current.resolve() if current.is_symlink() else None
    link = settings.index_dir / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(folder.relative_to(settings.index_dir))
    os.replace(link, current)  # atomic on POSIX: readers see the old index or the new, never half
    keep = {folder.resolve()} | ({previous} if previous else set())
    # Keep the previous build for readers that opened it just before the swap.
    for old in (settings.index_dir / "builds").iterdir():
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


def open_index(settings: Settings, build_if_stale: bool = True) -> SearchIndex:
    """Open the current index read-only, building it first if it is missing or stale."""
    embedder = make_embedder(settings)
    if not is_fresh(settings, embedder):
        if not build_if_stale:
            raise RetrievalError("索引缺失或已过期，请先运行 `assistant index`。")
        build_index(settings)
    return open_build(settings)


def open_build(settings: Settings, folder: Path | None = None) -> SearchIndex:
    """Open a build (the current one by default) as it is, however knowledge/ has changed since: the
    knowledge comes from its snapshot. Never builds."""
    embedder = make_embedder(settings)
    folder = (folder or _current(settings)).resolve()
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        unit_ids = json.loads((folder / "units.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RetrievalError("索引不存在或已损坏，请先运行 `assistant index`。") from exc
    if manifest.get("embedder") != embedder.id:
        raise RetrievalError("索引的向量模型与当前设置不一致，请运行 `assistant index`。")
    snapshot = folder / SNAPSHOT
    knowledge_dir = snapshot if snapshot.is_dir() else settings.knowledge_dir
    kb = load_knowledge(knowledge_dir, None if snapshot.is_dir() else settings.local_knowledge_dir)
    if set(unit_ids) != set(kb.units):
        raise RetrievalError("索引与知识库不一致，请运行 `assistant index --rebuild`。")
    tokenizer = Tokenizer(knowledge_dir, settings.data_dir / "cache")
    lexical = LexicalIndex.load(folder / "bm25", len(unit_ids))
    vectors = _open_vectors(settings, folder, embedder, manifest["collection"], create=False)
    return SearchIndex(kb, tokenizer, lexical, vectors, embedder, unit_ids, manifest, knowledge_dir)


def has_index(settings: Settings) -> bool:
    """Whether any build is being served (``current`` points at a finished build)."""
    return (_current(settings) / MANIFEST).exists()
