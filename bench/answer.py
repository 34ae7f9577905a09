"""Offline answer latency: every question of every evaluation set through the whole pipeline, and the
reading stage alone, on this machine. Run: `python -m bench answer`. The bar is p95 ≤ 30 ms."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from assistant.normalize import normalize_question
from assistant.pipeline import Assistant
from assistant.settings import PROJECT_ROOT, Settings


def _questions() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for path in sorted((PROJECT_ROOT / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out.append((str(item["question"]), item.get("province") or None))
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q / 100 * len(ordered) + 0.5) - 1)]


def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        started = time.perf_counter()
        assistant = Assistant(Settings(data_dir=Path(data)))
        startup = time.perf_counter() - started
        questions = _questions()
        for question, province in questions[:20]:  # warm caches (jieba, quote hints) as a server would be
            assistant.ask(question, province)
        answers, readings = [], []
        for question, province in questions:
            t0 = time.perf_counter()
            assistant.ask(question, province)
            answers.append((time.perf_counter() - t0) * 1000)
            turn = normalize_question(question, assistant.settings.knowledge_dir, 10_000)
            t0 = time.perf_counter()
            assistant.reader.read([turn])
            readings.append((time.perf_counter() - t0) * 1000)
    print(
        f"offline answers: {len(questions)} questions of every set in eval/ (start-up incl. index and model: {startup:.1f} s)"
    )
    print(f"{'stage':16} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for name, values in (("whole answer", answers), ("reading stage", readings)):
        print(f"{name:16} {_pct(values, 50):7.2f} {_pct(values, 95):7.2f} {max(values):7.2f}")


if __name__ == "__main__":
    main()
