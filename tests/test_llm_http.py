"""LLM mode through the HTTP service: a forged citation from the model never reaches a client (JSON
answer, OpenAI-compatible completion, SSE stream), and a hanging model still gets an answer in time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from assistant.http.openai_compat import REPLACEMENT_RULE
from assistant.pipeline import Assistant
from assistant.server import create_app
from assistant.settings import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.llm_support import (
    ANSWER_TASK,
    FORGED_ID,
    FORGED_QUOTE,
    Q_KNOW,
    Q_OK,
    TIMEOUT,
    Reply,
    forged,
    valid,
)
from tests.serving import running

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _fresh(fake: FakeOpenAI) -> None:
    """Every test starts with an empty script (the fixture clears it)."""


@pytest.fixture(scope="module")
def base_url(llm: Assistant, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    own = llm.settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("llm-server-state")})
    with running(create_app(own, llm)) as url:
        yield url


def test_health_says_llm(base_url: str) -> None:
    assert httpx.get(base_url + "/healthz").json()["mode"] == "llm"


def test_ask_never_returns_a_forged_citation(base_url: str, fake: FakeOpenAI) -> None:
    fake.script(forged(), forged())
    response = httpx.post(base_url + "/v1/ask", json={"question": Q_OK}, timeout=30)
    assert response.status_code == 200
    assert FORGED_ID not in response.text and FORGED_QUOTE not in response.text
    body = response.json()
    assert body["mode"] == "offline" and body["notes"] and body["citations"]


def test_ask_returns_a_grounded_llm_answer(base_url: str, llm: Assistant, fake: FakeOpenAI) -> None:
    fake.script(valid(llm, Q_KNOW))
    body = httpx.post(base_url + "/v1/ask", json={"question": Q_KNOW}, timeout=30).json()
    assert body["mode"] == "llm" and body["citations"]


@pytest.mark.parametrize("stream", [False, True])
def test_chat_completions_never_carry_a_forged_citation(
    base_url: str, fake: FakeOpenAI, stream: bool
) -> None:
    fake.script(forged(), forged())
    body = {"model": "sanqu-assistant", "stream": stream, "messages": [{"role": "user", "content": Q_OK}]}
    response = httpx.post(base_url + "/v1/chat/completions", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert FORGED_ID not in response.text and FORGED_QUOTE not in response.text
    if stream:
        assert response.text.rstrip().endswith("data: [DONE]")


def test_a_hanging_model_still_answers_in_time(base_url: str, fake: FakeOpenAI) -> None:
    fake.script(*[Reply(delay=30)] * 3)
    started = time.perf_counter()
    response = httpx.post(base_url + "/v1/ask", json={"question": Q_KNOW}, timeout=30)
    assert time.perf_counter() - started < TIMEOUT + 1
    assert response.json()["mode"] == "offline"


def test_a_stream_cut_midway_ends_with_the_verified_answer(
    base_url: str, llm: Assistant, fake: FakeOpenAI
) -> None:
    prose = "第一句先说明三个区分开来的含义[1]。第二句继续说明相关规定的要求。第三句说明如何把握政策界限。第四句作出小结。"
    reply = valid(llm, Q_KNOW, prose=prose)
    fake.script(
        Reply(content=reply.content, match=reply.match, cut_after=12),
        Reply(content=reply.content, match=reply.match, cut_after=12),
    )
    body = {"model": "sanqu-assistant", "stream": True, "messages": [{"role": "user", "content": Q_KNOW}]}
    response = httpx.post(base_url + "/v1/chat/completions", json=body, timeout=30)
    assert response.status_code == 200, response.text
    chunks = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")]
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop" and last["citations"]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c.get("choices"))
    # The cut came after text was shown: what was shown is replaced by the verified (offline) answer.
    assert last["replaced"] is True
    assert REPLACEMENT_RULE in text and text.index(REPLACEMENT_RULE) > 0
    assert response.text.rstrip().endswith("data: [DONE]")


MADE_UP = "收受财物数额较小的可以免予问责"


def _made_up(llm: Assistant) -> Reply:
    """A valid citation beside prose that puts invented words in the clause's mouth."""
    return valid(llm, Q_OK, prose=f"所述情况可以对照条文理解[1]。条文明确规定“{MADE_UP}”。")


@pytest.mark.parametrize("endpoint", ["ask", "chat", "chat-stream"])
def test_a_made_up_quotation_in_the_prose_never_reaches_a_client(
    base_url: str, llm: Assistant, fake: FakeOpenAI, endpoint: str
) -> None:
    fake.script(_made_up(llm), _made_up(llm))  # the answer and its one retry
    if endpoint == "ask":
        response = httpx.post(base_url + "/v1/ask", json={"question": Q_OK}, timeout=30)
        assert response.json()["mode"] == "offline" and response.json()["notes"]
    else:
        body = {"stream": endpoint == "chat-stream", "messages": [{"role": "user", "content": Q_OK}]}
        response = httpx.post(base_url + "/v1/chat/completions", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert MADE_UP not in response.text
    assert len([r for r in fake.chat_requests() if ANSWER_TASK in json.dumps(r, ensure_ascii=False)]) == 2
    if endpoint == "chat-stream":
        assert response.text.rstrip().endswith("data: [DONE]")


def test_quoting_the_users_own_words_is_allowed(base_url: str, llm: Assistant, fake: FakeOpenAI) -> None:
    fake.script(valid(llm, Q_OK, prose="您所说的“事后补了手续”属于及时补救的情形[1]。"))
    body = httpx.post(base_url + "/v1/ask", json={"question": Q_OK}, timeout=30).json()
    assert body["mode"] == "llm" and "“事后补了手续”" in body["answer"]


@pytest.mark.parametrize("stream", [False, True])
def test_the_openai_reply_says_when_the_model_failed(base_url: str, fake: FakeOpenAI, stream: bool) -> None:
    fake.script(*[Reply(status=503)] * 6)
    body = {"stream": stream, "messages": [{"role": "user", "content": Q_KNOW}]}
    response = httpx.post(base_url + "/v1/chat/completions", json=body, timeout=30)
    assert response.status_code == 200, response.text
    if stream:
        chunks = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")]
        text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
        meta = chunks[-1]
    else:
        meta = response.json()
        text = meta["choices"][0]["message"]["content"]
    note = "大模型服务不可用（服务端错误（5xx）），已使用离线答案"
    assert f"（注：{note}）" in text  # a chat front end shows only the text: it says so there
    assert meta["mode"] == "offline" and meta["notes"] == [note]


def test_a_cut_stream_is_not_called_a_failed_connection(
    base_url: str, llm: Assistant, fake: FakeOpenAI
) -> None:
    reply = valid(llm, Q_KNOW)
    fake.script(*[Reply(content=reply.content, match=reply.match, cut_after=0)] * 3)
    body = {"stream": True, "messages": [{"role": "user", "content": Q_KNOW}]}
    response = httpx.post(base_url + "/v1/chat/completions", json=body, timeout=30)
    last = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")][-1]
    assert last["notes"] == ["大模型服务不可用（连接中途断开），已使用离线答案"]
    assert "无法连接" not in response.text
