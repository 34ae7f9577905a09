"""Metrics of an evaluation run. Every ratio is ``None`` when its denominator is empty.

Definitions:

- A citation *meets* a label L when its id equals L or starts with ``L + "."`` (any finer unit
  counts, as the contract says).
- Verdict metrics, over all items: accuracy; per class of the five verdicts precision, recall, F1
  and support; macro-F1 over the classes with support > 0; the confusion matrix (label rows ×
  predicted columns). An item whose answer raised is predicted ``"error"``: always wrong.
- Must-cite recall: item level, the share of items with a non-empty ``must_cite`` whose every label
  is met by some citation; label level, the share of all must labels met. Recall@k is the label
  level recall counting only the first k citations (the naive baseline cites exactly k units).
- Citation precision: over the citations of items whose label verdict is not ``out_of_scope`` and
  whose ``must_cite + may_cite`` is not empty, the share that meet some label in ``must + may``.
- Invalid citations: citations whose id is not in the knowledge base or whose quote is not an exact
  substring of that unit's text (``assistant.verify.check_citation``). Must be 0.
- Refusal accuracy, over items of category ``out_of_scope`` or ``adversarial``: the share where
  (predicted ``out_of_scope``) == (label ``out_of_scope``). False-refusal rate, over the other
  items whose label is not ``out_of_scope``: the share predicted ``out_of_scope``.
- Key-point coverage: the share of all key points found in the answer text, both folded with
  ``assistant.normalize.fold`` and stripped of whitespace.
- Latency p50/p95 of ``Answer.latency_ms`` and of the wall time per item (nearest rank).
- Minimal pairs: a pair is flipped when both items get their own label verdict (which differ).
- Per-category accuracy: verdict accuracy within each ``category``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.domain import FACTOR_NAMES, Answer, Citation
from assistant.evaluation.dataset import CATEGORIES, VERDICTS, EvalItem, pairs
from assistant.knowledge import KnowledgeBase
from assistant.normalize import fold
from assistant.verify import check_citation

ERROR = "error"
OUT = "out_of_scope"
REFUSAL_CATEGORIES = ("out_of_scope", "adversarial")
_WS = re.compile(r"\s+")


def ratio(hits: int, total: int) -> float | None:
    """hits / total, or None when there is nothing to measure."""
    return hits / total if total else None


def meets(citation_id: str, label: str) -> bool:
    """Whether a cited unit satisfies a label: the unit itself or any finer unit below it."""
    return citation_id == label or citation_id.startswith(label + ".")


def missing_labels(labels: Sequence[str], cited_ids: Sequence[str]) -> list[str]:
    """The labels no cited id meets."""
    return [label for label in labels if not any(meets(c, label) for c in cited_ids)]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0–100): a value that was observed, stable on small sets."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Prediction:
    """What the system under test returned for one item (``answer`` is None when it raised)."""

    item_id: str
    answer: Answer | None
    wall_ms: float = 0.0
    error: str | None = None

    @property
    def verdict(self) -> str:
        return ERROR if self.answer is None else str(self.answer.verdict)

    @property
    def citations(self) -> list[Citation]:
        return [] if self.answer is None else list(self.answer.citations)


@dataclass(frozen=True)
class ClassScore:
    precision: float | None
    recall: float | None
    f1: float | None
    support: int
    predicted: int


@dataclass(frozen=True)
class VerdictMetrics:
    accuracy: float | None
    macro_f1: float | None
    per_class: dict[str, ClassScore]
    labels: tuple[str, ...]  # confusion rows
    columns: tuple[str, ...]  # confusion columns: the verdicts, then "error"
    matrix: tuple[tuple[int, ...], ...]


def verdict_metrics(items: Sequence[EvalItem], predicted: Sequence[str]) -> VerdictMetrics:
    """Accuracy, per-class scores, macro-F1 and the confusion matrix."""
    truth = [str(item.verdict) for item in items]
    columns = (*VERDICTS, ERROR)
    matrix = tuple(
        tuple(
            sum(1 for t, p in zip(truth, predicted, strict=True) if t == row and p == col) for col in columns
        )
        for row in VERDICTS
    )
    per_class: dict[str, ClassScore] = {}
    for index, name in enumerate(VERDICTS):
        tp = matrix[index][index]
        support = sum(matrix[index])
        guessed = sum(row[index] for row in matrix)
        precision, recall = ratio(tp, guessed), ratio(tp, support)
        f1 = None
        if precision is not None and recall is not None:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        elif support:
            f1 = 0.0  # never predicted but present: the class is entirely missed
        per_class[name] = ClassScore(precision, recall, f1, support, guessed)
    scored = [s.f1 for s in per_class.values() if s.support > 0 and s.f1 is not None]
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return VerdictMetrics(
        accuracy=ratio(correct, len(truth)),
        macro_f1=sum(scored) / len(scored) if scored else None,
        per_class=per_class,
        labels=VERDICTS,
        columns=columns,
        matrix=matrix,
    )


@dataclass(frozen=True)
class InvalidCitation:
    item_id: str
    citation_id: str
    reason: str


@dataclass(frozen=True)
class CitationMetrics:
    must_cite_item_recall: float | None
    must_cite_label_recall: float | None
    recall_at_k: float | None
    k: int
    citation_precision: float | None
    citations_total: int
    invalid: tuple[InvalidCitation, ...]

    @property
    def invalid_citations(self) -> int:
        return len(self.invalid)


def citation_metrics(
    items: Sequence[EvalItem], cited: Sequence[Sequence[Citation]], kb: KnowledgeBase, k: int = 5
) -> CitationMetrics:
    """Must-cite recall, recall@k, precision against must + may, and invalid citations."""
    items_met = items_with_labels = labels_met = labels_total = labels_met_at_k = 0
    relevant = judged = total = 0
    invalid: list[InvalidCitation] = []
    for item, citations in zip(items, cited, strict=True):
        ids = [c.id for c in citations]
        total += len(ids)
        for citation in citations:
            problem = check_citation(citation, kb)
            if problem is not None:
                invalid.append(InvalidCitation(item.id, citation.id, problem.reason))
        if item.must_cite:
            missing = missing_labels(item.must_cite, ids)
            items_with_labels += 1
            items_met += not missing
            labels_total += len(item.must_cite)
            labels_met += len(item.must_cite) - len(missing)
            labels_met_at_k += len(item.must_cite) - len(missing_labels(item.must_cite, ids[:k]))
        acceptable = item.must_cite + item.may_cite
        if str(item.verdict) != OUT and acceptable:
            judged += len(ids)
            relevant += sum(1 for c in ids if any(meets(c, label) for label in acceptable))
    return CitationMetrics(
        must_cite_item_recall=ratio(items_met, items_with_labels),
        must_cite_label_recall=ratio(labels_met, labels_total),
        recall_at_k=ratio(labels_met_at_k, labels_total),
        k=k,
        citation_precision=ratio(relevant, judged),
        citations_total=total,
        invalid=tuple(invalid),
    )


@dataclass(frozen=True)
class RefusalMetrics:
    accuracy: float | None
    n: int
    false_refusal_rate: float | None
    n_other: int


def refusal_metrics(items: Sequence[EvalItem], predicted: Sequence[str]) -> RefusalMetrics:
    """Refusal accuracy on out-of-scope and adversarial items; false refusals on the rest."""
    right = n = false = n_other = 0
    for item, guess in zip(items, predicted, strict=True):
        label_out = str(item.verdict) == OUT
        if item.category in REFUSAL_CATEGORIES:
            n += 1
            right += (guess == OUT) == label_out
        elif not label_out:
            n_other += 1
            false += guess == OUT
    return RefusalMetrics(ratio(right, n), n, ratio(false, n_other), n_other)


def _squash(text: str) -> str:
    return _WS.sub("", fold(text))


def missed_key_points(item: EvalItem, answer_text: str) -> list[str]:
    """The item's key points absent from the answer (folded, whitespace removed)."""
    text = _squash(answer_text)
    return [point for point in item.key_points if _squash(point) not in text]


