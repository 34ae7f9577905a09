"""What the pipeline decides about a conversation before any text is written: the typed input of
every writer (the offline composer, the LLM answerer, the rationale drafter).

Its own module, below the pipeline and the writers, so that writers need not import the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.corrections import Correction
from assistant.domain import Assessment, Hit, Intent, Verdict
from assistant.reading import Facts


@dataclass
class Analysis:
    """What the pipeline decided about a conversation before writing: the input to any writer."""

    turns: list[str]  # normalised user turns, oldest first
    province: str | None
    intent: Intent
    raw_turns: list[str] = field(default_factory=list)  # the same turns as the user typed them
    refusal: str | None = None  # "injection", "improper", "missing_clause" or "out_of_scope"
    injection_in_story: bool = False
    hits: list[Hit] = field(default_factory=list)
    assessment: Assessment | None = None
    facts: Facts | None = None  # what the reading found (kept for the answer's `reading`)
    confirmed: dict[str, str] = field(default_factory=dict)  # values the user confirmed
    corrections: list[Correction] = field(default_factory=list)  # what became of each


@dataclass
class Conversation:
    """The user turns of one conversation, oldest first; the last one is being answered."""

    turns: list[str]
    province: str | None = None
    # Values the user confirms (factor → value, e.g. {"process": "collective"}): applied after the
    # reading and before assessing (assistant/corrections.py).
    confirmed: dict[str, str] = field(default_factory=dict)
    # The verdict of the answer being corrected, to say what changed; None: the same turns without
    # the confirmed values are judged to find it.
    previous_verdict: Verdict | None = None
    # The factors confirmed in this message (the others were confirmed earlier): only these are said
    # to have changed. None: all of ``confirmed``.
    fresh: frozenset[str] | None = None
