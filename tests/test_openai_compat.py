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
    assert last["choices"][0]["finish_reason"] == "stop" and last["citations"] and last["usage"]
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
    assert response.json()["error"]["code"] == "bad_input"


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
