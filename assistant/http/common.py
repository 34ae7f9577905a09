"""What every endpoint shares: the app context (assistant, audit, conversations), JSON parsing, errors."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Request

from assistant.audit import AuditLog
from assistant.conversations import ConversationStore
from assistant.domain import Answer
from assistant.errors import InputError
from assistant.http.encoding import SafeJSONResponse, bad_unicode_field
from assistant.http.errorshape import error_body
from assistant.http.holder import AssistantHolder, knowledge_version
from assistant.pipeline import Conversation
from assistant.settings import Settings

log = logging.getLogger("assistant.server")
T = TypeVar("T")
# Offline answers are CPU-bound under one GIL: one at a time per worker answers fastest (measured on
# 2 cores, 2 workers, 8 clients: ~790 req/s with one thread each, ~680 with two, ~600 with anyio's 40),
# since threads contending for the GIL also starve the event loop. Workers, not threads, use the
# cores. LLM answers mostly wait on the network: a thread for each answer the model may be writing
# (ASSISTANT_LLM_MAX_IN_FLIGHT), and some more, so that the answers given offline meanwhile (the slots
# all taken) never queue behind a slow model.
ANSWER_THREADS_OFFLINE = 1
SPARE_THREADS_LLM = 8


class PayloadTooLarge(InputError):
    """The request body is over the size limit."""

    code = "payload_too_large"
    http_status = 413


class NotFound(InputError):
    """The thing asked for does not exist."""

    code = "not_found"
    http_status = 404


class BadParam(InputError):
    """A request field has a value the service does not take; ``param`` names the field (OpenAI's shape)."""

    def __init__(self, message: str, param: str, code: str = "bad_input", status: int = 400) -> None:
        super().__init__(message)
        self.param, self.code, self.http_status = param, code, status


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    param: str | None = None,
) -> SafeJSONResponse:
    """The contract's error shape ``{"error": {"code", "message"}}``, with OpenAI's ``type`` and ``param``."""
    return SafeJSONResponse(
        status_code=status, content=error_body(status, code, message, param), headers=headers
    )


async def read_json(request: Request) -> Any:
    """The request body as JSON; an InputError for an empty, non-UTF-8 or malformed body, or one with
    a lone surrogate (``"\\ud800"``) in any string, key or value."""
    raw = await request.body()
    if not raw.strip():
        raise InputError("请求体为空。")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError("请求体不是合法的 UTF-8 JSON。") from exc
    where = bad_unicode_field(body)
    if where is not None:
        raise InputError(f"字段 {where} 含有无效的 Unicode 字符（孤立的代理项），请检查文本编码。")
    return body


def text_field(body: Any, name: str, required: bool = True) -> str | None:
    """A string field of a JSON object body (None when optional and absent)."""
    if not isinstance(body, dict):
        raise InputError("请求体必须是 JSON 对象。")
    value = body.get(name)
    if value is None:
        if required:
            raise InputError(f"缺少字段 {name}。")
        return None
    if not isinstance(value, str):
        raise InputError(f"字段 {name} 必须是字符串。")
    return value


def bool_field(body: Any, name: str, default: bool = False) -> bool:
    """A boolean field of a JSON object body."""
    value = body.get(name, default) if isinstance(body, dict) else default
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InputError(f"字段 {name} 必须是 true 或 false。")
    return value


@dataclass
class AppContext:
    """The state one worker serves with."""

    settings: Settings
    holder: AssistantHolder
    audit: AuditLog
    conversations: ConversationStore
    _limiter: anyio.CapacityLimiter | None = field(default=None, init=False, repr=False)

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """Run answering work (blocking) in a worker thread, at most a few at a time when offline."""
        if self._limiter is None:  # made on first use: it belongs to the running event loop
            threads = (
                self.settings.llm_max_in_flight + SPARE_THREADS_LLM
                if self.settings.llm_enabled
                else ANSWER_THREADS_OFFLINE
            )
            self._limiter = anyio.CapacityLimiter(threads)
        return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)

    def answer(
        self, conversation: Conversation, channel: str, user_id: str | None, started: float | None = None
    ) -> Answer:
        """Answer a conversation and write the audit row. Blocking: call it in a worker thread.
        ``started`` is when the request arrived (``time.perf_counter()``): the deadline runs from it."""
        assistant = self.holder.current  # taken once: a reload meanwhile does not touch this request
        answer = assistant.converse(conversation, started)
        self.record(answer, channel, user_id, knowledge_version(assistant))
        return answer

    def record(self, answer: Answer, channel: str, user_id: str | None, version: str) -> None:
        """Write the audit row of an answer; a failing audit write is logged, the answer still goes out."""
        try:
            self.audit.record(answer, channel, user_id, version)
        except (sqlite3.Error, UnicodeError, ValueError):
            log.exception("audit write failed")

    def converse(
        self,
        channel: str,
        user_id: str,
        question: str | None,
        province: str | None,
        started: float | None = None,
        confirmed: dict[str, str] | None = None,
    ) -> tuple[Answer, bool]:
        """Answer a user's message within their open conversation; return the answer and whether the
        conversation stays open (waiting for facts). Blocking: call it in a worker thread.
        ``confirmed``: values the user confirms (a correction); with no ``question`` the last story is
        judged again with them."""
        key = f"{channel}:{user_id}"
        conversation = self.conversations.begin(key, question, province, confirmed=confirmed)
        answer = self.answer(conversation, channel, user_id, started)
        still_open = self.conversations.finish(key, conversation, answer)
        return answer, still_open
