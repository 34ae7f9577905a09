"""The CI quality gate: the offline assistant on each set in eval/ must meet its floors in
eval/thresholds.json. Thresholds are raised as quality rises and never lowered to make a change pass
(eval/THRESHOLDS.md).
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
THRESHOLDS: dict[str, dict[str, float]] = json.loads(
    (EVAL_DIR / "thresholds.json").read_text(encoding="utf-8")
)
GATES = [(set_name, metric) for set_name, floors in THRESHOLDS.items() for metric in sorted(floors)]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    # A data dir of its own: the gate builds its own index and never reads a developer's data/.
    return Assistant(Settings(data_dir=tmp_path_factory.mktemp("gate-data")))


_RESULTS: dict[str, EvalResult] = {}


def _result(assistant: Assistant, set_name: str) -> EvalResult:
    if set_name not in _RESULTS:
        set_file = EVAL_DIR / set_name
        if not set_file.exists():
            pytest.skip(f"evaluation set {set_file} does not exist: nothing to gate")
        _RESULTS[set_name] = evaluate(load_set(set_file, assistant.kb), assistant, progress=False)
    return _RESULTS[set_name]


def test_thresholds_file_names_known_metrics_with_sane_values() -> None:
    known = {"verdict_accuracy", "macro_f1", "must_cite_item_recall", "citation_precision"}
    known |= {"refusal_accuracy", "key_point_coverage", "invalid_citations_max", "false_tolerable_max"}
    assert "questions.jsonl" in THRESHOLDS
    for set_name, floors in THRESHOLDS.items():
        assert known <= set(floors), f"{set_name}: thresholds lack {sorted(known - set(floors))}"
        for key, value in floors.items():
            assert 0.0 <= value <= 1.0, (set_name, key)
        assert floors["invalid_citations_max"] == 0, "invalid citations are never tolerated"
        assert floors["false_tolerable_max"] == 0, "a red-line story called tolerable is never tolerated"


@pytest.mark.parametrize(("set_name", "metric"), [g for g in GATES if not g[1].endswith("_max")])
def test_metric_meets_its_floor(assistant: Assistant, set_name: str, metric: str) -> None:
    value = _result(assistant, set_name).headline()[metric]
    floor = THRESHOLDS[set_name][metric]
    assert value is not None or floor == 0, f"{set_name}: {metric} could not be measured"
    assert value is None or value >= floor, f"{set_name}: {metric} = {value:.4f} fell below the floor {floor}"


@pytest.mark.parametrize("set_name", sorted(THRESHOLDS))
def test_no_invalid_citations(assistant: Assistant, set_name: str) -> None:
    invalid = _result(assistant, set_name).citations.invalid
    listed = "; ".join(f"{i.item_id} {i.citation_id}: {i.reason}" for i in invalid[:10])
    assert len(invalid) <= THRESHOLDS[set_name]["invalid_citations_max"], f"invalid citations: {listed}"


@pytest.mark.parametrize("set_name", sorted(THRESHOLDS))
def test_no_red_line_story_is_called_tolerable(assistant: Assistant, set_name: str) -> None:
    reading = _result(assistant, set_name).reading
    assert reading.false_tolerable <= THRESHOLDS[set_name]["false_tolerable_max"], (
        f"gold 不予容错 answered 可以容错: {', '.join(reading.false_tolerable_ids)}"
    )


@pytest.mark.parametrize("set_name", sorted(THRESHOLDS))
def test_every_item_is_answered_without_an_error(assistant: Assistant, set_name: str) -> None:
    errors = [f"{f.item_id}: {f.error}" for f in _result(assistant, set_name).failures if f.error]
    assert not errors, "the assistant raised on: " + "; ".join(errors[:10])


def test_every_minimal_pair_flips(assistant: Assistant) -> None:
    result = _result(assistant, "questions.jsonl")
    pairs = result.headline().get("pairs_total"), result.headline().get("pairs_flipped")
    assert pairs[0] and pairs[0] == pairs[1], f"minimal pairs flipped: {pairs[1]} of {pairs[0]}"


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


# The blind sets (and the sealed unseen set) have no floors: a floor would invite tuning on them. The two
# errors that are never tolerated are gated on them all the same.
UNGATED = sorted(p.name for p in EVAL_DIR.glob("*.jsonl") if p.name not in THRESHOLDS)


@pytest.mark.parametrize("set_name", UNGATED)
def test_no_red_line_story_is_called_tolerable_on_the_blind_sets(assistant: Assistant, set_name: str) -> None:
    result = _result(assistant, set_name)
    assert result.reading.false_tolerable == 0, (
        f"gold 不予容错 answered 可以容错: {', '.join(result.reading.false_tolerable_ids)}"
    )
    assert not result.citations.invalid, [
        f"{i.item_id} {i.citation_id}" for i in result.citations.invalid[:5]
    ]
