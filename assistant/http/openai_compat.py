"""OpenAI-compatible /v1/chat/completions and /v1/models, so chat front ends can use the assistant as a model.

The conversation is the user turns of the messages given (the client keeps the history; the last user
message is the question). The reply's text is the answer with its citations appended in a readable
list; the same citations come structured in a ``citations`` field (the non-stream response and the
stream's last chunk). Bad input is refused with a JSON error before a stream opens; a failure inside
a stream is sent as an error event followed by ``[DONE]``, never a dropped connection.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from assistant.conversations import RESET_REPLY, is_reset
from assistant.domain import Answer
from assistant.errors import InputError
from assistant.http.common import AppContext, read_json, text_field
from assistant.http.encoding import SafeJSONResponse, dumps
from assistant.http.errorshape import error_body
from assistant.http.holder import knowledge_version
from assistant.http.openai_options import (
    MODEL_ID,
    ChatOptions,
    TextBudget,
    chat_options,
    count_tokens,
    unknown_model,
)
from assistant.llm.stream import same_text
from assistant.normalize import normalize_question
from assistant.pipeline import Assistant, Conversation

log = logging.getLogger("assistant.openai")
MAX_TURNS = 8  # older user turns are dropped: a long chat's first stories should not colour the last


REPLACEMENT_RULE = "——以上内容未通过引用核验，以下为经核验的完整回答——"


def citation_block(answer: Answer) -> str:
    """The citations as a readable numbered list to append to the reply's text."""
    if not answer.citations:
        return ""
    lines = ["", "", "引用："]
    for n, c in enumerate(answer.citations, 1):
        pending = "（条文待核）" if not c.verified else ""
        lines.append(f"[{n}] {c.title}{pending}〔{c.id}〕")
    return "\n".join(lines)


def notes_block(answer: Answer) -> str:
    """Why the answer is not the model's, when it is not (the model failed, was busy, or wrote
    something that did not pass the checks): a chat front end shows only the text, so it says so."""
    if not answer.notes:
        return ""
    return "\n\n" + "\n".join(f"（注：{note}）" for note in answer.notes)


def _content_text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if all(isinstance(p, str) for p in parts):
            return "\n".join(p for p in parts if isinstance(p, str))
    raise InputError("messages[].content 必须是字符串或文本片段列表。")


def user_turns(body: Any) -> list[str]:
    """The user turns of ``messages``, after the last 重新开始 command, at most MAX_TURNS."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages:
        raise InputError("messages 必须是非空数组。")
    turns: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise InputError("messages 的每一项须是含 role 和 content 的对象。")
        if message["role"] == "user":
            text = _content_text(message.get("content"))
            turns = [] if is_reset(text) else turns + [text]
    if not any(m.get("role") == "user" for m in messages):
        raise InputError("messages 中没有用户消息。")
    return turns[-MAX_TURNS:]


def _validate(assistant: Assistant, turns: list[str], province: str | None) -> None:
    """Refuse bad turns or an unknown province before anything is answered or streamed."""
    for turn in turns:
        normalize_question(turn, assistant.settings.knowledge_dir, assistant.settings.max_question_chars)
    assistant.provinces.resolve(province)


def _usage(turns: list[str], completion: int) -> dict[str, int]:
    prompt = sum(count_tokens(t) for t in turns)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _stream_error(message: str) -> bytes:
    return _sse(error_body(500, "stream_error", message))


def _sse(data: dict[str, Any]) -> bytes:
    """One server-sent event; encoded here, so that no text can fail to encode after the stream opened."""
    return b"data: " + dumps(data) + b"\n\n"


DONE = b"data: [DONE]\n\n"


def router(ctx: AppContext) -> APIRouter:
    """The OpenAI-compatible routes, bound to one worker's context."""
    r = APIRouter()
    model_card = {"id": MODEL_ID, "object": "model", "created": 1700000000, "owned_by": "sanqu-assistant"}

    @r.get("/v1/models")
    async def models() -> dict[str, Any]:
        """The one model this service is."""
        return {"object": "list", "data": [model_card]}

    @r.get("/v1/models/{model_id}")
    async def model(model_id: str) -> dict[str, Any]:
        """The model card, or a JSON 404 for another name."""
        if model_id != MODEL_ID:
            raise unknown_model(model_id)
        return model_card

    @r.post("/v1/chat/completions", response_model=None)
    async def chat(request: Request) -> SafeJSONResponse | StreamingResponse:
        """A chat completion over the user turns given, as JSON or as an SSE stream."""
        arrived = time.perf_counter()
        body = await read_json(request)
        turns = user_turns(body)
        options = chat_options(body)
        province = text_field(body, "province", required=False) or None
        user = text_field(body, "user", required=False)
        assistant = ctx.holder.current
        head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": MODEL_ID}
        if not turns:  # the last user message was 重新开始: nothing to answer
            return _reply(head, options, RESET_REPLY, turns)
        await run_in_threadpool(_validate, assistant, turns, province)
        conversation = Conversation(turns, province)
        if options.stream:
            events = _stream(ctx, assistant, conversation, head, options, user, arrived)
            return StreamingResponse(
                events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
            )
        answer = await ctx.run(ctx.answer, conversation, "openai", user, arrived)
        text = answer.answer + notes_block(answer) + citation_block(answer)
        return _reply(head, options, text, turns, answer)

    return r


