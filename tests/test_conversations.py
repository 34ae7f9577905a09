"""Conversation state: open while facts are asked for, closed by a verdict, idle expiry, 重新开始."""

from __future__ import annotations

from pathlib import Path

from assistant.conversations import ConversationStore, is_reset
from assistant.domain import Answer, Intent, Verdict


def _answer(verdict: Verdict) -> Answer:
    return Answer("q", Intent.SCENARIO, verdict, "a", [], {}, [])


def test_open_while_facts_are_missing(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "state.sqlite3", idle_seconds=600)
    first = store.begin("web:a", "修路没招标", "浙江", now=100)
    assert first.turns == ["修路没招标"] and first.province == "浙江"
    assert store.finish("web:a", first, _answer(Verdict.NEEDS_MORE_FACTS), now=100)
    second = store.begin("web:a", "集体研究过", None, now=200)
    assert second.turns == ["修路没招标", "集体研究过"] and second.province == "浙江"
    assert not store.finish("web:a", second, _answer(Verdict.TOLERABLE), now=200)
    assert store.begin("web:a", "新问题", None, now=300).turns == ["新问题"]  # a verdict closes it


def test_users_and_channels_are_separate(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "state.sqlite3", idle_seconds=600)
    c = store.begin("wecom:a", "一", None, now=0)
    store.finish("wecom:a", c, _answer(Verdict.NEEDS_MORE_FACTS), now=0)
    assert store.begin("wecom:b", "二", None, now=1).turns == ["二"]
    assert store.begin("web:a", "三", None, now=1).turns == ["三"]


def test_idle_conversations_expire(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "state.sqlite3", idle_seconds=60)
    c = store.begin("web:a", "一", None, now=0)
    store.finish("web:a", c, _answer(Verdict.NEEDS_MORE_FACTS), now=0)
    assert store.history("web:a", now=59) is not None
    assert store.history("web:a", now=61) is None
    c = store.begin("web:b", "一", None, now=0)
    store.finish("web:b", c, _answer(Verdict.NEEDS_MORE_FACTS), now=0)
    assert store.prune(now=100) == 1


def test_reset(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "state.sqlite3", idle_seconds=600)
    c = store.begin("web:a", "一", None)
    store.finish("web:a", c, _answer(Verdict.NEEDS_MORE_FACTS))
    assert store.clear("web:a") and not store.clear("web:a")
    assert is_reset(" 重新开始 ") and is_reset("/reset") and not is_reset("重新开始研判这件事")


def test_turns_are_capped(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "state.sqlite3", idle_seconds=600)
    for n in range(12):
        c = store.begin("web:a", f"第{n}句", None)
        store.finish("web:a", c, _answer(Verdict.NEEDS_MORE_FACTS))
    assert len(c.turns) == 8 and c.turns[-1] == "第11句"
