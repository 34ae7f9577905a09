"""The active message API client against the fake WeChat Work server: token cached, refreshed early."""

from __future__ import annotations

import asyncio
import time

import pytest

from assistant.errors import UpstreamError
from assistant.settings import Settings
from assistant.wecom.api import WeComClient
from tests.fakes.wecom_server import fake_wecom

pytestmark = pytest.mark.integration


def _settings(base: str, secret: str = "s3cret") -> Settings:
    return Settings(wecom_corp_id="corp", wecom_secret=secret, wecom_agent_id="1000002", wecom_api_base=base)


def test_token_is_cached_and_refreshed_before_expiry() -> None:
    with fake_wecom("corp", "s3cret", expires_in=2) as (fake, base):

        async def scenario() -> None:
            client = WeComClient(_settings(base))
            await client.send("u1", "一", markdown=False)
            await client.send("u1", "二", markdown=False)
            assert fake.tokens_issued == ["TOKEN-1"]  # cached between sends
            # Lifetime 2 s, refreshed a fifth early: at 1.7 s the token is renewed before it expires.
            await asyncio.sleep(1.7)
            await client.send("u1", "三", markdown=True)
            assert fake.tokens_issued == ["TOKEN-1", "TOKEN-2"]
            await client.close()

        asyncio.run(scenario())
    assert [m["access_token"] for m in fake.sent] == ["TOKEN-1", "TOKEN-1", "TOKEN-2"]
    assert fake.sent[2]["msgtype"] == "markdown" and fake.sent[2]["markdown"]["content"] == "三"
    assert fake.sent[0]["text"]["content"] == "一" and fake.sent[0]["agentid"] == 1000002


def test_concurrent_senders_share_one_token_fetch() -> None:
    with fake_wecom("corp", "s3cret") as (fake, base):

        async def scenario() -> None:
            client = WeComClient(_settings(base))
            await asyncio.gather(*(client.send(f"u{i}", "并发", markdown=False) for i in range(10)))
            await client.close()

        asyncio.run(scenario())
    assert fake.tokens_issued == ["TOKEN-1"] and len(fake.sent) == 10


def test_wrong_secret_and_unreachable_api_raise_upstream_errors() -> None:
    with fake_wecom("corp", "s3cret") as (_, base), pytest.raises(UpstreamError, match="40001"):
        asyncio.run(WeComClient(_settings(base, secret="wrong")).send("u", "x", markdown=False))
    started = time.perf_counter()
    with pytest.raises(UpstreamError):
        asyncio.run(WeComClient(_settings(base)).send("u", "x", markdown=False))  # the fake is gone
    assert time.perf_counter() - started < 5
