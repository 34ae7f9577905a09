"""The fixed wording of drafts (prompts/draft_templates.yaml) and the restating of a user's facts."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.cues import load_yaml

TEMPLATES_FILE = "draft_templates.yaml"
QUIZ_FILE = "draft_quiz.yaml"


@lru_cache(maxsize=4)
def load_templates(prompts_dir: Path, name: str = TEMPLATES_FILE) -> dict[str, Any]:
    """The template file ``name`` under ``prompts_dir``, read once per process."""
    return load_yaml(prompts_dir / name)


def mark(number: int) -> str:
    """The numbered citation mark of official documents: 〔1〕."""
    return f"〔{number}〕"


def third_person(text: str, t: dict[str, Any]) -> str:
    """Words as an official text gives them: in the third person (我 → 当事人, 我们局 → 该局) and
    with full-width punctuation (input is width-folded to ASCII)."""
    for pattern, replacement in t["person"]:
        text = re.sub(pattern, replacement, text)
    if re.search(r"[\u4e00-\u9fff]", text):
        text = text.translate(str.maketrans(t["punctuation"]))
    return text


def user_words(text: str, t: dict[str, Any]) -> str:
    """A user's words as an official text quotes them: without the request and the closing question
    around them (帮我写一份理由说明：…能容错吗), then as :func:`third_person`."""
    for pattern in t["strip"]:
        text = re.sub(pattern, "", text).strip()
    return third_person(text, t)


def restate_facts(text: str, t: dict[str, Any]) -> str:
    """The facts of a description, lightly normalised (see :func:`user_words`), ending in one full
    stop. Nothing is added."""
    text = user_words(text, t).strip("，,；;：: ")
    if text and text[-1] not in "。！!":
        text += "。"
    return text