@dataclass(frozen=True)
class PairMetrics:
    total: int
    flipped: int
    missed: tuple[tuple[str, str], ...] = ()  # ids of the pairs not flipped


def pair_metrics(items: Sequence[EvalItem], predicted: Sequence[str]) -> PairMetrics:
    """How many minimal pairs get both verdicts right (and so tell the two stories apart)."""
    guess = {item.id: p for item, p in zip(items, predicted, strict=True)}
    found = pairs(list(items))
    missed = tuple(
        (a.id, b.id)
        for a, b in found
        if not (
            guess[a.id] == str(a.verdict) and guess[b.id] == str(b.verdict) and guess[a.id] != guess[b.id]
        )
    )
    return PairMetrics(len(found), len(found) - len(missed), missed)


@dataclass(frozen=True)
class CategoryScore:
    n: int
    correct: int
    accuracy: float | None


def category_accuracy(items: Sequence[EvalItem], predicted: Sequence[str]) -> dict[str, CategoryScore]:
    """Verdict accuracy per category, in the contract's category order (absent ones left out)."""
    out: dict[str, CategoryScore] = {}
    for category in CATEGORIES:
        rows = [(i, p) for i, p in zip(items, predicted, strict=True) if i.category == category]
        if rows:
            correct = sum(1 for i, p in rows if str(i.verdict) == p)
            out[category] = CategoryScore(len(rows), correct, ratio(correct, len(rows)))
    return out


