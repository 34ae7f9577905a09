"""Values the user confirms ("facts": {"process": "collective"}) applied to a reading before assessing.

A confirmed value overrides what the reading found and counts as stated (not hedged, not the clause
model's guess), and a doubt about that factor is settled. One exception keeps the red lines safe: a
value that weighs against tolerance, read from the user's own words (stated, by the rules), is never
replaced by a correction; the factor is put in doubt instead, so the assessor asks about it. Named
violations are never touched by a correction at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.domain import FACTOR_NAMES, FACTOR_VALUES, FactorValue
from assistant.errors import InputError
from assistant.reading.facts import Facts

APPLIED, SAME, ASKED = "applied", "same", "asked"
MAX_FACTS = len(FACTOR_NAMES)


@dataclass(frozen=True)
class Correction:
    """One confirmed value and what became of it."""

    factor: str
    value: str
    previous: str  # the value the reading had
    words: str  # the user's words the reading had it from ("" when none)
    status: str  # applied | same (the reading already said so) | asked (conflicts with the user's words)

    def to_json(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "value": self.value,
            "previous": self.previous,
            "words": self.words,
            "status": self.status,
        }


def parse_confirmed(value: Any, field: str = "facts") -> dict[str, str]:
    """The ``facts`` field of a request: an object of factor → value, or an InputError naming what is wrong."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f'字段 {field} 必须是对象，例如 {{"motive": "public"}}。')
    if len(value) > MAX_FACTS:
        raise InputError(f"字段 {field} 最多包含 {MAX_FACTS} 个因素。")
    out: dict[str, str] = {}
    for name, val in value.items():
        if name not in FACTOR_VALUES:
            raise InputError(f"字段 {field} 中的因素 {name} 不存在；可用：{'、'.join(FACTOR_NAMES)}。")
        allowed = FACTOR_VALUES[name]
        if not isinstance(val, str) or val not in allowed:
            raise InputError(f"字段 {field}.{name} 的取值须为 {' / '.join(allowed)} 之一。")
        out[name] = val
    return out


def apply_confirmed(
    facts: Facts, confirmed: dict[str, str], adverse: dict[str, str], labels: dict[str, dict[str, str]]
) -> list[Correction]:
    """Apply the confirmed values to ``facts`` (in place); return what became of each.

    ``adverse``: the value of each factor that weighs against tolerance; ``labels``: short names of
    the values, used as the evidence of a confirmed value (distinct per fact, so two confirmed facts
    count as two)."""
    out: list[Correction] = []
    for name in FACTOR_NAMES:
        if name not in confirmed:
            continue
        value = confirmed[name]
        prev = facts.factors.get(name, FactorValue())
        firm = not prev.hedged and name not in facts.model_read and bool(prev.evidence)
        if value == prev.value and (firm or value == "unknown"):
            if value != "unknown":
                facts.doubts.pop(name, None)  # the user settles what the story left in doubt
            out.append(Correction(name, value, prev.value, prev.evidence, SAME))
            continue
        if firm and prev.value == adverse.get(name) and value != prev.value:
            # The user's own words say otherwise: never cleared by a correction, asked about instead.
            facts.doubts[name] = prev.evidence
            out.append(Correction(name, value, prev.value, prev.evidence, ASKED))
            continue
        facts.model_read.discard(name)
        facts.model_confident.discard(name)
        facts.doubts.pop(name, None)
        if value == "unknown":
            facts.factors.pop(name, None)
        else:
            evidence = "您确认：" + labels.get(name, {}).get(value, value)
            facts.factors[name] = FactorValue(value, evidence, confirmed=True)
        out.append(Correction(name, value, prev.value, prev.evidence, APPLIED))
    return out
