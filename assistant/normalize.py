"""Question normalisation: traditional → simplified, full/half width, whitespace, cheap typo fixes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from opencc import OpenCC

from assistant.errors import InputError

_WS = re.compile(r"\s+")
# Control characters other than whitespace mark binary or corrupted input.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=4)
def load_typos(knowledge_dir: Path) -> tuple[tuple[str, str], ...]:
    """Typo → correction pairs from ``rules/typos.yaml``, longest first so that longer fixes win."""
    path = knowledge_dir / "rules" / "typos.yaml"
    if not path.exists():
        return ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = [(str(k), str(v)) for k, v in (raw.get("typos") or {}).items()]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def fold(text: str) -> str:
    """Width-fold and simplify: the form both questions and units are indexed in."""
    text = unicodedata.normalize("NFKC", text)
    text = _converter().convert(text)
    return _WS.sub(" ", text).strip()


def normalize_question(text: str, knowledge_dir: Path, max_chars: int) -> str:
    """Validate a user's question and return its normalised form; raise InputError with a Chinese message."""
    if not isinstance(text, str):
        raise InputError("问题必须是文本。")
    if _CONTROL.search(text) or "\ufffd" in text:
        raise InputError("问题含有无法识别的二进制字符，请以文字重新输入。")
    stripped = text.strip()
    if not stripped:
        raise InputError("问题为空，请描述您想咨询的情况。")
    if len(stripped) > max_chars:
        raise InputError(f"问题过长（{len(stripped)} 字），请精简到 {max_chars} 字以内。")
    folded = fold(stripped)
    for wrong, right in load_typos(knowledge_dir):
        folded = folded.replace(wrong, right)
    return folded
