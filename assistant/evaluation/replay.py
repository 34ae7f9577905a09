"""Recorded readings (a model's, or any reader's) replayed as the reading, to measure them with the rules.

`assistant eval --reader replay FILE` reads JSON Lines `{"id": …, "reading": {…}}`, the reading in the
factor prompt's schema (the contract: six factors, each `{"value", "evidence"}`, and optionally
`"violations": [{"name", "evidence"}]`). As in LLM mode, code checks every item: a value needs evidence
that is an exact substring of the question, or it is dropped; a violation must name a known family.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.domain import FACTOR_NAMES, FACTOR_VALUES, FactorValue
from assistant.errors import InputError
from assistant.normalize import fold
from assistant.reading.facts import Fact, Facts, Sighting
from assistant.rules import Rules


def load_replay(path: Path) -> dict[str, dict[str, Any]]:
    """Readings by item id; a clear Chinese error for a file that is not JSON Lines of that shape."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取回放文件 {path}：{exc}") from exc
    out: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"回放文件第 {number} 行不是合法的 JSON：{exc.msg}") from exc
        if not isinstance(row, dict) or not isinstance(row.get("reading"), dict) or "id" not in row:
            raise InputError(f'回放文件第 {number} 行应为 {{"id": …, "reading": {{…}}}}')
        out[str(row["id"])] = row["reading"]
    return out


def replay_facts(question: str, reading: dict[str, Any], rules: Rules) -> Facts:
    """The reading as facts, keeping only what the question's own words support."""
    text = fold(question)
    facts = Facts()
    for name in FACTOR_NAMES:
        item = reading.get(name)
        if not isinstance(item, dict):
            continue
        value, evidence = str(item.get("value", "unknown")), str(item.get("evidence", ""))
        if value == "unknown" or value not in FACTOR_VALUES[name]:
            continue
        if not evidence or fold(evidence) not in text:
            continue  # an unverified span never reaches a verdict
        facts.factors[name] = FactorValue(value, fold(evidence))
        facts.items.append(Fact("factor", name, value, fold(evidence), 0, reader="replay"))
    families = {v.id for v in rules.violations}
    by_name = {v.name: v.id for v in rules.violations}  # a reader may give the family's Chinese name
    for item in reading.get("violations") or []:
        if not isinstance(item, dict):
            continue
        family = str(item.get("name", ""))
        family = by_name.get(family, family)
        evidence = str(item.get("evidence", ""))
        if family not in families or not evidence or fold(evidence) not in text:
            continue
        facts.violations[family] = Sighting(fold(evidence), False, "subject", "replay")
        facts.items.append(Fact("violation", family, "yes", fold(evidence), 0, reader="replay"))
    return facts
