"""Deadlines and bounded retries for calls to a chat endpoint.

The client's own retries are off (``max_retries=0``): retries happen here, bounded by a deadline, so
that a whole answer (every attempt, every backoff) never runs past ``ASSISTANT_LLM_TIMEOUT``. Each
call also runs in a daemon thread that is abandoned at the deadline: an HTTP timeout bounds one read,
not a server that trickles bytes, and a user must not wait for either. The abandoned call is cut on the
wire at the same deadline (``transport.py``), so its thread and connection end with it.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import httpx
import openai

from assistant.errors import UpstreamError
from assistant.llm.transport import CALL_DEADLINE

T = TypeVar("T")
BACKOFF_SECONDS = 0.25  # first wait; doubled per retry, never past the deadline
MARGIN = 0.05  # an attempt that cannot get this long is not worth starting

# Why an endpoint failed, as a user is told (Answer.notes).
REASONS = {
    "timeout": "超时",
    "rate_limit": "请求过多（429）",
    "server": "服务端错误（5xx）",
    "malformed": "返回内容无法解析",
    "connection": "无法连接",
    "cut": "连接中途断开",
    "rejected": "请求被拒绝",
    "stream": "输出中途中断",
}
RETRYABLE = frozenset({"rate_limit", "server", "malformed", "connection", "cut", "timeout"})
# The endpoint answered, then the connection broke (the server dropped it, a proxy cut it): not the
# same as no connection at all, and a user (or an operator reading the notes) should be told which.
_CUT = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class LLMUnavailable(UpstreamError):
    """The chat endpoint failed (after the retries the deadline allowed). ``reason`` is a REASONS key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"大模型服务{REASONS.get(reason, reason)}" + (f"：{detail}" if detail else ""))
        self.reason = reason


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it was raised from (the client wraps httpx's errors in its own)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 8:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def classify(exc: BaseException) -> str:
    """The REASONS key of an exception raised by a chat call."""
    if isinstance(exc, LLMUnavailable):
        return exc.reason
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return "cut" if any(isinstance(e, _CUT) for e in _causes(exc)) else "connection"
    if isinstance(exc, openai.RateLimitError):
        return "rate_limit"
    if isinstance(exc, openai.APIStatusError):
        return "server" if exc.status_code >= 500 else "rejected"
    return "malformed"  # a body that is not JSON, or not the shape of a completion


def _retry_after(exc: BaseException) -> float:
    response = getattr(exc, "response", None)
    try:
        return float(response.headers.get("retry-after", 0)) if response is not None else 0.0
    except ValueError:
        return 0.0


@contextlib.contextmanager
def no_tracing() -> Iterator[None]:
    """Keep LangSmith tracing off whatever the environment says: a conversation goes to the endpoint only."""
    try:
        from langsmith import tracing_context
    except ImportError:  # pragma: no cover - langsmith comes with langchain-core
        yield
        return
    with tracing_context(enabled=False):
        yield


def before(deadline: float, call: Callable[[], T]) -> T:
    """``call()`` in a daemon thread; raise LLMUnavailable("timeout") if it is not done by the deadline."""
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def run() -> None:
        CALL_DEADLINE.set(deadline)  # the transport cuts the call there, so this thread ends with it
        try:
            with no_tracing():
                box.put((True, call()))
        except BaseException as exc:  # handed to the caller's thread as is
            box.put((False, exc))

    threading.Thread(target=run, daemon=True, name="llm-call").start()
    try:
        ok, value = box.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise LLMUnavailable("timeout") from None
    if ok:
        return cast(T, value)
    raise value


def _backoff(exc: BaseException, n: int, deadline: float) -> None:
    """Wait before retry ``n + 1``, or re-raise as LLMUnavailable if the wait would pass the deadline."""
    reason = classify(exc)
    wait = max(BACKOFF_SECONDS * 2**n, _retry_after(exc))
    if reason not in RETRYABLE or time.monotonic() + wait + MARGIN >= deadline:
        raise LLMUnavailable(reason, type(exc).__name__) from exc
    time.sleep(wait)


def retrying(attempt: Callable[[float], T], deadline: float, retries: int) -> T:
    """``attempt(seconds_left)`` until it succeeds, at most ``retries`` more times, with backoff.

    Only transient faults are retried (timeout, 429, 5xx, a malformed body, a refused connection);
    a 4xx is final. No wait runs past the deadline; a Retry-After longer than what is left ends it.
    """
    for n in range(retries + 1):
        left = deadline - time.monotonic()
        if left < MARGIN:
            raise LLMUnavailable("timeout")
        try:
            return before(deadline, functools.partial(attempt, left))
        except Exception as exc:
            if n == retries:
                raise LLMUnavailable(classify(exc), type(exc).__name__) from exc
            _backoff(exc, n, deadline)
    raise LLMUnavailable("timeout")  # pragma: no cover - the loop always returns or raises


def retrying_stream(
    open_stream: Callable[[float], Iterator[Any]], deadline: float, retries: int
) -> Iterator[str]:
    """The text pieces of a streamed reply. Opening is retried like ``retrying`` until the first piece
    arrives; after that a failure raises LLMUnavailable("stream") (or "timeout"): text was shown."""
    for n in range(retries + 1):
        pieces = _threaded(open_stream, deadline)
        try:
            first = next(pieces, None)
        except LLMUnavailable as exc:
            if n == retries or exc.reason == "timeout":
                raise
            _backoff(exc, n, deadline)
            continue
        if first is not None:
            yield first
            try:
                yield from pieces
            except LLMUnavailable as exc:
                raise LLMUnavailable("timeout" if exc.reason == "timeout" else "stream") from exc
        return


def _threaded(open_stream: Callable[[float], Iterator[Any]], deadline: float) -> Iterator[str]:
    """Pieces of a stream read in a daemon thread, so a stalled stream ends at the deadline."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def produce() -> None:
        CALL_DEADLINE.set(deadline)
        try:
            with no_tracing():
                for chunk in open_stream(max(MARGIN, deadline - time.monotonic())):
                    if stop.is_set():
                        return  # leaving the loop closes the response
                    if isinstance(chunk.content, str) and chunk.content:
                        box.put(("piece", chunk.content))
            box.put(("end", None))
        except BaseException as exc:
            box.put(("error", exc))

    threading.Thread(target=produce, daemon=True, name="llm-stream").start()
    try:
        while True:
            try:
                kind, value = box.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LLMUnavailable("timeout") from None
            if kind == "end":
                return
            if kind == "error":
                raise LLMUnavailable(classify(value), type(value).__name__) from value
            yield value
    finally:
        stop.set()
