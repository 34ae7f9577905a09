"""Chinese tokenisation for lexical search: jieba with the domain dictionary kept in knowledge/rules."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import threading
from pathlib import Path

import jieba

from assistant.normalize import fold

_KEEP = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]", re.IGNORECASE)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


class Tokenizer:
    """jieba plus domain words; tokens are search-mode words and CJK character bigrams."""

    def __init__(self, knowledge_dir: Path, cache_dir: Path | None = None) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            self._jieba.tmp_dir = str(cache_dir)
        rules = knowledge_dir / "rules"
        self._dictionary = rules / "dictionary.txt"
        stop_path = rules / "stopwords.txt"
        self.stopwords: frozenset[str] = (
            frozenset(w.strip() for w in stop_path.read_text(encoding="utf-8").split() if w.strip())
            if stop_path.exists()
            else frozenset()
        )
        self._lock = threading.Lock()
        self._ready = False

    def _ensure_ready(self) -> None:
        # jieba builds its prefix dictionary lazily and not thread-safely: do it once, under a lock.
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self._jieba.initialize()
            if self._dictionary.exists():
                for line in self._dictionary.read_text(encoding="utf-8").splitlines():
                    word = line.split("#", 1)[0].strip()
                    if word:
                        self._jieba.add_word(word.split()[0], freq=200000)
            self._ready = True

    def words(self, text: str) -> list[str]:
        """Search-mode words of already folded text, without punctuation and stopwords."""
        self._ensure_ready()
        return [
            w
            for w in self._jieba.cut_for_search(text)
            if _KEEP.search(w) and w not in self.stopwords and w.strip()
        ]

    def tokens(self, text: str) -> list[str]:
        """Index tokens: words plus CJK bigrams, so colloquial phrasings still meet clause wording."""
        folded = fold(text).lower()
        out = self.words(folded)
        for run in _CJK_RUN.findall(folded):
            out.extend("#" + run[i : i + 2] for i in range(len(run) - 1))
        return out


_WORKER: Tokenizer | None = None
PARALLEL_FROM = 4000  # below this, a process pool costs more than it saves


def _tokens_in_worker(document: str) -> list[str]:
    assert _WORKER is not None
    return _WORKER.tokens(document)


def tokenize_corpus(tokenizer: Tokenizer, documents: list[str]) -> list[list[str]]:
    """Index tokens of every document; large corpora are split over the machine's cores."""
    workers = min(os.cpu_count() or 1, 8)
    if len(documents) < PARALLEL_FROM or workers < 2:
        return [tokenizer.tokens(d) for d in documents]
    global _WORKER
    tokenizer.tokens("预热")  # load jieba once; forked workers inherit it ready
    _WORKER = tokenizer
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_tokens_in_worker, documents, chunksize=500)
    finally:
        _WORKER = None
