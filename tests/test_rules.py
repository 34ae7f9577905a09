"""The rule files are data: every pattern compiles and every unit they name exists in the base."""

from __future__ import annotations

import re
from typing import Any

import yaml

from assistant.knowledge import load_knowledge
from assistant.rules import Rules
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


def _consumed(pattern: str) -> str:
    """The literal part of a cue that a match consumes: lookarounds and character classes removed."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j = 0, i
            while j < len(pattern):
                depth += pattern[j] == "("
                depth -= pattern[j] == ")"
                j += 1
                if depth == 0:
                    break
            i = j
            continue
        if pattern[i] == "[":
            i = pattern.index("]", i + 2) + 1
            continue
        out.append(pattern[i])
        i += 1
    return "".join(out)


def _after_first_character(consumed: str) -> str:
    """What follows a match's leading negator or first character: a negator there is read as a denial (a
    leading one, "(没签|未签)…推了", "(暂不|先不)…报告", is the cue's own)."""
    if not consumed.startswith("("):
        return _LEADING.sub("", consumed)
    depth, end = 0, 0
    for index, ch in enumerate(consumed):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            end = index
            break
    alternatives = re.split(r"\|(?![^(]*\))", consumed[1:end])
    return "|".join(_LEADING.sub("", a) for a in alternatives) + consumed[end + 1 :]


# A two-character negator the engine reads as the cue's own when the match starts with it
# (language.yaml `negators`); otherwise the first character.
_LEADING = re.compile(r"^(暂不|先不|.)")


def test_violation_cues_keep_negation_outside_what_they_consume() -> None:
    """The engine reads a negator inside a violation match as a denial ("村干部没人入股分钱"), so a cue
    whose meaning needs a negation ("领导来拍了照就没人管了") must put it in a lookahead or lead with it."""
    rules = Rules.load(PROJECT_ROOT / "knowledge")
    negators = ("没", "不", "未", "无", "冇")
    offenders = [
        (v.id, p.pattern)
        for v in rules.violations
        for p in v.patterns
        if any(n in _after_first_character(_consumed(p.pattern)) for n in negators)
    ]
    assert offenders == []
