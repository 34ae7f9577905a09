"""The two baselines a run is compared with: the naive one, and the committed baseline report.

The naive baseline is plain vector retrieval, top-k, no lexicon, no BM25, no assessor. It cites the k nearest units with their full text as the quote (so every quote is valid) and gives
no verdict: the report sets its citation numbers beside the assistant's to show what the lexicon,
the lexical index and the assessor add.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from assistant.domain import Citation
from assistant.evaluation.dataset import EvalItem
from assistant.evaluation.metrics import CitationMetrics, citation_metrics, percentile
from assistant.index import SearchIndex

BASELINE_K = 5


@dataclass(frozen=True)
class BaselineResult:
    """Citation metrics of the naive baseline (it has no verdict, so no verdict metrics)."""

    k: int
    citations: CitationMetrics
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    cited: tuple[tuple[str, ...], ...]  # unit ids per item, in set order

    def headline(self) -> dict[str, float | None]:
        """The baseline's numbers under the same keys as the assistant's (None = not measured)."""
        c = self.citations
        return {
            "must_cite_item_recall": c.must_cite_item_recall,
            "must_cite_label_recall": c.must_cite_label_recall,
            "recall_at_5": c.recall_at_k,
            "citation_precision": c.citation_precision,
            "invalid_citations": float(c.invalid_citations),
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
        }


def naive_citations(question: str, index: SearchIndex, k: int = BASELINE_K) -> list[Citation]:
    """The k units nearest the question's embedding, cited whole."""
    vector = index.embedder.embed([question])[0]
    citations: list[Citation] = []
    for unit_id, _distance in index.vectors.query(vector, k):
        unit = index.kb.get(unit_id)
        if unit is None:  # a stale vector store; counting it as invalid would blame the baseline
            continue
        citations.append(index.kb.citation(unit, unit.text))
    return citations


def run_baseline(
    items: Sequence[EvalItem], index: SearchIndex, k: int = BASELINE_K, progress: bool = False
) -> BaselineResult:
    """Run every question through plain vector retrieval and score its citations."""
    cited: list[list[Citation]] = []
    latencies: list[float] = []
    for item in tqdm(items, desc="baseline", unit="q", disable=not progress, leave=False):
        started = time.perf_counter()
        cited.append(naive_citations(item.question, index, k))
        latencies.append((time.perf_counter() - started) * 1000)
    return BaselineResult(
        k=k,
        citations=citation_metrics(items, cited, index.kb, k),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        cited=tuple(tuple(c.id for c in row) for row in cited),
    )


@dataclass(frozen=True)
class Committed:
    """The committed baseline report's headline numbers and what they were measured on."""

    path: str
    metrics: dict[str, float | None]
    set_path: str
    items: int
    timestamp: str


def load_committed(path: Path) -> Committed | None:
    """The committed baseline report, or None if there is none (or it cannot be read)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        metrics = {str(k): None if v is None else float(v) for k, v in raw["metrics"].items()}
        return Committed(
            str(path),
            metrics,
            str(raw.get("set", "")),
            int(raw.get("items", 0)),
            str(raw.get("timestamp", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # an unreadable baseline only removes the comparison column
