"""The HTTP service (FastAPI): health and answers; every bad input gets a JSON error, never a 500."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import AssistantError, InputError
from assistant.pipeline import Assistant
from assistant.settings import Settings, get_settings

log = logging.getLogger("assistant.server")
MAX_BODY_BYTES = 64 * 1024


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def _field(body: Any, name: str, required: bool = True) -> str | None:
    if not isinstance(body, dict):
        raise InputError("请求体必须是 JSON 对象。")
    value = body.get(name)
    if value is None:
        if required:
            raise InputError(f"缺少字段 {name}。")
        return None
    if not isinstance(value, str):
        raise InputError(f"字段 {name} 必须是字符串。")
    return value


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise InputError(f"请求体过大（超过 {MAX_BODY_BYTES // 1024} KB）。")
    if not raw.strip():
        raise InputError("请求体为空。")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError("请求体不是合法的 UTF-8 JSON。") from exc


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="三个区分开来政策助手", version="0.1.0")
    state: dict[str, Assistant] = {}

    def get_assistant() -> Assistant:
        if "assistant" not in state:
            state["assistant"] = assistant or Assistant(settings)
        return state["assistant"]

    @app.on_event("startup")
    async def _load() -> None:
        get_assistant()

    @app.exception_handler(AssistantError)
    async def _assistant_error(_: Request, exc: AssistantError) -> JSONResponse:
        return error_response(exc.http_status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, "bad_input", "请求格式不正确。")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(500, "internal_error", "内部错误，请稍后再试。")

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        a = get_assistant()
        return {"status": "ok", "units": len(a.kb), "mode": "llm" if settings.llm_enabled else "offline"}

    @app.post("/v1/ask")
    async def ask(request: Request) -> JSONResponse:
        body = await read_json(request)
        question = _field(body, "question")
        province = _field(body, "province", required=False)
        assert question is not None
        answer = await asyncio.to_thread(get_assistant().ask, question, province)
        return JSONResponse(answer.to_json())

    return app
