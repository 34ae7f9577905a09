"""The reader: the rule reader first, then the clause model for what its phrases missed.

The rules are precise where their phrases reach; the model generalises to wording nobody listed.
The model only fills gaps: a factor, a circumstance or a violation the rules did not read. A violation
it reads is at least asked about, and a red line when the teller states it with high confidence. Its
favourable readings are shown (the factor card says what the user said) but weigh toward tolerance
only above model.yaml's `support`, so the model makes a story less tolerable, not more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.cues import hedged_at, load_yaml
from assistant.domain import FactorValue
from assistant.reading.cue_reader import (
    THIRD_PARTY_FAMILIES,
    THIRD_PARTY_VALUES,
    cleared_after,
    complies_in,
    read_turns,
    third_party_actor,
    undone,
)
from assistant.reading.facts import Compliance, Fact, Facts, Sighting, verified
from assistant.reading.model import ClauseModel, Segment, load_model, segments
from assistant.rules import Rules

# Values a negation can only deny ("没有上班子会", "没追回", "既没在里面安排亲戚朋友"); "没人拿好处" and
# "没造成损失" state theirs through one.
_AFFIRMATIVE = frozenset({"collective", "remedied", "private", "deliberate"})
_CLASSIFY_IN = re.compile(
    r"(会不会|算不算|属不属于|构不构成|是不是)(算|认定|定性|属于|构成)?"
    r"|(这|那)(种|个|样)?(也|都)?(不)?(算|属于|构成|叫)[^，。,]{0,12}[吗么吧？?]"
    r"|(还)?(能不能|可不可以|能否)(继续|接着|再)"
)


@dataclass(frozen=True)
class ModelSettings:
    factor: float
    circumstance: float
    violation: float
    violation_firm: float
    certainty: float
    red_flag: float
    support: float
    rules_only: frozenset[str]
    red_flags: frozenset[str]
    factor_anchors: dict[str, re.Pattern[str]]
    circumstances: dict[str, str]
    # Words that say a clause does not carry the value its n-grams suggest ("被文物部门叫停了": a stop
    # complied with, not a ban defied).
    factor_vetoes: dict[str, re.Pattern[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, knowledge_dir: Path) -> ModelSettings:
        raw = load_yaml(knowledge_dir / "reading" / "model.yaml")
        t = raw["thresholds"]
        return cls(
            float(t["factor"]),
            float(t["circumstance"]),
            float(t["violation"]),
            float(t["violation_firm"]),
            float(t["certainty"]),
            float(t["red_flag"]),
            float(t["support"]),
            frozenset(str(x) for x in raw.get("rules_only", [])),
            frozenset(str(x) for x in raw.get("red_flags", [])),
            {str(k): re.compile(str(v)) for k, v in (raw.get("factor_anchors") or {}).items()},
            {str(k): str(v) for k, v in raw["circumstances"].items()},
            {str(k): re.compile(str(v)) for k, v in (raw.get("factor_vetoes") or {}).items()},
        )


class Reader:
    """Reads the turns of a conversation (normalised, oldest first) into ``Facts``."""

    def __init__(self, rules: Rules, model: ClauseModel | None = None, settings: ModelSettings | None = None):
        self.rules = rules
        self.model = model
        self.settings = settings

    @classmethod
    def load(cls, rules: Rules, knowledge_dir: Path, cache_dir: Path) -> Reader:
        model = load_model(knowledge_dir / "reading" / "corpus", cache_dir)
        return cls(rules, model, ModelSettings.load(knowledge_dir))

    def read(self, turns: list[str]) -> Facts:
        facts = read_turns(turns, self.rules)
        if self.model is not None and self.settings is not None:
            self._complete(turns, facts, self.model, self.settings)
        facts.items = verified(facts.items, turns)
        return facts

    @staticmethod
    def _mistake(facts: Facts) -> bool:
        """The rules read the teller calling it an honest mistake ("操作不熟", "漏看了材料")."""
        intent = facts.factors.get("intent")
        return intent is not None and intent.value == "negligent" and "intent" not in facts.model_read

    def _complete(self, turns: list[str], facts: Facts, model: ClauseModel, cfg: ModelSettings) -> None:
        pieces = segments(turns)
        if not pieces:
            return
        probs = model.predict([p.text for p in pieces])
        index = model.index
        top = probs.argmax(axis=0)  # for each label, the piece that reads it most strongly

        def best(label: str) -> tuple[int, Segment, float] | None:
            column = index.get(label)
            if column is None:
                return None
            row = int(top[column])
            return row, pieces[row], float(probs[row, column])

        def certainty(row: int, piece: Segment, trailing: bool = False) -> str:
            if "question" in index and probs[row, index["question"]] >= cfg.certainty:
                return "asked"
            if "hearsay" in index and probs[row, index["hearsay"]] >= cfg.certainty:
                return "reported"
            turn = turns[piece.turn]
            end = piece.start + len(piece.text)
            # A hedge earlier in the sentence reaches this clause too ("有村民举报说分得不公平，他亲戚家也领了").
            if hedged_at(turn, piece.start, end, piece.start, self.rules.language, trailing):
                return "reported"
            return "stated"

        favourable = [
            v.evidence
            for f, v in facts.factors.items()
            if v.evidence and not v.hedged and v.value in ("public", "negligent", "collective", "remedied")
        ]
        for label in model.labels:
            kind, _, name = label.partition(":")
            found = best(label)
            if found is None or not name:
                continue
            row, piece, p = found
            if kind in self.rules.factor_labels and p >= cfg.factor:
                if name == "unknown" or kind in facts.factors or label in cfg.rules_only:
                    continue
                if label in cfg.red_flags and p < cfg.red_flag:
                    continue
                if name in _AFFIRMATIVE and self.rules.language.negators.search(piece.text):
                    continue  # "没有上班子会": a negated clause is the rule reader's to judge
                veto = cfg.factor_vetoes.get(label)
                if veto is not None and veto.search(piece.text):
                    continue
                anchor = cfg.factor_anchors.get(label)
                if anchor is not None and not anchor.search(piece.text):
                    continue  # "先跟一家运输公司谈好价钱" names no gain
                # The other value of the same factor read as strongly: the model cannot tell; leave it.
                rival = [o for o in model.labels if o.startswith(kind + ":") and o != label]
                if any((b := best(o)) is not None and b[2] >= p for o in rival):
                    continue
                if name in THIRD_PARTY_VALUES and third_party_actor(
                    turns[piece.turn], piece.start + len(piece.text) // 2
                ):
                    continue  # "老板…故意用货堆挡着": the third party's intent, as the rule reader holds
                sure = certainty(row, piece)
                # A red flag only the model read, in a story the rules read as an honest mistake, is asked.
                doubtful = label in cfg.red_flags and self._mistake(facts)
                facts.factors[kind] = FactorValue(name, piece.text, sure != "stated" or doubtful)
                facts.model_read.add(kind)
                if p >= cfg.support:
                    facts.model_confident.add(kind)
                facts.items.append(
                    Fact(
                        "factor", kind, name, piece.text, piece.turn, "stated", sure, reader="model", score=p
                    )
                )
            elif kind == "circ" and p >= cfg.circumstance:
                circ = cfg.circumstances.get(label)
                if circ and circ not in facts.circumstances and certainty(row, piece) == "stated":
                    # Shown with the reading; it weighs toward tolerance only when confident enough.
                    if p >= cfg.support:
                        facts.circumstances[circ] = piece.text
                    facts.items.append(
                        Fact("circumstance", circ, "yes", piece.text, piece.turn, reader="model", score=p)
                    )
            elif kind == "violation" and p >= cfg.violation and name not in facts.violations:
                if _CLASSIFY_IN.search(piece.text):
                    continue  # "这个会不会算统计造假": the question names what to rule out
                if self.rules.language.negators.search(piece.text):
                    continue  # "也没人收供应商好处": negated clauses are the rule reader's to judge
                if cleared_after(turns[piece.turn], piece.start + len(piece.text), self.rules):
                    continue  # "被人举报说收了红包，纪委查完说不属实": investigated and found untrue
                if undone(name, turns[piece.turn], piece.start, self.rules):
                    continue  # handed in at once, or paid for personally
                veto = cfg.factor_vetoes.get(label)
                if veto is not None and veto.search(piece.text):
                    continue
                rule = next((v for v in self.rules.violations if v.id == name), None)
                if rule is None:
                    continue
                if rule.anchors is not None and not rule.anchors.search(turns[piece.turn]):
                    continue  # "铲车被落石砸坏" is no 公车: the act needs its object in the story
                if any(piece.text in e or e in piece.text for e in favourable):
                    continue  # the rules read these very words as favourable ("怕孩子们吃不上饭")
                sure = certainty(row, piece, trailing=True)
                # The teller calls it an honest mistake ("漏看了材料，多发了补贴"): the model's reading of a
                # violation is then asked about, not decided (the rules decide what they read).
                hedged = sure != "stated" or p < cfg.violation_firm or self._mistake(facts)
                who = (
                    "third_party"
                    if name in THIRD_PARTY_FAMILIES
                    and third_party_actor(turns[piece.turn], piece.start + len(piece.text) // 2)
                    else "subject"
                )
                facts.violations[name] = Sighting(piece.text, hedged, who, "model")
                facts.items.append(
                    Fact("violation", name, "yes", piece.text, piece.turn, "stated", sure, who, "model", p)
                )
                # (only a report or a question is answered: a stated act the model was unsure of is not)
                shown = complies_in(rule, turns[piece.turn], self.rules) if sure != "stated" else None
                if shown and name not in facts.compliant:
                    # "迭个算收礼伐" asked, "我当天就交到机关纪委登记了" told: what the story answers it with
                    facts.compliant[name] = Compliance(shown, (piece.text,))
                    facts.items.append(Fact("circumstance", "compliant", "yes", shown, piece.turn))
