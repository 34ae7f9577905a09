"""Admin endpoints over real HTTP: off without a token unless enabled, JSON only (no cross-site simple
POST), the Host check, and no API docs page (it would load scripts from a CDN) unless asked for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.pipeline import Assistant
from assistant.server import create_app
from assistant.settings import Settings
from tests.serving import running

pytestmark = pytest.mark.integration
TOKEN = "admin-test-token-81c3"
RELOAD = "/v1/admin/reload"


@contextmanager
def _app(settings: Settings, assistant: Assistant, tmp_path: Path, **update: Any) -> Iterator[str]:
    own = settings.model_copy(update={"data_dir": tmp_path, **update})
    with running(create_app(own, assistant)) as url:
        yield url


def _code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["code"])


def test_admin_is_off_without_a_token(settings: Settings, assistant: Assistant, tmp_path: Path) -> None:
    with _app(settings, assistant, tmp_path) as url:
        response = httpx.post(url + RELOAD, json={})
        assert _code(response, 403) == "admin_disabled"
        assert "ASSISTANT_API_TOKEN" in response.json()["error"]["message"]
        # The rest of the API is unaffected.
        assert httpx.post(url + "/v1/ask", json={"question": "三个区分开来是哪三个？"}).status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",  # what a cross-site page may send without a preflight
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
def test_admin_takes_json_only(
    settings: Settings, assistant: Assistant, tmp_path: Path, content_type: str | None
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if content_type:
        headers["Content-Type"] = content_type
    with _app(settings, assistant, tmp_path, api_token=TOKEN) as url:
        assert (
            _code(httpx.post(url + RELOAD, content=b"{}", headers=headers), 415) == "unsupported_media_type"
        )


def test_admin_with_a_token_or_enabled_without_one(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    with _app(settings, assistant, tmp_path / "a", api_token=TOKEN) as url:
        assert _code(httpx.post(url + RELOAD, json={}), 401) == "unauthorized"
        ok = httpx.post(url + RELOAD, json={}, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert ok.status_code == 200 and ok.json()["status"] == "reloaded"
    with _app(settings, assistant, tmp_path / "b", admin_without_token=True) as url:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        assert httpx.post(url + RELOAD, content=b"", headers=headers, timeout=60).status_code == 200
        assert _code(httpx.post(url + RELOAD, content=b"{}", headers={"Content-Type": "text/plain"}), 415)


def test_the_host_header_is_checked_when_hosts_are_set(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    hosts = "assistant.example.gov.cn, 127.0.0.1"
    with _app(settings, assistant, tmp_path, allowed_hosts=hosts) as url:
        assert httpx.get(url + "/healthz").status_code == 200  # 127.0.0.1:port
        named = httpx.get(url + "/healthz", headers={"Host": "Assistant.Example.gov.cn:443"})
        assert named.status_code == 200
        rebinding = httpx.get(url + "/healthz", headers={"Host": "attacker.example"})
        assert _code(rebinding, 400) == "bad_host"
        reload = httpx.post(url + RELOAD, json={}, headers={"Host": "attacker.example"})
        assert _code(reload, 400) == "bad_host"


def test_no_docs_page_unless_asked_for(settings: Settings, assistant: Assistant, tmp_path: Path) -> None:
    with _app(settings, assistant, tmp_path / "a") as url:
        assert _code(httpx.get(url + "/docs"), 404) == "not_found"
        assert _code(httpx.get(url + "/openapi.json"), 404) == "not_found"
    with _app(settings, assistant, tmp_path / "b", api_docs=True) as url:
        assert httpx.get(url + "/docs").status_code == 200
        assert httpx.get(url + "/openapi.json").json()["paths"]
