"""The request options of /v1/chat/completions read as OpenAI reads them, and the text budget of
``max_tokens``: what the endpoint honours, and a refusal in OpenAI's error shape for what it cannot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.http.common import BadParam, bool_field, text_field

MODEL_ID = "sanqu-assistant"
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+|[^\sA-Za-z0-9\u3400-\u9fff]")


def count_tokens(text: str) -> int:
    """An offline token estimate for ``usage``: one per CJK character, word or symbol."""
    return len(_TOKEN.findall(text))


def unknown_model(name: str) -> BadParam:
    """OpenAI's 404 for a model this service is not."""
    return BadParam(f"没有模型 {name}，本服务的模型是 {MODEL_ID}。", "model", "model_not_found", 404)


@dataclass(frozen=True)
class ChatOptions:
    """What a chat completion request asks for beyond its messages."""

    stream: bool
    include_usage: bool  # stream_options.include_usage: a last chunk with usage and no choices
    max_tokens: int | None  # the text part's length; the verified answer object is always whole


def _positive_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadParam(f"字段 {name} 必须是正整数。", name)
    return value


def chat_options(body: Any) -> ChatOptions:
    """The options of a request body; BadParam (OpenAI's shape) for a value the endpoint cannot honour."""
    stream = bool_field(body, "stream")
    model = text_field(body, "model", required=False)
    if model is not None and model != MODEL_ID:
        raise unknown_model(model)
    n = _positive_int(body, "n")
    if n is not None and n > 1:
        # Offline answers are deterministic, so n copies would only repeat one answer; refused, not faked.
        raise BadParam("本服务每个请求只生成一个回答，n 只能为 1。", "n", "unsupported_value")
    newer = _positive_int(body, "max_completion_tokens")  # OpenAI's newer name wins over max_tokens
    max_tokens = newer if newer is not None else _positive_int(body, "max_tokens")
    include_usage = False
    options = body.get("stream_options")
    if options is not None:
        if not stream:
            raise BadParam("stream_options 只能在 stream 为 true 时使用。", "stream_options")
        if not isinstance(options, dict):
            raise BadParam("stream_options 必须是对象。", "stream_options")
        include = options.get("include_usage", False)
        if not isinstance(include, bool):
            raise BadParam("stream_options.include_usage 必须是 true 或 false。", "stream_options")
        include_usage = include
    return ChatOptions(stream, include_usage, max_tokens)


class TextBudget:
    """The text a reply may still send under ``max_tokens``; ``cut`` once anything was held back."""

    def __init__(self, limit: int | None) -> None:
        self.limit, self.used, self.cut = limit, 0, False

    def take(self, text: str) -> str:
        """The part of ``text`` that fits (whole tokens; whitespace is free)."""
        if self.limit is None:
            self.used += count_tokens(text)
            return text
        if self.cut:
            return ""
        for number, token in enumerate(_TOKEN.finditer(text), 1):
            if self.used + number > self.limit:
                self.used, self.cut = self.limit, True
                return text[: token.start()]
        self.used += count_tokens(text)
        return text
