"""The chains: the reading of a story (structured output), answer writing (whole or streamed), the retry
with the problems stated, and the rewrite of a rationale draft. Prompts come from prompts/*.md."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field

from assistant.llm.client import ChatModel, Completion, Message
from assistant.llm.grounding import ModelAnswer, Problem
from assistant.llm.prompts import Prompts


class FactorOut(BaseModel):
    value: str = Field("unknown", description="该方面的取值（见提示中的可选值），事实未说明时填 unknown")
    evidence: str = Field("", description="用户原话中说明这一点的文字，逐字摘录；没有则为空")
    certainty: str = Field(
        "stated", description="stated（当事人自己说的）/ reported（听说、有人反映）/ asked（只是在问）"
    )


class ItemOut(BaseModel):
    name: str = Field(description="违纪违法行为或情形的名称（见提示中的可选项）")
    evidence: str = Field("", description="用户原话中说明这一点的文字，逐字摘录")
    certainty: str = Field("stated", description="stated / reported / asked")
    actor: str = Field("subject", description="subject（所问的干部本人）/ third_party（他人）")


class FactorsOut(BaseModel):
    """The model's reading of a story: the six factors, named violations and circumstances."""

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
    violations: list[ItemOut] = Field(default_factory=list, description="所述的违纪违法行为")
    circumstances: list[ItemOut] = Field(default_factory=list, description="所述的可容错情形")


def reading_of(text: str, parsed: object) -> dict[str, Any] | None:
    """The reading as a JSON object: the reply's own object when it is one (keys the schema lacks
    kept), else the structured output; None for a reply that is neither (garbage, cut off)."""
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            found = json.loads(text[start : end + 1])
        except ValueError:
            found = None
        if isinstance(found, dict):
            return found
    if isinstance(parsed, FactorsOut):
        return parsed.model_dump()
    return None


class Writer:
    """Talks to the chat model with the prompt files; knows nothing of grounding or fallbacks."""

    def __init__(self, chat: ChatModel, prompts: Prompts) -> None:
        self.chat = chat
        self.prompts = prompts

    def system(self) -> Message:
        return Message("system", self.prompts.render("system"))

    def read_story(self, story: str, deadline: float, **values: str) -> dict[str, Any] | None:
        """The model's reading of a (masked) story in the factor prompt's shape (the contract), or
        None if the reply is not a JSON object. Code verifies every item afterwards."""
        prompt = self.prompts.render("factors", story=story, **values)
        completion = self.chat.complete([self.system(), Message("user", prompt)], deadline, FactorsOut)
        return reading_of(completion.text, completion.parsed)

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
