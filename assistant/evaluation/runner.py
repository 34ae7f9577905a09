"""``assistant eval``: run a set through the assistant and the naive baseline, score, report.

``evaluate`` is also what the CI gate calls, so the command and the gate measure the same thing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.evaluation.baseline import BaselineResult, load_committed, run_baseline
from assistant.evaluation.dataset import EvalItem, load_set
from assistant.evaluation.gold import gold_facts
from assistant.evaluation.metrics import (
    Prediction,
    category_accuracy,
    citation_metrics,
    missed_key_points,
    missing_labels,
    pair_metrics,
    percentile,
    ratio,
    reading_metrics,
    refusal_metrics,
    verdict_metrics,
)
from assistant.evaluation.replay import load_replay, replay_facts
from assistant.evaluation.result import EvalResult, Failure
from assistant.knowledge import KnowledgeBase, load_knowledge
from assistant.pipeline import Assistant, Conversation
from assistant.settings import Settings, get_settings

__all__ = ["EvalResult", "Failure", "evaluate", "run_baseline", "run_cli", "score"]


def score(items: Sequence[EvalItem], predictions: Sequence[Prediction], kb: KnowledgeBase) -> EvalResult:
    """Score predictions (in set order) against the labels; see ``metrics`` for the definitions."""
    guessed = [p.verdict for p in predictions]
    cited = [p.citations for p in predictions]
    citations = citation_metrics(items, cited, kb, k=5)
    failures: list[Failure] = []
    points_found = points_total = 0
    for item, prediction in zip(items, predictions, strict=True):
        text = prediction.answer.answer if prediction.answer else ""
        missed = missed_key_points(item, text)
        points_total += len(item.key_points)
        points_found += len(item.key_points) - len(missed)
        ids = [c.id for c in prediction.citations]
        missing = missing_labels(item.must_cite, ids)
        invalid = tuple(i for i in citations.invalid if i.item_id == item.id)
        if prediction.verdict != str(item.verdict) or missing or invalid or prediction.error:
            failures.append(
                Failure(
                    item_id=item.id,
                    category=item.category,
                    question=item.question,
                    expected=str(item.verdict),
                    predicted=prediction.verdict,
                    missing_must_cite=tuple(missing),
                    invalid=invalid,
                    missed_key_points=tuple(missed),
                    cited=tuple(ids),
                    error=prediction.error,
                )
            )
    latencies = [p.answer.latency_ms for p in predictions if p.answer is not None]
    walls = [p.wall_ms for p in predictions]
    return EvalResult(
        n_items=len(items),
        verdicts=verdict_metrics(items, guessed),
        citations=citations,
        refusal=refusal_metrics(items, guessed),
        key_point_coverage=ratio(points_found, points_total),
        key_points_total=points_total,
        latency_ms=(percentile(latencies, 50), percentile(latencies, 95)),
        wall_ms=(percentile(walls, 50), percentile(walls, 95)),
        pairs=pair_metrics(items, guessed),
        per_category=category_accuracy(items, guessed),
        failures=tuple(failures),
        errors=sum(1 for p in predictions if p.error),
        modes=tuple(sorted({p.answer.mode for p in predictions if p.answer is not None})),
        reading=reading_metrics(items, predictions),
    )


READERS = ("rules", "gold", "replay", "llm")


def predict(
    item: EvalItem,
    assistant: Assistant,
    reader: str = "rules",
    replayed: dict[str, dict[str, Any]] | None = None,
) -> Prediction:
    """One item through the assistant; an exception becomes an ``error`` prediction, not a crash.
    ``reader``: "rules" (the assistant's own reading), "gold" (the item's labelled facts, for items
    that carry factor labels), "replay" (``replayed[item.id]`` alone) or "llm" (``replayed[item.id]``
    combined with the assistant's own reading, as LLM mode decides); items without one are read as usual."""
    started = time.perf_counter()
    try:
        reading = None
        if reader == "gold" and item.factors:
            reading = gold_facts(item, assistant.rules)
        elif reader == "replay" and replayed is not None and item.id in replayed:
            reading = replay_facts(item.question, replayed[item.id], assistant.rules)
        elif reader == "llm" and replayed is not None and item.id in replayed:
            reading = assistant.read_with_model(assistant.normalise([item.question]), replayed[item.id])
        answer = assistant.converse(Conversation([item.question], item.province), reading=reading)
    except Exception as exc:  # any failure is a result to count: one bad item must not end the run
        wall = (time.perf_counter() - started) * 1000
        return Prediction(item.id, None, wall, f"{type(exc).__name__}: {exc}")
    return Prediction(item.id, answer, (time.perf_counter() - started) * 1000)


def evaluate(
    items: Sequence[EvalItem],
    assistant: Assistant,
    progress: bool = True,
    reader: str = "rules",
    replayed: dict[str, dict[str, Any]] | None = None,
) -> EvalResult:
    """Answer every item with ``assistant`` (progress bar on stderr) and score the answers."""
    bar = tqdm(items, desc="eval", unit="q", disable=not progress)
    predictions = [predict(item, assistant, reader, replayed) for item in bar]
    return score(items, predictions, assistant.kb)


def default_paths(settings: Settings) -> tuple[Path, Path, Path]:
    """The default set, output folder and committed baseline report, under the project's eval/."""
    eval_dir = settings.knowledge_dir.parent / "eval"
    return eval_dir / "questions.jsonl", eval_dir / "runs" / "latest", eval_dir / "baseline" / "metrics.json"


def _shown(path: Path, root: Path) -> str:
    """A path relative to the project when inside it, so committed reports name no machine's folders."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def run_cli(
    set_file: Path | None, out: Path | None, baseline: bool, reader: str = "rules", replay: Path | None = None
) -> int:
    """``assistant eval``: returns 0 whatever the numbers (the CI gate is a test, not this command)."""
    from assistant.evaluation import report  # matplotlib is loaded only when a report is written

    settings = get_settings()
    default_set, default_out, committed_path = default_paths(settings)
    set_path, out_dir = set_file or default_set, out or default_out
    # The set is checked before the index is opened, so a bad set costs a second, not a build.
    items = load_set(set_path, load_knowledge(settings.knowledge_dir))
    committed = load_committed(committed_path)
    started = time.perf_counter()
    assistant = Assistant(settings)
    replayed = load_replay(replay) if reader in ("replay", "llm") and replay is not None else None
    result = evaluate(items, assistant, reader=reader, replayed=replayed)
    naive: BaselineResult | None = run_baseline(items, assistant.index, progress=True) if baseline else None
    fallback_mode = "llm" if settings.llm_enabled else "offline"
    meta = report.RunMeta(
        set_path=_shown(set_path, settings.knowledge_dir.parent),
        items=len(items),
        knowledge_version=assistant.kb.version,
        timestamp=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        mode=(",".join(result.modes) or fallback_mode) + ("" if reader == "rules" else f", reader={reader}"),
        seconds=round(time.perf_counter() - started, 2),
    )
    report.write_run(out_dir, result, naive, meta, committed)
    print(report.console_table(result, naive, committed))
    print(f"\n报告已写入 {out_dir}（report.md, metrics.json, confusion.png, failures.jsonl）")
    return 0
