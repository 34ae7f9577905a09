"""The result of one evaluation run: every number, and the items answered wrongly.

Its own module so that the runner (which makes results) and the report (which writes them) both
import it, and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.evaluation.metrics import (
    CategoryScore,
    CitationMetrics,
    InvalidCitation,
    PairMetrics,
    ReadingMetrics,
    RefusalMetrics,
    VerdictMetrics,
)


@dataclass(frozen=True)
class Failure:
    """An item answered wrongly: verdict, a missing must-cite label, an invalid citation, or an error."""

    item_id: str
    category: str
    question: str
    expected: str
    predicted: str
    missing_must_cite: tuple[str, ...]
    invalid: tuple[InvalidCitation, ...]
    missed_key_points: tuple[str, ...]
    cited: tuple[str, ...]
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item_id,
            "category": self.category,
            "question": self.question,
            "expected": self.expected,
            "predicted": self.predicted,
            "missing_must_cite": list(self.missing_must_cite),
            "invalid_citations": [f"{i.citation_id}: {i.reason}" for i in self.invalid],
            "missed_key_points": list(self.missed_key_points),
            "cited": list(self.cited),
            "error": self.error,
        }


@dataclass(frozen=True)
class EvalResult:
    """Every number of one run of the assistant over a set, and the items it got wrong."""

    n_items: int
    verdicts: VerdictMetrics
    citations: CitationMetrics
    refusal: RefusalMetrics
    key_point_coverage: float | None
    key_points_total: int
    latency_ms: tuple[float | None, float | None]  # p50, p95 of Answer.latency_ms
    wall_ms: tuple[float | None, float | None]  # p50, p95 of the wall time per item
    pairs: PairMetrics
    per_category: dict[str, CategoryScore]
    failures: tuple[Failure, ...]
    errors: int
    modes: tuple[str, ...]
    reading: ReadingMetrics

    def headline(self) -> dict[str, float | None]:
        """The numbers the gate, the committed baseline and the comparison tables use."""
        c = self.citations
        return {
            "verdict_accuracy": self.verdicts.accuracy,
            "macro_f1": self.verdicts.macro_f1,
            "must_cite_item_recall": c.must_cite_item_recall,
            "must_cite_label_recall": c.must_cite_label_recall,
            "recall_at_5": c.recall_at_k,
            "citation_precision": c.citation_precision,
            "invalid_citations": float(c.invalid_citations),
            "refusal_accuracy": self.refusal.accuracy,
            "false_refusal_rate": self.refusal.false_refusal_rate,
            "key_point_coverage": self.key_point_coverage,
            "pairs_total": float(self.pairs.total),
            "pairs_flipped": float(self.pairs.flipped),
            "latency_p50_ms": self.latency_ms[0],
            "latency_p95_ms": self.latency_ms[1],
            "wall_p50_ms": self.wall_ms[0],
            "wall_p95_ms": self.wall_ms[1],
            "errors": float(self.errors),
            "false_tolerable": float(self.reading.false_tolerable),
            "false_condemned": float(self.reading.false_condemned),
            "not_tolerable_recall": self.verdicts.per_class["not_tolerable"].recall,
            "factor_recall": self.reading.recall,
            "factor_precision": self.reading.precision,
        } | {
            f"{kind}_{name}": getattr(score, kind)
            for name, score in self.reading.per_factor.items()
            for kind in ("recall", "precision")
        }
