"""Per-user conversation state for the WeChat Work app and the web page (SQLite, shared by workers).

A conversation stays open while the assistant is waiting for facts (its last answer was
``needs_more_facts``): the next message is read together with the earlier ones, so a follow-up turn
completes the story. Any other answer closes it, so an unrelated next question starts clean instead of
inheriting an old story's facts. It also ends after the idle time, and on the 重新开始 command.

A closed conversation is still kept (until the idle time) for one purpose: a correction with no new
words (confirmed values only, e.g. the web page's factor card or "动机：为公" in WeChat Work) redoes the
judgement of that story. Confirmed values are kept with the turns; the last answer's verdict and
follow-up questions too, so that a change can be stated and a numbered reply ("1 是") understood.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from assistant.domain import Answer, Verdict
from assistant.errors import InputError
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
# Columns added after the first release: a state file made before them gets them on open.
_COLUMNS = {
    "confirmed": "TEXT NOT NULL DEFAULT '{}'",
    "open": "INTEGER NOT NULL DEFAULT 1",
    "last": "TEXT NOT NULL DEFAULT '{}'",
}
NOTHING_TO_CORRECT = "没有可以更正的研判：请先描述您要咨询的情况。"


def is_reset(text: str) -> bool:
    """Whether a message is the command that clears the conversation."""
    return text.strip().lower() in RESET_COMMANDS


class ConversationStore(SqliteStore):
    """Open conversations keyed by ``channel:user``; one SQLite connection per thread."""

    def __init__(self, path: Path, idle_seconds: float) -> None:
        super().__init__(path, _SCHEMA)
        self.idle_seconds = idle_seconds
        have = {r[1] for r in self._conn().execute("PRAGMA table_info(conversations)")}
        for name, decl in _COLUMNS.items():
            if name not in have:
                with contextlib.suppress(sqlite3.OperationalError):  # another worker added it first
                    self._conn().execute(f"ALTER TABLE conversations ADD COLUMN {name} {decl}")

    def _row(self, key: str, now: float | None) -> tuple[Conversation, bool, dict[str, Any]] | None:
        """The conversation of ``key`` (open or closed), whether open, and its last answer's summary."""
        now = time.time() if now is None else now
        row = (
            self._conn()
            .execute(
                "SELECT turns, province, updated, confirmed, open, last FROM conversations WHERE key = ?",
                (key,),
            )
            .fetchone()
        )
        if row is None:
            return None
        if now - row[2] > self.idle_seconds:
            self.clear(key)
            return None
        last = json.loads(row[5] or "{}")
        verdict = last.get("verdict")
        conversation = Conversation(
            list(json.loads(row[0])),
            row[1],
            confirmed=dict(json.loads(row[3] or "{}")),
            previous_verdict=Verdict(verdict) if verdict in Verdict.__members__.values() else None,
        )
        return conversation, bool(row[4]), last

    def history(self, key: str, now: float | None = None) -> Conversation | None:
        """The open conversation of ``key``, or None if there is none, it is closed or it has gone idle."""
        found = self._row(key, now)
        return found[0] if found is not None and found[1] else None

    def last_follow_ups(self, key: str, now: float | None = None) -> list[dict[str, Any]]:
        """The structured follow-up questions of the last answer (a numbered reply answers them)."""
        found = self._row(key, now)
        return list(found[2].get("follow_ups", [])) if found is not None else []

    def begin(
        self,
        key: str,
        question: str | None,
        province: str | None,
        now: float | None = None,
        confirmed: dict[str, str] | None = None,
    ) -> Conversation:
        """The conversation to answer: the open one's turns plus ``question``.

        A province given now wins; otherwise the one the conversation started with is kept.
        ``confirmed``: values the user confirms now, added to those confirmed before in the same
        conversation. With no ``question`` (a correction alone) the last story, open or closed, is
        judged again with them."""
        confirmed = dict(confirmed or {})
        fresh = frozenset(confirmed)
        found = self._row(key, now)
        if question is None:
            if found is None:
                raise InputError(NOTHING_TO_CORRECT)
            previous = found[0]
            return Conversation(
                previous.turns,
                province or previous.province,
                confirmed={**previous.confirmed, **confirmed},
                previous_verdict=previous.previous_verdict,
                fresh=fresh,
            )
        if found is None or not found[1]:
            return Conversation([question], province, confirmed=confirmed)
        previous = found[0]
        turns = (previous.turns + [question])[-MAX_TURNS:]
        return Conversation(
            turns,
            province or previous.province,
            confirmed={**previous.confirmed, **confirmed},
            previous_verdict=previous.previous_verdict,
            fresh=fresh,
        )

    def finish(self, key: str, conversation: Conversation, answer: Answer, now: float | None = None) -> bool:
        """Keep the conversation open if the answer asks for more facts, else close it (kept closed
        for a correction until idle); return whether open."""
        now = time.time() if now is None else now
        still_open = answer.verdict is Verdict.NEEDS_MORE_FACTS
        last = {"verdict": str(answer.verdict), "follow_ups": answer.follow_ups}
        self._conn().execute(
            "INSERT INTO conversations (key, turns, province, updated, confirmed, open, last)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET turns = excluded.turns, province = excluded.province,"
            " updated = excluded.updated, confirmed = excluded.confirmed, open = excluded.open,"
            " last = excluded.last",
            (
                key,
                json.dumps(conversation.turns, ensure_ascii=False),
                conversation.province,
                now,
                json.dumps(conversation.confirmed, ensure_ascii=False),
                int(still_open),
                json.dumps(last, ensure_ascii=False),
            ),
        )
        return still_open

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
