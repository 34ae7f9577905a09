"""An ASGI guard in front of every route: the Host check, bearer-token auth on /v1/* and the request
size limit.

Plain ASGI rather than Starlette's BaseHTTPMiddleware, which costs a task and a queue per request.
A declared Content-Length over the limit is refused before a byte of the body is read; a body sent
without one (chunked) is counted as it arrives and refused as soon as it passes the limit.
"""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.http.common import PayloadTooLarge
from assistant.http.errorshape import error_body

PROTECTED_PREFIX = "/v1/"


async def send_error(
    send: Send, status: int, code: str, message: str, extra: list[tuple[bytes, bytes]]
) -> None:
    """Send the contract's JSON error directly (no route has run)."""
    body = json.dumps(error_body(status, code, message), ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Auth and size limit; everything else passes through untouched."""

    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        max_body_bytes: int,
        allowed_hosts: frozenset[str] = frozenset(),
        path_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.max_body = max_body_bytes
        self.hosts = allowed_hosts
        # Paths whose bodies may be larger (the admin document upload); checked after the token.
        self.path_limits = path_limits or {}

    def _host_allowed(self, scope: Scope) -> bool:
        """Whether the Host header names an allowed host (any, when none are configured). A page
        served by an attacker's name that resolves to this server (DNS rebinding) names its own."""
        if not self.hosts:
            return True
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1").strip().lower()
                if host.startswith("["):  # [::1]:8000
                    host = host[1:].split("]", 1)[0]
                elif host.count(":") == 1:
                    host = host.split(":", 1)[0]
                return host in self.hosts
        return False

    def _authorised(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                # compare_digest: the time taken does not tell how much of a guess was right.
                return (
                    scheme.lower() == b"bearer"
                    and self.token is not None
                    and hmac.compare_digest(given.strip(), self.token)
                )
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._host_allowed(scope):
            await send_error(send, 400, "bad_host", "请求的主机名（Host）不在允许的列表中。", [])
            return
        if self.token and scope["path"].startswith(PROTECTED_PREFIX) and not self._authorised(scope):
            await send_error(
                send,
                401,
                "unauthorized",
                "需要有效的访问令牌（Authorization: Bearer <token>）。",
                [(b"www-authenticate", b"Bearer")],
            )
            return
        limit = self.path_limits.get(scope["path"], self.max_body)
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    too_large = int(value) > limit
                except ValueError:
                    too_large = False  # the server itself rejects a malformed length
                if too_large:
                    await send_error(send, 413, "payload_too_large", self._too_large_message(limit), [])
                    return
        await self.app(scope, self._counting(receive, limit), send)

    def _too_large_message(self, limit: int) -> str:
        return f"请求体过大（超过 {limit // 1024} KB）。"

    def _counting(self, receive: Receive, limit: int) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(self._too_large_message(limit))
            return message

        return counted
