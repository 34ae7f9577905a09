"""The WeChat Work callback: URL verification (GET) and encrypted messages (POST).

WeChat waits 5 seconds for the reply to a message. An answer ready within ``wecom_passive_seconds``
that fits one message goes back passively in the encrypted reply; otherwise the reply is a short
acknowledgement (or empty) and the answer follows through the active message API once it is ready.
A message id seen before (WeChat's retry) gets an empty reply and is not answered again; a message
whose signed timestamp is more than five minutes off is refused, and ids are kept for longer than
that window, so a captured request cannot be replayed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.replies import TextReply
from wechatpy.exceptions import InvalidSignatureException

from assistant.conversations import RESET_REPLY, is_reset
from assistant.domain import Answer
from assistant.errors import AssistantError, InputError
from assistant.http.common import AppContext
from assistant.wecom.api import WeComClient
from assistant.wecom.dedupe import REPLAY_WINDOW_SECONDS, MessageDedupe
from assistant.wecom.format import format_answer, size
from assistant.wecom.replies import parse_reply

log = logging.getLogger("assistant.wecom")
ACK = "已收到，正在研判，稍后把结果发给您。"
NOT_TEXT = "目前只能回答文字提问，请用文字描述情况。"
FAILED = "抱歉，这次没能完成研判，请稍后再试。"
PUSH_FAILED = "抱歉，研判结果未能发送完整（第 {n}/{total} 条发送失败），请稍后重新提问。"
RETRY_PUSH_SECONDS = 1.0


class NotConfigured(AssistantError):
    """The WeChat Work settings are missing: on this deployment the callback does not exist."""

    code = "not_configured"
    http_status = 404


class StaleMessage(InputError):
    """A signed message whose timestamp is too far from now: a replay, or a clock that is wrong."""

    code = "stale_message"
    http_status = 403


def check_timestamp(timestamp: str, now: float | None = None) -> None:
    """Raise StaleMessage unless the (signed) timestamp is within REPLAY_WINDOW_SECONDS of now."""
    now = time.time() if now is None else now
    try:
        sent = float(int(timestamp))
    except ValueError:
        sent = float("nan")
    if not abs(now - sent) <= REPLAY_WINDOW_SECONDS:  # NaN compares false: refused too
        raise StaleMessage(
            f"消息时间戳与服务器时间相差超过 {int(REPLAY_WINDOW_SECONDS // 60)} 分钟，已拒绝"
            "（可能是重放的旧请求，或服务器时钟不准）。"
        )


class BadSignature(InputError):
    """The callback's signature or ciphertext does not check out."""

    code = "bad_signature"
    http_status = 403


def _crypto(ctx: AppContext) -> WeChatCrypto:
    s = ctx.settings
    if not (s.wecom_token and s.wecom_aes_key and s.wecom_corp_id):
        raise NotConfigured("未配置企业微信应用（ASSISTANT_WECOM_TOKEN / AES_KEY / CORP_ID）。")
    try:
        return WeChatCrypto(s.wecom_token, s.wecom_aes_key, s.wecom_corp_id)
    except Exception as exc:  # a malformed EncodingAESKey
        raise NotConfigured("企业微信 EncodingAESKey 无效。") from exc


def _params(request: Request, *names: str) -> list[str]:
    values = [request.query_params.get(n) for n in names]
    if not all(values):
        raise BadSignature("缺少签名参数（msg_signature、timestamp、nonce）。")
    return [v for v in values if v]


