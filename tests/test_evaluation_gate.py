"""The CI quality gate: the offline assistant on eval/questions.jsonl must meet eval/thresholds.json.

Thresholds are raised as quality rises and never lowered to make a change pass (eval/THRESHOLDS.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.dataset import load_set
from assistant.evaluation.runner import EvalResult, evaluate
from assistant.pipeline import Assistant
from assistant.settings import PROJECT_ROOT, Settings

EVAL_DIR = PROJECT_ROOT / "eval"
SET_FILE = EVAL_DIR / "questions.jsonl"
THRESHOLDS: dict[str, float] = json.loads((EVAL_DIR / "thresholds.json").read_text(encoding="utf-8"))
FLOORS = sorted(k for k in THRESHOLDS if not k.endswith("_max"))


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> EvalResult:
    if not SET_FILE.exists():
        pytest.skip(f"evaluation set {SET_FILE} does not exist yet: nothing to gate")
    # A data dir of its own: the gate builds its own index and never reads a developer's data/.
    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("gate-data")))
    items = load_set(SET_FILE, assistant.kb)
    return evaluate(items, assistant, progress=False)


def test_thresholds_file_names_known_metrics_with_sane_values() -> None:
    known = {"verdict_accuracy", "macro_f1", "must_cite_item_recall", "citation_precision"}
    known |= {"refusal_accuracy", "key_point_coverage", "invalid_citations_max"}
    assert known <= set(THRESHOLDS), f"thresholds.json lacks {sorted(known - set(THRESHOLDS))}"
    for key in FLOORS:
        assert 0.0 <= THRESHOLDS[key] <= 1.0, key
    assert THRESHOLDS["invalid_citations_max"] == 0, "invalid citations are never tolerated"


@pytest.mark.parametrize("metric", FLOORS)
def test_metric_meets_its_floor(result: EvalResult, metric: str) -> None:
    value = result.headline()[metric]
    floor = THRESHOLDS[metric]
    assert value is not None or floor == 0, f"{metric} could not be measured on this set"
    assert value is None or value >= floor, f"{metric} = {value:.4f} fell below the floor {floor}"


def test_no_invalid_citations(result: EvalResult) -> None:
    invalid = result.citations.invalid
    listed = "; ".join(f"{i.item_id} {i.citation_id}: {i.reason}" for i in invalid[:10])
    assert len(invalid) <= THRESHOLDS["invalid_citations_max"], f"invalid citations: {listed}"


def test_every_item_is_answered_without_an_error(result: EvalResult) -> None:
    errors = [f"{f.item_id}: {f.error}" for f in result.failures if f.error]
    assert not errors, "the assistant raised on: " + "; ".join(errors[:10])


def test_eval_command_writes_a_report_for_a_small_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from assistant.evaluation import runner

    settings = Settings(data_dir=tmp_path_factory.mktemp("cli-data"))
    monkeypatch.setattr(runner, "get_settings", lambda: settings)
    common: dict[str, object] = {"province": None, "may_cite": [], "key_points": [], "rationale": "测试"}
    rows = [
        {"id": "K1", "category": "knowledge", "question": "三个区分开来具体是哪三个？"}
        | {"verdict": "not_applicable", "must_cite": ["three-distinctions-2016:1"]},
        {"id": "O1", "category": "out_of_scope", "question": "明天杭州天气怎么样"}
        | {"verdict": "out_of_scope", "must_cite": []},
    ]
    lines = [json.dumps(row | common, ensure_ascii=False) for row in rows]
    set_file = tmp_path / "set.jsonl"
    set_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert runner.run_cli(set_file, tmp_path / "out", baseline=True) == 0
    doc = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert doc["items"] == 2 and doc["baseline"]["name"] == "naive vector top-5"
    for name in ("report.md", "confusion.png", "failures.jsonl"):
        assert (tmp_path / "out" / name).exists(), name
