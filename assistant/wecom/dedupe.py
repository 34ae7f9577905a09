"""WeChat Work retries a message it got no reply to (up to three times, 5 s apart): answer each MsgId once.

The seen ids live in SQLite under the data dir, so a retry that lands on another worker is caught too.
"""

from __future__ import annotations

import time
from pathlib import Path

from assistant.sqlite_store import SqliteStore

# A message is accepted only while its signed timestamp is within this many seconds of the clock.
REPLAY_WINDOW_SECONDS = 300.0
# WeChat stops retrying within a minute. An id must also outlive every moment its message could still be
# accepted: first seen at ts - window at the earliest, replayable until ts + window, so over twice the
# window; kept an hour, a replay is refused either by its id or by its timestamp.
TTL_SECONDS = max(3600.0, 2 * REPLAY_WINDOW_SECONDS + 60)

_SCHEMA = "CREATE TABLE IF NOT EXISTS wecom_seen (msg_id TEXT PRIMARY KEY, seen REAL NOT NULL);"


class MessageDedupe(SqliteStore):
    """Remembers message ids for TTL_SECONDS."""

    def __init__(self, path: Path, ttl_seconds: float = TTL_SECONDS) -> None:
        super().__init__(path, _SCHEMA)
        self.ttl = ttl_seconds
        self._last_prune = 0.0

    def first_time(self, msg_id: str, now: float | None = None) -> bool:
        """True the first time an id is seen (and records it); False for a retry."""
        now = time.time() if now is None else now
        conn = self._conn()
        if now - self._last_prune > 60:
            self._last_prune = now
            conn.execute("DELETE FROM wecom_seen WHERE seen < ?", (now - self.ttl,))
        # INSERT OR IGNORE is atomic: of two workers racing on one id exactly one inserts.
        cursor = conn.execute("INSERT OR IGNORE INTO wecom_seen (msg_id, seen) VALUES (?, ?)", (msg_id, now))
        return cursor.rowcount == 1
