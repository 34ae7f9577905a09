"""Whether a sentence of a model's prose states a verdict, and whether that contradicts the code's.

A safety net behind the code's own heading: the verdict shown is always the assessment's, but prose
saying 可以容错 under a 不予容错 heading must not reach a user either.
"""

from __future__ import annotations

import re

from assistant.domain import Verdict

_NEGATOR = r"(?:不予以|不予|不能|不可以|不可|无法|不应当|不应该|不应|不得|不宜|未能|难以)"
_NOT_TOLERABLE = re.compile(rf"{_NEGATOR}(?:容错|免责)|不属于(?:可以)?容错(?:免责)?的?情形")
_TOLERABLE = re.compile(
    r"(?:可以|可予|能够|应当|应该|应予|予以|给予|准予|可|能)(?:容错|免责)|属于(?:可以)?容错(?:免责)?的?情形"
)
_CATEGORY = re.compile(r"^的?(?:情形|情况|清单|范围|规定|条款|条件|标准|界限|机制|办法)")
# A sentence that states a condition, asks, or says it cannot decide yet asserts no verdict.
_UNDECIDED = re.compile(
    r"如果|假如|倘若|若是|若|如系|如属|如经|如能|如查实|一旦|要是|只要|否则|前提|是否|能否|哪些|什么"
    r"|取决于|有待|尚需|尚待|暂不能|尚不能|暂时无法|无法判断|不能判断|难以判断|无法认定|不能认定"
)


def verdict_claim(sentence: str) -> str | None:
    """The verdict a sentence asserts outright ("tolerable" or "not_tolerable"), else None. A condition,
    a question, "cannot decide yet" and the name of a category (不予容错的情形, 可以容错的条件) assert none."""
    if _UNDECIDED.search(sentence) or sentence.rstrip().endswith(("？", "?")):
        return None
    for m in _NOT_TOLERABLE.finditer(sentence):
        clause = re.split(r"[，,：:]", sentence[: m.start()])[-1]
        if not _CATEGORY.match(sentence[m.end() :]) or ("属于" in clause and "不属于" not in clause):
            return "not_tolerable"  # 不能容错, or 属于……不予容错的情形
    for m in _TOLERABLE.finditer(sentence):
        negated = re.search(r"(?:不|未|非|无法|难以|没有)$", sentence[: m.start()])
        if not negated and not _CATEGORY.match(sentence[m.end() :]):
            return "tolerable"
    return None


def conflicts(claim: str | None, verdict: Verdict) -> bool:
    """Whether a claim (from verdict_claim) contradicts the verdict the assessment decided."""
    if claim is None:
        return False
    if verdict is Verdict.TOLERABLE:
        return claim == "not_tolerable"
    if verdict is Verdict.NOT_TOLERABLE:
        return claim == "tolerable"
    return verdict is Verdict.NEEDS_MORE_FACTS  # a definite verdict before the facts are in
