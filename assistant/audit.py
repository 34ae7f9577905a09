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
"""
_INSERT = (
    "INSERT INTO answers (ts, channel, user_id, question, intent, verdict, unit_ids, knowledge_version,"
    " mode, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
        with self._write_lock:
            self._conn().execute(_INSERT, row)
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
