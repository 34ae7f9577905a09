"""Two readings of one story, the offline reader's and a model's, combined into the Facts the assessor
decides on, exactly as it decides offline.

Certainty comes from the text, not from which reader read it (both readings carry it already: a model's
items are verified and weighed by ``reading.recorded``):

- both read the same value → established (stated if either reading is stated);
- one reads a fact and the other nothing → that reading stands, with its certainty;
- they read different values of a factor (gain vs no gain, collective vs one-man …) → the factor is in
  doubt: no red line rests on it and the decisive question is asked (needs more facts) if the answer could
  change the verdict (the assessor drops a disagreement no red line can rest on); except that what
  the teller states stands against what others report, unless the report is a red flag (the factor's
  dominant value), which stays to be confirmed — as in the offline reading;
- a named violation or a red flag either reader read in the teller's own words is never cleared by the
  other reader: violations are the union of both readings, and the rules' red flags stay as read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from assistant.domain import FACTOR_NAMES, FactorValue
from assistant.reading.facts import Facts, Sighting


def combine(offline: Facts, model: Facts, dominant: Mapping[str, str] | None = None) -> Facts:
    """A new Facts: ``offline`` (the rule reader and clause model) completed and checked by ``model``."""
    out = dataclasses.replace(
        offline,
        factors=dict(offline.factors),
        red_cues=dict(offline.red_cues),
        violations=dict(offline.violations),
        circumstances=dict(offline.circumstances),
        doubts=dict(offline.doubts),
        disagreements=set(offline.disagreements),
        model_read=set(offline.model_read),
        model_confident=set(offline.model_confident),
        items=list(offline.items),
    )
    for name in FACTOR_NAMES:
        theirs = model.factors.get(name)
        if theirs is None or theirs.value == "unknown":
            continue
        ours = out.factors.get(name, FactorValue())
        if ours.value == "unknown":
            out.factors[name] = theirs  # only the model read it: it stands with its certainty
        elif ours.value == theirs.value:
            # Two readers, one value: established, as certain as the surer reading.
            stated = not ours.hedged or not theirs.hedged
            evidence = ours.evidence if not ours.hedged or theirs.hedged else theirs.evidence
            out.factors[name] = FactorValue(ours.value, evidence, not stated)
        elif ours.hedged and not theirs.hedged and ours.value != (dominant or {}).get(name):
            # What others report against what the teller states: the teller's statement stands, as in the
            # offline reading (a rumoured red flag, the factor's dominant value, stays to be confirmed).
            out.factors[name] = theirs
        else:
            # The readers disagree: the factor is shown as the rules read it but decides nothing until
            # the question is answered (a doubt carries no red line and asks for the fact).
            out.factors[name] = FactorValue(ours.value, ours.evidence, True)
            if name not in out.doubts:
                out.doubts[name] = theirs.evidence
                out.disagreements.add(name)
            continue
        out.model_read.discard(name)  # a second reader confirms (or alone reads) the value
        out.model_confident.discard(name)
    for family, seen in model.violations.items():
        known = out.violations.get(family)
        if known is None:
            out.violations[family] = seen
            continue
        # Both read the act: the surer reading, and the person asked about if either says it is theirs.
        firm = seen if known.hedged and not seen.hedged else known
        actor = "subject" if "subject" in (known.actor, seen.actor) else known.actor
        out.violations[family] = Sighting(firm.evidence, known.hedged and seen.hedged, actor, firm.reader)
    for circumstance, evidence in model.circumstances.items():
        out.circumstances.setdefault(circumstance, evidence)
    read = {(f.kind, f.name, f.value) for f in out.items}
    out.items += [f for f in model.items if (f.kind, f.name, f.value) not in read]
    return out
