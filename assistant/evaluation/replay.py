"""Recorded readings (a model's, or any reader's) replayed as the reading, to measure them with the rules.

`assistant eval --reader replay FILE` reads JSON Lines `{"id": …, "reading": {…}}`, the reading in the
factor prompt's schema (the contract: six factors, each `{"value", "evidence"}`, and optionally
`"violations": [{"name", "evidence"}]`, `"circumstances"`, and per item `"certainty"`, `"actor"`). As in LLM
mode, code checks every item: a value needs evidence that is an exact substring of the question, or it is
dropped; a violation must name a known family; certainty is read from the words around the evidence.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.normalize import fold
from assistant.reading.facts import Facts
from assistant.reading.recorded import reading_facts
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
    """The reading as facts, keeping only what the question's own words support (the same conversion
    as LLM mode's, ``reading.recorded``)."""
    return reading_facts([fold(question)], reading, rules, reader="replay")
