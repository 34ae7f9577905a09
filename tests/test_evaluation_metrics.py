"""Evaluation metrics on hand-made answers: each test fails if its metric's definition is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.domain import Answer, Citation, Intent, SourceType, Unit, Verdict
from assistant.evaluation.baseline import Committed
from assistant.evaluation.dataset import EvalItem
from assistant.evaluation.metrics import (
    ERROR,
    Prediction,
    citation_metrics,
    meets,
    missed_key_points,
    pair_metrics,
    percentile,
    refusal_metrics,
    verdict_metrics,
)
from assistant.evaluation.report import RunMeta, console_table, write_run
from assistant.evaluation.runner import score
from assistant.knowledge import KnowledgeBase

TEXTS = {
    "law:17": "有下列情形之一的，可以不予问责或者免予问责：",
    "law:17.1": "在推进改革中因缺乏经验、先行先试出现的失误；",
    "law:17.2": "在集体决策中对错误决策提出明确反对意见；",
    "law:170": "第一百七十条的文字。",
    "law:7": "党组织和党的领导干部违反党章和其他党内法规，应当予以问责。",
}


def _kb() -> KnowledgeBase:
    units = {
        uid: Unit(
            id=uid,
            doc_id="law",
            local_id=uid.split(":", 1)[1],
            label=uid,
            heading="",
            text=text,
            verified=True,
            type=SourceType.REGULATION,
            source_file="law.txt",
            jurisdiction="全国",
        )
        for uid, text in TEXTS.items()
    }
    return KnowledgeBase(documents={}, units=units, version="test")


def cite(uid: str, quote: str | None = None) -> Citation:
    text = TEXTS.get(uid, "不存在的条文")
    return Citation(uid, uid.split(":")[0], uid, text[:8] if quote is None else quote, SourceType.REGULATION)


def item(
    iid: str,
    verdict: str,
    must: tuple[str, ...] = (),
    may: tuple[str, ...] = (),
    category: str = "scenario",
    key_points: tuple[str, ...] = (),
    pair: str | None = None,
) -> EvalItem:
    return EvalItem(
        id=iid,
        category=category,
        question=f"问题 {iid}",
        verdict=Verdict(verdict),
        must_cite=must,
        may_cite=may,
        key_points=key_points,
        pair=pair,
    )


def answer(
    verdict: str, citations: list[Citation] | None = None, text: str = "", latency: float = 1.0
) -> Answer:
    return Answer(
        question="q",
        intent=Intent.SCENARIO,
        verdict=Verdict(verdict),
        answer=text,
        citations=citations or [],
        factors={},
        follow_up=[],
        latency_ms=latency,
    )


def test_a_finer_unit_meets_a_label_but_a_longer_number_does_not() -> None:
    assert meets("law:17", "law:17")
    assert meets("law:17.1", "law:17")
    assert not meets("law:170", "law:17")  # "17" is a prefix of "170" but not at a '.' boundary
    assert not meets("law:17", "law:17.1")  # a coarser unit does not meet a finer label


def test_must_cite_recall_by_item_and_by_label() -> None:
    items = [item("a", "tolerable", must=("law:17", "law:7")), item("b", "tolerable", must=("law:17",))]
    cited = [[cite("law:17.1")], [cite("law:17")]]  # item a misses law:7
    m = citation_metrics(items, cited, _kb())
    assert m.must_cite_item_recall == pytest.approx(1 / 2)
    assert m.must_cite_label_recall == pytest.approx(2 / 3)


def test_recall_at_k_counts_only_the_first_k_citations() -> None:
    items = [item("a", "tolerable", must=("law:7",))]
    cited = [[cite("law:17"), cite("law:17.1"), cite("law:7")]]
    assert citation_metrics(items, cited, _kb(), k=2).recall_at_k == 0.0
    assert citation_metrics(items, cited, _kb(), k=3).recall_at_k == 1.0


def test_citation_precision_counts_must_and_may_and_skips_out_of_scope_and_unlabelled() -> None:
    items = [
        item("a", "tolerable", must=("law:17",), may=("law:7",)),
        item("o", "out_of_scope", category="out_of_scope"),
        item("n", "not_applicable", category="knowledge"),  # no labels: nothing to judge against
    ]
    cited = [
        [cite("law:17.2"), cite("law:7"), cite("law:170")],  # 2 of 3 acceptable
        [cite("law:170")],
        [cite("law:170")],
    ]
    m = citation_metrics(items, cited, _kb())
    assert m.citation_precision == pytest.approx(2 / 3)
    assert m.citations_total == 5


def test_invalid_citations_unknown_id_and_altered_quote() -> None:
    items = [item("a", "tolerable", must=("law:17",))]
    altered = cite("law:17", quote="可以从轻问责")  # not in the unit's text
    cited = [[cite("law:17"), cite("law:99"), altered]]
    m = citation_metrics(items, cited, _kb())
    assert m.invalid_citations == 2
    assert {(i.citation_id, i.reason) for i in m.invalid} == {
        ("law:99", "unknown unit id"),
        ("law:17", "quote is not an exact substring of the unit text"),
    }


def test_refusal_accuracy_and_false_refusals() -> None:
    items = [
        item("o1", "out_of_scope", category="out_of_scope"),
        item("a1", "out_of_scope", category="adversarial"),
        item("a2", "not_tolerable", category="adversarial"),  # injection on a real story: answer it
        item("s1", "tolerable"),
        item("s2", "not_tolerable"),
    ]
    predicted = ["out_of_scope", "not_applicable", "not_tolerable", "out_of_scope", "not_tolerable"]
    m = refusal_metrics(items, predicted)
    assert (m.n, m.accuracy) == (3, pytest.approx(2 / 3))
    assert (m.n_other, m.false_refusal_rate) == (2, pytest.approx(1 / 2))


def test_verdict_metrics_per_class_and_macro_f1() -> None:
    labels = ["tolerable", "tolerable", "not_tolerable", "not_tolerable", "needs_more_facts"]
    predicted = ["tolerable", "not_tolerable", "not_tolerable", "not_tolerable", ERROR]
    v = verdict_metrics([item(str(i), lab) for i, lab in enumerate(labels)], predicted)
    assert v.accuracy == pytest.approx(3 / 5)
    tol, nt, nmf = v.per_class["tolerable"], v.per_class["not_tolerable"], v.per_class["needs_more_facts"]
    assert (tol.precision, tol.recall, tol.f1) == (1.0, 0.5, pytest.approx(2 / 3))
    assert (nt.precision, nt.recall, nt.f1) == (pytest.approx(2 / 3), 1.0, pytest.approx(0.8))
    assert (nmf.support, nmf.f1) == (1, 0.0)  # never predicted: F1 0, and it still counts
    assert v.per_class["out_of_scope"].support == 0  # absent classes stay out of the macro average
    assert v.macro_f1 == pytest.approx((2 / 3 + 0.8 + 0.0) / 3)
    row = v.labels.index("needs_more_facts")
    assert v.matrix[row][v.columns.index(ERROR)] == 1
    assert sum(map(sum, v.matrix)) == 5


def test_pairs_flip_only_when_both_items_are_right() -> None:
    items = [
        item("a", "tolerable", pair="P1"),
        item("b", "not_tolerable", pair="P1"),
        item("c", "tolerable", pair="P2"),
        item("d", "not_tolerable", pair="P2"),
    ]
    m = pair_metrics(items, ["tolerable", "not_tolerable", "tolerable", "tolerable"])
    assert (m.total, m.flipped, m.missed) == (2, 1, (("c", "d"),))


def test_key_points_are_matched_after_folding_and_without_whitespace() -> None:
    it = item("a", "tolerable", key_points=("第十七条", "集体 研究", "无意过失"))
    # Traditional characters and full-width spacing in the answer still match.
    assert missed_key_points(it, "依據第十七條，經集體研究　決定") == ["无意过失"]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 50) == 10.0
    assert percentile(values, 95) == 19.0
    assert percentile([], 50) is None


def test_score_counts_errors_and_lists_failures() -> None:
    kb = _kb()
    items = [
        item("ok", "tolerable", must=("law:17",), key_points=("先行先试",)),
        item("miss", "tolerable", must=("law:7",)),
        item("boom", "not_tolerable", must=("law:7",)),
    ]
    good = [cite("law:17.1", TEXTS["law:17.1"])]
    predictions = [
        Prediction("ok", answer("tolerable", good, text="因先行先试出现失误", latency=2.0)),
        Prediction("miss", answer("tolerable", [cite("law:17")], latency=4.0)),
        Prediction("boom", None, 3.0, "RuntimeError: x"),
    ]
    result = score(items, predictions, kb)
    assert result.errors == 1
    assert result.verdicts.accuracy == pytest.approx(2 / 3)
    assert result.key_point_coverage == 1.0
    assert [f.item_id for f in result.failures] == ["miss", "boom"]
    assert result.failures[0].missing_must_cite == ("law:7",)
    assert result.failures[1].predicted == ERROR
    assert result.latency_ms == (2.0, 4.0)  # the errored item has no answer latency
    assert result.headline()["invalid_citations"] == 0.0


def test_report_files_are_written(tmp_path: Path) -> None:
    items = [item("ok", "tolerable", must=("law:17",)), item("bad", "not_tolerable", must=("law:7",))]
    predictions = [
        Prediction("ok", answer("tolerable", [cite("law:17")])),
        Prediction("bad", answer("tolerable", [cite("law:99")])),
    ]
    result = score(items, predictions, _kb())
    meta = RunMeta("eval/x.jsonl", 2, "test", "2026-01-01T00:00:00", "offline", 0.1)
    committed = Committed("b.json", {"verdict_accuracy": 1.0}, "eval/x.jsonl", 2, "then")
    write_run(tmp_path, result, None, meta, committed)
    doc = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert doc["metrics"]["verdict_accuracy"] == 0.5
    assert doc["metrics"]["invalid_citations"] == 1
    assert doc["confusion"]["matrix"][1][0] == 1  # not_tolerable labelled, tolerable predicted
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "-50.0pp ▼" in md  # the delta against the committed baseline, marked as worse
    assert "| bad |" in md and "law:99: unknown unit id" in md
    assert (tmp_path / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    failed = [json.loads(line) for line in (tmp_path / "failures.jsonl").read_text().splitlines()]
    assert [f["id"] for f in failed] == ["bad"]
    table = console_table(result, None, committed)
    assert "verdict accuracy" in table and "50.0%" in table


def test_factor_reading_scores_what_the_story_states_and_not_hedged_values() -> None:
    from assistant.domain import FactorValue
    from assistant.evaluation.metrics import reading_metrics

    item = EvalItem(
        "F1", "scenario", "…", Verdict.NOT_TOLERABLE, factors={"motive": "private", "process": "unknown"}
    )

    def read(**values: FactorValue) -> Prediction:
        a = Answer("…", Intent.SCENARIO, Verdict.NOT_TOLERABLE, "", [], dict(values), [])
        return Prediction("F1", a)

    stated = reading_metrics([item], [read(motive=FactorValue("private", "拿了回扣"))])
    assert stated.per_factor["motive"].recall == 1.0 and stated.per_factor["motive"].precision == 1.0
    # a rumour of gain is shown as reported, not as a stated fact: it is not a read value
    rumour = reading_metrics([item], [read(motive=FactorValue("private", "听说拿了回扣", hedged=True))])
    assert rumour.per_factor["motive"].recall == 0.0 and rumour.per_factor["motive"].read == 0
    # a value the story does not state lowers precision
    extra = reading_metrics(
        [item],
        [read(motive=FactorValue("private", "拿了回扣"), process=FactorValue("collective", "上了会"))],
    )
    assert extra.per_factor["process"].precision == 0.0
