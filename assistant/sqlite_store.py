"""SQLite under the data dir, shared by several workers and threads: WAL, waiting writers, one
connection per thread. The audit log, conversations and WeChat message dedupe build on it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

BUSY_TIMEOUT_MS = 30_000


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode, WAL journal, waiting (not failing) while another writer holds the lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL mode: a commit survives a crash of the process, fsync happens at checkpoints.
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class SqliteStore:
    """A database file with its schema applied once, and a connection per thread on demand."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = path
        self._local = threading.local()
        conn = connect(path)
        try:
            conn.executescript(schema)
        finally:
            conn.close()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
        return conn
