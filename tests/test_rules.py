"""The rule files are data: every pattern compiles and every unit they name exists in the base."""

from __future__ import annotations

import re
from typing import Any

import yaml

from assistant.knowledge import load_knowledge
from assistant.settings import PROJECT_ROOT

RULES = PROJECT_ROOT / "knowledge" / "rules"
UNIT_ID = re.compile(r"^[a-z0-9-]+:[a-z0-9.-]+$")


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def test_every_unit_named_by_a_rule_exists() -> None:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    named = []
    for path in RULES.glob("*.yaml"):
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if UNIT_ID.match(text):
                named.append((path.name, text))
    assert len(named) > 30
    missing = [(f, u) for f, u in named if u not in kb.units]
    assert not missing, missing


def test_every_pattern_compiles_and_none_is_quoted_twice() -> None:
    for path in RULES.glob("*.yaml"):
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            assert not (text.startswith("'") and text.endswith("'")), (path.name, text)
            re.compile(text)
