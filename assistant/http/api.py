"""The answer endpoints: health, one-shot questions, conversations (web page), clause lookup."""

from __future__ import annotations

import os
import re
import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from assistant.conversations import RESET_REPLY, is_reset
from assistant.corrections import parse_confirmed
from assistant.errors import InputError
from assistant.http.common import AppContext, NotFound, read_json, text_field
from assistant.http.encoding import SafeJSONResponse
from assistant.http.holder import knowledge_version
from assistant.index import read_failure
from assistant.pipeline import Conversation

# Web conversation ids are made by the page (random); anything else is refused before it is stored.
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def conversation_id(value: str | None) -> str:
    """A valid conversation id or an InputError."""
    if not value or not _CONVERSATION_ID.match(value):
        raise InputError("conversation_id 须为 8–64 位字母、数字、下划线或连字符。")
    return value


def router(ctx: AppContext) -> APIRouter:
    """The routes, bound to one worker's context."""
    r = APIRouter()

    @r.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """Liveness, the index served and whether a token is required (the page reads this)."""
        assistant = ctx.holder.current
        return {
            "status": "ok",
            "units": len(assistant.kb),
            "mode": "llm" if ctx.settings.llm_enabled else "offline",
            "knowledge_version": knowledge_version(assistant),
            "index_built_at": assistant.index.manifest.get("built_at"),
            # A newer knowledge/ that failed to build (each problem with its file and line); the
            # version above keeps serving until a build succeeds. None when there is none.
            "knowledge_failed": await run_in_threadpool(read_failure, ctx.settings),
            "auth": bool(ctx.settings.api_token),
            "max_question_chars": ctx.settings.max_question_chars,  # the page counts against it
            "worker_pid": os.getpid(),  # which worker answered: shows that every worker has reloaded
        }

    @r.post("/v1/ask")
    async def ask(request: Request) -> SafeJSONResponse:
        """One question, no conversation: the answer object of the contract. ``facts`` (optional):
        values the user confirms, e.g. {"motive": "public"}; they override the reading."""
        arrived = time.perf_counter()
        body = await read_json(request)
        question = text_field(body, "question")
        province = text_field(body, "province", required=False)
        confirmed = parse_confirmed(body.get("facts"))
        assert question is not None
        conversation = Conversation([question], province, confirmed=confirmed)
        answer = await ctx.run(ctx.answer, conversation, "api", None, arrived)
        return SafeJSONResponse(answer.to_json())

    @r.post("/v1/converse")
    async def converse(request: Request) -> SafeJSONResponse:
        """One message of a conversation kept by the server (the web page): follow-ups complete facts.
        ``facts`` (optional) are values the user confirms; with ``facts`` and no ``question`` the
        conversation's last story (open or just judged) is judged again with them."""
        arrived = time.perf_counter()
        body = await read_json(request)
        cid = conversation_id(text_field(body, "conversation_id"))
        confirmed = parse_confirmed(body.get("facts"))
        question = text_field(body, "question", required=not confirmed)
        province = text_field(body, "province", required=False) or None
        if question is not None and is_reset(question):
            await run_in_threadpool(ctx.conversations.clear, f"web:{cid}")
            return SafeJSONResponse({"reset": True, "message": RESET_REPLY})
        answer, still_open = await ctx.run(ctx.converse, "web", cid, question, province, arrived, confirmed)
        out = answer.to_json()
        out["conversation"] = {"id": cid, "open": still_open}
        return SafeJSONResponse(out)

    @r.delete("/v1/conversations/{cid}")
    async def reset(cid: str) -> dict[str, Any]:
        """Forget a web conversation (the page's 重新开始 button)."""
        existed = await run_in_threadpool(ctx.conversations.clear, f"web:{conversation_id(cid)}")
        return {"reset": True, "existed": existed, "message": RESET_REPLY}

    @r.get("/v1/units/{unit_id}")
    async def unit(unit_id: str) -> dict[str, Any]:
        """A cited unit's whole text and its source, for the page's expandable citations."""
        kb = ctx.holder.current.kb
        found = kb.get(unit_id)
        if found is None:
            raise NotFound(f"知识库中没有条文 {unit_id}。")
        doc = kb.document_of(found)
        return {
            "id": found.id,
            "title": f"《{doc.title}》{found.label}",
            "short_title": kb.title_of(found),
            "heading": found.heading,
            "text": found.text,
            "verified": found.verified,
            "source_type": str(found.type),
            "source": {
                "title": doc.title,
                "issuer": doc.issuer,
                "doc_number": doc.doc_number,
                "date": doc.date,
                "status": doc.status,
                "publication": doc.publication,
            },
        }

    return r
