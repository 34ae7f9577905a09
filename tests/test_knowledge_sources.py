"""Every clause text in knowledge/ is an exact copy of its source wording (whitespace aside)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.knowledge import load_knowledge
from assistant.settings import PROJECT_ROOT

_WS = re.compile(r"\s+")
_PAGE_MARKER = re.compile(r"(?m)^\d+、")


def _squash(text: str) -> str:
    return _WS.sub("", text)


def test_every_unit_text_is_in_its_source(shared_dir: Path) -> None:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    cache: dict[tuple[str, bool], str] = {}
    missing = []
    for unit in kb:
        doc = kb.documents[unit.doc_id]
        key = (unit.source_file, doc.page_markers)
        if key not in cache:
            raw = (shared_dir / unit.source_file).read_text(encoding="utf-8")
            # A viewer's page markers ("6、" at a line start) split sentences of some seeds.
            cache[key] = _squash(_PAGE_MARKER.sub("", raw) if doc.page_markers else raw)
        if _squash(unit.text) not in cache[key]:
            missing.append(unit.id)
    assert not missing, f"unit texts not found verbatim in their sources: {missing}"


def test_no_unit_carries_editorial_markers() -> None:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    for unit in kb:
        assert "待核" not in unit.text and "【" not in unit.text, unit.id
