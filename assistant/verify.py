"""Citations are checked, not trusted: every id must exist and every quote be an exact substring."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.domain import Citation
from assistant.knowledge import KnowledgeBase


@dataclass(frozen=True)
class CitationProblem:
    citation_id: str
    reason: str


def check_citation(citation: Citation, kb: KnowledgeBase) -> CitationProblem | None:
    unit = kb.get(citation.id)
    if unit is None:
        return CitationProblem(citation.id, "unknown unit id")
    if citation.doc_id != unit.doc_id:
        return CitationProblem(citation.id, "doc_id does not match the unit")
    if not citation.quote.strip():
        return CitationProblem(citation.id, "empty quote")
    if citation.quote not in unit.text:
        return CitationProblem(citation.id, "quote is not an exact substring of the unit text")
    return None


def verify_citations(
    citations: list[Citation], kb: KnowledgeBase
) -> tuple[list[Citation], list[CitationProblem]]:
    """Split citations into the valid ones (deduplicated, order kept) and the problems found."""
    valid: list[Citation] = []
    problems: list[CitationProblem] = []
    seen: set[tuple[str, str]] = set()
    for citation in citations:
        problem = check_citation(citation, kb)
        if problem:
            problems.append(problem)
            continue
        key = (citation.id, citation.quote)
        if key not in seen:
            seen.add(key)
            valid.append(citation)
    return valid, problems
