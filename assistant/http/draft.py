"""POST /v1/draft: a rationale (理由说明) for an officer, as JSON text or as a .docx download."""

from __future__ import annotations

import io
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from assistant.drafting import draft
from assistant.drafting.docx import to_docx
from assistant.errors import InputError
from assistant.http.common import AppContext, read_json, text_field
from assistant.http.encoding import SafeJSONResponse
from assistant.pipeline import Assistant

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("text", "docx")


def _docx(assistant: Assistant, facts: str, province: str | None) -> bytes:
    writer = assistant.llm.rewrite_draft if assistant.llm is not None else None
    result = draft(assistant, facts, province, writer=writer)
    buffer = io.BytesIO()
    to_docx(result, assistant.kb, buffer)
    return buffer.getvalue()


def router(ctx: AppContext) -> APIRouter:
    """The drafting route, bound to one worker's context."""
    r = APIRouter()

    @r.post("/v1/draft", response_model=None)
    async def make_draft(request: Request) -> Response:
        """A rationale for the facts given: JSON (``format`` text) or a .docx download."""
        body = await read_json(request)
        facts = text_field(body, "facts")
        province = text_field(body, "province", required=False) or None
        form = text_field(body, "format", required=False) or "text"
        assert facts is not None
        if form not in FORMATS:
            raise InputError("format 只能是 text 或 docx。")
        assistant = ctx.holder.current
        if form == "text":
            result = await ctx.run(draft, assistant, facts, province)
            return SafeJSONResponse(result.to_json())
        data = await ctx.run(_docx, assistant, facts, province)
        # RFC 6266: an ASCII fallback name and the Chinese one, percent-encoded.
        disposition = f"attachment; filename=\"rationale.docx\"; filename*=UTF-8''{quote('理由说明.docx')}"
        return Response(data, media_type=DOCX_TYPE, headers={"Content-Disposition": disposition})

    return r
