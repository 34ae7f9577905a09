"""A formal rationale (理由说明) in the register of a tolerance-decision document, from a description of facts.

The judgement is the pipeline's (Assistant.analyse); this module only writes it down: the facts, the six
factors one by one, the clauses by full title and article with their exact words, the proposed handling
and the statement that the responsible Party organisation decides. A red-line case gets 不予容错 and
the rule it breaks, never a tolerance rationale. Every citation is verified before a draft is returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.analysis import Analysis, Conversation
from assistant.domain import Assessment, Citation, Intent, SourceType, Verdict
from assistant.drafting.sections import (
    DECISIVE,
    Numbered,
    Section,
    analysis_section,
    basis_section,
    facts_section,
    proposal_section,
)
from assistant.drafting.templates import load_templates, restate_facts
from assistant.errors import AssistantError, CitationError, InputError
from assistant.verify import verify_citations

if TYPE_CHECKING:  # the pipeline imports the whole retrieval stack; only its type is needed here
    from assistant.pipeline import Assistant

MAX_CITATIONS = 8
PROPOSALS = ("exempt", "mitigate", "not_tolerable", "needs_more_facts")
_MARK = re.compile(r"〔(\d+)〕")


@dataclass
class Draft:
    """A rationale draft: its sections, the proposal, the verified citations and the whole text."""

    title: str
    sections: list[Section]
    proposal: str  # one of PROPOSALS
    citations: list[Citation]
    closing: str
    analysis: Analysis
    text: str = ""
    signature: list[str] = field(default_factory=list)  # 落款 and 日期 placeholders
    mode: str = "offline"  # "llm" when a writer's rewrite passed the grounding checks
    notes: list[str] = field(default_factory=list)

    @property
    def assessment(self) -> Assessment:
        assert self.analysis.assessment is not None  # a draft is only made from a judgement
        return self.analysis.assessment

    def offline_text(self) -> str:
        """The templated text: title, the four sections, the closing statement."""
        lines = [self.title, ""]
        for heading, paragraphs in self.sections:
            lines += [heading, *paragraphs]
        lines.append(self.closing)
        if self.signature:
            lines += ["", *self.signature]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The draft as a JSON object (for --json and POST /v1/draft)."""
        a = self.assessment
        return {
            "title": self.title,
            "proposal": self.proposal,
            "verdict": str(a.verdict),
            "text": self.text,
            "sections": [{"heading": h, "paragraphs": list(p)} for h, p in self.sections],
            "closing": self.closing,
            "signature": list(self.signature),
            "citations": [c.to_json() for c in self.citations],
            "factors": {k: v.to_json() for k, v in a.factors.items()},
            "follow_up": list(a.follow_up),
            "province": self.analysis.province,
            "mode": self.mode,
            "notes": list(self.notes),
        }


DraftWriter = Callable[[Draft], str]
"""A rewrite of a finished offline draft (e.g. by an LLM): takes the Draft, returns the new text.
The rewrite is kept only if it passes :func:`grounding_problems`; otherwise the offline text stays."""


def draft(
    assistant: Assistant, facts: str, province: str | None = None, writer: DraftWriter | None = None
) -> Draft:
    """Draft a rationale for ``facts`` (a description of what happened), optionally for a province.

    Raises InputError (Chinese message) when the text is not a story of conduct or asks for what
    the assistant refuses; CitationError if a citation fails verification (a bug, never shown).
    """
    t = load_templates(assistant.settings.prompts_dir)
    analysis = assistant.analyse(Conversation([facts], province))
    if analysis.refusal and analysis.refusal != "out_of_scope":
        raise InputError(assistant.composer.t["refusal"][analysis.refusal])
    a = analysis.assessment
    if a is None or analysis.intent not in (Intent.SCENARIO, Intent.DRAFTING):
        raise InputError(t["need_facts"])
    restated = restate_facts(analysis.turns[-1], t)
    if len(restated) < 4:
        raise InputError(t["need_facts"])
    proposal = _proposal(a)
    numbered = _citations(assistant, analysis, a, t)
    outcome_units = _outcome_units(assistant, a, proposal)
    result = Draft(
        title=t["titles"][proposal],
        sections=[
            facts_section(t, restated),
            analysis_section(t, a, numbered),
            basis_section(t, numbered),
            proposal_section(t, a, proposal, numbered, outcome_units),
        ],
        proposal=proposal,
        citations=numbered.citations,
        closing=t["closing"],
        analysis=analysis,
        signature=[t["signature"], t["date_line"]],
    )
    result.text = result.offline_text()
    if writer is not None:
        _rewrite(result, writer, t)
    return result


def _proposal(a: Assessment) -> str:
    if a.verdict is Verdict.NOT_TOLERABLE:
        return "not_tolerable"
    if a.verdict is Verdict.TOLERABLE:
        return a.outcome if a.outcome in ("exempt", "mitigate") else "exempt"
    return "needs_more_facts"


