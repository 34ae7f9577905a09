"""Retrieval quality and speed on the shipped base: recall@1/5/10 of must-cite units on the evaluation
set, one row per component, and query latency. Run: `python -m bench retrieval`."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from assistant.index import build_index, open_index
from assistant.normalize import normalize_question
from assistant.pipeline import Assistant
from assistant.retrieve import RetrievalOptions, Retriever
from assistant.settings import PROJECT_ROOT, Settings

ROWS: list[tuple[str, RetrievalOptions]] = [
    (
        "vectors only (naive)",
        RetrievalOptions(lexical=False, lexicon=False, vectors=True, jurisdiction=False),
    ),
    ("lexical only (BM25)", RetrievalOptions(lexical=True, lexicon=False, vectors=False, jurisdiction=False)),
    ("+ lexicon", RetrievalOptions(lexical=True, lexicon=True, vectors=False, jurisdiction=False)),
    (
        "+ vectors (RRF fusion)",
        RetrievalOptions(lexical=True, lexicon=True, vectors=True, jurisdiction=False),
    ),
    ("+ jurisdiction (full)", RetrievalOptions()),
]


def _meets(cited: str, label: str) -> bool:
    return cited == label or cited.startswith(label + ".")


def load_items(path: Path) -> list[dict[str, object]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i for i in items if i.get("must_cite")]


def recall_table(
    retriever: Retriever, settings: Settings, items: list[dict[str, object]], assistant: Assistant
) -> list[str]:
    lines = [f"{'component':28} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'p50 ms':>7} {'p95 ms':>7}"]
    rows: list[tuple[str, RetrievalOptions | None]] = [*ROWS, ("+ assessor (cited units)", None)]
    for name, options in rows:
        met = {1: 0, 5: 0, 10: 0}
        total = 0
        times = []
        for item in items:
            question = normalize_question(str(item["question"]), settings.knowledge_dir, 10_000)
            province = item.get("province") or None
            started = time.perf_counter()
            if options is None:
                # The whole pipeline: the units chosen by factor and verdict, in the order cited.
                ids = [c.id for c in assistant.ask(str(item["question"]), province).citations]  # type: ignore[arg-type]
            else:
                hits = retriever.search(question, 10, province, options).hits  # type: ignore[arg-type]
                ids = [h.unit.id for h in hits]
            times.append((time.perf_counter() - started) * 1000)
            for label in item["must_cite"]:  # type: ignore[attr-defined]
                total += 1
                for k in met:
                    if any(_meets(u, label) for u in ids[:k]):
                        met[k] += 1
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        lines.append(
            f"{name:28} {met[1] / total:6.1%} {met[5] / total:6.1%} {met[10] / total:6.1%} "
            f"{statistics.median(times):7.2f} {p95:7.2f}"
        )
    return lines


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        started = time.perf_counter()
        manifest = build_index(settings, force=True)
        build_s = time.perf_counter() - started
        index = open_index(settings, build_if_stale=False)
        retriever = Retriever.from_index(index, settings.knowledge_dir)
        assistant = Assistant(settings, index)
        print(
            f"shipped base: {manifest['units']} units, index build {build_s:.2f} s ({manifest['embedder']})"
        )
        for set_name in ("questions.jsonl", "holdout.jsonl"):
            path = PROJECT_ROOT / "eval" / set_name
            if not path.exists():
                continue
            items = load_items(path)
            groups = {
                "all items": items,
                "knowledge + procedure (retrieval decides the citations)": [
                    i for i in items if i["category"] in ("knowledge", "procedure")
                ],
                "scenario + drafting + adversarial (the assessor adds rule units)": [
                    i for i in items if i["category"] not in ("knowledge", "procedure")
                ],
            }
            for label, group in groups.items():
                print(f"\nrecall of must-cite units — eval/{set_name}, {label}: {len(group)} items")
                print("\n".join(recall_table(retriever, settings, group, assistant)))


if __name__ == "__main__":
    main()