def router(ctx: AppContext, client: WeComClient, dedupe: MessageDedupe) -> APIRouter:
    """The callback routes (not behind the API token: WeChat signs its requests instead)."""
    r = APIRouter()

    @r.get("/wecom/callback")
    async def verify(request: Request) -> PlainTextResponse:
        """URL verification: check the signature, answer the decrypted echostr."""
        crypto = _crypto(ctx)
        signature, timestamp, nonce, echostr = _params(
            request, "msg_signature", "timestamp", "nonce", "echostr"
        )
        try:
            return PlainTextResponse(crypto.check_signature(signature, timestamp, nonce, echostr))
        except Exception as exc:  # wrong signature, or ciphertext that does not decrypt
            raise BadSignature("签名校验失败。") from exc

    @r.post("/wecom/callback")
    async def receive(request: Request) -> Response:
        """An encrypted message: answer passively when quick enough, else acknowledge and push."""
        arrived = time.perf_counter()
        crypto = _crypto(ctx)
        signature, timestamp, nonce = _params(request, "msg_signature", "timestamp", "nonce")
        raw = await request.body()
        try:
            message = parse_message(crypto.decrypt_message(raw, signature, timestamp, nonce))
        except InvalidSignatureException as exc:
            raise BadSignature("签名校验失败。") from exc
        except Exception as exc:  # not XML, no Encrypt element, bad ciphertext or corp id
            raise BadSignature("消息无法解密。") from exc
        if message is None:
            raise BadSignature("消息为空。")
        # Checked once the signature (which covers the timestamp) holds: a captured request replayed
        # after its MsgId was forgotten would otherwise be answered again.
        check_timestamp(timestamp)

        def reply(text: str, background: BackgroundTask | None = None) -> Response:
            xml = TextReply(source=message.target, target=message.source, content=text).render()
            encrypted = crypto.encrypt_message(xml, nonce, str(int(time.time())))
            return Response(encrypted, media_type="application/xml", background=background)

        def empty(background: BackgroundTask | None = None) -> Response:
            return PlainTextResponse("", background=background)  # WeChat: an empty reply means none

        if message.type == "event":
            return empty()
        try:  # wechatpy converts fields when read: a signed but malformed MsgId fails here
            msg_id = str(getattr(message, "id", "") or uuid.uuid4().hex)
        except (TypeError, ValueError) as exc:
            raise InputError("消息格式不正确（MsgId）。") from exc
        if not await run_in_threadpool(dedupe.first_time, msg_id):
            log.info("retried message %s ignored", msg_id)
            return empty()
        if message.type != "text":
            return reply(NOT_TEXT)
        user, text = str(message.source), str(message.content or "")
        if is_reset(text):
            await run_in_threadpool(ctx.conversations.clear, f"wecom:{user}")
            return reply(RESET_REPLY)
        # "1 是" answers the last answer's numbered follow-up; "动机：为公" corrects a factor; any
        # other text is a plain sentence of the story.
        key = f"wecom:{user}"
        follow_ups = await run_in_threadpool(ctx.conversations.last_follow_ups, key)
        short = parse_reply(text, follow_ups, ctx.holder.current.layout.t)
        question, confirmed = (text, None) if short is None else (short.question, short.confirmed)
        task = asyncio.ensure_future(ctx.run(ctx.converse, "wecom", user, question, None, arrived, confirmed))
        done, _ = await asyncio.wait({task}, timeout=ctx.settings.wecom_passive_seconds)
        if not done:
            return reply(ACK, BackgroundTask(_push_later, client, user, task, ctx.settings.wecom_markdown))
        try:
            answer, _open = task.result()
        except InputError as exc:
            return reply(exc.message)
        except Exception:
            log.exception("answering a WeChat message failed")
            return reply(FAILED)
        passive = format_answer(answer, markdown=False)
        if len(passive) == 1 and size(passive[0]) <= 2048:
            return reply(passive[0])
        return empty(BackgroundTask(_push, client, user, answer, ctx.settings.wecom_markdown))

    return r


async def _push(client: WeComClient, user: str, answer: Answer, markdown: bool) -> None:
    """Send an answer through the active message API, part by part, in order. A part that fails is
    tried once more; if it fails again the user is told (a plain-text notice), not left waiting."""
    parts = format_answer(answer, markdown)
    for n, part in enumerate(parts, 1):
        try:
            await _send_with_retry(client, user, part, markdown)
        except AssistantError as exc:  # never log the exception chain: its URLs carry the access token
            log.error("pushing part %d/%d of an answer to WeChat Work failed: %s", n, len(parts), exc.message)
            await _send_text(client, user, PUSH_FAILED.format(n=n, total=len(parts)))
            return


async def _send_with_retry(client: WeComClient, user: str, part: str, markdown: bool) -> None:
    try:
        await client.send(user, part, markdown)
    except AssistantError:
        await asyncio.sleep(RETRY_PUSH_SECONDS)  # a busy or briefly unreachable API: once more
        await client.send(user, part, markdown)


async def _push_later(
    client: WeComClient, user: str, task: asyncio.Future[tuple[Answer, bool]], markdown: bool
) -> None:
    """Wait for a slow answer, then push it (or a short failure notice)."""
    try:
        answer, _open = await task
    except InputError as exc:
        await _send_text(client, user, exc.message)
        return
    except Exception:
        log.exception("answering a WeChat message failed")
        await _send_text(client, user, FAILED)
        return
    await _push(client, user, answer, markdown)


async def _send_text(client: WeComClient, user: str, text: str) -> None:
    try:
        await client.send(user, text, markdown=False)
    except AssistantError as exc:
        log.error("pushing a notice to WeChat Work failed: %s", exc.message)
