"""The clause model: a multi-label logistic classifier over character n-grams, trained on the labelled
clause corpus in knowledge/reading/corpus (see its README for how the corpus was made).

Why this shape: cadres' wording varies far beyond any list of phrases, but the facts that matter are
said within one clause ("没人往自己兜里装钱", "一桌下来八千多"). Character 1–3-grams need no word
segmenter, carry negation ("没人拿" vs "拿了"), and a linear model over a few thousand clauses trains
in seconds and scores a clause in microseconds on two CPU cores. Nothing is downloaded: the corpus is
in the repository and the weights are trained from it on first use, then cached in the data dir.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.normalize import fold

NGRAMS = (1, 2, 3)
MIN_COUNT = 2  # an n-gram seen once in the corpus teaches nothing general
EPOCHS = 30
LEARNING_RATE = 2.0
DECAY = 0.1
L2 = 1e-6
SEED = 20261130
# (not at 、: "来不及签合同、走招标" is one clause, its negation reaching both items)
_SPLIT = re.compile(r"[,;!?，。；！？\s：:]|(?<!\d)\.|\.(?!\d)")
_SENTENCE_END = re.compile(r"[;!?。；！？\n]|(?<!\d)\.|\.(?!\d)")
# An unpunctuated run (phone messages) is also read in overlapping windows of this many characters.
WINDOW = 18
STRIDE = 9


@dataclass(frozen=True)
class Segment:
    """A piece of one turn the model scores: always an exact substring of that turn."""

    turn: int
    start: int
    text: str


def segments(turns: list[str]) -> list[Segment]:
    """Clauses of every turn, with overlapping windows over long unpunctuated runs, and each pair of
    neighbouring clauses of a sentence read together (a fact often spans two: "去三亚开会，剩下几天都在
    海边玩")."""
    out: list[Segment] = []
    for number, turn in enumerate(turns):
        start = 0
        clauses: list[Segment] = []
        for m in [*_SPLIT.finditer(turn), None]:
            end = m.start() if m else len(turn)
            piece = turn[start:end]
            stripped = piece.strip()
            if stripped:
                offset = start + piece.index(stripped)
                clause = Segment(number, offset, stripped)
                out.append(clause)
                if clauses and not _SENTENCE_END.search(
                    turn, clauses[-1].start + len(clauses[-1].text), offset
                ):
                    first = clauses[-1]
                    out.append(Segment(number, first.start, turn[first.start : offset + len(stripped)]))
                clauses.append(clause)
                if len(stripped) > WINDOW + STRIDE:
                    for i in range(0, len(stripped) - WINDOW + 1, STRIDE):
                        out.append(Segment(number, offset + i, stripped[i : i + WINDOW]))
            if m:
                start = m.end()
    return out


def features(text: str) -> list[str]:
    t = fold(text)
    grams = [t[i : i + n] for n in NGRAMS for i in range(len(t) - n + 1)]
    return grams + ["^" + t[:2], t[-2:] + "$"]


def corpus_rows(corpus_dir: Path) -> list[tuple[str, list[str]]]:
    rows: list[tuple[str, list[str]]] = []
    for path in sorted(corpus_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                rows.append((str(item["text"]), [str(label) for label in item["labels"]]))
    return rows


def corpus_digest(corpus_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(corpus_dir.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    params = f"{NGRAMS}{MIN_COUNT}{EPOCHS}{LEARNING_RATE}{DECAY}{L2}{SEED}"
    digest.update(params.encode())
    return digest.hexdigest()[:16]


class ClauseModel:
    """P(label | clause) for every label of the corpus."""

    def __init__(self, labels: list[str], vocab: dict[str, int], weights: np.ndarray, bias: np.ndarray):
        self.labels = labels
        self.index = {label: i for i, label in enumerate(labels)}
        self.vocab = vocab
        self.weights = weights
        self.bias = bias

    def _ids(self, text: str) -> np.ndarray:
        ids = {self.vocab[g] for g in features(text) if g in self.vocab}
        return np.fromiter(ids, dtype=np.int64, count=len(ids))

    def predict(self, texts: list[str]) -> np.ndarray:
        """An (len(texts), len(labels)) array of probabilities."""
        out = np.empty((len(texts), len(self.labels)), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = self._ids(text)
            scale = 1.0 / math.sqrt(len(ids)) if len(ids) else 0.0
            out[row] = self.weights[ids].sum(axis=0) * scale + self.bias
        return 1.0 / (1.0 + np.exp(-out))

    @classmethod
    def train(cls, rows: list[tuple[str, list[str]]]) -> ClauseModel:
        labels = sorted({label for _, ls in rows for label in ls})
        counts = Counter(g for text, _ in rows for g in set(features(text)))
        vocab = {g: i for i, g in enumerate(sorted(g for g, c in counts.items() if c >= MIN_COUNT))}
        model = cls(
            labels,
            vocab,
            np.zeros((len(vocab), len(labels)), dtype=np.float32),
            np.zeros(len(labels), dtype=np.float32),
        )
        index = model.index
        examples = []
        for text, ls in rows:
            ids = model._ids(text)
            target = np.zeros(len(labels), dtype=np.float32)
            target[[index[label] for label in ls]] = 1.0
            examples.append((ids, 1.0 / math.sqrt(len(ids)) if len(ids) else 0.0, target))
        rng = np.random.default_rng(SEED)
        for epoch in range(EPOCHS):
            rate = LEARNING_RATE / (1 + epoch * DECAY)
            for k in rng.permutation(len(examples)):
                ids, scale, target = examples[k]
                if not len(ids):
                    continue
                score = model.weights[ids].sum(axis=0) * scale + model.bias
                grad = 1.0 / (1.0 + np.exp(-score)) - target
                model.weights[ids] -= rate * (grad * scale + L2 * model.weights[ids])
                model.bias -= rate * grad * 0.1
        return model

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        words = np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=object)
        np.savez(tmp, weights=self.weights, bias=self.bias, labels=np.array(self.labels), vocab=words)
        tmp.replace(path)

    @classmethod
    def open(cls, path: Path) -> ClauseModel:
        with np.load(path, allow_pickle=True) as data:
            vocab = {str(g): i for i, g in enumerate(data["vocab"])}
            return cls([str(x) for x in data["labels"]], vocab, data["weights"], data["bias"])


_MEMO: dict[str, ClauseModel] = {}


def load_model(corpus_dir: Path, cache_dir: Path) -> ClauseModel:
    """The model for this corpus: from memory, from the data dir's cache, or trained now (seconds)."""
    digest = corpus_digest(corpus_dir)
    if digest in _MEMO:
        return _MEMO[digest]
    cached = cache_dir / f"clause-model-{digest}.npz"
    model: ClauseModel | None = None
    if cached.exists():
        try:
            model = ClauseModel.open(cached)
        except (OSError, ValueError, KeyError):
            model = None  # a damaged cache is retrained, never trusted
    if model is None:
        model = ClauseModel.train(corpus_rows(corpus_dir))
        with contextlib.suppress(OSError):  # a read-only data dir only costs the training time again
            model.save(cached)
    _MEMO[digest] = model
    return model
