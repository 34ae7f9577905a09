"""The text of an LLM-mode answer, put together by code around the model's prose: notes and the
verdict heading (and red lines) first, then the prose with its [n] marks turned into clause marks, then
the verified quotes, the follow-up questions and the decision statement. Also the fallbacks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from assistant.analysis import Analysis
from assistant.compose import Composer
from assistant.domain import Answer, FactorValue, Intent, StreamEvent
from assistant.llm.grounding import MARK, Grounded

STREAM_CHUNK = 24


def head(composer: Composer, analysis: Analysis, offline: Answer) -> str:
    """The code's lines before the model's prose: notes, the verdict heading, the red lines."""
    t = composer.t
    lines = [t["injection_note"]] if analysis.injection_in_story else []
    if offline.intent is Intent.DRAFTING:
        lines.append(t["drafting_note"])
    a = analysis.assessment
    if a is not None:
        lines.append(composer.verdict_heading(a) + "。")
        # The red lines are the code's finding: stated by the code, whatever the model writes.
        lines += [f"触及不予容错的情形：{red.name}（“{red.evidence}”）。" for red in a.red_lines]
    return "\n".join(lines)


def tail(composer: Composer, analysis: Analysis, offline: Answer, grounded: Grounded) -> str:
    """The code's lines after the prose: the verified quotes, follow-up questions, who decides."""
    t = composer.t
    lines = ["依据："]
    lines += [f"{i}. {composer.mark(c)}“{c.quote}”" for i, c in enumerate(grounded.citations, 1)]
    if offline.follow_up:
        lines.append("请补充以下事实：")
        lines += [f"（{i}）{q}" for i, q in enumerate(offline.follow_up, 1)]
    if analysis.assessment is not None or offline.intent is Intent.PROCEDURE:
        lines.append(t["decided_by"])
    return "\n".join(lines)


def final_answer(
    composer: Composer,
    analysis: Analysis,
    offline: Answer,
    head_text: str,
    factors: dict[str, FactorValue],
    grounded: Grounded,
) -> Answer:
    """The LLM-mode answer: the offline answer's verdict, follow-up and outcome; the model's prose
    (marks turned into clause marks) and verified citations; the factors as merged by code."""
    prose = MARK.sub(lambda m: composer.mark(grounded.marks[int(m.group(1))]), grounded.prose)
    text = "\n".join(x for x in (head_text, prose, tail(composer, analysis, offline, grounded)) if x)
    return dataclasses.replace(
        offline, answer=text, citations=grounded.citations, factors=factors, mode="llm", notes=[]
    )


def fallback(offline: Answer, note: str) -> Answer:
    """The offline answer, marked as such, with a note saying why the model's was not used."""
    return dataclasses.replace(offline, mode="offline", notes=[*offline.notes, note])


def show(text: str, head_text: str, shown: list[str]) -> Iterator[StreamEvent]:
    """Token events for text that passed the gate; the code's head goes first, once."""
    if not text:
        return
    if not shown and head_text:
        yield StreamEvent("token", head_text + "\n")
    shown.append(text)
    yield StreamEvent("token", text)


def as_events(answer: Answer) -> Iterator[StreamEvent]:
    """A finished answer as a stream: its text in short pieces, then the final event."""
    for start in range(0, len(answer.answer), STREAM_CHUNK):
        yield StreamEvent("token", answer.answer[start : start + STREAM_CHUNK])
    yield StreamEvent("final", answer=answer)
