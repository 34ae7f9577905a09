"""The client's deadline and retry rules, and the answerer over a queued fake model (no network)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import openai
import pytest

from assistant.llm.answerer import LLMAnswerer
from assistant.llm.deadline import LLMUnavailable, before, classify, retrying
from assistant.pipeline import Assistant, Conversation
from tests.fakes.chat_model import QueuedChat
from tests.fakes.openai_server import answer_json
from tests.llm_support import FORGED_ID, FORGED_QUOTE, Q_KNOW, cited

_REQUEST = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")


def _status(code: int, retry_after: str | None = None) -> openai.APIStatusError:
    headers = {"retry-after": retry_after} if retry_after else {}
    response = httpx.Response(code, request=_REQUEST, headers=headers)
    kinds: dict[int, type[openai.APIStatusError]] = {
        429: openai.RateLimitError,
        500: openai.InternalServerError,
    }
    return kinds.get(code, openai.APIStatusError)(f"status {code}", response=response, body=None)


def _wrapped(cause: Exception) -> openai.APIConnectionError:
    """The client's connection error raised from an httpx error, as the openai client does."""
    try:
        raise openai.APIConnectionError(request=_REQUEST) from cause
    except openai.APIConnectionError as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (openai.APITimeoutError(_REQUEST), "timeout"),
        (openai.APIConnectionError(request=_REQUEST), "connection"),
        (_status(429), "rate_limit"),
        (_status(500), "server"),
        (_status(401), "rejected"),
        (ValueError("Expecting value"), "malformed"),
        (_wrapped(httpx.ConnectError("refused")), "connection"),
        (_wrapped(httpx.RemoteProtocolError("peer closed connection")), "cut"),
        (_wrapped(httpx.ReadError("connection reset")), "cut"),
        (httpx.RemoteProtocolError("incomplete chunked read"), "cut"),
    ],
)
def test_classify(exc: Exception, reason: str) -> None:
    assert classify(exc) == reason


def test_before_abandons_a_call_at_the_deadline() -> None:
    started = time.perf_counter()
    with pytest.raises(LLMUnavailable) as caught:
        before(time.monotonic() + 0.2, lambda: time.sleep(5))
    assert caught.value.reason == "timeout" and time.perf_counter() - started < 0.5


def test_transient_errors_are_retried_and_client_errors_are_not() -> None:
    calls: list[float] = []

    def flaky(left: float) -> str:
        calls.append(left)
        if len(calls) < 3:
            raise _status(500)
        return "ok"

    assert retrying(flaky, time.monotonic() + 5, retries=2) == "ok" and len(calls) == 3
    calls.clear()

    def refused(left: float) -> str:
        calls.append(left)
        raise _status(401)

    with pytest.raises(LLMUnavailable) as caught:
        retrying(refused, time.monotonic() + 5, retries=2)
    assert caught.value.reason == "rejected" and len(calls) == 1


def test_retries_stop_at_the_deadline() -> None:
    def always_429(left: float) -> str:
        raise _status(429, retry_after="10")

    started = time.perf_counter()
    with pytest.raises(LLMUnavailable):
        retrying(always_429, time.monotonic() + 1.0, retries=5)
    assert time.perf_counter() - started < 0.5  # Retry-After 10 s does not fit: no waiting for it


def _answerer(assistant: Assistant, chat: QueuedChat) -> LLMAnswerer:
    settings = assistant.settings.model_copy(
        update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "m"}
    )
    return LLMAnswerer(settings, assistant.kb, assistant.composer, assistant._article_refs, chat=chat)


def test_the_answerer_retries_once_with_the_problems_stated(assistant: Assistant) -> None:
    forged = answer_json("见[1]。", [(FORGED_ID, FORGED_QUOTE)])
    chat = QueuedChat(forged, answer_json("见[1]。", cited(assistant, Q_KNOW)))
    analysis = assistant.analyse(Conversation([Q_KNOW]))
    answer = _answerer(assistant, chat).answer(analysis, assistant.offline_answer(analysis))
    assert answer.mode == "llm" and len(chat.calls) == 2
    retry = chat.calls[1]
    assert retry[-2].role == "assistant" and retry[-2].content == forged
    assert FORGED_ID in retry[-1].content and "不在所给条文之中" in retry[-1].content


def test_the_answerer_falls_back_when_the_model_fails(assistant: Assistant) -> None:
    chat = QueuedChat(LLMUnavailable("server"))
    analysis = assistant.analyse(Conversation([Q_KNOW]))
    offline = assistant.offline_answer(analysis)
    answer = _answerer(assistant, chat).answer(analysis, offline)
    assert answer.mode == "offline" and answer.answer == offline.answer
    assert answer.notes == ["大模型服务不可用（服务端错误（5xx）），已使用离线答案"]


def test_a_missing_prompt_file_gives_the_offline_answer(assistant: Assistant, tmp_path: Path) -> None:
    settings = assistant.settings.model_copy(
        update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "m", "prompts_dir": tmp_path}
    )
    chat = QueuedChat()
    answerer = LLMAnswerer(settings, assistant.kb, assistant.composer, chat=chat)
    analysis = assistant.analyse(Conversation([Q_KNOW]))
    answer = answerer.answer(analysis, assistant.offline_answer(analysis))
    assert answer.mode == "offline" and "缺少提示词文件" in answer.notes[0] and not chat.calls
