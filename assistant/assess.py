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
    units: tuple[str, ...]
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
    doubts: dict[str, list[re.Pattern[str]]]
    decisive_when: list[tuple[list[re.Pattern[str]], str]]
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
                Circumstance(key, c["label"], tuple(c["units"]), compile_cues(c["cues"]))
                for key, c in verdict["circumstances"].items()
            ],
            doubts={factor: compile_cues(cues) for factor, cues in verdict["doubts"].items()},
            decisive_when=[(compile_cues(d["cues"]), d["factor"]) for d in verdict.get("decisive_when", [])],
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
    doubts: dict[str, str] = field(default_factory=dict)  # factor -> the words that put it in doubt
    denied_gain: bool = False  # the story says in so many words that nobody gained

    @property
    def stated(self) -> int:
        """How many facts the rules weigh the story states: factors, red flags, circumstances, doubts."""
        known = sum(1 for v in self.factors.values() if v.value != "unknown")
        return known + len(self.red_cues) + len(self.circumstances) + len(self.doubts)


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
    disputed: dict[str, str] = {}
    for factor, hits in by_factor.items():
        hit, rule, value = _pick(hits, rules.dominant.get(factor))
        rumoured_red_flag = hit.hedged and value == rules.dominant.get(factor)
        firm_values = {h[2] for h in hits if not h[0].hedged}
        if len({h[2] for h in hits}) > 1 and not firm_values and not rumoured_red_flag:
            # Only reported accounts, and they disagree: the fact is in dispute. A fact the teller states
            # stands against hearsay; a rumoured red flag stays a red line to be confirmed.
            disputed[factor] = hit.clause
        facts.factors[factor] = FactorValue(value, hit.clause, hit.hedged)
        if factor == "motive":
            # "没有哪个村干部从中拿好处": a firm denial of gain anywhere in the message, unless gain wins.
            denials = [h for h in hits if h[0].negated and h[2] == "public" and not h[0].hedged]
            facts.denied_gain = value == "public" and bool(denials)
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
    for factor, patterns in rules.doubts.items():
        doubted = [m for p in patterns if (m := p.search(text))]
        if doubted and factor == "disputed":
            # "也有人说就是局长一个电话让窗口先办的": the dispute is about the facts told beside it.
            about = _factors_in_sentence(text, doubted[0].start(), by_factor)
            for name in about or ["disputed"]:
                facts.doubts[name] = doubted[0].group(0)
        elif doubted:
            facts.doubts[factor] = doubted[0].group(0)
        elif factor in by_factor and not all(h[0].hedged for h in by_factor[factor]):
            facts.doubts.pop(factor, None)  # a later turn that states the fact settles the doubt
    facts.doubts.update(disputed)


def _holds(facts: Facts, key: str, value: str) -> bool:
    """Does the story establish ``key`` (a circumstance, or a factor) as ``value``?"""
    if key == "circumstance":
        return value in facts.circumstances
    stated = facts.factors.get(key)
    return stated is not None and stated.value == value and not stated.hedged


def _factors_in_sentence(
    text: str, position: int, by_factor: dict[str, list[tuple[CueHit, FactorRule, str]]]
) -> list[str]:
    start = max(text.rfind(mark, 0, position) for mark in "。！？!?;；") + 1
    ends = [i for i in (text.find(mark, position) for mark in "。！？!?;；") if i >= 0]
    end = min(ends) if ends else len(text)
    return [f for f, hits in by_factor.items() if any(start <= h[0].start < end for h in hits)]


def read_conversation(turns: list[str], rules: Rules) -> Facts:
    """What the turns of a conversation state, oldest first (a later statement overrides)."""
    facts = Facts()
    for turn in turns:
        read_turn(turn, rules, facts)
    return facts


def _red_lines(facts: Facts, rules: Rules) -> tuple[list[RedLine], list[RedLine]]:
    firm: list[RedLine] = []
    hedged: list[RedLine] = []
    for red in rules.red_lines:
        evidence: str | None = None
        is_hedged = False
        if red.id in facts.red_cues:
            evidence, is_hedged = facts.red_cues[red.id]
        elif red.when and not any(f in facts.doubts for f in red.when):
            # A factor the story itself puts in doubt cannot carry a red line; it is asked for instead.
            values = [facts.factors.get(f) for f in red.when]
            if all(
                v is not None and v.value == want for v, want in zip(values, red.when.values(), strict=True)
            ):
                evidence = "；".join(v.evidence for v in values if v)
                is_hedged = any(v.hedged for v in values if v)
        if evidence is None:
            continue
        if any(_holds(facts, key, value) for key, value in red.unless.items()):
            continue
        line = RedLine(red.id, red.name, evidence, red.units)
        (hedged if is_hedged else firm).append(line)
    return firm, hedged


