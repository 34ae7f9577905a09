"""Hybrid retrieval: BM25 over jieba tokens, Chroma vectors, the colloquial lexicon, fused by
reciprocal rank, then ranked by jurisdiction and, on ties, by the authority of the source."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.domain import Hit
from assistant.index import SearchIndex
from assistant.lexicon import Lexicon, LexiconMatch

RRF_K = 60
NATIONAL = "全国"


@dataclass(frozen=True)
class RetrievalOptions:
    """Which components run; the benchmark switches them one by one."""

    lexical: bool = True
    lexicon: bool = True
    vectors: bool = True
    jurisdiction: bool = True
    depth: int = 50  # how deep each ranked list is read before fusion


@dataclass
class Retrieval:
    hits: list[Hit]
    lexicon_matches: list[LexiconMatch] = field(default_factory=list)
    province: str | None = None


def _rank_list(scores: np.ndarray, depth: int) -> list[int]:
    positive = np.flatnonzero(scores > 0)
    if positive.size == 0:
        return []
    order = positive[np.argsort(-scores[positive], kind="stable")]
    return [int(i) for i in order[:depth]]


class Retriever:
    """Finds the units that answer a question; stateless apart from the index it reads."""

    def __init__(self, index: SearchIndex, lexicon: Lexicon) -> None:
        self.index = index
        self.lexicon = lexicon
        self._row = {uid: row for row, uid in enumerate(index.unit_ids)}
        kb = index.kb
        self._jurisdiction = [kb.units[u].jurisdiction for u in index.unit_ids]
        self._authority = np.array([kb.units[u].type.rank for u in index.unit_ids], dtype=np.float32)

    @classmethod
    def from_index(cls, index: SearchIndex, knowledge_dir: Path) -> Retriever:
        return cls(index, Lexicon.load(knowledge_dir))

    def search(
        self,
        query: str,
        k: int = 8,
        province: str | None = None,
        options: RetrievalOptions | None = None,
        named_units: list[str] | None = None,
    ) -> Retrieval:
        """Top ``k`` units for an already normalised query; ``named_units`` are articles the question
        names itself ("问责条例第十七条"), ranked first."""
        opts = options or RetrievalOptions()
        size = len(self.index.unit_ids)
        lists: list[tuple[str, list[int], float]] = []
        matches = self.lexicon.match(query) if opts.lexicon else []
        named = [u for u in named_units or [] if u in self._row]
        expanded = query + " " + " ".join(t for m in matches for t in m.expand) if matches else query
        if opts.lexical:
            scores = self.index.lexical.scores(self.index.tokenizer.tokens(expanded))
            lists.append(("lexical", _rank_list(scores, opts.depth), 1.0))
        if opts.vectors:
            vector = self.index.embedder.embed([expanded])[0]
            found = self.index.vectors.query(vector, min(opts.depth, size))
            # The offline embedder sees surface overlap only: a weaker voice than BM25 in the fusion.
            lists.append(("vector", [self._row[uid] for uid, _ in found if uid in self._row], 0.5))
        if matches:
            # A unit several matched concepts point to ranks above one that a single concept names, and
            # a concept matched by a longer (more specific) phrase above one matched by a short word.
            votes: dict[int, float] = {}
            for match in matches:
                weight = 1.0 + 0.1 * min(len(match.phrase), 8)
                for position, unit_id in enumerate(match.units):
                    if unit_id in self._row:
                        unit_row = self._row[unit_id]
                        votes[unit_row] = votes.get(unit_row, 0.0) + weight - 0.01 * position
            pointed = sorted(votes, key=lambda r: -votes[r])
            # Lexicon entries are curated pointers from a phrase to its rule: worth more than a guess.
            lists.append(("lexicon", pointed, 3.0))
        if named:
            lists.append(("named", [self._row[u] for u in named], 4.0))
        fused = np.zeros(size, dtype=np.float64)
        origin: dict[int, list[str]] = {}
        for name, ranked, weight in lists:
            for rank, row in enumerate(ranked):
                fused[row] += weight / (RRF_K + rank + 1)
                origin.setdefault(row, []).append(name)
        if opts.jurisdiction:
            fused *= self._jurisdiction_weights(province)
        # Authority breaks ties only: regulation > disclosure > case > commentary.
        fused -= (self._authority * 1e-6) * (fused > 0)
        top = _rank_list(fused.astype(np.float32), k)
        kb = self.index.kb
        hits = [
            Hit(kb.units[self.index.unit_ids[row]], float(fused[row]), tuple(origin.get(row, ())))
            for row in top
        ]
        return Retrieval(hits=hits, lexicon_matches=matches, province=province)

    def _jurisdiction_weights(self, province: str | None) -> np.ndarray:
        if not province:
            return np.ones(len(self._jurisdiction))
        weights = []
        for place in self._jurisdiction:
            if place == province:
                weights.append(1.5)
            elif place == NATIONAL or place == "某省":
                weights.append(1.0)
            else:
                weights.append(0.5)  # another province's measure: only when nothing closer applies
        return np.asarray(weights)
