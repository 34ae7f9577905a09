"""Embedders behind one protocol: an offline hashing embedder (downloads nothing) and any
OpenAI-compatible ``/v1/embeddings`` endpoint."""

from __future__ import annotations

import hashlib
import re
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.errors import UpstreamError
from assistant.normalize import fold
from assistant.settings import Settings

_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors. ``id`` names the model so an index knows who built it."""

    @property
    def id(self) -> str: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


class HashingEmbedder:
    """Character n-grams (1–3) hashed into a fixed space with signs, log-tf weighted, L2-normalised.

    No model, no download: similarity is surface overlap, which suits clause wording. It is a
    fallback that keeps the vector path real offline; an embedding endpoint replaces it by settings.
    """

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim
        self._cache: dict[str, tuple[int, float]] = {}

    @property
    def id(self) -> str:
        return f"hashing-ngram-v1-{self.dim}"

    def _slot(self, gram: str) -> tuple[int, float]:
        slot = self._cache.get(gram)
        if slot is None:
            digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            slot = (value % self.dim, 1.0 if (value >> 40) & 1 else -1.0)
            if len(self._cache) < 500_000:
                self._cache[gram] = slot
        return slot

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            counts: dict[str, int] = {}
            for run in _CJK_OR_WORD.findall(fold(text).lower()):
                for n in (1, 2, 3):
                    for i in range(len(run) - n + 1):
                        gram = run[i : i + n]
                        counts[gram] = counts.get(gram, 0) + 1
            for gram, count in counts.items():
                index, sign = self._slot(gram)
                out[row, index] += sign * (1.0 + np.log(count)) * (0.5 if len(gram) == 1 else 1.0)
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


class OpenAICompatibleEmbedder:
    """Any ``/v1/embeddings`` endpoint (bge-m3 on vLLM, Xinference or Ollama; a cloud API)."""

    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float = 30.0) -> None:
        from openai import OpenAI

        self.model = model
        self._client = OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=2
        )

    @property
    def id(self) -> str:
        return f"openai-compatible:{self.model}"

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors: list[list[float]] = []
        try:
            for start in range(0, len(texts), 64):
                batch = texts[start : start + 64]
                response = self._client.embeddings.create(model=self.model, input=batch)
                vectors.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        except Exception as exc:  # the client raises many transport types; all mean the same here
            raise UpstreamError(f"向量服务不可用：{type(exc).__name__}") from exc
        matrix = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1, norms)


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings choose."""
    if settings.embedding_base_url and settings.embedding_model:
        return OpenAICompatibleEmbedder(
            settings.embedding_base_url, settings.embedding_model, settings.embedding_api_key
        )
    return HashingEmbedder()
