"""What the pipeline decides about a conversation before any text is written: the typed input of
every writer (the offline composer, the LLM answerer, the rationale drafter).

Its own module, below the pipeline and the writers, so that writers need not import the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.domain import Assessment, Hit, Intent
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


@dataclass
class Conversation:
    """The user turns of one conversation, oldest first; the last one is being answered."""

    turns: list[str]
    province: str | None = None
