"""A queued fake ChatModel for unit tests (no server, no network): each call takes the next reply."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pydantic import BaseModel, ValidationError

from assistant.llm.client import Completion, Message
from assistant.llm.deadline import LLMUnavailable


class QueuedChat:
    """Replies are strings (the model's text) or LLMUnavailable instances (raised). Calls are kept."""

    def __init__(self, *replies: str | LLMUnavailable) -> None:
        self.replies = list(replies)
        self.calls: list[list[Message]] = []

    def _next(self, messages: Sequence[Message]) -> str:
        self.calls.append(list(messages))
        reply = self.replies.pop(0) if self.replies else LLMUnavailable("connection", "no reply queued")
        if isinstance(reply, LLMUnavailable):
            raise reply
        return reply

    def complete(
        self, messages: Sequence[Message], deadline: float, schema: type[BaseModel] | None = None
    ) -> Completion:
        text = self._next(messages)
        if schema is None:
            return Completion(text)
        try:
            return Completion(text, schema.model_validate_json(text))
        except ValidationError:
            return Completion(text)

    def stream(
        self, messages: Sequence[Message], deadline: float, schema: type[BaseModel] | None = None
    ) -> Iterator[str]:
        text = self._next(messages)
        for start in range(0, len(text), 5):
            yield text[start : start + 5]
