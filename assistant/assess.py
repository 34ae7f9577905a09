"""The tolerance assessment (研判): six factors, red lines, circumstances, a verdict and what is missing.

Rules are data in knowledge/rules (factors.yaml, red_lines.yaml, verdict.yaml); this module applies
them. Facts accumulate across the turns of a conversation; a later statement overrides an earlier one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.cues import CueHit, Language, compile_cues, find_cues, load_yaml
from assistant.domain import FACTOR_NAMES, Assessment, FactorValue, RedLine, Verdict


@dataclass(frozen=True)
class FactorRule:
    factor: str
    value: str
    negated: str | None
    unit: str | None
    patterns: list[re.Pattern[str]]


@dataclass(frozen=True)
class RedLineRule:
    id: str
    name: str
    units: tuple[str, ...]
    patterns: list[re.Pattern[str]]
    when: dict[str, str]
    unless: dict[str, str]


@dataclass(frozen=True)
class Circumstance:
    id: str
    label: str
    unit: str
    patterns: list[re.Pattern[str]]


@dataclass
class Rules:
    """Everything the assessor reads from knowledge/rules."""

    language: Language
    factor_rules: list[FactorRule]
    factor_labels: dict[str, str]
    dominant: dict[str, str]
    red_lines: list[RedLineRule]
    circumstances: list[Circumstance]
    verdict: dict[str, Any]
    criteria_units: list[str]

    @classmethod
    def load(cls, knowledge_dir: Path) -> Rules:
        rules_dir = knowledge_dir / "rules"
        factors = load_yaml(rules_dir / "factors.yaml")
        factor_rules: list[FactorRule] = []
        labels: dict[str, str] = {}
        dominant: dict[str, str] = {}
        for name, spec in factors["factors"].items():
            labels[name] = spec["label"]
            if spec.get("dominant"):
                dominant[name] = spec["dominant"]
            for rule in spec["rules"]:
                factor_rules.append(
                    FactorRule(
                        name, rule["value"], rule.get("negated"), rule.get("unit"), compile_cues(rule["cues"])
                    )
                )
        red = load_yaml(rules_dir / "red_lines.yaml")["red_lines"]
        verdict = load_yaml(rules_dir / "verdict.yaml")
        return cls(
            language=Language.load(knowledge_dir),
            factor_rules=factor_rules,
            factor_labels=labels,
            dominant=dominant,
            red_lines=[
                RedLineRule(
                    r["id"],
                    r["name"],
                    tuple(r["units"]),
                    compile_cues(r.get("cues", [])),
                    dict(r.get("when", {})),
                    dict(r.get("unless", {})),
                )
                for r in red
            ],
            circumstances=[
                Circumstance(key, c["label"], c["unit"], compile_cues(c["cues"]))
                for key, c in verdict["circumstances"].items()
            ],
            verdict=verdict,
            criteria_units=list(factors.get("sources", {}).get("criteria", [])),
        )


@dataclass
class Facts:
    """What a conversation has established so far."""

    factors: dict[str, FactorValue] = field(default_factory=dict)
    factor_units: dict[str, str] = field(default_factory=dict)
    red_cues: dict[str, tuple[str, bool]] = field(default_factory=dict)  # id -> (evidence, hedged)
    circumstances: dict[str, str] = field(default_factory=dict)  # id -> evidence


def _pick(hits: list[tuple[CueHit, FactorRule, str]], dominant: str | None) -> tuple[CueHit, FactorRule, str]:
    firm = [h for h in hits if not h[0].hedged]
    if dominant:
        # A dominant value wins even when only rumoured: it then stays hedged and must be confirmed.
        for group in (firm, hits):
            for hit in group:
                if hit[2] == dominant:
                    return hit
    return (firm or hits)[-1]  # otherwise the last statement in the message wins


def read_turn(text: str, rules: Rules, facts: Facts) -> None:
    """Update ``facts`` with what one (normalised) message says; later messages override earlier."""
    by_factor: dict[str, list[tuple[CueHit, FactorRule, str]]] = {}
    for rule in rules.factor_rules:
        for hit in find_cues(text, rule.patterns, rules.language):
            if hit.negated and not rule.negated:
                continue  # a denied cue with no stated opposite says nothing either way
            value = rule.negated if hit.negated and rule.negated else rule.value
            by_factor.setdefault(rule.factor, []).append((hit, rule, value))
    for factor, hits in by_factor.items():
        hit, rule, value = _pick(hits, rules.dominant.get(factor))
        facts.factors[factor] = FactorValue(value, hit.clause, hit.hedged)
        if rule.unit:
            facts.factor_units[factor] = rule.unit
    for red in rules.red_lines:
        cue_hits = find_cues(text, red.patterns, rules.language)
        if not cue_hits:
            continue
        affirmed = [h for h in cue_hits if not h.negated]
        if affirmed:
            hedged = all(h.hedged for h in affirmed)
            facts.red_cues[red.id] = (affirmed[0].clause, hedged)
        else:
            facts.red_cues.pop(red.id, None)  # "没有发过补贴": an earlier suspicion is cleared
    for circ in rules.circumstances:
        stated = [h for h in find_cues(text, circ.patterns, rules.language) if not h.negated]
        if stated:
            facts.circumstances[circ.id] = stated[0].clause


def _red_lines(facts: Facts, rules: Rules) -> tuple[list[RedLine], list[RedLine]]:
    firm: list[RedLine] = []
    hedged: list[RedLine] = []
    for red in rules.red_lines:
        evidence: str | None = None
        is_hedged = False
        if red.id in facts.red_cues:
            evidence, is_hedged = facts.red_cues[red.id]
        elif red.when:
            values = [facts.factors.get(f) for f in red.when]
            if all(
                v is not None and v.value == want for v, want in zip(values, red.when.values(), strict=True)
            ):
                evidence = "；".join(v.evidence for v in values if v)
                is_hedged = any(v.hedged for v in values if v)
        if evidence is None:
            continue
        if any(facts.circumstances.get(c) for k, c in red.unless.items() if k == "circumstance"):
            continue
        line = RedLine(red.id, red.name, evidence, red.units)
        (hedged if is_hedged else firm).append(line)
    return firm, hedged


def assess(turns: list[str], rules: Rules, province: str | None = None) -> Assessment:
    """Assess a conversation (normalised user turns, oldest first) and return the verdict with reasons."""
    facts = Facts()
    for turn in turns:
        read_turn(turn, rules, facts)
    factors = {name: facts.factors.get(name, FactorValue()) for name in FACTOR_NAMES}
    firm, hedged = _red_lines(facts, rules)
    cfg = rules.verdict
    ask = cfg["follow_up"]
    result = Assessment(
        verdict=Verdict.NEEDS_MORE_FACTS, factors=factors, red_lines=firm, hedged_red_lines=hedged
    )
    result.situations = list(facts.circumstances)
    if firm:
        result.verdict = Verdict.NOT_TOLERABLE
        result.reasons = [f"触及不予容错的情形：{r.name}" for r in firm]
        result.support_unit_ids = _dedupe(
            [u for r in firm for u in r.unit_ids] + cfg["support_units"]["not_tolerable"]
        )
        return _with_province(result, cfg, province)
    required: dict[str, list[str]] = cfg["tolerable"]["required"]
    missing = [f for f, good in required.items() if factors[f].value not in good or factors[f].hedged]
    support = cfg["tolerable"]["support"]
    has_support = any(
        factors[f].value in good and not factors[f].hedged for f, good in support.items()
    ) or any(c in facts.circumstances for c in cfg["tolerable"]["support_circumstances"])
    if hedged:
        result.follow_up.append(ask["confirm"])
        result.reasons.append("有未经查实的不利情况：" + "、".join(r.name for r in hedged))
    if missing or not has_support or hedged:
        result.verdict = Verdict.NEEDS_MORE_FACTS
        for factor in missing:
            result.follow_up.append(ask[factor])
        if not has_support:
            for factor in ("process", "basis", "remedy"):
                if factors[factor].value == "unknown":
                    result.follow_up.append(ask[factor])
        if factors["consequence"].value == "unknown" and len(result.follow_up) < 3:
            result.follow_up.append(ask["consequence"])
        result.follow_up = _dedupe(result.follow_up)
        result.support_unit_ids = _dedupe(
            [facts.factor_units.get(f, "") for f in missing]
            + cfg["support_units"]["needs_more_facts"]
            + rules.criteria_units[:1]
        )
        return _with_province(result, cfg, province)
    result.verdict = Verdict.TOLERABLE
    exempt = cfg["outcomes"]["exempt"]
    is_exempt = (
        any(c in facts.circumstances for c in exempt["circumstances"])
        or factors["basis"].value in exempt["basis"]
    )
    if not is_exempt and factors["remedy"].value in cfg["outcomes"]["mitigate"]["remedy"]:
        result.outcome = "mitigate"
        result.support_unit_ids = list(cfg["outcomes"]["mitigate"]["units"])
    else:
        result.outcome = "exempt"
        result.support_unit_ids = list(exempt["units"])
    circ_units = [c.unit for c in rules.circumstances if c.id in facts.circumstances]
    result.support_unit_ids = _dedupe(
        result.support_unit_ids + circ_units + cfg["support_units"]["tolerable"]
    )
    return _with_province(result, cfg, province)


def _with_province(result: Assessment, cfg: dict[str, Any], province: str | None) -> Assessment:
    extra = cfg["support_units"].get("province", {}).get(province or "", {}).get(str(result.verdict), [])
    result.support_unit_ids = _dedupe(list(extra) + result.support_unit_ids)
    return result


def _dedupe(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
