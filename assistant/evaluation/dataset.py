"""Load and check an evaluation set (JSON Lines, schema in the contract).

Every problem is collected with its line number and item id, so one run of the checker lists them
all instead of stopping at the first.

Minimal pairs: an item may carry ``"pair"``. Either both items of a pair carry the same key
(``"pair": "P01"``), or one names the other's id (``"pair": "D007"``). A pair has exactly two items
and their label verdicts differ: the pair checks that a small change of facts flips the verdict.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain import FACTOR_VALUES, Verdict
from assistant.errors import InputError
from assistant.knowledge import KnowledgeBase

CATEGORIES: tuple[str, ...] = (
    "scenario",
    "knowledge",
    "procedure",
    "drafting",
    "out_of_scope",
    "adversarial",
)
VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)
_LIST_FIELDS = ("must_cite", "may_cite", "key_points")
_TEXT_FIELDS = ("id", "category", "question", "verdict", "rationale")


class EvalSetError(InputError):
    """A bad evaluation set. ``message`` is one line; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class EvalItem:
    """One labelled question of the set."""

    id: str
    category: str
    question: str
    verdict: Verdict
    must_cite: tuple[str, ...] = ()
    may_cite: tuple[str, ...] = ()
    key_points: tuple[str, ...] = ()
    province: str | None = None
    factors: dict[str, str] = field(default_factory=dict)
    rationale: str = ""
    pair: str | None = None
    line: int = 0
    factor_evidence: dict[str, str] = field(default_factory=dict)  # the words that state each factor
    violations: tuple[str, ...] = ()  # the articles the story's conduct breaches (gold reading)


def _check_fields(raw: dict[str, Any], where: str, problems: list[str]) -> bool:
    """Schema of one line; returns whether an item can be built from it."""
    start = len(problems)
    missing = [name for name in _TEXT_FIELDS + _LIST_FIELDS if name not in raw]
    if missing:
        problems.append(f"{where}：缺少字段 {'、'.join(missing)}")
    for name in _TEXT_FIELDS:
        if name in raw and (not isinstance(raw[name], str) or not raw[name].strip()):
            problems.append(f"{where}：{name} 必须是非空文本")
    for name in _LIST_FIELDS:
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(f"{where}：{name} 必须是文本列表")
    if raw.get("category") not in CATEGORIES and isinstance(raw.get("category"), str):
        problems.append(f"{where}：未知的 category {raw['category']!r}")
    if raw.get("verdict") not in VERDICTS and isinstance(raw.get("verdict"), str):
        problems.append(f"{where}：未知的 verdict {raw['verdict']!r}")
    if raw.get("category") == "out_of_scope" and raw.get("verdict") != "out_of_scope":
        problems.append(f"{where}：category 为 out_of_scope 时 verdict 也必须是 out_of_scope")
    province, pair = raw.get("province"), raw.get("pair")
    if province is not None and not isinstance(province, str):
        problems.append(f"{where}：province 必须是文本或 null")
    if pair is not None and (not isinstance(pair, str) or not pair.strip()):
        problems.append(f"{where}：pair 必须是非空文本")
    factors = raw.get("factors") or {}
    if not isinstance(factors, dict):
        problems.append(f"{where}：factors 必须是对象")
    else:
        for name, value in factors.items():
            if name not in FACTOR_VALUES:
                problems.append(f"{where}：未知的要素 {name!r}")
            elif value not in FACTOR_VALUES[name]:
                problems.append(f"{where}：要素 {name} 的取值 {value!r} 不在 {list(FACTOR_VALUES[name])} 中")
    return len(problems) == start


def _item(raw: dict[str, Any], line: int) -> EvalItem:
    return EvalItem(
        id=raw["id"].strip(),
        category=raw["category"],
        question=raw["question"],
        verdict=Verdict(raw["verdict"]),
        must_cite=tuple(raw["must_cite"]),
        may_cite=tuple(raw["may_cite"]),
        key_points=tuple(raw["key_points"]),
        province=raw.get("province") or None,
        factors={str(k): str(v) for k, v in (raw.get("factors") or {}).items()},
        rationale=raw["rationale"],
        pair=raw.get("pair") or None,
        line=line,
        factor_evidence={str(k): str(v) for k, v in (raw.get("factor_evidence") or {}).items()},
        violations=tuple(str(v) for v in (raw.get("violations") or [])),
    )


