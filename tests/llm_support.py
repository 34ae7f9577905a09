"""Shared pieces of the LLM-mode tests: questions, scripted replies, an assistant wired to a fake endpoint."""

from __future__ import annotations

from typing import Any

from assistant.domain import StreamEvent
from assistant.llm.prompts import ANSWER_TASK, FACTORS_TASK
from assistant.pipeline import Assistant, Conversation
from tests.fakes.openai_server import FakeOpenAI, Reply, answer_json

Q_OK = "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗"
Q_RED = "老王当局长时用会议补助、加班费的名义给单位职工发了补贴，他说是按上级文件办的，能不能容错"
Q_KNOW = "三个区分开来具体是哪三个？"
FORGED_ID = "ccp-accountability-2019:99"
FORGED_QUOTE = "凡是出于公心的失误一律不予追究"
TIMEOUT = 2.0

__all__ = ["ANSWER_TASK", "FACTORS_TASK", "Reply"]


def llm_assistant(base: Assistant, fake: FakeOpenAI | None, **update: Any) -> Assistant:
    """An assistant in LLM mode on the session's index, talking to ``fake`` (or ``update``'s URL)."""
    values: dict[str, Any] = {"llm_model": "fake-model", "llm_timeout": TIMEOUT}
    if fake is not None:
        values["llm_base_url"] = fake.base_url
    values.update(update)
    return Assistant(base.settings.model_copy(update=values), index=base.index)


def cited(a: Assistant, question: str, n: int = 1) -> list[tuple[str, str]]:
    """(id, quote) pairs a correct answer may cite: the offline answer's first ``n`` citations."""
    offline = a.offline_answer(a.analyse(Conversation([question])))
    return [(c.id, c.quote) for c in offline.citations[:n]]


def valid(a: Assistant, question: str, prose: str = "所述情况与条文的规定相对照，说明如下[1]。") -> Reply:
    """A grounded answer reply (used for answer requests only)."""
    return Reply(content=answer_json(prose, cited(a, question)), match=ANSWER_TASK)


def forged(text: str = "依据有关规定，结合所述情况说明如下[1]。") -> Reply:
    """An answer citing a clause id that does not exist, with words no unit contains."""
    return Reply(content=answer_json(text, [(FORGED_ID, FORGED_QUOTE)]), match=ANSWER_TASK)


def collect(events: list[StreamEvent]) -> tuple[str, StreamEvent]:
    """The streamed text and the last event."""
    return "".join(e.text for e in events if e.kind == "token"), events[-1]