def _answer_fields(answer: Answer | None) -> dict[str, Any]:
    """The verified answer beside the text: whole whatever ``max_tokens`` cut from the text."""
    if answer is None:
        return {"citations": []}
    return {
        "citations": [c.to_json() for c in answer.citations],
        "verdict": str(answer.verdict),
        "mode": answer.mode,
        "notes": list(answer.notes),
        "answer": answer.to_json(),
    }


def _reply(
    head: dict[str, Any],
    options: ChatOptions,
    text: str,
    turns: list[str],
    answer: Answer | None = None,
) -> SafeJSONResponse | StreamingResponse:
    """A whole completion, as JSON or as a short stream."""
    budget = TextBudget(options.max_tokens)
    shown = budget.take(text)
    finish = "length" if budget.cut else "stop"
    if options.stream:

        async def once() -> AsyncIterator[bytes]:
            chunk = {**head, "object": "chat.completion.chunk"}
            if options.include_usage:
                chunk["usage"] = None
            first = {"index": 0, "delta": {"role": "assistant", "content": shown}, "finish_reason": None}
            yield _sse({**chunk, "choices": [first]})
            final = {"index": 0, "delta": {}, "finish_reason": finish}
            yield _sse({**chunk, "choices": [final], **_answer_fields(answer)})
            if options.include_usage:
                yield _sse({**chunk, "choices": [], "usage": _usage(turns, budget.used)})
            yield DONE

        return StreamingResponse(
            once(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
    message = {"role": "assistant", "content": shown}
    out: dict[str, Any] = {
        **head,
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": _usage(turns, budget.used),
        **_answer_fields(answer),
    }
    return SafeJSONResponse(out)


async def _stream(
    ctx: AppContext,
    assistant: Assistant,
    conversation: Conversation,
    head: dict[str, Any],
    options: ChatOptions,
    user: str | None,
    arrived: float,
) -> AsyncIterator[bytes]:
    """SSE chunks of one answer, always ended by ``[DONE]``: whatever fails inside, the client gets an
    error frame first rather than a dropped connection (see _answer_frames)."""
    try:
        async for frame in _answer_frames(ctx, assistant, conversation, head, options, user, arrived):
            yield frame
    except Exception:  # the stream is open: report the failure in it rather than drop the connection
        log.exception("stream failed")
        yield _stream_error("回答中断，请重试。")
    yield DONE


async def _answer_frames(
    ctx: AppContext,
    assistant: Assistant,
    conversation: Conversation,
    head: dict[str, Any],
    options: ChatOptions,
    user: str | None,
    arrived: float,
) -> AsyncIterator[bytes]:
    """Role, text pieces, the citation list, the final chunk and, when asked for, the usage chunk from
    Assistant.stream (no [DONE]). Text past ``max_tokens`` is held back; the answer object is whole."""
    chunk = {**head, "object": "chat.completion.chunk"}
    if options.include_usage:
        chunk["usage"] = None  # as OpenAI: every chunk has the key; only the last one has the figures
    budget = TextBudget(options.max_tokens)

    def piece(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield _sse(piece({"role": "assistant", "content": ""}))
    final: Answer | None = None
    error = "回答中断，请重试。"
    streamed = ""
    try:
        async for event in iterate_in_threadpool(assistant.stream(conversation, arrived)):
            if event.kind == "token":
                streamed += event.text
                shown = budget.take(event.text)
                if shown:
                    yield _sse(piece({"content": shown}))
            elif event.kind == "final":
                final = event.answer
            elif event.kind == "error":
                error = event.text or error
                # In LLM mode a failure after text was shown carries the verified offline answer.
                final = event.answer
                break
    except Exception:  # the answer failed: an error frame, not a dropped connection
        log.exception("stream failed")
    if final is None:
        yield _stream_error(error)
        return
    replaced = not same_text(streamed, final.answer)
    if replaced:
        # What was shown is not the verified answer (a fallback or a corrected retry): a chat front end
        # cannot take text back, so the verified answer follows in full and the last chunk says so.
        replacement = budget.take(f"\n\n{REPLACEMENT_RULE}\n{final.answer}")
        if replacement:
            yield _sse(piece({"content": replacement}))
    await run_in_threadpool(ctx.record, final, "openai", user, knowledge_version(assistant))
    tail = budget.take(notes_block(final) + citation_block(final))
    if tail:
        yield _sse(piece({"content": tail}))
    last = piece({}, "length" if budget.cut else "stop")
    last.update(_answer_fields(final))
    last["replaced"] = replaced
    yield _sse(last)
    if options.include_usage:
        yield _sse({**chunk, "choices": [], "usage": _usage(conversation.turns, budget.used)})
