"""The WeChat Work active message API: access token (cached, refreshed before expiry) and message/send."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from assistant.errors import UpstreamError
from assistant.settings import Settings

log = logging.getLogger("assistant.wecom")
# 40014 invalid token, 42001 token expired, 40001 invalid secret/token: fetch a new token, retry once.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
REFRESH_MARGIN_SECONDS = 300.0
TIMEOUT_SECONDS = 10.0


class WeComClient:
    """Sends app messages to users; one per worker, the token shared by its requests."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._http = http
        self._token: str | None = None
        self._expires_at = 0.0  # monotonic time at which the token must no longer be used
        self._lock = asyncio.Lock()
        self.token_fetches = 0

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.settings.wecom_api_base, timeout=TIMEOUT_SECONDS)
        return self._http

    async def close(self) -> None:
        """Close the HTTP client."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def access_token(self) -> str:
        """A valid access token, fetched when absent or about to expire."""
        async with self._lock:  # one fetch at a time: concurrent senders share its result
            if self._token is None or time.monotonic() >= self._expires_at:
                data = await self._get(
                    "/cgi-bin/gettoken",
                    {"corpid": self.settings.wecom_corp_id, "corpsecret": self.settings.wecom_secret},
                )
                lifetime = float(data.get("expires_in", 7200))
                # Refresh early: a token that expires between fetch and use fails the send.
                margin = min(REFRESH_MARGIN_SECONDS, lifetime / 5)
                self._token = str(data["access_token"])
                self._expires_at = time.monotonic() + lifetime - margin
                self.token_fetches += 1
            return self._token

    def invalidate(self) -> None:
        """Forget the token (WeChat said it is invalid or expired)."""
        self._token = None

    async def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client().get(path, params=params)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise UpstreamError(f"企业微信接口不可用：{type(exc).__name__}") from exc
        if not isinstance(data, dict) or data.get("errcode", 0) != 0:
            raise UpstreamError(f"企业微信获取令牌失败：{_describe(data)}")
        return data

    async def send(self, user_id: str, content: str, markdown: bool) -> None:
        """Send one message to one user of the app; a stale token is refreshed and the send retried once."""
        kind = "markdown" if markdown else "text"
        payload = {
            "touser": user_id,
            "msgtype": kind,
            "agentid": int(self.settings.wecom_agent_id or 0),
            kind: {"content": content},
            "safe": 0,
        }
        for attempt in (1, 2):
            token = await self.access_token()
            try:
                response = await self._client().post(
                    "/cgi-bin/message/send", params={"access_token": token}, json=payload
                )
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise UpstreamError(f"企业微信发送消息失败：{type(exc).__name__}") from exc
            errcode = data.get("errcode", -1) if isinstance(data, dict) else -1
            if errcode == 0:
                return
            if errcode in TOKEN_ERRORS and attempt == 1:
                self.invalidate()
                continue
            raise UpstreamError(f"企业微信发送消息失败：{_describe(data)}")


def _describe(data: Any) -> str:
    if isinstance(data, dict):
        return f"errcode={data.get('errcode')} errmsg={data.get('errmsg')}"
    return "非 JSON 应答"
