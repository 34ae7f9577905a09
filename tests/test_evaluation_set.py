"""The set checker: on small fixture sets, and on the real eval/questions.jsonl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.domain import SourceType, Unit
from assistant.evaluation.dataset import EvalSetError, class_balance, load_set, pairs
from assistant.knowledge import KnowledgeBase, load_knowledge
from assistant.settings import PROJECT_ROOT, Settings

SET_FILE = PROJECT_ROOT / "eval" / "questions.jsonl"


def _kb(*ids: str) -> KnowledgeBase:
    units = {
        uid: Unit(uid, "law", uid.split(":")[1], uid, "", "条文", True, SourceType.REGULATION, "f", "全国")
        for uid in ids
    }
    return KnowledgeBase(documents={}, units=units, version="test")


KB = _kb("law:17", "law:17.1", "law:18.1")


def row(iid: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": iid,
        "category": "scenario",
        "province": None,
        "question": "集体研究后先行先试出了问题，能容错吗？",
        "verdict": "tolerable",
        "must_cite": ["law:17"],
        "may_cite": [],
        "key_points": ["第十七条"],
        "factors": {"motive": "public", "process": "collective"},
        "rationale": "集体研究、为公。",
    }
    base.update(changes)
    return base


def write(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(EvalSetError) as caught:
        load_set(path, KB)
    assert "\n" not in caught.value.message  # the CLI shows it as one line
    return caught.value.problems


def test_a_good_set_loads_with_prefix_labels_and_both_pair_forms(tmp_path: Path) -> None:
    rows: list[dict[str, Any] | str] = [
        row("S1", must_cite=["law:18"], pair="P1"),  # law:18 exists only through law:18.1
        row("S2", verdict="not_tolerable", pair="P1"),
        row("S3", pair="S4"),  # the other form: a pair naming the other item's id
        row("S4", verdict="needs_more_facts"),
        row("O1", category="out_of_scope", verdict="out_of_scope", must_cite=[], key_points=[]),
    ]
    items = load_set(write(tmp_path / "set.jsonl", rows), KB)
    assert [i.id for i in items] == ["S1", "S2", "S3", "S4", "O1"]
    assert [(a.id, b.id) for a, b in pairs(items)] == [("S1", "S2"), ("S3", "S4")]
    balance = class_balance(items)
    assert balance["verdict"]["tolerable"] == 2
    assert balance["category"]["out_of_scope"] == 1
    assert balance["category"]["adversarial"] == 0


def test_every_problem_is_reported_with_line_and_id(tmp_path: Path) -> None:
    rows: list[dict[str, Any] | str] = [
        row("S1"),
        "{not json",
        row("S1"),  # duplicate id
        row("S3", verdict="maybe"),
        row("S4", category="gossip"),
        row("S5", must_cite=["law:1"]),  # law:1 is a prefix of law:17, but not at a '.' boundary
        row("S6", factors={"motive": "selfless"}),
        {k: v for k, v in row("S7").items() if k != "rationale"},
    ]
    found = problems_of(write(tmp_path / "set.jsonl", rows))
    joined = "\n".join(found)
    assert "第 2 行" in joined and "JSON" in joined
    assert "第 3 行 S1：id 与第 1 行重复" in joined
    assert "第 4 行 S3" in joined and "'maybe'" in joined
    assert "第 5 行 S4" in joined and "'gossip'" in joined
    assert "第 6 行 S5：引用标签 law:1 在知识库中不存在" in joined
    assert "第 7 行 S6" in joined and "'selfless'" in joined
    assert "第 8 行 S7：缺少字段 rationale" in joined
    assert len(found) == 7


def test_pairs_must_have_two_items_with_different_verdicts(tmp_path: Path) -> None:
    rows: list[dict[str, Any] | str] = [
        row("S1", pair="P1"),
        row("S2", pair="P1"),  # same verdict
        row("S3", pair="P2"),  # alone
    ]
    joined = "\n".join(problems_of(write(tmp_path / "set.jsonl", rows)))
    assert "pair P1：两条的 verdict 相同" in joined
    assert "pair P2：应恰好有两条，实有 1 条" in joined


def test_a_missing_or_empty_set_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(EvalSetError, match="不存在"):
        load_set(tmp_path / "absent.jsonl", KB)
    with pytest.raises(EvalSetError, match="为空"):
        load_set(write(tmp_path / "empty.jsonl", []), KB)


@pytest.mark.parametrize("set_file", sorted((PROJECT_ROOT / "eval").glob("*.jsonl")), ids=lambda p: p.name)
def test_every_evaluation_set_is_valid(set_file: Path) -> None:
    kb = load_knowledge(Settings().knowledge_dir)
    try:
        items = load_set(set_file, kb)
    except EvalSetError as exc:
        pytest.fail(f"{set_file.name} has problems:\n" + "\n".join(exc.problems), pytrace=False)
    balance = class_balance(items)
    print(f"\n{set_file.name}: {len(items)} items")  # shown with pytest -s: the class balance
    for axis, counts in balance.items():
        print(f"  {axis}: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    assert len(items) >= 50


def test_the_main_set_has_at_least_150_items() -> None:
    assert SET_FILE.exists(), f"{SET_FILE} is missing"
    assert sum(1 for line in SET_FILE.read_text(encoding="utf-8").splitlines() if line.strip()) >= 150
