"""The admin endpoint (POST /v1/admin/reload), refused unless a caller could only be an operator.

Without a token, anything that can reach the port may call it, including any web page the operator
opens: a browser sends a cross-site ``text/plain`` or form POST without asking (no CORS preflight).
So admin endpoints are off when no token is set (unless ASSISTANT_ADMIN_WITHOUT_TOKEN says otherwise),
and take ``application/json`` only, which a cross-site page cannot send without a preflight that is
never granted here.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assistant.errors import AssistantError, InputError, KnowledgeError
from assistant.http.common import AppContext, bool_field, error_response, read_json
from assistant.http.holder import knowledge_version

log = logging.getLogger("assistant.reload")


class AdminDisabled(AssistantError):
    """No token is set and admin endpoints were not enabled without one."""

    code = "admin_disabled"
    http_status = 403


class NotJSON(InputError):
    """A body that is not declared as JSON."""

    code = "unsupported_media_type"
    http_status = 415


def is_json(content_type: str | None) -> bool:
    """``application/json`` or ``application/…+json``, with any parameters (charset)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def check_admin_request(ctx: AppContext, request: Request) -> None:
    """Raise unless this request may reach an admin endpoint (the token itself is checked by Guard)."""
    s = ctx.settings
    if not s.api_token and not s.admin_without_token:
        raise AdminDisabled(
            "管理接口未启用：请设置 ASSISTANT_API_TOKEN（调用时带上令牌），"
            "或在可信网络中设置 ASSISTANT_ADMIN_WITHOUT_TOKEN=true。"
        )
    if not is_json(request.headers.get("content-type")):
        raise NotJSON("管理接口只接受 JSON 请求（Content-Type: application/json），例如 -d '{}'。")


def router(ctx: AppContext) -> APIRouter:
    """The admin routes, bound to one worker's context."""
    r = APIRouter()

    @r.post("/v1/admin/reload", response_model=None)
    async def reload(request: Request) -> dict[str, Any] | Response:
        """Rebuild the index if knowledge/ changed (``force`` to rebuild anyway) and swap it in
        without dropping requests; other workers follow within a second."""
        check_admin_request(ctx, request)
        raw = await request.body()
        body = await read_json(request) if raw.strip() else {}
        force = bool_field(body, "force")
        try:
            manifest = await run_in_threadpool(ctx.holder.reload, force)
        except KnowledgeError as exc:
            # Not a server fault: the files are. The old index keeps serving; say which file and line.
            serving = knowledge_version(ctx.holder.current)
            log.error(
                "reload failed, still serving %s: %s: %s", serving, exc.message, "; ".join(exc.problems)
            )
            problems = "；".join(exc.problems[:5])
            message = f"{exc.message}，未重新加载，仍在使用版本 {serving}：{problems}"
            return error_response(422, "knowledge_invalid", message)
        return {
            "status": "reloaded",
            "units": manifest.get("units"),
            "knowledge_version": manifest.get("knowledge_version"),
            "index_built_at": manifest.get("built_at"),
        }

    return r
