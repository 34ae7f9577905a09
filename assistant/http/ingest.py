"""Adding a measure over HTTP, for administrators: upload (review table), then confirm (added, checked,
re-indexed and swapped in without a restart, as /v1/admin/reload does); and remove.

The admin lock-down applies (assistant/http/admin.py): off without a token unless enabled, JSON only.
The file travels base64-encoded inside the JSON body, so that a cross-site form can never post it.
An upload is kept under the data dir until it is confirmed (any worker may take the confirmation).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assistant.errors import InputError
from assistant.http.admin import check_admin_request
from assistant.http.common import AppContext, bool_field, read_json, text_field
from assistant.http.encoding import SafeJSONResponse
from assistant.ingest import store
from assistant.ingest.document import Metadata
from assistant.ingest.extract import IngestError
from assistant.settings import Settings

UPLOAD_PATH = "/v1/admin/ingest"
CONFIRM_PATH = "/v1/admin/ingest/confirm"
REMOVE_PATH = "/v1/admin/ingest/remove"


def upload_body_limit(settings: Settings) -> int:
    """The largest upload body: the file base64-encoded (4/3) and room for the fields."""
    return settings.ingest_max_bytes * 4 // 3 + 64 * 1024


def _error(exc: IngestError) -> SafeJSONResponse:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.found:  # e.g. the paragraphs of a document with no numbering, so the user can choose
        error["found"] = exc.found
    return SafeJSONResponse(status_code=exc.http_status, content={"error": error})


def _metadata(body: Any) -> Metadata:
    return Metadata(
        doc_id=text_field(body, "doc_id") or "",
        title=text_field(body, "title") or "",
        jurisdiction=text_field(body, "jurisdiction") or "",
        type=text_field(body, "type") or "",
        issuer=text_field(body, "issuer", required=False),
        doc_number=text_field(body, "doc_number", required=False),
        date=text_field(body, "date", required=False),
        short_title=text_field(body, "short_title", required=False),
        status=text_field(body, "status", required=False),
    )


def _file(body: Any) -> tuple[str, bytes]:
    name = text_field(body, "filename") or ""
    encoded = text_field(body, "content_base64") or ""
    try:
        return name, base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError("字段 content_base64 不是合法的 base64 编码。") from exc


def router(ctx: AppContext) -> APIRouter:
    r = APIRouter()

    @r.post(UPLOAD_PATH, response_model=None)
    async def upload(request: Request) -> dict[str, Any] | Response:
        """Read, parse and check a document; nothing is added until it is confirmed."""
        check_admin_request(ctx, request)
        body = await read_json(request)
        name, data = _file(body)
        meta = _metadata(body)
        paragraphs, replace = bool_field(body, "paragraphs"), bool_field(body, "replace")
        try:
            prepared = await run_in_threadpool(
                store.prepare, name, data, meta, ctx.settings, paragraphs, replace
            )
        except IngestError as exc:
            return _error(exc)
        review_id = await run_in_threadpool(store.save_pending, prepared, ctx.settings)
        return {
            "status": "review",
            "review_id": review_id,
            "doc_id": prepared.doc_id,
            "title": prepared.title,
            "jurisdiction": prepared.jurisdiction,
            "units": prepared.rows,
            "table": prepared.table,
            "confirm": f'POST {CONFIRM_PATH} {{"review_id": "{review_id}"}}',
        }

    @r.post(CONFIRM_PATH, response_model=None)
    async def confirm(request: Request) -> dict[str, Any] | Response:
        """Add a reviewed upload: write it, check the base, rebuild and swap the index in (or undo)."""
        check_admin_request(ctx, request)
        review_id = text_field(await read_json(request), "review_id") or ""
        try:
            prepared, pending = store.take_pending(review_id, ctx.settings)
            manifest = await run_in_threadpool(store.add, prepared, ctx.settings, ctx.holder.reload)
        except IngestError as exc:
            return _error(exc)
        with contextlib.suppress(OSError):
            pending.unlink()
        return {
            "status": "added",
            "doc_id": prepared.doc_id,
            "document_units": len(prepared.rows),
            "units": manifest.get("units"),
            "knowledge_version": manifest.get("knowledge_version"),
            "index_built_at": manifest.get("built_at"),
        }

    @r.post(REMOVE_PATH, response_model=None)
    async def remove(request: Request) -> dict[str, Any] | Response:
        """Remove a document added by ingestion, and reload."""
        check_admin_request(ctx, request)
        doc_id = text_field(await read_json(request), "doc_id") or ""
        try:
            manifest = await run_in_threadpool(store.remove, doc_id, ctx.settings, ctx.holder.reload)
        except IngestError as exc:
            return _error(exc)
        return {
            "status": "removed",
            "doc_id": doc_id,
            "units": manifest.get("units"),
            "knowledge_version": manifest.get("knowledge_version"),
        }

    return r
