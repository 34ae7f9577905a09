"""The WeChat Work app end to end: real encryption both ways (WeChat's side written independently of
wechatpy), the app over real HTTP, answers pushed to a fake WeChat Work API on 127.0.0.1."""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assistant.pipeline import Assistant, Conversation
from assistant.server import audit_path, create_app
from assistant.settings import Settings
from assistant.wecom.callback import ACK, NOT_TEXT
from assistant.wecom.format import size
from tests.fakes.wecom_crypto import WeComPeer, reply_content
from tests.fakes.wecom_server import FakeWeCom, fake_wecom
from tests.serving import running

pytestmark = pytest.mark.integration
CORP, SECRET, TOKEN, AGENT = "ww-test-corp", "app-secret-7d1e", "cb-token-93af", "1000002"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")
NEEDS_FACTS = "我们镇去年为了赶工期没招标直接找了一家公司修路，能不能从轻"
THE_FACTS = "是班子集体研究决定的，事先没有明确禁止，事后及时补办了手续"
_PART = re.compile(r"^（(\d+)/(\d+)）")


class SlowAssistant:
    """An assistant that needs longer than WeChat's 5-second window allows (scaled down for the test)."""

    def __init__(self, inner: Assistant, delay: float) -> None:
        self._inner, self._delay = inner, delay

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def converse(self, conversation: Conversation, started: float | None = None) -> Any:
        time.sleep(self._delay)
        return self._inner.converse(conversation)