def label_exists(label: str, kb: KnowledgeBase) -> bool:
    """A label names a unit, or a unit with finer units below it (``…:17`` when only ``…:17.1`` exists)."""
    return label in kb.units or any(uid.startswith(label + ".") for uid in kb.units)


def pair_groups(items: list[EvalItem]) -> dict[str, list[EvalItem]]:
    """Items grouped by pair; a pair value naming another item's id links the two items."""
    by_id = {item.id: item for item in items}
    groups: dict[str, list[EvalItem]] = {}
    for item in items:
        if item.pair is None:
            continue
        if item.pair in by_id:
            # Link form: key the pair by both ids so that A→B, B→A and A→B alone all meet.
            key = "+".join(sorted((item.id, item.pair)))
            members = [item, by_id[item.pair]]
        else:
            key, members = item.pair, [item]
        group = groups.setdefault(key, [])
        group.extend(m for m in members if m not in group)
    return groups


def pairs(items: list[EvalItem]) -> list[tuple[EvalItem, EvalItem]]:
    """The well-formed minimal pairs of a (checked) set."""
    return [(g[0], g[1]) for g in pair_groups(items).values() if len(g) == 2]


def check_items(items: list[EvalItem], kb: KnowledgeBase) -> list[str]:
    """Problems across items: duplicate ids, labels missing from the base, malformed pairs."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for item in items:
        where = f"第 {item.line} 行 {item.id}"
        if item.id in seen:
            problems.append(f"{where}：id 与第 {seen[item.id]} 行重复")
        seen.setdefault(item.id, item.line)
        for label in item.must_cite + item.may_cite:
            if not label_exists(label, kb):
                problems.append(f"{where}：引用标签 {label} 在知识库中不存在")
    for key, group in pair_groups(items).items():
        ids = ", ".join(i.id for i in group)
        if len(group) != 2:
            problems.append(f"pair {key}：应恰好有两条，实有 {len(group)} 条（{ids}）")
        elif group[0].verdict == group[1].verdict:
            problems.append(f"pair {key}：两条的 verdict 相同（{ids}），最小对必须结论不同")
    return problems


def read_set(path: Path) -> tuple[list[EvalItem], list[str]]:
    """Parse a set file: the items that passed the schema, and the problems of the others."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise EvalSetError(f"评测集文件不存在：{path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"无法读取评测集 {path}：{type(exc).__name__}") from exc
    items: list[EvalItem] = []
    problems: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"第 {number} 行：不是合法的 JSON（{exc.msg}）")
            continue
        if not isinstance(raw, dict):
            problems.append(f"第 {number} 行：应为 JSON 对象")
            continue
        where = f"第 {number} 行 {raw.get('id', '(无 id)')}"
        if _check_fields(raw, where, problems):
            items.append(_item(raw, number))
    return items, problems


def load_set(path: Path, kb: KnowledgeBase) -> list[EvalItem]:
    """Load and check a set; raise EvalSetError listing every problem (line and id) if any."""
    items, problems = read_set(path)
    problems.extend(check_items(items, kb))
    if not items and not problems:
        problems.append("评测集为空")
    if problems:
        shown = "；".join(problems[:5]) + (f"；等共 {len(problems)} 处" if len(problems) > 5 else "")
        raise EvalSetError(f"评测集 {path} 有 {len(problems)} 处问题：{shown}", problems)
    return items


def class_balance(items: list[EvalItem]) -> dict[str, dict[str, int]]:
    """Item counts by verdict and by category (every class listed, zeros included)."""
    verdicts = Counter(str(item.verdict) for item in items)
    categories = Counter(item.category for item in items)
    return {
        "verdict": {v: verdicts.get(v, 0) for v in VERDICTS},
        "category": {c: categories.get(c, 0) for c in CATEGORIES},
        "pairs": {"total": len(pairs(items))},
    }
