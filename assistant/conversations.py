"""Per-user conversation state for the WeChat Work app and the web page (SQLite, shared by workers).

A conversation stays open while the assistant is waiting for facts (its last answer was
``needs_more_facts``): the next message is read together with the earlier ones, so a follow-up turn
completes the story. Any other answer closes it, so an unrelated next question starts clean instead of
inheriting an old story's facts. It also ends after the idle time, and on the 重新开始 command.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from assistant.domain import Answer, Verdict
from assistant.pipeline import Conversation
from assistant.sqlite_store import SqliteStore

RESET_COMMANDS = frozenset({"重新开始", "重新开始。", "重新开始！", "清空", "/reset", "reset", "restart"})
RESET_REPLY = "已重新开始。请描述新的情况，我会从头研判。"
MAX_TURNS = 8

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    key TEXT PRIMARY KEY,
    turns TEXT NOT NULL,
    province TEXT,
    updated REAL NOT NULL
);
"""


def is_reset(text: str) -> bool:
    """Whether a message is the command that clears the conversation."""
    return text.strip().lower() in RESET_COMMANDS


class ConversationStore(SqliteStore):
    """Open conversations keyed by ``channel:user``; one SQLite connection per thread."""

    def __init__(self, path: Path, idle_seconds: float) -> None:
        super().__init__(path, _SCHEMA)
        self.idle_seconds = idle_seconds

    def history(self, key: str, now: float | None = None) -> Conversation | None:
        """The open conversation of ``key``, or None if there is none or it has gone idle."""
        now = time.time() if now is None else now
        row = (
            self._conn()
            .execute("SELECT turns, province, updated FROM conversations WHERE key = ?", (key,))
            .fetchone()
        )
        if row is None:
            return None
        if now - row[2] > self.idle_seconds:
            self.clear(key)
            return None
        return Conversation(list(json.loads(row[0])), row[1])

    def begin(self, key: str, question: str, province: str | None, now: float | None = None) -> Conversation:
        """The conversation to answer: the open one's turns plus ``question``.

        A province given now wins; otherwise the one the conversation started with is kept."""
        previous = self.history(key, now)
        if previous is None:
            return Conversation([question], province)
        turns = (previous.turns + [question])[-MAX_TURNS:]
        return Conversation(turns, province or previous.province)

    def finish(self, key: str, conversation: Conversation, answer: Answer, now: float | None = None) -> bool:
        """Keep the conversation open if the answer asks for more facts, else close it; return whether open."""
        if answer.verdict is not Verdict.NEEDS_MORE_FACTS:
            self.clear(key)
            return False
        now = time.time() if now is None else now
        self._conn().execute(
            "INSERT INTO conversations (key, turns, province, updated) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET turns = excluded.turns, province = excluded.province,"
            " updated = excluded.updated",
            (key, json.dumps(conversation.turns, ensure_ascii=False), conversation.province, now),
        )
        return True

    def clear(self, key: str) -> bool:
        """Forget the conversation of ``key``; return whether there was one."""
        return self._conn().execute("DELETE FROM conversations WHERE key = ?", (key,)).rowcount > 0

    def prune(self, now: float | None = None) -> int:
        """Forget every idle conversation; return how many."""
        now = time.time() if now is None else now
        cursor = self._conn().execute(
            "DELETE FROM conversations WHERE updated < ?", (now - self.idle_seconds,)
        )
        return cursor.rowcount
