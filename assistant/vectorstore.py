"""Vectors in Chroma, embedded (``PersistentClient`` under the data dir) or a server (``HttpClient``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.embedder import Embedder, HashingEmbedder
from assistant.errors import RetrievalError

# Chroma's product telemetry tries the network; it is off in the client settings, and quiet here.
logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)


@register_embedding_function
class AssistantEmbeddingFunction(EmbeddingFunction[Documents]):
    """Registered so that a reopened collection never falls back to Chroma's downloading default.

    The assistant always passes vectors explicitly; this function exists for Chroma's bookkeeping
    and computes offline hashing vectors if Chroma ever calls it.
    """

    def __init__(self, dim: int = 512) -> None:
        self._embedder = HashingEmbedder(dim)

    def __call__(self, input: Documents) -> Embeddings:
        return [row for row in self._embedder.embed(list(input))]

    @staticmethod
    def name() -> str:
        return "sanqu-assistant"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self._embedder.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> AssistantEmbeddingFunction:
        return AssistantEmbeddingFunction(int(config.get("dim", 512)))


class VectorStore(Protocol):
    """What retrieval needs of a vector backend."""

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None: ...

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...

    def count(self) -> int: ...


def _client_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def chroma_client(path: Path | None = None, host: str | None = None, port: int = 8001) -> Any:
    """An embedded client at ``path`` or an HTTP client of a ``chroma run`` server."""
    import chromadb

    try:
        if host:
            return chromadb.HttpClient(host=host, port=port, settings=_client_settings())
        assert path is not None
        return chromadb.PersistentClient(path=str(path), settings=_client_settings())
    except Exception as exc:
        where = f"{host}:{port}" if host else str(path)
        raise RetrievalError(f"无法连接向量库（{where}）：{type(exc).__name__}") from exc


class ChromaStore:
    """One Chroma collection of unit vectors (cosine space)."""

    def __init__(self, client: Any, name: str, embedder: Embedder, create: bool = False) -> None:
        self.name = name
        dim = int(embedder.embed(["维度"]).shape[1])
        function = AssistantEmbeddingFunction(dim)
        try:
            if create:
                self._collection = client.create_collection(
                    name=name, embedding_function=function, metadata={"hnsw:space": "cosine"}
                )
            else:
                self._collection = client.get_collection(name=name, embedding_function=function)
        except Exception as exc:
            raise RetrievalError(f"向量集合 {name} 不可用：{type(exc).__name__}: {exc}") from exc
        self._count = int(self._collection.count())

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        batch = 2000
        for start in range(0, len(ids), batch):
            self._collection.add(
                ids=ids[start : start + batch],
                embeddings=[row for row in vectors[start : start + batch]],
                metadatas=metadatas[start : start + batch],
            )
        self._count = int(self._collection.count())

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        k = max(1, min(k, self.count()))
        result = self._collection.query(query_embeddings=[vector], n_results=k, include=["distances"])
        ids = result["ids"][0]
        distances = result["distances"][0] if result.get("distances") else [0.0] * len(ids)
        return list(zip(ids, (float(d) for d in distances), strict=True))

    def count(self) -> int:
        return self._count
