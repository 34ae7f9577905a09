"""A small OpenAI-compatible server for tests: chat completions (plain and SSE), embeddings and the
model list, with a queue of scripted replies (answers, raw text, HTTP errors, delays, malformed
bodies, streams cut or stalled mid-way). Every request received is kept for assertions.

Use it from any test (the HTTP service's end-to-end tests too)::

    with FakeOpenAI() as fake:
        fake.script(Reply(status=503), answer_json("……[1]", [("unit:id", "exact words")]))
        settings = Settings(llm_base_url=fake.base_url, llm_model=fake.model, ...)

Without a scripted reply the server answers by itself: a factor-extraction request gets six
``unknown`` factors, an answer request a grounded answer quoting the first units it was given, so
a whole evaluation runs against it. Run it alone with ``python -m tests.fakes.openai_server --port N``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from assistant.embedder import HashingEmbedder
from assistant.llm.prompts import FACTORS_TASK, UNIT_BLOCK

_SENTENCE = re.compile(r"[^。；;！？!?\n]{6,60}")


@dataclass
class Reply:
    """One scripted reply. With no ``content`` the server's own responder writes the text."""

    content: str | None = None  # the assistant message: a JSON answer or any raw string
    status: int | None = None  # reply with this HTTP status and an OpenAI-style error body
    delay: float = 0.0  # seconds to wait before replying (a slow or hanging endpoint)
    malformed: bool = False  # a 200 whose body is not JSON
    cut_after: int | None = None  # streaming: drop the connection after this many chunks
    stall_after: int | None = None  # streaming: stop sending (connection left open) after this many
    match: str | None = None  # only for a request whose messages contain this text
    retry_after: float | None = None  # a Retry-After header (with a status)
    chunk_chars: int = 6  # streaming: characters per chunk
    trickle: float = 0.0  # seconds between pieces: a model sending a token at a time, slowly (a plain
    # reply's JSON body is trickled too, ``chunk_chars`` bytes at a time)


def answer_json(answer: str, citations: list[tuple[str, str]]) -> str:
    """The model-side answer format: {"answer": …, "citations": [{"id", "quote"}]}."""
    cited = [{"id": unit_id, "quote": quote} for unit_id, quote in citations]
    return json.dumps({"answer": answer, "citations": cited}, ensure_ascii=False)


def factors_json(**values: str | tuple[str, str]) -> str:
    """A factor-extraction reply: each factor a value, or (value, evidence); the rest unknown."""
    names = ("motive", "intent", "basis", "process", "consequence", "remedy")
    out: dict[str, dict[str, str]] = {}
    for name in names:
        given = values.get(name, "unknown")
        value, evidence = given if isinstance(given, tuple) else (given, "")
        out[name] = {"value": value, "evidence": evidence}
    return json.dumps(out, ensure_ascii=False)


def message_text(body: dict[str, Any]) -> str:
    """Every message's text of a chat request, joined."""
    parts: list[str] = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "\n".join(parts)


def given_units(text: str) -> list[tuple[str, str]]:
    """The (id, text) of each unit block in a prompt, in order."""
    return [(m.group("id"), m.group("text")) for m in UNIT_BLOCK.finditer(text)]


def grounded_reply(body: dict[str, Any]) -> str:
    """The default responder: unknown factors, or an answer quoting the first three given units."""
    text = message_text(body)
    if FACTORS_TASK in text:
        return factors_json()
    citations: list[tuple[str, str]] = []
    for unit_id, unit_text in given_units(text)[:3]:
        sentence = _SENTENCE.search(unit_text)
        citations.append((unit_id, sentence.group(0) if sentence else unit_text))
    marks = "".join(f"[{i}]" for i in range(1, len(citations) + 1))
    return answer_json(f"根据所提供的条文{marks}，结合所述情况说明如下。具体以原文为准。", citations)


