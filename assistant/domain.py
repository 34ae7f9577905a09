"""Domain types passed between pipeline stages. No dict of unknown shape crosses a module boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SourceType(StrEnum):
    """Authority of a unit's source, highest first."""

    REGULATION = "regulation"
    DISCLOSURE = "disclosure"
    CASE = "case"
    COMMENTARY = "commentary"

    @property
    def rank(self) -> int:
        return list(SourceType).index(self)


class Intent(StrEnum):
    SCENARIO = "scenario"
    KNOWLEDGE = "knowledge"
    PROCEDURE = "procedure"
    DRAFTING = "drafting"
    OUT_OF_SCOPE = "out_of_scope"


class Verdict(StrEnum):
    TOLERABLE = "tolerable"
    NOT_TOLERABLE = "not_tolerable"
    NEEDS_MORE_FACTS = "needs_more_facts"
    NOT_APPLICABLE = "not_applicable"
    OUT_OF_SCOPE = "out_of_scope"


FACTOR_NAMES: tuple[str, ...] = ("motive", "intent", "basis", "process", "consequence", "remedy")

FACTOR_VALUES: dict[str, tuple[str, ...]] = {
    "motive": ("public", "private", "unknown"),
    "intent": ("negligent", "deliberate", "unknown"),
    "basis": ("exploratory", "prohibited", "unknown"),
    "process": ("collective", "unilateral", "unknown"),
    "consequence": ("minor", "serious", "unknown"),
    "remedy": ("remedied", "not_remedied", "unknown"),
}


@dataclass(frozen=True)
class Document:
    """One document of the knowledge base (metadata only; its units are separate)."""

    id: str
    title: str
    short_title: str
    type: SourceType
    issuer: str
    doc_number: str | None
    date: str
    effective: str | None
    status: str
    jurisdiction: str
    source_file: str
    publication: str
    summary: str
    page_markers: bool = False


@dataclass(frozen=True)
class Unit:
    """A citable passage: an article, an item, a disclosed rule, a case."""

    id: str  # DOC_ID:UNIT
    doc_id: str
    local_id: str
    label: str
    heading: str
    text: str
    verified: bool
    type: SourceType
    source_file: str
    jurisdiction: str
    # What the document's own headings say the unit is (UNIT_TAGS): a province's own situations,
    # exclusions, exemptions and mitigations, for the assessor to use.
    tags: tuple[str, ...] = ()

    @property
    def parent_id(self) -> str | None:
        if "." not in self.local_id:
            return None
        return f"{self.doc_id}:{self.local_id.rsplit('.', 1)[0]}"


@dataclass(frozen=True)
class Hit:
    """A unit found by retrieval, with its fused score and where it came from."""

    unit: Unit
    score: float
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactorValue:
    value: str = "unknown"
    evidence: str = ""
    hedged: bool = False
    confirmed: bool = False  # the user confirmed this value (a correction), not read from the story

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "evidence": self.evidence}
        if self.hedged:
            out["hedged"] = True
        if self.confirmed:
            out["confirmed"] = True
        return out


@dataclass(frozen=True)
class RedLine:
    """A red line the story hits: never tolerated, tied to the unit that states it."""

    id: str
    name: str
    evidence: str
    unit_ids: tuple[str, ...]


@dataclass
class Assessment:
    """What the assessor concluded from the facts of a conversation."""

    verdict: Verdict
    factors: dict[str, FactorValue] = field(default_factory=dict)
    red_lines: list[RedLine] = field(default_factory=list)
    hedged_red_lines: list[RedLine] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)
    # When tolerable: "exempt" (不予/免予), "mitigate" (从轻/减轻), or "compliant" (the act asked about was
    # done by the rules: no violation to pursue).
    outcome: str | None = None
    reasons: list[str] = field(default_factory=list)
    support_unit_ids: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)  # conditions a tolerable verdict rests on


@dataclass(frozen=True)
class Citation:
    id: str
    doc_id: str
    title: str
    quote: str
    source_type: SourceType
    verified: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "title": self.title,
            "quote": self.quote,
            "source_type": str(self.source_type),
            "verified": self.verified,
        }


@dataclass(frozen=True)
class StreamEvent:
    """One event of a streamed answer: text as it is written, then the verified answer, or an error.

    ``kind`` is "token" (``text`` set), "final" (``answer`` set: the whole answer with citations
    verified) or "error" (``text`` is a Chinese message). A stream always ends with final or error.
    In LLM mode an error after text was shown also carries ``answer``: the offline answer that
    replaces the text shown. A final answer may differ from the streamed text too (a fallback or a
    corrected retry); a client then replaces what it showed (see assistant.llm.stream.same_text).
    """

    kind: str
    text: str = ""
    answer: Answer | None = None


@dataclass
class Answer:
    """The answer object of the contract."""

    question: str
    intent: Intent
    verdict: Verdict
    answer: str
    citations: list[Citation]
    factors: dict[str, FactorValue]
    follow_up: list[str]
    mode: str = "offline"
    latency_ms: float = 0.0
    id: Any = None
    outcome: str | None = None
    notes: list[str] = field(default_factory=list)
    # The facts the reading found (assistant.reading.Fact.to_json()), each with the user's own words.
    reading: list[dict[str, Any]] = field(default_factory=list)
    # The layout front ends show (assistant/layout.py), so that none parses the prose of `answer`.
    conclusion: str = ""  # one line: 能容错… / 不能容错… / 还要看…
    advisory: str = ""  # the statement that this is advice, shown beside the conclusion
    follow_ups: list[dict[str, Any]] = field(default_factory=list)  # {question, asks, answers}
    factor_card: list[dict[str, Any]] = field(default_factory=list)  # the six factors, the user's words
    reasons: list[str] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)  # confirmed values and their fate
    changes: str = ""  # 根据您的更正：… (what a correction changed)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out.update(
            {
                "question": self.question,
                "intent": str(self.intent),
                "verdict": str(self.verdict),
                "answer": self.answer,
                "citations": [c.to_json() for c in self.citations],
                "factors": {k: v.to_json() for k, v in self.factors.items()},
                "follow_up": list(self.follow_up),
                "mode": self.mode,
                "latency_ms": round(self.latency_ms, 2),
            }
        )
        if self.outcome:
            out["outcome"] = self.outcome
        if self.notes:
            out["notes"] = list(self.notes)
        if self.reading:
            out["reading"] = list(self.reading)
        if self.conclusion:
            out["conclusion"] = self.conclusion
            out["advisory"] = self.advisory
            out["follow_ups"] = list(self.follow_ups)
            out["factor_card"] = list(self.factor_card)
            out["reasons"] = list(self.reasons)
        if self.corrections:
            out["corrections"] = list(self.corrections)
            out["changes"] = self.changes
        return out