@dataclass(frozen=True)
class FactorScore:
    """How well one factor was read: of the values the labels say the story states (gold not
    ``unknown``), the share read right (recall); of the values read where the item is labelled, the
    share that equal the label (precision). The labels mark what the story states; a hedged reading (a
    rumour, a question) says the value is only reported or asked, so it scores as not read."""

    precision: float | None
    recall: float | None
    gold: int
    read: int


@dataclass(frozen=True)
class ReadingMetrics:
    per_factor: dict[str, FactorScore]
    recall: float | None  # micro over the six factors
    precision: float | None
    false_tolerable: int  # a gold not_tolerable item answered tolerable: the worst error
    false_condemned: int  # a gold tolerable item answered not_tolerable
    false_tolerable_ids: tuple[str, ...] = ()


def reading_metrics(items: Sequence[EvalItem], predictions: Sequence[Prediction]) -> ReadingMetrics:
    """Per-factor precision and recall of the reading, and the two verdict errors that matter most."""
    per: dict[str, FactorScore] = {}
    tp_all = gold_all = read_all = 0
    for name in FACTOR_NAMES:
        tp = gold = read = 0
        for item, prediction in zip(items, predictions, strict=True):
            if not item.factors or prediction.answer is None or str(item.verdict) == OUT:
                continue
            want = item.factors.get(name, "unknown")
            got = prediction.answer.factors.get(name)
            value = got.value if got is not None and not got.hedged else "unknown"
            gold += want != "unknown"
            read += value != "unknown"
            tp += want != "unknown" and value == want
        per[name] = FactorScore(ratio(tp, read), ratio(tp, gold), gold, read)
        tp_all, gold_all, read_all = tp_all + tp, gold_all + gold, read_all + read
    wrong_tolerable = tuple(
        item.id
        for item, p in zip(items, predictions, strict=True)
        if str(item.verdict) == "not_tolerable" and p.verdict == "tolerable"
    )
    condemned = sum(
        1
        for item, p in zip(items, predictions, strict=True)
        if str(item.verdict) == "tolerable" and p.verdict == "not_tolerable"
    )
    return ReadingMetrics(
        per_factor=per,
        recall=ratio(tp_all, gold_all),
        precision=ratio(tp_all, read_all),
        false_tolerable=len(wrong_tolerable),
        false_condemned=condemned,
        false_tolerable_ids=wrong_tolerable,
    )
