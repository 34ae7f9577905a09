"""Write an evaluation run: metrics.json, report.md, confusion.png, failures.jsonl, a console table.

Every table sets the run beside the naive baseline and the committed baseline report
(``eval/baseline/metrics.json``), with deltas against the latter.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.evaluation.baseline import BaselineResult, Committed
from assistant.evaluation.metrics import VerdictMetrics
from assistant.evaluation.result import EvalResult

# key, label, higher is better, kind ("ratio" shown as %, "count", "ms")
ROWS: tuple[tuple[str, str, bool, str], ...] = (
    ("verdict_accuracy", "verdict accuracy", True, "ratio"),
    ("macro_f1", "macro-F1", True, "ratio"),
    ("must_cite_item_recall", "must-cite recall (items)", True, "ratio"),
    ("must_cite_label_recall", "must-cite recall (labels)", True, "ratio"),
    ("recall_at_5", "recall@5 (must labels)", True, "ratio"),
    ("citation_precision", "citation precision", True, "ratio"),
    ("invalid_citations", "invalid citations", False, "count"),
    ("refusal_accuracy", "refusal accuracy", True, "ratio"),
    ("false_refusal_rate", "false-refusal rate", False, "ratio"),
    ("key_point_coverage", "key-point coverage", True, "ratio"),
    ("pairs_total", "minimal pairs", True, "count"),
    ("pairs_flipped", "minimal pairs flipped", True, "count"),
    ("errors", "errors", False, "count"),
    ("false_tolerable", "false-tolerable (gold 不予容错 → 可以容错)", False, "count"),
    ("false_condemned", "false-condemned (gold 可以容错 → 不予容错)", False, "count"),
    ("not_tolerable_recall", "not-tolerable recall", True, "ratio"),
    ("factor_recall", "factor recall (stated facts)", True, "ratio"),
    ("factor_precision", "factor precision", True, "ratio"),
    *(
        (f"{kind}_{name}", f"  {name} {kind}", True, "ratio")
        for name in ("motive", "intent", "basis", "process", "consequence", "remedy")
        for kind in ("recall", "precision")
    ),
    ("latency_p50_ms", "latency p50 (ms)", False, "ms"),
    ("latency_p95_ms", "latency p95 (ms)", False, "ms"),
)


@dataclass(frozen=True)
class RunMeta:
    set_path: str
    items: int
    knowledge_version: str
    timestamp: str
    mode: str
    seconds: float


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "n/a"
    if kind == "ratio":
        return f"{value * 100:.1f}%"
    if kind == "count":
        return f"{value:.0f}"
    return f"{value:.1f}"


def _delta(now: float | None, then: float | None, kind: str, higher_better: bool) -> str:
    if now is None or then is None:
        return ""
    diff = round(now, 4) - then  # the committed numbers were rounded to 4 places when written
    text = (
        f"{diff * 100:+.1f}pp" if kind == "ratio" else f"{diff:+.0f}" if kind == "count" else f"{diff:+.1f}"
    )
    if text.lstrip("+-").rstrip("p") in ("0", "0.0"):
        return "="  # no change at the precision shown
    mark = "▲" if (diff > 0) == higher_better else "▼"  # ▲ better, ▼ worse, whatever the sign
    return f"{text} {mark}"


def _rows(result: EvalResult, naive: BaselineResult | None, committed: Committed | None) -> list[list[str]]:
    now, base = result.headline(), naive.headline() if naive else {}
    then = committed.metrics if committed else {}
    return [
        [
            label,
            _fmt(now.get(key), kind),
            _fmt(base.get(key), kind),
            _fmt(then.get(key), kind) if committed else "",
            _delta(now.get(key), then.get(key), kind, better),
        ]
        for key, label, better, kind in ROWS
    ]


HEADER = ["metric", "assistant", "naive vector top-5", "committed baseline", "Δ vs committed"]


def console_table(result: EvalResult, naive: BaselineResult | None, committed: Committed | None) -> str:
    """A plain-text table for the terminal (English labels, so columns line up)."""
    rows = [HEADER, *_rows(result, naive, committed)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _confusion_rows(v: VerdictMetrics) -> list[list[str]]:
    return [[label, *(str(n) for n in row)] for label, row in zip(v.labels, v.matrix, strict=True)]


def render_markdown(
    result: EvalResult,
    naive: BaselineResult | None,
    meta: RunMeta,
    committed: Committed | None,
    png_note: str | None,
) -> str:
    """report.md: metrics against both baselines, per class, confusion, categories, pairs, failures."""
    v = result.verdicts
    md = [
        "# 评测报告 Evaluation report",
        "",
        f"- 评测集 set: `{meta.set_path}` ({meta.items} items) · mode: {meta.mode}",
        f"- 知识库版本 knowledge version: `{meta.knowledge_version}` · {meta.timestamp} · {meta.seconds}s",
    ]
    if committed:
        md.append(
            f"- committed baseline: `{committed.path}` ({committed.items} items, {committed.timestamp})"
        )
        if committed.items != meta.items:
            md.append("- ⚠ the committed baseline was measured on a different number of items")
    else:
        md.append("- no committed baseline report (eval/baseline/metrics.json) to compare with")
    md += ["", "## 指标 Metrics", "", *_table(HEADER, _rows(result, naive, committed)), ""]
    md.append(
        "Naive vector = the question's embedding, top-5 units, no BM25, no lexicon, no assessor; it gives no verdict."
    )
    md += ["", "## 各类结论 Per verdict class", ""]
    per_class = [
        [name, str(s.support), str(s.predicted), *(_fmt(x, "ratio") for x in (s.precision, s.recall, s.f1))]
        for name, s in v.per_class.items()
    ]
    md += _table(["verdict", "support", "predicted", "precision", "recall", "F1"], per_class)
    md += ["", "## 混淆矩阵 Confusion matrix (rows: label, columns: prediction)", ""]
    md += _table(["label \\ predicted", *v.columns], _confusion_rows(v))
    picture = "![confusion matrix](confusion.png)" if png_note is None else f"(no confusion.png: {png_note})"
    md += ["", picture]
    md += ["", "## 分类准确率 Accuracy per category", ""]
    md += _table(
        ["category", "items", "correct", "accuracy"],
        [[c, str(s.n), str(s.correct), _fmt(s.accuracy, "ratio")] for c, s in result.per_category.items()],
    )
    md += ["", "## 最小对 Minimal pairs", ""]
    md.append(f"{result.pairs.flipped} of {result.pairs.total} pairs flipped correctly.")
    if result.pairs.missed:
        md.append("Not flipped: " + ", ".join(f"{a}/{b}" for a, b in result.pairs.missed))
    md += ["", f"## 失败条目 Failed items ({len(result.failures)})", ""]
    md += _table(
        ["id", "question", "expected", "predicted", "missing must-cite", "invalid citations"],
        [
            [
                f.item_id,
                f.question if len(f.question) <= 60 else f.question[:60] + "…",
                f.expected,
                f.predicted + (f" ({f.error})" if f.error else ""),
                ", ".join(f.missing_must_cite),
                ", ".join(f"{i.citation_id}: {i.reason}" for i in f.invalid),
            ]
            for f in result.failures
        ],
    )
    return "\n".join(md) + "\n"


def write_confusion_png(path: Path, v: VerdictMetrics) -> str | None:
    """Draw the confusion matrix; return why it could not be drawn, or None."""
    try:
        import matplotlib
        from matplotlib.figure import Figure

        # Labels are ASCII, but a missing CJK font must never cost the run: list fallbacks, mute warnings.
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        fonts = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "SimHei", "DejaVu Sans"]
        with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": fonts}):
            fig = Figure(figsize=(8, 6))  # the object API renders with Agg and touches no global backend
            ax = fig.add_subplot()
            image = ax.imshow(v.matrix, cmap="Blues")
            ax.set_xticks(range(len(v.columns)), list(v.columns), rotation=30, ha="right")
            ax.set_yticks(range(len(v.labels)), list(v.labels))
            ax.set_xlabel("predicted")
            ax.set_ylabel("label")
            top = max((n for row in v.matrix for n in row), default=0)
            for r, row in enumerate(v.matrix):
                for c, n in enumerate(row):
                    ax.text(c, r, str(n), ha="center", va="center", color="white" if n > top / 2 else "black")
            fig.colorbar(image, ax=ax)
            fig.tight_layout()
            fig.savefig(path, dpi=110)
    except Exception as exc:  # the picture is a convenience; the numbers are in metrics.json anyway
        return f"{type(exc).__name__}: {exc}"
    return None


def _rounded(values: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if x is None else round(x, 4) for k, x in values.items()}


def metrics_document(result: EvalResult, naive: BaselineResult | None, meta: RunMeta) -> dict[str, Any]:
    """metrics.json: every number of the run, with what it was measured on."""
    v = result.verdicts
    return {
        "set": meta.set_path,
        "items": meta.items,
        "knowledge_version": meta.knowledge_version,
        "timestamp": meta.timestamp,
        "mode": meta.mode,
        "seconds": meta.seconds,
        "metrics": _rounded(result.headline()),
        "baseline": {"name": f"naive vector top-{naive.k}", "metrics": _rounded(naive.headline())}
        if naive
        else None,
        "per_class": {name: asdict(s) for name, s in v.per_class.items()},
        "confusion": {
            "labels": list(v.labels),
            "columns": list(v.columns),
            "matrix": [list(r) for r in v.matrix],
        },
        "per_category": {c: asdict(s) for c, s in result.per_category.items()},
        "pairs": {
            "total": result.pairs.total,
            "flipped": result.pairs.flipped,
            "missed": result.pairs.missed,
        },
        "refusal": asdict(result.refusal),
        "key_points_total": result.key_points_total,
        "invalid_citations": [asdict(i) for i in result.citations.invalid],
        "failed_items": [f.item_id for f in result.failures],
    }


def write_run(
    out: Path, result: EvalResult, naive: BaselineResult | None, meta: RunMeta, committed: Committed | None
) -> None:
    """Write the four report files into ``out`` (created if needed)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        doc = json.dumps(metrics_document(result, naive, meta), ensure_ascii=False, indent=1)
        (out / "metrics.json").write_text(doc + "\n", encoding="utf-8")
        png_note = write_confusion_png(out / "confusion.png", result.verdicts)
        (out / "report.md").write_text(
            render_markdown(result, naive, meta, committed, png_note), encoding="utf-8"
        )
        lines = [json.dumps(f.to_json(), ensure_ascii=False) for f in result.failures]
        (out / "failures.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"无法写入报告目录 {out}：{type(exc).__name__}") from exc
