"""The chat model behind a small protocol, and its OpenAI-compatible implementation on ChatOpenAI.

Deadlines and retries are in ``deadline.py``; this module only speaks to the endpoint. It uses plain
chat completions (never the Responses or Assistants APIs, never ``store``): the endpoint receives the
request and keeps nothing of the conversation on our behalf.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from assistant.llm.deadline import retrying, retrying_stream
from assistant.llm.privacy import is_local_endpoint
from assistant.llm.transport import http_client
from assistant.settings import Settings


@dataclass(frozen=True)
class Message:
    role: str  # "system", "user" or "assistant"
    content: str


@dataclass(frozen=True)
class Completion:
    """A model's reply: its raw text and, when a schema was asked for and the text fits it, the object."""

    text: str
    parsed: BaseModel | None = None


class ChatModel(Protocol):
    """A chat model. ``deadline`` is a ``time.monotonic()`` instant no call may outlive; failures are
    raised as ``deadline.LLMUnavailable``."""

    def complete(
        self, messages: Sequence[Message], deadline: float, schema: type[BaseModel] | None = None
    ) -> Completion: ...

    def stream(
        self, messages: Sequence[Message], deadline: float, schema: type[BaseModel] | None = None
    ) -> Iterator[str]: ...


class OpenAICompatibleChat:
    """Any OpenAI-compatible chat endpoint (DeepSeek, Qwen/DashScope, vLLM, Ollama) via ChatOpenAI."""

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import ChatOpenAI

        assert settings.llm_base_url and settings.llm_model, "LLM mode needs a base URL and a model"
        self.retries = settings.llm_retries
        self.method = settings.llm_structured
        self.llm = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout,
            max_retries=0,  # retried in deadline.py, within the answer's deadline
            temperature=0,
            max_tokens=settings.llm_max_tokens,
            use_responses_api=False,  # plain chat completions: nothing is stored on the endpoint's side
            # Calls are cut at their answer's deadline, on the wire too (transport.py).
            http_client=http_client(settings.llm_base_url, is_local_endpoint(settings.llm_base_url)),
        )

    @staticmethod
    def _lc(messages: Sequence[Message]) -> list[tuple[str, str]]:
        roles = {"user": "human", "assistant": "ai"}
        return [(roles.get(m.role, m.role), m.content) for m in messages]

    def _response_format(self, schema: type[BaseModel]) -> dict[str, Any]:
        if self.method == "json_schema":
            spec = {"name": schema.__name__, "schema": schema.model_json_schema(), "strict": False}
            return {"type": "json_schema", "json_schema": spec}
        return {"type": "json_object"}

    def complete(
        self, messages: Sequence[Message], deadline: float, schema: type[BaseModel] | None = None
    ) -> Completion:
        """One reply; with ``schema`` through ``with_structured_output`` (parsed is None if it does not fit)."""
        lc = self._lc(messages)

        def attempt(left: float) -> Completion:
            if schema is None:
                reply = self.llm.invoke(lc, timeout=left)
                return Completion(str(reply.content))
            chain = self.llm.with_structured_output(schema, method=self.method, include_raw=True)
            out: Any = chain.invoke(lc, timeout=left)
            parsed = out.get("parsed")
            return Completion(str(out["raw"].content), parsed if isinstance(parsed, BaseModel) else None)

        return retrying(attempt, deadline, self.retries)

    def stream(
        self, messages: Sequence[Message], deadline: float, schema: type[BaseModel] | None = None
    ) -> Iterator[str]:
        """Text pieces as they arrive (``response_format`` bound when a schema is given)."""
        model: Any = self.llm.bind(response_format=self._response_format(schema)) if schema else self.llm
        lc = self._lc(messages)
        return retrying_stream(lambda left: model.stream(lc, timeout=left), deadline, self.retries)
