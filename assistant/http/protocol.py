"""The HTTP protocol uvicorn serves with: a request it cannot parse gets the contract's JSON error.

uvicorn answers an unparsable request itself, before any route or middleware runs, with a plain-text
``400 Invalid HTTP request received.`` The usual cause a client meets is a method the parser does not
know (``BREW /v1/ask``); methods it knows but a route does not take get the app's JSON 405.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant.http.errorshape import error_body

BAD_REQUEST = json.dumps(
    error_body(400, "bad_request", "HTTP 请求格式不正确，或使用了不支持的请求方法。"), ensure_ascii=False
).encode()


def _response(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    lines = [b"HTTP/1.1 400 Bad Request\r\n"]
    lines += [name + b": " + value + b"\r\n" for name, value in default_headers]
    lines += [
        b"content-type: application/json\r\n",
        b"content-length: " + str(len(BAD_REQUEST)).encode() + b"\r\n",
        b"connection: close\r\n\r\n",
        BAD_REQUEST,
    ]
    return b"".join(lines)


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class JSONErrorProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, answering an unparsable request with a JSON 400."""

        def send_400_response(self, msg: str) -> None:
            self.transport.write(_response(self.server_state.default_headers))
            self.transport.close()

    HTTP_PROTOCOL: type = JSONErrorProtocol
except ImportError:  # pragma: no cover - httptools comes with uvicorn[standard]; h11 otherwise

    class JSONErrorH11Protocol(H11Protocol):
        """uvicorn's h11 protocol, answering an unparsable request with a JSON 400."""

        def send_400_response(self, msg: str) -> None:
            self.transport.write(_response(self.server_state.default_headers))
            self.transport.close()

    HTTP_PROTOCOL = JSONErrorH11Protocol