@dataclass
class WeComRig:
    url: str
    fake: FakeWeCom
    peer: WeComPeer
    settings: Settings

    def post(self, user: str, content: str, msg_id: str, plain: str | None = None) -> httpx.Response:
        timestamp, nonce = str(int(time.time())), f"n{msg_id}"
        body, signature = self.peer.envelope(
            plain or self.peer.text_message(user, content, msg_id), timestamp, nonce
        )
        query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
        return httpx.post(self.url + "/wecom/callback", params=query, content=body.encode(), timeout=10)

    def passive(self, response: httpx.Response) -> str | None:
        """The decrypted passive reply's text, or None for an empty reply."""
        assert response.status_code == 200, response.text
        if not response.text:
            return None
        return reply_content(self.peer.open_reply(response.text))

    def pushed(self, user: str, start: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """The messages pushed to ``user`` from index ``start`` on, once a whole answer (all parts) is in."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            mine = [m for m in self.fake.sent[start:] if m["touser"] == user]
            if mine:
                content = mine[-1][mine[-1]["msgtype"]]["content"]
                m = _PART.match(content)
                if m is None or m.group(1) == m.group(2):
                    return mine
            time.sleep(0.05)
        raise AssertionError(f"no complete answer pushed to {user}")

    def answer(self, user: str, content: str, msg_id: str) -> str:
        """Send a message; return its answer, whether it came back passively or was pushed."""
        start = len(self.fake.sent)
        passive = self.passive(self.post(user, content, msg_id))
        if passive is not None:
            return passive
        return "".join(m[m["msgtype"]]["content"] for m in self.pushed(user, start))


def _rig(settings: Settings, assistant: Any, data_dir: Path, passive: float) -> Iterator[WeComRig]:
    with fake_wecom(CORP, SECRET) as (fake, api_base):
        own = settings.model_copy(
            update={
                "data_dir": data_dir,
                "wecom_corp_id": CORP,
                "wecom_agent_id": AGENT,
                "wecom_secret": SECRET,
                "wecom_token": TOKEN,
                "wecom_aes_key": AES_KEY,
                "wecom_api_base": api_base,
                "wecom_passive_seconds": passive,
                "api_token": "api-token-should-not-leak",
            }
        )
        with running(create_app(own, assistant)) as url:
            yield WeComRig(url, fake, WeComPeer(TOKEN, AES_KEY, CORP), own)


@pytest.fixture(scope="module")
def rig(
    settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WeComRig]:
    yield from _rig(settings, assistant, tmp_path_factory.mktemp("wecom"), passive=3.0)


@pytest.fixture()
def slow_rig(settings: Settings, assistant: Assistant, tmp_path: Path) -> Iterator[WeComRig]:
    yield from _rig(settings, SlowAssistant(assistant, 1.5), tmp_path, passive=0.3)


def test_url_verification(rig: WeComRig) -> None:
    timestamp, nonce = "1700000000", "abc"
    echo = rig.peer.encrypt("echo-1234567890")
    query = {
        "msg_signature": rig.peer.signature(timestamp, nonce, echo),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    response = httpx.get(rig.url + "/wecom/callback", params={**query, "echostr": echo})
    assert response.status_code == 200 and response.text == "echo-1234567890"
    bad = httpx.get(rig.url + "/wecom/callback", params={**query, "msg_signature": "0" * 40, "echostr": echo})
    assert bad.status_code == 403 and bad.json()["error"]["code"] == "bad_signature"
    missing = httpx.get(rig.url + "/wecom/callback", params={"echostr": echo})
    assert missing.status_code == 403 and missing.json()["error"]["code"] == "bad_signature"


@pytest.mark.parametrize(
    "content",
    [b"", b"not xml", b"<xml><Encrypt>AAAA</Encrypt></xml>", b"<xml></xml>", b"<xml><Encrypt>", b"\xff\xfe"],
)
def test_bad_callbacks_are_json_errors(rig: WeComRig, content: bytes) -> None:
    query = {"msg_signature": "0" * 40, "timestamp": "1", "nonce": "n"}
    response = httpx.post(rig.url + "/wecom/callback", params=query, content=content)
    assert 400 <= response.status_code < 500 and response.json()["error"]["code"] == "bad_signature"


def test_well_signed_garbage_is_refused(rig: WeComRig) -> None:
    garbage = base64.b64encode(os.urandom(48)).decode()
    timestamp, nonce = "1700000000", "abc"
    body = f"<xml><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>"
    query = {
        "msg_signature": rig.peer.signature(timestamp, nonce, garbage),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    response = httpx.post(rig.url + "/wecom/callback", params=query, content=body)
    assert response.status_code == 403 and response.json()["error"]["code"] == "bad_signature"


def test_short_answer_comes_back_passively(rig: WeComRig) -> None:
    before = len(rig.fake.sent)
    text = rig.passive(rig.post("lisi", "今天天气怎么样", "2001"))
    assert text is not None and text.startswith("【超出范围】")
    assert len(rig.fake.sent) == before  # nothing pushed


def test_two_turn_conversation_through_the_api(rig: WeComRig) -> None:
    start = len(rig.fake.sent)
    assert rig.passive(rig.post("zhangsan", NEEDS_FACTS, "1001")) is None  # long: pushed instead
    first = rig.pushed("zhangsan", start)
    for m in first:
        assert m["msgtype"] == "markdown" and m["agentid"] == int(AGENT)
        assert size(m["markdown"]["content"]) <= 2048
    first_text = "".join(m["markdown"]["content"] for m in first)
    assert "需补充事实" in first_text and "请补充" in first_text and "[1] 《" in first_text

    second = rig.answer("zhangsan", THE_FACTS, "1002")
    assert "可以容错" in second and "赶工期" in second  # the first turn's facts were weighed

    assert "重新开始" in (rig.passive(rig.post("zhangsan", "重新开始", "1003")) or "")
    # No secret reached the audit log; every answer did.
    from assistant.audit import AuditLog

    rows = [r for r in AuditLog(audit_path(rig.settings)).recent() if r.user_id == "zhangsan"]
    assert [r.verdict for r in rows] == ["tolerable", "needs_more_facts"] and rows[0].channel == "wecom"
    stored = b"".join(p.read_bytes() for p in rig.settings.data_dir.glob("*.sqlite3*"))
    for secret in (SECRET, TOKEN, AES_KEY, "api-token-should-not-leak", "TOKEN-1"):
        assert secret.encode() not in stored


def test_non_text_and_events(rig: WeComRig) -> None:
    image = rig.peer.text_message("wangwu", "x", "3001").replace("[text]", "[image]")
    assert rig.passive(rig.post("wangwu", "", "3001", plain=image)) == NOT_TEXT
    event = (
        f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[wangwu]]></FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[enter_agent]]></Event><AgentID>1000002</AgentID></xml>"
    )
    assert rig.passive(rig.post("wangwu", "", "3002", plain=event)) is None


def test_expired_token_is_refreshed_and_the_send_retried(rig: WeComRig) -> None:
    start, issued = len(rig.fake.sent), len(rig.fake.tokens_issued)
    rig.fake.reject_next_send = 42001
    assert rig.passive(rig.post("zhaoliu", NEEDS_FACTS, "4001")) is None
    pushed = rig.pushed("zhaoliu", start)
    assert len(rig.fake.tokens_issued) == max(issued, 1) + 1
    assert pushed[-1]["access_token"] == rig.fake.tokens_issued[-1]


def test_slow_answer_is_acknowledged_then_pushed_once_despite_retries(slow_rig: WeComRig) -> None:
    started = time.perf_counter()
    first = slow_rig.post("sunqi", "三个区分开来具体是哪三个？", "5001")
    assert time.perf_counter() - started < 4.5  # inside WeChat's 5 seconds
    assert slow_rig.passive(first) == ACK
    for _ in range(2):  # WeChat's retries of the same MsgId
        assert slow_rig.passive(slow_rig.post("sunqi", "三个区分开来具体是哪三个？", "5001")) is None
    answer = slow_rig.pushed("sunqi", 0)
    time.sleep(2.0)  # long enough for a duplicate answer to have arrived
    assert [m["touser"] for m in slow_rig.fake.sent] == ["sunqi"] * len(answer)
    assert "知识问答" in answer[0]["markdown"]["content"]


def test_not_configured_is_a_json_404(settings: Settings, assistant: Assistant, tmp_path: Path) -> None:
    own = settings.model_copy(update={"data_dir": tmp_path})
    with running(create_app(own, assistant)) as url:
        response = httpx.post(url + "/wecom/callback?msg_signature=a&timestamp=1&nonce=n", content=b"<xml/>")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_configured"


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=300), signature=st.text(max_size=50), timestamp=st.text(max_size=12))
def test_no_callback_input_makes_a_500(rig: WeComRig, raw: bytes, signature: str, timestamp: str) -> None:
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": "n", "echostr": signature}
    for method in ("GET", "POST"):
        response = httpx.request(method, rig.url + "/wecom/callback", params=query, content=raw)
        assert response.status_code < 500 and response.json()["error"]["code"] == "bad_signature"


def _post_at(rig: WeComRig, user: str, content: str, msg_id: str, timestamp: str) -> httpx.Response:
    nonce = f"n{msg_id}"
    body, signature = rig.peer.envelope(rig.peer.text_message(user, content, msg_id), timestamp, nonce)
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
    return httpx.post(rig.url + "/wecom/callback", params=query, content=body.encode(), timeout=10)


@pytest.mark.parametrize(
    "timestamp",
    [
        "978307200",  # 2001, correctly signed: a captured request replayed
        "-310",  # seconds from now (taken when the test runs)
        "+400",  # from the future
        "soon",  # signed, but not a time at all
    ],
)
def test_a_message_whose_timestamp_is_off_is_refused(rig: WeComRig, timestamp: str) -> None:
    if timestamp[0] in "+-":
        timestamp = str(int(time.time()) + int(timestamp))
    start = len(rig.fake.sent)
    response = _post_at(rig, "replayer", "今天天气怎么样", str(abs(hash(timestamp)) % 10**9), timestamp)
    assert response.status_code == 403 and response.json()["error"]["code"] == "stale_message"
    assert "5 分钟" in response.json()["error"]["message"]
    time.sleep(0.3)
    assert len(rig.fake.sent) == start  # nothing answered


def test_a_message_a_few_minutes_old_is_answered(rig: WeComRig) -> None:
    response = _post_at(rig, "lisi", "今天天气怎么样", "6001", str(int(time.time()) - 240))
    text = rig.passive(response)
    assert text is not None and text.startswith("【超出范围】")


def test_ids_outlive_the_timestamp_window_so_a_replay_is_refused(tmp_path: Path) -> None:
    from assistant.wecom.dedupe import REPLAY_WINDOW_SECONDS, TTL_SECONDS, MessageDedupe

    dedupe = MessageDedupe(tmp_path / "state.sqlite3")
    sent = 1_800_000_000.0
    # First seen at the earliest moment the message is accepted; replayed at the latest.
    assert dedupe.first_time("m-1", now=sent - REPLAY_WINDOW_SECONDS)
    assert not dedupe.first_time("m-1", now=sent + REPLAY_WINDOW_SECONDS)
    assert TTL_SECONDS > 2 * REPLAY_WINDOW_SECONDS


def test_a_signed_message_with_a_malformed_id_is_a_400(rig: WeComRig) -> None:
    response = _post_at(rig, "lisi", "今天天气怎么样", "not-a-number", str(int(time.time())))
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_input"


def test_a_part_that_fails_once_is_sent_again(rig: WeComRig) -> None:
    start = len(rig.fake.sent)
    rig.fake.fail_sends = [-1]  # the system is busy, once
    assert rig.passive(rig.post("zhouba", NEEDS_FACTS, "7001")) is None
    text = "".join(m["markdown"]["content"] for m in rig.pushed("zhouba", start))
    assert "需补充事实" in text and "[1] 《" in text  # the whole answer arrived


def test_the_user_is_told_when_the_push_fails(rig: WeComRig) -> None:
    start = len(rig.fake.sent)
    rig.fake.fail_sends = [-1, -1]  # the first part, and its second try
    assert rig.passive(rig.post("wujiu", NEEDS_FACTS, "7002")) is None
    deadline = time.time() + 10
    mine: list[dict[str, Any]] = []
    while time.time() < deadline and not mine:
        mine = [m for m in rig.fake.sent[start:] if m["touser"] == "wujiu"]
        time.sleep(0.05)
    assert mine and mine[0]["msgtype"] == "text"
    assert "未能发送完整" in mine[0]["text"]["content"] and "重新提问" in mine[0]["text"]["content"]


def test_a_numbered_reply_completes_the_case_and_a_named_one_corrects_it(rig: WeComRig) -> None:
    start = len(rig.fake.sent)
    assert rig.passive(rig.post("qianshi", NEEDS_FACTS, "8001")) is None
    first = "".join(m["markdown"]["content"] for m in rig.pushed("qianshi", start))
    # Conclusion first, then the numbered follow-ups with the replies that answer them.
    assert first.index("还要看") < first.index("1. 这件事是集体研究决定") < first.index("六个方面")
    assert "“1 是”=是集体研究的" in first and "“1 否”=是个人决定的" in first
    assert first.count("“由于时间紧迫") <= 1  # each quote once

    second = rig.answer("qianshi", "1 是", "8002")
    assert "可以容错" in second
    assert "根据您的更正：决策过程改为集体研究，研判由需补充事实变为可以容错。" in second
    assert "决策过程：集体研究（您已确认）" in second

    third = rig.answer("qianshi", "动机：谋私", "8003")  # the verdict given, the reading corrected
    assert (
        "根据您的更正：动机改为谋私，研判由可以容错变为" in third and "可以容错" not in third.split("\n")[0]
    )

    fourth = rig.answer("qianshi", "1 是", "8004")  # nothing numbered is open: a plain sentence
    assert "根据您的更正" not in fourth

    from assistant.audit import AuditLog

    rows = [r for r in AuditLog(audit_path(rig.settings)).corrections() if r.user_id == "qianshi"]
    # Each answer's row lists the corrections it rests on: the second one, then both for the third.
    assert {(r.channel, r.factor, r.value, r.status) for r in rows} == {
        ("wecom", "motive", "private", "applied"),
        ("wecom", "process", "collective", "applied"),
    }
    assert len(rows) == 3
