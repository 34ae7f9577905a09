"""The audit log: one append-only SQLite row per answer, shared safely by every worker and thread.

WAL mode lets readers and one writer work at once; ``busy_timeout`` makes a writer that finds the
database locked wait its turn instead of failing, so concurrent writers lose nothing. Rows are never
updated (a trigger refuses it); only the retention prune deletes, and only rows older than the setting.
Nothing secret is written: no tokens, keys or request headers, only what the answer was about.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.domain import Answer
from assistant.sqlite_store import SqliteStore

log = logging.getLogger("assistant.audit")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    channel TEXT NOT NULL,
    user_id TEXT,
    question TEXT NOT NULL,
    intent TEXT NOT NULL,
    verdict TEXT NOT NULL,
    unit_ids TEXT NOT NULL,
    knowledge_version TEXT NOT NULL,
    mode TEXT NOT NULL,
    latency_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_ts ON answers (ts);
CREATE TRIGGER IF NOT EXISTS answers_append_only BEFORE UPDATE ON answers
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id INTEGER NOT NULL REFERENCES answers (id),
    factor TEXT NOT NULL,
    value TEXT NOT NULL,
    previous TEXT NOT NULL,
    words TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_answer ON corrections (answer_id);
CREATE TRIGGER IF NOT EXISTS corrections_append_only BEFORE UPDATE ON corrections
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_INSERT = (
    "INSERT INTO answers (ts, channel, user_id, question, intent, verdict, unit_ids, knowledge_version,"
    " mode, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_CORRECTION = (
    "INSERT INTO corrections (answer_id, factor, value, previous, words, status) VALUES (?, ?, ?, ?, ?, ?)"
)
PRUNE_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class AuditRecord:
    """One answered question as the log keeps it."""

    ts: float
    channel: str
    user_id: str | None
    question: str
    intent: str
    verdict: str
    unit_ids: tuple[str, ...]
    knowledge_version: str
    mode: str
    latency_ms: float


@dataclass(frozen=True)
class AuditCorrection:
    """A value the user confirmed for an answer, and what became of it (applied / same / asked)."""

    answer_id: int
    channel: str
    user_id: str | None
    question: str
    factor: str
    value: str
    previous: str
    words: str
    status: str


class AuditLog(SqliteStore):
    """Append-only log of answers under the data dir; one connection per thread."""

    def __init__(self, path: Path, retention_days: int = 0) -> None:
        super().__init__(path, _SCHEMA)
        # One writer per process at a time: threads that each find the database locked back off in
        # SQLite's busy handler (sleeps of up to 100 ms), so a burst of answers finishing together
        # (an LLM timeout under load) queued for a second or more; taking turns here costs nothing.
        self._write_lock = threading.Lock()
        self.retention_days = retention_days
        self._last_prune = 0.0
        self.prune()

    def record(
        self,
        answer: Answer,
        channel: str,
        user_id: str | None,
        knowledge_version: str,
        now: float | None = None,
    ) -> None:
        """Append one row for an answer."""
        ts = time.time() if now is None else now
        unit_ids = json.dumps([c.id for c in answer.citations], ensure_ascii=False)
        row = (
            ts,
            channel,
            user_id,
            answer.question,
            str(answer.intent),
            str(answer.verdict),
            unit_ids,
            knowledge_version,
            answer.mode,
            round(answer.latency_ms, 3),
        )
        corrections = [
            (c["factor"], c["value"], c["previous"], c["words"], c["status"]) for c in answer.corrections
        ]
        with self._write_lock:
            conn = self._conn()
            if not corrections:
                conn.execute(_INSERT, row)
            else:  # the answer and the corrections it rests on, together or not at all
                with conn:
                    conn.execute("BEGIN IMMEDIATE")
                    answer_id = conn.execute(_INSERT, row).lastrowid
                    conn.executemany(_INSERT_CORRECTION, [(answer_id, *c) for c in corrections])
        if ts - self._last_prune > PRUNE_EVERY_SECONDS:
            self.prune(ts)

    def prune(self, now: float | None = None) -> int:
        """Delete rows older than the retention setting; return how many went."""
        now = time.time() if now is None else now
        self._last_prune = now
        if self.retention_days <= 0:
            return 0
        cutoff = now - self.retention_days * 86400
        try:
            self._conn().execute(
                "DELETE FROM corrections WHERE answer_id IN (SELECT id FROM answers WHERE ts < ?)", (cutoff,)
            )
            cursor = self._conn().execute("DELETE FROM answers WHERE ts < ?", (cutoff,))
        except sqlite3.Error:  # another worker pruning at the same moment: it will do the work
            log.warning("audit prune skipped", exc_info=True)
            return 0
        return cursor.rowcount

    def count(self) -> int:
        """How many rows the log holds."""
        return int(self._conn().execute("SELECT COUNT(*) FROM answers").fetchone()[0])

    def recent(self, limit: int = 100) -> list[AuditRecord]:
        """The newest rows, newest first."""
        rows = self._conn().execute(
            "SELECT ts, channel, user_id, question, intent, verdict, unit_ids, knowledge_version, mode,"
            " latency_ms FROM answers ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            AuditRecord(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7], r[8], r[9])
            for r in rows
        ]

    def corrections(self, limit: int = 100) -> list[AuditCorrection]:
        """The newest corrections, newest first, each with the answer row it belongs to."""
        rows = self._conn().execute(
            "SELECT c.answer_id, a.channel, a.user_id, a.question, c.factor, c.value, c.previous, c.words,"
            " c.status FROM corrections c JOIN answers a ON a.id = c.answer_id ORDER BY c.id DESC LIMIT ?",
            (limit,),
        )
        return [AuditCorrection(*r) for r in rows]
