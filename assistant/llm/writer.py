"""The chains: factor extraction (structured output), answer writing (whole or streamed), the retry
with the problems stated, and the rewrite of a rationale draft. Prompts come from prompts/*.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pydantic import BaseModel, Field

from assistant.domain import FACTOR_NAMES, FACTOR_VALUES, FactorValue
from assistant.llm.client import ChatModel, Completion, Message
from assistant.llm.grounding import ModelAnswer, Problem
from assistant.llm.prompts import Prompts


class FactorOut(BaseModel):
    value: str = Field("unknown", description="该方面的取值（见提示中的可选值），事实未说明时填 unknown")
    evidence: str = Field("", description="用户原话中说明这一点的文字，逐字摘录；没有则为空")


class FactorsOut(BaseModel):
    """The six factors as the model reads them from a story."""

    motive: FactorOut = Field(default_factory=FactorOut, description="动机：public / private / unknown")
    intent: FactorOut = Field(
        default_factory=FactorOut, description="主观心态：negligent / deliberate / unknown"
    )
    basis: FactorOut = Field(
        default_factory=FactorOut, description="依据：exploratory / prohibited / unknown"
    )
    process: FactorOut = Field(
        default_factory=FactorOut, description="决策过程：collective / unilateral / unknown"
    )
    consequence: FactorOut = Field(default_factory=FactorOut, description="后果：minor / serious / unknown")
    remedy: FactorOut = Field(
        default_factory=FactorOut, description="补救：remedied / not_remedied / unknown"
    )


def merge_factors(
    rules: dict[str, FactorValue],
    model: FactorsOut | None,
    story: str,
    restore: Callable[[str], str] = lambda s: s,
) -> dict[str, FactorValue]:
    """The factors shown with an answer. The rules' reading stands wherever it found something; a
    model's reading only fills a factor the rules left unknown, only with a known value, only when its
    evidence is the user's own words, and is marked hedged (to be confirmed). The pipeline then runs
    ``assess`` again with it (``Assistant.reassess``): a red flag the model read asks for confirmation,
    a favourable reading never makes a case tolerable, and no red line the rules found is cleared."""
    merged = dict(rules)
    if model is None:
        return merged
    for name in FACTOR_NAMES:
        current = merged.get(name, FactorValue())
        found: FactorOut = getattr(model, name)
        evidence = restore(found.evidence).strip()
        if current.value != "unknown" or found.value == "unknown":
            continue
        if found.value not in FACTOR_VALUES[name] or len(evidence) < 2 or evidence not in story:
            continue
        merged[name] = FactorValue(found.value, evidence, hedged=True)
    return merged


class Writer:
    """Talks to the chat model with the prompt files; knows nothing of grounding or fallbacks."""

    def __init__(self, chat: ChatModel, prompts: Prompts) -> None:
        self.chat = chat
        self.prompts = prompts

    def system(self) -> Message:
        return Message("system", self.prompts.render("system"))

    def extract_factors(self, story: str, deadline: float) -> FactorsOut | None:
        """The six factors of a (masked) story as structured output; None if the reply does not fit."""
        messages = [self.system(), Message("user", self.prompts.render("factors", story=story))]
        completion = self.chat.complete(messages, deadline, FactorsOut)
        if isinstance(completion.parsed, FactorsOut):
            return completion.parsed
        try:
            start, end = completion.text.find("{"), completion.text.rfind("}")
            return FactorsOut.model_validate_json(completion.text[start : end + 1])
        except ValueError:
            return None

    def answer_messages(self, task: str, **values: str) -> list[Message]:
        """System prompt and the filled task prompt ("answer" or "draft")."""
        return [self.system(), Message("user", self.prompts.render(task, **values))]

    def write_answer(self, messages: list[Message], deadline: float) -> Completion:
        """One whole answer in the JSON answer format."""
        return self.chat.complete(messages, deadline, ModelAnswer)

    def stream_answer(self, messages: list[Message], deadline: float) -> Iterator[str]:
        """The JSON answer as raw text pieces, as the model writes them."""
        return self.chat.stream(messages, deadline, ModelAnswer)

    def retry_messages(self, messages: list[Message], reply: str, problems: list[Problem]) -> list[Message]:
        """The conversation again, with the rejected reply and what was wrong with it."""
        stated = "\n".join(f"- {p.message}" for p in problems)
        return [
            *messages,
            Message("assistant", reply or "（无有效输出）"),
            Message("user", self.prompts.render("retry", problems=stated)),
        ]

    def rewrite(self, messages: list[Message], deadline: float) -> str:
        """Plain text (the rationale rewrite)."""
        return self.chat.complete(messages, deadline).text
