"""The audit log: one row per answer, append-only, retention, and nothing lost to concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

from assistant.audit import AuditLog
from assistant.domain import Answer, Citation, Intent, SourceType, Verdict


def _answer(n: int) -> Answer:
    cite = Citation(f"doc:{n}", "doc", "《文件》第一条", "原文", SourceType.REGULATION)
    return Answer(f"问题 {n}", Intent.SCENARIO, Verdict.TOLERABLE, "回答", [cite], {}, [], latency_ms=1.5)


def _write_many(path: str, channel: str, count: int) -> None:
    log = AuditLog(Path(path))
    for n in range(count):
        log.record(_answer(n), channel, f"user-{n}", "v1")


def test_a_row_holds_what_the_answer_was(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record(_answer(7), "wecom", "zhangsan", "9666a53a0994")
    (row,) = log.recent()
    assert (row.channel, row.user_id, row.question, row.verdict, row.intent) == (
        "wecom",
        "zhangsan",
        "问题 7",
        "tolerable",
        "scenario",
    )
    assert row.unit_ids == ("doc:7",) and row.knowledge_version == "9666a53a0994"
    assert row.mode == "offline" and row.latency_ms == 1.5 and row.ts > 0


def test_rows_cannot_be_updated(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record(_answer(1), "api", None, "v1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        sqlite3.connect(tmp_path / "audit.sqlite3").execute("UPDATE answers SET verdict = 'x'")


def test_retention_prunes_old_rows(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3", retention_days=30)
    log.record(_answer(1), "api", None, "v1", now=1_000_000.0)
    log.record(_answer(2), "api", None, "v1", now=1_000_000.0 + 40 * 86400)
    assert log.prune(now=1_000_000.0 + 40 * 86400) == 1
    assert [r.question for r in log.recent()] == ["问题 2"]
    forever = AuditLog(tmp_path / "audit.sqlite3", retention_days=0)
    assert forever.prune(now=1e12) == 0 and forever.count() == 1


def test_concurrent_threads_lose_nothing(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    threads = [
        threading.Thread(target=lambda i=i: [log.record(_answer(n), f"t{i}", None, "v1") for n in range(200)])
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert log.count() == 1600


def test_concurrent_processes_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "audit.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(path, f"p{i}", 300)) for i in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    log = AuditLog(Path(path))
    assert log.count() == 900
    assert {r.channel for r in log.recent(1000)} == {"p0", "p1", "p2"}
