"""LLM mode under load and slow models: one deadline per answer, counted from the request's arrival,
whatever the concurrency; a bounded number of answers written by the model per worker, the rest
answered offline at once and saying so; a call abandoned at the deadline is cut on the wire."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.llm.answerer import BUSY
from assistant.pipeline import Assistant, Conversation
from assistant.server import create_app
from tests.fakes.openai_server import FakeOpenAI, answer_json
from tests.llm_support import ANSWER_TASK, Q_KNOW, Reply, cited, llm_assistant
from tests.serving import running

pytestmark = pytest.mark.integration


def _calls_alive() -> int:
    return sum(t.name in ("llm-call", "llm-stream") and t.is_alive() for t in threading.enumerate())


def _settled(fake: FakeOpenAI, within: float) -> bool:
    """Whether every reply the fake was sending has been given up (connection closed) in time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if fake.sending == 0 and _calls_alive() == 0:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("streamed", [False, True])
def test_a_trickling_model_is_cut_at_the_deadline(
    assistant: Assistant, fake: FakeOpenAI, streamed: bool
) -> None:
    a = llm_assistant(assistant, fake, llm_timeout=1.0)
    prose = "说明如下。" * 60  # about 30 s of text at a few characters every 0.1 s
    content = answer_json(prose + "[1]", cited(a, Q_KNOW))
    fake.script(*[Reply(content=content, match=ANSWER_TASK, trickle=0.1, chunk_chars=8)] * 2)
    started = time.perf_counter()
    if streamed:
        answer: Any = [e for e in a.stream(Conversation([Q_KNOW]))][-1].answer
    else:
        answer = a.ask(Q_KNOW)
    assert time.perf_counter() - started < 1.0 + 0.5
    assert answer.mode == "offline" and "超时" in answer.notes[0]
    # Within a second of the answer the abandoned call has ended: its thread and its connection.
    assert _settled(fake, within=1.0), f"still sending {fake.sending}, threads {_calls_alive()}"


def test_concurrent_answers_keep_one_deadline_and_the_rest_are_answered_offline_at_once(
    assistant: Assistant, fake: FakeOpenAI, tmp_path: Path
) -> None:
    timeout, slots, clients = 1.5, 4, 20
    # The offline answers the clients get are CPU work done one after another (one interpreter): what the
    # slowest may add to the deadline is that work, measured here, not a constant of one machine's speed.
    started = time.perf_counter()
    for _ in range(3):
        assistant.ask(Q_KNOW)
    queued = max(1.0, clients * (time.perf_counter() - started) / 3)
    a = llm_assistant(assistant, fake, llm_timeout=timeout, llm_max_in_flight=slots)
    fake.script(*[Reply(delay=30, match=ANSWER_TASK)] * clients)  # a hanging model
    own = a.settings.model_copy(update={"data_dir": tmp_path})
    with running(create_app(own, a)) as url:

        def ask(_: int) -> tuple[float, dict[str, Any]]:
            started = time.perf_counter()
            response = httpx.post(url + "/v1/ask", json={"question": Q_KNOW}, timeout=30)
            return time.perf_counter() - started, response.json()

        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(ask, range(clients)))
    took = sorted(t for t, _ in results)
    assert took[-1] < timeout + queued, (
        f"slowest {took[-1]:.2f} s (deadline {timeout} s, queued work {queued:.2f} s)"
    )
    busy = [(t, body) for t, body in results if BUSY in body.get("notes", [])]
    assert len(busy) >= clients - slots  # the rest were not queued behind the model
    assert max(t for t, _ in busy) < timeout  # ... and were answered without waiting for it
    assert all(body["mode"] == "offline" and body["citations"] for _, body in results)
    assert len([r for r in fake.chat_requests()]) <= slots
