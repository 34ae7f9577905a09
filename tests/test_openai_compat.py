"""The OpenAI-compatible API over real HTTP, with raw requests and with the openai client itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from assistant.audit import AuditLog
from assistant.domain import StreamEvent
from assistant.http.openai_options import count_tokens
from assistant.pipeline import Assistant, Conversation
from assistant.server import audit_path, create_app
from assistant.settings import Settings
from tests.serving import running

pytestmark = pytest.mark.integration
QUESTION = "三个区分开来具体是哪三个？"
NEEDS_FACTS = "我们镇去年为了赶工期没招标直接找了一家公司修路，能不能从轻"
THE_FACTS = "是班子集体研究决定的，事先没有明确禁止，事后及时补办了手续"


class BrokenStream:
    """An assistant whose stream fails halfway, as an LLM connection can."""

    def __init__(self, inner: Assistant, how: str) -> None:
        self._inner, self._how = inner, how

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def stream(self, conversation: Conversation, started: float | None = None) -> Iterator[StreamEvent]:
        if self._how == "surrogate":
            # Text no UTF-8 encoder accepts (a model's lone surrogate), in the text and the final answer.
            answer = self._inner.converse(conversation)
            answer.answer += "\ud800"
            yield StreamEvent("token", "部分文字\udfff")
            yield StreamEvent("final", answer=answer)
            return
        yield StreamEvent("token", "部分文字")
        if self._how == "raise":
            raise RuntimeError("connection reset")
        yield StreamEvent("error", "上游模型不可用，请稍后再试。")


@pytest.fixture(scope="module")
def base_url(
    settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    own = settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("openai-state")})
    with running(create_app(own, assistant)) as url:
        yield url


def _events(response: httpx.Response) -> list[str]:
    return [line.removeprefix("data: ") for line in response.iter_lines() if line.startswith("data: ")]


def test_models(base_url: str) -> None:
    body = httpx.get(base_url + "/v1/models").json()
    assert body["object"] == "list" and body["data"][0]["id"] == "sanqu-assistant"
    assert httpx.get(base_url + "/v1/models/sanqu-assistant").json()["object"] == "model"
    assert httpx.get(base_url + "/v1/models/gpt-9").status_code == 404


def test_completion_has_citations_in_text_and_field(base_url: str) -> None:
    body = httpx.post(
        base_url + "/v1/chat/completions",
        json={"model": "sanqu-assistant", "messages": [{"role": "user", "content": QUESTION}]},
    ).json()
    assert body["object"] == "chat.completion"
    text = body["choices"][0]["message"]["content"]
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["citations"] and "引用：" in text
    assert all(c["title"] in text for c in body["citations"])
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


def test_history_completes_the_facts(base_url: str) -> None:
    messages = [
        {"role": "system", "content": "你是助手"},
        {"role": "user", "content": NEEDS_FACTS},
        {"role": "assistant", "content": "请补充……"},
        {"role": "user", "content": [{"type": "text", "text": THE_FACTS}]},
    ]
    body = httpx.post(base_url + "/v1/chat/completions", json={"messages": messages}).json()
    assert body["verdict"] == "tolerable" and "赶工期" in body["choices"][0]["message"]["content"]
    restarted = messages[:2] + [
        {"role": "user", "content": "重新开始"},
        {"role": "user", "content": THE_FACTS},
    ]
    body = httpx.post(base_url + "/v1/chat/completions", json={"messages": restarted}).json()
    assert "赶工期" not in body["choices"][0]["message"]["content"]


def test_stream_chunks_citations_and_done(base_url: str) -> None:
    request = {"stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream("POST", base_url + "/v1/chat/completions", json=request) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop" and last["citations"]
    assert all("usage" not in c for c in chunks)  # as OpenAI: usage only when stream_options asks
    assert last["answer"]["answer"] in text and last["answer"]["citations"] == last["citations"]
    plain = httpx.post(base_url + "/v1/chat/completions", json={**request, "stream": False}).json()
    assert text == plain["choices"][0]["message"]["content"]


def test_openai_client_both_ways(base_url: str) -> None:
    client = openai.OpenAI(
        base_url=base_url + "/v1", api_key="unused", http_client=httpx.Client(trust_env=False)
    )
    assert [m.id for m in client.models.list()] == ["sanqu-assistant"]
    done = client.chat.completions.create(
        model="sanqu-assistant", messages=[{"role": "user", "content": QUESTION}]
    )
    assert "区分开来" in (done.choices[0].message.content or "")
    stream = client.chat.completions.create(
        model="sanqu-assistant", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    assert "".join(pieces) == done.choices[0].message.content


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"messages": []},
        {"messages": "hi"},
        {"messages": [{"content": "no role"}]},
        {"messages": [{"role": "system", "content": "only a system prompt"}]},
        {"messages": [{"role": "user", "content": 42}]},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": 1}]}]},
        {"messages": [{"role": "user", "content": ""}]},
        {"messages": [{"role": "user", "content": "问" * 3000}]},
        {"messages": [{"role": "user", "content": QUESTION}], "stream": "yes"},
        {"messages": [{"role": "user", "content": QUESTION}], "province": "火星"},
        {"messages": [{"role": "user", "content": QUESTION}], "model": 3},
        {"messages": [{"role": "user", "content": ""}], "stream": True},
    ],
)
def test_bad_requests_are_json_errors_before_any_stream(base_url: str, body: dict[str, Any]) -> None:
    response = httpx.post(base_url + "/v1/chat/completions", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_input" and error["type"] == "invalid_request_error"
    assert set(error) == {"message", "type", "param", "code"} and error["message"]


def test_restart_as_last_message(base_url: str) -> None:
    messages = [{"role": "user", "content": NEEDS_FACTS}, {"role": "user", "content": "重新开始"}]
    body = httpx.post(base_url + "/v1/chat/completions", json={"messages": messages}).json()
    assert "重新开始" in body["choices"][0]["message"]["content"] and body["citations"] == []


@pytest.mark.parametrize("how", ["raise", "error-event"])
def test_a_failing_stream_ends_with_an_error_event(
    settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory, how: str
) -> None:
    own = settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("broken")})
    app = create_app(own, BrokenStream(assistant, how))  # type: ignore[arg-type]
    with running(app) as url:
        request = {"stream": True, "messages": [{"role": "user", "content": QUESTION}]}
        with httpx.stream("POST", url + "/v1/chat/completions", json=request) as response:
            assert response.status_code == 200
            events = _events(response)
    assert events[-1] == "[DONE]"
    error = json.loads(events[-2])["error"]
    assert error["code"] == "stream_error" and error["message"]
    if how == "error-event":
        assert "上游模型" in error["message"]


def test_text_that_cannot_be_encoded_never_drops_the_stream(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    own = settings.model_copy(update={"data_dir": tmp_path})
    app = create_app(own, BrokenStream(assistant, "surrogate"))  # type: ignore[arg-type]
    with running(app) as url:
        request = {"stream": True, "messages": [{"role": "user", "content": QUESTION}]}
        with httpx.stream("POST", url + "/v1/chat/completions", json=request) as response:
            assert response.status_code == 200
            events = _events(response)
    assert events[-1] == "[DONE]"
    last = json.loads(events[-2])
    assert last["choices"][0]["finish_reason"] == "stop" and last["citations"]
    assert "\ufffd" in "".join(events)  # the lone surrogates, replaced
    assert AuditLog(audit_path(own)).count() == 1  # and the answer has its audit row


def _client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=base_url + "/v1", api_key="unused", http_client=httpx.Client(trust_env=False), max_retries=0
    )


def test_unknown_model_is_openais_404(base_url: str) -> None:
    client = _client(base_url)
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    error = raised.value
    assert (error.status_code, error.code, error.type, error.param) == (
        404,
        "model_not_found",
        "invalid_request_error",
        "model",
    )
    assert "gpt-4o" in error.message and "sanqu-assistant" in error.message
    with pytest.raises(openai.NotFoundError) as raised:
        client.models.retrieve("gpt-4o")
    assert raised.value.code == "model_not_found"
    body = httpx.post(
        base_url + "/v1/chat/completions",
        json={"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": QUESTION}]},
    )
    assert body.status_code == 404 and body.json()["error"]["code"] == "model_not_found"


def test_n_above_one_is_refused_and_one_is_honoured(base_url: str) -> None:
    client = _client(base_url)
    messages: Any = [{"role": "user", "content": QUESTION}]
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="sanqu-assistant", messages=messages, n=2)
    assert (raised.value.code, raised.value.param) == ("unsupported_value", "n")
    one = client.chat.completions.create(model="sanqu-assistant", messages=messages, n=1)
    assert len(one.choices) == 1
    for bad in (0, -1, 1.5, "2", True):
        response = httpx.post(base_url + "/v1/chat/completions", json={"messages": messages, "n": bad})
        assert response.status_code == 400 and response.json()["error"]["param"] == "n"


def test_max_tokens_cuts_the_text_and_keeps_the_answer_whole(base_url: str) -> None:
    client = _client(base_url)
    messages: Any = [{"role": "user", "content": QUESTION}]
    whole = client.chat.completions.create(model="sanqu-assistant", messages=messages)
    full_text = whole.choices[0].message.content or ""
    cut = client.chat.completions.create(model="sanqu-assistant", messages=messages, max_tokens=12)
    text = cut.choices[0].message.content or ""
    assert cut.choices[0].finish_reason == "length"
    assert count_tokens(text) == 12 and full_text.startswith(text) and len(text) < len(full_text)
    assert cut.usage is not None and cut.usage.completion_tokens == 12
    extra = cut.model_extra or {}
    assert extra["answer"] == (whole.model_extra or {})["answer"] | {
        "latency_ms": extra["answer"]["latency_ms"]
    }
    assert extra["answer"]["answer"] in full_text and extra["citations"]
    newer = client.chat.completions.create(
        model="sanqu-assistant", messages=messages, max_completion_tokens=5, max_tokens=50
    )
    assert count_tokens(newer.choices[0].message.content or "") == 5
    roomy = client.chat.completions.create(model="sanqu-assistant", messages=messages, max_tokens=10**6)
    assert roomy.choices[0].finish_reason == "stop" and roomy.choices[0].message.content == full_text
    stream = client.chat.completions.create(
        model="sanqu-assistant", messages=messages, max_tokens=12, stream=True
    )
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == text
    assert chunks[-1].choices[0].finish_reason == "length"
    assert (chunks[-1].model_extra or {})["answer"]["answer"] == extra["answer"]["answer"]


def test_stream_usage_only_when_asked_as_openai_does(base_url: str) -> None:
    client = _client(base_url)
    messages: Any = [{"role": "user", "content": QUESTION}]
    plain = client.chat.completions.create(model="sanqu-assistant", messages=messages)
    chunks = list(
        client.chat.completions.create(
            model="sanqu-assistant",
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    *body, last = chunks
    assert last.choices == [] and last.usage is not None
    assert plain.usage is not None
    assert (last.usage.prompt_tokens, last.usage.completion_tokens, last.usage.total_tokens) == (
        plain.usage.prompt_tokens,
        plain.usage.completion_tokens,
        plain.usage.total_tokens,
    )
    assert all(c.usage is None and c.choices for c in body)
    assert body[-1].choices[0].finish_reason == "stop"
    without = list(client.chat.completions.create(model="sanqu-assistant", messages=messages, stream=True))
    assert all(c.usage is None for c in without) and without[-1].choices
    response = httpx.post(
        base_url + "/v1/chat/completions",
        json={"messages": messages, "stream_options": {"include_usage": True}},
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "stream_options"
