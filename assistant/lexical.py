"""BM25 over units (bm25s), always fed pre-tokenised jieba tokens."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np


class LexicalIndex:
    """BM25 scores for every unit; the row order is the index's unit order."""

    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self._model = model
        self.size = size

    @classmethod
    def build(cls, corpus_tokens: list[list[str]]) -> LexicalIndex:
        model = bm25s.BM25()
        # bm25s rejects an empty document; a placeholder token keeps row numbers aligned.
        model.index([tokens or ["\u2205"] for tokens in corpus_tokens], show_progress=False)
        return cls(model, len(corpus_tokens))

    def save(self, directory: Path) -> None:
        self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(directory), show_progress=False), size)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every unit for the query (zeros when no token is known)."""
        known = [t for t in query_tokens if t in self._model.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)