def assess(
    turns: list[str],
    rules: Rules,
    province: str | None = None,
    read_elsewhere: dict[str, FactorValue] | None = None,
    facts: Facts | None = None,
) -> Assessment:
    """Assess a conversation (normalised user turns, oldest first) and return the verdict with reasons.

    ``read_elsewhere``: factors another reader (an LLM) found where the rules found nothing. They count
    as reported, not established (hedged): a red flag among them must be confirmed (needs more facts),
    a favourable one never makes a case tolerable, and none can clear a red line the rules found.
    ``facts``: the turns already read by ``read_conversation`` (it is completed here, so pass it once).
    """
    if facts is None:
        facts = read_conversation(turns, rules)
    for name, value in (read_elsewhere or {}).items():
        if name not in facts.factors and value.value != "unknown":
            facts.factors[name] = FactorValue(value.value, value.evidence, hedged=True)
    factors = {name: facts.factors.get(name, FactorValue()) for name in FACTOR_NAMES}
    story = "。".join(turns)
    for patterns, factor in rules.decisive_when:
        hit = next((m for p in patterns if (m := p.search(story))), None)
        if hit and factors[factor].value == "unknown":
            facts.doubts.setdefault(factor, hit.group(0))
    firm, hedged = _red_lines(facts, rules)
    cfg = rules.verdict
    ask = cfg["follow_up"]
    result = Assessment(
        verdict=Verdict.NEEDS_MORE_FACTS, factors=factors, red_lines=firm, hedged_red_lines=hedged
    )
    if firm:
        result.verdict = Verdict.NOT_TOLERABLE
        result.reasons = [f"触及不予容错的情形：{r.name}（“{r.evidence}”）" for r in firm]
        result.support_unit_ids = _dedupe(
            [u for r in firm for u in r.unit_ids] + cfg["support_units"]["not_tolerable"]
        )
        return _with_province(result, cfg, province)
    support = cfg["tolerable"]["support"]
    supported = [f for f, good in support.items() if factors[f].value in good and not factors[f].hedged]
    circumstances = [c for c in cfg["tolerable"]["support_circumstances"] if c in facts.circumstances]
    if cfg["tolerable"].get("denied_gain") and facts.denied_gain:
        supported.append("motive")
    if hedged or facts.doubts or not (supported or circumstances):
        return _needs_more_facts(result, facts, rules, province)
    result.verdict = Verdict.TOLERABLE
    result.reasons = _favourable_reasons(factors, facts, rules)
    if factors["motive"].value == "unknown":
        result.caveats.append(ask["presumed_public"])
    outcomes = cfg["outcomes"]
    exempt = outcomes["exempt"]
    mitigate = outcomes["mitigate"]
    is_exempt = any(c in facts.circumstances for c in exempt["circumstances"]) or any(
        factors[f].value in exempt[f] for f in ("basis", "process", "intent")
    )
    is_fault = any(c in facts.circumstances for c in mitigate["circumstances"])
    if (is_fault or not is_exempt) and factors["remedy"].value in mitigate["remedy"]:
        result.outcome = "mitigate"
        units = list(outcomes["mitigate"]["units"])
    else:
        result.outcome = "exempt"
        units = list(exempt["units"])
    if "staff" in facts.circumstances:
        units = list(outcomes["staff"]["units"]) + units
    result.support_unit_ids = _dedupe(units + _distinction_units(facts, rules, province))
    return _with_province(result, cfg, province)


def _needs_more_facts(result: Assessment, facts: Facts, rules: Rules, province: str | None) -> Assessment:
    cfg = rules.verdict
    ask = cfg["follow_up"]
    factors = result.factors
    if result.hedged_red_lines:
        result.follow_up.append(ask["confirm"])
        result.reasons.append("有未经查实的不利情况：" + "、".join(r.name for r in result.hedged_red_lines))
    for factor, words in facts.doubts.items():
        result.follow_up.append(ask[factor])
        result.reasons.append(f"“{words}”——这一事实尚待查清")
    if not result.follow_up:
        result.reasons.append("现有事实未显示属于可以容错的情形（如集体决策、探索创新、应急处置、及时补救）")
        for factor in ("motive", "process", "basis", "remedy"):
            if factors[factor].value == "unknown":
                result.follow_up.append(ask[factor])
    if factors["consequence"].value == "unknown" and len(result.follow_up) < 3:
        result.follow_up.append(ask["consequence"])
    result.follow_up = _dedupe(result.follow_up)
    asked = [f for f in ask if ask[f] in result.follow_up]
    by_question = cfg["support_units"]["follow_up"]
    result.support_unit_ids = _dedupe(
        [u for r in result.hedged_red_lines for u in r.unit_ids]
        + [u for f in asked for u in by_question.get(f, [])]
        + list(cfg["support_units"]["needs_more_facts"])
        + rules.criteria_units[:1]
    )
    return _with_province(result, cfg, province)


def _favourable_reasons(factors: dict[str, FactorValue], facts: Facts, rules: Rules) -> list[str]:
    reasons = []
    labels = {c.id: c.label for c in rules.circumstances}
    for circ in facts.circumstances:
        if circ in labels and circ != "staff":
            reasons.append(f"属于{labels[circ]}的情形（“{facts.circumstances[circ]}”）")
    if factors["motive"].value == "public":
        reasons.append("出于公心，未见谋取私利")
    else:
        reasons.append("所述情况未显示有人谋取私利")
    reasons.append("不属于明令禁止后我行我素、造成严重后果等不予容错的情形")
    return reasons


def _distinction_units(facts: Facts, rules: Rules, province: str | None) -> list[str]:
    """The distinction the case falls under (and the province's own clause for it, cited first)."""
    table = rules.verdict["distinctions"]
    chosen = [key for key in table if key in facts.circumstances and table[key]["units"]] or ["default"]
    units: list[str] = []
    for key in chosen:
        units = list(table[key].get(province or "", [])) + units + list(table[key]["units"])
    return _dedupe(units)


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
