"""The HTTP service over real HTTP: health, answers, and a JSON error for every bad input."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from assistant.server import create_app
from assistant.settings import Settings
from tests.conftest import free_port


@pytest.fixture(scope="module")
def base_url(settings: Settings, assistant: object) -> Iterator[str]:
    port = free_port()
    app = create_app(settings, assistant)  # type: ignore[arg-type]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


pytestmark = pytest.mark.integration


def test_healthz(base_url: str) -> None:
    body = httpx.get(base_url + "/healthz").json()
    assert body["status"] == "ok" and body["units"] > 100 and body["mode"] == "offline"


def test_ask(base_url: str) -> None:
    response = httpx.post(
        base_url + "/v1/ask",
        json={"question": "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] in ("tolerable", "needs_more_facts") and body["citations"]


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"", 400),
        (b"{not json", 400),
        (b"\xff\xfe\x00binary", 400),
        (b"[1, 2]", 400),
        (b'{"question": 42}', 400),
        (b'{"question": ""}', 400),
        (b'{"question": "   "}', 400),
        (b'{"question": "' + "问".encode() * 3000 + b'"}', 400),
        ('{"question": "x", "province": "火星"}'.encode(), 400),
        (b'{"question": "' + b"a" * 70000 + b'"}', 400),
    ],
)
def test_bad_input_gets_a_json_error(base_url: str, content: bytes, status: int) -> None:
    response = httpx.post(base_url + "/v1/ask", content=content, headers={"content-type": "application/json"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] and error["message"]


def test_unknown_route_and_method(base_url: str) -> None:
    assert httpx.get(base_url + "/nope").json()["error"]["code"] == "not_found"
    assert httpx.get(base_url + "/v1/ask").status_code == 405
