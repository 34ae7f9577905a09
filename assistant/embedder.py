"""Embedders behind one protocol: an offline hashing embedder (downloads nothing) and any
OpenAI-compatible ``/v1/embeddings`` endpoint."""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.errors import UpstreamError
from assistant.normalize import fold
from assistant.settings import Settings

_NOT_WORD = re.compile(r"[^\u4e00-\u9fffa-z0-9]")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors. ``id`` names the model so an index knows who built it."""

    @property
    def id(self) -> str: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


class HashingEmbedder:
    """Character n-grams (1–3) hashed into a fixed space with signs, L2-normalised.

    No model, no download: similarity is surface overlap, which suits clause wording. It is a
    fallback that keeps the vector path real offline; an embedding endpoint replaces it by settings.
    The hashing runs in numpy (a 64-bit multiplicative mix of code points), so a 100,000-unit base
    embeds in seconds and the vectors are identical on every machine.
    """

    _K = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
    _MIX = np.uint64(0xFF51AFD7ED558CCD)

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    @property
    def id(self) -> str:
        return f"hashing-ngram-v2-{self.dim}"

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # One pass over the whole batch: characters outside CJK/ASCII words become separators (0),
        # texts are joined by separators, and n-grams that touch a separator are masked out.
        cleaned = [_NOT_WORD.sub("\0", fold(t).lower()) for t in texts]
        joined = "\0".join(cleaned) + "\0"
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        rows = np.repeat(np.arange(len(texts)), [len(c) + 1 for c in cleaned])
        dim = np.uint64(self.dim)
        total = np.zeros(len(texts) * self.dim, dtype=np.float64)
        with np.errstate(over="ignore"):  # the mix relies on unsigned wrap-around
            for n in (1, 2, 3):
                width = len(codes) - n + 1
                h = np.full(width, np.uint64(n))
                valid = np.ones(width, dtype=bool)
                for i in range(n):
                    window = codes[i : i + width]
                    valid &= window != 0
                    h = (h ^ window) * self._K[i]
                h ^= h >> np.uint64(31)
                h *= self._MIX
                slots = (h % dim).astype(np.int64)
                signs = np.where((h >> np.uint64(40)) & np.uint64(1), 1.0, -1.0) * (0.5 if n == 1 else 1.0)
                index = rows[:width] * self.dim + slots
                total += np.bincount(index[valid], weights=signs[valid], minlength=total.size)
        out = total.reshape(len(texts), self.dim).astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


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
