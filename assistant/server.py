"""The HTTP service (FastAPI): every endpoint of the contract; every bad input gets a JSON error, never a 500.

``create_app`` is the uvicorn factory (``assistant serve --workers N``): each worker opens the index
that ``assistant serve`` built before starting them, read-only, and shares the audit log and the
conversation state with the others through SQLite under the data dir.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.audit import AuditLog
from assistant.conversations import ConversationStore
from assistant.errors import AssistantError
from assistant.http import admin, api, draft, ingest, openai_compat
from assistant.http.common import AppContext, error_response
from assistant.http.encoding import SafeJSONResponse
from assistant.http.guard import Guard
from assistant.http.holder import AssistantHolder
from assistant.pipeline import Assistant
from assistant.settings import Settings, get_settings
from assistant.wecom import callback
from assistant.wecom.api import WeComClient
from assistant.wecom.dedupe import MessageDedupe

log = logging.getLogger("assistant.server")
WEB_DIR = Path(__file__).resolve().parent / "web"


def audit_path(settings: Settings) -> Path:
    """Where the audit log lives."""
    return settings.data_dir / "audit.sqlite3"


def state_path(settings: Settings) -> Path:
    """Where conversation and WeChat message state live."""
    return settings.data_dir / "state.sqlite3"


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """The app; ``assistant`` may be given (tests), else each worker opens the built index."""
    settings = settings or get_settings()
    ctx = AppContext(
        settings=settings,
        holder=AssistantHolder(settings, initial=assistant),
        audit=AuditLog(audit_path(settings), settings.audit_retention_days),
        conversations=ConversationStore(state_path(settings), settings.conversation_idle_minutes * 60),
    )
    wecom = WeComClient(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """Open the index before serving; close the WeChat client after."""
        ctx.holder.current  # noqa: B018 - load (and warm) the index before the first request
        ctx.conversations.prune()
        yield
        await wecom.close()

    app = FastAPI(
        title="三个区分开来政策助手",
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=SafeJSONResponse,
        # Off by default: the Swagger page loads its scripts and styles from a public CDN.
        docs_url="/docs" if settings.api_docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.api_docs else None,
    )
    app.state.ctx = ctx
    _errors(app)
    app.include_router(api.router(ctx))
    app.include_router(openai_compat.router(ctx))
    app.include_router(draft.router(ctx))
    app.include_router(admin.router(ctx))
    app.include_router(ingest.router(ctx))
    app.include_router(callback.router(ctx, wecom, MessageDedupe(state_path(settings))))

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        """The web chat page."""
        return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
    app.add_middleware(
        Guard,
        token=settings.api_token,
        max_body_bytes=settings.max_body_bytes,
        allowed_hosts=settings.host_names,
        path_limits={ingest.UPLOAD_PATH: ingest.upload_body_limit(settings)},
    )
    return app


def _errors(app: FastAPI) -> None:
    """Map every failure to the contract's JSON error; only a real bug is a 500 (and is logged)."""

    @app.exception_handler(AssistantError)
    async def _assistant_error(_: Request, exc: AssistantError) -> SafeJSONResponse:
        param = getattr(exc, "param", None)  # set by BadParam: the request field at fault
        return error_response(exc.http_status, exc.code, exc.message, param=param)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> SafeJSONResponse:
        return error_response(400, "bad_input", "请求格式不正确。")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> SafeJSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = {404: "没有这个地址。", 405: "不支持这个请求方法。"}.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> SafeJSONResponse:
        log.exception("unexpected error")
        return error_response(500, "internal_error", "内部错误，请稍后再试。")