class FakeOpenAI:
    """The server, run by uvicorn in a daemon thread on a free 127.0.0.1 port."""

    def __init__(
        self, model: str = "fake-model", responder: Callable[[dict[str, Any]], str] = grounded_reply
    ) -> None:
        self.model = model
        self.responder = responder
        self.requests: list[dict[str, Any]] = []  # {"path", "headers", "body"} of every request
        self.sending = 0  # replies still being sent (their connection open): a client that gave up
        # on one must have closed it
        self._script: list[Reply] = []
        self._default = Reply()  # used when no scripted reply matches (see ``always``)
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.app = self._build()

    # -- control -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Queue replies (a string is a plain content reply); each is used once, in order."""
        with self._lock:
            self._script.extend(r if isinstance(r, Reply) else Reply(content=r) for r in replies)

    def always(self, reply: Reply) -> None:
        """Answer every request without a scripted reply with ``reply`` (a fault, for load tests)."""
        with self._lock:
            self._default = reply

    def clear(self) -> None:
        """Forget queued replies, the default fault and recorded requests."""
        with self._lock:
            self._script.clear()
            self._default = Reply()
            self.requests.clear()

    def chat_requests(self) -> list[dict[str, Any]]:
        """The bodies of the chat requests received, oldest first."""
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def start(self, port: int = 0) -> FakeOpenAI:
        """Start serving; returns when the server accepts connections."""
        import socket

        if not port:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
        self.port = port
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=port, log_level="critical", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.time() + 20
        while not self._server.started and time.time() < deadline:
            time.sleep(0.02)
        if not self._server.started:
            raise RuntimeError("fake OpenAI server did not start")
        return self

    def stop(self) -> None:
        """Stop serving (open streams are abandoned)."""
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- serving -----------------------------------------------------------------------------
    def _next(self, text: str) -> Reply:
        with self._lock:
            for i, reply in enumerate(self._script):
                if reply.match is None or reply.match in text:
                    return self._script.pop(i)
            return self._default

    def _build(self) -> FastAPI:
        app = FastAPI()
        embedder = HashingEmbedder(dim=64)

        @app.get("/v1/models")
        async def models() -> dict[str, Any]:
            return {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "fake"}]}

        @app.post("/v1/embeddings")
        async def embeddings(request: Request) -> dict[str, Any]:
            body = await request.json()
            self.requests.append({"path": "/v1/embeddings", "headers": dict(request.headers), "body": body})
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            vectors = embedder.embed([str(t) for t in texts])
            data = [
                {"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)
            ]
            return {"object": "list", "data": data, "model": body.get("model", self.model), "usage": _usage()}

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Response:
            body = await request.json()
            self.requests.append(
                {"path": "/v1/chat/completions", "headers": dict(request.headers), "body": body}
            )
            reply = self._next(message_text(body))
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.status:
                headers = {"retry-after": str(reply.retry_after)} if reply.retry_after else {}
                error = {"error": {"message": f"scripted {reply.status}", "type": "fake", "code": None}}
                return JSONResponse(error, status_code=reply.status, headers=headers)
            if reply.malformed:
                return Response('{"id": "chatcmpl-x", "choices": [', media_type="application/json")
            content = reply.content if reply.content is not None else self.responder(body)
            if body.get("stream"):
                chunks = self._sending(self._chunks(content, reply))
                return StreamingResponse(chunks, media_type="text/event-stream")
            if reply.trickle:
                whole = json.dumps(self._completion(content), ensure_ascii=False)
                return StreamingResponse(
                    self._sending(self._slowly(whole, reply)), media_type="application/json"
                )
            return JSONResponse(self._completion(content))

        return app

    async def _sending(self, pieces: AsyncIterator[str]) -> AsyncIterator[str]:
        """Count the reply as being sent until it ends or the client goes away."""
        self.sending += 1
        try:
            async for piece in pieces:
                yield piece
        finally:
            self.sending -= 1

    async def _slowly(self, text: str, reply: Reply) -> AsyncIterator[str]:
        size = max(1, reply.chunk_chars)
        for i in range(0, len(text), size):
            yield text[i : i + size]
            await asyncio.sleep(reply.trickle)

    def _completion(self, content: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": _usage(),
        }

    async def _chunks(self, content: str, reply: Reply) -> AsyncIterator[str]:
        size = max(1, reply.chunk_chars)
        pieces = [content[i : i + size] for i in range(0, len(content), size)]
        for n, piece in enumerate(pieces):
            if reply.cut_after is not None and n >= reply.cut_after:
                raise ConnectionAbortedError("scripted mid-stream disconnect")
            if reply.stall_after is not None and n >= reply.stall_after:
                await asyncio.sleep(3600)
            yield "data: " + json.dumps(self._chunk({"content": piece}, None), ensure_ascii=False) + "\n\n"
            await asyncio.sleep(reply.trickle)
        yield "data: " + json.dumps(self._chunk({}, "stop")) + "\n\n"
        yield "data: [DONE]\n\n"

    def _chunk(self, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "delta": {"role": "assistant", **delta}, "finish_reason": finish}],
        }


def _usage() -> dict[str, int]:
    return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


def main() -> None:
    """Serve in the foreground (for running ``assistant eval`` against it by hand)."""
    parser = argparse.ArgumentParser(description="fake OpenAI-compatible server on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    fake = FakeOpenAI().start(args.port)
    print(f"fake OpenAI-compatible server at {fake.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
