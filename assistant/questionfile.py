"""Files of questions: JSON Lines of {"question", "province", "id"} (``assistant ask --batch``), and for
handouts also plain lines. One reader, so both report a bad line the same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.errors import InputError


def read_question_lines(
    path: Path, plain_lines: bool = False, what: str = "批量文件"
) -> list[dict[str, Any]]:
    """The question objects of a file, in order; InputError naming the file and line for a bad one.

    With ``plain_lines`` a line that is not JSON is a question by itself and ``#`` lines are comments.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise InputError(f"找不到{what}：{path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取{what} {path}：{type(exc).__name__}（须为 UTF-8 文本）") from exc
    items: list[dict[str, Any]] = []
    for number, raw_line in enumerate(lines, 1):
        line = raw_line.strip()
        if not line or (plain_lines and line.startswith("#")):
            continue
        if plain_lines and not line.startswith("{"):
            items.append({"question": line})
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} 第 {number} 行不是合法的 JSON：{exc.msg}") from exc
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise InputError(f'{path} 第 {number} 行缺少文本字段 "question"')
        items.append(item)
    return items
