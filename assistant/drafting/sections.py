"""The four sections of a rationale: 基本事实, 综合分析, 政策依据, 处理意见. Wording comes from the templates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.domain import FACTOR_NAMES, Assessment, Citation, SourceType, Verdict
from assistant.drafting.templates import mark, third_person, user_words

DECISIVE = (SourceType.REGULATION, SourceType.DISCLOSURE)
Section = tuple[str, list[str]]


@dataclass
class Numbered:
    """A draft's citations in numbering order, and the number each requested unit id was given."""

    citations: list[Citation] = field(default_factory=list)
    by_unit: dict[str, int] = field(default_factory=dict)

    def numbers(self, unit_ids: Iterable[str]) -> list[int]:
        """The numbers of the given units, decisive sources first (they decide; the rest support)."""
        found = sorted({self.by_unit[u] for u in unit_ids if u in self.by_unit})
        decisive = [n for n in found if self.citations[n - 1].source_type in DECISIVE]
        return decisive or found

    fallback: list[str] = field(default_factory=list)  # named when none of a red line's rules is cited

    def ref(self, unit_ids: Iterable[str], t: dict[str, Any]) -> str:
        """How the body names cited clauses: 《中国共产党问责条例》第十七条第一款第（一）项〔1〕."""
        parts = []
        numbers = self.numbers(unit_ids) or self.numbers(self.fallback)
        for n in numbers:
            c = self.citations[n - 1]
            parts.append(c.title + mark(n) + ("" if c.verified else t["unverified"]))
        return "、".join(parts)


def facts_section(t: dict[str, Any], facts: str) -> Section:
    """一、基本事实: the facts as given, then the caveat that they are yet to be verified."""
    return t["headings"]["facts"], [t["facts_intro"].format(facts=facts), t["facts_caveat"]]


def analysis_section(t: dict[str, Any], a: Assessment, numbered: Numbered) -> Section:
    """二、综合分析: the six factors one by one, then the red lines (which decide alone) or a summary."""
    paragraphs = [t["analysis_intro"]]
    for number, name in zip(t["factor_numbers"], FACTOR_NAMES, strict=True):
        value = a.factors[name]
        text = t["factor_text"][name][value.value].format(evidence=user_words(value.evidence, t))
        if value.hedged and value.evidence:
            text += t["hedged"]
        paragraphs.append(f"{number}{t['factor_labels'][name]}。{text}")
    for red in a.red_lines:
        rules = numbered.ref(red.unit_ids, t) or t["no_basis"]
        paragraphs.append(
            t["red_line"].format(name=red.name, evidence=user_words(red.evidence, t), rules=rules)
        )
    for red in a.hedged_red_lines:
        paragraphs.append(t["hedged_red_line"].format(name=red.name, evidence=user_words(red.evidence, t)))
    if a.verdict is not Verdict.NOT_TOLERABLE and a.reasons:
        # The red-line paragraphs above already give a not-tolerable case its reasons.
        reasons = "；".join(_reason(r, t) for r in a.reasons)
        paragraphs.append(t["summary"].format(reasons=reasons))
    return t["headings"]["analysis"], paragraphs


def _reason(reason: str, t: dict[str, Any]) -> str:
    """An assessor's reason: its own wording kept, the user's words it quotes restated."""
    quoted = re.sub(r"“([^”]*)”", lambda m: "“" + user_words(m.group(1), t) + "”", reason)
    return third_person(quoted, t)


def cite_line(t: dict[str, Any], number: int, citation: Citation) -> str:
    """One numbered citation, spoken of as its source type requires (a regulation 规定, a speech 指出,
    a central meeting or report 强调), with its exact quote."""
    template: str = t["cite"][str(citation.source_type)]
    if citation.source_type is SourceType.REGULATION:
        verb = next((v for word, v in t["cite_verbs"] if word in citation.title), "规定")
        template = template.replace("规定：", f"{verb}：")
    line = template.format(mark=mark(number), title=citation.title, quote=citation.quote)
    return line + ("" if citation.verified else t["unverified"])


def basis_section(t: dict[str, Any], numbered: Numbered) -> Section:
    """三、政策依据: every cited clause by full title and article, quoting its exact words."""
    decisive: list[str] = []
    supporting: list[str] = []
    for n, citation in enumerate(numbered.citations, 1):
        (decisive if citation.source_type in DECISIVE else supporting).append(cite_line(t, n, citation))
    paragraphs: list[str] = []
    if decisive:
        paragraphs += [t["basis_decisive"], *decisive]
    else:
        paragraphs.append(t["no_basis"])
    if supporting:
        paragraphs += [t["basis_supporting"], *supporting]
    return t["headings"]["basis"], paragraphs


def proposal_section(
    t: dict[str, Any], a: Assessment, proposal: str, numbered: Numbered, outcome_units: list[str]
) -> Section:
    """四、处理意见: the proposed handling and the clauses it rests on, or what must be verified first."""
    templates = t["proposal"]
    paragraphs: list[str] = []
    if proposal == "not_tolerable":
        units = [u for red in a.red_lines for u in red.unit_ids]
        names = "、".join(dict.fromkeys(red.name for red in a.red_lines))
        rules = numbered.ref(units, t) or t["no_basis"]
        paragraphs.append(templates["not_tolerable"].format(names=names, rules=rules))
    elif proposal == "needs_more_facts":
        paragraphs.append(templates["needs_more_facts"])
        paragraphs += [f"（{i}）{q}" for i, q in enumerate(a.follow_up, 1)]
    else:
        rules = numbered.ref(outcome_units, t) or numbered.ref(numbered.by_unit, t)
        paragraphs.append(templates[proposal].format(rules=rules))
        if a.follow_up:
            paragraphs.append(t["premise"])
            paragraphs += [f"（{i}）{q}" for i, q in enumerate(a.follow_up, 1)]
    return t["headings"]["proposal"], paragraphs
