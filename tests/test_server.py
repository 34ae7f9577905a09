"""The HTTP service over real HTTP: health, answers, conversations, clause lookup, auth, size limits,
and a JSON error (never a 500) for every bad input."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assistant.pipeline import Assistant
from assistant.server import create_app
from assistant.settings import Settings
from tests.serving import running

pytestmark = pytest.mark.integration
TOKEN = "test-token-5f2c"
NEEDS_FACTS = "我们镇去年为了赶工期没招标直接找了一家公司修路，能不能从轻"
THE_FACTS = "是班子集体研究决定的，事先没有明确禁止，事后及时补办了手续"


@pytest.fixture(scope="module")
def base_url(
    settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    own = settings.model_copy(
        update={"data_dir": tmp_path_factory.mktemp("server-state"), "admin_without_token": True}
    )
    with running(create_app(own, assistant)) as url:
        yield url


@pytest.fixture(scope="module")
def secured_url(
    settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    own = settings.model_copy(
        update={
            "data_dir": tmp_path_factory.mktemp("secured-state"),
            "api_token": TOKEN,
            "max_body_bytes": 4096,
        }
    )
    with running(create_app(own, assistant)) as url:
        yield url


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return str(error["code"])


def test_healthz(base_url: str) -> None:
    body = httpx.get(base_url + "/healthz").json()
    assert body["status"] == "ok" and body["units"] > 100 and body["mode"] == "offline"
    assert body["knowledge_version"] and body["auth"] is False


def test_ask(base_url: str) -> None:
    response = httpx.post(
        base_url + "/v1/ask",
        json={"question": "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] in ("tolerable", "needs_more_facts") and body["citations"]
    assert body["mode"] == "offline" and body["latency_ms"] > 0


def test_ask_with_province(base_url: str) -> None:
    body = httpx.post(base_url + "/v1/ask", json={"question": "形象工程能容错吗", "province": "浙江"}).json()
    assert body["verdict"] and body["citations"]


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"", 400),
        (b"{not json", 400),
        (b"\xff\xfe\x00binary", 400),
        (b"[1, 2]", 400),
        (b"null", 400),
        (b'"just a string"', 400),
        (b"{}", 400),
        (b'{"question": 42}', 400),
        (b'{"question": ["a"]}', 400),
        (b'{"question": ""}', 400),
        (b'{"question": "   "}', 400),
        (b'{"question": "\\u0000\\u0001"}', 400),
        (b'{"question": "' + "问".encode() * 3000 + b'"}', 400),
        ('{"question": "x", "province": "火星"}'.encode(), 400),
        (b'{"question": "x", "province": 7}', 400),
        (b"[" * 100000, 413),
        (b'{"question": "' + b"a" * 70000 + b'"}', 413),
    ],
)
def test_bad_input_gets_a_json_error(base_url: str, content: bytes, status: int) -> None:
    response = httpx.post(base_url + "/v1/ask", content=content, headers={"content-type": "application/json"})
    _error(response, status)


def test_deeply_nested_json_is_a_400(base_url: str) -> None:
    response = httpx.post(base_url + "/v1/ask", content=b"[" * 20000 + b"]" * 20000)
    _error(response, 400)


def test_unknown_route_and_method(base_url: str) -> None:
    assert _error(httpx.get(base_url + "/nope"), 404) == "not_found"
    assert _error(httpx.get(base_url + "/v1/ask"), 405) == "method_not_allowed"
    for method in ("PUT", "PATCH", "OPTIONS"):
        assert _error(httpx.request(method, base_url + "/v1/ask"), 405) == "method_not_allowed"
    # A method the HTTP parser does not know never reaches the app: it still gets the JSON error.
    for method in ("BREW", "FOO"):
        response = httpx.request(method, base_url + "/v1/ask")
        assert response.headers["content-type"] == "application/json"
        assert _error(response, 400) == "bad_request"


def test_an_unparsable_request_gets_a_json_error(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
        raw = b""
        while chunk := sock.recv(4096):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head
    assert json.loads(body)["error"]["code"] == "bad_request"


def test_a_traditional_province_name_is_accepted(base_url: str) -> None:
    question = "形象工程能容错吗"
    simplified = httpx.post(base_url + "/v1/ask", json={"question": question, "province": "广东"})
    for province in ("廣東", "廣東省", " 广东 "):
        response = httpx.post(base_url + "/v1/ask", json={"question": question, "province": province})
        assert response.status_code == 200, response.text
        assert response.json()["citations"] == simplified.json()["citations"]


def test_conversation_completes_the_facts(base_url: str) -> None:
    cid = "conv-test-0001"
    first = httpx.post(
        base_url + "/v1/converse", json={"conversation_id": cid, "question": NEEDS_FACTS}
    ).json()
    assert first["verdict"] == "needs_more_facts" and first["follow_up"] and first["conversation"]["open"]
    second = httpx.post(
        base_url + "/v1/converse", json={"conversation_id": cid, "question": THE_FACTS}
    ).json()
    assert second["verdict"] == "tolerable" and second["conversation"]["open"] is False
    # The verdict weighs the first turn's facts too: its motive evidence is quoted.
    assert "赶工期" in second["answer"] and second["question"] == THE_FACTS


def test_restart_clears_the_conversation(base_url: str) -> None:
    cid = "conv-test-0003"
    httpx.post(base_url + "/v1/converse", json={"conversation_id": cid, "question": NEEDS_FACTS})
    reset = httpx.post(
        base_url + "/v1/converse", json={"conversation_id": cid, "question": "重新开始"}
    ).json()
    assert reset["reset"] is True and "重新开始" in reset["message"]
    after = httpx.post(base_url + "/v1/converse", json={"conversation_id": cid, "question": THE_FACTS}).json()
    assert "赶工期" not in after["answer"]
    httpx.post(base_url + "/v1/converse", json={"conversation_id": cid, "question": NEEDS_FACTS})
    deleted = httpx.delete(base_url + f"/v1/conversations/{cid}").json()
    assert deleted["reset"] is True and deleted["existed"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"question": "x"},
        {"conversation_id": "short", "question": "x"},
        {"conversation_id": "../../etc/passwd", "question": "x"},
        {"conversation_id": 12345678, "question": "x"},
        {"conversation_id": "conv-test-0004"},
        {"conversation_id": "conv-test-0004", "question": ""},
    ],
)
def test_converse_bad_input(base_url: str, body: dict[str, object]) -> None:
    _error(httpx.post(base_url + "/v1/converse", json=body), 400)


def test_unit_lookup(base_url: str) -> None:
    unit = httpx.get(base_url + "/v1/units/ccp-accountability-2019:17").json()
    assert "不予问责或者免予问责" in unit["text"] and unit["source"]["issuer"] == "中共中央"
    assert _error(httpx.get(base_url + "/v1/units/no-such:1"), 404) == "not_found"


def test_web_page_and_static_files(base_url: str) -> None:
    page = httpx.get(base_url + "/")
    assert page.status_code == 200 and "容错纠错政策助手" in page.text
    for name in ("app.js", "style.css"):
        assert httpx.get(f"{base_url}/web/{name}").status_code == 200
    assert _error(httpx.get(base_url + "/web/missing.js"), 404) == "not_found"


def test_token_guards_v1_only(secured_url: str) -> None:
    ask = {"question": "三个区分开来是哪三个？"}
    assert _error(httpx.post(secured_url + "/v1/ask", json=ask), 401) == "unauthorized"
    wrong = {"Authorization": "Bearer nope"}
    assert _error(httpx.post(secured_url + "/v1/ask", json=ask, headers=wrong), 401) == "unauthorized"
    basic = {"Authorization": f"Basic {TOKEN}"}
    assert _error(httpx.get(secured_url + "/v1/models", headers=basic), 401) == "unauthorized"
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.post(secured_url + "/v1/ask", json=ask, headers=good).status_code == 200
    assert httpx.get(secured_url + "/v1/models", headers=good).status_code == 200
    # Open without a token: health, the page (it asks for the token itself), the WeChat callback.
    health = httpx.get(secured_url + "/healthz").json()
    assert health["auth"] is True
    assert httpx.get(secured_url + "/").status_code == 200
    assert httpx.get(secured_url + "/wecom/callback").status_code != 401


def test_size_limit_before_and_while_reading(secured_url: str) -> None:
    good = {"Authorization": f"Bearer {TOKEN}"}
    big = b'{"question": "' + b"a" * 5000 + b'"}'
    assert _error(httpx.post(secured_url + "/v1/ask", content=big, headers=good), 413) == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"question": "'
        for _ in range(10):
            yield b"a" * 1000
        yield b'"}'

    response = httpx.post(secured_url + "/v1/ask", content=chunks(), headers=good)
    assert _error(response, 413) == "payload_too_large"
    big_callback = httpx.post(
        secured_url + "/wecom/callback?msg_signature=a&timestamp=1&nonce=n", content=big
    )
    assert _error(big_callback, 413) == "payload_too_large"


def test_audit_rows_for_answers(settings: Settings, assistant: Assistant, tmp_path: Path) -> None:
    from assistant.audit import AuditLog
    from assistant.server import audit_path

    own = settings.model_copy(update={"data_dir": tmp_path})
    with running(create_app(own, assistant)) as url:
        httpx.post(url + "/v1/ask", json={"question": "三个区分开来是哪三个？"})
        httpx.post(url + "/v1/converse", json={"conversation_id": "audit-conv-01", "question": NEEDS_FACTS})
        httpx.post(url + "/v1/ask", json={"question": ""})  # refused: no answer, no row
    rows = AuditLog(audit_path(own)).recent()
    assert [r.channel for r in rows] == ["web", "api"]
    assert rows[0].user_id == "audit-conv-01" and rows[0].verdict == "needs_more_facts"
    assert rows[1].unit_ids and rows[1].knowledge_version == assistant.kb.version


# Text with lone surrogates too (sent as JSON escapes: "\ud800"), which JSON allows and UTF-8 cannot encode.
_TEXT = st.text(max_size=40) | st.text(st.characters(exclude_categories=()), max_size=10)
_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _TEXT
_JSON = st.recursive(
    _LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_MESSAGE = st.fixed_dictionaries(
    {}, optional={"role": st.sampled_from(["user", "system", "assistant", 3]), "content": _JSON}
)
_BODY = st.fixed_dictionaries(
    {},
    optional={
        "question": _JSON,
        "province": st.sampled_from(["浙江", "", "火星", None, 1]),
        "conversation_id": st.sampled_from(["fuzz-conv-0001", "x", None, 5]),
        "messages": st.lists(_MESSAGE, max_size=3) | _JSON,
        "stream": st.booleans() | _JSON,
        "model": _TEXT,
        "user": _TEXT,
        "facts": _JSON,
        "format": st.sampled_from(["text", "docx", "pdf", None, 0]),
    },
)
_PATHS = ["/v1/ask", "/v1/converse", "/v1/chat/completions", "/v1/draft"]


@hypothesis_settings(max_examples=80, deadline=None)
@given(path=st.sampled_from(_PATHS), body=_BODY | _JSON)
def test_no_json_body_makes_a_500(base_url: str, path: str, body: object) -> None:
    content = json.dumps(body).encode()  # ASCII escapes: a lone surrogate travels as \ud800
    response = httpx.post(base_url + path, content=content, timeout=30)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["code"]
    elif response.headers["content-type"].startswith("text/event-stream"):
        assert response.text.rstrip().endswith("data: [DONE]")


_LONE = '"\\ud800"'  # the JSON text "\ud800": a lone surrogate once decoded


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask", '{"question": %s}'),
        ("/v1/ask", '{"question": "三个区分开来是哪三个？", "province": %s}'),
        ("/v1/ask", '{%s: 1, "question": "三个区分开来是哪三个？"}'),
        ("/v1/converse", '{"conversation_id": "surrogate-01", "question": %s}'),
        ("/v1/converse", '{"conversation_id": %s, "question": "x"}'),
        ("/v1/chat/completions", '{"messages": [{"role": "user", "content": %s}]}'),
        ("/v1/chat/completions", '{"stream": true, "messages": [{"role": "user", "content": %s}]}'),
        (
            "/v1/chat/completions",
            '{"stream": true, "messages": [{"role": "user", "content": "问"}], "user": %s}',
        ),
        (
            "/v1/chat/completions",
            '{"stream": true, "messages": [{"role": "user", "content": "问"}], "model": %s}',
        ),
        ("/v1/chat/completions", '{"messages": [{"role": %s, "content": "问"}]}'),
        (
            "/v1/chat/completions",
            '{"messages": [{"role": "user", "content": [{"type": "text", "text": %s}]}]}',
        ),
        ("/v1/draft", '{"facts": %s}'),
        ("/v1/draft", '{"facts": "村主任收了两万块", "format": %s}'),
        ("/v1/admin/reload", '{"force": false, "note": %s}'),
    ],
)
def test_a_lone_surrogate_in_any_field_is_a_400(base_url: str, path: str, body: str) -> None:
    headers = {"content-type": "application/json"}
    response = httpx.post(base_url + path, content=(body % _LONE).encode(), headers=headers, timeout=30)
    assert _error(response, 400) == "bad_input"
    assert "Unicode" in response.json()["error"]["message"]


@hypothesis_settings(max_examples=30, deadline=None)
@given(path=st.sampled_from(_PATHS + ["/wecom/callback"]), raw=st.binary(max_size=200))
def test_no_byte_body_makes_a_500(base_url: str, path: str, raw: bytes) -> None:
    response = httpx.post(base_url + path, content=raw, timeout=30)
    assert response.status_code < 500, response.text
