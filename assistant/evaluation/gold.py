"""The gold reading: an item's labelled facts as the reading, to measure the decision layer on its own.

`assistant eval --reader gold` answers each item with its labelled `factors` (and `violations`, where a
set carries them) in place of what the reader found: what the rules decide when the reading is right.
What the labels do not carry (the story's doubts, the kind of situation it tells) is read from its words.
A wrong verdict under the gold reading is a rule (or label) problem, not a reading problem.
"""

from __future__ import annotations

from assistant.domain import FactorValue
from assistant.evaluation.dataset import EvalItem
from assistant.normalize import fold
from assistant.reading.cue_reader import read_turns
from assistant.reading.facts import Fact, Facts, Sighting
from assistant.rules import Rules


def _family(article: str, rules: Rules) -> str | None:
    """The named violation whose defining units include the labelled article (or a finer unit of it)."""
    for rule in rules.violations:
        if any(
            u == article or u.startswith(article + ".") or article.startswith(u + ".") for u in rule.units
        ):
            return rule.id
    return None


def gold_facts(item: EvalItem, rules: Rules) -> Facts:
    facts = Facts()
    for name, value in item.factors.items():
        if value == "unknown":
            continue
        evidence = item.factor_evidence.get(name, "")
        facts.factors[name] = FactorValue(value, evidence)
        facts.items.append(Fact("factor", name, value, evidence or item.question, 0, reader="gold"))
    if facts.factors.get("motive", FactorValue()).value == "public":
        facts.denied_gain = True  # the label states the public purpose in the story's words
    for article in item.violations:
        family = _family(article, rules)
        if family and family not in facts.violations:
            facts.violations[family] = Sighting(item.question, False, "subject", "gold")
        elif family is None:
            # An article no named act defines but a red line does (政务处分法第三十九条第二项 不履行职责):
            # the label states that red line.
            for red in rules.red_lines:
                if any(u == article or u.startswith(article + ".") for u in red.units) and red.patterns:
                    facts.red_cues.setdefault(red.id, (item.question, False))
    # The labels give values and acts, not the story's own doubts ("到底有没有利益往来谁也说不准") or the
    # kind of situation it tells (an objection overruled, an unforeseeable cause, an act done by the rules):
    # those are read from its words, as the decision would see them with any reader.
    words = read_turns([fold(item.question)], rules)
    facts.doubts = {k: v for k, v in words.doubts.items() if k not in facts.factors}
    facts.circumstances = dict(words.circumstances)
    # … nor an act reported or asked about that the story shows done by the rules (a gift handed in at once)
    facts.compliant = {k: v for k, v in words.compliant.items() if k not in facts.violations}
    return facts
