"""What a reading of a conversation returns: typed facts, each with the user's own words.

A ``Fact`` is one thing the story says: a factor's value, a named violation, or a circumstance. It
carries the verbatim span it was read from (checked in code to be an exact substring of that turn),
its polarity, its certainty (the teller states it / others report it / it is asked about), whose
conduct it is, and which reader found it. ``Facts`` is the summary the assessor decides on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.domain import FactorValue

KINDS = ("factor", "violation", "circumstance")
CERTAINTIES = ("stated", "reported", "asked")
ACTORS = ("subject", "third_party")


@dataclass(frozen=True)
class Fact:
    kind: str  # factor | violation | circumstance
    name: str  # the factor, the violation family or the circumstance id
    value: str  # the factor's value; "yes" for a violation or a circumstance
    span: str  # an exact substring of turn ``turn``
    turn: int
    polarity: str = "stated"  # stated | denied ("没有人拿好处" denies gain)
    certainty: str = "stated"  # stated | reported | asked
    actor: str = "subject"  # subject (the person asked about) | third_party
    reader: str = "rules"  # rules | model | llm
    score: float = 1.0  # the model's probability; 1.0 for a rule

    @property
    def hedged(self) -> bool:
        return self.certainty != "stated"

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "value": self.value,
            "span": self.span,
            "turn": self.turn,
            "polarity": self.polarity,
            "certainty": self.certainty,
            "actor": self.actor,
            "reader": self.reader,
        }


@dataclass(frozen=True)
class Sighting:
    """A named violation read from the story: its words, whether only reported or asked, and whose."""

    evidence: str
    hedged: bool
    actor: str = "subject"
    reader: str = "rules"


@dataclass(frozen=True)
class Compliance:
    """An act the story names, shown done by the rules: the words that show it, and the clauses that
    report or ask about the act ("有人把“班主任收购物卡”的截图发到家长群"), which it answers."""

    words: str
    allegations: tuple[str, ...] = ()


@dataclass
class Facts:
    """What a conversation has established so far."""

    factors: dict[str, FactorValue] = field(default_factory=dict)
    factor_units: dict[str, str] = field(default_factory=dict)
    red_cues: dict[str, tuple[str, bool]] = field(default_factory=dict)  # id -> (evidence, hedged)
    violations: dict[str, Sighting] = field(default_factory=dict)  # family -> sighting
    circumstances: dict[str, str] = field(default_factory=dict)  # id -> evidence
    doubts: dict[str, str] = field(default_factory=dict)  # factor -> the words that put it in doubt
    # Of those, the factors two readers read differently (reading.combine), not doubted by the story itself.
    disagreements: set[str] = field(default_factory=set)
    # Acts the story names and shows done by the rules (a gift handed in at once, a relative's case with the
    # cadre recused): family -> the words that show it, and the reports and questions about the act.
    compliant: dict[str, Compliance] = field(default_factory=dict)
    denied_gain: bool = False  # the story says in so many words that nobody gained
    model_read: set[str] = field(default_factory=set)  # factors only the clause model read
    # Of those, the ones read confidently enough to support a tolerable verdict (model.yaml `support`).
    model_confident: set[str] = field(default_factory=set)
    items: list[Fact] = field(default_factory=list)  # every fact read, in reading order

    @property
    def stated(self) -> int:
        """How many facts the rules weigh the story states: factors, red flags, circumstances, doubts."""
        known = sum(1 for v in self.factors.values() if v.value != "unknown")
        return known + len(self.red_cues) + len(self.violations) + len(self.circumstances) + len(self.doubts)


def verified(facts: list[Fact], turns: list[str]) -> list[Fact]:
    """Only the facts whose span is an exact substring of the turn they name: a reader (a rule, the
    model, an LLM) can never put words in the user's mouth."""
    return [f for f in facts if f.span and 0 <= f.turn < len(turns) and f.span in turns[f.turn]]
