"""A fake WeChat Work API on 127.0.0.1: /cgi-bin/gettoken and /cgi-bin/message/send, recording calls."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class FakeWeCom:
    """What the fake was asked, and how it should behave."""

    corp_id: str
    secret: str
    expires_in: int = 7200
    reject_next_send: int | None = None  # an errcode to answer the next send with (42001: expired)
    fail_sends: list[int] = field(default_factory=list)  # errcodes for the next sends, one each (-1: busy)
    tokens_issued: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # message bodies, with "access_token"
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Block until ``count`` messages have been sent (or time out); return them."""
        deadline = time.time() + timeout
        with self._changed:
            while len(self.sent) < count and time.time() < deadline:
                self._changed.wait(timeout=0.1)
            return list(self.sent)

    def handle(self, path: str, query: dict[str, str], body: Any) -> dict[str, Any]:
        if path == "/cgi-bin/gettoken":
            if query.get("corpid") != self.corp_id or query.get("corpsecret") != self.secret:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"TOKEN-{len(self.tokens_issued) + 1}"
            self.tokens_issued.append(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in}
        if path == "/cgi-bin/message/send":
            if query.get("access_token") not in self.tokens_issued[-1:]:
                return {"errcode": 40014, "errmsg": "invalid access_token"}
            if self.reject_next_send is not None:
                code, self.reject_next_send = self.reject_next_send, None
                return {"errcode": code, "errmsg": "access_token expired"}
            if self.fail_sends:
                return {"errcode": self.fail_sends.pop(0), "errmsg": "system busy"}
            with self._changed:
                self.sent.append({**body, "access_token": query["access_token"]})
                self._changed.notify_all()
            return {"errcode": 0, "errmsg": "ok", "invaliduser": ""}
        return {"errcode": 404, "errmsg": "no such api"}


@contextmanager
def fake_wecom(corp_id: str, secret: str, **options: Any) -> Iterator[tuple[FakeWeCom, str]]:
    """Run the fake on a free loopback port; yield it and its base URL."""
    fake = FakeWeCom(corp_id, secret, **options)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: Any) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            data = json.dumps(fake.handle(url.path, query, body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self._answer(None)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            self._answer(json.loads(self.rfile.read(length) or b"null"))

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