def _citations(assistant: Assistant, analysis: Analysis, a: Assessment, t: dict[str, Any]) -> Numbered:
    """Cite the units the assessment rests on (and one similar case), decisive sources numbered first."""
    hint_for: dict[str, str] = {}
    for red in a.red_lines:
        for uid in red.unit_ids:
            hint_for.setdefault(uid, red.name + red.evidence)
    # Quote the words that bear on this judgement: the story, its reasons, the facts still missing.
    # The standard "不属于…不予容错的情形" reason is left out: its words would pull unrelated sentences.
    reasons = [r for r in a.reasons if not r.startswith("不属于")]
    general = "。".join(analysis.turns) + "".join(reasons) + "".join(a.follow_up)
    # The clause a proposed handling rests on is quoted where it states that handling.
    for uid in _outcome_units(assistant, a, _proposal(a)):
        hint_for.setdefault(uid, t["outcome_hint"].get(_proposal(a), ""))
    wanted: list[tuple[str, Citation]] = []
    units = [u for u in a.support_unit_ids if _in_jurisdiction(assistant, u, analysis.province)]
    if a.verdict is Verdict.NOT_TOLERABLE:
        units += [u for u in t["national_fallback"] if u not in units]
    for uid in units:
        citation = assistant.composer.cite(uid, hint_for.get(uid) or general)
        if citation:
            wanted.append((uid, citation))
    if a.verdict is Verdict.TOLERABLE:
        # A similar case supports (never decides) a tolerance proposal. A red-line draft cites none:
        # the cases in the base are tolerated ones, and it must not read as a tolerance rationale.
        case = next((h.unit for h in analysis.hits if h.unit.type is SourceType.CASE), None)
        if case and (citation := assistant.composer.cite(case.id, general)):
            wanted.append((case.id, citation))
    elif a.verdict is Verdict.NOT_TOLERABLE:
        forbidden = t["forbidden_when_not_tolerable"]
        wanted = [(u, c) for u, c in wanted if not any(w in c.quote for w in forbidden)]
    wanted.sort(key=lambda pair: pair[1].source_type not in DECISIVE)  # stable: decisive first
    numbered = Numbered(fallback=list(t["national_fallback"]) if a.verdict is Verdict.NOT_TOLERABLE else [])
    for uid, citation in wanted:
        known = next((i for i, c in enumerate(numbered.citations, 1) if c.id == citation.id), None)
        if known is None:
            if len(numbered.citations) >= MAX_CITATIONS:
                continue
            numbered.citations.append(citation)
            known = len(numbered.citations)
        numbered.by_unit.setdefault(uid, known)
    valid, problems = verify_citations(numbered.citations, assistant.kb)
    if problems or len(valid) != len(numbered.citations):
        # Drafts quote the base itself; a problem here is a bug, never shown to a user.
        detail = f"{problems[0].citation_id}: {problems[0].reason}" if problems else "duplicate citation"
        raise CitationError(f"内部错误：理由说明的引用校验失败（{detail}）")
    return numbered


def _in_jurisdiction(assistant: Assistant, unit_id: str, province: str | None) -> bool:
    """Whether a draft may cite the unit: rules (regulations, disclosures) national or of the user's own
    province only, so a draft for no province never rests on one province's measure. Cases and
    commentary only support, and are named as such."""
    unit = assistant.kb.get(unit_id)
    if unit is None:
        return False
    return unit.type not in DECISIVE or unit.jurisdiction in ("全国", province)


def _outcome_units(assistant: Assistant, a: Assessment, proposal: str) -> list[str]:
    """The clauses the proposed handling rests on (问责条例第十七条 for 免予, 第十八条 for 从轻 …): for
    免予, the item of 第十七条第一款 the assessor chose from the facts (第（一）/（二）/（三）项)."""
    outcomes: dict[str, Any] = assistant.rules.verdict["outcomes"]
    if proposal not in ("exempt", "mitigate"):
        return []
    units = list(outcomes[proposal]["units"])
    items = [u for group in outcomes[proposal].get("items", {}).values() for u in group]
    chosen = [u for u in a.support_unit_ids if u in units or u in items]
    units = chosen or units
    staff = [u for u in outcomes.get("staff", {}).get("units", []) if u in a.support_unit_ids]
    return staff + units


def grounding_problems(result: Draft, text: str, t: dict[str, Any]) -> list[str]:
    """Why a rewritten text may not replace the offline one (empty list: it may).

    The rewrite must keep every numbered citation and add none, keep the proposal's key phrase and
    the closing statement, and (for a red-line case) contain no tolerance wording.
    """
    problems = []
    marks = {int(m) for m in _MARK.findall(text)}
    expected = set(range(1, len(result.citations) + 1))
    if marks != expected:
        problems.append(f"citation marks {sorted(marks)} differ from {sorted(expected)}")
    for n, citation in enumerate(result.citations, 1):
        if citation.quote not in text:
            problems.append(f"quote of citation {n} missing or altered")
    if t["proposal_keys"][result.proposal] not in text:
        problems.append("proposal wording missing")
    if result.closing not in text:
        problems.append("closing statement missing")
    if result.proposal == "not_tolerable":
        problems += [f"forbidden wording {w}" for w in t["forbidden_when_not_tolerable"] if w in text]
    return problems


def _rewrite(result: Draft, writer: DraftWriter, t: dict[str, Any]) -> None:
    """Use the writer's text if it passes the grounding checks; otherwise keep the offline text."""
    try:
        text = writer(result)
    except AssistantError as exc:
        result.notes.append(f"改写失败，使用离线文本：{exc.message}")
        return
    problems = grounding_problems(result, text, t)
    if problems:
        result.notes.append("改写未通过引用核对，使用离线文本：" + "；".join(problems))
        return
    result.text, result.mode = text, "llm"
