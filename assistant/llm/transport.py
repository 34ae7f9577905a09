"""The HTTP transport of chat calls: no call outlives its answer's deadline, on the wire too.

A call abandoned at the deadline (``deadline.before``) would otherwise keep its thread and its upstream
connection: an HTTP read timeout bounds the wait for each byte, not a model that trickles a token a
second, which can hold both for minutes. Here every call carries its answer's deadline (set by the
calling thread in ``CALL_DEADLINE``); waits are capped at the time left, and a response still arriving
past the deadline is cut at its next chunk, which closes the connection and ends the thread.
"""

from __future__ import annotations

import contextvars
import time
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

# The monotonic instant the current call must be over by; each calling thread sets its own.
CALL_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("call_deadline", default=None)


class _CutAtDeadline(httpx.SyncByteStream):
    """A response body that raises a read timeout at the first chunk after the deadline."""

    def __init__(self, inner: httpx.SyncByteStream, deadline: float, request: httpx.Request) -> None:
        self.inner, self.deadline, self.request = inner, deadline, request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            if time.monotonic() > self.deadline:
                raise httpx.ReadTimeout("the answer's deadline has passed", request=self.request)
            yield chunk

    def close(self) -> None:
        self.inner.close()


class DeadlineTransport(httpx.BaseTransport):
    """Wraps a transport: timeouts capped at the time left, bodies cut at the deadline."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = CALL_DEADLINE.get()
        if deadline is None:
            return self.inner.handle_request(request)
        left = max(0.01, deadline - time.monotonic())
        timeouts = dict(request.extensions.get("timeout") or {})
        request.extensions["timeout"] = {
            k: min(left, v) if isinstance(v, int | float) else left
            for k, v in {"connect": None, "read": None, "write": None, "pool": None, **timeouts}.items()
        }
        response = self.inner.handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _CutAtDeadline(response.stream, deadline, request)
        return response

    def close(self) -> None:
        self.inner.close()


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (HTTPS_PROXY, NO_PROXY …), as httpx would use it."""
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


def http_client(base_url: str, local: bool) -> httpx.Client:
    """The client chat calls go through. A model on this machine or network is reached directly,
    whatever proxy the environment names (a proxy would swallow a loopback call, and the text would
    leave the machine); a remote one through the environment's proxy, if any."""
    proxy = None if local else _proxy_for(base_url)
    return httpx.Client(transport=DeadlineTransport(httpx.HTTPTransport(proxy=proxy)), trust_env=False)
