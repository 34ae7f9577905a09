"""A model's reading of a story (the factor prompt's JSON, live in LLM mode or recorded in a replay
file) turned into the same ``Facts`` the offline reader returns, keeping only what the user's words show.

The reading is the contract's shape: six factors, each ``{"value", "evidence"}``, and optionally
``"violations": [{"name", "evidence"}]`` and ``"circumstances": [{"name", "evidence"}]``; any item may
add ``"certainty"`` (stated / reported / asked) and ``"actor"`` (subject / third_party). Code checks
every item: its evidence (unmasked first, for a remote endpoint) must be an exact substring of one of
the turns, or the item is dropped. Certainty comes from the text, not from the reader: the teller's
hedges around the span ("听说", "有人反映") or a question on the fact ("有没有拿好处") make it reported
or asked, whatever the model says; the model can only make an item more cautious, never less.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assistant.cues import _FACT_QUESTION, _clause_bounds, hedged_at  # the rule reader's own tests
from assistant.domain import FACTOR_NAMES, FACTOR_VALUES, FactorValue
from assistant.normalize import fold
from assistant.reading.cue_reader import THIRD_PARTY_FAMILIES, third_party_actor
from assistant.reading.facts import CERTAINTIES, Fact, Facts, Sighting
from assistant.rules import Rules

MIN_EVIDENCE = 2  # a single character ("是") shows nothing
_ORDER = {c: i for i, c in enumerate(CERTAINTIES)}  # stated < reported < asked


def _locate(evidence: str, turns: list[str]) -> tuple[int, int] | None:
    """(turn, start) of the evidence in the latest turn that holds it; None when no turn does."""
    for number in range(len(turns) - 1, -1, -1):
        start = turns[number].find(evidence)
        if start >= 0:
            return number, start
    return None


def text_certainty(turn: str, start: int, end: int, rules: Rules) -> str:
    """What the words around a span make of it: asked (a question on the fact), reported (a hedge in
    its clause or earlier in its sentence) or stated."""
    left, right = _clause_bounds(turn, start, end)
    if _FACT_QUESTION.search(turn, left, right):
        return "asked"
    if hedged_at(turn, left, right, start, rules.language):
        return "reported"
    return "stated"


def _certainty(claimed: object, from_text: str) -> str:
    """The more cautious of what the reader claims and what the text shows."""
    said = str(claimed) if claimed in _ORDER else "stated"
    return max(said, from_text, key=_ORDER.__getitem__)


class _Verifier:
    def __init__(
        self, turns: list[str], restore: Callable[[str], str], rules: Rules, normalise: Callable[[str], str]
    ) -> None:
        self.turns = turns
        self.restore = restore
        self.rules = rules
        self.normalise = normalise

    def __call__(self, item: object) -> tuple[str, int, int, str, dict[str, Any]] | None:
        """(span, turn, start, certainty, item) for an item whose evidence is the user's words."""
        if not isinstance(item, Mapping):
            return None
        quoted = self.restore(str(item.get("evidence") or "")).strip()
        if len(quoted) < MIN_EVIDENCE:
            return None
        # The words as the readers see them: folded, or normalised as the turns were (a reader given
        # the user's own words quotes "冇人加过班" where the turn reads "没有人加过班").
        found = None
        for evidence in dict.fromkeys((fold(quoted), self.normalise(quoted))):
            found = _locate(evidence, self.turns) if len(evidence) >= MIN_EVIDENCE else None
            if found is not None:
                break
        if found is None:
            return None  # words the user never wrote: never reaches a verdict
        turn, start = found
        sure = _certainty(
            item.get("certainty"), text_certainty(self.turns[turn], start, start + len(evidence), self.rules)
        )
        return evidence, turn, start, sure, dict(item)


def reading_facts(
    turns: list[str],
    reading: Mapping[str, Any],
    rules: Rules,
    restore: Callable[[str], str] = lambda s: s,
    reader: str = "llm",
    normalise: Callable[[str], str] = fold,
) -> Facts:
    """The reading as Facts over ``turns`` (normalised, oldest first); ``restore`` unmasks a span
    read on a masked story back into the user's words; ``normalise`` is the turns' own normalisation,
    so a span quoted from the words as typed (full-width, traditional, dialect forms) still counts."""
    check = _Verifier(turns, restore, rules, normalise)
    facts = Facts()
    for name in FACTOR_NAMES:
        item = reading.get(name)
        value = str(item.get("value", "unknown")) if isinstance(item, Mapping) else "unknown"
        if value == "unknown" or value not in FACTOR_VALUES[name]:
            continue
        verified = check(item)
        if verified is None:
            continue
        span, turn, _, sure, _ = verified
        facts.factors[name] = FactorValue(value, span, sure != "stated")
        facts.items.append(Fact("factor", name, value, span, turn, certainty=sure, reader=reader))
    families = {v.id for v in rules.violations}
    by_name = {v.name: v.id for v in rules.violations}  # a reader may give the family's Chinese name
    for item in _listed(reading.get("violations")):
        family = str(item.get("name", ""))
        family = by_name.get(family, family)
        verified = check(item) if family in families else None
        if verified is None or family in facts.violations:
            continue
        span, turn, start, sure, raw = verified
        third = raw.get("actor") == "third_party" or (
            family in THIRD_PARTY_FAMILIES and third_party_actor(turns[turn], start + len(span) // 2)
        )
        actor = "third_party" if third else "subject"
        facts.violations[family] = Sighting(span, sure != "stated", actor, reader)
        facts.items.append(Fact("violation", family, "yes", span, turn, "stated", sure, actor, reader))
    # A finding the assessor derives from what the story says (`compliant`) is no circumstance to record.
    known = {c.id for c in rules.circumstances if c.patterns}
    for item in _listed(reading.get("circumstances")):
        name = str(item.get("name", ""))
        verified = check(item) if name in known else None
        # Only a circumstance the teller states weighs toward tolerance.
        if verified is None or verified[3] != "stated" or name in facts.circumstances:
            continue
        span, turn = verified[0], verified[1]
        facts.circumstances[name] = span
        facts.items.append(Fact("circumstance", name, "yes", span, turn, reader=reader))
    return facts


def _listed(value: object) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []
