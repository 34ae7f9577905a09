"""Run an ASGI app with uvicorn on a free 127.0.0.1 port for the length of a test (real HTTP)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from assistant.http.protocol import HTTP_PROTOCOL
from tests.conftest import free_port


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve ``app`` in a thread; yield its base URL; stop it (waiting for background tasks) after."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", http=HTTP_PROTOCOL)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started and time.time() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the server thread died before it started")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
