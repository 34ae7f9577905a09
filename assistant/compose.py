"""Offline answers from templates: the verdict, the six factors one by one, and inline citations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.cues import load_yaml
from assistant.direct import DirectAnswer, direct_answers
from assistant.domain import FACTOR_NAMES, Assessment, Citation, Hit, Intent, Unit, Verdict
from assistant.knowledge import KnowledgeBase
from assistant.quotes import best_quote, bigrams

MAX_CITATIONS = 6
# Which of a province's own tagged units (assistant ingest tags them from the measure's headings) a
# judgement cites, by verdict and outcome, in order of preference.
OWN_RULE_TAGS: dict[tuple[Verdict, str | None], tuple[str, ...]] = {
    (Verdict.NOT_TOLERABLE, None): ("exclusions",),
    (Verdict.TOLERABLE, "exempt"): ("exemption", "situations"),
    (Verdict.TOLERABLE, "mitigate"): ("mitigation", "situations"),
    (Verdict.TOLERABLE, "compliant"): ("exemption", "situations"),
    (Verdict.TOLERABLE, None): ("situations", "exemption"),
    (Verdict.NEEDS_MORE_FACTS, None): ("situations",),
}


@dataclass
class Composed:
    text: str
    citations: list[Citation]


class Composer:
    def __init__(
        self,
        kb: KnowledgeBase,
        prompts_dir: Path,
        factor_labels: dict[str, str],
        direct: list[DirectAnswer] | None = None,
    ) -> None:
        self.kb = kb
        self.t: dict[str, Any] = load_yaml(prompts_dir / "templates.yaml")
        self.factor_labels = factor_labels
        self.direct = direct or []
        # (jurisdiction, tag) → the outermost units carrying the tag (a list's article, not each item).
        self.tagged: dict[tuple[str, str], list[str]] = {}
        for unit in kb:
            parent = kb.units.get(unit.parent_id) if unit.parent_id else None
            for tag in unit.tags:
                if parent is None or tag not in parent.tags:
                    self.tagged.setdefault((unit.jurisdiction, tag), []).append(unit.id)

    # -- citations -------------------------------------------------------------------------
    def _family(self, unit: Unit) -> list[Unit]:
        prefix = unit.id + "."
        return [unit] + [u for uid, u in self.kb.units.items() if uid.startswith(prefix)]

    def cite(self, unit_id: str, hint: str) -> Citation | None:
        """A citation of the unit (or the finest descendant holding the best quote)."""
        unit = self.kb.get(unit_id)
        if unit is None:
            return None
        want = bigrams(hint)
        best_unit, best_text, best_score = unit, "", -1.0
        for candidate in self._family(unit):
            quote = best_quote(candidate, hint)
            # Prefer the finest unit for the same words: a deeper unit wins ties.
            score = len(bigrams(quote) & want) + 0.01 * candidate.local_id.count(".")
            if score > best_score:
                best_unit, best_text, best_score = candidate, quote, score
        return self.kb.citation(best_unit, best_text)

    def verdict_heading(self, assessment: Assessment) -> str:
        """【初步研判】… with the outcome (exemption or mitigation) when tolerable."""
        heading = str(self.t["verdict_heading"][str(assessment.verdict)])
        if assessment.verdict is Verdict.TOLERABLE and assessment.outcome:
            heading += "，" + self.t["outcome"][assessment.outcome]
        return heading

    def mark(self, citation: Citation) -> str:
        unit = self.kb.units[citation.id]
        short = self.kb.documents[unit.doc_id].short_title.replace("《", "").replace("》", "")
        mark = f"〔{short}{unit.label}〕"
        return mark + (self.t["unverified"] if not citation.verified else "")

    def _cite_lines(self, citations: list[Citation]) -> list[str]:
        return [f"{i}. {self.mark(c)}“{c.quote}”" for i, c in enumerate(citations, 1)]

    # -- answers ---------------------------------------------------------------------------
    def refusal(self, kind: str) -> Composed:
        return Composed(self.t["refusal"][kind], [])

    def _own_rule(
        self, assessment: Assessment, province: str | None, hits: list[Hit], hint: str
    ) -> Citation | None:
        """The asker's province's own rule for this verdict ("本省另有规定"): its tagged list of tolerable
        situations, exclusions, exemptions or mitigations, the one retrieval found first if any."""
        if province is None:
            return None
        outcome = assessment.outcome if assessment.verdict is Verdict.TOLERABLE else None
        tags = OWN_RULE_TAGS.get((assessment.verdict, outcome)) or OWN_RULE_TAGS.get(
            (assessment.verdict, None)
        )
        for tag in tags or ():
            listed = self.tagged.get((province, tag), [])
            found = [h.unit.id for h in hits if h.unit.id in listed or (h.unit.parent_id or "") in listed]
            for unit_id in [*found, *listed]:
                citation = self.cite(unit_id, hint)
                if citation is not None:
                    return citation
        return None

    def reference(
        self, intent: Intent, question: str, hits: list[Hit], province: str | None = None
    ) -> Composed:
        """Knowledge and procedure questions: the direct answer first when the base says it (see
        assistant/direct.py), then the clauses that answer them, quoted; the asker's own province's
        measure before other clauses ("本省另有规定" is answered from its own document first)."""
        lead, citations = self._direct(question)
        direct = len(citations)
        room = max(4, len(citations) + 2)
        per_parent: dict[str, int] = {}
        for c in citations:
            parent = self.kb.units[c.id].parent_id or c.id
            per_parent[parent] = per_parent.get(parent, 0) + 1
        for hit in hits:
            parent = hit.unit.parent_id or hit.unit.id
            if per_parent.get(parent, 0) >= 2:
                continue  # siblings are grouped: two of a family are enough
            citation = self.cite(hit.unit.id, question)
            if citation and citation.id not in {c.id for c in citations}:
                citations.append(citation)
                per_parent[parent] = per_parent.get(parent, 0) + 1
            if len(citations) >= room:
                break
        if province is not None:  # stable: otherwise in retrieval's order, the direct answer's units first
            rest = sorted(citations[direct:], key=lambda c: self.kb.units[c.id].jurisdiction != province)
            citations = citations[:direct] + rest
        intro = self.t["procedure_intro"] if intent is Intent.PROCEDURE else self.t["knowledge_intro"]
        lines = [*lead, intro, *self._cite_lines(citations)]
        headings = [self.kb.units[c.id].heading for c in citations if self.kb.units[c.id].heading]
        if headings:
            lines.append("要点：" + "；".join(dict.fromkeys(headings)) + "。")
        if intent is Intent.PROCEDURE:
            lines.append(self.t["decided_by"])
        return Composed("\n".join(lines), citations)

    def _direct(self, question: str) -> tuple[list[str], list[Citation]]:
        """The answer sentences a question calls for, each marked with the unit that says it, and the
        citations of every supporting unit quoting the words that say it."""
        lead: list[str] = []
        citations: list[Citation] = []
        for entry in direct_answers(self.direct, question):
            for support in entry.because:
                if support.unit_id not in {c.id for c in citations}:
                    citations.append(self.kb.citation(self.kb.units[support.unit_id], support.says))
            first = next(c for c in citations if c.id == entry.because[0].unit_id)
            lead.append(f"{entry.answer}{self.mark(first)}。")
        return lead, citations

    def judgement(
        self,
        intent: Intent,
        question: str,
        assessment: Assessment,
        hits: list[Hit],
        injection: bool = False,
        province: str | None = None,
    ) -> Composed:
        """Scenario and drafting requests: verdict, six factors, reasons, clauses, follow-up."""
        citations: list[Citation] = []
        hint_for: dict[str, str] = {}
        for red in assessment.red_lines:
            for uid in red.unit_ids:
                hint_for.setdefault(uid, red.name + red.evidence)
        # Quote the words that bear on this judgement: the story, the reasons, the facts still missing.
        known = [
            self.t["factor_values"][name][v.value]
            for name, v in assessment.factors.items()
            if v.value != "unknown"
        ]
        general_hint = question + "".join(assessment.reasons) + "".join(assessment.follow_up) + "".join(known)
        if assessment.verdict is Verdict.NEEDS_MORE_FACTS:
            general_hint += "".join(self.factor_labels.values()) + "动机 心态 性质 决策 危害程度 补救"
        for uid in assessment.support_unit_ids:
            citation = self.cite(uid, hint_for.get(uid, general_hint))
            if citation and citation.id not in {c.id for c in citations}:
                citations.append(citation)
        # A similar case from retrieval supports (never decides) the judgement.
        for hit in hits:
            if hit.unit.type.value == "case" and len(citations) < MAX_CITATIONS:
                citation = self.cite(hit.unit.id, question)
                if citation and citation.id not in {c.id for c in citations}:
                    citations.append(citation)
                break

        own = self._own_rule(assessment, province, hits, general_hint)
        if own is not None and own.id not in {c.id for c in citations}:
            # After the red lines' defining units, so that the cut to MAX_CITATIONS never drops them.
            first = sum(1 for c in citations if c.id in hint_for)
            citations.insert(first, own)

        # Regulations decide and cases or commentary support: the deciding clauses are read first, and
        # the asker's own province's measure (even as a disclosure) before everything else.
        def authority(c: Citation) -> int:
            own = province is not None and self.kb.units[c.id].jurisdiction == province
            return -1 if own else c.source_type.rank

        # Which clauses are cited follows the assessment's priority (each red line's defining unit first);
        # the order they are read in follows authority.
        citations = sorted(citations[:MAX_CITATIONS], key=authority)
        lines: list[str] = []
        if injection:
            lines.append(self.t["injection_note"])
        if intent is Intent.DRAFTING:
            lines.append(self.t["drafting_note"])
        lines.append(self.verdict_heading(assessment) + "。")
        lines.append("一、六个方面逐项看：")
        for name in FACTOR_NAMES:
            value = assessment.factors[name]
            shown = self.t["factor_values"][name][value.value]
            if value.confirmed:  # the user's confirmation, not words of the story: never quoted
                shown += self.t["confirmed"]
            elif value.evidence:
                shown += f"——“{value.evidence}”"
                if value.hedged:
                    shown += self.t["hedged"]
            lines.append(f"· {self.factor_labels.get(name, name)}：{shown}")
        reasons = assessment.reasons
        lines.append("二、理由：" + ("；".join(reasons) if reasons else "现有事实不足以作出判断") + "。")
        lines.extend(f"提示：{caveat}" for caveat in assessment.caveats)
        if citations:
            lines.append("三、依据：")
            lines.extend(self._cite_lines(citations))
        if assessment.follow_up:
            lines.append("四、请补充以下事实：")
            lines.extend(f"（{i}）{q}" for i, q in enumerate(assessment.follow_up, 1))
        lines.append(self.t["decided_by"])
        return Composed("\n".join(lines), citations)
