"""The rules the reader and the assessor apply, loaded from knowledge/rules (data, not code):
factor cues, red lines, named violations, circumstances, doubts and the verdict configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.cues import Language, compile_cues, load_yaml


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
    doubted_by: tuple[str, ...] = ()
    loss: LossExcuse | None = None


@dataclass(frozen=True)
class LossExcuse:
    """A red line read from words that tell only a loss of money (red_lines.yaml `loss`): in a decision the
    story shows to be a tolerable kind, the loss is the failure weighed, not a red line of its own."""

    words: re.Pattern[str]
    # What makes it more than a loss of money (伤亡, 恶劣影响, 重大损失 …), in its words or, not denied,
    # anywhere in the story.
    harm: list[re.Pattern[str]]
    excused_by: tuple[tuple[str, str], ...]  # (factor or "circumstance", value): any one established


@dataclass(frozen=True)
class ViolationRule:
    """A named violation (公车私用, 超标准接待 …): how cadres describe the act, and the article
    that defines it. ``red_line`` is False for the few that are cited but decide nothing alone."""

    id: str
    name: str
    units: tuple[str, ...]
    patterns: list[re.Pattern[str]]
    red_line: bool = True
    anchors: re.Pattern[str] | None = None  # what a model sighting needs in the same turn
    # Factor values the act states by its nature, told of the person asked about: a gift taken or a car
    # used for a family errand is a private benefit; forging a ledger or agreeing a story is deliberate.
    implies: tuple[tuple[str, str], ...] = ()
    # What shows the act was done by the rules ("评议时主动回避了", "取得县里书面批复后实施"): it answers an
    # allegation or a question about the act, never an act the teller states.
    complies: tuple[re.Pattern[str], ...] = ()
    # Words in the act's own clause that make it lawful ("局里书面批复同意把…专项经费调剂出来修屋顶"), not denied.
    permitted: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Circumstance:
    id: str
    label: str
    units: tuple[str, ...]
    patterns: list[re.Pattern[str]]


@dataclass(frozen=True)
class Objector:
    """Who objected: the one the story is about, not others named as a group ("两个副总", "财务总监和一个副总
    都"), whose objection is no excuse for the one who decided (问责条例第十七条第一款第（二）项 exempts who
    objected). ``own``: the teller's or the subject's word (我, 本人, 他) in or just before the objection."""

    own: re.Pattern[str]
    others: re.Pattern[str]


@dataclass(frozen=True)
class ToleranceBlock:
    """A stated factor value that keeps a story from being tolerable until it is explained, unless its
    words say it could not have been otherwise (verdict.yaml `tolerable.blocked_by`)."""

    values: frozenset[str]
    unless: re.Pattern[str]


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
    violations: list[ViolationRule]
    tolerable_blocks: dict[str, ToleranceBlock]
    # Whose objection it is (verdict.yaml `objector`): the one the story is about, not others to a decider.
    objector: Objector | None = None

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
        violations = load_yaml(rules_dir / "violations.yaml")
        # Word groups a cue names as {group} ("{relative}"): one list of how cadres name kin, not one per cue.
        groups = {str(k): f"(?:{v})" for k, v in (violations.get("words") or {}).items()}

        def expand(cues: list[str]) -> list[str]:
            out = []
            for cue in cues:
                for name, alternation in groups.items():
                    cue = cue.replace("{" + name + "}", alternation)
                if unknown := re.search(r"\{[a-z_]+\}", cue):
                    raise ValueError(f"violations.yaml: no word group {unknown.group(0)}")
                out.append(cue)
            return out

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
                    tuple(r.get("doubted_by", [])),
                    _loss_excuse(r.get("loss")),
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
            violations=[
                ViolationRule(
                    key,
                    v["name"],
                    tuple(v["units"]),
                    compile_cues(expand(v["cues"])),
                    bool(v.get("red_line", True)),
                    re.compile(v["anchors"]) if v.get("anchors") else None,
                    tuple((str(k), str(x)) for k, x in (v.get("implies") or {}).items()),
                    tuple(compile_cues(v.get("complies", []))),
                    tuple(compile_cues(v.get("permitted", []))),
                )
                for key, v in violations["violations"].items()
            ],
            objector=Objector(
                re.compile(verdict["objector"]["own"]), re.compile(verdict["objector"]["others"])
            )
            if verdict.get("objector")
            else None,
            tolerable_blocks={
                factor: ToleranceBlock(frozenset(b["values"]), re.compile(b["unless"]))
                for factor, b in (verdict["tolerable"].get("blocked_by") or {}).items()
            },
        )


def _loss_excuse(cfg: dict[str, Any] | None) -> LossExcuse | None:
    if not cfg:
        return None
    pairs = tuple((str(k), str(v)) for entry in cfg["excused_by"] for k, v in entry.items())
    return LossExcuse(re.compile(cfg["words"]), compile_cues(cfg["harm"]), pairs)
